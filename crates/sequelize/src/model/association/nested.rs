//! Creating a record with its associated records (Sequelize's `create(values, { include })`):
//! [`Create::with`](crate::model::Create::with) and [`Nested`]. The `belongsTo` targets are
//! created first (the record's foreign keys come from them), then the record, then its
//! `hasOne`/`hasMany` records with their foreign key set and its `belongsToMany` targets
//! with their join rows; at any depth, each record through its model's own create (its
//! hooks and validators run), all in one transaction (the caller's, or one opened for it).
//! The created instance holds what was created with it, as if included.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::include::Assoc;
use super::loaded::Collection;
use super::AssociationKind;
use crate::connection::{Executor, ExecutorRef};
use crate::error::{Error, Result};
use crate::model::instance::Instance;
use crate::model::runtime::runtime_of;
use crate::model::write::SaveOptions;
use crate::model::Model;
use crate::value::Value;

/// A record and the associated records to create with it.
///
/// ```
/// use sequelize::model::Nested;
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// #[model(timestamps = false)]
/// #[has_many(Comment, alias = "comments", foreign_key = "post_id")]
/// struct Post { id: i64, title: String }
/// #[derive(Model, Clone, Debug)]
/// #[model(timestamps = false)]
/// #[belongs_to(User, alias = "author", foreign_key = "author_id")]
/// struct Comment { id: i64, post_id: i64, author_id: i64, body: String }
/// #[derive(Model, Clone, Debug)]
/// #[model(timestamps = false)]
/// struct User { id: i64, name: String }
/// # async fn demo() -> sequelize::Result<()> {
/// # let db = Sequelize::connect("sqlite::memory:").await?;
/// db.define::<User>().register()?;
/// db.define::<Post>().register()?;
/// db.define::<Comment>().register()?;
/// # db.sync(SyncOptions::default()).await?;
/// let comment = Nested::new(Comment { id: 0, post_id: 0, author_id: 0, body: "First!".into() })
///     .with(Comment::author(), [User { id: 0, name: "Ann".into() }]);
/// let post = Post::create(Post { id: 0, title: "Hello".into() })
///     .with(Post::comments(), [comment])
///     .exec(&db)
///     .await?;
/// let comments = post.included(Post::comments())?;
/// assert_eq!(comments[0].post_id, post.id);
/// assert_eq!(comments[0].included(Comment::author())?.unwrap().name, "Ann");
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub struct Nested<M: Model> {
    data: M,
    children: Vec<Box<dyn Children<M>>>,
}

impl<M: Model> Nested<M> {
    /// A record without associated records yet.
    pub fn new(data: M) -> Self {
        Nested {
            data,
            children: Vec::new(),
        }
    }

