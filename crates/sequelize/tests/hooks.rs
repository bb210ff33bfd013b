//! Model hooks on every dialect (issue 8, item 4 in part): the firing order of `create`,
//! `save`, `destroy` and `restore`; hooks that change the instance, fail the operation, or
//! query inside the caller's transaction; removal by name; `hooks(false)`.

mod common;

use std::sync::{Arc, Mutex};

use common::{count_rows, for_each_dialect};
use sequelize::model::{Hook, SaveOptions};
use sequelize::prelude::*;
use sequelize::{Error, ValidationErrorItem};

#[derive(Model, Debug, Clone)]
#[model(table = "accounts", paranoid)]
struct Account {
    id: i64,
    #[attr(validate(Validator::is_email()))]
    email: String,
    password: String,
    slug: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
}

fn account(email: &str, password: &str) -> Account {
    Account {
        id: 0,
        email: email.into(),
        password: password.into(),
        slug: String::new(),
        created_at: Utc::now(),
        updated_at: Utc::now(),
        deleted_at: None,
    }
}

type Log = Arc<Mutex<Vec<&'static str>>>;

fn taken(log: &Log) -> Vec<&'static str> {
    std::mem::take(&mut *log.lock().unwrap())
}

/// Registers a hook at every moment that records its name.
fn recorded(db: &Sequelize, log: &Log) {
    let mut registration = db.define::<Account>();
    for hook in [
        Hook::BeforeValidate,
        Hook::AfterValidate,
        Hook::ValidationFailed,
        Hook::BeforeCreate,
        Hook::BeforeUpdate,
        Hook::BeforeSave,
        Hook::AfterCreate,
        Hook::AfterUpdate,
        Hook::AfterSave,
        Hook::BeforeDestroy,
        Hook::AfterDestroy,
        Hook::BeforeRestore,
        Hook::AfterRestore,
    ] {
        let log = Arc::clone(log);
        registration = registration.hook(hook, "record", move |_, _| {
            log.lock().unwrap().push(hook.name());
            Box::pin(async { Ok(()) })
        });
    }
    registration.register().unwrap();
}

#[tokio::test]
async fn hooks_fire_in_sequelize_order() {
    for_each_dialect("hooks_order", |db| async move {
        let log: Log = Arc::default();
        recorded(&db, &log);
        db.sync(SyncOptions::default()).await.unwrap();

        let mut ann = Account::create(account("ann@example.com", "pw"))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            taken(&log),
            [
                "beforeValidate",
                "afterValidate",
                "beforeCreate",
                "beforeSave",
                "afterCreate",
                "afterSave"
            ]
        );
        ann.password = "new".into();
        ann.save(&db).await.unwrap();
        assert_eq!(
            taken(&log),
            [
                "beforeValidate",
                "afterValidate",
                "beforeUpdate",
                "beforeSave",
                "afterUpdate",
                "afterSave"
            ]
        );
        // Nothing changed: no hook, no statement.
        ann.save(&db).await.unwrap();
        assert_eq!(taken(&log), Vec::<&str>::new());

        let refused = Account::create(account("nope", "pw")).exec(&db).await;
        assert!(matches!(refused, Err(Error::Validation(_))));
        assert_eq!(taken(&log), ["beforeValidate", "validationFailed"]);

        ann.destroy(&db).await.unwrap();
        assert!(
            ann.deleted_at.is_some(),
            "the instance knows it was soft-deleted"
        );
        assert_eq!(taken(&log), ["beforeDestroy", "afterDestroy"]);
        ann.restore(&db).await.unwrap();
        assert_eq!(taken(&log), ["beforeRestore", "afterRestore"]);

        // hooks(false) skips them; removing a hook by name stops it.
        let mut bob = Account::build(account("bob@example.com", "pw"));
        bob.save_with(&db, SaveOptions::default().hooks(false))
            .await
            .unwrap();
        assert_eq!(taken(&log), Vec::<&str>::new());
        let runtime = db.define::<Account>().register().unwrap();
        assert!(runtime.remove_hook(Hook::BeforeSave, "record"));
        assert!(!runtime.remove_hook(Hook::BeforeSave, "record"));
        bob.password = "other".into();
        bob.save(&db).await.unwrap();
        assert_eq!(
            taken(&log),
            [
                "beforeValidate",
                "afterValidate",
                "beforeUpdate",
                "afterUpdate",
                "afterSave"
            ]
        );
        assert_eq!(count_rows(&db, &db, "accounts").await, 2);
    })
    .await;
}

