//! Finders: `findAll`, `findOne`, `findByPk`, as builders over one options bag.

use std::marker::PhantomData;
use std::sync::Arc;

use super::aggregate::Aggregate;
use super::association::{eager, Assoc, Include, IncludeAll};
use super::column::ColumnOperators;
use super::filter;
use super::hooks::Hook;
use super::instance::{Instance, ReadInstances};
use super::planner::{self, FindOptions};
use super::runtime::{runtime_of, ModelRuntime};
use super::scopes::{ScopeUse, Scoped};
use super::write::TypedRow;
use super::{run, run_into, stream_rows, Model};
use crate::connection::{Executor, ExecutorRef, Target};
use crate::error::{Error, Result};
use crate::row::Row;
use crate::sql::{Expr, Function, Lock, OrderBy, RowLock, Select, SelectItem};
use crate::value::Value;
use async_stream::try_stream;
use futures_util::stream::{BoxStream, StreamExt};
use serde::de::DeserializeOwned;

/// The options every finder builder shares (`where`, `order`, `limit`, `offset`, `lock`), as
/// builder methods over its [`FindOptions`]. In the prelude.
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// struct User { id: i64, name: String, age: i32 }
/// let finder = User::find_all().filter(User::AGE.gte(18)).filter(User::NAME.like("A%"));
/// assert!(matches!(finder.options().filter, Some(sequelize::sql::Expr::And(_))));
/// ```
pub trait FinderOptions: Sized {
    /// The options collected so far.
    fn options(&self) -> &FindOptions;

    /// The options, to add to.
    fn options_mut(&mut self) -> &mut FindOptions;

    /// Adds a condition (`where`); conditions given twice are joined with `AND`.
    fn filter(mut self, condition: Expr) -> Self {
        self.options_mut().add_filter(condition);
        self
    }

    /// Adds an order term (`order: [['createdAt', 'DESC']]`).
    fn order(mut self, term: OrderBy) -> Self {
        self.options_mut().order.push(term);
        self
    }

    /// At most this many rows.
    fn limit(mut self, limit: u64) -> Self {
        self.options_mut().limit = Some(limit);
        self
    }

    /// Skip this many rows.
    fn offset(mut self, offset: u64) -> Self {
        self.options_mut().offset = Some(offset);
        self
    }

    /// Locks the rows read (`lock: t.LOCK.UPDATE`, `lock: { level, of }`, `skipLocked`):
    /// `Lock::Update`, or a [`RowLock`] such as `Lock::Update.skip_locked()`. Runs only on a
    /// transaction; see [`Lock`] for what each dialect does.
    fn lock(mut self, lock: impl Into<RowLock>) -> Self {
        self.options_mut().lock = Some(lock.into());
        self
    }

    /// `paranoid: false`: on a paranoid model, reads soft-deleted rows too.
    fn paranoid(mut self, paranoid: bool) -> Self {
        self.options_mut().paranoid = paranoid;
        self
    }

    /// `hooks: false`: skips the model's `beforeFind`/`beforeCount` and `afterFind` hooks.
    fn hooks(mut self, hooks: bool) -> Self {
        self.options_mut().hooks = hooks;
        self
    }

    /// `useMaster: true`: with read replicas ([`Replication`](crate::Replication)), reads
    /// from the primary, as reads that must see a write just made do. Inside a transaction
    /// every statement runs on the transaction's connection anyway.
    fn use_master(mut self, use_master: bool) -> Self {
        self.options_mut().use_master = use_master;
        self
    }

    /// `subQuery: false`: with a `limit` and an include of many rows, limits the joined rows
    /// instead of the parents (which by default are limited first, in a subquery).
    fn sub_query(mut self, sub_query: bool) -> Self {
        self.options_mut().sub_query = sub_query;
        self
    }
}

/// Every finder takes scopes ([`Scoped`]) through its options.
impl<T: FinderOptions> Scoped for T {
    fn scope_uses(&mut self) -> &mut Option<Vec<ScopeUse>> {
        &mut self.options_mut().scopes
    }
}

