//! Transactions on every dialect: managed and unmanaged, savepoints, isolation levels, and
//! the pool never lending out a connection that is still inside a transaction, even when the
//! future running the transaction is cancelled at a random point.

mod common;

use std::time::Duration;

use common::{dialects, for_each_dialect, isolated_options, q};
use rand::Rng;
use sequelize::prelude::*;
use sequelize::sql::ColumnDef;
use sequelize::{AssertSqlSafe, Error, TransactionType};

async fn setup(db: &Sequelize) {
    db.query_interface()
        .create_table("items", vec![ColumnDef::new("k", DataType::Integer)])
        .await
        .unwrap();
}

async fn insert(exec: &impl Executor, k: i64) -> sequelize::Result<()> {
    let db = exec.target_sequelize();
    exec.query(AssertSqlSafe(format!(
        "INSERT INTO {} ({}) VALUES ($1)",
        q(db, "items"),
        q(db, "k")
    )))
    .bind(Bind::positional().push(k))
    .exec()
    .await
    .map(drop)
}

async fn keys(exec: &impl Executor) -> Vec<i64> {
    let db = exec.target_sequelize();
    common::sorted_column(exec, db, "items", "k").await
}

/// The Sequelize handle behind an executor, for building dialect-quoted SQL in tests.
trait TargetSequelize {
    fn target_sequelize(&self) -> &Sequelize;
}

impl<E: Executor> TargetSequelize for E {
    fn target_sequelize(&self) -> &Sequelize {
        match self.target() {
            sequelize::connection::Target::Pool(db)
            | sequelize::connection::Target::Read(db)
            | sequelize::connection::Target::Primary(db) => db,
            sequelize::connection::Target::Transaction(tx) => tx.sequelize(),
        }
    }
}

