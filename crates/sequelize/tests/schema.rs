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
        db.sync(SyncOptions {
            force: true,
            ..Default::default()
        })
        .await
        .unwrap();
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

fn profile_v1() -> Vec<Attribute> {
    vec![
        Attribute::new("id", DataType::Integer),
        Attribute::new("name", DataType::String(Some(50))),
        Attribute::new("age", DataType::Integer),
        Attribute::new("legacy", DataType::Text),
        Attribute::new("email", DataType::String(Some(100))).unique(),
    ]
}

fn profile_v2() -> Vec<Attribute> {
    vec![
        Attribute::new("id", DataType::Integer),
        Attribute::new("name", DataType::String(Some(120))).not_null(),
        Attribute::new("age", DataType::BigInt),
        Attribute::new("email", DataType::String(Some(100))).unique(),
        Attribute::new("nickname", DataType::String(Some(20))),
    ]
}

fn unique_indexes_sql(dialect: &str) -> &'static str {
    match dialect {
        "sqlite" => "SELECT COUNT(*) FROM pragma_index_list('Profiles') WHERE \"unique\" = 1",
        "postgres" => {
            "SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'Profiles' \
             AND schemaname = current_schema() AND indexdef LIKE 'CREATE UNIQUE%' \
             AND indexname NOT LIKE '%pkey'"
        }
        _ => {
            "SELECT COUNT(DISTINCT index_name) FROM information_schema.statistics \
             WHERE table_schema = DATABASE() AND table_name = 'Profiles' AND non_unique = 0 \
             AND index_name <> 'PRIMARY'"
        }
    }
}

/// Options whose logging collects every statement sent, for an isolated database.
async fn logged_options(
    dialect: &str,
    test: &str,
) -> (Options, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let statements = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = statements.clone();
    let options = Options {
        logging: sequelize::Logging::custom(move |sql, _| {
            log.lock().unwrap().push(sql.to_owned());
        }),
        ..common::isolated_options(dialect, test, false).await
    };
    (options, statements)
}

/// The statements other than queries (`SELECT`) among those collected.
fn ddl(statements: &std::sync::Mutex<Vec<String>>) -> Vec<String> {
    statements
        .lock()
        .unwrap()
        .iter()
        .filter(|sql| !sql.trim_start().to_ascii_uppercase().starts_with("SELECT"))
        .cloned()
        .collect()
}

/// A table of every type the dialect has matches its model as the database describes it:
/// `alter` changes nothing (the database's spelling of each type is understood).
#[tokio::test]
async fn sync_alter_understands_every_type_the_database_reports() {
    for dialect in common::dialects() {
        println!("--- dialect: {dialect}");
        let (options, statements) = logged_options(dialect, "alter_types").await;
        let db = Sequelize::connect_with(options).await.unwrap();
        let unsigned = |t| DataType::Unsigned(Box::new(t));
        let mut types = vec![
            DataType::String(None),
            DataType::String(Some(20)),
            DataType::BinaryString(Some(20)),
            DataType::Char(Some(3)),
            DataType::Text,
            DataType::TinyText,
            DataType::MediumText,
            DataType::LongText,
            DataType::TinyInt,
            DataType::SmallInt,
            DataType::MediumInt,
            DataType::Integer,
            DataType::BigInt,
            unsigned(DataType::TinyInt),
            unsigned(DataType::Integer),
            DataType::Float,
            DataType::Double,
            DataType::Decimal(None),
            DataType::Decimal(Some((10, 2))),
            DataType::Boolean,
            DataType::Date(None),
            DataType::Date(Some(3)),
            DataType::DateOnly,
            DataType::Time,
            DataType::Uuid,
            DataType::Json,
            DataType::Jsonb,
            DataType::Blob,
            DataType::LongBlob,
            DataType::Enum(vec!["a".into(), "b c".into()]),
        ];
        if dialect != "mariadb" && dialect != "mysql" {
            types.push(DataType::CiText);
        }
        if dialect == "postgres" {
            types.extend([
                DataType::Array(Box::new(DataType::String(Some(40)))),
                DataType::Range(Box::new(DataType::Date(None))),
                DataType::Inet,
                DataType::Hstore,
                DataType::TsVector,
            ]);
        }
        let attributes = (types.iter().enumerate())
            .map(|(i, t)| Attribute::new(format!("c{i}"), t.clone()).not_null());
        let model = db
            .define_dynamic("Everything", attributes, ModelOptions::default())
            .unwrap();
        model.sync(&db, SyncOptions::default()).await.unwrap();
        statements.lock().unwrap().clear();
        let alter = SyncOptions {
            alter: true,
            ..SyncOptions::default()
        };
        model.sync(&db, alter).await.unwrap();
        assert_eq!(ddl(&statements), Vec::<String>::new(), "{dialect}");
        db.close().await.unwrap();
    }
}

