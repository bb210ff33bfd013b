//! Eager loading with joins: the one `SELECT` of a finder with includes, and the rows it
//! reads folded back into instances that hold their included instances.
//!
//! Each include is joined under an alias that is its path (`comments->author`), its columns
//! read as `"comments->author"."name" AS "comments.author.name"`. An optional include whose
//! own includes are required is joined as a group, `LEFT OUTER JOIN ("comments" INNER JOIN
//! "users" ON …) ON …`, so that the required ones decide whether a comment matches, not
//! whether the post does; a `belongsToMany` is always such a group, its join table inner-
//! joined to its target. With a `limit` or `offset` and an include of many rows, the parents
//! are limited first, in a subquery, and the includes joined to it (Sequelize's `subQuery`),
//! so that the limit counts parents rather than joined rows; a required include then
//! restricts the parents inside the subquery with `EXISTS`.
//!
//! Rows fold back by primary key: a parent repeated by its children's rows is made once, and
//! each child once per parent, in the order the rows come.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;

use super::loaded::{Collection, Loadable, Loaded};
use super::separate::Separate;
use super::{Association, AssociationKind, Include};
use crate::connection::ExecutorRef;
use crate::error::{Error, Result};
use crate::model::definition::ModelDefinition;
use crate::model::filter::{self, Scope};
use crate::model::planner::{read_positions, FindOptions};
use crate::model::run_into;
use crate::model::runtime::ModelRuntime;
use crate::row::{ReadResult, RowReader, RowSink, ValuesReader, Window};
use crate::sql::{Expr, Ident, Join, JoinKind, Select, SelectItem, Source, TableRef};
use crate::value::Value;

/// How the rows of a joined `SELECT` fold back into instances: one node per model read, the
/// finder's model first, then each include in order, depth first.
#[derive(Debug)]
pub(crate) struct JoinPlan {
    nodes: Vec<Node>,
    /// The includes read by queries of their own, after this one.
    separate: Vec<Separate>,
}

#[derive(Debug)]
struct Node {
    runtime: Arc<ModelRuntime>,
    /// The node it is included in (none for the finder's model).
    parent: Option<usize>,
    /// The nodes from the finder's model down to this one.
    path: Vec<usize>,
    /// The association's name, which the parent's instances hold it under.
    name: Arc<str>,
    /// One instance per parent (`belongsTo`, `hasOne`, a join row).
    single: bool,
    /// Where the node's columns start in a row.
    offset: usize,
    /// The attributes its columns hold, in order.
    read: Vec<usize>,
    /// Which of those are the primary key (by which rows are told apart).
    key: Vec<usize>,
    /// The attributes it does not read.
    unread: Vec<usize>,
    /// It reads every attribute, in order: its instance is made straight from the row.
    whole: bool,
}

/// Runs a finder with includes: its joined `SELECT`, the rows folded into instances of
/// type `L` (the finder's model's), then its separate includes.
pub(crate) async fn find<L: Loadable>(
    runtime: &Arc<ModelRuntime>,
    options: FindOptions,
    exec: ExecutorRef<'_>,
) -> Result<Vec<L>> {
    let (select, plan) = plan(runtime, options)?;
    let mut found = Vec::new();
    run_into(
        &exec,
        runtime,
        &mut select.into(),
        &mut plan.fold(&mut found),
    )
    .await?;
    plan.load_separate(&mut found, exec).await?;
    Ok(found)
}

