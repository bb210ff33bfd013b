//! Optimistic locking on every dialect (issue 8, item 6 in part): a stale instance's save is
//! `Error::OptimisticLock`, and 50 concurrent read-modify-save loops lose no update.

mod common;

use common::for_each_dialect;
use sequelize::prelude::*;
use sequelize::Error;

#[derive(Model, Debug, Clone)]
#[model(table = "counters", timestamps = false, version)]
struct Counter {
    id: i64,
    hits: i64,
    version: i64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stale_saves_fail_and_concurrent_saves_lose_nothing() {
    for_each_dialect("optimistic_locking", |db| async move {
        db.define::<Counter>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let counter = Counter::create(Counter {
            id: 0,
            hits: 0,
            version: 0,
        })
        .exec(&db)
        .await
        .unwrap();
        let id = counter.id;

        let mut first = Counter::find_by_pk(id).exec(&db).await.unwrap().unwrap();
        let mut second = Counter::find_by_pk(id).exec(&db).await.unwrap().unwrap();
        first.hits += 1;
        first.save(&db).await.unwrap();
        assert_eq!(first.version, 1);
        second.hits += 1;
        let stale = second.save(&db).await;
        assert!(
            matches!(stale, Err(Error::OptimisticLock { version: 0, .. })),
            "{stale:?}"
        );
        second.reload(&db).await.unwrap();
        second.hits += 1;
        second.save(&db).await.unwrap();
        assert_eq!((second.hits, second.version), (2, 2));

        // 50 tasks, each reading, incrementing and saving until its save lands.
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    let mut retries = 0;
                    loop {
                        let mut counter = Counter::find_by_pk(id).exec(&db).await?.unwrap();
                        counter.hits += 1;
                        match counter.save(&db).await {
                            Ok(()) => return Ok::<_, Error>(retries),
                            Err(Error::OptimisticLock { .. }) => retries += 1,
                            Err(e) => return Err(e),
                        }
                    }
                })
            })
            .collect();
        let mut retries = 0;
        for task in tasks {
            retries += task.await.unwrap().unwrap();
        }
        let end = Counter::find_by_pk(id).exec(&db).await.unwrap().unwrap();
        assert_eq!((end.hits, end.version), (52, 52), "no update lost");
        println!(
            "{}: 50 concurrent saves, {retries} retried",
            db.dialect().name()
        );
    })
    .await;
}
