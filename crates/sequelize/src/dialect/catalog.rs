//! What the catalog says about a table's constraints, in Sequelize's `showConstraint` shape.

use crate::sql::{ConstraintType, ReferentialAction};

/// One constraint of a table, as Sequelize's `showConstraint` describes it.
///
/// ```
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::{DataType, Sequelize, sql::{ColumnDef, ConstraintType}};
/// let db = Sequelize::connect("sqlite::memory:").await?;
/// db.query_interface()
///     .create_table("tags", vec![ColumnDef::new("name", DataType::String(None)).unique()])
///     .await?;
/// let constraints = db.query_interface().show_constraints("tags").await?;
/// assert_eq!(constraints[0].constraint_type, ConstraintType::Unique);
/// assert_eq!(constraints[0].columns, ["name"]);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ConstraintDescription {
    /// The constraint's name (`constraintName`). SQLite keeps no name for a constraint
    /// declared without one; it is given Sequelize's `addConstraint` name
    /// (`<table>_<columns>_uk`, `_pk`, `_ck`, `<table>_<columns>_<referenced table>_fk`).
    pub name: String,
    /// Its type (`constraintType`).
    pub constraint_type: ConstraintType,
    /// The columns it covers, in order (`columnNames`; none for a check on some databases).
    pub columns: Vec<String>,
    /// The table a foreign key refers to (`referencedTableName`).
    pub referenced_table: Option<String>,
    /// The columns it refers to, in the order of `columns` (`referencedColumnNames`).
    pub referenced_columns: Vec<String>,
    /// A foreign key's `ON DELETE` (`deleteAction`).
    pub on_delete: Option<ReferentialAction>,
    /// A foreign key's `ON UPDATE` (`updateAction`).
    pub on_update: Option<ReferentialAction>,
    /// A check's condition, as the database writes it (`definition`).
    pub definition: Option<String>,
}

impl ConstraintDescription {
    /// A constraint of the given type over `columns`, nothing else known yet.
    pub(crate) fn new(name: String, constraint_type: ConstraintType, columns: Vec<String>) -> Self {
        ConstraintDescription {
            name,
            constraint_type,
            columns,
            referenced_table: None,
            referenced_columns: Vec::new(),
            on_delete: None,
            on_update: None,
            definition: None,
        }
    }
}