/// `Model.findAll(options)`, as a builder: `filter` (Sequelize's `where`, a Rust keyword),
/// `order`, `limit`, `offset`, `lock` ([`FinderOptions`]). Run it with
/// [`exec`](Self::exec).
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// struct User { id: i64, name: String, age: i32 }
/// # async fn demo() -> sequelize::Result<()> {
/// # let db = Sequelize::connect("sqlite::memory:").await?;
/// # db.define::<User>().register()?;
/// # db.sync(SyncOptions::default()).await?;
/// let page = User::find_all()
///     .filter(User::AGE.gte(18).and(or([User::NAME.like("A%"), User::NAME.like("B%")])))
///     .order(User::NAME.asc())
///     .limit(10)
///     .offset(20)
///     .exec(&db)
///     .await?;
/// assert!(page.is_empty());
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a finder does nothing until exec() is awaited"]
pub struct FindAll<M: Model> {
    options: FindOptions,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> FinderOptions for FindAll<M> {
    fn options(&self) -> &FindOptions {
        &self.options
    }

    fn options_mut(&mut self) -> &mut FindOptions {
        &mut self.options
    }
}

impl<M: Model> FindAll<M> {
    pub(crate) fn new() -> Self {
        FindAll {
            options: FindOptions::default(),
            _model: PhantomData,
        }
    }

    /// Loads an association with the rows (`include: [...]`): `Post::comments()` and the
    /// other handles `#[has_many(...)]` and its kin generate, with their options
    /// (`.filter(…)`, `.required(false)`, `.include(Comment::author())`). Read the
    /// included rows with [`Instance::included`]. Call again for another association.
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// #[belongs_to(User, alias = "author", foreign_key = "author_id")]
    /// struct Post { id: i64, author_id: i64, title: String }
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct User { id: i64, name: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// db.define::<User>().register()?;
    /// db.define::<Post>().register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// let ann = User::create(User { id: 0, name: "Ann".into() }).exec(&db).await?;
    /// Post::create(Post { id: 0, author_id: ann.id, title: "Hello".into() }).exec(&db).await?;
    /// let posts = Post::find_all().include(Post::author()).exec(&db).await?;
    /// assert_eq!(posts[0].included(Post::author())?.unwrap().name, "Ann");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn include<T: Model, C>(mut self, association: Assoc<M, T, C>) -> Self {
        self.options.include.push(association.into());
        self
    }

    /// `include: { all: true, nested }`: every association of these kinds, and with
    /// `nested` theirs too (stopping where a model would come back).
    ///
    /// ```
    /// use sequelize::model::IncludeAll;
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// #[has_many(Task, alias = "tasks", foreign_key = "list_id")]
    /// struct List { id: i64, name: String }
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// #[belongs_to(List, alias = "list", foreign_key = "list_id")]
    /// struct Task { id: i64, list_id: i64, title: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// db.define::<List>().register()?;
    /// db.define::<Task>().register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// let home = List::create(List { id: 0, name: "home".into() }).exec(&db).await?;
    /// Task::create(Task { id: 0, list_id: home.id, title: "dishes".into() }).exec(&db).await?;
    /// let tasks = Task::find_all().include_all(IncludeAll::All, true).exec(&db).await?;
    /// assert_eq!(tasks[0].included(Task::list())?.unwrap().name, "home");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn include_all(mut self, all: IncludeAll, nested: bool) -> Self {
        self.options.include_all = Some((all, nested));
        self
    }

    /// `findAndCountAll`: also counts every row the filter selects, ignoring `limit` and
    /// `offset` (a page and the total).
    pub fn and_count(self) -> FindAndCountAll<M> {
        FindAndCountAll {
            find: self,
            distinct: false,
        }
    }

