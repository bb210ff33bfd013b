//! Finders: `findAll`, `findOne`, `findByPk`.

use std::marker::PhantomData;

use super::filter;
use super::instance::Instance;
use super::{run, Model};
use crate::connection::Executor;
use crate::error::{Error, Result};
use crate::sql::{Expr, Ident, Lock, OrderBy, Select, Statement, TableRef};
use crate::value::Value;

/// `Model.findAll(options)`, as a builder: `filter` (Sequelize's `where`, a Rust keyword),
/// `order`, `limit`, `offset`, `lock`. Run it with [`exec`](Self::exec).
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// struct User { id: i64, name: String, age: i32 }
/// # async fn demo(db: &Sequelize) -> sequelize::Result<()> {
/// let page = User::find_all()
///     .filter(User::AGE.gte(18).and(or([User::NAME.like("A%"), User::NAME.like("B%")])))
///     .order(User::NAME.asc())
///     .limit(10)
///     .offset(20)
///     .exec(db)
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a finder does nothing until exec() is awaited"]
pub struct FindAll<M: Model> {
    filter: Option<Expr>,
    order: Vec<OrderBy>,
    limit: Option<u64>,
    offset: Option<u64>,
    lock: Option<Lock>,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> FindAll<M> {
    pub(crate) fn new() -> Self {
        FindAll {
            filter: None,
            order: Vec::new(),
            limit: None,
            offset: None,
            lock: None,
            _model: PhantomData,
        }
    }

    /// Adds a condition (`where`); conditions given twice are joined with `AND`.
    pub fn filter(mut self, condition: Expr) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(existing) => existing.and(condition),
            None => condition,
        });
        self
    }

    /// Adds an order term (`order: [['createdAt', 'DESC']]`).
    pub fn order(mut self, term: OrderBy) -> Self {
        self.order.push(term);
        self
    }

    /// At most this many rows.
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Skip this many rows.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Locks the rows read (`lock: t.LOCK.UPDATE`); meaningful inside a transaction.
    pub fn lock(mut self, lock: Lock) -> Self {
        self.lock = Some(lock);
        self
    }

    fn statement(self) -> Result<Statement> {
        let def = M::definition();
        let filter = self.filter.map(|f| filter::resolve(f, def)).transpose()?;
        Ok(Statement::Select(Select {
            from: TableRef::new(Ident(def.table_name.as_str().into())),
            columns: def
                .attributes
                .iter()
                .map(|a| Expr::column(Ident(a.field.as_str().into())))
                .collect(),
            filter,
            order: filter::resolve_order(self.order, def)?,
            limit: self.limit,
            offset: self.offset,
            lock: self.lock,
        }))
    }

    /// Runs the query and returns the instances.
    pub async fn exec(self, exec: &impl Executor) -> Result<Vec<Instance<M>>> {
        let statement = self.statement()?;
        let mut result = run(exec, &statement).await?;
        let mut instances = Vec::with_capacity(result.rows.len());
        for values in result.rows.iter_mut() {
            instances.push(Instance::loaded(M::from_values(values)?));
        }
        Ok(instances)
    }
}

/// `Model.findOne(options)`: like [`FindAll`] with `limit(1)`.
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// struct User { id: i64, email: String }
/// # async fn demo(db: &Sequelize) -> sequelize::Result<()> {
/// let user = User::find_one().filter(User::EMAIL.eq("a@example.com")).exec(db).await?;
/// # Ok(()) }
/// ```
#[must_use = "a finder does nothing until exec() is awaited"]
pub struct FindOne<M: Model>(FindAll<M>);

impl<M: Model> FindOne<M> {
    pub(crate) fn new() -> Self {
        FindOne(FindAll::new())
    }

    /// Adds a condition (`where`).
    pub fn filter(self, condition: Expr) -> Self {
        FindOne(self.0.filter(condition))
    }

    /// Adds an order term.
    pub fn order(self, term: OrderBy) -> Self {
        FindOne(self.0.order(term))
    }

    /// Locks the row read.
    pub fn lock(self, lock: Lock) -> Self {
        FindOne(self.0.lock(lock))
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
/// # async fn demo(tx: &Transaction) -> sequelize::Result<()> {
/// let account = Account::find_by_pk(7).lock(Lock::Update).exec(tx).await?;
/// # Ok(()) }
/// ```
#[must_use = "a finder does nothing until exec() is awaited"]
pub struct FindByPk<M: Model> {
    key: Value,
    lock: Option<Lock>,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> FindByPk<M> {
    pub(crate) fn new(key: Value) -> Self {
        FindByPk {
            key,
            lock: None,
            _model: PhantomData,
        }
    }

    /// Locks the row read.
    pub fn lock(mut self, lock: Lock) -> Self {
        self.lock = Some(lock);
        self
    }

    /// Runs the query; `None` when no row has that key.
    pub async fn exec(self, exec: &impl Executor) -> Result<Option<Instance<M>>> {
        let def = M::definition();
        let key = &def.attributes[def.single_primary_key()?];
        if self.key.is_null() {
            return Err(Error::InvalidQuery(format!(
                "find_by_pk on {} was given NULL",
                def.name
            )));
        }
        let mut finder = FindOne::new().filter(Expr::column(key.name.clone()).eq(self.key));
        if let Some(lock) = self.lock {
            finder = finder.lock(lock);
        }
        finder.exec(exec).await
    }
}
