//! [`Instance`]: a model's data plus what Sequelize tracks about it.

use std::ops::{Deref, DerefMut};

use super::association::loaded::{not_included, Loaded};
use super::association::{Assoc, Cardinality};
use super::column::Column;
use super::finder::FinderOptions;
use super::planner;
use super::runtime::runtime_of;
use super::write::{self, RowData, SaveOptions, TypedRow};
use super::Model;
use crate::connection::Executor;
use crate::error::{Error, Result};
use crate::row::{ReadResult, RowReader, RowSink};
use crate::value::{FromValue, Value};

/// A model instance: the typed data, whether it is saved yet, and which attributes changed.
///
/// It dereferences to the model, so fields read and write as usual; `save()` then writes only
/// what changed. Change tracking is lazy: the first mutable access takes a snapshot of the
/// saved values, so instances that are only read (most of them) cost nothing extra.
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// struct User { id: i64, name: String }
///
/// # async fn demo() -> sequelize::Result<()> {
/// let db = Sequelize::connect("sqlite::memory:").await?;
/// db.define::<User>().register()?;
/// db.sync(SyncOptions::default()).await?;
/// let mut user = User::create(User { id: 0, name: "Ann".into() }).exec(&db).await?;
/// assert!(user.changed().is_empty());
/// user.name = "Jane".into();
/// assert_eq!(user.changed(), vec!["name"]);
/// user.save(&db).await?;          // UPDATE "Users" SET "name" = ? WHERE "id" = ?
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone)]
pub struct Instance<M: Model> {
    /// The struct, and the attributes the definition adds without a field.
    row: TypedRow<M>,
    is_new: bool,
    /// The saved values and the included instances, once there are any.
    state: Option<Box<State>>,
}

/// What an instance holds besides its row, in one box: most instances read hold neither, so
/// an instance costs its struct and two words beside it.
#[derive(Clone, Default)]
struct State {
    /// The saved values, taken at the first mutable access.
    snapshot: Option<Vec<Value>>,
    /// The included associations' instances, when a finder included any.
    loaded: Loaded,
}

impl<M: Model> Instance<M> {
    /// An unsaved instance (`Model.build`).
    pub(crate) fn new_record(data: M) -> Self {
        Instance {
            row: TypedRow::new(data),
            is_new: true,
            state: None,
        }
    }

    /// An instance of a row read from (or just written to) the database.
    pub(crate) fn from_row(row: TypedRow<M>) -> Self {
        Instance {
            row,
            is_new: false,
            state: None,
        }
    }

    /// The struct and the attributes beside it, for hooks that change a row just read (they
    /// do not count as changes).
    pub(crate) fn row_mut(&mut self) -> &mut TypedRow<M> {
        &mut self.row
    }