    /// `raw: true`: plain rows instead of instances, so some attributes may be left out
    /// (`attributes`, `exclude`); each column is named by its attribute. Read them with
    /// [`Row::get`] or into any `Deserialize` type with [`FindRaw::exec_as`].
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct User { id: i64, email: String, password_hash: String }
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// struct PublicUser { id: i64, email: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// # db.define::<User>().register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// User::create(User { id: 0, email: "a@x.io".into(), password_hash: "…".into() }).exec(&db).await?;
    /// let rows = User::find_all().raw().exclude(["password_hash"]).exec(&db).await?;
    /// assert_eq!(rows[0].columns(), ["id", "email"]);
    /// let users: Vec<PublicUser> = User::find_all().raw().exclude(["password_hash"]).exec_as(&db).await?;
    /// assert_eq!(users, [PublicUser { id: 1, email: "a@x.io".into() }]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn raw(self) -> FindRaw<M> {
        FindRaw {
            options: self.options,
            _model: PhantomData,
        }
    }

    /// Runs the query and returns the instances.
    pub async fn exec(self, exec: &impl Executor) -> Result<Vec<Instance<M>>> {
        let exec = &ExecutorRef::use_master(exec, self.options.use_master);
        lock_needs_transaction(self.options.lock.as_ref(), exec)?;
        let runtime = runtime_of::<M>(exec)?;
        let lent = ExecutorRef::of(exec);
        let mut options = self.options;
        runtime.plan(&mut options, Hook::BeforeFind, lent).await?;
        let hooks = options.hooks;
        let mut instances: Vec<Instance<M>> = if options.include.is_empty() {
            let (select, _) = planner::select(runtime.definition(), options)?;
            let mut read = ReadInstances(Vec::new());
            run_into(exec, &runtime, &mut select.into(), &mut read).await?;
            read.0
        } else {
            // Boxed: a find without includes carries none of the eager loader's state in
            // its future, which every call builds and moves (measured: 3.2 kB before, 2.6 kB after).
            Box::pin(eager::find(&runtime, options, lent)).await?
        };
        if hooks && runtime.hooks().has(Hook::AfterFind) {
            for instance in &mut instances {
                let row = std::slice::from_mut(instance.row_mut());
                runtime
                    .run_on_rows(Hook::AfterFind, row, true, lent)
                    .await?;
            }
        }
        Ok(instances)
    }

    /// Runs the query and yields the instances while the rows arrive, never holding the whole
    /// result: for exports and batch jobs over more rows than fit in memory. The connection
    /// stays checked out until the stream ends or is dropped (on MySQL and MariaDB, dropping
    /// it before its end closes the connection, as a cancelled query does; inside a
    /// transaction, the transaction then fails).
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Event { id: i64, kind: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// # db.define::<Event>().register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// for kind in ["open", "click", "open"] {
    ///     Event::create(Event { id: 0, kind: kind.into() }).exec(&db).await?;
    /// }
    /// let mut opens = 0;
    /// let mut events = Event::find_all().order(Event::ID.asc()).stream(&db);
    /// while let Some(event) = events.try_next().await? {
    ///     opens += usize::from(event.kind == "open");
    /// }
    /// assert_eq!(opens, 2);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn stream<'a>(self, exec: &'a impl Executor) -> BoxStream<'a, Result<Instance<M>>> {
        Box::pin(try_stream! {
            let exec = &ExecutorRef::use_master(exec, self.options.use_master);
            lock_needs_transaction(self.options.lock.as_ref(), exec)?;
            let runtime = runtime_of::<M>(exec)?;
            let lent = ExecutorRef::of(exec);
            let options = runtime.planned(self.options, Hook::BeforeFind, lent).await?;
            let hooks = options.hooks;
            let (select, _) = planner::select(runtime.definition(), options)?;
            let mut rows = stream_rows(exec, &runtime, &mut select.into())?;
            while let Some(batch) = rows.next().await {
                for values in batch?.iter_mut() {
                    let mut row = [TypedRow::from_values(values)?];
                    runtime.run_on_rows(Hook::AfterFind, &mut row, hooks, lent).await?;
                    let [row] = row;
                    yield Instance::from_row(row);
                }
            }
        })
    }
}