/// A finder's `SELECT` with its includes joined, and how its rows fold back.
pub(crate) fn plan(root: &Arc<ModelRuntime>, options: FindOptions) -> Result<(Select, JoinPlan)> {
    let def = root.definition();
    let main = def.name.clone();
    let mut builder = Builder {
        nodes: Vec::new(),
        columns: Vec::new(),
        separate: Vec::new(),
    };
    let read = with_key(def, read_positions(def, &options)?);
    builder.add_node(Arc::clone(root), None, "", false, &main, read);
    let mut joins = Vec::new();
    let mut required_top = Vec::new();
    for include in options.include {
        let (include_joins, exists) = builder.include(0, &main, include)?;
        if let Some(exists) = exists {
            required_top.push(exists);
        }
        joins.extend(include_joins);
    }
    let runtimes: Vec<(String, Arc<ModelRuntime>)> = (builder.nodes.iter().skip(1))
        .map(|n| (alias_of(&builder.nodes, n), Arc::clone(&n.runtime)))
        .collect();
    let joined: Vec<(&str, &ModelDefinition)> = (runtimes.iter())
        .map(|(alias, runtime)| (alias.as_str(), runtime.definition()))
        .collect();
    let everything = Scope::new(Some(&main), def, joined);
    let only_main = Scope::new(Some(&main), def, Vec::new());
    let not_deleted = (options.paranoid)
        .then(|| def.deleted_at.map(|i| column(&main, def, i).is_null()))
        .flatten();
    let many = builder.nodes.iter().skip(1).any(|n| !n.single);
    let limited = options.limit.is_some() || options.offset.is_some();
    let main_table = TableRef::new(def.table()).alias(main.clone());
    let mut select = if limited && many && options.sub_query {
        // The parents are limited first: their filter and order may only name their own
        // attributes, since the includes are joined outside.
        let mut filter = (options.filter.clone())
            .map(|f| filter::resolve(f, &only_main))
            .transpose()
            .map_err(|e| limited_first("the filter", &main, e))?;
        for condition in not_deleted.into_iter().chain(required_top) {
            filter = Some(Expr::conjoin(filter, condition));
        }
        let inner = Select {
            columns: (builder.nodes[0].read.iter())
                .map(|&i| SelectItem::new(column(&main, def, i)))
                .collect(),
            filter,
            order: filter::resolve_order(options.order.clone(), &only_main)
                .map_err(|e| limited_first("the order", &main, e))?,
            limit: options.limit,
            offset: options.offset,
            ..Select::new(main_table)
        };
        Select {
            order: filter::resolve_order(options.order, &everything)?,
            ..Select::new(Source::subquery(inner, main.clone()))
        }
    } else {
        let mut filter = (options.filter)
            .map(|f| filter::resolve(f, &everything))
            .transpose()?;
        if let Some(condition) = not_deleted {
            filter = Some(Expr::conjoin(filter, condition));
        }
        Select {
            filter,
            order: filter::resolve_order(options.order, &everything)?,
            limit: options.limit,
            offset: options.offset,
            ..Select::new(main_table)
        }
    };
    select.columns = builder.columns;
    select.joins = joins;
    select.distinct = options.distinct;
    select.lock = options.lock;
    Ok((
        select,
        JoinPlan {
            nodes: builder.nodes,
            separate: builder.separate,
        },
    ))
}

/// The error for a filter or order naming an include's attribute when the parents are
/// limited before the includes are joined.
fn limited_first(what: &str, main: &str, e: Error) -> Error {
    Error::InvalidQuery(format!(
        "{what} of a finder with a limit and an include of many rows may only name {main}'s \
         own attributes (its rows are limited before the includes are joined): {e}"
    ))
}

/// The attribute positions read, with the primary key added where it is missing.
fn with_key(def: &ModelDefinition, mut read: Vec<usize>) -> Vec<usize> {
    for &key in def.primary_key.iter().rev() {
        if !read.contains(&key) {
            read.insert(0, key);
        }
    }
    read
}

/// `alias.column` of the attribute at `index`.
fn column(alias: &str, def: &ModelDefinition, index: usize) -> Expr {
    Expr::qualified(
        Ident::new(alias.to_owned()),
        def.attributes[index].column.name.clone(),
    )
}

/// The alias an include of `name` is joined under: its name below the finder's model, its
/// parent's alias and `->` deeper (`comments->author`).
pub(super) fn include_alias(parent_alias: Option<&str>, name: &str) -> String {
    match parent_alias {
        Some(parent) => format!("{parent}->{name}"),
        None => name.to_owned(),
    }
}