    /// The value of an attribute by name, declared or added by the definition (`createdAt`
    /// when the struct has no such field): Sequelize's `instance.get('createdAt')`.
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// struct Tag { id: i64, name: String }         // no timestamp fields
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// # db.define::<Tag>().register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// let tag = Tag::create(Tag { id: 0, name: "rust".into() }).exec(&db).await?;
    /// let created: DateTime<Utc> = tag.get("created_at")?;   // maintained all the same
    /// assert!(created <= Utc::now());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn get<T: FromValue>(&self, attribute: &str) -> Result<T> {
        let def = M::definition();
        let index = def.position(attribute).ok_or_else(|| {
            Error::InvalidQuery(format!("{} has no attribute {attribute:?}", def.name))
        })?;
        T::from_value(self.row.value(index))
    }

    /// Whether the instance has not been saved yet (`isNewRecord`).
    pub fn is_new_record(&self) -> bool {
        self.is_new
    }

    /// The instances a finder included for `association` (Sequelize's `post.comments`):
    /// a slice for a `hasMany` or `belongsToMany`, an `Option` for a `belongsTo` or `hasOne`.
    /// An association the finder did not include is an [`Error::EagerLoading`].
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// #[has_many(Comment, alias = "comments", foreign_key = "post_id")]
    /// struct Post { id: i64, title: String }
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Comment { id: i64, post_id: i64, body: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// db.define::<Post>().register()?;
    /// db.define::<Comment>().register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// let post = Post::create(Post { id: 0, title: "Hello".into() }).exec(&db).await?;
    /// Comment::create(Comment { id: 0, post_id: post.id, body: "First!".into() }).exec(&db).await?;
    /// let posts = Post::find_all().include(Post::comments()).exec(&db).await?;
    /// let comments = posts[0].included(Post::comments())?;
    /// assert_eq!(comments[0].body, "First!");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn included<T: Model, C: Cardinality>(
        &self,
        association: Assoc<M, T, C>,
    ) -> Result<C::Of<'_, Instance<T>>> {
        let name = association.name();
        let loaded = self
            .loaded()
            .ok_or_else(|| not_included(&M::definition().name, name))?;
        Ok(C::pick(
            loaded.rows::<Instance<T>>(&M::definition().name, name)?,
        ))
    }

    /// The value of the attribute at `index`.
    pub(crate) fn row_value(&self, index: usize) -> Value {
        self.row.value(index)
    }

    /// The included instances, to add to.
    pub(crate) fn loaded_mut(&mut self) -> &mut Loaded {
        &mut self.state.get_or_insert_with(Box::default).loaded
    }

    /// The included instances, when there are any.
    fn loaded(&self) -> Option<&Loaded> {
        self.state.as_ref().map(|state| &state.loaded)
    }

    /// The saved values, once a mutable access took them.
    fn snapshot(&self) -> Option<&Vec<Value>> {
        self.state.as_ref()?.snapshot.as_ref()
    }

    /// The same, to record a value as saved.
    fn snapshot_mut(&mut self) -> Option<&mut Vec<Value>> {
        self.state.as_mut()?.snapshot.as_mut()
    }

    /// Forgets the saved values: the row is as saved.
    fn forget_snapshot(&mut self) {
        if let Some(state) = &mut self.state {
            state.snapshot = None;
        }
    }

    /// The instance as Sequelize's `toJSON` gives it: the struct's serialization, the
    /// attributes it has no field for, and each include under its name.
    pub(crate) fn to_json(&self) -> Result<serde_json::Value> {
        let def = M::definition();
        let mut json = match self.row.data.to_json_value() {
            Some(json) => json.map_err(|e| Error::Decode(format!("{}: {e}", def.name)))?,
            None => {
                return Err(Error::Decode(format!(
                    "{} is included in a serialized instance but does not implement \
                     serde::Serialize",
                    def.name
                )))
            }
        };
        if let serde_json::Value::Object(map) = &mut json {
            let implicit = def.implicit_attributes();
            for (attribute, value) in def.attributes[implicit].iter().zip(&self.row.implicit) {
                let value =
                    serde_json::to_value(value).map_err(|e| Error::Decode(e.to_string()))?;
                map.insert(attribute.name.clone(), value);
            }
        }
        if let Some(loaded) = self.loaded() {
            loaded.add_to_json(def, &mut json)?;
        }
        Ok(json)
    }

    fn changed_indices(&self) -> Vec<usize> {
        match self.snapshot() {
            None => Vec::new(),
            Some(saved) => {
                let current = self.row.values();
                (0..saved.len())
                    .filter(|&i| saved[i] != current[i])
                    .collect()
            }
        }
    }

    /// The names of the attributes changed since the last save (`changed()`).
    pub fn changed(&self) -> Vec<&'static str> {
        let def = M::definition();
        self.changed_indices()
            .into_iter()
            .map(|i| def.attributes[i].name.as_str())
            .collect()
    }

    /// The model data, without the tracking (nor the attributes it has no field for).
    pub fn into_inner(self) -> M {
        self.row.data
    }

    /// Saves: inserts a new record, or updates the changed attributes of a saved one (and
    /// `updatedAt`). Does nothing when nothing changed. Validates first.
    pub async fn save(&mut self, exec: &impl Executor) -> Result<()> {
        self.save_with(exec, SaveOptions::default()).await
    }

    /// [`save`](Self::save) with options (`save({ validate: false, fields: [...] })`).
    ///
    /// ```
    /// use sequelize::{model::SaveOptions, prelude::*};
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct User { id: i64, #[attr(validate(Validator::is_email()))] email: String, name: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// # db.define::<User>().register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// let mut user = User::create(User { id: 0, email: "a@x.io".into(), name: "A".into() }).exec(&db).await?;
    /// user.email = "legacy-import".into();
    /// user.name = "Ann".into();
    /// user.save_with(&db, SaveOptions::default().fields(["name"])).await?; // email is not saved
    /// user.save_with(&db, SaveOptions::default().validate(false)).await?;   // saved unchecked
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn save_with(&mut self, exec: &impl Executor, options: SaveOptions) -> Result<()> {
        if self.is_new {
            let runtime = runtime_of::<M>(exec)?;
            write::save(&runtime, &mut self.row, None, &options, exec).await?;
            self.is_new = false;
        } else if let Some(saved) = self.state.as_ref().and_then(|s| s.snapshot.as_ref()) {
            let runtime = runtime_of::<M>(exec)?;
            write::save(&runtime, &mut self.row, Some(saved), &options, exec).await?;
        } else {
            // Nothing changed since the last save; only the options are checked.
            options.check(runtime_of::<M>(exec)?.definition())?;
        }
        self.forget_snapshot();
        Ok(())
    }

    /// Reads the row again (`instance.reload()`), dropping unsaved changes; a row that no
    /// longer exists is [`Error::EmptyResult`].
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Post { id: i64, views: i64 }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// # db.define::<Post>().register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// let mut post = Post::create(Post { id: 0, views: 0 }).exec(&db).await?;
    /// Post::increment(Post::VIEWS, 5).filter(Post::ID.eq(post.id)).exec(&db).await?;
    /// post.reload(&db).await?;
    /// assert_eq!(post.views, 5);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn reload(&mut self, exec: &impl Executor) -> Result<()> {
        let runtime = runtime_of::<M>(exec)?;
        let key = self.key_values();
        write::reload(&runtime, &mut self.row, &key, exec).await?;
        self.forget_snapshot();
        Ok(())
    }

    /// Runs the validators of every attribute and the model's, without saving
    /// (`instance.validate()`): `Error::Validation` with every failure.
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// struct User { id: i64, #[attr(validate(Validator::is_email()))] email: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// # db.define::<User>().register()?;
    /// let user = User::build(User { id: 0, email: "nope".into() });
    /// assert!(matches!(user.validate(&db).await, Err(sequelize::Error::Validation(_))));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn validate(&self, exec: &impl Executor) -> Result<()> {
        let runtime = runtime_of::<M>(exec)?;
        write::validate_all(runtime.definition(), &self.row.values()).await
    }

    /// Deletes this instance's row (`instance.destroy()`); on a paranoid model, sets its
    /// deletion time instead.
    pub async fn destroy(&mut self, exec: &impl Executor) -> Result<()> {
        let runtime = runtime_of::<M>(exec)?;
        let key = self.key_values();
        write::destroy_instance(&runtime, &mut self.row, &key, exec).await?;
        self.deletion_saved(runtime.definition().deleted_at);
        Ok(())
    }

    /// Restores this soft-deleted instance of a paranoid model (`instance.restore()`).
    pub async fn restore(&mut self, exec: &impl Executor) -> Result<()> {
        let runtime = runtime_of::<M>(exec)?;
        let key = self.key_values();
        write::restore_instance(&runtime, &mut self.row, &key, exec).await?;
        self.deletion_saved(runtime.definition().deleted_at);
        Ok(())
    }

    /// `instance.increment(field, { by })`: adds `by` to the attribute in the database
    /// (`SET x = x + ?`, atomic, so concurrent increments are never lost), then reads back
    /// the new value (and `updatedAt`) into this instance; other unsaved changes stay as they
    /// are. A row that no longer exists is an [`Error::EmptyResult`](crate::Error).
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Post { id: i64, views: i64 }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// # db.define::<Post>().register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// let mut post = Post::create(Post { id: 0, views: 0 }).exec(&db).await?;
    /// post.increment(Post::VIEWS, 2, &db).await?;
    /// post.decrement(Post::VIEWS, 1, &db).await?;
    /// assert_eq!(post.views, 1);
    /// assert!(post.changed().is_empty());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn increment<T: Into<Value>>(
        &mut self,
        column: Column<M, T>,
        by: impl Into<T>,
        exec: &impl Executor,
    ) -> Result<()> {
        M::increment(column, by)
            .filter(planner::key_filter(M::definition(), &self.key_values())?)
            .exec(exec)
            .await?;
        self.read_back(column.index(), exec).await
    }

    /// `instance.decrement(field, { by })`: as [`increment`](Self::increment), subtracting.
    pub async fn decrement<T: Into<Value>>(
        &mut self,
        column: Column<M, T>,
        by: impl Into<T>,
        exec: &impl Executor,
    ) -> Result<()> {
        M::decrement(column, by)
            .filter(planner::key_filter(M::definition(), &self.key_values())?)
            .exec(exec)
            .await?;
        self.read_back(column.index(), exec).await
    }

    /// Reads the attribute at `index` and `updatedAt` of this instance's row into it, as
    /// saved values (they do not count as changes).
    async fn read_back(&mut self, index: usize, exec: &impl Executor) -> Result<()> {
        let def = M::definition();
        let row = M::find_all()
            .filter(planner::key_filter(M::definition(), &self.key_values())?)
            .paranoid(false)
            .exec(exec)
            .await?
            .pop()
            .ok_or_else(|| Error::EmptyResult(def.name.clone()))?
            .row
            .values();
        for i in std::iter::once(index).chain(def.updated_at) {
            self.row.set_value(i, row[i].clone())?;
            if let Some(saved) = self.snapshot_mut() {
                saved[i] = row[i].clone();
            }
        }
        self.row.refresh();
        Ok(())
    }

    /// The values the row is saved with (its key as saved, even after a change).
    /// Records the deletion time just written (by `destroy` or `restore`) as saved, so it
    /// does not count as a change.
    fn deletion_saved(&mut self, deleted_at: Option<usize>) {
        if let Some(index) = deleted_at {
            let value = self.row.value(index);
            if let Some(snapshot) = self.snapshot_mut() {
                snapshot[index] = value;
            }
        }
    }

    fn key_values(&self) -> Vec<Value> {
        (self.snapshot().cloned()).unwrap_or_else(|| self.row.values())
    }
}