/// `sync({ alter: true })` adds, changes and drops columns and indexes, keeps the rows, and
/// a second run sends no DDL at all (nor a second unique index, Sequelize #8984).
#[tokio::test]
async fn sync_alter_brings_a_table_to_its_model_once() {
    for dialect in common::dialects() {
        println!("--- dialect: {dialect}");
        let (options, statements) = logged_options(dialect, "sync_alter").await;
        let db = Sequelize::connect_with(options).await.unwrap();
        let table = |options: ModelOptions| ModelOptions {
            table_name: Some("Profiles".into()),
            timestamps: false,
            ..options
        };
        let v1 = db
            .define_dynamic(
                "ProfileV1",
                profile_v1(),
                table(ModelOptions {
                    indexes: vec![Index::on(["name"])],
                    ..ModelOptions::default()
                }),
            )
            .unwrap();
        v1.sync(&db, SyncOptions::default()).await.unwrap();
        for (name, age, email) in [("Ann", 41, "ann@x.org"), ("Bob", 7, "bob@x.org")] {
            v1.create([
                ("name", Value::from(name)),
                ("age", age.into()),
                ("email", email.into()),
                ("legacy", "old".into()),
            ])
            .exec(&db)
            .await
            .unwrap();
        }
        let v2 = db
            .define_dynamic(
                "ProfileV2",
                profile_v2(),
                table(ModelOptions {
                    indexes: vec![Index::on(["age"])],
                    ..ModelOptions::default()
                }),
            )
            .unwrap();
        let alter = SyncOptions {
            alter: true,
            ..SyncOptions::default()
        };
        v2.sync(&db, alter).await.unwrap();
        let qi = db.query_interface();
        let columns = qi.describe_columns("Profiles").await.unwrap();
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            ["age", "email", "id", "name", "nickname"],
            "{dialect}"
        );
        let name = columns.iter().find(|c| c.name == "name").unwrap();
        assert!(!name.allow_null, "{dialect}: name is NOT NULL now");
        assert!(
            name.data_type.contains("120"),
            "{dialect}: {}",
            name.data_type
        );
        let indexes = qi.index_names("Profiles").await.unwrap();
        // MySQL also lists the unique index of `email` (unique indexes are its constraints).
        assert!(
            indexes.contains(&"profiles_age".to_owned()),
            "{dialect}: {indexes:?}"
        );
        assert!(
            !indexes.contains(&"profiles_name".to_owned()),
            "{dialect}: {indexes:?}"
        );
        let rows = v2
            .find_all()
            .order(col("id").asc())
            .exec(&db)
            .await
            .unwrap();
        let kept: Vec<(String, i64)> = rows
            .iter()
            .map(|r| (r.get("name").unwrap(), r.get("age").unwrap()))
            .collect();
        assert_eq!(
            kept,
            [("Ann".into(), 41), ("Bob".into(), 7)],
            "{dialect}: rows kept"
        );
        // Again, twice: nothing to change, so no DDL, and still one unique index on email.
        statements.lock().unwrap().clear();
        v2.sync(&db, alter).await.unwrap();
        v2.sync(&db, alter).await.unwrap();
        let sent = ddl(&statements);
        assert!(sent.is_empty(), "{dialect}: a repeated alter sent {sent:?}");
        let unique = db
            .query(AssertSqlSafe(unique_indexes_sql(dialect)))
            .plain()
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            unique.get_index::<i64>(0).unwrap(),
            1,
            "{dialect}: one unique index on email"
        );
        db.close().await.unwrap();
    }
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(schema = "t_other_schema", index(fields("kind")))]
struct Event {
    id: i64,
    #[attr(values("open", "close"))]
    kind: String,
}

/// The `schema` option: the table (and on PostgreSQL its enum type and indexes) in another
/// schema, every operation reaching it there (on SQLite, whose tables have no schemas, the
/// table is named `schema.table`).
#[tokio::test]
async fn models_live_in_the_schema_they_name() {
    for_each_dialect("schema_option", |db| async move {
        let dialect = db.dialect().name();
        let create_schema = match dialect {
            "postgres" => Some("CREATE SCHEMA IF NOT EXISTS \"t_other_schema\""),
            "mariadb" | "mysql" => Some("CREATE DATABASE IF NOT EXISTS t_other_schema"),
            _ => None,
        };
        if let Some(sql) = create_schema {
            db.query(AssertSqlSafe(sql)).exec().await.unwrap();
        }
        db.define::<Event>().register().unwrap();
        db.sync(SyncOptions {
            force: true,
            ..Default::default()
        })
        .await
        .unwrap();
        let open = Event::create(Event {
            id: 0,
            kind: "open".into(),
        })
        .exec(&db)
        .await
        .unwrap();
        Event::create(Event {
            id: 0,
            kind: "close".into(),
        })
        .exec(&db)
        .await
        .unwrap();
        assert_eq!(Event::count().exec(&db).await.unwrap(), 2, "{dialect}");
        Event::update()
            .set(Event::KIND, "close".to_owned())
            .filter(Event::ID.eq(open.id))
            .exec(&db)
            .await
            .unwrap();
        let found = Event::find_by_pk(open.id).exec(&db).await.unwrap().unwrap();
        assert_eq!(found.kind, "close", "{dialect}");
        let located = match dialect {
            "sqlite" => "SELECT COUNT(*) FROM sqlite_master WHERE name = 't_other_schema.Events'",
            _ => {
                "SELECT COUNT(*) FROM information_schema.tables \
                  WHERE table_schema = 't_other_schema' AND table_name = 'Events'"
            }
        };
        let row = db
            .query(AssertSqlSafe(located))
            .plain()
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.get_index::<i64>(0).unwrap(),
            1,
            "{dialect}: the table is in the schema"
        );
        let table = sequelize::sql::Ident::from("Events").in_schema(Some("t_other_schema".into()));
        let qi = db.query_interface();
        assert!(qi
            .index_names(table.clone())
            .await
            .unwrap()
            .contains(&"events_kind".to_owned()));
        assert_eq!(
            qi.describe_columns(table.clone()).await.unwrap().len(),
            4,
            "{dialect}"
        );
        let alter = SyncOptions {
            alter: true,
            ..Default::default()
        };
        db.sync(alter).await.unwrap();
        Event::destroy()
            .filter(Event::ID.gt(0))
            .exec(&db)
            .await
            .unwrap();
        db.drop().await.unwrap();
        assert!(
            qi.describe_columns(table).await.unwrap().is_empty(),
            "{dialect}: dropped"
        );
    })
    .await;
}
