//! Attribute and model options that shape the schema (issue 8, items 2 and 9): foreign keys
//! with `onDelete`/`onUpdate` and `sync` in dependency order, composite unique keys,
//! indexes with their options (created once, never duplicated by a repeated sync), comments,
//! MySQL's table options, literal and UUIDv1 defaults, and `omitNull`; on every dialect.

mod common;

use common::{for_each_dialect, q};
use sequelize::model::{Index, IndexField};
use sequelize::prelude::*;
use sequelize::sql::{IndexKind, IndexMethod};
use sequelize::{AssertSqlSafe, Error};

// Defined before the model it refers to: `sync` still creates `Authors` first.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(timestamps = false, comment = "what authors wrote")]
#[model(
    index(fields("title")),
    index(fields("author_id", "title"), unique, name = "one_title_per_author")
)]
struct Book {
    id: i64,
    title: String,
    #[attr(
        references(table = "Authors"),
        on_delete = "CASCADE",
        comment = "who wrote it"
    )]
    author_id: i64,
    #[attr(references(table = "Authors", key = "id"), on_delete = "SET NULL")]
    editor_id: Option<i64>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    timestamps = false,
    engine = "InnoDB",
    charset = "utf8mb4",
    collate = "utf8mb4_bin"
)]
struct Author {
    id: i64,
    #[attr(unique = "full_name")]
    first_name: String,
    #[attr(unique = "full_name")]
    last_name: String,
}

async fn sync_library(db: &Sequelize) {
    db.define::<Book>().register().unwrap();
    db.define::<Author>().register().unwrap();
    db.sync(SyncOptions::default()).await.unwrap();
}

