//! Getters, setters and virtual attributes (issue 8, item 8): a virtual field is computed
//! from the others after every read and write, is in the JSON, and has no column; a setter
//! transforms a value before it is validated and written, once. On every dialect.

mod common;

use common::for_each_dialect;
use sequelize::prelude::*;
use sequelize::Error;

fn normalize_email(email: String) -> String {
    email.trim().to_lowercase()
}

#[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
#[model(timestamps = false)]
struct Person {
    id: i64,
    first_name: String,
    last_name: String,
    #[attr(set = normalize_email, validate(Validator::is_email()))]
    email: String,
    #[attr(virtual(get = Person::full_name_of))]
    full_name: String,
}

impl Person {
    fn full_name_of(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

fn person(first: &str, last: &str, email: &str) -> Person {
    Person {
        first_name: first.into(),
        last_name: last.into(),
        email: email.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn virtual_fields_are_computed_and_setters_run_before_validation() {
    for_each_dialect("virtual_fields", |db| async move {
        let dialect = db.dialect().name();
        db.define::<Person>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let columns: Vec<String> = (db.query_interface().describe_columns("People").await)
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert!(
            !columns.iter().any(|c| c.contains("ull")),
            "{dialect}: {columns:?}"
        );

        // The raw address is no email; the setter's is.
        let mut ann = Person::create(person("Ann", "Lee", "  ANN@Example.COM "))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(ann.email, "ann@example.com", "{dialect}");
        assert_eq!(ann.full_name, "Ann Lee", "{dialect}");
        let json = serde_json::to_value(&*ann).unwrap();
        assert_eq!(json["full_name"], "Ann Lee");

        ann.last_name = "Ray".into();
        ann.save(&db).await.unwrap();
        assert_eq!(
            ann.full_name, "Ann Ray",
            "{dialect}: recomputed after the save"
        );
        let read = Person::find_by_pk(ann.id).exec(&db).await.unwrap().unwrap();
        assert_eq!(
            (read.full_name.as_str(), read.email.as_str()),
            ("Ann Ray", "ann@example.com")
        );

        let many = Person::bulk_create([
            person("Bob", "Ng", " BOB@x.org"),
            person("Cy", "Od", "CY@x.org"),
        ])
        .validate(true)
        .exec(&db)
        .await
        .unwrap();
        let names: Vec<(&str, &str)> = many
            .iter()
            .map(|p| (p.full_name.as_str(), p.email.as_str()))
            .collect();
        assert_eq!(
            names,
            [("Bob Ng", "bob@x.org"), ("Cy Od", "cy@x.org")],
            "{dialect}"
        );

        let refused = Person::create(person("D", "E", "not an email"))
            .exec(&db)
            .await;
        assert!(
            matches!(refused, Err(Error::Validation(_))),
            "{dialect}: {refused:?}"
        );
    })
    .await;
}

/// The same on a model defined at run time: `add_virtual` (its dependencies read when a
/// finder asks for it) and `add_setter` (before validation).
#[tokio::test]
async fn dynamic_models_take_virtual_attributes_and_setters() {
    for_each_dialect("dynamic_virtual_fields", |db| async move {
        let dialect = db.dialect().name();
        let people = db
            .define_dynamic(
                "Person",
                [
                    Attribute::new("first_name", DataType::String(None)),
                    Attribute::new("last_name", DataType::String(None)),
                    Attribute::new("email", DataType::String(None)).validate(Validator::is_email()),
                ],
                ModelOptions::default(),
            )
            .unwrap();
        people
            .add_virtual("full_name", ["first_name", "last_name"], |p| {
                let first: String = p.get("first_name")?;
                let last: String = p.get("last_name")?;
                Ok(Value::from(format!("{first} {last}")))
            })
            .unwrap();
        people
            .add_setter("email", |v| {
                Ok(match v {
                    Value::Text(email) => Value::Text(normalize_email(email)),
                    other => other,
                })
            })
            .unwrap();
        assert!(people
            .add_virtual("email", ["first_name"], |_| Ok(Value::Null))
            .is_err());
        db.sync(SyncOptions::default()).await.unwrap();
        let ann = people
            .create([
                ("first_name", Value::from("Ann")),
                ("last_name", "Lee".into()),
                ("email", " ANN@Example.COM ".into()),
            ])
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            ann.get::<String>("email").unwrap(),
            "ann@example.com",
            "{dialect}"
        );
        let found = people
            .find_all()
            .attributes(["full_name"])
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            found[0].get::<String>("full_name").unwrap(),
            "Ann Lee",
            "{dialect}"
        );
        assert!(
            found[0].get::<Option<String>>("email").unwrap().is_none(),
            "{dialect}: not read"
        );
        let json = serde_json::to_value(&found[0]).unwrap();
        assert_eq!(json["full_name"], "Ann Lee", "{dialect}");
    })
    .await;
}

fn last_four(number: String) -> String {
    format!("**** {}", &number[number.len().saturating_sub(4)..])
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(timestamps = false)]
struct Card {
    id: i64,
    #[attr(get = last_four)]
    number: String,
    holder: String,
}

/// A getter on a stored attribute transforms what is read; the stored value stays as it is
/// while the attribute is not changed.
#[tokio::test]
async fn getters_transform_what_is_read() {
    for_each_dialect("getters", |db| async move {
        let dialect = db.dialect().name();
        db.define::<Card>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let card = Card::create(Card {
            id: 0,
            number: "4111111111111111".into(),
            holder: "Ann".into(),
        })
        .exec(&db)
        .await
        .unwrap();
        let mut read = Card::find_by_pk(card.id).exec(&db).await.unwrap().unwrap();
        assert_eq!(read.number, "**** 1111", "{dialect}");
        read.holder = "Ann Lee".into();
        read.save(&db).await.unwrap();
        let stored = db
            .query(sequelize::AssertSqlSafe(format!(
                "SELECT {} FROM {}",
                common::q(&db, "number"),
                common::q(&db, "Cards")
            )))
            .plain()
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.get_index::<String>(0).unwrap(),
            "4111111111111111",
            "{dialect}"
        );
    })
    .await;
}
