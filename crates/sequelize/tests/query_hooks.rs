//! The hooks of finders, static writes, bulk creation, upsert and sync (issue 8, item 4):
//! `beforeFind`/`beforeCount` on the options (after the scopes), `afterFind` on each
//! instance found, `before`/`afterBulkUpdate|Destroy|Restore` on the filter,
//! `before`/`afterBulkCreate` on each record (with or without `individual_hooks`),
//! `before`/`afterUpsert`, `before`/`afterSync`; `hooks(false)` skips them. Every dialect,
//! typed and dynamic models.

mod common;

use std::sync::{Arc, Mutex};

use common::for_each_dialect;
use sequelize::model::{FindOptions, Hook};
use sequelize::prelude::*;
use sequelize::Error;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(paranoid)]
struct Post {
    id: i64,
    tenant: i64,
    title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(timestamps = false)]
struct Memo {
    id: i64,
    tenant: i64,
}

type Log = Arc<Mutex<Vec<String>>>;

fn taken(log: &Log) -> Vec<String> {
    std::mem::take(&mut *log.lock().unwrap())
}

fn post(tenant: i64, title: &str) -> Post {
    Post {
        id: 0,
        tenant,
        title: title.into(),
    }
}

/// Registers `Post` with a hook at every query moment, each recording its name; the
/// `before` hooks of reads and writes keep to tenant 7, `afterFind` upper-cases titles.
async fn setup(db: &Sequelize, log: &Log) {
    let mut registration = db.define::<Post>();
    for hook in [
        Hook::BeforeFind,
        Hook::BeforeCount,
        Hook::BeforeBulkUpdate,
        Hook::AfterBulkUpdate,
        Hook::BeforeBulkDestroy,
        Hook::AfterBulkDestroy,
        Hook::BeforeBulkRestore,
        Hook::AfterBulkRestore,
    ] {
        let log = log.clone();
        registration =
            registration.find_hook(hook, "record", move |options: &mut FindOptions, ctx| {
                let log = log.clone();
                let name = ctx.hook().name();
                Box::pin(async move {
                    log.lock().unwrap().push(name.to_owned());
                    if name.starts_with("before") {
                        options.add_filter(Post::TENANT.eq(7));
                    }
                    Ok(())
                })
            });
    }
    for hook in [
        Hook::AfterFind,
        Hook::BeforeBulkCreate,
        Hook::AfterBulkCreate,
        Hook::BeforeUpsert,
        Hook::AfterUpsert,
    ] {
        let log = log.clone();
        registration = registration.hook(hook, "record", move |post: &mut Post, ctx| {
            let log = log.clone();
            let name = ctx.hook();
            Box::pin(async move {
                log.lock()
                    .unwrap()
                    .push(format!("{} {}", name.name(), post.title));
                if name == Hook::AfterFind {
                    post.title = post.title.to_uppercase();
                }
                Ok(())
            })
        });
    }
    for hook in [Hook::BeforeSync, Hook::AfterSync] {
        let log = log.clone();
        registration = registration.sync_hook(hook, "record", move |_, ctx| {
            let log = log.clone();
            let name = ctx.hook().name();
            Box::pin(async move {
                log.lock().unwrap().push(name.to_owned());
                Ok(())
            })
        });
    }
    registration.register().unwrap();
    db.sync(SyncOptions::default()).await.unwrap();
}

