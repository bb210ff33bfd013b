//! Validations on every dialect (issue 8, item 3): each built-in validator's passing and
//! failing values, messages, custom and `async` validators, the null rules, every failure
//! reported at once, and nothing written when validation fails.

mod common;

use common::{count_rows, for_each_dialect};
use sequelize::prelude::*;
use sequelize::{Error, ValidationErrorItem};

#[derive(Model, Debug, Clone)]
#[model(table = "members", timestamps = false)]
struct Member {
    id: i64,
    #[attr(validate(Validator::is_email()))]
    email: String,
    #[attr(validate(Validator::len(8, 100).message("Password must be 8-100 characters")))]
    password: String,
    #[attr(validate(Validator::min(13.0), Validator::max(130.0)))]
    age: Option<i32>,
    #[attr(validate(Validator::is_alphanumeric(), Validator::not_in(["admin", "root"])))]
    username: String,
    #[attr(validate(Validator::custom("isEvenLength", |v: &Value| match v {
        Value::Text(s) if s.len() % 2 == 1 => Err("an even number of characters".into()),
        _ => Ok(()),
    })))]
    code: Option<String>,
    #[attr(validate(Validator::custom_async("notTaken", |v: Value| async move {
        tokio::task::yield_now().await;
        if v == Value::from("taken") { Err("already taken".to_string()) } else { Ok(()) }
    })))]
    nick: Option<String>,
    #[attr(validate(Validator::is_immutable()))]
    handle: Option<String>,
}

fn valid() -> Member {
    Member {
        id: 0,
        email: "ann@example.com".into(),
        password: "correct horse".into(),
        age: Some(30),
        username: "ann1".into(),
        code: Some("ab".into()),
        nick: Some("annie".into()),
        handle: Some("@ann".into()),
    }
}

