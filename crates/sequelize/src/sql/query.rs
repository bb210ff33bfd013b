//! Queries as data: `SELECT` (with joins, subqueries, grouping), `INSERT` (with its conflict
//! clause), `UPDATE` and `DELETE`.

use super::expr::{Expr, Ident, OrderBy};

/// A table in a `FROM`, a join or a DML target, optionally aliased.
///
/// ```
/// let t = sequelize::sql::TableRef::new("users").alias("u");
/// assert_eq!(t.alias.unwrap().as_str(), "u");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TableRef {
    /// The table name.
    pub name: Ident,
    /// The alias it is known by in the statement.
    pub alias: Option<Ident>,
}

impl TableRef {
    /// A table by name.
    pub fn new(name: impl Into<Ident>) -> Self {
        TableRef {
            name: name.into(),
            alias: None,
        }
    }

    /// Gives the table an alias.
    pub fn alias(mut self, alias: impl Into<Ident>) -> Self {
        self.alias = Some(alias.into());
        self
    }
}

/// What a `FROM` or a join reads: a table, or a subquery with an alias (the shape an
/// `include` with a `limit` needs: the parent rows are limited first, then joined).
///
/// ```
/// use sequelize::sql::{Select, Source, TableRef};
/// let limited = Select { limit: Some(10), ..Select::new(TableRef::new("users")) };
/// let from = Source::subquery(limited, "users");
/// assert!(matches!(from, Source::Subquery { .. }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A table.
    Table(TableRef),
    /// `(SELECT …) AS alias`.
    Subquery {
        /// The inner query.
        select: Box<Select>,
        /// The name the rows are known by.
        alias: Ident,
    },
    /// `(source JOIN … ON …)`: joins grouped so that they match together, as one source
    /// (an optional `include` whose own includes are required: the group is left-joined,
    /// and inside it they are inner-joined).
    Nested {
        /// The first source of the group.
        source: Box<Source>,
        /// The joins inside the group.
        joins: Vec<Join>,
    },
}

impl Source {
    /// A subquery as a source.
    pub fn subquery(select: Select, alias: impl Into<Ident>) -> Source {
        Source::Subquery {
            select: Box::new(select),
            alias: alias.into(),
        }
    }
}

impl From<TableRef> for Source {
    fn from(table: TableRef) -> Self {
        Source::Table(table)
    }
}

/// How a join keeps rows without a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// `INNER JOIN`: only rows with a match (Sequelize's `required: true`).
    Inner,
    /// `LEFT OUTER JOIN`: every left row (`required: false`).
    Left,
    /// `RIGHT OUTER JOIN`: every right row (`right: true`).
    Right,
}

/// One join of a `SELECT`.
///
/// ```
/// use sequelize::sql::{Expr, Join, JoinKind, TableRef};
/// let posts = Join {
///     kind: JoinKind::Left,
///     source: TableRef::new("posts").alias("posts").into(),
///     on: Expr::qualified("posts", "author_id").eq_expr(Expr::qualified("users", "id")),
/// };
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    /// Inner, left or right.
    pub kind: JoinKind,
    /// What is joined.
    pub source: Source,
    /// The `ON` condition.
    pub on: Expr,
}

/// One item of a select list: an expression and the name it is returned under.
///
/// ```
/// use sequelize::sql::{Expr, Function, SelectItem};
/// let n = SelectItem::new(Expr::function(Function::Count, [])).alias("n");
/// assert_eq!(n.alias.unwrap().as_str(), "n");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SelectItem {
    /// What is selected.
    pub expr: Expr,
    /// `AS alias`.
    pub alias: Option<Ident>,
}

impl SelectItem {
    /// An unaliased item.
    pub fn new(expr: Expr) -> Self {
        SelectItem { expr, alias: None }
    }

    /// Returns the item under another name.
    pub fn alias(mut self, alias: impl Into<Ident>) -> Self {
        self.alias = Some(alias.into());
        self
    }
}

impl From<Expr> for SelectItem {
    fn from(expr: Expr) -> Self {
        SelectItem::new(expr)
    }
}

