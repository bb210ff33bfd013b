//! Inserts that go beyond one new row: `Model.bulkCreate` (many rows in as few `INSERT`s as
//! the database's parameter limit allows) and `Model.upsert` (insert, or update on a
//! conflict), with Sequelize's options.

use std::marker::PhantomData;
use std::sync::Arc;

use super::definition::ModelDefinition;
use super::hooks::Hook;
use super::instance::Instance;
use super::planner;
use super::runtime::{runtime_of, ModelRuntime};
use super::write::{validate_fields, NewRow, RowData, SaveOptions, TypedRow};
use super::Model;
use crate::connection::{Executor, ExecutorRef};
use crate::error::{Error, Result};
use crate::sql::{ConflictAction, Expr, Ident, OnConflict};
use crate::value::Value;

/// What a bulk insert does with a row whose unique key exists already.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Conflict {
    /// `ignoreDuplicates`: keep the existing row.
    Ignore,
    /// `updateOnDuplicate: [...]`: overwrite these attributes of the existing row.
    Update(Vec<String>),
}

/// The options of a bulk insert.
#[derive(Debug, Clone)]
pub(crate) struct BulkOptions {
    save: SaveOptions,
    individual_hooks: bool,
    conflict: Option<Conflict>,
    conflict_attributes: Vec<String>,
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions {
            // `bulkCreate` validates only when asked (`validate: true`).
            save: SaveOptions::default().validate(false),
            individual_hooks: false,
            conflict: None,
            conflict_attributes: Vec::new(),
        }
    }
}

/// `Model.bulkCreate(records, options)`: inserts every record, in one `INSERT` per as many
/// rows as the database takes parameters (65,535 on PostgreSQL and MySQL, 32,766 on
/// SQLite), and returns the instances with their generated keys. The `INSERT` returns only
/// what the rows did not write (the keys, the defaults the database applies); the values
/// written are kept as the instances hold them, as Sequelize's `bulkCreate` does. A row a
/// conflict updated (`update_on_duplicate`) is read back whole. Made by
/// [`Model::bulk_create`].
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// #[model(timestamps = false)]
/// struct Tag { id: i64, #[attr(unique)] name: String }
/// # async fn demo() -> sequelize::Result<()> {
/// # let db = Sequelize::connect("sqlite::memory:").await?;
/// # db.define::<Tag>().register()?;
/// # db.sync(SyncOptions::default()).await?;
/// let tags = ["rust", "sql"].map(|name| Tag { id: 0, name: name.into() });
/// let created = Tag::bulk_create(tags).exec(&db).await?;
/// assert_eq!(created.iter().map(|t| t.id).collect::<Vec<_>>(), [1, 2]);
/// // ignoreDuplicates: the existing "rust" stays, "orm" is added.
/// let again = ["rust", "orm"].map(|name| Tag { id: 0, name: name.into() });
/// Tag::bulk_create(again).ignore_duplicates().exec(&db).await?;
/// assert_eq!(Tag::count().exec(&db).await?, 3);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a bulk create does nothing until exec() is awaited"]
pub struct BulkCreate<M: Model> {
    records: Vec<TypedRow<M>>,
    options: BulkOptions,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> BulkCreate<M> {
    pub(crate) fn new(records: impl IntoIterator<Item = M>) -> Self {
        BulkCreate {
            records: records.into_iter().map(TypedRow::new).collect(),
            options: BulkOptions::default(),
            _model: PhantomData,
        }
    }

    /// `validate: true`: runs the validators of every record first; the error holds every
    /// failure of every record, each path prefixed with the record's position (`[2].email`).
    pub fn validate(mut self, validate: bool) -> Self {
        self.options.save = self.options.save.validate(validate);
        self
    }

    /// `hooks: false`: runs none of the model's hooks (`beforeBulkCreate` and the rest).
    pub fn hooks(mut self, hooks: bool) -> Self {
        self.options.save = self.options.save.hooks(hooks);
        self
    }

    /// `individualHooks: true`: runs each record's validate and create hooks (still one
    /// `INSERT` per chunk).
    pub fn individual_hooks(mut self, individual: bool) -> Self {
        self.options.individual_hooks = individual;
        self
    }

    /// `fields: [...]`: inserts only these attributes.
    pub fn fields<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.options.save = self.options.save.fields(names);
        self
    }

    /// `ignoreDuplicates: true`: a row whose unique key exists already is skipped. The
    /// generated keys are read back only when no row was skipped (as in Sequelize, a skipped
    /// row has no key to report).
    pub fn ignore_duplicates(mut self) -> Self {
        self.options.conflict = Some(Conflict::Ignore);
        self
    }

