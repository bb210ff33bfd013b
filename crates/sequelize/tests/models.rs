//! Models on every dialect: derive, sync, create, finders, filters, save, destroy.

mod common;

use common::for_each_dialect;
use sequelize::prelude::*;
use sequelize::{col, Error};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "users", underscored)]
struct User {
    #[attr(primary_key, default = uuid_v4)]
    id: Uuid,
    #[attr(unique)]
    email: String,
    first_name: Option<String>,
    #[attr(values("active", "inactive", "banned"), default = "active")]
    status: String,
    #[attr(default = 0)]
    login_count: i32,
    score: Option<f64>,
    #[attr(data_type = DataType::Decimal(Some((12, 2))))]
    balance: Option<Decimal>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Not underscored: columns are camelCase, as in Sequelize's default; the table name is
/// the pluralized model name.
#[derive(Model, Debug, Clone)]
struct Post {
    id: i64,
    #[attr(field = "headline")]
    title: String,
    view_count: i32,
    published: bool,
    author_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

/// A JSON document per row, for documents that are not objects.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "docs", underscored, timestamps = false)]
struct Doc {
    id: i64,
    body: serde_json::Value,
    extra: Option<serde_json::Value>,
}

/// Decimals with and without a declared precision.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ledger", underscored, timestamps = false)]
struct Ledger {
    id: i64,
    bare: Option<Decimal>,
    #[attr(data_type = DataType::Decimal(Some((10, 2))))]
    fixed: Option<Decimal>,
}

async fn setup(db: &Sequelize) {
    db.define::<User>().register().unwrap();
    db.define::<Post>().register().unwrap();
    db.sync(SyncOptions::default()).await.unwrap();
}

fn user(email: &str) -> User {
    User {
        email: email.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn definitions_follow_sequelize_naming() {
    let users = User::definition();
    assert_eq!(users.table_name, "users");
    assert_eq!(users.attributes[2].column_name(), "first_name");
    assert!(users.attributes[2].column.allow_null);
    assert!(!users.attributes[1].column.allow_null);
    let posts = Post::definition();
    assert_eq!(posts.table_name, "Posts");
    assert_eq!(posts.attributes[1].column_name(), "headline");
    assert_eq!(posts.attributes[2].column_name(), "viewCount");
    assert!(posts.attributes[0].column.auto_increment);
    assert_eq!(posts.created_at, Some(5));
    // Not declared: added, as Sequelize adds `updatedAt`, after the struct's fields.
    assert_eq!(posts.updated_at, Some(6));
    assert!(posts.attributes[6].is_implicit());
    assert_eq!(posts.attributes[6].column_name(), "updatedAt");
}

#[tokio::test]
async fn create_fills_keys_defaults_and_timestamps() {
    for_each_dialect("create_defaults", |db| async move {
        setup(&db).await;
        let before = Utc::now() - chrono::Duration::seconds(5);
        let ann = User::create(user("ann@example.com"))
            .exec(&db)
            .await
            .unwrap();
        assert!(!ann.id.is_nil());
        assert_eq!(ann.status, "active");
        assert_eq!(ann.login_count, 0);
        assert!(ann.created_at > before && ann.created_at == ann.updated_at);
        assert!(!ann.is_new_record());

        let p1 = Post::create(Post {
            title: "Hello".into(),
            author_id: Some(ann.id),
            ..Default::default()
        })
        .exec(&db)
        .await
        .unwrap();
        let p2 = Post::create(Post {
            title: "Again".into(),
            ..Default::default()
        })
        .exec(&db)
        .await
        .unwrap();
        assert!(
            p1.id > 0 && p2.id == p1.id + 1,
            "generated keys {} {}",
            p1.id,
            p2.id
        );

        let found = User::find_by_pk(ann.id).exec(&db).await.unwrap().unwrap();
        assert_eq!(found.email, "ann@example.com");
        assert_eq!(found.first_name, None);
        // Timestamps round-trip to the millisecond on every dialect.
        assert_eq!(
            found.created_at.timestamp_millis(),
            ann.created_at.timestamp_millis()
        );
        assert!(User::find_by_pk(Uuid::new_v4())
            .exec(&db)
            .await
            .unwrap()
            .is_none());
    })
    .await;
}

#[tokio::test]
async fn filters_order_limit_offset() {
    for_each_dialect("filters", |db| async move {
        setup(&db).await;
        for (i, (email, name, status)) in [
            ("a@x.io", Some("Ann"), "active"),
            ("b@x.io", None, "inactive"),
            ("c@y.io", Some("Cid"), "banned"),
            ("d@y.io", Some("Dee"), "active"),
        ]
        .into_iter()
        .enumerate()
        {
            User::create(User {
                first_name: name.map(Into::into),
                status: status.into(),
                login_count: i32::try_from(i).unwrap() * 10,
                ..user(email)
            })
            .exec(&db)
            .await
            .unwrap();
        }
        let emails = |rows: Vec<Instance<User>>| -> Vec<String> {
            rows.into_iter().map(|u| u.into_inner().email).collect()
        };
        let find = |filter: sequelize::sql::Expr| {
            User::find_all()
                .filter(filter)
                .order(User::EMAIL.asc())
                .exec(&db)
        };
        assert_eq!(
            emails(find(User::STATUS.eq("active")).await.unwrap()),
            ["a@x.io", "d@y.io"]
        );
        assert_eq!(
            emails(find(User::STATUS.ne("active")).await.unwrap()),
            ["b@x.io", "c@y.io"]
        );
        assert_eq!(
            emails(find(User::LOGIN_COUNT.gt(10)).await.unwrap()),
            ["c@y.io", "d@y.io"]
        );
        assert_eq!(
            emails(find(User::LOGIN_COUNT.gte(10)).await.unwrap()).len(),
            3
        );
        assert_eq!(
            emails(find(User::LOGIN_COUNT.lt(10)).await.unwrap()),
            ["a@x.io"]
        );
        assert_eq!(
            emails(find(User::LOGIN_COUNT.lte(10)).await.unwrap()).len(),
            2
        );
        assert_eq!(
            emails(
                find(User::EMAIL.is_in(["a@x.io", "c@y.io", "zz"]))
                    .await
                    .unwrap()
            ),
            ["a@x.io", "c@y.io"]
        );
        assert_eq!(
            emails(find(User::EMAIL.not_in(["a@x.io"])).await.unwrap()).len(),
            3
        );
        assert!(find(User::EMAIL.is_in(Vec::<String>::new()))
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            find(User::EMAIL.not_in(Vec::<String>::new()))
                .await
                .unwrap()
                .len(),
            4
        );
        assert_eq!(
            emails(find(User::EMAIL.like("%@y.io")).await.unwrap()),
            ["c@y.io", "d@y.io"]
        );
        assert_eq!(
            emails(find(User::EMAIL.not_like("%@y.io")).await.unwrap()).len(),
            2
        );
        assert_eq!(
            emails(find(User::FIRST_NAME.is_null()).await.unwrap()),
            ["b@x.io"]
        );
        assert_eq!(
            emails(find(User::FIRST_NAME.is_not_null()).await.unwrap()).len(),
            3
        );
        assert_eq!(
            emails(
                find(User::STATUS.eq("active").and(User::LOGIN_COUNT.gt(0)))
                    .await
                    .unwrap()
            ),
            ["d@y.io"]
        );
        assert_eq!(
            emails(
                find(or([User::STATUS.eq("banned"), User::FIRST_NAME.is_null()]))
                    .await
                    .unwrap()
            ),
            ["b@x.io", "c@y.io"]
        );
        assert_eq!(
            emails(find(not(User::STATUS.eq("active"))).await.unwrap()),
            ["b@x.io", "c@y.io"]
        );
        assert_eq!(
            emails(
                find(and([
                    col("status").eq("active"),
                    col("first_name").eq("Dee")
                ]))
                .await
                .unwrap()
            ),
            ["d@y.io"]
        );
        let page = User::find_all()
            .order(User::LOGIN_COUNT.desc())
            .limit(2)
            .offset(1)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(emails(page), ["c@y.io", "b@x.io"]);
        let skipped = User::find_all()
            .order(User::EMAIL.asc())
            .offset(3)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(emails(skipped), ["d@y.io"]);
        let one = User::find_one()
            .filter(User::STATUS.eq("active"))
            .order(User::EMAIL.desc())
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(one.email, "d@y.io");
        assert!(User::find_one()
            .filter(User::EMAIL.eq("nobody"))
            .exec(&db)
            .await
            .unwrap()
            .is_none());
    })
    .await;
}

#[tokio::test]
async fn bad_filters_are_errors_before_sql() {
    for_each_dialect("bad_filters", |db| async move {
        setup(&db).await;
        let unknown = User::find_all()
            .filter(col("passwd").eq("x"))
            .exec(&db)
            .await;
        assert!(matches!(unknown, Err(Error::InvalidQuery(m)) if m.contains("passwd")));
        let injected_order = User::find_all()
            .order(col("(CASE WHEN 1=1 THEN email ELSE id END)").asc())
            .exec(&db)
            .await;
        assert!(matches!(injected_order, Err(Error::InvalidQuery(_))));
        let not_a_key = Post::find_by_pk("1 OR 1=1").exec(&db).await;
        assert!(matches!(not_a_key, Err(Error::InvalidQuery(m)) if m.contains("Post.id")));
        let empty = User::find_all().filter(and([])).exec(&db).await;
        assert!(matches!(empty, Err(Error::InvalidQuery(_))));
        // `{ first_name: null }` is `IS NULL`, as in Sequelize; only a hand-built `=` NULL
        // comparison is refused.
        let null_eq = User::find_all()
            .filter(col("first_name").eq(Value::Null))
            .exec(&db)
            .await;
        assert!(null_eq.is_ok(), "{null_eq:?}");
        let raw_null = User::find_all()
            .filter(sequelize::sql::Expr::column("first_name").eq(Value::Null))
            .exec(&db)
            .await;
        assert!(matches!(raw_null, Err(Error::InvalidQuery(m)) if m.contains("is_null")));
    })
    .await;
}

#[tokio::test]
async fn save_writes_only_changed_attributes() {
    for_each_dialect("save_changed", |db| async move {
        setup(&db).await;
        let mut ann = User::create(user("ann@example.com"))
            .exec(&db)
            .await
            .unwrap();
        let created = ann.updated_at;

        // Another writer changes a column this instance will not touch.
        db.query(sequelize::AssertSqlSafe(format!(
            "UPDATE {} SET {} = 99",
            common::q(&db, "users"),
            common::q(&db, "login_count")
        )))
        .exec()
        .await
        .unwrap();

        assert!(ann.changed().is_empty());
        ann.save(&db).await.unwrap(); // nothing changed: no statement
        ann.first_name = Some("Ann".into());
        assert_eq!(ann.changed(), vec!["first_name"]);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        ann.save(&db).await.unwrap();
        assert!(ann.changed().is_empty());
        assert!(ann.updated_at > created);

        let stored = User::find_by_pk(ann.id).exec(&db).await.unwrap().unwrap();
        assert_eq!(stored.first_name.as_deref(), Some("Ann"));
        // login_count was not written back: the other writer's value survives.
        assert_eq!(stored.login_count, 99);

        // A built instance is inserted by save().
        let mut built = User::build(user("bob@example.com"));
        assert!(built.is_new_record());
        built.save(&db).await.unwrap();
        assert!(User::find_by_pk(built.id)
            .exec(&db)
            .await
            .unwrap()
            .is_some());
    })
    .await;
}

#[tokio::test]
async fn destroy_needs_a_filter() {
    for_each_dialect("destroy", |db| async move {
        setup(&db).await;
        let ann = User::create(user("ann@example.com"))
            .exec(&db)
            .await
            .unwrap();
        let mut bob = User::create(user("bob@example.com"))
            .exec(&db)
            .await
            .unwrap();
        let everything = User::destroy().exec(&db).await;
        assert!(matches!(everything, Err(Error::InvalidQuery(m)) if m.contains("every row")));
        let empty = User::destroy().filter(and([])).exec(&db).await;
        assert!(matches!(empty, Err(Error::InvalidQuery(_))));
        assert_eq!(User::find_all().exec(&db).await.unwrap().len(), 2);

        let gone = User::destroy()
            .filter(User::EMAIL.eq("ann@example.com"))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(gone, 1);
        assert!(User::find_by_pk(ann.id).exec(&db).await.unwrap().is_none());
        bob.destroy(&db).await.unwrap();
        assert!(User::find_all().exec(&db).await.unwrap().is_empty());
    })
    .await;
}

/// An empty condition nested anywhere in a filter used to render as `1 = 1`, so
/// `destroy().filter(or([and([])]))` deleted every row. Each shape is now an error before any
/// SQL, for finders and destroy alike, and no row goes.
#[tokio::test]
async fn empty_conditions_at_any_depth_are_errors() {
    for_each_dialect("empty_nested", |db| async move {
        setup(&db).await;
        for email in ["ann@example.com", "bob@example.com"] {
            User::create(user(email)).exec(&db).await.unwrap();
        }
        let ann = || User::EMAIL.eq("ann@example.com");
        let shapes = || {
            vec![
                or([and([])]),
                and([]).or(ann()),
                ann().or(and([])),
                not(and([])),
                or([]),
                and([ann(), or([ann(), not(and([]))])]),
            ]
        };
        for shape in shapes() {
            let shown = format!("{shape:?}");
            let destroyed = User::destroy().filter(shape).exec(&db).await;
            assert!(
                matches!(&destroyed, Err(Error::InvalidQuery(m)) if m.contains("empty")),
                "destroy {shown}: {destroyed:?}"
            );
        }
        for shape in shapes() {
            let shown = format!("{shape:?}");
            let found = User::find_all().filter(shape).exec(&db).await;
            assert!(
                matches!(&found, Err(Error::InvalidQuery(_))),
                "find_all {shown}"
            );
        }
        let one = User::find_one().filter(or([and([])])).exec(&db).await;
        assert!(matches!(one, Err(Error::InvalidQuery(_))));
        assert_eq!(User::find_all().exec(&db).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn values_round_trip_through_models() {
    for_each_dialect("round_trip", |db| async move {
        setup(&db).await;
        let balance: Decimal = "12345.67".parse().unwrap();
        let u = User::create(User {
            first_name: Some("Zoë 🦀 O'Brien \\ \"q\"".into()),
            score: Some(-0.125),
            balance: Some(balance),
            ..user("unicode@example.com")
        })
        .exec(&db)
        .await
        .unwrap();
        let back = User::find_by_pk(u.id).exec(&db).await.unwrap().unwrap();
        assert_eq!(back.first_name.as_deref(), Some("Zoë 🦀 O'Brien \\ \"q\""));
        assert_eq!(back.score, Some(-0.125));
        assert_eq!(back.balance.map(|b| b.normalize()), Some(balance));
        let post = Post::create(Post {
            title: "t".into(),
            view_count: i32::MAX,
            published: true,
            ..Default::default()
        })
        .exec(&db)
        .await
        .unwrap();
        let back = Post::find_by_pk(post.id).exec(&db).await.unwrap().unwrap();
        assert_eq!(back.view_count, i32::MAX);
        assert!(back.published);
    })
    .await;
}

/// A JSON document that is a bare number, string, boolean or array round-trips through a model
/// (SQLite stored `42` in a `JSON` column as an integer, and `create` then failed to decode
/// the row it had just inserted).
#[tokio::test]
async fn json_scalars_and_arrays_round_trip() {
    for_each_dialect("json_scalars", |db| async move {
        db.define::<Doc>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let documents = [
            serde_json::json!(42),
            serde_json::json!(-1.5),
            serde_json::json!("x"),
            serde_json::json!("42"),
            serde_json::json!(true),
            serde_json::json!([1]),
            serde_json::json!({"a": [1, "b", null]}),
        ];
        for body in documents {
            let created = Doc::create(Doc {
                body: body.clone(),
                extra: Some(body.clone()),
                ..Default::default()
            })
            .exec(&db)
            .await
            .unwrap_or_else(|e| panic!("create {body}: {e}"));
            assert_eq!(created.body, body);
            let back = Doc::find_by_pk(created.id)
                .exec(&db)
                .await
                .unwrap_or_else(|e| panic!("read {body}: {e}"))
                .unwrap();
            assert_eq!(back.body, body, "{body}");
            assert_eq!(back.extra.as_ref(), Some(&body), "{body}");
        }
        assert_eq!(Doc::find_all().exec(&db).await.unwrap().len(), 7);
    })
    .await;
}

/// A decimal is never rounded silently: a bare `DECIMAL` keeps 12345678.91 (MySQL and MariaDB
/// read a bare `DECIMAL` as `DECIMAL(10,0)`), and a value that does not fit its declared
/// precision, or SQLite's double, is a validation error naming the attribute, with nothing
/// written.
#[tokio::test]
async fn decimals_are_kept_or_refused_never_rounded() {
    for_each_dialect("decimals", |db| async move {
        db.define::<Ledger>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let dec = |s: &str| s.parse::<Decimal>().unwrap();
        let floating_limit = db.dialect().supports().decimal_significant_digits;
        let mut exact = vec!["12345678.91", "-0.5", "1234567890123.45", "0"];
        let wide = ["1234567890123456.78", "0.1234567890123456789012345678"];
        if floating_limit.is_none() {
            exact.extend(wide);
        }
        for text in exact {
            let row = Ledger::create(Ledger {
                bare: Some(dec(text)),
                fixed: None,
                ..Default::default()
            })
            .exec(&db)
            .await
            .unwrap_or_else(|e| panic!("{text}: {e}"));
            let back = Ledger::find_by_pk(row.id).exec(&db).await.unwrap().unwrap();
            assert_eq!(back.bare, Some(dec(text)), "bare DECIMAL changed {text}");
        }
        let stored = Ledger::find_all().exec(&db).await.unwrap().len();

        let mut refused = vec![(
            "fixed",
            Ledger {
                fixed: Some(dec("1.234")),
                ..Default::default()
            },
        )];
        refused.push((
            "fixed",
            Ledger {
                fixed: Some(dec("123456789.1")),
                ..Default::default()
            },
        ));
        if floating_limit.is_some() {
            for text in wide {
                refused.push((
                    "bare",
                    Ledger {
                        bare: Some(dec(text)),
                        ..Default::default()
                    },
                ));
            }
        }
        for (attribute, data) in refused {
            let shown = format!("{data:?}");
            match Ledger::create(data).exec(&db).await {
                Err(Error::Validation(items)) => {
                    assert_eq!(items.len(), 1, "{shown}");
                    assert_eq!(items[0].path, attribute, "{shown}");
                }
                other => panic!("{shown}: expected a validation error, got {other:?}"),
            }
        }
        assert_eq!(Ledger::find_all().exec(&db).await.unwrap().len(), stored);

        // save() checks the changed value too, and leaves the stored row alone.
        let mut row = Ledger::create(Ledger {
            fixed: Some(dec("12345678.91")),
            ..Default::default()
        })
        .exec(&db)
        .await
        .unwrap();
        row.fixed = Some(dec("0.125"));
        assert!(matches!(row.save(&db).await, Err(Error::Validation(_))));
        let back = Ledger::find_by_pk(row.id).exec(&db).await.unwrap().unwrap();
        assert_eq!(back.fixed, Some(dec("12345678.91")));
    })
    .await;
}

#[tokio::test]
async fn unique_violation_names_the_field() {
    for_each_dialect("unique", |db| async move {
        setup(&db).await;
        User::create(user("dup@example.com"))
            .exec(&db)
            .await
            .unwrap();
        let err = User::create(user("dup@example.com"))
            .exec(&db)
            .await
            .unwrap_err();
        match &err {
            Error::UniqueConstraint { fields, .. } => {
                assert!(fields.iter().any(|f| f.contains("email")), "{fields:?}");
            }
            other => panic!("expected a unique violation, got {other:?}"),
        }
        let text = err.to_string();
        assert!(
            !text.contains("dup@example.com"),
            "error text leaks the value: {text}"
        );
    })
    .await;
}
