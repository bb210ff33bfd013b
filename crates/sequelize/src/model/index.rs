//! [`Index`]: an index of a model (the model option `indexes: [...]`), named by attributes
//! and turned into a `CREATE INDEX` by `sync`.

use super::definition::ModelDefinition;
use crate::error::{Error, Result};
use crate::sql::{CreateIndex, Direction, Expr, Ident, IndexColumn, IndexKind, IndexMethod};
use crate::utils::snake_case;

/// An index of a model, with Sequelize's index options: `fields` (attributes or columns,
/// each with `order`, `length` and `operator`), `unique`, `name`, `using`, `where`
/// (partial), `type` (`FULLTEXT`/`SPATIAL`, MySQL) and `concurrently` (PostgreSQL).
///
/// Without a name it is Sequelize's: the table and the columns, snake_case
/// (`users_created_at`).
///
/// ```
/// use sequelize::{model::{Index, IndexField}, prelude::*};
/// use sequelize::sql::IndexMethod;
/// let by_slug = Index::on(["slug"]).unique();
/// let recent = Index::on(["published"]).field(IndexField::new("created_at").desc());
/// let drafts = Index::on(["author_id"]).filter(col("published").eq(false)).name("drafts_by_author");
/// let tags = Index::on(["tags"]).using(IndexMethod::Gin);
/// assert!(by_slug.is_unique());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    fields: Vec<IndexField>,
    name: Option<String>,
    unique: bool,
    using: Option<IndexMethod>,
    kind: Option<IndexKind>,
    filter: Option<Expr>,
    concurrently: bool,
}

/// One field of an [`Index`]: an attribute (or column) with its options.
///
/// ```
/// use sequelize::model::IndexField;
/// let title = IndexField::new("title").desc().length(20);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct IndexField {
    name: String,
    order: Option<Direction>,
    length: Option<u32>,
    operator: Option<String>,
}

impl IndexField {
    /// The attribute (or column) `name`.
    pub fn new(name: impl Into<String>) -> Self {
        IndexField {
            name: name.into(),
            order: None,
            length: None,
            operator: None,
        }
    }

    /// `order: 'ASC'`.
    pub fn asc(mut self) -> Self {
        self.order = Some(Direction::Asc);
        self
    }

    /// `order: 'DESC'`.
    pub fn desc(mut self) -> Self {
        self.order = Some(Direction::Desc);
        self
    }

    /// `length`: MySQL's prefix length; the other databases index the whole value.
    pub fn length(mut self, length: u32) -> Self {
        self.length = Some(length);
        self
    }

    /// `operator`: PostgreSQL's operator class (`text_pattern_ops`).
    pub fn operator(mut self, operator: impl Into<String>) -> Self {
        self.operator = Some(operator.into());
        self
    }
}

impl<S: Into<String>> From<S> for IndexField {
    fn from(name: S) -> Self {
        IndexField::new(name)
    }
}

impl Index {
    /// An index on these attributes (or columns), in order.
    pub fn on<F: Into<IndexField>>(fields: impl IntoIterator<Item = F>) -> Self {
        Index {
            fields: fields.into_iter().map(Into::into).collect(),
            name: None,
            unique: false,
            using: None,
            kind: None,
            filter: None,
            concurrently: false,
        }
    }

    /// One more field, with its options.
    pub fn field(mut self, field: IndexField) -> Self {
        self.fields.push(field);
        self
    }

    /// `unique: true`.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// Whether the index is unique.
    pub fn is_unique(&self) -> bool {
        self.unique
    }

    /// `name`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// `using`: the index method.
    pub fn using(mut self, method: IndexMethod) -> Self {
        self.using = Some(method);
        self
    }

    /// `type: 'FULLTEXT' | 'SPATIAL'` (MySQL).
    pub fn kind(mut self, kind: IndexKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// `where`: a partial index of the rows that match (PostgreSQL, SQLite).
    pub fn filter(mut self, filter: impl Into<Expr>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// `concurrently: true` (PostgreSQL; not inside a transaction).
    pub fn concurrently(mut self) -> Self {
        self.concurrently = true;
        self
    }

    /// The index's name: the one given, or Sequelize's `<table>_<columns>`.
    pub(crate) fn name_in(&self, def: &ModelDefinition) -> Result<String> {
        if let Some(name) = &self.name {
            return Ok(name.clone());
        }
        let columns = self.columns(def)?;
        let joined: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        Ok(snake_case(&format!(
            "{}_{}",
            def.table_name,
            joined.join("_")
        )))
    }

    fn columns(&self, def: &ModelDefinition) -> Result<Vec<IndexColumn>> {
        if self.fields.is_empty() {
            return Err(Error::Config(format!(
                "model {}: an index has no fields",
                def.name
            )));
        }
        (self.fields.iter())
            .map(|field| {
                let position = def.position(&field.name).ok_or_else(|| {
                    Error::Config(format!(
                        "model {}: the index field {:?} is no attribute",
                        def.name, field.name
                    ))
                })?;
                Ok(IndexColumn {
                    name: def.attributes[position].column.name.clone(),
                    order: field.order,
                    length: field.length,
                    operator: field.operator.clone().map(Ident::from),
                })
            })
            .collect()
    }

    /// The `CREATE INDEX` of this index on `def`'s table.
    pub(crate) fn statement(&self, def: &ModelDefinition) -> Result<CreateIndex> {
        Ok(CreateIndex {
            unique: self.unique,
            using: self.using,
            kind: self.kind,
            filter: self.filter.clone(),
            concurrently: self.concurrently,
            ..CreateIndex::new(def.table(), self.name_in(def)?, self.columns(def)?)
        })
    }
}