    /// `updateOnDuplicate: [...]`: a row whose unique key exists already overwrites these
    /// attributes of the existing one.
    pub fn update_on_duplicate<S: Into<String>>(
        mut self,
        attributes: impl IntoIterator<Item = S>,
    ) -> Self {
        let attributes = attributes.into_iter().map(Into::into).collect();
        self.options.conflict = Some(Conflict::Update(attributes));
        self
    }

    /// `conflictAttributes: [...]`: the unique attributes that collide (PostgreSQL and
    /// SQLite; MySQL takes every unique key). Without it: the primary key when updating,
    /// any unique key when ignoring.
    pub fn conflict_attributes<S: Into<String>>(
        mut self,
        attributes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.options.conflict_attributes = attributes.into_iter().map(Into::into).collect();
        self
    }

    /// Inserts the records and returns them as saved instances.
    pub async fn exec(mut self, exec: &impl Executor) -> Result<Vec<Instance<M>>> {
        let runtime = runtime_of::<M>(exec)?;
        insert_all(&runtime, &mut self.records, &self.options, exec).await?;
        Ok(self.records.into_iter().map(Instance::from_row).collect())
    }
}

/// Inserts `records` (Sequelize's `bulkCreate` order: validate each, the create hooks of
/// each with `individual_hooks`, the `INSERT`s, then each one's after-create hooks).
pub(crate) async fn insert_all<D: RowData + Send + 'static>(
    runtime: &Arc<ModelRuntime>,
    records: &mut [D],
    options: &BulkOptions,
    exec: &impl Executor,
) -> Result<()> {
    let def = runtime.definition();
    let save = &options.save;
    save.check(def)?;
    let hooks = (options.individual_hooks && save.runs_hooks() && !runtime.hooks().is_empty())
        .then(|| runtime.hooks());
    let lent = ExecutorRef::of(exec);
    let every: Vec<usize> = (0..def.attributes.len())
        .filter(|&i| save.writes(def, i))
        .collect();
    for record in records.iter_mut() {
        for &index in &every {
            record.apply_setter(index);
        }
    }
    runtime
        .run_on_rows(Hook::BeforeBulkCreate, records, save.runs_hooks(), lent)
        .await?;
    if save.validates() {
        let mut items = Vec::new();
        for (position, record) in records.iter_mut().enumerate() {
            if let Some(hooks) = hooks {
                hooks
                    .run(Hook::BeforeValidate, record.hooked(), lent, def, &every)
                    .await?;
            }
            match validate_fields(def, record, &every, None).await {
                Ok(()) => {}
                Err(Error::Validation(failed)) => {
                    if let Some(hooks) = hooks {
                        hooks
                            .run(Hook::ValidationFailed, record.hooked(), lent, def, &every)
                            .await?;
                    }
                    items.extend(failed.into_iter().map(|mut item| {
                        item.path = format!("[{position}].{}", item.path);
                        item
                    }));
                    continue;
                }
                Err(other) => return Err(other),
            }
            if let Some(hooks) = hooks {
                hooks
                    .run(Hook::AfterValidate, record.hooked(), lent, def, &every)
                    .await?;
            }
        }
        if !items.is_empty() {
            return Err(Error::Validation(items));
        }
    }
    if let Some(hooks) = hooks {
        for record in records.iter_mut() {
            hooks
                .run(Hook::BeforeCreate, record.hooked(), lent, def, &every)
                .await?;
        }
    }
    let now = planner::now();
    let mut rows = Vec::with_capacity(records.len());
    for record in records.iter_mut() {
        rows.push(NewRow::prepare(def, record, save, &now)?);
    }
    let on_conflict = conflict_clause(def, options)?;
    // Rows that write the same attributes share a statement (a row that sets its own
    // auto-increment key writes one more column than a row that leaves it to the database).
    let mut groups: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    for (position, row) in rows.iter().enumerate() {
        let columns = || row.written.iter().map(|(i, _)| *i);
        match groups
            .iter_mut()
            .find(|(c, _)| c.iter().copied().eq(columns()))
        {
            Some((_, members)) => members.push(position),
            None => groups.push((columns().collect(), vec![position])),
        }
    }
    let supports = exec.target().sequelize().dialect().supports();
    for (columns, members) in groups {
        let per_statement = (supports.max_bind_parameters / columns.len().max(1)).max(1);
        // What the rows do not hold already: the generated key and the database's
        // defaults. A row a conflict updated is read back whole.
        let returning: Vec<usize> = match on_conflict {
            Some(_) => planner::every_attribute(def),
            None => (0..def.attributes.len())
                .filter(|i| !columns.contains(i))
                .collect(),
        };
        let whole = returning.len() == def.attributes.len();
        for chunk in members.chunks(per_statement) {
            // Moved, not copied: each row is written once.
            let values: Vec<Vec<(usize, Value)>> = (chunk.iter())
                .map(|&p| std::mem::take(&mut rows[p].written))
                .collect();
            let insert = planner::insert_rows(
                def,
                &columns,
                values,
                on_conflict.clone(),
                supports,
                &returning,
            )?;
            let mut result = super::run(exec, runtime, &mut insert.into()).await?;
            if !result.rows.is_empty() && result.rows.len() == chunk.len() {
                for (values, &p) in result.rows.iter_mut().zip(chunk) {
                    if whole {
                        records[p].load(values)?;
                        continue;
                    }
                    for (value, &index) in values.iter_mut().zip(&returning) {
                        records[p].set_value(index, std::mem::take(value))?;
                    }
                }
            } else if let (None, Some(first)) = (&on_conflict, result.last_insert_id) {
                // MySQL reports the first generated key of a multi-row INSERT; the others
                // follow it.
                for (offset, &p) in (0_i64..).zip(chunk) {
                    if let Some(key) = rows[p].generated_key {
                        records[p].set_value(key, Value::Int(first + offset))?;
                    }
                }
            }
        }
    }
    for record in records.iter_mut() {
        record.refresh();
    }
    runtime
        .run_on_rows(Hook::AfterBulkCreate, records, save.runs_hooks(), lent)
        .await?;
    if let Some(hooks) = hooks {
        for record in records.iter_mut() {
            hooks
                .run(Hook::AfterCreate, record.hooked(), lent, def, &every)
                .await?;
        }
    }
    Ok(())
}