#[tokio::test]
async fn hooks_change_fail_and_query_in_the_transaction() {
    for_each_dialect("hooks_effects", |db| async move {
        db.define::<Account>()
            // The usage guide's password hashing: on create, and on update only when the
            // password changed.
            .hook(Hook::BeforeSave, "hashPassword", |account, ctx| {
                if ctx.changed("password") {
                    account.password = format!("hashed:{}", account.password.len());
                }
                Box::pin(async { Ok(()) })
            })
            .hook(Hook::BeforeCreate, "slug", |account, _| {
                Box::pin(async move {
                    account.slug = account.email.split('@').next().unwrap_or_default().into();
                    Ok(())
                })
            })
            // An audit row written through the operation's own executor.
            .hook(Hook::AfterCreate, "audit", |account, ctx| {
                Box::pin(async move {
                    ctx.exec()
                        .query("INSERT INTO audit (note) VALUES (?)")
                        .replacements(Replacements::positional().push(account.email.clone()))
                        .exec()
                        .await?;
                    Ok(())
                })
            })
            .hook(Hook::BeforeDestroy, "protectAdmin", |account, _| {
                let refused = account.email.starts_with("admin@");
                Box::pin(async move {
                    if refused {
                        return Err(Error::Validation(vec![ValidationErrorItem::new(
                            "email",
                            "protected",
                            "the admin account cannot be deleted",
                        )]));
                    }
                    Ok(())
                })
            })
            .register()
            .unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        db.query("CREATE TABLE audit (note VARCHAR(100))").exec().await.unwrap();

        let mut ann = Account::create(account("ann@example.com", "secret")).exec(&db).await.unwrap();
        assert_eq!((ann.password.as_str(), ann.slug.as_str()), ("hashed:6", "ann"));
        let stored = Account::find_by_pk(ann.id).exec(&db).await.unwrap().unwrap();
        assert_eq!(stored.password, "hashed:6");
        // An update that leaves the password alone does not hash it again.
        ann.email = "ann@example.org".into();
        ann.save(&db).await.unwrap();
        assert_eq!(ann.password, "hashed:6");
        ann.password = "longer secret".into();
        ann.save(&db).await.unwrap();
        assert_eq!(ann.password, "hashed:13");

        // A before hook's error stops the operation.
        let mut admin = Account::create(account("admin@example.com", "x")).exec(&db).await.unwrap();
        let refused = admin.destroy(&db).await;
        assert!(matches!(refused, Err(Error::Validation(items)) if items[0].validator_key == "protected"));
        assert_eq!(Account::count().exec(&db).await.unwrap(), 2);

        // Inside a transaction the hook's query runs there, and a rollback undoes both.
        let tx = db.begin().await.unwrap();
        Account::create(account("carl@example.com", "x")).exec(&tx).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(Account::count().exec(&db).await.unwrap(), 2);
        assert_eq!(count_rows(&db, &db, "audit").await, 2);
    })
    .await;
}

#[tokio::test]
async fn hooks_on_models_defined_at_run_time() {
    for_each_dialect("hooks_dynamic", |db| async move {
        let post = db
            .define_dynamic(
                "Article",
                [
                    Attribute::new("id", DataType::BigInt),
                    Attribute::new("title", DataType::String(None)).not_null(),
                    Attribute::new("slug", DataType::String(None)),
                    Attribute::new("deleted_at", DataType::Date(None)),
                ],
                ModelOptions {
                    paranoid: true,
                    ..Default::default()
                },
            )
            .unwrap();
        let log: Log = Arc::default();
        for hook in [Hook::BeforeSave, Hook::AfterCreate, Hook::BeforeDestroy] {
            let log = Arc::clone(&log);
            post.add_hook(hook, "record", move |_, _| {
                log.lock().unwrap().push(hook.name());
                Box::pin(async { Ok(()) })
            })
            .unwrap();
        }
        post.add_hook(Hook::BeforeCreate, "slug", |article, _| {
            Box::pin(async move {
                let slug = article
                    .get::<String>("title")?
                    .to_lowercase()
                    .replace(' ', "-");
                article.set("slug", slug)
            })
        })
        .unwrap();
        db.sync(SyncOptions::default()).await.unwrap();

        let mut hello = post
            .create([("title", Value::from("Hello World"))])
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(hello.get::<String>("slug").unwrap(), "hello-world");
        assert_eq!(taken(&log), ["beforeSave", "afterCreate"]);
        // instance.update(values): set and save, with the save hooks.
        hello
            .update(&db, [("title", Value::from("Hi"))])
            .await
            .unwrap();
        assert_eq!(taken(&log), ["beforeSave"]);
        let stored = post.find_all().exec(&db).await.unwrap();
        assert_eq!(stored[0].get::<String>("title").unwrap(), "Hi");
        hello.destroy(&db).await.unwrap();
        assert!(!hello.value("deleted_at").unwrap().is_null());
        assert_eq!(taken(&log), ["beforeDestroy"]);
        // A hook for another model's instances is refused.
        let wrong = db
            .define::<Account>()
            .register()
            .unwrap()
            .add_hook::<sequelize::DynInstance>(Hook::BeforeCreate, "wrong", |_, _| {
                Box::pin(async { Ok(()) })
            });
        assert!(matches!(wrong, Err(Error::Config(_))));
    })
    .await;
}

#[tokio::test]
async fn silent_saves_keep_updated_at() {
    for_each_dialect("hooks_silent", |db| async move {
        db.define::<Account>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let mut ann = Account::create(account("ann@example.com", "pw"))
            .exec(&db)
            .await
            .unwrap();
        let first = ann.updated_at;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        ann.password = "quiet".into();
        ann.save_with(&db, SaveOptions::default().silent(true))
            .await
            .unwrap();
        let stored = Account::find_by_pk(ann.id)
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (stored.password.as_str(), stored.updated_at),
            ("quiet", first)
        );
        ann.password = "loud".into();
        ann.save(&db).await.unwrap();
        assert!(ann.updated_at > first);
    })
    .await;
}