async fn author(db: &Sequelize, first: &str, last: &str) -> i64 {
    Author::create(Author {
        id: 0,
        first_name: first.into(),
        last_name: last.into(),
    })
    .exec(db)
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn foreign_keys_cascade_and_set_null_in_dependency_order() {
    for_each_dialect("foreign_keys", |db| async move {
        let dialect = db.dialect().name();
        sync_library(&db).await;
        let ann = author(&db, "Ann", "Lee").await;
        let bob = author(&db, "Bob", "Ray").await;
        Book::create(Book {
            id: 0,
            title: "A".into(),
            author_id: ann,
            editor_id: Some(bob),
        })
        .exec(&db)
        .await
        .unwrap();
        Book::create(Book {
            id: 0,
            title: "B".into(),
            author_id: bob,
            editor_id: None,
        })
        .exec(&db)
        .await
        .unwrap();
        let orphan = Book::create(Book {
            id: 0,
            title: "C".into(),
            author_id: 999,
            editor_id: None,
        })
        .exec(&db)
        .await;
        assert!(
            matches!(orphan, Err(Error::ForeignKeyConstraint { .. })),
            "{dialect}: {orphan:?}"
        );
        Author::destroy()
            .filter(Author::ID.eq(bob))
            .exec(&db)
            .await
            .unwrap();
        let books = Book::find_all().exec(&db).await.unwrap();
        assert_eq!(
            books.len(),
            1,
            "{dialect}: the author's books went with him (CASCADE)"
        );
        assert_eq!(
            books[0].editor_id, None,
            "{dialect}: the editor is unset (SET NULL)"
        );
        // Dropped children first, then parents.
        db.drop().await.unwrap();
        db.sync(SyncOptions { force: true }).await.unwrap();
        assert_eq!(Book::count().exec(&db).await.unwrap(), 0, "{dialect}");
    })
    .await;
}

#[tokio::test]
async fn composite_unique_keys_refuse_a_second_pair() {
    for_each_dialect("unique_keys", |db| async move {
        let dialect = db.dialect().name();
        sync_library(&db).await;
        author(&db, "Ann", "Lee").await;
        author(&db, "Ann", "Ray").await;
        let twin = Author::create(Author {
            id: 0,
            first_name: "Ann".into(),
            last_name: "Lee".into(),
        })
        .exec(&db)
        .await;
        assert!(
            matches!(twin, Err(Error::UniqueConstraint { .. })),
            "{dialect}: {twin:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn indexes_are_created_once() {
    for_each_dialect("indexes", |db| async move {
        let dialect = db.dialect().name();
        sync_library(&db).await;
        let qi = db.query_interface();
        let names = qi.index_names("Books").await.unwrap();
        for expected in ["books_title", "one_title_per_author"] {
            assert!(names.iter().any(|n| n == expected), "{dialect}: {names:?}");
        }
        // A second (and third) sync finds them and adds nothing (Sequelize #8984).
        db.sync(SyncOptions::default()).await.unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let again = qi.index_names("Books").await.unwrap();
        assert_eq!(again.len(), names.len(), "{dialect}: {again:?}");
        let ann = author(&db, "Ann", "Lee").await;
        Book::create(Book {
            id: 0,
            title: "A".into(),
            author_id: ann,
            editor_id: None,
        })
        .exec(&db)
        .await
        .unwrap();
        let same = Book::create(Book {
            id: 0,
            title: "A".into(),
            author_id: ann,
            editor_id: None,
        })
        .exec(&db)
        .await;
        assert!(
            matches!(same, Err(Error::UniqueConstraint { .. })),
            "{dialect}: {same:?}"
        );
    })
    .await;
}

/// The options only some databases have: the others refuse them naming themselves.
#[tokio::test]
async fn index_options_where_the_database_has_them() {
    for_each_dialect("index_options", |db| async move {
        let dialect = db.dialect().name();
        let attributes = || {
            [
                Attribute::new("title", DataType::String(Some(200))),
                Attribute::new("body", DataType::Text),
                Attribute::new("published", DataType::Boolean),
            ]
        };
        let cases: [(&str, Index, &[&str]); 5] = [
            (
                "Partial",
                Index::on(["title"])
                    .filter(col("published").eq(true))
                    .unique(),
                &["sqlite", "postgres"],
            ),
            (
                "Method",
                Index::on(["title"]).using(IndexMethod::Hash),
                &["postgres", "mariadb", "mysql"],
            ),
            (
                "FullText",
                Index::on(["body"]).kind(IndexKind::FullText),
                &["mariadb", "mysql"],
            ),
            (
                "Operator",
                Index::on(["title"]).field(IndexField::new("body").operator("text_pattern_ops")),
                &["postgres"],
            ),
            (
                "Ordered",
                Index::on(["published"]).field(IndexField::new("body").desc().length(20)),
                &["sqlite", "postgres", "mariadb", "mysql"],
            ),
        ];
        for (name, index, dialects) in cases {
            let options = ModelOptions {
                indexes: vec![index],
                ..ModelOptions::default()
            };
            let model = db.define_dynamic(name, attributes(), options).unwrap();
            let synced = model.sync(&db, SyncOptions::default()).await;
            if dialects.contains(&dialect) {
                synced.unwrap_or_else(|e| panic!("{dialect}, {name}: {e}"));
            } else {
                assert!(
                    matches!(&synced, Err(Error::Unsupported { dialect: d, .. }) if *d == dialect),
                    "{dialect}, {name}: {synced:?}"
                );
            }
        }
        if matches!(dialect, "sqlite" | "postgres") {
            // The partial unique index holds only for published rows; its value is a literal.
            let partial = db.model("Partial").unwrap();
            for published in [false, false, true] {
                partial
                    .create([
                        ("title", Value::from("same")),
                        ("published", published.into()),
                    ])
                    .exec(&db)
                    .await
                    .unwrap();
            }
            let second = partial
                .create([("title", Value::from("same")), ("published", true.into())])
                .exec(&db)
                .await;
            assert!(
                matches!(second, Err(Error::UniqueConstraint { .. })),
                "{dialect}: {second:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn comments_reach_the_schema() {
    for_each_dialect("comments", |db| async move {
        let dialect = db.dialect().name();
        sync_library(&db).await;
        // SQLite has no comments: a column's stays in the schema's text; a table's is lost.
        let checks = match dialect {
            "postgres" => vec![
                (
                    "SELECT obj_description('\"Books\"'::regclass, 'pg_class')",
                    "what authors wrote",
                ),
                (
                    "SELECT col_description('\"Books\"'::regclass, 3)",
                    "who wrote it",
                ),
            ],
            "sqlite" => vec![(
                "SELECT CASE WHEN sql LIKE '%/* who wrote it */%' THEN 'who wrote it' END \
                 FROM sqlite_master WHERE name = 'Books'",
                "who wrote it",
            )],
            _ => vec![
                (
                    "SELECT table_comment FROM information_schema.tables \
                     WHERE table_schema = DATABASE() AND table_name = 'Books'",
                    "what authors wrote",
                ),
                (
                    "SELECT column_comment FROM information_schema.columns \
                     WHERE table_schema = DATABASE() AND table_name = 'Books' \
                     AND column_name = 'authorId'",
                    "who wrote it",
                ),
            ],
        };
        for (sql, expected) in checks {
            let row = db.query(AssertSqlSafe(sql)).plain().await.unwrap().unwrap();
            assert_eq!(row.get_index::<String>(0).unwrap(), expected, "{dialect}");
        }
        if matches!(dialect, "mariadb" | "mysql") {
            let row = db
                .query(AssertSqlSafe(
                    "SELECT engine, table_collation FROM information_schema.tables \
                     WHERE table_schema = DATABASE() AND table_name = 'Authors'",
                ))
                .plain()
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.get_index::<String>(0).unwrap(), "InnoDB");
            assert_eq!(row.get_index::<String>(1).unwrap(), "utf8mb4_bin");
        }
    })
    .await;
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(timestamps = false, omit_null)]
struct Ticket {
    #[attr(primary_key, default = uuid_v1)]
    id: Uuid,
    #[attr(default = literal("'open'"))]
    state: Option<String>,
    note: Option<String>,
}

#[tokio::test]
async fn literal_and_uuid_v1_defaults_and_omit_null() {
    for_each_dialect("defaults", |db| async move {
        let dialect = db.dialect().name();
        db.define::<Ticket>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let ticket = Ticket::create(Ticket {
            id: Uuid::nil(),
            state: None,
            note: None,
        })
        .exec(&db)
        .await
        .unwrap();
        assert_eq!(ticket.id.get_version_num(), 1, "{dialect}: a UUIDv1 key");
        let read = Ticket::find_by_pk(ticket.id)
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        // `omitNull` left `state` out of the INSERT, so the column's default applied.
        assert_eq!(read.state.as_deref(), Some("open"), "{dialect}");
        let table = q(&db, "Tickets");
        let raw = db
            .query(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .plain()
            .await
            .unwrap()
            .unwrap();
        assert_eq!(raw.get_index::<i64>(0).unwrap(), 1, "{dialect}");
    })
    .await;
}

#[tokio::test]
async fn a_cycle_of_foreign_keys_is_an_error_naming_the_models() {
    let db = Sequelize::connect("sqlite::memory:").await.unwrap();
    let refers = |table: &str| {
        Attribute::new("other_id", DataType::Integer)
            .references(sequelize::sql::References::new(table.to_owned(), "id"))
    };
    db.define_dynamic("Egg", [refers("Chickens")], ModelOptions::default())
        .unwrap();
    db.define_dynamic("Chicken", [refers("Eggs")], ModelOptions::default())
        .unwrap();
    let cycle = db.sync(SyncOptions::default()).await.unwrap_err();
    let message = cycle.to_string();
    assert!(
        message.contains("Egg") && message.contains("Chicken"),
        "{message}"
    );
}