/// `findAll({ raw: true, attributes })`: plain rows of a model's attributes; made by
/// [`FindAll::raw`].
#[must_use = "a finder does nothing until exec() is awaited"]
pub struct FindRaw<M: Model> {
    options: FindOptions,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> FinderOptions for FindRaw<M> {
    fn options(&self) -> &FindOptions {
        &self.options
    }

    fn options_mut(&mut self) -> &mut FindOptions {
        &mut self.options
    }
}

impl<M: Model> FindRaw<M> {
    /// Reads only these attributes, in this order (`attributes: ['id', 'email']`); an
    /// unknown name is an [`Error::InvalidQuery`] before any SQL.
    pub fn attributes<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.options.attributes = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Leaves these attributes out (`attributes: { exclude: ['password'] }`); an unknown
    /// name is an [`Error::InvalidQuery`] before any SQL.
    pub fn exclude<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.options
            .exclude
            .extend(names.into_iter().map(Into::into));
        self
    }

    /// Also reads a computed value under `alias` (`attributes: [[fn('COUNT', col('id')),
    /// 'postCount']]`): any expression over the model's attributes, read with
    /// `row.get::<i64>("postCount")`.
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// use sequelize::sql::{Expr, Function};
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Post { id: i64, category_id: i64, views: i64 }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// # db.define::<Post>().register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// for (category_id, views) in [(1, 10), (1, 30), (2, 5)] {
    ///     Post::create(Post { id: 0, category_id, views }).exec(&db).await?;
    /// }
    /// let post_count = || Expr::function(Function::Count, [col("id").expr()]);
    /// let stats = Post::find_all()
    ///     .raw()
    ///     .attributes(["category_id"])
    ///     .attribute(post_count(), "postCount")
    ///     .attribute(Expr::function(Function::Sum, [col("views").expr()]), "totalViews")
    ///     .group_by(col("category_id"))
    ///     .having(post_count().gt(1))
    ///     .exec(&db)
    ///     .await?;
    /// assert_eq!(stats.len(), 1);
    /// assert_eq!(stats[0].get::<i64>("postCount")?, 2);
    /// assert_eq!(stats[0].get::<i64>("totalViews")?, 40);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn attribute(mut self, expr: Expr, alias: impl Into<String>) -> Self {
        let item = SelectItem::new(expr).alias(alias.into());
        self.options.computed.push(item);
        self
    }

    /// `group: [...]`: one row per distinct value of `expr` (add another call for another
    /// term).
    pub fn group_by(mut self, expr: impl ColumnOperators) -> Self {
        self.options.group.push(expr.expr());
        self
    }

    /// `having`: a condition on the groups, usually on an aggregate
    /// (`sequelize.where(fn('COUNT', col('id')), { [Op.gt]: 5 })` is
    /// `Expr::function(Function::Count, [col("id").expr()]).gt(5)`).
    pub fn having(mut self, condition: Expr) -> Self {
        self.options.having = Some(condition);
        self
    }

    /// Runs the query: one [`Row`] per row, its columns named by attribute.
    pub async fn exec(self, exec: &impl Executor) -> Result<Vec<Row>> {
        let exec = &ExecutorRef::use_master(exec, self.options.use_master);
        lock_needs_transaction(self.options.lock.as_ref(), exec)?;
        let runtime = runtime_of::<M>(exec)?;
        let select = self.select(&runtime, ExecutorRef::of(exec)).await?;
        let result = run(exec, &runtime, &mut select.into()).await?;
        Ok(result.rows.into_rows())
    }

    /// Runs the query and yields its rows while they arrive, as
    /// [`FindAll::stream`] yields instances.
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Event { id: i64, kind: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// # db.define::<Event>().register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// Event::create(Event { id: 0, kind: "open".into() }).exec(&db).await?;
    /// let rows: Vec<_> = Event::find_all().raw().attributes(["kind"]).stream(&db).try_collect().await?;
    /// assert_eq!(rows[0].get::<String>("kind")?, "open");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn stream<'a>(self, exec: &'a impl Executor) -> BoxStream<'a, Result<Row>> {
        Box::pin(try_stream! {
            let exec = &ExecutorRef::use_master(exec, self.options.use_master);
            lock_needs_transaction(self.options.lock.as_ref(), exec)?;
            let runtime = runtime_of::<M>(exec)?;
            let select = self.select(&runtime, ExecutorRef::of(exec)).await?;
            let mut rows = stream_rows(exec, &runtime, &mut select.into())?;
            while let Some(batch) = rows.next().await {
                for row in batch?.into_rows() {
                    yield row;
                }
            }
        })
    }

    /// The statement, its columns named by attribute (`createdAt`, not `created_at`), after
    /// the `beforeFind` hooks.
    async fn select(self, runtime: &ModelRuntime, exec: ExecutorRef<'_>) -> Result<Select> {
        let def = runtime.definition();
        let options = runtime
            .planned(self.options, Hook::BeforeFind, exec)
            .await?;
        let (mut select, read) = planner::select(def, options)?;
        for (item, &i) in select.columns.iter_mut().zip(&read) {
            let attribute = &def.attributes[i];
            if attribute.name != attribute.column.name.as_str() {
                item.alias = Some(attribute.name.clone().into());
            }
        }
        Ok(select)
    }

    /// Runs the query for its first row only (`plain: true`): `LIMIT 1`, and the row if
    /// there is one.
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Event { id: i64, kind: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// # db.define::<Event>().register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// Event::create(Event { id: 0, kind: "open".into() }).exec(&db).await?;
    /// let first = Event::find_all().raw().attributes(["kind"]).plain(&db).await?;
    /// assert_eq!(first.unwrap().get::<String>("kind")?, "open");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn plain(self, exec: &impl Executor) -> Result<Option<Row>> {
        Ok(self.limit(1).exec(exec).await?.into_iter().next())
    }

    /// Runs the query and deserializes each row into `T` (by attribute name).
    pub async fn exec_as<T: DeserializeOwned>(self, exec: &impl Executor) -> Result<Vec<T>> {
        self.exec(exec)
            .await?
            .into_iter()
            .map(Row::deserialize)
            .collect()
    }
}