/// The conflict clause the options ask for.
fn conflict_clause(def: &ModelDefinition, options: &BulkOptions) -> Result<Option<OnConflict>> {
    let column = |name: &String| -> Result<Ident> {
        let index = def.position(name).ok_or_else(|| {
            Error::InvalidQuery(format!(
                "bulkCreate on {}: {name:?} is no attribute",
                def.name
            ))
        })?;
        Ok(def.attributes[index].column.name.clone())
    };
    let given: Vec<Ident> = options
        .conflict_attributes
        .iter()
        .map(column)
        .collect::<Result<_>>()?;
    Ok(match &options.conflict {
        None => None,
        Some(Conflict::Ignore) => Some(OnConflict {
            target: given,
            action: ConflictAction::DoNothing,
        }),
        Some(Conflict::Update(attributes)) => {
            let target = if given.is_empty() {
                (def.primary_key.iter())
                    .map(|&i| def.attributes[i].column.name.clone())
                    .collect()
            } else {
                given
            };
            let mut columns: Vec<Ident> = attributes.iter().map(column).collect::<Result<_>>()?;
            if let Some(updated_at) = def.updated_at {
                let updated_at = def.attributes[updated_at].column.name.clone();
                if !columns.contains(&updated_at) {
                    columns.push(updated_at);
                }
            }
            Some(OnConflict {
                target,
                action: ConflictAction::Update(columns),
            })
        }
    })
}

/// `Model.upsert(values)`: inserts the row, or updates the row whose key (or
/// `conflict_attributes`) it collides with, in one statement. Returns the saved instance
/// and whether it was created: `Some` on MySQL, which reports it in its affected rows;
/// `None` on PostgreSQL, SQLite and MariaDB, which return the saved row instead and cannot
/// tell (as Sequelize's `null`). Made by [`Model::upsert`].
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// #[model(timestamps = false)]
/// struct Setting { id: i64, #[attr(unique)] key: String, value: String }
/// # async fn demo() -> sequelize::Result<()> {
/// # let db = Sequelize::connect("sqlite::memory:").await?;
/// # db.define::<Setting>().register()?;
/// # db.sync(SyncOptions::default()).await?;
/// let theme = |value: &str| Setting { id: 0, key: "theme".into(), value: value.into() };
/// Setting::upsert(theme("light")).conflict_attributes(["key"]).exec(&db).await?;
/// let (saved, _) = Setting::upsert(theme("dark")).conflict_attributes(["key"]).exec(&db).await?;
/// assert_eq!((saved.id, saved.value.as_str()), (1, "dark"));
/// assert_eq!(Setting::count().exec(&db).await?, 1);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "an upsert does nothing until exec() is awaited"]
pub struct Upsert<M: Model> {
    data: TypedRow<M>,
    options: BulkOptions,
    fields: Option<Vec<String>>,
}

