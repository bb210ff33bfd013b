//! Error mapping on every dialect: constraint violations, deadlocks, connection failures,
//! pool timeouts, and error text that shows SQL but never bound values.

mod common;

use common::{dialects, for_each_dialect, q};
use sequelize::prelude::*;
use sequelize::{AssertSqlSafe, Error};

async fn setup(db: &Sequelize) {
    let (parents, children) = (q(db, "parents"), q(db, "children"));
    let (id, parent_id, name) = (q(db, "id"), q(db, "parent_id"), q(db, "name"));
    for sql in [
        format!("CREATE TABLE {parents} ({id} INTEGER PRIMARY KEY, {name} VARCHAR(50) NOT NULL)"),
        format!(
            "CREATE TABLE {children} ({id} INTEGER PRIMARY KEY, {parent_id} INTEGER, \
             FOREIGN KEY ({parent_id}) REFERENCES {parents} ({id}))"
        ),
    ] {
        db.query(AssertSqlSafe(sql)).exec().await.unwrap();
    }
    db.query(AssertSqlSafe(format!(
        "INSERT INTO {parents} ({id}, {name}) VALUES (1, 'a'), (2, 'b')"
    )))
    .exec()
    .await
    .unwrap();
}

#[tokio::test]
async fn constraint_violations_are_typed() {
    for_each_dialect("constraints", |db| async move {
        setup(&db).await;
        let (parents, children) = (q(&db, "parents"), q(&db, "children"));
        let (id, parent_id, name) = (q(&db, "id"), q(&db, "parent_id"), q(&db, "name"));

        let duplicate = db
            .query(AssertSqlSafe(format!(
                "INSERT INTO {parents} ({id}, {name}) VALUES ($1, $2)"
            )))
            .bind(Bind::positional().push(1).push("secret-name"))
            .exec()
            .await
            .unwrap_err();
        assert!(
            matches!(duplicate, Error::UniqueConstraint { .. }),
            "{duplicate:?}"
        );
        assert!(!duplicate.to_string().contains("secret-name"));

        let orphan = db
            .query(AssertSqlSafe(format!(
                "INSERT INTO {children} ({id}, {parent_id}) VALUES (1, $1)"
            )))
            .bind(Bind::positional().push(999))
            .exec()
            .await
            .unwrap_err();
        assert!(
            matches!(orphan, Error::ForeignKeyConstraint { .. }),
            "{orphan:?}"
        );

        let missing = db
            .query(AssertSqlSafe(format!(
                "INSERT INTO {parents} ({id}, {name}) VALUES (3, $1)"
            )))
            .bind(Bind::positional().push(Value::Null))
            .exec()
            .await
            .unwrap_err();
        match &missing {
            Error::NotNullConstraint { field, .. } => assert_eq!(field.as_deref(), Some("name")),
            other => panic!("expected a not-null violation, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn database_errors_show_sql_but_not_values() {
    for_each_dialect("error_text", |db| async move {
        let err = db
            .query("SELECT * FROM no_such_table WHERE x = $1")
            .bind(Bind::positional().push("hunter2-secret"))
            .exec()
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Database(_)), "{err:?}");
        assert!(text.contains("no_such_table"), "{text}");
        assert!(!text.contains("hunter2-secret"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn deadlocks_are_typed_and_roll_back() {
    for_each_dialect("deadlock", |db| async move {
        if !matches!(db.dialect().name(), "postgres" | "mysql" | "mariadb") {
            // SQLite serializes writers with a database lock and reports SQLITE_BUSY
            // (Error::Timeout) instead: it cannot deadlock.
            return;
        }
        setup(&db).await;
        let (parents, id, name) = (q(&db, "parents"), q(&db, "id"), q(&db, "name"));
        let update = move |row: i64| {
            AssertSqlSafe(format!(
                "UPDATE {parents} SET {name} = 'x' WHERE {id} = {row}"
            ))
        };
        let tx1 = db.begin().await.unwrap();
        let tx2 = db.begin().await.unwrap();
        tx1.query(update(1)).exec().await.unwrap();
        tx2.query(update(2)).exec().await.unwrap();
        let (a, b) = tokio::join!(tx1.query(update(2)).exec(), tx2.query(update(1)).exec());
        let errors: Vec<Error> = [a, b].into_iter().filter_map(Result::err).collect();
        assert_eq!(
            errors.len(),
            1,
            "exactly one transaction is the victim: {errors:?}"
        );
        assert!(matches!(errors[0], Error::Deadlock(_)), "{:?}", errors[0]);
        let _ = tx1.rollback().await;
        let _ = tx2.rollback().await;
    })
    .await;
}

#[tokio::test]
async fn unreachable_servers_and_bad_configuration() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let url = match dialect {
            "sqlite" => "sqlite:///nonexistent-folder/deeper/db.sqlite".to_owned(),
            other => format!("{other}://root@127.0.0.1:1/db"),
        };
        let err = Sequelize::connect(&url).await.unwrap_err();
        assert!(
            matches!(err, Error::ConnectionRefused { .. }),
            "{dialect}: {err:?}"
        );
    }
    assert!(matches!(
        Sequelize::connect("oracle://x@h/db").await,
        Err(Error::UnknownDialect(_))
    ));
    assert!(matches!(
        Sequelize::connect("not a url").await,
        Err(Error::Config(_))
    ));
    assert!(matches!(
        Sequelize::connect("sqlite::memory:?unknown=1").await,
        Err(Error::Config(_))
    ));
}