/// A row lock outside a transaction would be released as soon as the statement ends: an
/// error that says so, before any SQL.
fn lock_needs_transaction(lock: Option<&RowLock>, exec: &impl Executor) -> Result<()> {
    match (lock, exec.target()) {
        (Some(lock), target) if !target.in_transaction() => Err(Error::InvalidQuery(format!(
            "lock {:?} outside a transaction would be released at once; run the finder \
             on a Transaction",
            lock.strength
        ))),
        _ => Ok(()),
    }
}

/// `Model.findAndCountAll(options)`: a page of instances and the count of every matching row
/// (`{ count, rows }`); see [`FindAll::and_count`].
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// #[model(timestamps = false)]
/// struct Item { id: i64, n: i64 }
/// # async fn demo() -> sequelize::Result<()> {
/// # let db = Sequelize::connect("sqlite::memory:").await?;
/// # db.define::<Item>().register()?;
/// # db.sync(SyncOptions::default()).await?;
/// for n in 0..25 {
///     Item::create(Item { id: 0, n }).exec(&db).await?;
/// }
/// let page = Item::find_all().filter(Item::N.gte(5)).order(Item::N.asc()).limit(10).offset(10).and_count().exec(&db).await?;
/// assert_eq!(page.count, 20);
/// assert_eq!(page.rows.len(), 10);
/// assert_eq!(page.rows[0].n, 15);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a finder does nothing until exec() is awaited"]
pub struct FindAndCountAll<M: Model> {
    find: FindAll<M>,
    distinct: bool,
}

/// What [`FindAndCountAll`] returns: Sequelize's `{ count, rows }`.
#[derive(Debug)]
pub struct Counted<M: Model> {
    /// Every row the filter selects.
    pub count: i64,
    /// The page: the rows within `limit` and `offset`.
    pub rows: Vec<Instance<M>>,
}

impl<M: Model> FindAndCountAll<M> {
    /// `distinct: true`: counts distinct primary keys (`COUNT(DISTINCT id)`), so that a row
    /// repeated by a join counts once.
    pub fn distinct(mut self) -> Self {
        self.distinct = true;
        self
    }