/// How strongly `SELECT … FOR …` locks the rows it reads (Sequelize's `lock: t.LOCK.UPDATE`).
/// `Lock::Update` alone is a [`RowLock`] that waits; [`Lock::of`], [`Lock::skip_locked`] and
/// [`Lock::no_wait`] say more.
///
/// Per dialect: PostgreSQL has all four strengths. MySQL and MariaDB have `Update` and
/// `Share`; `KeyShare` and `NoKeyUpdate` are an [`Error::Unsupported`] there. SQLite has no
/// row locks: the clause is left out and the transaction's database lock applies (a writing
/// transaction holds the whole database; use `TransactionType::Immediate` to take that lock
/// up front), and `skip_locked`/`no_wait` are an [`Error::Unsupported`].
///
/// [`Error::Unsupported`]: crate::Error::Unsupported
///
/// ```
/// use sequelize::{dialect::by_name, sql::{Select, Statement, TableRef}, Lock};
/// let select = Select { lock: Some(Lock::Update.into()), ..Select::new(TableRef::new("accounts")) };
/// let sqlite = by_name("sqlite").unwrap().render(&Statement::Select(select)).unwrap();
/// assert_eq!(sqlite.sql, "SELECT * FROM `accounts`");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lock {
    /// `FOR UPDATE`: no other transaction may lock, change or delete the rows.
    Update,
    /// `FOR SHARE` (`LOCK IN SHARE MODE` on MariaDB, and on MySQL when nothing else is
    /// asked): others may read-lock the rows too, nobody may change them.
    Share,
    /// `FOR KEY SHARE` (PostgreSQL): only blocks deletes and key changes.
    KeyShare,
    /// `FOR NO KEY UPDATE` (PostgreSQL): like `Update`, but lets `KeyShare` readers in.
    NoKeyUpdate,
}

impl Lock {
    /// Locks only the rows of `table` (`lock: { level, of: Model }`; `FOR UPDATE OF "t"`);
    /// PostgreSQL and MySQL. Call again to name more tables.
    ///
    /// ```
    /// use sequelize::Lock;
    /// assert_eq!(Lock::Update.of("accounts").of.len(), 1);
    /// ```
    pub fn of(self, table: impl Into<Ident>) -> RowLock {
        RowLock::from(self).of(table)
    }

    /// Leaves out the rows another transaction has locked (`skipLocked: true`;
    /// `SKIP LOCKED`), instead of waiting for them: the job-queue pattern.
    ///
    /// ```
    /// use sequelize::{Lock, LockWait};
    /// assert_eq!(Lock::Update.skip_locked().wait, LockWait::SkipLocked);
    /// ```
    pub fn skip_locked(self) -> RowLock {
        RowLock::from(self).skip_locked()
    }

    /// Fails at once when a row is locked by another transaction (`NOWAIT`), instead of
    /// waiting: the error is an [`Error::Timeout`](crate::Error::Timeout).
    ///
    /// ```
    /// use sequelize::{Lock, LockWait};
    /// assert_eq!(Lock::Share.no_wait().wait, LockWait::NoWait);
    /// ```
    pub fn no_wait(self) -> RowLock {
        RowLock::from(self).no_wait()
    }
}

/// What a row lock does when another transaction holds a conflicting lock.
///
/// ```
/// use sequelize::{LockWait, RowLock, Lock};
/// assert_eq!(RowLock::from(Lock::Update).wait, LockWait::Wait);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LockWait {
    /// Waits until the other transaction ends (or the database's lock timeout).
    #[default]
    Wait,
    /// `NOWAIT`: fails at once.
    NoWait,
    /// `SKIP LOCKED`: reads past the locked rows.
    SkipLocked,
}

