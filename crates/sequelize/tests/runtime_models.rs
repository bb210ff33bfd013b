//! The model runtime per Sequelize instance, on every dialect: a model must be defined on the
//! instance it is used with, defining it again with other options is an error, and models
//! defined at run time (`define_dynamic`, Sequelize's `sequelize.define`) go through the same
//! planner and writes as derived ones.

mod common;

use common::{for_each_dialect, fresh_db};
use sequelize::prelude::*;
use sequelize::{DynInstance, Error};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "people", underscored, timestamps = false)]
struct Person {
    id: i64,
    name: String,
    age: Option<i32>,
}

/// A derived paranoid model.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "memos", underscored, paranoid)]
struct Memo {
    id: i64,
    text: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
}

/// Another struct claiming the same model name, with other attributes.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(name = "Person", table = "people", underscored, timestamps = false)]
struct PersonV2 {
    id: i64,
    name: String,
}

#[tokio::test]
async fn models_belong_to_the_instance_they_are_defined_on() {
    for_each_dialect("runtime_defined", |db| async move {
        // Never defined here: a typed error that says what to do, before any SQL.
        let undefined = Person::find_all().exec(&db).await;
        assert!(
            matches!(&undefined, Err(Error::NotDefined(m)) if m == "Person"),
            "{undefined:?}"
        );
        assert!(undefined.unwrap_err().to_string().contains("db.define"));
        let create = Person::create(Person {
            name: "Ann".into(),
            ..Default::default()
        })
        .exec(&db)
        .await;
        assert!(matches!(create, Err(Error::NotDefined(_))));

        let runtime = db.define::<Person>().register().unwrap();
        assert_eq!(runtime.definition().table_name, "people");
        // Again with the same definition: the same runtime.
        let again = db.define::<Person>().register().unwrap();
        assert!(std::sync::Arc::ptr_eq(&runtime, &again));
        // The same name with other attributes: refused.
        let other = db.define::<PersonV2>().register();
        assert!(
            matches!(&other, Err(Error::Config(m)) if m.contains("already defined")),
            "{other:?}"
        );
        db.sync(SyncOptions::default()).await.unwrap();
        Person::create(Person {
            name: "Ann".into(),
            age: Some(41),
            ..Default::default()
        })
        .exec(&db)
        .await
        .unwrap();

        // A second instance knows nothing of the first one's models.
        let other_db = fresh_db(db.dialect().name(), "runtime_defined_other").await;
        assert!(matches!(
            Person::find_all().exec(&other_db).await,
            Err(Error::NotDefined(_))
        ));
        other_db.close().await.unwrap();

        // The derived model, looked up by name, reads the same rows dynamically.
        let people = db.model("Person").unwrap();
        let found = people.find_all().exec(&db).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].get::<String>("name").unwrap(), "Ann");
    })
    .await;
}