fn items(result: Result<impl std::fmt::Debug, Error>) -> Vec<ValidationErrorItem> {
    match result {
        Err(Error::Validation(items)) => items,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn every_failure_is_reported_and_nothing_is_written() {
    for_each_dialect("validations_model", |db| async move {
        db.define::<Member>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let bad = Member {
            email: "not-an-email".into(),
            password: "short".into(),
            age: Some(7),
            username: "admin".into(),
            code: Some("abc".into()),
            nick: Some("taken".into()),
            ..valid()
        };
        let found = items(Member::create(bad).exec(&db).await);
        let seen: Vec<(&str, &str, &str)> = found
            .iter()
            .map(|i| {
                (
                    i.path.as_str(),
                    i.validator_key.as_str(),
                    i.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("email", "isEmail", "Validation isEmail on email failed"),
                ("password", "len", "Password must be 8-100 characters"),
                ("age", "min", "Validation min on age failed"),
                ("username", "notIn", "Validation notIn on username failed"),
                ("code", "isEvenLength", "an even number of characters"),
                ("nick", "notTaken", "already taken"),
            ]
        );
        assert_eq!(found[2].value, Value::Int(7));
        // The message never shows the value (a password must not reach a log).
        let shown = Error::Validation(found).to_string();
        assert!(!shown.contains("short"), "{shown}");
        assert_eq!(count_rows(&db, &db, "members").await, 0);

        // A valid row is written; `NULL` skips the built-in validators of a nullable
        // attribute but not its custom ones.
        let mut member = Member::create(valid()).exec(&db).await.unwrap();
        let nulls = Member {
            email: "bob@example.com".into(),
            username: "bob".into(),
            age: None,
            code: None,
            nick: None,
            handle: None,
            ..valid()
        };
        Member::create(nulls).exec(&db).await.unwrap();

        // save validates the changed attributes only, before any SQL.
        member.password = "tiny".into();
        let on_save = items(member.save(&db).await);
        assert_eq!(on_save.len(), 1);
        assert_eq!(on_save[0].path, "password");
        member.password = "long enough now".into();
        member.save(&db).await.unwrap();

        // isImmutable: a saved value may not change.
        member.handle = Some("@other".into());
        let immutable = items(member.save(&db).await);
        assert_eq!(immutable[0].validator_key, "isImmutable");
        member.handle = Some("@ann".into());

        // The static update validates the values it sets.
        let update = Member::update()
            .set(Member::EMAIL, "nope")
            .filter(Member::ID.gt(0))
            .exec(&db)
            .await;
        assert_eq!(items(update)[0].validator_key, "isEmail");
        let emails = Member::find_all()
            .order(Member::ID.asc())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(emails[0].email, "ann@example.com");
        assert_eq!(emails[0].password, "long enough now");
        assert_eq!(count_rows(&db, &db, "members").await, 2);
    })
    .await;
}

/// Every built-in validator with a value it accepts and one it refuses, through a dynamic
/// model (one nullable attribute per validator, so each row sets one value).
#[tokio::test]
async fn each_built_in_validator_passes_and_fails() {
    let y2k = "2000-01-01T00:00:00Z".parse().unwrap();
    let cases: Vec<(Validator, Value, Value)> = vec![
        (Validator::is("^[a-z]+$"), "abc".into(), "ab1".into()),
        (Validator::not("[0-9]"), "abc".into(), "ab1".into()),
        (
            Validator::is_email(),
            "a.b@example.org".into(),
            "a@b".into(),
        ),
        (
            Validator::is_url(),
            "https://example.com/x".into(),
            "ftp//nope".into(),
        ),
        (Validator::is_ip(), "192.168.0.1".into(), "300.1.1.1".into()),
        (Validator::is_ipv4(), "10.0.0.1".into(), "::1".into()),
        (Validator::is_ipv6(), "::1".into(), "10.0.0.1".into()),
        (Validator::is_alpha(), "abc".into(), "ab c".into()),
        (Validator::is_alphanumeric(), "abc1".into(), "abc-1".into()),
        (Validator::is_numeric(), "-1.5".into(), "1.5.5".into()),
        (Validator::is_int(), "42".into(), "4.2".into()),
        (Validator::is_float(), "4.2e1".into(), "4.2f".into()),
        (Validator::is_decimal(), "-0.25".into(), "1,5".into()),
        (Validator::is_lowercase(), "abc".into(), "aBc".into()),
        (Validator::is_uppercase(), "ABC".into(), "aBC".into()),
        (Validator::is_null(), "".into(), "x".into()),
        (Validator::not_empty(), "x".into(), "  ".into()),
        (Validator::equals("yes"), "yes".into(), "no".into()),
        (Validator::contains("@"), "a@b".into(), "ab".into()),
        (Validator::not_contains(["<"]), "ab".into(), "<b>".into()),
        (Validator::is_in(["a", "b"]), "a".into(), "c".into()),
        (Validator::not_in(["a", "b"]), "c".into(), "a".into()),
        (Validator::len(2, 3), "abc".into(), "abcd".into()),
        (Validator::min(10.0), Value::Int(10), Value::Int(9)),
        (Validator::max(10.0), "10".into(), "10.5".into()),
        (
            Validator::is_uuid(Some(4)),
            "a3bb189e-8bf9-4888-9912-ace4e6543002".into(),
            "a3bb189e-8bf9-1888-9912-ace4e6543002".into(),
        ),
        (
            Validator::is_date(),
            "2024-02-29".into(),
            "2024-02-30".into(),
        ),
        (
            Validator::is_after(y2k),
            "2001-01-01".into(),
            "1999-12-31".into(),
        ),
        (
            Validator::is_before(y2k),
            "1999-12-31".into(),
            "2001-01-01".into(),
        ),
        (
            Validator::is_array(),
            serde_json::json!([1]).into(),
            serde_json::json!({}).into(),
        ),
        (
            Validator::is_credit_card(),
            "4111111111111111".into(),
            "4111111111111112".into(),
        ),
        (Validator::is_json(), "[1, 2]".into(), "[1, 2".into()),
        (Validator::is_hex_color(), "#ffcc00".into(), "#ffcc0".into()),
    ];
    for_each_dialect("validations_built_in", |db| {
        let cases = cases.clone();
        async move {
            let attributes = cases.iter().enumerate().map(|(i, (validator, pass, _))| {
                let data_type = match pass {
                    Value::Int(_) => DataType::BigInt,
                    Value::Json(_) => DataType::Json,
                    _ => DataType::Text,
                };
                Attribute::new(format!("v{i}"), data_type).validate(validator.clone())
            });
            let model = db
                .define_dynamic(
                    "Sample",
                    std::iter::once(Attribute::new("id", DataType::BigInt)).chain(attributes),
                    ModelOptions {
                        timestamps: false,
                        ..Default::default()
                    },
                )
                .unwrap();
            db.sync(SyncOptions::default()).await.unwrap();
            for (i, (validator, pass, fail)) in cases.iter().enumerate() {
                let name = format!("v{i}");
                let key = validator.key();
                model
                    .create([(name.as_str(), pass.clone())])
                    .exec(&db)
                    .await
                    .unwrap_or_else(|e| panic!("{key} refused {pass:?}: {e}"));
                let refused = items(
                    model
                        .create([(name.as_str(), fail.clone())])
                        .exec(&db)
                        .await,
                );
                assert_eq!(
                    (
                        refused.len(),
                        refused[0].validator_key.as_str(),
                        refused[0].path.as_str()
                    ),
                    (1, key, name.as_str()),
                    "{key} with {fail:?}"
                );
            }
            assert_eq!(count_rows(&db, &db, "Samples").await, cases.len() as i64);
        }
    })
    .await;
}

#[tokio::test]
async fn null_rules_and_definition_errors() {
    for_each_dialect("validations_null", |db| async move {
        let model = db
            .define_dynamic(
                "Account",
                [
                    Attribute::new("id", DataType::BigInt),
                    Attribute::new("name", DataType::String(None))
                        .not_null()
                        .validate(Validator::len(3, 10)),
                    Attribute::new("note", DataType::String(None)).validate(Validator::custom(
                        "noteGiven",
                        |v: &Value| {
                            if v.is_null() {
                                Err("say something".into())
                            } else {
                                Ok(())
                            }
                        },
                    )),
                ],
                ModelOptions {
                    timestamps: false,
                    ..Default::default()
                },
            )
            .unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        // allowNull: false with NULL: only the notNull item; `len` does not run. A nullable
        // attribute's custom validator still runs on NULL.
        let found = items(model.create(Vec::<(&str, Value)>::new()).exec(&db).await);
        let seen: Vec<(&str, &str)> = found
            .iter()
            .map(|i| (i.path.as_str(), i.validator_key.as_str()))
            .collect();
        assert_eq!(seen, [("name", "is_null"), ("note", "noteGiven")]);
        assert_eq!(found[0].message, "Account.name cannot be null");
        assert_eq!(count_rows(&db, &db, "Accounts").await, 0);

        // A string attribute given an array or an object (Sequelize's 'string violation').
        let structured = model
            .create([("name", Value::from(serde_json::json!({ "a": 1 })))])
            .exec(&db)
            .await;
        let found = items(structured);
        assert_eq!(
            (found[0].path.as_str(), found[0].validator_key.as_str()),
            ("name", "not_a_string")
        );

        // A pattern that does not compile is an error when the model is defined.
        let bad = db.define_dynamic(
            "Broken",
            [Attribute::new("code", DataType::Text).validate(Validator::is("("))],
            ModelOptions::default(),
        );
        assert!(
            matches!(&bad, Err(Error::Config(m)) if m.contains("Broken") && m.contains("code")),
            "{bad:?}"
        );
    })
    .await;
}

#[derive(Model, Debug, Clone)]
#[model(table = "places")]
struct Place {
    id: i64,
    #[attr(validate(Validator::not_empty()))]
    name: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn place(name: &str, latitude: Option<f64>, longitude: Option<f64>) -> Place {
    Place {
        id: 0,
        name: name.into(),
        latitude,
        longitude,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

#[tokio::test]
async fn model_validators_validate_false_fields_and_manual_validation() {
    use sequelize::model::SaveOptions;
    for_each_dialect("validations_model_level", |db| async move {
        db.define::<Place>()
            .validate("bothCoordsOrNone", |row| {
                let set = |name| row.value(name).is_some_and(|v| !v.is_null());
                if set("latitude") == set("longitude") {
                    Ok(())
                } else {
                    Err("Either both latitude and longitude, or neither!".into())
                }
            })
            .register()
            .unwrap();
        db.sync(SyncOptions::default()).await.unwrap();

        // The model validator runs after the attribute validators; both are reported.
        let found = items(Place::create(place("", Some(1.0), None)).exec(&db).await);
        let seen: Vec<(&str, &str)> = found
            .iter()
            .map(|i| (i.path.as_str(), i.validator_key.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("name", "notEmpty"),
                ("bothCoordsOrNone", "bothCoordsOrNone")
            ]
        );
        assert_eq!(
            found[1].message,
            "Either both latitude and longitude, or neither!"
        );

        // instance.validate() checks without writing.
        let draft = Place::build(place("Home", None, Some(2.0)));
        assert_eq!(items(draft.validate(&db).await)[0].path, "bothCoordsOrNone");
        Place::build(place("Home", None, None))
            .validate(&db)
            .await
            .unwrap();
        assert_eq!(count_rows(&db, &db, "places").await, 0);

        // validate(false) writes what the validators would refuse.
        let mut unchecked = Place::create(place("", Some(1.0), None))
            .validate(false)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(count_rows(&db, &db, "places").await, 1);

        // fields: only the named attributes are written (and validated; the model
        // validators see the whole instance, as in Sequelize).
        unchecked.name = "Office".into();
        unchecked.latitude = None;
        unchecked
            .save_with(&db, SaveOptions::default().fields(["name"]))
            .await
            .unwrap();
        let stored = Place::find_by_pk(unchecked.id)
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (stored.name.as_str(), stored.latitude),
            ("Office", Some(1.0))
        );
        let unknown = unchecked
            .save_with(&db, SaveOptions::default().fields(["nope"]))
            .await;
        assert!(matches!(unknown, Err(Error::InvalidQuery(m)) if m.contains("nope")));
    })
    .await;
}
