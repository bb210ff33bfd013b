//! [`RawQuery`]: `sequelize.query(sql, options)`.

use std::borrow::Cow;

use serde::de::DeserializeOwned;

use super::executor::Target;
use super::replacements::{Bind, Replacements};
use super::transaction::Transaction;
use crate::error::Result;
use crate::row::{QueryResult, Row, Rows};

/// SQL text that may be run as a raw query: a `&'static str` written in the program, or a
/// run-time string wrapped in [`AssertSqlSafe`]. A `String` built from user input therefore
/// cannot reach `query()` without a greppable marker (the lesson of Prisma's
/// `$queryRawUnsafe`).
///
/// ```compile_fail,E0277
/// # async fn demo(db: &sequelize::Sequelize, name: String) {
/// use sequelize::Executor;
/// // A String built at run time does not compile without AssertSqlSafe:
/// db.query(format!("SELECT * FROM users WHERE name = '{name}'"));
/// # }
/// ```
pub trait SqlSafeStr {
    /// The text.
    fn into_sql(self) -> Cow<'static, str>;
}

impl SqlSafeStr for &'static str {
    fn into_sql(self) -> Cow<'static, str> {
        Cow::Borrowed(self)
    }
}

/// Marks run-time SQL text as written by the developer, not taken from user input.
///
/// ```
/// use sequelize::AssertSqlSafe;
/// let table = "users";
/// let sql = AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM {table}"));
/// ```
#[derive(Debug, Clone)]
pub struct AssertSqlSafe<T>(pub T);

impl<T: Into<String>> SqlSafeStr for AssertSqlSafe<T> {
    fn into_sql(self) -> Cow<'static, str> {
        Cow::Owned(self.0.into())
    }
}

/// What a raw query returns, by [`QueryType`] (Sequelize's `QueryTypes`).
///
/// ```
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::{Executor, QueryOutput, QueryType, Sequelize};
/// let db = Sequelize::connect("sqlite::memory:").await?;
/// db.query("CREATE TABLE t (x INTEGER)").exec().await?;
/// db.query("INSERT INTO t VALUES (1), (2)").exec().await?;
/// let out = db.query("UPDATE t SET x = x + 1").query_type(QueryType::Update).exec().await?;
/// assert_eq!(out, QueryOutput::Affected(2));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum QueryType {
    /// The rows only.
    Select,
    /// The generated key and the affected count (plus any `RETURNING` rows).
    Insert,
    /// The affected count.
    Update,
    /// The affected count.
    Delete,
    /// Everything the database said (the default): rows, affected count, generated key.
    Raw,
}

/// The result of [`RawQuery::exec`], shaped by the query type (see [`QueryType`] for an
/// example).
#[derive(Debug, Clone, PartialEq)]
pub enum QueryOutput {
    /// `QueryType::Select`: the rows.
    Rows(Vec<Row>),
    /// `QueryType::Insert`.
    Insert {
        /// `RETURNING` rows, if any.
        rows: Vec<Row>,
        /// The generated key of the last row, where the database reports it.
        last_insert_id: Option<i64>,
        /// Rows inserted.
        rows_affected: u64,
    },
    /// `QueryType::Update` and `QueryType::Delete`: rows affected.
    Affected(u64),
    /// `QueryType::Raw`: everything.
    Raw {
        /// The rows, if any.
        rows: Vec<Row>,
        /// Rows affected.
        rows_affected: u64,
        /// Generated key, where reported.
        last_insert_id: Option<i64>,
    },
}

/// A raw SQL query, as `sequelize.query(sql, { replacements, bind, type, plain, transaction })`.
/// Built by [`Executor::query`](super::Executor::query).
///
/// ```
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::{Executor, Replacement, Replacements, Sequelize};
/// let db = Sequelize::connect("sqlite::memory:").await?;
/// db.query("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)").exec().await?;
/// db.query("INSERT INTO users (name) VALUES (:a), (:b)")
///     .replacements(Replacements::named().set("a", "Ann").set("b", "O'Brien"))
///     .exec().await?;
/// let rows = db.query("SELECT name FROM users WHERE id IN (:ids) ORDER BY id")
///     .replacements(Replacements::named().set("ids", Replacement::list([1, 2])))
///     .all().await?;
/// assert_eq!(rows[1].get::<String>("name")?, "O'Brien");
/// #[derive(serde::Deserialize)]
/// struct User { name: String }
/// let user: User = db.query("SELECT name FROM users WHERE id = $1")
///     .bind(sequelize::Bind::positional().push(1))
///     .plain_as().await?.unwrap();
/// assert_eq!(user.name, "Ann");
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a query does nothing until it is executed"]
pub struct RawQuery<'a> {
    target: Target<'a>,
    sql: Cow<'static, str>,
    replacements: Option<Replacements>,
    bind: Option<Bind>,
    query_type: QueryType,
    use_master: bool,
}

