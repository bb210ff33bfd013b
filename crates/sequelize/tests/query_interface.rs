//! The query interface's catalog operations on every dialect: `showAllTables`,
//! `getForeignKeyReferencesForTable`, and `dropAllTables` in foreign-key order.

mod common;

use common::for_each_dialect;
use sequelize::query_interface::ForeignKeyReference;
use sequelize::sql::{ColumnDef, References};
use sequelize::{AssertSqlSafe, DataType, Executor};

fn id() -> ColumnDef {
    ColumnDef::new("id", DataType::Integer).primary_key()
}

fn key_to(column: &'static str, table: &'static str) -> ColumnDef {
    ColumnDef::new(column, DataType::Integer).references(References::new(table, "id"))
}

#[tokio::test]
async fn tables_are_listed_and_dropped_after_those_that_reference_them() {
    for_each_dialect("qi_tables", |db| async move {
        let qi = db.query_interface();
        // Created parents first; listed by name, so a name-order drop would fail.
        qi.create_table("authors", vec![id()]).await.unwrap();
        qi.create_table("books", vec![id(), key_to("author_id", "authors")])
            .await
            .unwrap();
        qi.create_table("appendices", vec![id(), key_to("book_id", "books")])
            .await
            .unwrap();
        qi.create_table("keep", vec![id()]).await.unwrap();
        for sql in [
            "INSERT INTO authors (id) VALUES (1)",
            "INSERT INTO books (id, author_id) VALUES (1, 1)",
            "INSERT INTO appendices (id, book_id) VALUES (1, 1)",
        ] {
            db.query(sql).exec().await.unwrap();
        }
        assert_eq!(
            qi.show_all_tables().await.unwrap(),
            ["appendices", "authors", "books", "keep"]
        );
        assert_eq!(
            qi.foreign_key_references("appendices").await.unwrap(),
            [ForeignKeyReference {
                column: "book_id".into(),
                referenced_table: "books".into(),
                referenced_column: "id".into(),
            }]
        );
        assert!(qi
            .foreign_key_references("authors")
            .await
            .unwrap()
            .is_empty());
        qi.drop_all_tables(&["keep"]).await.unwrap();
        assert_eq!(qi.show_all_tables().await.unwrap(), ["keep"]);

        // A cycle of foreign keys is refused before anything is dropped.
        let cycle: &[&str] = match db.dialect().name() {
            // SQLite checks a reference when it is used, so a table may name one not made yet.
            "sqlite" => &[
                "CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b (id))",
                "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id))",
            ],
            _ => &[
                "CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER)",
                "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id))",
                "ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id)",
            ],
        };
        for sql in cycle {
            db.query(AssertSqlSafe(sql.to_string()))
                .exec()
                .await
                .unwrap();
        }
        let refused = qi.drop_all_tables(&["keep"]).await.unwrap_err().to_string();
        assert!(
            refused.contains("a, b") && refused.contains("cycle"),
            "{refused}"
        );
        assert_eq!(qi.show_all_tables().await.unwrap(), ["a", "b", "keep"]);
    })
    .await;
}

#[tokio::test]
async fn columns_are_described_as_sequelize_describes_them() {
    use sequelize::sql::DefaultValue;
    use sequelize::Value;
    for_each_dialect("qi_describe", |db| async move {
        let qi = db.query_interface();
        qi.create_table(
            "plants",
            vec![
                ColumnDef::new("id", DataType::Integer)
                    .primary_key()
                    .auto_increment(),
                ColumnDef::new("name", DataType::String(Some(40)))
                    .not_null()
                    .default_value(DefaultValue::Value(Value::from("fern")))
                    .comment("what it is called"),
                ColumnDef::new("height", DataType::Integer),
            ],
        )
        .await
        .unwrap();
        let columns = qi.describe_columns("plants").await.unwrap();
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "name", "height"]);
        let (id, name, height) = (&columns[0], &columns[1], &columns[2]);
        assert!(
            id.primary_key && id.auto_increment && !id.allow_null,
            "{id:?}"
        );
        assert!(
            !name.primary_key && !name.auto_increment && !name.allow_null,
            "{name:?}"
        );
        let default = name.default_value.as_deref().unwrap_or_default();
        assert!(default.contains("fern"), "{name:?}");
        let commented = db.dialect().name() != "sqlite";
        assert_eq!(
            name.comment.as_deref(),
            commented.then_some("what it is called")
        );
        assert!(
            height.allow_null && height.default_value.is_none() && height.comment.is_none(),
            "{height:?}"
        );
        assert!(!height.primary_key && !height.auto_increment);
    })
    .await;
}