/// A whole row-lock clause: strength, the tables it covers and what it does on a conflict.
/// Built from a [`Lock`]: `Lock::Update.of("jobs").skip_locked()`.
///
/// ```
/// use sequelize::{dialect::by_name, sql::{Select, Statement, TableRef}, Lock};
/// let select = Select {
///     lock: Some(Lock::Update.of("jobs").skip_locked()),
///     ..Select::new(TableRef::new("jobs"))
/// };
/// let sql = by_name("postgres").unwrap().render(&Statement::Select(select)).unwrap().sql;
/// assert_eq!(sql, r#"SELECT * FROM "jobs" FOR UPDATE OF "jobs" SKIP LOCKED"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowLock {
    /// How strongly the rows are locked.
    pub strength: Lock,
    /// The tables whose rows are locked; empty for every table read.
    pub of: Vec<Ident>,
    /// What happens on a conflict.
    pub wait: LockWait,
}

impl RowLock {
    /// Adds `table` to the tables locked (`OF`).
    ///
    /// ```
    /// use sequelize::Lock;
    /// assert_eq!(Lock::Update.of("a").of("b").of.len(), 2);
    /// ```
    pub fn of(mut self, table: impl Into<Ident>) -> Self {
        self.of.push(table.into());
        self
    }

    /// `SKIP LOCKED`; see [`Lock::skip_locked`].
    ///
    /// ```
    /// use sequelize::{Lock, LockWait};
    /// assert_eq!(Lock::Update.of("jobs").skip_locked().wait, LockWait::SkipLocked);
    /// ```
    pub fn skip_locked(mut self) -> Self {
        self.wait = LockWait::SkipLocked;
        self
    }

    /// `NOWAIT`; see [`Lock::no_wait`].
    ///
    /// ```
    /// use sequelize::{Lock, LockWait};
    /// assert_eq!(Lock::Update.of("jobs").no_wait().wait, LockWait::NoWait);
    /// ```
    pub fn no_wait(mut self) -> Self {
        self.wait = LockWait::NoWait;
        self
    }
}

impl From<Lock> for RowLock {
    fn from(strength: Lock) -> Self {
        RowLock {
            strength,
            of: Vec::new(),
            wait: LockWait::Wait,
        }
    }
}

/// A `SELECT`.
///
/// ```
/// use sequelize::sql::{Expr, Function, Join, JoinKind, Select, SelectItem, TableRef};
/// let per_author = Select {
///     columns: vec![
///         Expr::qualified("users", "name").into(),
///         SelectItem::new(Expr::function(Function::Count, [Expr::qualified("posts", "id")])).alias("posts"),
///     ],
///     joins: vec![Join {
///         kind: JoinKind::Inner,
///         source: TableRef::new("posts").into(),
///         on: Expr::qualified("posts", "author_id").eq_expr(Expr::qualified("users", "id")),
///     }],
///     group_by: vec![Expr::qualified("users", "name")],
///     ..Select::new(TableRef::new("users"))
/// };
/// let sql = sequelize::dialect::by_name("sqlite").unwrap().render(&per_author.into()).unwrap().sql;
/// assert_eq!(
///     sql,
///     "SELECT `users`.`name`, COUNT(`posts`.`id`) AS `posts` FROM `users` INNER JOIN `posts` ON `posts`.`author_id` = `users`.`id` GROUP BY `users`.`name`"
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    /// `SELECT DISTINCT`.
    pub distinct: bool,
    /// The items selected; empty means `*`.
    pub columns: Vec<SelectItem>,
    /// What is read.
    pub from: Source,
    /// Joined sources, in order.
    pub joins: Vec<Join>,
    /// The `WHERE` condition.
    pub filter: Option<Expr>,
    /// `GROUP BY` terms.
    pub group_by: Vec<Expr>,
    /// The `HAVING` condition.
    pub having: Option<Expr>,
    /// `ORDER BY` terms.
    pub order: Vec<OrderBy>,
    /// `LIMIT`.
    pub limit: Option<u64>,
    /// `OFFSET`.
    pub offset: Option<u64>,
    /// `FOR UPDATE` / `FOR SHARE`.
    pub lock: Option<RowLock>,
}

