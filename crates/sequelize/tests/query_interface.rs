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
