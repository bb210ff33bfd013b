//! # sequelize
//!
//! Sequelize's model layer for async Rust: models, transactions, raw queries and
//! migrations, on SQLite (embedded, the default), PostgreSQL and MySQL/MariaDB.
//!
//! ```
//! use sequelize::prelude::*;
//!
//! #[derive(Model, Debug, Clone)]
//! #[model(table = "users", underscored)]
//! struct User {
//!     id: i64,
//!     email: String,
//!     #[attr(default = "active")]
//!     status: String,
//!     created_at: DateTime<Utc>,
//!     updated_at: DateTime<Utc>,
//! }
//!
//! # async fn demo() -> sequelize::Result<()> {
//! let db = Sequelize::connect("sqlite::memory:").await?;   // or postgres://…, mysql://…
//! db.define::<User>().register()?;
//! db.sync(SyncOptions::default()).await?;
//!
//! db.transaction(|tx| async move {
//!     User::create(User { email: "ann@example.com".into(), ..Default::default() }).exec(&tx).await?;
//!     Ok::<_, sequelize::Error>(())
//! }).await?;
//!
//! let active = User::find_all()
//!     .filter(User::STATUS.eq("active"))   // `where` is a Rust keyword: it is `filter` here
//!     .order(User::CREATED_AT.desc())
//!     .limit(10)
//!     .exec(&db)
//!     .await?;
//! assert_eq!(active[0].email, "ann@example.com");
//! # Ok(()) }
//! # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! The layers, from the top: [`migrate`] (the Migrator and sequelize-cli's storage),
//! [`model`] (definitions, instances, finders, writes), [`query_interface`] (DDL as
//! operations), [`sql`] (a small AST and its renderer), [`dialect`] (everything that differs
//! per database) and [`connection`] (the handle, the pool, transactions, raw queries).
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

extern crate self as sequelize;

pub mod connection;
pub mod dialect;
/// The guides of the repository's `docs/` folder whose examples are code, as rustdoc pages:
/// each example runs as a doc test, so the guides cannot drift from the API.
pub mod docs {
    #[doc = include_str!("../../../docs/models.md")]
    pub mod models {}
    #[doc = include_str!("../../../docs/querying.md")]
    pub mod querying {}
    #[doc = include_str!("../../../docs/scopes.md")]
    pub mod scopes {}
    #[doc = include_str!("../../../docs/validations.md")]
    pub mod validations {}
    #[doc = include_str!("../../../docs/hooks.md")]
    pub mod hooks {}
    #[doc = include_str!("../../../docs/associations.md")]
    pub mod associations {}
    #[doc = include_str!("../../../docs/migrations.md")]
    pub mod migrations {}
}
mod error;
pub mod migrate;
pub mod model;
pub mod query_interface;
mod range;
mod row;
pub mod sql;
mod types;
pub mod utils;
mod value;

pub use connection::hooks::{
    AfterAcquire, AfterConnect, AfterDisconnect, AfterQuery, BeforeAcquire, BeforeConnect,
    BeforeDisconnect, BeforeQuery, ConnectionHooks, QueryEvent, QueryOutcome,
};
pub use connection::options::{LogFn, Logging, Options, PoolOptions};
pub use connection::replication::{Replication, ServerOptions};
pub use connection::retry::{RetryMatch, RetryOptions};
pub use connection::transaction::Transaction;
pub use connection::{
    AssertSqlSafe, Bind, Executor, ExecutorRef, PoolStatus, QueryOutput, QueryType, RawQuery,
    Replacement, Replacements, Sequelize, SqlSafeStr,
};
pub use dialect::{ConnectionConfig, TimeZone};
pub use error::{DatabaseError, Error, Result, ValidationErrorItem};
pub use model::filter::{and, not, or};
pub use model::{
    col, literal, AggregateFunction, Attribute, Column, ColumnOperators, Comparison, DynColumn,
    DynInstance, DynModel, FinderOptions, Instance, Model, ModelDefinition, ModelOptions, SqlType,
    SyncOptions, TextOperators, Validator,
};
pub use range::Range;
pub use row::{
    Collect, Completion, QueryResult, ReadResult, Row, RowReader, RowSink, Rows, ValuesReader,
};
pub use sql::{IsolationLevel, Lock, LockWait, RowLock, TransactionOptions, TransactionType};
pub use types::DataType;
pub use value::{FromValue, Value};

/// The derive macros: [`Model`] (see the crate docs for its attributes) and `SqlEnum`, a
/// fieldless enum as an `ENUM` attribute type.
pub use sequelize_macros::{Model, SqlEnum};

/// Everything most programs need: `use sequelize::prelude::*;`.
pub mod prelude {
    pub use crate::model::Scoped;
    pub use crate::{
        and, col, literal, not, or, Attribute, Bind, ColumnOperators, DataType, Executor,
        FinderOptions, Instance, IsolationLevel, Lock, Model, ModelOptions, Options, PoolOptions,
        Range, Replacement, Replacements, Sequelize, SqlEnum, SyncOptions, TextOperators,
        Transaction, TransactionOptions, Validator, Value,
    };
    pub use chrono::{DateTime, NaiveDate, Utc};
    /// `.next()`, `.try_next()`, `.try_collect()` and the rest on the streams of
    /// [`FindAll::stream`](crate::model::FindAll::stream).
    pub use futures_util::stream::{StreamExt as _, TryStreamExt as _};
    pub use rust_decimal::Decimal;
    pub use uuid::Uuid;
}

/// Re-exports used by the code `#[derive(Model)]` generates. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::model::{Attribute, Column, ModelDefinition, SqlType};
    pub use crate::sql::DefaultValue;
    pub use crate::{DataType, Error, FromValue, Result, Value};
    pub use chrono::{DateTime, Utc};
    pub use std::sync::OnceLock;
    pub use uuid::Uuid;

    /// The current time as the writes record it (to the millisecond, as Sequelize does), for
    /// `default = now`.
    pub fn now() -> DateTime<Utc> {
        crate::model::current_time()
    }

    /// What a model's `to_json_value` returns when it implements `Serialize`.
    pub type JsonResult = serde_json::Result<serde_json::Value>;

    /// Asks, in the derive's expansion where the model's type is known, whether it
    /// implements `Serialize` (method resolution prefers [`ViaSerialize`], which applies only
    /// then, over [`ViaNothing`] behind one more reference).
    pub struct JsonProbe<'a, T>(pub &'a T);

    /// The JSON of a model that implements `Serialize`.
    pub trait ViaSerialize {
        /// `Some` JSON.
        fn to_json(&self) -> Option<JsonResult>;
    }

    impl<T: serde::Serialize> ViaSerialize for JsonProbe<'_, T> {
        fn to_json(&self) -> Option<JsonResult> {
            Some(serde_json::to_value(self.0))
        }
    }

    /// No JSON, for a model that does not implement `Serialize`.
    pub trait ViaNothing {
        /// `None`.
        fn to_json(&self) -> Option<JsonResult>;
    }

    impl<T> ViaNothing for &JsonProbe<'_, T> {
        fn to_json(&self) -> Option<JsonResult> {
            None
        }
    }

    /// Attaches the model and attribute to a decoding error.
    pub fn decode_error(model: &str, attribute: &str, e: Error) -> Error {
        *read_error(model, attribute, Box::new(e))
    }

    /// [`decode_error`] for a field read from a driver's row.
    pub fn read_error(model: &str, attribute: &str, mut e: Box<Error>) -> Box<Error> {
        if let Error::Decode(m) = &mut *e {
            *m = format!("{model}.{attribute}: {m}");
        }
        e
    }
}