#[tokio::test]
async fn finder_hooks_see_the_options_and_each_instance() {
    for_each_dialect("find_hooks", |db| async move {
        let dialect = db.dialect().name();
        let log: Log = Arc::default();
        setup(&db, &log).await;
        assert_eq!(taken(&log), ["beforeSync", "afterSync"], "{dialect}");
        Post::bulk_create([post(7, "a"), post(8, "b")])
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            taken(&log),
            [
                "beforeBulkCreate a",
                "beforeBulkCreate b",
                "afterBulkCreate a",
                "afterBulkCreate b"
            ],
            "{dialect}: without individual_hooks too"
        );
        let found = Post::find_all().exec(&db).await.unwrap();
        let titles: Vec<&str> = found.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(
            titles,
            ["A"],
            "{dialect}: tenant 7 only, upper-cased after the find"
        );
        assert_eq!(taken(&log), ["beforeFind", "afterFind a"], "{dialect}");
        let other = Post::find_all()
            .filter(Post::TENANT.eq(8))
            .exec(&db)
            .await
            .unwrap();
        assert!(
            other.is_empty(),
            "{dialect}: the hook's condition is AND-ed"
        );
        taken(&log);
        let by_key = Post::find_by_pk(found[0].id)
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_key.title, "A", "{dialect}");
        assert_eq!(taken(&log), ["beforeFind", "afterFind a"], "{dialect}");
        assert_eq!(Post::count().exec(&db).await.unwrap(), 1, "{dialect}");
        assert_eq!(taken(&log), ["beforeCount"], "{dialect}");
        let all = Post::find_all().hooks(false).exec(&db).await.unwrap();
        assert_eq!(all.len(), 2, "{dialect}");
        assert!(taken(&log).is_empty(), "{dialect}: hooks(false)");
        let raw = Post::find_all().raw().exec(&db).await.unwrap();
        assert_eq!(raw.len(), 1, "{dialect}: raw rows go through beforeFind");
        taken(&log);
    })
    .await;
}

#[tokio::test]
async fn static_write_hooks_see_the_filter() {
    for_each_dialect("bulk_write_hooks", |db| async move {
        let dialect = db.dialect().name();
        let log: Log = Arc::default();
        setup(&db, &log).await;
        Post::bulk_create([post(7, "a"), post(8, "b")])
            .exec(&db)
            .await
            .unwrap();
        taken(&log);
        let updated = Post::update()
            .set(Post::TITLE, "c".to_owned())
            .filter(Post::ID.gt(0))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            updated, 1,
            "{dialect}: the before hook narrowed the filter to tenant 7"
        );
        assert_eq!(
            taken(&log),
            ["beforeBulkUpdate", "afterBulkUpdate"],
            "{dialect}"
        );
        let destroyed = Post::destroy()
            .filter(Post::ID.gt(0))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(destroyed, 1, "{dialect}");
        assert_eq!(
            taken(&log),
            ["beforeBulkDestroy", "afterBulkDestroy"],
            "{dialect}"
        );
        let restored = Post::restore()
            .filter(Post::ID.gt(0))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(restored, 1, "{dialect}");
        assert_eq!(
            taken(&log),
            ["beforeBulkRestore", "afterBulkRestore"],
            "{dialect}"
        );
        let all = Post::destroy()
            .filter(Post::ID.gt(0))
            .hooks(false)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(all, 2, "{dialect}: hooks(false) leaves the filter as given");
        assert!(taken(&log).is_empty(), "{dialect}");
    })
    .await;
}