    /// Counts, then reads the page (two statements; run them in a transaction for a count
    /// that matches the page exactly under concurrent writes).
    pub async fn exec(self, exec: &impl Executor) -> Result<Counted<M>> {
        let mut count = if self.distinct {
            let key = M::definition().single_primary_key()?;
            Aggregate::<M, i64>::new(Function::Count, Some(key)).distinct()
        } else {
            Aggregate::<M, i64>::new(Function::Count, None)
        };
        *count.options_mut() = self.find.options.clone();
        let count = count.exec(exec).await?;
        let rows = self.find.exec(exec).await?;
        Ok(Counted { count, rows })
    }
}

/// `rejectOnEmpty: true`: a finder of one row that fails with [`Error::EmptyResult`] when no
/// row matches, instead of returning `None`.
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// #[model(timestamps = false)]
/// struct Item { id: i64 }
/// # async fn demo() -> sequelize::Result<()> {
/// # let db = Sequelize::connect("sqlite::memory:").await?;
/// # db.define::<Item>().register()?;
/// # db.sync(SyncOptions::default()).await?;
/// let missing = Item::find_by_pk(7).reject_on_empty().exec(&db).await;
/// assert!(matches!(missing, Err(sequelize::Error::EmptyResult(m)) if m == "Item"));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a finder does nothing until exec() is awaited"]
pub struct RejectOnEmpty<F>(F);

impl<M: Model> RejectOnEmpty<FindOne<M>> {
    /// Runs the query; no row is an error.
    pub async fn exec(self, exec: &impl Executor) -> Result<Instance<M>> {
        required::<M>(self.0.exec(exec).await?)
    }
}

impl<M: Model> RejectOnEmpty<FindByPk<M>> {
    /// Runs the query; no row is an error.
    pub async fn exec(self, exec: &impl Executor) -> Result<Instance<M>> {
        required::<M>(self.0.exec(exec).await?)
    }
}

fn required<M: Model>(found: Option<Instance<M>>) -> Result<Instance<M>> {
    found.ok_or_else(|| Error::EmptyResult(M::definition().name.clone()))
}

/// `Model.findOne(options)`: like [`FindAll`] with `limit(1)`.
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// struct User { id: i64, email: String }
/// # async fn demo() -> sequelize::Result<()> {
/// # let db = Sequelize::connect("sqlite::memory:").await?;
/// # db.define::<User>().register()?;
/// # db.sync(SyncOptions::default()).await?;
/// let user = User::find_one().filter(User::EMAIL.eq("a@example.com")).exec(&db).await?;
/// assert!(user.is_none());
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a finder does nothing until exec() is awaited"]
pub struct FindOne<M: Model>(FindAll<M>);

impl<M: Model> FinderOptions for FindOne<M> {
    fn options(&self) -> &FindOptions {
        &self.0.options
    }

    fn options_mut(&mut self) -> &mut FindOptions {
        &mut self.0.options
    }
}

impl<M: Model> FindOne<M> {
    pub(crate) fn new() -> Self {
        FindOne(FindAll::new())
    }

    /// Loads an association with the row; see [`FindAll::include`].
    pub fn include<T: Model, C>(self, association: Assoc<M, T, C>) -> Self {
        FindOne(self.0.include(association))
    }

    /// `rejectOnEmpty`: no row is an [`Error::EmptyResult`].
    pub fn reject_on_empty(self) -> RejectOnEmpty<Self> {
        RejectOnEmpty(self)
    }

    /// Runs the query; `None` when no row matches.
    pub async fn exec(self, exec: &impl Executor) -> Result<Option<Instance<M>>> {
        Ok(self.0.limit(1).exec(exec).await?.into_iter().next())
    }
}