/// The SQL alias of a node: its path of association names, joined by `->`.
fn alias_of(nodes: &[Node], node: &Node) -> String {
    (node.path.iter().skip(1))
        .map(|&i| &*nodes[i].name)
        .collect::<Vec<_>>()
        .join("->")
}

struct Builder {
    nodes: Vec<Node>,
    columns: Vec<SelectItem>,
    separate: Vec<Separate>,
}

impl Builder {
    /// Adds a node reading `read` under `alias`; its columns are named by its path.
    fn add_node(
        &mut self,
        runtime: Arc<ModelRuntime>,
        parent: Option<usize>,
        name: &str,
        single: bool,
        alias: &str,
        read: Vec<usize>,
    ) -> usize {
        let def = runtime.definition();
        let index = self.nodes.len();
        let path = match parent {
            Some(parent) => {
                let mut path = self.nodes[parent].path.clone();
                path.push(index);
                path
            }
            None => vec![index],
        };
        let items = (runtime.joined_columns()).items(def, alias, &read, parent.is_some());
        self.columns.extend(items.iter().cloned());
        let key = (def.primary_key.iter())
            .filter_map(|k| read.iter().position(|r| r == k))
            .collect();
        let unread: Vec<usize> = (0..def.attributes.len())
            .filter(|i| !read.contains(i))
            .collect();
        let whole = read.iter().copied().eq(0..def.attributes.len());
        self.nodes.push(Node {
            runtime,
            parent,
            path,
            name: Arc::from(name),
            single,
            offset: self.columns.len() - read.len(),
            read,
            key,
            unread,
            whole,
        });
        index
    }