#[tokio::test]
async fn upsert_hooks_run_around_it() {
    for_each_dialect("upsert_hooks", |db| async move {
        let dialect = db.dialect().name();
        let log: Log = Arc::default();
        setup(&db, &log).await;
        taken(&log);
        Post::upsert(post(7, "x")).exec(&db).await.unwrap();
        assert_eq!(
            taken(&log),
            ["beforeUpsert x", "afterUpsert x"],
            "{dialect}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_hook_of_the_wrong_kind_is_refused() {
    let db = Sequelize::connect("sqlite::memory:").await.unwrap();
    let refused = db
        .define::<Post>()
        .find_hook(Hook::BeforeCreate, "wrong", |_, _| {
            Box::pin(async { Ok(()) })
        })
        .register();
    assert!(
        matches!(&refused, Err(Error::Config(m)) if m.contains("beforeCreate")),
        "{refused:?}"
    );
    // Dynamic models take find hooks too.
    let tag = db
        .define_dynamic(
            "Tag",
            [Attribute::new("name", DataType::Text)],
            ModelOptions::default(),
        )
        .unwrap();
    tag.add_find_hook(Hook::BeforeFind, "none", |options, _| {
        Box::pin(async move {
            options.add_filter(col("name").eq("kept"));
            Ok(())
        })
    })
    .unwrap();
    db.sync(SyncOptions::default()).await.unwrap();
    for name in ["kept", "other"] {
        tag.create([("name", Value::from(name))])
            .exec(&db)
            .await
            .unwrap();
    }
    assert_eq!(tag.find_all().exec(&db).await.unwrap().len(), 1);
}

/// `individual_hooks` on the static writes: each row's instance hooks run around the
/// statement; a `beforeUpdate` hook's change is written with the values.
#[tokio::test]
async fn individual_hooks_on_static_writes() {
    for_each_dialect("individual_hooks", |db| async move {
        let dialect = db.dialect().name();
        let log: Log = Arc::default();
        let mut registration = db.define::<Post>();
        for hook in [
            Hook::BeforeUpdate,
            Hook::AfterUpdate,
            Hook::BeforeDestroy,
            Hook::AfterDestroy,
            Hook::BeforeRestore,
            Hook::AfterRestore,
        ] {
            let log = log.clone();
            registration = registration.hook(hook, "record", move |post: &mut Post, ctx| {
                let log = log.clone();
                let name = ctx.hook();
                Box::pin(async move {
                    log.lock()
                        .unwrap()
                        .push(format!("{} {}", name.name(), post.title));
                    if name == Hook::BeforeUpdate {
                        post.title = format!("{}!", post.title);
                    }
                    Ok(())
                })
            });
        }
        registration.register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        Post::bulk_create([post(1, "a"), post(1, "b"), post(2, "c")])
            .exec(&db)
            .await
            .unwrap();

        let updated = Post::update()
            .set(Post::TENANT, 3)
            .filter(Post::TENANT.eq(1))
            .individual_hooks(true)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(updated, 2, "{dialect}");
        let mut entries = taken(&log);
        entries.sort();
        assert_eq!(
            entries,
            [
                "afterUpdate a!",
                "afterUpdate b!",
                "beforeUpdate a",
                "beforeUpdate b"
            ],
            "{dialect}"
        );
        let moved = Post::find_all()
            .filter(Post::TENANT.eq(3))
            .order(Post::ID.asc())
            .exec(&db)
            .await
            .unwrap();
        let titles: Vec<&str> = moved.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(
            titles,
            ["a!", "b!"],
            "{dialect}: the hook's change was written"
        );

        let destroyed = Post::destroy()
            .filter(Post::TENANT.eq(3))
            .individual_hooks(true)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(destroyed, 2, "{dialect}");
        let mut entries = taken(&log);
        entries.sort();
        assert_eq!(
            entries,
            [
                "afterDestroy a!",
                "afterDestroy b!",
                "beforeDestroy a!",
                "beforeDestroy b!"
            ],
            "{dialect}"
        );
        Post::restore()
            .filter(Post::TENANT.eq(3))
            .individual_hooks(true)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            taken(&log).len(),
            4,
            "{dialect}: before and after restore, each row"
        );
        // Without it, no instance hook runs.
        Post::destroy()
            .filter(Post::TENANT.eq(2))
            .exec(&db)
            .await
            .unwrap();
        assert!(taken(&log).is_empty(), "{dialect}");
        let increments = Post::increment(Post::TENANT, 1)
            .filter(Post::ID.gt(0))
            .individual_hooks(true)
            .exec(&db)
            .await;
        assert!(
            matches!(increments, Err(Error::InvalidQuery(_))),
            "{dialect}: {increments:?}"
        );
    })
    .await;
}

/// Hooks of every model on the Sequelize handle (`sequelize.addHook`), run after the
/// model's own; `beforeDefine` and `afterDefine`.
#[tokio::test]
async fn global_hooks_run_for_every_model() {
    for_each_dialect("global_hooks", |db| async move {
        let dialect = db.dialect().name();
        let log: Log = Arc::default();
        let recorded = log.clone();
        db.add_hook::<FindOptions>(Hook::BeforeFind, "global", move |options, _| {
            let log = recorded.clone();
            Box::pin(async move {
                log.lock().unwrap().push("global beforeFind".into());
                options.add_filter(col("tenant").eq(7));
                Ok(())
            })
        })
        .unwrap();
        let recorded = log.clone();
        db.add_hook::<SyncOptions>(Hook::AfterSync, "global", move |_, _| {
            let log = recorded.clone();
            Box::pin(async move {
                log.lock().unwrap().push("global afterSync".into());
                Ok(())
            })
        })
        .unwrap();
        for hook in [Hook::BeforeBulkSync, Hook::AfterBulkSync] {
            let recorded = log.clone();
            db.add_hook::<SyncOptions>(hook, "bulk", move |_, ctx| {
                let log = recorded.clone();
                let name = ctx.hook().name();
                Box::pin(async move {
                    log.lock().unwrap().push(name.into());
                    Ok(())
                })
            })
            .unwrap();
        }
        let refused = db.add_hook::<Post>(Hook::BeforeCreate, "instances", |_, _| {
            Box::pin(async { Ok(()) })
        });
        assert!(
            matches!(refused, Err(Error::Config(_))),
            "{dialect}: instance hooks are per model"
        );
        db.before_define("prefix", |def| {
            def.table_name = format!("t_{}", def.table_name);
            Ok(())
        });
        let recorded = log.clone();
        db.after_define("record", move |runtime| {
            recorded
                .lock()
                .unwrap()
                .push(format!("afterDefine {}", runtime.definition().name));
            Ok(())
        });
        let recorded = log.clone();
        let posts = db
            .define::<Post>()
            .find_hook(Hook::BeforeFind, "own", move |_, _| {
                let log = recorded.clone();
                Box::pin(async move {
                    log.lock().unwrap().push("model beforeFind".into());
                    Ok(())
                })
            })
            .register()
            .unwrap();
        assert_eq!(posts.definition().table_name, "t_Posts", "{dialect}");
        db.sync(SyncOptions::default()).await.unwrap();
        assert_eq!(
            taken(&log),
            [
                "afterDefine Post",
                "beforeBulkSync",
                "global afterSync",
                "afterBulkSync"
            ],
            "{dialect}"
        );
        Post::bulk_create([post(7, "a"), post(8, "b")])
            .exec(&db)
            .await
            .unwrap();
        let found = Post::find_all().exec(&db).await.unwrap();
        assert_eq!(found.len(), 1, "{dialect}: the global hook's filter");
        assert_eq!(
            taken(&log),
            ["model beforeFind", "global beforeFind"],
            "{dialect}"
        );
        // A model without a beforeFind of its own: find_by_pk takes the global one too.
        let memos = db.define::<Memo>().register().unwrap();
        memos.sync(&db, SyncOptions::default()).await.unwrap();
        let other = Memo::create(Memo { id: 0, tenant: 8 })
            .exec(&db)
            .await
            .unwrap();
        taken(&log);
        let by_key = Memo::find_by_pk(other.id).exec(&db).await.unwrap();
        assert!(
            by_key.is_none(),
            "{dialect}: the global filter applies to find_by_pk"
        );
        assert_eq!(taken(&log), ["global beforeFind"], "{dialect}");
        // A beforeDefine hook may not change the attributes.
        db.before_define("retype", |def| {
            def.attributes.pop();
            Ok(())
        });
        let broken = db.define_dynamic(
            "Other",
            [Attribute::new("x", DataType::Text)],
            ModelOptions::default(),
        );
        assert!(
            matches!(broken, Err(Error::Config(_))),
            "{dialect}: {broken:?}"
        );
    })
    .await;
}