/// `Model.findByPk(key)`. The key is converted to the key attribute's type first, so
/// `find_by_pk("1 OR 1=1")` on an integer key is an error, not a query.
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// struct Account { id: i64, balance: i64 }
/// # async fn demo() -> sequelize::Result<()> {
/// # let db = Sequelize::connect("sqlite::memory:").await?;
/// # db.define::<Account>().register()?;
/// # db.sync(SyncOptions::default()).await?;
/// let tx = db.begin().await?;
/// let account = Account::find_by_pk(7).lock(Lock::Update).exec(&tx).await?;
/// assert!(account.is_none());
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a finder does nothing until exec() is awaited"]
pub struct FindByPk<M: Model> {
    key: Value,
    lock: Option<RowLock>,
    paranoid: bool,
    scoped: bool,
    use_master: bool,
    include: Vec<Include>,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> FindByPk<M> {
    pub(crate) fn new(key: Value) -> Self {
        FindByPk {
            key,
            lock: None,
            paranoid: true,
            scoped: true,
            use_master: false,
            include: Vec::new(),
            _model: PhantomData,
        }
    }

    /// Loads an association with the row; see [`FindAll::include`].
    pub fn include<T: Model, C>(mut self, association: Assoc<M, T, C>) -> Self {
        self.include.push(association.into());
        self
    }

    /// `unscoped()`: without the model's default scope.
    pub fn unscoped(mut self) -> Self {
        self.scoped = false;
        self
    }

    /// `paranoid: false`: on a paranoid model, finds the row even when it is soft-deleted.
    pub fn paranoid(mut self, paranoid: bool) -> Self {
        self.paranoid = paranoid;
        self
    }

    /// Reads from the primary; see [`FinderOptions::use_master`].
    pub fn use_master(mut self, use_master: bool) -> Self {
        self.use_master = use_master;
        self
    }

    /// Locks the row read; see [`FinderOptions::lock`].
    pub fn lock(mut self, lock: impl Into<RowLock>) -> Self {
        self.lock = Some(lock.into());
        self
    }

    /// `rejectOnEmpty`: no row is an [`Error::EmptyResult`].
    pub fn reject_on_empty(self) -> RejectOnEmpty<Self> {
        RejectOnEmpty(self)
    }

    /// Runs the query; `None` when no row has that key.
    pub async fn exec(self, exec: &impl Executor) -> Result<Option<Instance<M>>> {
        let exec = &ExecutorRef::use_master(exec, self.use_master);
        lock_needs_transaction(self.lock.as_ref(), exec)?;
        let runtime = runtime_of::<M>(exec)?;
        let def = runtime.definition();
        let key_index = def.single_primary_key()?;
        let key_attribute = &def.attributes[key_index];
        if self.key.is_null() {
            return Err(Error::InvalidQuery(format!(
                "find_by_pk on {} was given NULL",
                def.name
            )));
        }
        let key = filter::coerce(self.key, def, key_index)?;
        let target = exec.target();
        let default_scope = self.scoped && runtime.has_default_scope();
        let options = || FindOptions {
            filter: Some(Expr::column(key_attribute.name.clone()).eq(key.clone())),
            limit: Some(1),
            lock: self.lock.clone(),
            paranoid: self.paranoid,
            scopes: (!self.scoped).then(Vec::new),
            ..FindOptions::default()
        };
        // The SQL of this shape is the same for every key: planned and rendered once, and
        // run with the key alone. A read of soft-deleted rows, under a default scope (whose
        // values are its own) or with `beforeFind` hooks (which may change it) is planned
        // each time.
        if !self.include.is_empty() {
            let find = FindAll {
                options: FindOptions {
                    include: self.include,
                    ..options()
                },
                _model: PhantomData,
            };
            // Boxed, as the includes of `FindAll` are: the plain lookup's future stays small.
            return Ok(Box::pin(find.exec(exec)).await?.into_iter().next());
        }
        let lent = ExecutorRef::of(exec);
        let hooked = runtime.has_options_hook(Hook::BeforeFind, lent);
        let plain = (self.paranoid || def.deleted_at.is_none()) && !default_scope && !hooked;
        let scoped;
        let (sql, params): (Arc<str>, &[Value]) = if plain {
            let sql = runtime.statements().by_key(self.lock.as_ref(), || {
                let (select, _) = planner::select(def, options())?;
                target.sequelize().dialect().render(&select.into())
            })?;
            (sql, std::slice::from_ref(&key))
        } else {
            let planned = Box::pin(runtime.planned(options(), Hook::BeforeFind, lent)).await?;
            let (select, _) = planner::select(def, planned)?;
            scoped = target.sequelize().dialect().render(&select.into())?;
            (scoped.sql.as_str().into(), &scoped.params)
        };
        let mut read = ReadInstances::<M>(Vec::with_capacity(1));
        target.for_read().run_into(&sql, params, &mut read).await?;
        let Some(mut instance) = read.0.into_iter().next() else {
            return Ok(None);
        };
        let row = std::slice::from_mut(instance.row_mut());
        runtime
            .run_on_rows(Hook::AfterFind, row, true, lent)
            .await?;
        Ok(Some(instance))
    }
}

/// `Model.findOrCreate({ where, defaults })`: the row the filter finds, or `data` inserted,
/// and whether it was created. Safe under concurrency when the filter names a unique key: of
/// concurrent calls one inserts, and the others' inserts fail on the key and read the row it
/// inserted. Inside a transaction the insert runs in a savepoint (so a failed insert leaves
/// the transaction usable) and the second read locks the row (`FOR SHARE`), which sees the
/// committed row even under MySQL's repeatable read.
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
/// let rust = || Tag { id: 0, name: "rust".into() };
/// let (tag, created) = Tag::find_or_create(Tag::NAME.eq("rust"), rust()).exec(&db).await?;
/// assert!(created);
/// let (again, created) = Tag::find_or_create(Tag::NAME.eq("rust"), rust()).exec(&db).await?;
/// assert!(!created && again.id == tag.id);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a finder does nothing until exec() is awaited"]
pub struct FindOrCreate<M: Model> {
    filter: Expr,
    data: M,
}

impl<M: Model> FindOrCreate<M> {
    pub(crate) fn new(filter: Expr, data: M) -> Self {
        FindOrCreate { filter, data }
    }