    /// The joins of one include of node `parent` (known as `parent_alias`) and of its own
    /// includes; and, for a required include, the condition that a parent has a match
    /// (`EXISTS`), for when the parents are limited in a subquery.
    fn include(
        &mut self,
        parent: usize,
        parent_alias: &str,
        mut include: Include,
    ) -> Result<(Vec<Join>, Option<Expr>)> {
        let parent_runtime = Arc::clone(&self.nodes[parent].runtime);
        let parent_def = parent_runtime.definition();
        let association = parent_runtime
            .association(&include.association)
            .ok_or_else(|| unknown_association(&parent_runtime, &include.association))?;
        if include.separate {
            return self.separate(parent, association, include);
        }
        let target = association.target()?;
        let target_def = target.definition();
        let name = association.name.as_str();
        let alias = include_alias((parent != 0).then_some(parent_alias), name);
        let scoped = target.scoped(FindOptions {
            filter: include.filter.take(),
            scopes: include.scopes.clone(),
            ..FindOptions::default()
        })?;
        let own = Scope::new(Some(&alias), target_def, Vec::new());
        let filter = scoped
            .filter
            .map(|f| filter::resolve(f, &own))
            .transpose()?;
        let required = include.is_required(filter.is_some());
        let mut on_target: Vec<Expr> = (association.scope.iter())
            .map(|(i, value)| column(&alias, target_def, *i).eq(value.clone()))
            .collect();
        if include.paranoid {
            if let Some(deleted_at) = target_def.deleted_at {
                on_target.push(column(&alias, target_def, deleted_at).is_null());
            }
        }
        on_target.extend(filter);
        let read = with_key(
            target_def,
            read_positions(
                target_def,
                &FindOptions {
                    attributes: include.attributes,
                    exclude: include.exclude,
                    ..FindOptions::default()
                },
            )?,
        );
        let node = self.add_node(
            Arc::clone(&target),
            Some(parent),
            name,
            !association.kind.is_multiple(),
            &alias,
            read,
        );
        let target_table = || Source::Table(TableRef::new(target_def.table()).alias(alias.clone()));
        let (base, link) = match association.kind {
            AssociationKind::BelongsTo => {
                let link = column(&alias, target_def, association.target_key).eq_expr(column(
                    parent_alias,
                    parent_def,
                    association.foreign_key,
                ));
                (target_table(), and_all(link, on_target))
            }
            AssociationKind::HasOne | AssociationKind::HasMany => {
                let link = column(&alias, target_def, association.foreign_key).eq_expr(column(
                    parent_alias,
                    parent_def,
                    association.source_key,
                ));
                (target_table(), and_all(link, on_target))
            }
            AssociationKind::BelongsToMany => self.through(
                node,
                &association,
                (parent_alias, parent_def),
                (&alias, target_def),
                (include.through_attributes, include.through_filter),
                on_target,
            )?,
        };
        let mut inner = Vec::new();
        for nested in include.include {
            inner.extend(self.include(node, &alias, nested)?.0);
        }
        let kind = if include.right {
            JoinKind::Right
        } else if required {
            JoinKind::Inner
        } else {
            JoinKind::Left
        };
        let exists = (kind == JoinKind::Inner).then(|| Expr::Exists {
            select: Box::new(Select {
                columns: vec![SelectItem::new(Expr::Literal("1".into()))],
                filter: Some(link.clone()),
                ..Select::new(base.clone())
            }),
            negated: false,
        });
        // A left join chain is already what a group of optional includes means; only a
        // required one inside needs the group.
        let grouped = kind == JoinKind::Left
            && (inner.iter().any(|join| join.kind == JoinKind::Inner)
                || matches!(base, Source::Nested { .. }) && !inner.is_empty());
        Ok(if grouped {
            let source = match base {
                Source::Nested { source, mut joins } => {
                    joins.extend(inner);
                    Source::Nested { source, joins }
                }
                table => Source::Nested {
                    source: Box::new(table),
                    joins: inner,
                },
            };
            (
                vec![Join {
                    kind,
                    source,
                    on: link,
                }],
                exists,
            )
        } else {
            let mut joins = match base {
                // A belongsToMany's join row and target, as a chain rather than Sequelize's
                // `LEFT JOIN (through INNER JOIN target) ON …`: SQLite materializes such a
                // group whole, every through row, instead of looking up the parent's by its
                // key. A through row whose target does not match reads as no target, as in
                // the group, since a row with no target key is skipped.
                Source::Nested { source, joins } if kind != JoinKind::Right => {
                    let mut chain = vec![Join {
                        kind,
                        source: *source,
                        on: link,
                    }];
                    chain.extend(joins.into_iter().map(|join| Join { kind, ..join }));
                    chain
                }
                base => vec![Join {
                    kind,
                    source: base,
                    on: link,
                }],
            };
            joins.extend(inner);
            (joins, exists)
        })
    }
}

impl Builder {
    /// Records a separate include of node `parent`, read after the query; it adds no join.
    fn separate(
        &mut self,
        parent: usize,
        association: Arc<Association>,
        include: Include,
    ) -> Result<(Vec<Join>, Option<Expr>)> {
        let parent_node = &self.nodes[parent];
        let parent_def = parent_node.runtime.definition();
        if association.kind != AssociationKind::HasMany {
            return Err(Error::EagerLoading(format!(
                "{}.{} is a {}: separate is only for hasMany includes (as in Sequelize)",
                parent_def.name,
                association.name,
                association.kind.name()
            )));
        }
        if !parent_node.read.contains(&association.source_key) {
            return Err(Error::InvalidQuery(format!(
                "the separate include {} needs {}.{} read",
                association.name,
                parent_def.name,
                parent_def.attributes[association.source_key].name
            )));
        }
        let path = (parent_node.path.iter().skip(1))
            .map(|&i| Arc::clone(&self.nodes[i].name))
            .collect();
        self.separate.push(Separate {
            path,
            association,
            include,
        });
        Ok((Vec::new(), None))
    }