impl Select {
    /// `SELECT * FROM source`.
    pub fn new(from: impl Into<Source>) -> Self {
        Select {
            distinct: false,
            columns: Vec::new(),
            from: from.into(),
            joins: Vec::new(),
            filter: None,
            group_by: Vec::new(),
            having: None,
            order: Vec::new(),
            limit: None,
            offset: None,
            lock: None,
        }
    }

    /// Adds a condition, joined with `AND` to any earlier one.
    pub fn filter(mut self, condition: Expr) -> Self {
        self.filter = Some(Expr::conjoin(self.filter.take(), condition));
        self
    }
}

/// What an `INSERT` does when a row collides with a unique key (Sequelize's `upsert` and
/// `bulkCreate({ ignoreDuplicates, updateOnDuplicate })`).
#[derive(Debug, Clone, PartialEq)]
pub enum ConflictAction {
    /// Keep the existing row.
    DoNothing,
    /// Overwrite these columns of the existing row with the inserted values.
    Update(Vec<Ident>),
}

/// An `INSERT`'s conflict clause: `ON CONFLICT (target) DO …` (PostgreSQL, SQLite) or
/// `ON DUPLICATE KEY UPDATE …` (MySQL, MariaDB, where the target is every unique key).
///
/// ```
/// use sequelize::sql::{ConflictAction, Expr, Insert, OnConflict, TableRef};
/// let upsert = Insert {
///     table: TableRef::new("users"),
///     columns: vec!["email".into(), "name".into()],
///     rows: vec![vec![Expr::value("a@example.com"), Expr::value("Ann")]],
///     returning: vec![],
///     on_conflict: Some(OnConflict {
///         target: vec!["email".into()],
///         action: ConflictAction::Update(vec!["name".into()]),
///     }),
/// };
/// let sql = sequelize::dialect::by_name("postgres").unwrap().render(&upsert.into()).unwrap().sql;
/// assert!(sql.ends_with(r#"ON CONFLICT ("email") DO UPDATE SET "name" = EXCLUDED."name""#));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OnConflict {
    /// The unique columns that collide.
    pub target: Vec<Ident>,
    /// What happens then.
    pub action: ConflictAction,
}

/// An `INSERT` of one or more rows.
///
/// ```
/// use sequelize::sql::{Expr, Insert, TableRef};
/// let insert = Insert {
///     table: TableRef::new("tags"),
///     columns: vec!["name".into()],
///     rows: vec![vec![Expr::value("rust")], vec![Expr::value("sql")]],
///     returning: vec!["id".into()],
///     on_conflict: None,
/// };
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    /// The target table.
    pub table: TableRef,
    /// The columns given.
    pub columns: Vec<Ident>,
    /// One entry per row, each as long as `columns`.
    pub rows: Vec<Vec<Expr>>,
    /// Columns to return (`RETURNING`), where the dialect supports it.
    pub returning: Vec<Ident>,
    /// What a row that collides with a unique key does.
    pub on_conflict: Option<OnConflict>,
}

/// An `UPDATE`.
///
/// ```
/// use sequelize::sql::{Expr, TableRef, Update};
/// let update = Update {
///     table: TableRef::new("users"),
///     set: vec![("status".into(), Expr::value("banned"))],
///     filter: Expr::column("id").eq(7),
/// };
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// The target table.
    pub table: TableRef,
    /// `SET column = value` pairs.
    pub set: Vec<(Ident, Expr)>,
    /// The `WHERE` condition; required, so no path updates every row by accident.
    pub filter: Expr,
}

/// A `DELETE`.
///
/// ```
/// use sequelize::sql::{Delete, Expr, TableRef};
/// let delete = Delete { table: TableRef::new("users"), filter: Expr::column("id").eq(7) };
/// let r = sequelize::dialect::by_name("sqlite").unwrap().render(&delete.into()).unwrap();
/// assert_eq!(r.sql, "DELETE FROM `users` WHERE `id` = ?");
/// assert_eq!(r.params, vec![sequelize::Value::Int(7)]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    /// The target table.
    pub table: TableRef,
    /// The `WHERE` condition; required, so no path deletes every row by accident.
    pub filter: Expr,
}
