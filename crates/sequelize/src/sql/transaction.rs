//! Transaction settings and control statements, as data.

/// Isolation levels (Sequelize's `Transaction.ISOLATION_LEVELS`).
///
/// SQLite runs every transaction serializably; asking it for a weaker level still gives
/// serializable behaviour, which provides every weaker guarantee.
///
/// ```
/// assert_eq!(sequelize::IsolationLevel::RepeatableRead.sql(), "REPEATABLE READ");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsolationLevel {
    /// `READ UNCOMMITTED`
    ReadUncommitted,
    /// `READ COMMITTED`
    ReadCommitted,
    /// `REPEATABLE READ`
    RepeatableRead,
    /// `SERIALIZABLE`
    Serializable,
}

impl IsolationLevel {
    /// The level's SQL spelling.
    pub fn sql(self) -> &'static str {
        match self {
            IsolationLevel::ReadUncommitted => "READ UNCOMMITTED",
            IsolationLevel::ReadCommitted => "READ COMMITTED",
            IsolationLevel::RepeatableRead => "REPEATABLE READ",
            IsolationLevel::Serializable => "SERIALIZABLE",
        }
    }
}

/// SQLite's transaction types (Sequelize's `Transaction.TYPES`, `transactionType`).
///
/// ```
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::{Sequelize, TransactionOptions, TransactionType};
/// let db = Sequelize::connect("sqlite::memory:").await?;
/// let tx = db.begin_with(TransactionOptions { transaction_type: Some(TransactionType::Immediate), ..Default::default() }).await?;
/// tx.commit().await?;
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TransactionType {
    /// Locks are taken when first needed (SQLite's default).
    #[default]
    Deferred,
    /// The write lock is taken at `BEGIN`: no `SQLITE_BUSY` on the first write.
    Immediate,
    /// No other connection may read or write until the end.
    Exclusive,
}

/// Options for a new transaction.
///
/// ```
/// use sequelize::{IsolationLevel, TransactionOptions};
/// let options = TransactionOptions { isolation_level: Some(IsolationLevel::Serializable), ..Default::default() };
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransactionOptions {
    /// The isolation level; the database's default when absent.
    pub isolation_level: Option<IsolationLevel>,
    /// SQLite's transaction type. `Immediate` and `Exclusive` are errors on other dialects,
    /// which have no such thing.
    pub transaction_type: Option<TransactionType>,
    /// SQLite: foreign keys are not enforced statement by statement inside the transaction
    /// (`PRAGMA foreign_keys = OFF` before `BEGIN`, on again after the end) but checked as a
    /// whole before `COMMIT` (`PRAGMA foreign_key_check`): a row left referring to nothing
    /// fails the commit, which rolls back. This is what rebuilding a table in a
    /// transaction takes (a migration that changes a column or a constraint); no
    /// `ON DELETE` action runs meanwhile. An error on other dialects.
    pub defer_foreign_keys: bool,
}

/// Transaction-control statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransactionControl {
    /// `COMMIT`, or `RELEASE SAVEPOINT` for a savepoint.
    Commit,
    /// `ROLLBACK`, or `ROLLBACK TO SAVEPOINT` for a savepoint.
    Rollback,
    /// `SAVEPOINT`.
    Savepoint,
}