#[tokio::test]
async fn managed_transactions_commit_on_ok_and_roll_back_on_err_or_panic() {
    for_each_dialect("managed_tx", |db| async move {
        setup(&db).await;
        let value = db
            .transaction(|tx| async move {
                insert(&tx, 1).await?;
                insert(&tx, 2).await?;
                Ok::<_, Error>("done")
            })
            .await
            .unwrap();
        assert_eq!(value, "done");
        assert_eq!(keys(&db).await, [1, 2]);

        let failed: Result<(), Error> = db
            .transaction(|tx| async move {
                insert(&tx, 3).await?;
                Err(Error::InvalidQuery("changed my mind".into()))
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(keys(&db).await, [1, 2]);

        let handle = db.clone();
        let panicked = tokio::spawn(async move {
            handle
                .transaction(|tx| async move {
                    insert(&tx, 4).await?;
                    if tx.is_finished() {
                        return Ok::<_, Error>(());
                    }
                    panic!("boom inside a transaction");
                })
                .await
        })
        .await;
        assert!(panicked.unwrap_err().is_panic());
        assert_eq!(keys(&db).await, [1, 2]);
    })
    .await;
}

#[tokio::test]
async fn unmanaged_transactions_and_drop_rolls_back() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let mut options = isolated_options(dialect, "unmanaged_tx", false).await;
        options.pool.max = 1;
        let db = Sequelize::connect_with(options).await.unwrap();
        setup(&db).await;

        let tx = db.begin().await.unwrap();
        insert(&tx, 1).await.unwrap();
        assert_eq!(keys(&tx).await, [1]);
        tx.commit().await.unwrap();
        assert!(matches!(
            insert(&tx, 9).await,
            Err(Error::TransactionFinished(_))
        ));

        let tx = db.begin().await.unwrap();
        insert(&tx, 2).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(keys(&db).await, [1]);

        // Dropped without commit: rolled back, and the single pooled connection comes back
        // clean (the next autocommit insert is visible to everyone).
        {
            let tx = db.begin().await.unwrap();
            insert(&tx, 3).await.unwrap();
        }
        insert(&db, 4).await.unwrap();
        assert_eq!(keys(&db).await, [1, 4]);
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn nested_transactions_are_savepoints() {
    for_each_dialect("nested_tx", |db| async move {
        setup(&db).await;
        let tx = db.begin().await.unwrap();
        insert(&tx, 1).await.unwrap();

        let inner = tx.begin().await.unwrap();
        insert(&inner, 2).await.unwrap();
        inner.rollback().await.unwrap();

        let inner = tx.begin().await.unwrap();
        insert(&inner, 3).await.unwrap();
        inner.commit().await.unwrap();

        {
            let dropped = tx.begin().await.unwrap();
            insert(&dropped, 4).await.unwrap();
        }

        let failed: Result<(), Error> = tx
            .transaction(|inner| async move {
                insert(&inner, 5).await?;
                Err(Error::InvalidQuery("no".into()))
            })
            .await;
        assert!(failed.is_err());
        tx.transaction(|inner| async move { insert(&inner, 6).await })
            .await
            .unwrap();

        assert_eq!(keys(&tx).await, [1, 3, 6]);
        tx.commit().await.unwrap();
        assert_eq!(keys(&db).await, [1, 3, 6]);
    })
    .await;
}

#[tokio::test]
async fn isolation_levels_and_transaction_types() {
    for_each_dialect("isolation", |db| async move {
        setup(&db).await;
        for level in [
            IsolationLevel::ReadUncommitted,
            IsolationLevel::ReadCommitted,
            IsolationLevel::RepeatableRead,
            IsolationLevel::Serializable,
        ] {
            let options = TransactionOptions {
                isolation_level: Some(level),
                ..Default::default()
            };
            db.transaction_with(options, |tx| async move { insert(&tx, 1).await })
                .await
                .unwrap_or_else(|e| panic!("{level:?}: {e}"));
        }
        let immediate = TransactionOptions {
            transaction_type: Some(TransactionType::Immediate),
            ..Default::default()
        };
        let result = db.begin_with(immediate).await;
        if db.dialect().supports().transaction_types {
            result.unwrap().commit().await.unwrap();
        } else {
            let err = result.unwrap_err();
            assert!(
                matches!(&err, Error::Config(m) if m.contains(db.dialect().name())),
                "{err}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_pool_exhausted_by_a_transaction_times_out_instead_of_hanging() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let mut options = isolated_options(dialect, "pool_timeout", false).await;
        options.pool.max = 1;
        options.pool.acquire = Duration::from_millis(300);
        let db = Sequelize::connect_with(options).await.unwrap();
        let tx = db.begin().await.unwrap();
        let err = db.query("SELECT 1 AS one").exec().await.unwrap_err();
        assert!(matches!(err, Error::PoolTimeout(_)), "{err}");
        assert!(err.to_string().contains("pass the transaction"));
        tx.commit().await.unwrap();
        db.query("SELECT 1 AS one").exec().await.unwrap();
        db.close().await.unwrap();
    }
}

/// C5 of `reference/reliability.md`, shortened: a transaction cancelled at a random await
/// (inside BEGIN, an insert, the sleep or COMMIT) never leaves the single pooled connection
/// inside a transaction. After every iteration an autocommit insert through the pool must be
/// visible to a second, independent Sequelize instance.
#[tokio::test]
async fn cancelled_transactions_leave_the_pool_clean() {
    const ITERATIONS: i64 = 60;
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let mut options = isolated_options(dialect, "cancel", true).await;
        options.pool.max = 1;
        let observer = Sequelize::new(options.clone()).unwrap();
        let db = Sequelize::connect_with(options).await.unwrap();
        setup(&db).await;
        let mut rng = rand::rng();
        let mut committed = Vec::new();
        for i in 0..ITERATIONS {
            let key = 1000 + i;
            let pause = Duration::from_micros(rng.random_range(0..3000));
            let deadline = Duration::from_micros(rng.random_range(0..4000));
            let handle = db.clone();
            let attempt = tokio::time::timeout(deadline, async move {
                let tx = handle.begin().await?;
                insert(&tx, key).await?;
                tokio::time::sleep(pause).await;
                tx.commit().await
            })
            .await;
            if matches!(attempt, Ok(Ok(()))) {
                committed.push(key);
            }
            // The marker goes through the pool's only connection in autocommit mode.
            insert(&db, i).await.unwrap();
            let seen: Vec<i64> = keys(&observer)
                .await
                .into_iter()
                .filter(|k| *k < 1000)
                .collect();
            assert_eq!(
                seen,
                (0..=i).collect::<Vec<_>>(),
                "iteration {i}: marker not visible"
            );
        }
        let stored: Vec<i64> = keys(&observer)
            .await
            .into_iter()
            .filter(|k| *k >= 1000)
            .collect();
        for key in &committed {
            assert!(stored.contains(key), "committed {key} is missing");
        }
        println!(
            "{dialect}: {} of {ITERATIONS} transactions committed",
            committed.len()
        );
        observer.close().await.unwrap();
        db.close().await.unwrap();
    }
}