    /// Adds records of an association to create with this one (for a `belongsTo` or
    /// `hasOne`, one).
    pub fn with<T: Model, C: Send + 'static, R: Into<Nested<T>>>(
        mut self,
        association: Assoc<M, T, C>,
        records: impl IntoIterator<Item = R>,
    ) -> Self {
        self.children.push(Box::new(Group {
            name: association.name().to_owned(),
            records: records.into_iter().map(Into::into).collect(),
        }));
        self
    }

    /// Whether there is anything to create with the record.
    pub(crate) fn is_plain(&self) -> bool {
        self.children.is_empty()
    }

    /// The record alone.
    pub(crate) fn into_data(self) -> M {
        self.data
    }

    /// Creates the record and its associated records, in a transaction: `exec`'s own, or
    /// one opened and committed here.
    pub(crate) async fn create(
        self,
        exec: &impl Executor,
        options: SaveOptions,
    ) -> Result<Instance<M>> {
        let mut created = Nested::create_all([self], exec, options).await?;
        Ok(created.remove(0))
    }

    /// `bulkCreate(records, { include })`: creates each record with its associated records,
    /// all in one transaction (`exec`'s own, or one opened and committed here).
    ///
    /// ```
    /// use sequelize::model::Nested;
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// #[has_many(Task, alias = "tasks", foreign_key = "list_id")]
    /// struct List { id: i64, name: String }
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Task { id: i64, list_id: i64, title: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// db.define::<List>().register()?;
    /// db.define::<Task>().register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// let lists = ["home", "work"].map(|name| {
    ///     Nested::new(List { id: 0, name: name.into() })
    ///         .with(List::tasks(), [Task { id: 0, list_id: 0, title: format!("{name} chores") }])
    /// });
    /// let created = Nested::bulk_create(lists, &db).await?;
    /// assert_eq!(created[1].included(List::tasks())?[0].title, "work chores");
    /// assert_eq!(Task::count().exec(&db).await?, 2);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn bulk_create(
        records: impl IntoIterator<Item = Nested<M>>,
        exec: &impl Executor,
    ) -> Result<Vec<Instance<M>>> {
        Nested::create_all(records, exec, SaveOptions::default()).await
    }

    async fn create_all(
        records: impl IntoIterator<Item = Nested<M>>,
        exec: &impl Executor,
        options: SaveOptions,
    ) -> Result<Vec<Instance<M>>> {
        let target = exec.target();
        let mut created = Vec::new();
        if target.in_transaction() {
            for record in records {
                created.push(
                    record
                        .create_in(ExecutorRef::of(exec), options.clone())
                        .await?,
                );
            }
            return Ok(created);
        }
        let tx = target.sequelize().begin().await?;
        for record in records {
            created.push(
                record
                    .create_in(ExecutorRef::of(&tx), options.clone())
                    .await?,
            );
        }
        tx.commit().await?;
        Ok(created)
    }

    fn create_in(
        self,
        exec: ExecutorRef<'_>,
        options: SaveOptions,
    ) -> BoxFuture<'_, Result<Instance<M>>> {
        Box::pin(async move {
            let runtime = runtime_of::<M>(&exec)?;
            let mut data = self.data;
            let mut before = Vec::new();
            let mut after = Vec::new();
            for group in self.children {
                let association = runtime.association(group.name()).ok_or_else(|| {
                    Error::EagerLoading(format!(
                        "{} has no association {:?} to create with it",
                        runtime.definition().name,
                        group.name()
                    ))
                })?;
                if association.kind == AssociationKind::BelongsTo {
                    // The target first: the record's foreign key is its key.
                    let (rows, keys) = group.create(None, association.target_key, exec).await?;
                    if let Some(key) = keys.first() {
                        data.set_value(association.foreign_key, key.clone())?;
                    }
                    before.push((association, rows));
                } else {
                    after.push((association, group));
                }
            }
            let mut instance = Instance::new_record(data);
            instance.save_with(&exec, options).await?;
            for (association, rows) in before {
                let name: Arc<str> = Arc::from(association.name.as_str());
                instance.loaded_mut().set(&name, true, rows);
            }
            for (association, group) in after {
                let key = instance.row_value(association.source_key);
                let rows = match association.kind {
                    AssociationKind::BelongsToMany => {
                        let (rows, keys) = group.create(None, association.target_key, exec).await?;
                        association.insert_join_rows(&key, keys, &[], &exec).await?;
                        rows
                    }
                    _ => {
                        let foreign_key = Some((association.foreign_key, key));
                        group
                            .create(foreign_key, association.foreign_key, exec)
                            .await?
                            .0
                    }
                };
                let name: Arc<str> = Arc::from(association.name.as_str());
                instance
                    .loaded_mut()
                    .set(&name, !association.kind.is_multiple(), rows);
            }
            Ok(instance)
        })
    }
}

impl<M: Model> From<M> for Nested<M> {
    fn from(data: M) -> Self {
        Nested::new(data)
    }
}

/// Records created for one association: as the parent holds them, and each one's value of
/// the attribute asked for.
type Created = (Arc<dyn Collection>, Vec<Value>);

/// The records of one association of a record of `M`, of whatever model they are.
trait Children<M>: Send {
    /// The association's name.
    fn name(&self) -> &str;

    /// Creates the records (with `set`, an attribute position and value, set on each
    /// first), returning them as a collection and the value of each one's attribute at
    /// `key`.
    fn create<'a>(
        self: Box<Self>,
        set: Option<(usize, Value)>,
        key: usize,
        exec: ExecutorRef<'a>,
    ) -> BoxFuture<'a, Result<Created>>;
}

/// The records of one association, of model `T`.
struct Group<T: Model> {
    name: String,
    records: Vec<Nested<T>>,
}

impl<M, T: Model> Children<M> for Group<T> {
    fn name(&self) -> &str {
        &self.name
    }

    fn create<'a>(
        self: Box<Self>,
        set: Option<(usize, Value)>,
        key: usize,
        exec: ExecutorRef<'a>,
    ) -> BoxFuture<'a, Result<Created>> {
        Box::pin(async move {
            let mut created: Vec<Instance<T>> = Vec::with_capacity(self.records.len());
            for mut record in self.records {
                if let Some((index, value)) = &set {
                    record.data.set_value(*index, value.clone())?;
                }
                created.push(record.create_in(exec, SaveOptions::default()).await?);
            }
            let keys = created.iter().map(|c| c.row_value(key)).collect();
            Ok((Arc::new(created) as Arc<dyn Collection>, keys))
        })
    }
}