impl<'a> RawQuery<'a> {
    pub(crate) fn new(target: Target<'a>, sql: Cow<'static, str>) -> Self {
        RawQuery {
            target,
            sql,
            replacements: None,
            bind: None,
            query_type: QueryType::Raw,
            use_master: false,
        }
    }

    /// Values inlined for `?` or `:name`, escaped for the dialect.
    pub fn replacements(mut self, replacements: Replacements) -> Self {
        self.replacements = Some(replacements);
        self
    }

    /// Values bound for `$1` or `$name`, sent separately from the SQL.
    pub fn bind(mut self, bind: Bind) -> Self {
        self.bind = Some(bind);
        self
    }

    /// The query type, which shapes [`exec`](Self::exec)'s result.
    pub fn query_type(mut self, query_type: QueryType) -> Self {
        self.query_type = query_type;
        self
    }

    /// `useMaster: true`: with read replicas, a query that reads (see
    /// [`Replication`](crate::Replication)) runs on the primary.
    pub fn use_master(mut self, use_master: bool) -> Self {
        self.use_master = use_master;
        self
    }

    /// Runs the query in a transaction (Sequelize's `{ transaction: t }`).
    pub fn transaction(mut self, tx: &'a Transaction) -> Self {
        self.target = Target::Transaction(tx);
        self
    }

    /// Runs the query where it runs: a query of type `SELECT` (as [`all`](Self::all),
    /// [`plain`](Self::plain) and the other row-returning methods ask, as Sequelize's `type:
    /// SELECT` and `plain` do) reads, so outside a transaction it goes to a read replica
    /// when the instance has any.
    async fn run(&self, reads: bool) -> Result<QueryResult> {
        let target = self.target.use_master(self.use_master);
        let target = match reads {
            true => target.for_read(),
            false => target,
        };
        (target.run_raw(&self.sql, self.replacements.as_ref(), self.bind.as_ref())).await
    }

    /// Runs the query; the result is shaped by [`query_type`](Self::query_type).
    pub async fn exec(self) -> Result<QueryOutput> {
        let QueryResult {
            rows,
            rows_affected,
            last_insert_id,
        } = self.run(self.query_type == QueryType::Select).await?;
        Ok(match self.query_type {
            QueryType::Select => QueryOutput::Rows(rows.into_rows()),
            QueryType::Insert => QueryOutput::Insert {
                rows: rows.into_rows(),
                last_insert_id,
                rows_affected,
            },
            QueryType::Update | QueryType::Delete => QueryOutput::Affected(rows_affected),
            QueryType::Raw => QueryOutput::Raw {
                rows: rows.into_rows(),
                rows_affected,
                last_insert_id,
            },
        })
    }

    /// Runs the query and returns all rows (`type: QueryTypes.SELECT`).
    pub async fn all(self) -> Result<Vec<Row>> {
        Ok(self.run(true).await?.rows.into_rows())
    }

    /// Runs the query and returns the flat result set (fastest form for many rows).
    pub async fn rows(self) -> Result<Rows> {
        Ok(self.run(true).await?.rows)
    }

    /// Runs the query and deserializes every row.
    pub async fn all_as<T: DeserializeOwned>(self) -> Result<Vec<T>> {
        self.all()
            .await?
            .into_iter()
            .map(Row::deserialize)
            .collect()
    }

    /// Runs the query and returns the first row (`plain: true`).
    pub async fn plain(self) -> Result<Option<Row>> {
        Ok(self.run(true).await?.rows.into_first())
    }

    /// Runs the query and deserializes the first row.
    pub async fn plain_as<T: DeserializeOwned>(self) -> Result<Option<T>> {
        self.plain().await?.map(Row::deserialize).transpose()
    }
}