#[tokio::test]
async fn dynamic_models_find_create_save_and_destroy() {
    for_each_dialect("runtime_dynamic", |db| async move {
        let user = db
            .define_dynamic(
                "User",
                [
                    Attribute::new("id", DataType::Integer),
                    Attribute::new("email", DataType::String(None))
                        .not_null()
                        .unique(),
                    Attribute::new("first_name", DataType::String(Some(64))),
                    Attribute::new("active", DataType::Boolean)
                        .not_null()
                        .default_value(sequelize::sql::DefaultValue::Value(true.into())),
                    Attribute::new("balance", DataType::Decimal(Some((10, 2)))),
                    Attribute::new("profile", DataType::Json),
                    Attribute::new("created_at", DataType::Date(None)).not_null(),
                    Attribute::new("updated_at", DataType::Date(None)).not_null(),
                ],
                ModelOptions::default(),
            )
            .unwrap();
        let definition = user.definition();
        assert_eq!(definition.table_name, "Users");
        assert_eq!(definition.attributes[2].column_name(), "firstName");
        assert!(definition.attributes[0].column.auto_increment);
        // The same definition again is the same model; other options are refused.
        assert!(db
            .define_dynamic(
                "User",
                [Attribute::new("id", DataType::Integer)],
                ModelOptions::default()
            )
            .is_err());
        db.sync(SyncOptions::default()).await.unwrap();

        let ann = user
            .create([
                ("email", Value::from("ann@example.com")),
                ("first_name", "Ann".into()),
                ("balance", "12.50".parse::<Decimal>().unwrap().into()),
                ("profile", serde_json::json!({"langs": ["rust"]}).into()),
            ])
            .exec(&db)
            .await
            .unwrap();
        assert!(!ann.is_new_record());
        assert_eq!(ann.get::<i64>("id").unwrap(), 1);
        assert!(ann.get::<bool>("active").unwrap(), "the default applies");
        let created: DateTime<Utc> = ann.get("created_at").unwrap();
        user.create([("email", Value::from("bob@example.com"))])
            .exec(&db)
            .await
            .unwrap();
        let unknown = user.create([("emial", Value::from("x"))]).exec(&db).await;
        assert!(matches!(unknown, Err(Error::InvalidQuery(m)) if m.contains("emial")));

        // Finders: filter, order, limit, attributes, find_one, find_by_pk.
        let listed = user
            .find_all()
            .filter(col("email").like("%@example.com"))
            .order(col("email").desc())
            .attributes(["id", "email"])
            .exec(&db)
            .await
            .unwrap();
        let emails: Vec<String> = listed.iter().map(|u| u.get("email").unwrap()).collect();
        assert_eq!(emails, ["bob@example.com", "ann@example.com"]);
        assert!(listed[0].value("first_name").unwrap().is_null(), "not read");
        let mut found = user
            .find_by_pk(1)
            .unwrap()
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.get::<String>("first_name").unwrap(), "Ann");
        assert_eq!(
            found.get::<Decimal>("balance").unwrap(),
            "12.5".parse::<Decimal>().unwrap()
        );
        assert_eq!(
            found.get::<serde_json::Value>("profile").unwrap(),
            serde_json::json!({"langs": ["rust"]})
        );
        assert_eq!(found.get::<DateTime<Utc>>("created_at").unwrap(), created);
        assert!(user
            .find_one()
            .filter(col("email").eq("nobody@example.com"))
            .exec(&db)
            .await
            .unwrap()
            .is_none());
        assert!(matches!(
            user.find_all().filter(col("nope").eq(1)).exec(&db).await,
            Err(Error::InvalidQuery(_))
        ));

        // save() writes what changed, with updatedAt.
        found.set("first_name", "Annie").unwrap();
        assert_eq!(found.changed(), ["first_name"]);
        found.save(&db).await.unwrap();
        assert!(found.changed().is_empty());
        let mut reread = user
            .find_by_pk(1)
            .unwrap()
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(reread.get::<String>("first_name").unwrap(), "Annie");
        let json = serde_json::to_value(&reread).unwrap();
        assert_eq!(json["email"], "ann@example.com");
        // Decimals serialize as text, as Sequelize returns them (SQLite keeps no scale).
        let balance: Decimal = json["balance"].as_str().unwrap().parse().unwrap();
        assert_eq!(balance, "12.5".parse::<Decimal>().unwrap());
        assert_eq!(json["profile"]["langs"][0], "rust");

        // Values are checked as for derived models.
        found
            .set("balance", "1.234".parse::<Decimal>().unwrap())
            .unwrap();
        assert!(matches!(found.save(&db).await, Err(Error::Validation(_))));

        // Destroy: by filter (required), and by instance.
        assert!(user.destroy().exec(&db).await.is_err());
        let gone = user
            .destroy()
            .filter(col("email").eq("bob@example.com"))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(gone, 1);
        reread.destroy(&db).await.unwrap();
        assert!(user.find_all().exec(&db).await.unwrap().is_empty());
    })
    .await;
}