    /// A `belongsToMany`'s source, the join table inner-joined to the target as a group,
    /// and the condition linking it to the parent; the join row's attributes are read as a
    /// node below the target's, which holds it under the join model's name.
    fn through(
        &mut self,
        node: usize,
        association: &Association,
        (parent_alias, parent_def): (&str, &ModelDefinition),
        (alias, target_def): (&str, &ModelDefinition),
        (attributes, through_filter): (Option<Vec<String>>, Option<Expr>),
        on_target: Vec<Expr>,
    ) -> Result<(Source, Expr)> {
        let (through, other_key) = association.join()?;
        let through_def = through.definition();
        let through_alias = format!("{alias}->{}", through_def.name);
        let target_on = and_all(
            column(alias, target_def, association.target_key).eq_expr(column(
                &through_alias,
                through_def,
                other_key,
            )),
            on_target,
        );
        let mut on_through: Vec<Expr> = (association.through_scope.iter())
            .map(|(i, value)| column(&through_alias, through_def, *i).eq(value.clone()))
            .collect();
        if let Some(condition) = through_filter {
            let own = Scope::new(Some(&through_alias), through_def, Vec::new());
            on_through.push(filter::resolve(condition, &own)?);
        }
        let link = and_all(
            column(&through_alias, through_def, association.foreign_key).eq_expr(column(
                parent_alias,
                parent_def,
                association.source_key,
            )),
            on_through,
        );
        if attributes.as_ref().is_none_or(|names| !names.is_empty()) {
            let read = read_positions(
                through_def,
                &FindOptions {
                    attributes,
                    ..FindOptions::default()
                },
            )?;
            let name = through_def.name.clone();
            self.add_node(
                Arc::clone(&through),
                Some(node),
                &name,
                true,
                &through_alias,
                with_key(through_def, read),
            );
        }
        let source = Source::Nested {
            source: Box::new(Source::Table(
                TableRef::new(through_def.table()).alias(through_alias),
            )),
            joins: vec![Join {
                kind: JoinKind::Inner,
                source: Source::Table(TableRef::new(target_def.table()).alias(alias.to_owned())),
                on: target_on,
            }],
        };
        Ok((source, link))
    }
}

/// `first AND rest…`.
fn and_all(first: Expr, rest: Vec<Expr>) -> Expr {
    rest.into_iter().fold(first, Expr::and)
}

/// The error for an include that names no association of the model.
fn unknown_association(runtime: &ModelRuntime, name: &str) -> Error {
    let known: Vec<String> = (runtime.associations().iter())
        .map(|a| a.name.clone())
        .collect();
    Error::EagerLoading(format!(
        "{} has no association {name:?} to include (its associations: {})",
        runtime.definition().name,
        if known.is_empty() {
            "none".to_owned()
        } else {
            known.join(", ")
        }
    ))
}

/// A key of a row, by which rows of one model are told apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum KeyPart {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    /// Any other value, by its debug form (keys are rarely of other types).
    Other(String),
}

impl KeyPart {
    /// The key part of a value.
    pub(crate) fn of(value: &Value) -> KeyPart {
        match value {
            Value::Null => KeyPart::Null,
            Value::Int(i) => KeyPart::Int(*i),
            Value::Bool(b) => KeyPart::Int(i64::from(*b)),
            Value::Text(s) => KeyPart::Text(s.clone()),
            Value::Bytes(b) => KeyPart::Bytes(b.clone()),
            Value::Uuid(u) => KeyPart::Bytes(u.as_bytes().to_vec()),
            other => KeyPart::Other(format!("{other:?}")),
        }
    }
}

/// The instances of one node made so far: (parent instance id, key) → (instance id,
/// position in the parent's list). Keys of one integer (most are) have a map of their own,
/// whose entries are smaller and hash in one step.
#[derive(Default)]
struct Seen {
    by_int: HashMap<(usize, i64), (usize, usize), KeyHashing>,
    by_key: HashMap<(usize, Key), (usize, usize), KeyHashing>,
}

impl Seen {
    /// The instance of `key` under the parent `parent_id`, made by `make` the first time.
    fn get_or_make(
        &mut self,
        parent_id: usize,
        key: Key,
        make: impl FnOnce() -> ReadResult<(usize, usize)>,
    ) -> ReadResult<(usize, usize)> {
        match key {
            Key::One(KeyPart::Int(int)) => found_or_made(&mut self.by_int, (parent_id, int), make),
            key => found_or_made(&mut self.by_key, (parent_id, key), make),
        }
    }
}