#[tokio::test]
async fn schemas_are_created_listed_and_dropped() {
    use sequelize::migrate::{JsonMigration, Migrator};
    for_each_dialect("qi_schemas", |db| async move {
        let qi = db.query_interface();
        let name = format!("qi_made_{}", db.dialect().name());
        if db.dialect().name() == "sqlite" {
            let refused = qi.create_schema(&name).await.unwrap_err().to_string();
            assert!(refused.contains("sqlite"), "{refused}");
            assert!(qi.show_all_schemas().await.unwrap_err().to_string().contains("sqlite"));
            return;
        }
        qi.drop_schema(&name).await.unwrap();
        let file = "20240101000000-schema.json";
        let steps = JsonMigration::parse(
            file,
            &format!(r#"{{ "up": [ {{ "createSchema": "{name}" }} ], "down": [ {{ "dropSchema": "{name}" }} ] }}"#),
        )
        .unwrap();
        let migrator = Migrator::new(&db).add_json(file, steps);
        migrator.up().await.unwrap();
        let schemas = qi.show_all_schemas().await.unwrap();
        assert!(schemas.contains(&name), "{schemas:?}");
        assert!(!schemas.iter().any(|s| s.starts_with("pg_") || s == "information_schema" || s == "mysql"));
        // A table in it goes with it.
        db.query(AssertSqlSafe(format!("CREATE TABLE {name}.t (id INTEGER PRIMARY KEY)")))
            .exec()
            .await
            .unwrap();
        migrator.undo().await.unwrap();
        assert!(!qi.show_all_schemas().await.unwrap().contains(&name));
    })
    .await;
}

#[tokio::test]
async fn indexes_are_shown_with_their_columns() {
    use sequelize::query_interface::Operation;
    for_each_dialect("qi_show_index", |db| async move {
        let qi = db.query_interface();
        qi.create_table(
            "seeds",
            vec![
                ColumnDef::new("code", DataType::String(Some(20))).primary_key(),
                ColumnDef::new("email", DataType::String(Some(80))).unique(),
                ColumnDef::new("status", DataType::String(Some(20))),
                ColumnDef::new("name", DataType::String(Some(20))),
            ],
        )
        .await
        .unwrap();
        let composite =
            Operation::add_index("seeds", vec!["status".into(), "name".into()], None, false);
        qi.run(&composite).await.unwrap();
        let indexes = qi.show_index("seeds").await.unwrap();
        let by_fields = |fields: &[&str]| {
            indexes
                .iter()
                .find(|i| i.fields == fields)
                .unwrap_or_else(|| panic!("no index on {fields:?}: {indexes:?}"))
        };
        let primary = by_fields(&["code"]);
        assert!(primary.primary && primary.unique, "{primary:?}");
        let email = by_fields(&["email"]);
        assert!(email.unique && !email.primary, "{email:?}");
        let both = by_fields(&["status", "name"]);
        assert_eq!(both.name, "seeds_status_name");
        assert!(!both.unique && !both.primary, "{both:?}");
        assert_eq!(indexes.len(), 3, "{indexes:?}");
    })
    .await;
}

#[tokio::test]
async fn postgres_enum_types_are_listed_and_dropped() {
    for_each_dialect("qi_enums", |db| async move {
        let qi = db.query_interface();
        let feeling = DataType::Enum(vec!["happy".into(), "sad".into()]);
        qi.create_table("moods", vec![id(), ColumnDef::new("feeling", feeling)])
            .await
            .unwrap();
        if !db.dialect().supports().enum_types {
            let refused = qi.pg_list_enums().await.unwrap_err().to_string();
            assert!(refused.contains(db.dialect().name()), "{refused}");
            let refused = qi
                .drop_enum("enum_moods_feeling")
                .await
                .unwrap_err()
                .to_string();
            assert!(refused.contains(db.dialect().name()), "{refused}");
            return;
        }
        assert_eq!(
            qi.pg_list_enums().await.unwrap(),
            [(
                "enum_moods_feeling".to_owned(),
                vec!["happy".to_owned(), "sad".to_owned()]
            )]
        );
        qi.drop_table("moods").await.unwrap();
        qi.drop_all_enums().await.unwrap();
        assert!(qi.pg_list_enums().await.unwrap().is_empty());
    })
    .await;
}

/// `changeColumn`: the column takes its new type, nullability and default; the rows, the
/// table's indexes, its foreign keys (still enforced) and its other columns stay. SQLite
/// does it by rebuilding the table.
#[tokio::test]
async fn a_changed_column_keeps_the_rows_indexes_and_foreign_keys() {
    use sequelize::query_interface::Operation;
    use sequelize::sql::{ConstraintType, DefaultValue, ReferentialAction};
    for_each_dialect("qi_change_column", |db| async move {
        let qi = db.query_interface();
        qi.create_table("writers", vec![id()]).await.unwrap();
        qi.create_table(
            "drafts",
            vec![
                id(),
                ColumnDef::new("title", DataType::String(Some(20))).not_null(),
                ColumnDef::new("writer_id", DataType::Integer).references(
                    References::new("writers", "id").on_delete(ReferentialAction::Cascade),
                ),
                ColumnDef::new("words", DataType::Integer).default_value(DefaultValue::Value(0.into())),
            ],
        )
        .await
        .unwrap();
        qi.add_index("drafts", vec!["title".into()], false)
            .await
            .unwrap();
        for sql in [
            "INSERT INTO writers (id) VALUES (1), (2)",
            "INSERT INTO drafts (id, title, writer_id, words) VALUES (1, 'one', 1, 10), (2, 'two', 2, 20)",
        ] {
            db.query(sql).exec().await.unwrap();
        }
        let wider = ColumnDef::new("title", DataType::String(Some(200)))
            .default_value(DefaultValue::Value("untitled".into()));
        qi.run(&Operation::change_column("drafts", wider)).await.unwrap();

        let columns = qi.describe_columns("drafts").await.unwrap();
        let title = columns.iter().find(|c| c.name == "title").unwrap();
        assert!(title.allow_null, "{title:?}");
        assert!(title.data_type.contains("200"), "{title:?}");
        assert!(
            title.default_value.as_deref().is_some_and(|d| d.contains("untitled")),
            "{title:?}"
        );
        let words = columns.iter().find(|c| c.name == "words").unwrap();
        assert!(words.default_value.as_deref().is_some_and(|d| d.contains('0')), "{words:?}");
        assert_eq!(
            common::sorted_column::<String>(&db, &db, "drafts", "title").await,
            ["one", "two"]
        );
        let indexes = qi.show_index("drafts").await.unwrap();
        assert!(indexes.iter().any(|i| i.fields == ["title"]), "{indexes:?}");
        let constraints = qi.show_constraints("drafts").await.unwrap();
        let key = (constraints.iter())
            .find(|c| c.constraint_type == ConstraintType::ForeignKey)
            .unwrap_or_else(|| panic!("no foreign key: {constraints:?}"));
        assert_eq!(
            (key.columns.as_slice(), key.referenced_table.as_deref(), key.on_delete),
            (&["writer_id".to_owned()][..], Some("writers"), Some(ReferentialAction::Cascade))
        );
        // The key still cascades, and the new default applies.
        db.query("DELETE FROM writers WHERE id = 1").exec().await.unwrap();
        db.query("INSERT INTO drafts (id, writer_id) VALUES (3, 2)").exec().await.unwrap();
        assert_eq!(
            common::sorted_column::<String>(&db, &db, "drafts", "title").await,
            ["two", "untitled"]
        );
        // Inside a transaction SQLite cannot rebuild; the others alter in place.
        let tx = db.begin().await.unwrap();
        let narrow = ColumnDef::new("title", DataType::String(Some(100)));
        let inside = sequelize::query_interface::QueryInterface::new(&tx)
            .run(&Operation::change_column("drafts", narrow))
            .await;
        assert_eq!(inside.is_err(), db.dialect().name() == "sqlite", "{inside:?}");
        tx.rollback().await.unwrap();
    })
    .await;
}

/// `addConstraint` of each type, `showConstraint` and `removeConstraint`: each constraint is
/// listed with its columns, enforced while it exists and gone after it is removed.
#[tokio::test]
async fn constraints_are_added_shown_enforced_and_removed() {
    use sequelize::query_interface::Operation;
    use sequelize::sql::{Constraint, ConstraintKind, ConstraintType, DefaultValue, Expr, Ident};
    for_each_dialect("qi_constraints", |db| async move {
        let qi = db.query_interface();
        qi.create_table(
            "editions",
            vec![
                ColumnDef::new("series", DataType::Integer).not_null(),
                ColumnDef::new("volume", DataType::Integer).not_null(),
            ],
        )
        .await
        .unwrap();
        qi.create_table(
            "prints",
            vec![
                ColumnDef::new("code", DataType::String(Some(20))).not_null(),
                ColumnDef::new("copies", DataType::Integer),
                ColumnDef::new("series", DataType::Integer),
                ColumnDef::new("volume", DataType::Integer),
                ColumnDef::new("state", DataType::String(Some(20))),
            ],
        )
        .await
        .unwrap();
        let add = |table: &str, name: &str, kind: ConstraintKind| {
            Operation::add_constraint(table, Constraint::new(name.to_owned(), kind))
        };
        let cols = |names: &[&str]| {
            names
                .iter()
                .map(|n| Ident::from((*n).to_owned()))
                .collect::<Vec<_>>()
        };
        for operation in [
            add(
                "editions",
                "editions_pk",
                ConstraintKind::PrimaryKey(cols(&["series", "volume"])),
            ),
            add(
                "prints",
                "prints_pk",
                ConstraintKind::PrimaryKey(cols(&["code"])),
            ),
            add(
                "prints",
                "prints_copies_ck",
                ConstraintKind::Check(Expr::column("copies").gt(0)),
            ),
            add(
                "prints",
                "prints_state_uk",
                ConstraintKind::Unique(cols(&["state"])),
            ),
            add(
                "prints",
                "prints_edition_fk",
                ConstraintKind::ForeignKey {
                    columns: cols(&["series", "volume"]),
                    table: "editions".into(),
                    keys: cols(&["series", "volume"]),
                    on_delete: None,
                    on_update: None,
                },
            ),
            Operation::set_default("prints", "copies", Some(DefaultValue::Value(1.into()))),
        ] {
            qi.run(&operation)
                .await
                .unwrap_or_else(|e| panic!("{operation:?}: {e}"));
        }
        let shown = qi.show_constraints("prints").await.unwrap();
        let find = |kind: ConstraintType| {
            (shown.iter())
                .find(|c| c.constraint_type == kind)
                .unwrap_or_else(|| panic!("no {kind:?}: {shown:?}"))
        };
        assert_eq!(find(ConstraintType::PrimaryKey).columns, ["code"]);
        let check = find(ConstraintType::Check);
        assert_eq!(check.name, "prints_copies_ck");
        assert!(
            check
                .definition
                .as_deref()
                .is_some_and(|d| d.contains("copies")),
            "{check:?}"
        );
        assert_eq!(
            (
                find(ConstraintType::Unique).name.as_str(),
                find(ConstraintType::Unique).columns.as_slice()
            ),
            ("prints_state_uk", &["state".to_owned()][..])
        );
        let key = find(ConstraintType::ForeignKey);
        assert_eq!(
            (
                key.name.as_str(),
                key.columns.as_slice(),
                key.referenced_columns.as_slice()
            ),
            (
                "prints_edition_fk",
                &cols2(&["series", "volume"])[..],
                &cols2(&["series", "volume"])[..]
            )
        );
        assert_eq!(key.referenced_table.as_deref(), Some("editions"));
        let editions = qi.show_constraints("editions").await.unwrap();
        assert_eq!(editions.len(), 1, "{editions:?}");
        assert_eq!(editions[0].columns, ["series", "volume"]);

        // Enforced: the default fills `copies`; a second state, a zero copies, an edition
        // that does not exist and a second code are refused.
        db.query("INSERT INTO editions (series, volume) VALUES (1, 1)")
            .exec()
            .await
            .unwrap();
        db.query("INSERT INTO prints (code, series, volume, state) VALUES ('a', 1, 1, 'new')")
            .exec()
            .await
            .unwrap();
        assert_eq!(
            common::sorted_column::<i64>(&db, &db, "prints", "copies").await,
            [1]
        );
        for refused in [
            "INSERT INTO prints (code, state) VALUES ('b', 'new')",
            "INSERT INTO prints (code, copies) VALUES ('c', 0)",
            "INSERT INTO prints (code, series, volume) VALUES ('d', 9, 9)",
            "INSERT INTO prints (code) VALUES ('a')",
        ] {
            assert!(
                db.query(refused).exec().await.is_err(),
                "{refused} was accepted"
            );
        }
        // MySQL names every primary key PRIMARY, whatever name it was given.
        let primary = find(ConstraintType::PrimaryKey).name.clone();
        let mysql = matches!(db.dialect().name(), "mysql" | "mariadb");
        assert_eq!(primary, if mysql { "PRIMARY" } else { "prints_pk" });
        // Removed: each by its name alone, after which the same rows are accepted.
        for name in [
            "prints_copies_ck",
            "prints_state_uk",
            "prints_edition_fk",
            &primary,
        ] {
            qi.run(&Operation::remove_constraint("prints", name))
                .await
                .unwrap_or_else(|e| panic!("removing {name}: {e}"));
        }
        assert_eq!(qi.show_constraints("prints").await.unwrap(), []);
        qi.run(&Operation::set_default("prints", "copies", None))
            .await
            .unwrap();
        for accepted in [
            "INSERT INTO prints (code, state) VALUES ('b', 'new')",
            "INSERT INTO prints (code, copies) VALUES ('c', 0)",
            "INSERT INTO prints (code, series, volume) VALUES ('d', 9, 9)",
            "INSERT INTO prints (code) VALUES ('a')",
        ] {
            db.query(accepted)
                .exec()
                .await
                .unwrap_or_else(|e| panic!("{accepted}: {e}"));
        }
        assert_eq!(common::count_rows(&db, &db, "prints").await, 5);
        let missing = qi
            .run(&Operation::remove_constraint("prints", "nothing"))
            .await;
        assert!(missing.unwrap_err().to_string().contains("nothing"));
    })
    .await;
}

fn cols2(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

/// A constraint the rows already break is refused, and the table is left as it was: rows,
/// columns and constraints (SQLite's rebuild is undone as a whole).
#[tokio::test]
async fn a_constraint_the_rows_break_changes_nothing() {
    use sequelize::query_interface::Operation;
    use sequelize::sql::{Constraint, ConstraintKind, Expr};
    for_each_dialect("qi_constraint_refused", |db| async move {
        let qi = db.query_interface();
        qi.create_table(
            "stock",
            vec![id(), ColumnDef::new("amount", DataType::Integer).unique()],
        )
        .await
        .unwrap();
        db.query("INSERT INTO stock (id, amount) VALUES (1, 5), (2, -1)")
            .exec()
            .await
            .unwrap();
        let before = (
            qi.describe_columns("stock").await.unwrap(),
            qi.show_constraints("stock").await.unwrap(),
        );
        let positive = Constraint::new(
            "stock_amount_ck",
            ConstraintKind::Check(Expr::column("amount").gte(0)),
        );
        let refused = qi.run(&Operation::add_constraint("stock", positive)).await;
        assert!(refused.is_err(), "a check the rows break was added");
        let after = (
            qi.describe_columns("stock").await.unwrap(),
            qi.show_constraints("stock").await.unwrap(),
        );
        assert_eq!(before, after);
        assert_eq!(
            common::sorted_column::<i64>(&db, &db, "stock", "amount").await,
            [-1, 5]
        );
        assert_eq!(qi.show_all_tables().await.unwrap(), ["stock"]);
    })
    .await;
}

/// A transaction begun with `defer_foreign_keys` (SQLite's, and what a migration that alters
/// tables uses) can rebuild a table; a row left referring to nothing fails its commit, which
/// undoes everything in it, and foreign keys are enforced again afterwards. Elsewhere the
/// option is an error naming the dialect.
#[tokio::test]
async fn deferred_foreign_keys_are_checked_at_commit() {
    use sequelize::query_interface::{Operation, QueryInterface};
    use sequelize::{Error, TransactionOptions};
    let deferred = TransactionOptions {
        defer_foreign_keys: true,
        ..TransactionOptions::default()
    };
    for_each_dialect("qi_deferred_keys", |db| async move {
        let qi = db.query_interface();
        qi.create_table("shelves", vec![id()]).await.unwrap();
        qi.create_table(
            "volumes",
            vec![
                id(),
                key_to("shelf_id", "shelves"),
                ColumnDef::new("title", DataType::String(Some(20))),
            ],
        )
        .await
        .unwrap();
        db.query("INSERT INTO shelves (id) VALUES (1)")
            .exec()
            .await
            .unwrap();
        db.query("INSERT INTO volumes (id, shelf_id, title) VALUES (1, 1, 'a')")
            .exec()
            .await
            .unwrap();
        if db.dialect().name() != "sqlite" {
            let refused = db.begin_with(deferred).await.unwrap_err();
            assert!(
                matches!(&refused, Error::Config(m) if m.contains(db.dialect().name())),
                "{refused:?}"
            );
            return;
        }
        let wider = || ColumnDef::new("title", DataType::String(Some(200)));
        let tx = db.begin_with(deferred).await.unwrap();
        QueryInterface::new(&tx)
            .run(&Operation::change_column("volumes", wider()))
            .await
            .unwrap();
        tx.query("INSERT INTO volumes (id, shelf_id) VALUES (2, 99)")
            .exec()
            .await
            .unwrap();
        let refused = tx.commit().await.unwrap_err();
        assert!(
            matches!(&refused, Error::ForeignKeyConstraint { .. })
                && refused.to_string().contains("volumes"),
            "{refused:?}"
        );
        let title = (qi.describe_columns("volumes").await.unwrap().into_iter())
            .find(|c| c.name == "title")
            .unwrap();
        assert!(
            title.data_type.contains("20") && !title.data_type.contains("200"),
            "{title:?}"
        );
        assert_eq!(common::count_rows(&db, &db, "volumes").await, 1);

        let tx = db.begin_with(deferred).await.unwrap();
        QueryInterface::new(&tx)
            .run(&Operation::change_column("volumes", wider()))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let title = (qi.describe_columns("volumes").await.unwrap().into_iter())
            .find(|c| c.name == "title")
            .unwrap();
        assert!(title.data_type.contains("200"), "{title:?}");
        let dangling = db
            .query("INSERT INTO volumes (id, shelf_id) VALUES (3, 99)")
            .exec()
            .await;
        assert!(
            matches!(dangling, Err(Error::ForeignKeyConstraint { .. })),
            "{dangling:?}"
        );
    })
    .await;
}

/// Only SQLite rebuilds tables: a rebuild (here of `sync({ alter: true })`, which changes two
/// columns and drops one at once) makes the table's triggers again, and its hand-made
/// indexes on the columns kept; `ALTER TABLE` elsewhere leaves them where they are.
#[tokio::test]
async fn a_sqlite_rebuild_keeps_the_tables_triggers_and_indexes() {
    use sequelize::sql::CreateTable;
    let db = common::fresh_db("sqlite", "qi_rebuild_triggers").await;
    let qi = db.query_interface();
    let columns = |title: u32| {
        vec![
            id(),
            ColumnDef::new("title", DataType::String(Some(title))),
            ColumnDef::new("edits", DataType::Integer),
        ]
    };
    let mut v1 = columns(20);
    v1.push(ColumnDef::new("legacy", DataType::Text));
    qi.create_table("notes", v1).await.unwrap();
    for sql in [
        "CREATE INDEX notes_by_title ON notes (title)",
        "CREATE INDEX notes_by_legacy ON notes (legacy)",
        "CREATE TRIGGER notes_edited AFTER UPDATE OF title ON notes \
         BEGIN UPDATE notes SET edits = edits + 1 WHERE id = NEW.id; END",
        "INSERT INTO notes (id, title, edits, legacy) VALUES (1, 'a', 0, 'x')",
    ] {
        db.query(AssertSqlSafe(sql.to_owned()))
            .exec()
            .await
            .unwrap();
    }
    let mut v2 = columns(200);
    v2[1] = v2[1].clone().not_null();
    qi.alter_table(&CreateTable::new("notes", v2))
        .await
        .unwrap();
    let title = (qi.describe_columns("notes").await.unwrap().into_iter())
        .find(|c| c.name == "title")
        .unwrap();
    assert!(
        !title.allow_null && title.data_type.contains("200"),
        "{title:?}"
    );
    assert_eq!(qi.index_names("notes").await.unwrap(), ["notes_by_title"]);
    db.query("UPDATE notes SET title = 'b' WHERE id = 1")
        .exec()
        .await
        .unwrap();
    assert_eq!(
        common::sorted_column::<i64>(&db, &db, "notes", "edits").await,
        [1]
    );
}

/// `removeColumn` of a column a foreign key holds, added with `addColumn`, drops the column
/// and its key on every dialect (MySQL refuses to drop it while the key exists, and
/// Sequelize drops the key first there), and the table keeps its rows.
#[tokio::test]
async fn a_column_a_foreign_key_holds_is_removed_with_its_key() {
    use sequelize::query_interface::Operation;
    use sequelize::sql::ConstraintType;
    for_each_dialect("qi_remove_key_column", |db| async move {
        let qi = db.query_interface();
        qi.create_table("editors", vec![id()]).await.unwrap();
        qi.create_table("pages", vec![id(), key_to("author_id", "editors")])
            .await
            .unwrap();
        qi.add_column("pages", key_to("editor_id", "editors"))
            .await
            .unwrap();
        for sql in [
            "INSERT INTO editors (id) VALUES (1)",
            "INSERT INTO pages (id, author_id, editor_id) VALUES (1, 1, 1)",
        ] {
            db.query(sql).exec().await.unwrap();
        }
        qi.run(&Operation::remove_column("pages", "editor_id"))
            .await
            .unwrap();
        let columns: Vec<String> = (qi.describe_columns("pages").await.unwrap())
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(columns, ["id", "author_id"]);
        let keys: Vec<Vec<String>> = (qi.show_constraints("pages").await.unwrap())
            .into_iter()
            .filter(|c| c.constraint_type == ConstraintType::ForeignKey)
            .map(|c| c.columns)
            .collect();
        assert_eq!(keys, [["author_id"]], "the other key stays");
        assert_eq!(common::count_rows(&db, &db, "pages").await, 1);
    })
    .await;
}