/// Paranoid models (`paranoid: true`): destroy sets the deletion time, finders skip such rows
/// unless `paranoid(false)`, restore clears it, and `force()` really deletes. Checked through
/// a model defined at run time and a derived one.
#[tokio::test]
async fn paranoid_models_soft_delete_and_restore() {
    for_each_dialect("runtime_paranoid", |db| async move {
        let note = db
            .define_dynamic(
                "Note",
                [
                    Attribute::new("id", DataType::Integer),
                    Attribute::new("text", DataType::Text),
                    Attribute::new("created_at", DataType::Date(None)).not_null(),
                    Attribute::new("updated_at", DataType::Date(None)).not_null(),
                    Attribute::new("deleted_at", DataType::Date(None)),
                ],
                ModelOptions {
                    paranoid: true,
                    underscored: true,
                    ..Default::default()
                },
            )
            .unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        for text in ["a", "b", "c"] {
            note.create([("text", Value::from(text))])
                .exec(&db)
                .await
                .unwrap();
        }
        let texts = |rows: Vec<DynInstance>| {
            rows.iter()
                .map(|r| r.get::<String>("text").unwrap())
                .collect::<Vec<_>>()
        };
        let soft = note
            .destroy()
            .filter(col("text").eq("a"))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(soft, 1);
        let visible = note
            .find_all()
            .order(col("id").asc())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(texts(visible), ["b", "c"]);
        let all = note
            .find_all()
            .paranoid(false)
            .order(col("id").asc())
            .exec(&db)
            .await
            .unwrap();
        assert!(!all[0].value("deleted_at").unwrap().is_null());
        assert_eq!(texts(all), ["a", "b", "c"]);
        // Destroying it again touches nothing: it is already deleted.
        let again = note
            .destroy()
            .filter(col("text").eq("a"))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(again, 0);

        // An instance: destroy, then restore.
        let mut b = note
            .find_one()
            .filter(col("text").eq("b"))
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        b.destroy(&db).await.unwrap();
        assert!(note
            .find_by_pk(2)
            .unwrap()
            .exec(&db)
            .await
            .unwrap()
            .is_none());
        let mut b = note
            .find_by_pk(2)
            .unwrap()
            .paranoid(false)
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        b.restore(&db).await.unwrap();
        assert!(b.value("deleted_at").unwrap().is_null());
        assert!(note
            .find_by_pk(2)
            .unwrap()
            .exec(&db)
            .await
            .unwrap()
            .is_some());

        // Model.restore with a filter; then a forced destroy deletes the row.
        assert_eq!(
            note.restore()
                .filter(col("text").eq("a"))
                .exec(&db)
                .await
                .unwrap(),
            1
        );
        assert_eq!(note.find_all().exec(&db).await.unwrap().len(), 3);
        let forced = note
            .destroy()
            .filter(col("text").eq("c"))
            .force()
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(forced, 1);
        assert_eq!(
            note.find_all()
                .paranoid(false)
                .exec(&db)
                .await
                .unwrap()
                .len(),
            2
        );

        // The same through a derived model.
        db.define::<Memo>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let mut memo = Memo::create(Memo {
            text: "m".into(),
            ..Default::default()
        })
        .exec(&db)
        .await
        .unwrap();
        memo.destroy(&db).await.unwrap();
        assert!(
            memo.deleted_at.is_some(),
            "the instance records its deletion"
        );
        assert!(Memo::find_all().exec(&db).await.unwrap().is_empty());
        // findByPk({ paranoid: false }) reads it, and reload does too.
        let deleted = Memo::find_by_pk(memo.id)
            .paranoid(false)
            .exec(&db)
            .await
            .unwrap();
        assert!(deleted.unwrap().deleted_at.is_some());
        memo.text = "unsaved".into();
        memo.reload(&db).await.unwrap();
        assert_eq!(memo.text, "m");
        let mut hidden = Memo::find_by_pk(memo.id)
            .exec(&db)
            .await
            .unwrap()
            .map(|m| m.into_inner());
        assert!(hidden.is_none());
        hidden = Memo::find_one()
            .paranoid(false)
            .exec(&db)
            .await
            .unwrap()
            .map(|m| m.into_inner());
        assert!(hidden.unwrap().deleted_at.is_some());
        let mut all = Memo::find_all().paranoid(false).exec(&db).await.unwrap();
        all[0].restore(&db).await.unwrap();
        assert!(all[0].deleted_at.is_none());
        assert_eq!(Memo::find_all().exec(&db).await.unwrap().len(), 1);
        let gone = Memo::destroy()
            .filter(Memo::ID.eq(memo.id))
            .force()
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(gone, 1);
        assert!(Memo::find_all()
            .paranoid(false)
            .exec(&db)
            .await
            .unwrap()
            .is_empty());

        // Not paranoid: restore is an error; paranoid without timestamps or without the
        // attribute is refused at definition.
        let tag = db
            .define_dynamic(
                "Tag",
                [Attribute::new("id", DataType::Integer)],
                ModelOptions {
                    timestamps: false,
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(matches!(
            tag.restore().exec(&db).await,
            Err(Error::InvalidQuery(m)) if m.contains("not paranoid")
        ));
        let options = ModelOptions {
            paranoid: true,
            timestamps: false,
            ..Default::default()
        };
        let refused =
            db.define_dynamic("Broken", [Attribute::new("id", DataType::Integer)], options);
        assert!(matches!(refused, Err(Error::Config(_))), "{refused:?}");
        // Without declaring the deletion time, it is added, as Sequelize adds `deletedAt`.
        let options = ModelOptions {
            paranoid: true,
            ..Default::default()
        };
        let implied = db
            .define_dynamic(
                "Implied",
                [Attribute::new("id", DataType::Integer)],
                options,
            )
            .unwrap();
        let def = implied.definition();
        assert_eq!(
            def.deleted_at.map(|i| def.attributes[i].column_name()),
            Some("deletedAt")
        );
    })
    .await;
}

/// `Model.update`, `increment` and `decrement` (issue 7 item 6): one `UPDATE` for every row
/// the filter selects, `updated_at` set, typed and dynamic alike; increments are computed by
/// the database, so concurrent ones are not lost; no filter is an error.
#[tokio::test]
async fn update_increment_and_decrement_rows() {
    for_each_dialect("runtime_update_rows", |db| async move {
        db.define::<Memo>().register().unwrap();
        let counter = db
            .define_dynamic(
                "Counter",
                [
                    Attribute::new("id", DataType::Integer),
                    Attribute::new("name", DataType::String(None)),
                    Attribute::new("hits", DataType::BigInt).not_null(),
                ],
                ModelOptions {
                    timestamps: false,
                    ..Default::default()
                },
            )
            .unwrap();
        db.sync(SyncOptions::default()).await.unwrap();

        // Typed: set, with updated_at maintained; soft-deleted rows are left alone.
        for text in ["a", "b", "c"] {
            Memo::create(Memo {
                text: text.into(),
                ..Default::default()
            })
            .exec(&db)
            .await
            .unwrap();
        }
        Memo::destroy()
            .filter(Memo::TEXT.eq("c"))
            .exec(&db)
            .await
            .unwrap();
        let before = Memo::find_by_pk(1).exec(&db).await.unwrap().unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let changed = Memo::update()
            .set(Memo::TEXT, "z")
            .filter(Memo::TEXT.ne("b"))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(changed, 1, "the soft-deleted row is not updated");
        let after = Memo::find_by_pk(1).exec(&db).await.unwrap().unwrap();
        assert_eq!(after.text, "z");
        assert!(after.updated_at > before.updated_at);
        let deleted = Memo::find_by_pk(3)
            .exec(&db)
            .await
            .unwrap()
            .map(|m| m.text.clone());
        assert_eq!(deleted, None);
        assert!(matches!(
            Memo::update().set(Memo::TEXT, "x").exec(&db).await,
            Err(Error::InvalidQuery(m)) if m.contains("every row")
        ));

        // Dynamic: increment and decrement, checked names and values.
        counter
            .create([("name", Value::from("home")), ("hits", 0.into())])
            .exec(&db)
            .await
            .unwrap();
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (db, counter) = (db.clone(), counter.clone());
                tokio::spawn(async move {
                    counter
                        .update()
                        .increment("hits", 1)
                        .filter(col("name").eq("home"))
                        .exec(&db)
                        .await
                        .unwrap()
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), 1);
        }
        counter
            .update()
            .decrement("hits", 5)
            .set("name", "index")
            .filter(col("id").eq(1))
            .exec(&db)
            .await
            .unwrap();
        let row = counter
            .find_by_pk(1)
            .unwrap()
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<i64>("hits").unwrap(), 15, "no increment lost");
        assert_eq!(row.get::<String>("name").unwrap(), "index");
        let unknown = counter
            .update()
            .set("nope", 1)
            .filter(col("id").eq(1))
            .exec(&db)
            .await;
        assert!(matches!(unknown, Err(Error::InvalidQuery(m)) if m.contains("nope")));
        let not_a_number = counter
            .update()
            .increment("name", 1)
            .filter(col("id").eq(1))
            .exec(&db)
            .await;
        assert!(matches!(not_a_number, Err(Error::InvalidQuery(m)) if m.contains("number")));
        let wrong_type = counter
            .update()
            .set("hits", "many")
            .filter(col("id").eq(1))
            .exec(&db)
            .await;
        assert!(matches!(wrong_type, Err(Error::InvalidQuery(m)) if m.contains("Counter.hits")));
    })
    .await;
}

#[tokio::test]
async fn a_model_without_a_key_gets_sequelizes_implicit_id() {
    for_each_dialect("runtime_implicit_id", |db| async move {
        let tag = db
            .define_dynamic(
                "Tag",
                [Attribute::new("name", DataType::String(None))],
                ModelOptions {
                    timestamps: false,
                    ..Default::default()
                },
            )
            .unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let mut rust = tag
            .create([("name", Value::from("rust"))])
            .exec(&db)
            .await
            .unwrap();
        let sql = tag
            .create([("name", Value::from("sql"))])
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            (
                rust.get::<i64>("id").unwrap(),
                sql.get::<i64>("id").unwrap()
            ),
            (1, 2)
        );
        // The key identifies the row for later saves.
        rust.update(&db, [("name", Value::from("rustlang"))])
            .await
            .unwrap();
        let found = tag.find_by_pk(1).unwrap().exec(&db).await.unwrap().unwrap();
        assert_eq!(found.get::<String>("name").unwrap(), "rustlang");
    })
    .await;
}