impl<M: Model> Upsert<M> {
    pub(crate) fn new(data: M) -> Self {
        let options = BulkOptions {
            save: SaveOptions::default(),
            ..BulkOptions::default()
        };
        Upsert {
            data: TypedRow::new(data),
            options,
            fields: None,
        }
    }

    /// `validate: false`: skips the validators (an upsert validates by default).
    pub fn validate(mut self, validate: bool) -> Self {
        self.options.save = self.options.save.validate(validate);
        self
    }

    /// `conflictFields`: the unique attributes that collide (PostgreSQL and SQLite; MySQL
    /// takes every unique key). Without it: the primary key.
    pub fn conflict_attributes<S: Into<String>>(
        mut self,
        attributes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.options.conflict_attributes = attributes.into_iter().map(Into::into).collect();
        self
    }

    /// `fields: [...]`: the attributes an existing row takes from this one (every attribute
    /// written but the key and the creation time, by default).
    pub fn fields<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.fields = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Reads the saved row back by its conflict attributes (its key by default).
    async fn read_back(&mut self, runtime: &Arc<ModelRuntime>, exec: &impl Executor) -> Result<()> {
        let def = runtime.definition();
        let names: Vec<String> = if self.options.conflict_attributes.is_empty() {
            def.primary_key
                .iter()
                .map(|&i| def.attributes[i].name.clone())
                .collect()
        } else {
            self.options.conflict_attributes.clone()
        };
        let mut filter = None;
        for name in names {
            let index = def.position(&name).ok_or_else(|| {
                Error::InvalidQuery(format!("upsert on {}: {name:?} is no attribute", def.name))
            })?;
            let condition = Expr::column(name).eq(self.data.value(index));
            filter = Some(Expr::conjoin(filter, condition));
        }
        let options = planner::FindOptions {
            filter,
            limit: Some(1),
            paranoid: false,
            ..Default::default()
        };
        let (select, _) = planner::select(def, options)?;
        let mut result = super::run(exec, runtime, &mut select.into()).await?;
        if let Some(values) = result.rows.iter_mut().next() {
            self.data.load(values)?;
        }
        Ok(())
    }

    /// Inserts or updates the row; the saved instance, and whether it was created where the
    /// database reports it.
    pub async fn exec(mut self, exec: &impl Executor) -> Result<(Instance<M>, Option<bool>)> {
        let runtime = runtime_of::<M>(exec)?;
        let def = runtime.definition();
        let now = planner::now();
        for index in 0..def.attributes.len() {
            self.data.apply_setter(index);
        }
        let hooks = self.options.save.runs_hooks();
        let lent = ExecutorRef::of(exec);
        let single = std::slice::from_mut(&mut self.data);
        runtime
            .run_on_rows(Hook::BeforeUpsert, single, hooks, lent)
            .await?;
        let row = NewRow::prepare(def, &mut self.data, &self.options.save, &now)?;
        if self.options.save.validates() {
            let written: Vec<usize> = row.written.iter().map(|(i, _)| *i).collect();
            validate_fields(def, &self.data, &written, None).await?;
        }
        let updated: Vec<String> = match self.fields.take() {
            Some(fields) => fields,
            None => (row.written.iter())
                .map(|(i, _)| *i)
                .filter(|i| !def.primary_key.contains(i) && Some(*i) != def.created_at)
                .map(|i| def.attributes[i].name.clone())
                .collect(),
        };
        self.options.conflict = Some(Conflict::Update(updated));
        let on_conflict = conflict_clause(def, &self.options)?;
        let columns: Vec<usize> = row.written.iter().map(|(i, _)| *i).collect();
        let supports = exec.target().sequelize().dialect().supports();
        let every = planner::every_attribute(def);
        let insert = planner::insert_rows(
            def,
            &columns,
            vec![row.written],
            on_conflict,
            supports,
            &every,
        )?;
        let mut result = super::run(exec, &runtime, &mut insert.into()).await?;
        let created = if let Some(values) = result.rows.iter_mut().next() {
            self.data.load(values)?;
            None
        } else {
            // MySQL counts 1 for a row inserted and 2 for a row updated, and returns no row:
            // the saved row is read back by the attributes that collided.
            let created = result.rows_affected == 1;
            if let (true, Some(key), Some(id)) = (created, row.generated_key, result.last_insert_id)
            {
                self.data.set_value(key, Value::Int(id))?;
            }
            self.read_back(&runtime, exec).await?;
            Some(created)
        };
        self.data.refresh();
        let single = std::slice::from_mut(&mut self.data);
        runtime
            .run_on_rows(Hook::AfterUpsert, single, hooks, lent)
            .await?;
        Ok((Instance::from_row(self.data), created))
    }
}