impl<M: Model> Deref for Instance<M> {
    type Target = M;
    fn deref(&self) -> &M {
        &self.row.data
    }
}

impl<M: Model> DerefMut for Instance<M> {
    fn deref_mut(&mut self) -> &mut M {
        if !self.is_new && self.snapshot().is_none() {
            let saved = self.row.values();
            self.state.get_or_insert_with(Box::default).snapshot = Some(saved);
        }
        &mut self.row.data
    }
}

impl<M: Model + std::fmt::Debug> std::fmt::Debug for Instance<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.row.data.fmt(f)
    }
}

/// The struct's fields, then the attributes the definition added (`created_at`, …) and the
/// included associations by name, as Sequelize's `toJSON` gives them.
impl<M: Model + serde::Serialize> serde::Serialize for Instance<M> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let plain = M::definition().implicit_attributes().is_empty()
            && self.loaded().is_none_or(|loaded| loaded.is_empty());
        if plain {
            return self.row.data.serialize(s);
        }
        self.to_json().map_err(S::Error::custom)?.serialize(s)
    }
}

/// A row sink that reads each row into an instance the moment the driver decodes it, so a
/// finder's result exists once, as instances, never first as values.
pub(crate) struct ReadInstances<M: Model>(pub(crate) Vec<Instance<M>>);

impl<M: Model> RowSink for ReadInstances<M> {
    fn columns(&mut self, _: &std::sync::Arc<[String]>) {}

    fn row(&mut self, row: &mut dyn RowReader) -> ReadResult<()> {
        self.0.push(Instance::from_row(TypedRow::read(row)?));
        Ok(())
    }
}