    /// Finds or inserts; `true` when this call inserted the row.
    pub async fn exec(self, exec: &impl Executor) -> Result<(Instance<M>, bool)> {
        // Read from the primary: a replica may not have the row its insert just collided with.
        let exec = &ExecutorRef::use_master(exec, true);
        let find = || FindOne::<M>::new().filter(self.filter.clone());
        if let Some(found) = find().exec(exec).await? {
            return Ok((found, false));
        }
        let mut instance = Instance::new_record(self.data);
        let inserted = match exec.target() {
            Target::Transaction(tx) => {
                let savepoint = tx.begin().await?;
                let outcome = instance.save(&savepoint).await;
                match &outcome {
                    Ok(()) => savepoint.commit().await?,
                    Err(_) => savepoint.rollback().await?,
                }
                outcome
            }
            _ => instance.save(exec).await,
        };
        match inserted {
            Ok(()) => Ok((instance, true)),
            Err(Error::UniqueConstraint { .. }) => {
                // Another caller inserted it meanwhile: read what it committed (with a lock
                // inside a transaction, so a repeatable-read snapshot does not hide it).
                let again = match exec.target() {
                    Target::Transaction(_) => find().lock(Lock::Share),
                    _ => find(),
                };
                let again = again.exec(exec).await?;
                let found =
                    again.ok_or_else(|| Error::EmptyResult(M::definition().name.clone()))?;
                Ok((found, false))
            }
            Err(e) => Err(e),
        }
    }
}

/// `Model.findOrBuild({ where, defaults })`; see [`Model::find_or_build`].
#[must_use = "a finder does nothing until exec() is awaited"]
pub struct FindOrBuild<M: Model> {
    filter: Expr,
    data: M,
}

impl<M: Model> FindOrBuild<M> {
    pub(crate) fn new(filter: Expr, data: M) -> Self {
        FindOrBuild { filter, data }
    }

    /// Finds, or builds without saving; `true` when built.
    pub async fn exec(self, exec: &impl Executor) -> Result<(Instance<M>, bool)> {
        Ok(match FindOne::new().filter(self.filter).exec(exec).await? {
            Some(found) => (found, false),
            None => (Instance::new_record(self.data), true),
        })
    }
}