/// The value of `key` in `map`, made by `make` and kept the first time.
fn found_or_made<K: Hash + Eq>(
    map: &mut HashMap<K, (usize, usize), KeyHashing>,
    key: K,
    make: impl FnOnce() -> ReadResult<(usize, usize)>,
) -> ReadResult<(usize, usize)> {
    match map.entry(key) {
        Entry::Occupied(known) => Ok(*known.get()),
        Entry::Vacant(slot) => Ok(*slot.insert(make()?)),
    }
}

/// The hashing of maps keyed by rows' keys; see [`KeyHasher`].
pub(crate) type KeyHashing = BuildHasherDefault<KeyHasher>;

/// How the maps of row keys hash: a multiply-rotate hash (Firefox's, rustc's `FxHash`),
/// which measured several times faster than the default SipHash on these small keys.
/// SipHash resists keys chosen to collide; these come from the rows of the query being
/// folded, and a collision would cost time, never a wrong result.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }

    fn write_i64(&mut self, word: i64) {
        self.write_u64(u64::from_ne_bytes(word.to_ne_bytes()));
    }

    fn write_u8(&mut self, byte: u8) {
        self.write_u64(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A row's primary key: one part, or several for a composite key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    One(KeyPart),
    Many(Vec<KeyPart>),
    /// A model without a primary key: each row (by its number) is an instance of its own.
    Row(usize),
}

impl JoinPlan {
    /// A sink that folds the rows into instances of the finder's model (appended to
    /// `roots`), each holding its included instances, while the driver reads them.
    pub(crate) fn fold<'a>(&'a self, roots: &'a mut dyn Collection) -> Fold<'a> {
        let nodes = self.nodes.len();
        Fold {
            plan: self,
            roots,
            seen: (0..nodes).map(|_| Seen::default()).collect(),
            next_id: vec![0; nodes],
            current: vec![None; nodes],
            last: vec![None; nodes],
            number: 0,
        }
    }

    /// Reads the separate includes of the instances in `roots` (which this plan's rows
    /// made), each with a query of its own.
    pub(crate) async fn load_separate(
        &self,
        roots: &mut dyn Collection,
        exec: ExecutorRef<'_>,
    ) -> Result<()> {
        for separate in &self.separate {
            separate.load(roots, exec).await?;
        }
        Ok(())
    }

    /// The includes of the instance `node`'s parent is in this row.
    fn parent_loaded<'r>(
        &self,
        roots: &'r mut dyn Collection,
        current: &[Option<(usize, usize)>],
        node: &Node,
    ) -> Result<&'r mut Loaded> {
        let lost = || Error::EagerLoading("an included row lost its parent".into());
        let path = &node.path[..node.path.len() - 1];
        let (_, root) = current[path[0]].ok_or_else(lost)?;
        let mut loaded = roots.loaded_mut(root);
        for &step in &path[1..] {
            let (_, position) = current[step].ok_or_else(lost)?;
            let through = &self.nodes[step];
            loaded = loaded
                .entry(
                    &through.name,
                    through.single,
                    through.runtime.new_collection(),
                )?
                .loaded_mut(position);
        }
        Ok(loaded)
    }
}

impl Node {
    /// The key of the node's instance in a row, looked at without reading the row; `None`
    /// when the row has none (a left join without a match).
    fn key_of(&self, row: &dyn RowReader, number: usize) -> ReadResult<Option<Key>> {
        // An integer key (most are) is read without making a `Value` of it.
        let part = |k: &usize| match row.int(self.offset + k) {
            Some(int) => Ok(KeyPart::Int(int)),
            None => Ok(KeyPart::of(&row.peek(self.offset + k)?)),
        };
        let key = match self.key.as_slice() {
            [] => return Ok(Some(Key::Row(number))),
            [one] => Key::One(part(one)?),
            many => Key::Many(many.iter().map(part).collect::<ReadResult<_>>()?),
        };
        let absent = match &key {
            Key::One(part) => *part == KeyPart::Null,
            Key::Many(parts) => parts.iter().all(|p| *p == KeyPart::Null),
            Key::Row(_) => false,
        };
        Ok((!absent).then_some(key))
    }

    /// Makes the node's instance out of a row and appends it to `collection`: straight
    /// from the row's columns when the node reads every attribute in order, else from its
    /// values put at their attributes' positions (`NULL` where not read).
    fn push(&self, collection: &mut dyn Collection, row: &mut dyn RowReader) -> ReadResult<()> {
        let width = self.runtime.definition().attributes.len();
        if self.whole {
            if self.offset == 0 && row.width() == width {
                return collection.push(&self.runtime, row, &[]);
            }
            let offset = self.offset;
            let mut window = Window { row, offset, width };
            return collection.push(&self.runtime, &mut window, &[]);
        }
        let mut values = vec![Value::Null; width];
        for (j, &attribute) in self.read.iter().enumerate() {
            values[attribute] = row.value(self.offset + j)?;
        }
        collection.push(&self.runtime, &mut ValuesReader(&mut values), &self.unread)
    }
}

/// Folds a joined `SELECT`'s rows into instances while the driver reads them
/// ([`JoinPlan::fold`]). Rows fold back by primary key; the columns of an instance a row
/// repeats (a post, once per comment) are looked at for its key and never read again.
pub(crate) struct Fold<'a> {
    plan: &'a JoinPlan,
    roots: &'a mut dyn Collection,
    /// Per node, the instances made so far.
    seen: Vec<Seen>,
    /// Per node, the id of its next instance.
    next_id: Vec<usize>,
    /// Per node, the instance the current row belongs to (id, position), if any.
    current: Vec<Option<(usize, usize)>>,
    /// Per node, the parent instance's id and the key it had in the previous row.
    last: Vec<Option<(usize, Option<Key>)>>,
    /// The number of the row being read.
    number: usize,
}

impl RowSink for Fold<'_> {
    fn columns(&mut self, _: &Arc<[String]>) {}

    fn row(&mut self, row: &mut dyn RowReader) -> ReadResult<()> {
        let Fold {
            plan,
            roots,
            seen,
            next_id,
            current,
            last,
            number,
        } = self;
        // Without joins every row is an instance of its own: nothing to tell apart.
        if let [node] = plan.nodes.as_slice() {
            return node.push(*roots, row);
        }
        *number += 1;
        for (index, node) in plan.nodes.iter().enumerate() {
            let parent_id = match node.parent {
                None => 0,
                Some(parent) => match current[parent] {
                    Some((id, _)) => id,
                    None => {
                        current[index] = None;
                        continue;
                    }
                },
            };
            let key = node.key_of(row, *number)?;
            // A row that repeats the previous row's instance of this node (each of a post's
            // comments repeats the post) belongs to it as that row did: `current` holds it.
            let repeated = (last[index].as_ref()).is_some_and(|(last_parent, last_key)| {
                *last_parent == parent_id && *last_key == key
            });
            if repeated {
                continue;
            }
            last[index] = Some((parent_id, key.clone()));
            let Some(key) = key else {
                // The parent holds the association even when this row has no match.
                if node.parent.is_some() {
                    let empty = node.runtime.empty_collection();
                    (plan.parent_loaded(*roots, current, node)?).include_none(
                        &node.name,
                        node.single,
                        empty,
                    );
                }
                current[index] = None;
                continue;
            };
            let collection = match node.parent {
                None => &mut **roots,
                Some(_) => plan.parent_loaded(*roots, current, node)?.entry(
                    &node.name,
                    node.single,
                    node.runtime.new_collection(),
                )?,
            };
            let found = seen[index].get_or_make(parent_id, key, || {
                node.push(collection, row)?;
                let made = (next_id[index], collection.len() - 1);
                next_id[index] += 1;
                Ok(made)
            })?;
            current[index] = Some(found);
        }
        Ok(())
    }
}
