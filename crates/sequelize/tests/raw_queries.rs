//! Raw queries on every dialect, and the scanner (R1–R9) and value (V1–V7) cases of
//! `reference/security.md` §1.4: placeholders are found only in developer SQL, values are
//! inlined or bound without ever changing the statement's shape, and a `canary` table
//! survives every hostile input.

mod common;

use common::{for_each_dialect, q};
use sequelize::prelude::*;
use sequelize::sql::ColumnDef;
use sequelize::{AssertSqlSafe, Error, QueryOutput, QueryType, Row};

async fn setup(db: &Sequelize) {
    let qi = db.query_interface();
    qi.create_table(
        "people",
        vec![
            ColumnDef::new("id", DataType::Integer)
                .primary_key()
                .auto_increment(),
            ColumnDef::new("name", DataType::String(None)),
            ColumnDef::new("age", DataType::Integer),
        ],
    )
    .await
    .unwrap();
    common::plant_canary(db).await;
    for (name, age) in [("Ann", 30), ("O'Reilly", 40), ("x\\", 50)] {
        db.query(AssertSqlSafe(format!(
            "INSERT INTO {} ({}, {}) VALUES ($1, $2)",
            q(db, "people"),
            q(db, "name"),
            q(db, "age")
        )))
        .bind(Bind::positional().push(name).push(age))
        .exec()
        .await
        .unwrap();
    }
}

async fn canary_intact(db: &Sequelize) {
    assert_eq!(
        common::count_rows(db, db, "canary").await,
        1,
        "the canary table was changed"
    );
    assert_eq!(
        common::count_rows(db, db, "people").await,
        3,
        "the people table was changed"
    );
}

async fn one(db: &Sequelize, sql: String, replacements: Replacements) -> Row {
    db.query(AssertSqlSafe(sql))
        .replacements(replacements)
        .plain()
        .await
        .unwrap()
        .expect("one row")
}

#[tokio::test]
async fn query_types_shape_the_result() {
    for_each_dialect("query_types", |db| async move {
        setup(&db).await;
        let people = q(&db, "people");
        let rows = db
            .query(AssertSqlSafe(format!(
                "SELECT {} FROM {people} ORDER BY {}",
                q(&db, "name"),
                q(&db, "id")
            )))
            .query_type(QueryType::Select)
            .exec()
            .await
            .unwrap();
        let QueryOutput::Rows(rows) = rows else {
            panic!("select gives rows")
        };
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].get::<String>("name").unwrap(), "Ann");

        let update = db
            .query(AssertSqlSafe(format!(
                "UPDATE {people} SET {} = {} + 1",
                q(&db, "age"),
                q(&db, "age")
            )))
            .query_type(QueryType::Update)
            .exec()
            .await
            .unwrap();
        assert_eq!(update, QueryOutput::Affected(3));

        let insert = db
            .query(AssertSqlSafe(format!(
                "INSERT INTO {people} ({}) VALUES (:n)",
                q(&db, "name")
            )))
            .replacements(Replacements::named().set("n", "Zed"))
            .query_type(QueryType::Insert)
            .exec()
            .await
            .unwrap();
        let QueryOutput::Insert { rows_affected, .. } = insert else {
            panic!("insert output")
        };
        assert_eq!(rows_affected, 1);

        let delete = db
            .query(AssertSqlSafe(format!(
                "DELETE FROM {people} WHERE {} = $1",
                q(&db, "name")
            )))
            .bind(Bind::positional().push("Zed"))
            .query_type(QueryType::Delete)
            .exec()
            .await
            .unwrap();
        assert_eq!(delete, QueryOutput::Affected(1));

        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Person {
            name: String,
            age: i64,
        }
        let typed: Vec<Person> = db
            .query(AssertSqlSafe(format!(
                "SELECT {n}, {a} FROM {people} WHERE {a} > :min ORDER BY {a}",
                n = q(&db, "name"),
                a = q(&db, "age")
            )))
            .replacements(Replacements::named().set("min", 40))
            .all_as()
            .await
            .unwrap();
        assert_eq!(
            typed,
            vec![
                Person {
                    name: "O'Reilly".into(),
                    age: 41
                },
                Person {
                    name: "x\\".into(),
                    age: 51
                }
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn r1_only_bare_placeholders_are_replaced() {
    for_each_dialect("r1", |db| async move {
        let row = one(
            &db,
            format!(
                "SELECT ':id' AS a, :id AS {}, ''':id''' AS c",
                q(&db, ":id")
            ),
            Replacements::named().set("id", 7),
        )
        .await;
        assert_eq!(row.get::<String>("a").unwrap(), ":id");
        assert_eq!(row.get::<i64>(":id").unwrap(), 7);
        assert_eq!(row.get::<String>("c").unwrap(), "':id'");
    })
    .await;
}

#[tokio::test]
async fn r2_placeholders_next_to_punctuation() {
    for_each_dialect("r2", |db| async move {
        let row = one(
            &db,
            "SELECT ABS(:id) AS a, COALESCE(NULL,:id) AS b, (1=:id) AS c".into(),
            Replacements::named().set("id", -3),
        )
        .await;
        assert_eq!(row.get::<i64>("a").unwrap(), 3);
        assert_eq!(row.get::<i64>("b").unwrap(), -3);
        if db.dialect().name() == "postgres" {
            let row = one(
                &db,
                "SELECT :id::int AS a".into(),
                Replacements::named().set("id", 5),
            )
            .await;
            assert_eq!(row.get::<i64>("a").unwrap(), 5);
        }
    })
    .await;
}

#[tokio::test]
async fn r3_r4_dollar_signs() {
    for_each_dialect("r3", |db| async move {
        // `$id` right after an identifier character is part of the word, not a parameter.
        if db.dialect().name() != "sqlite" {
            let row = db
                .query("SELECT 5 AS x$id, $1 AS b")
                .bind(Bind::positional().push(6))
                .plain()
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.get::<i64>("x$id").unwrap(), 5);
            assert_eq!(row.get::<i64>("b").unwrap(), 6);
        }
        if db.dialect().name() == "postgres" {
            // Dollar-quoted strings are left alone.
            let row = one(
                &db,
                "SELECT $$ :id $$ AS a, $tag$ :id $tag$ AS b, :id AS c".into(),
                Replacements::named().set("id", 3),
            )
            .await;
            assert_eq!(row.get::<String>("a").unwrap(), " :id ");
            assert_eq!(row.get::<String>("b").unwrap(), " :id ");
            assert_eq!(row.get::<i64>("c").unwrap(), 3);
        }
    })
    .await;
}

#[tokio::test]
async fn r5_backslashes_follow_the_dialect() {
    for_each_dialect("r5", |db| async move {
        let sql = "SELECT '\\' :id' AS a, :id AS b";
        let result = db
            .query(sql)
            .replacements(Replacements::named().set("id", 1))
            .plain()
            .await;
        match db.dialect().name() {
            // One string with an escaped quote: only the second :id is a placeholder.
            "mysql" | "mariadb" => {
                let row = result.unwrap().unwrap();
                assert_eq!(row.get::<String>("a").unwrap(), "' :id");
                assert_eq!(row.get::<i64>("b").unwrap(), 1);
            }
            // '\' is a whole string here, and the rest has an unterminated one: refused
            // before anything is sent.
            _ => {
                assert!(matches!(result, Err(Error::InvalidQuery(m)) if m.contains("unterminated")))
            }
        }
        let row = one(
            &db,
            "SELECT '\\\\' AS a, :id AS b".into(),
            Replacements::named().set("id", 2),
        )
        .await;
        assert_eq!(row.get::<i64>("b").unwrap(), 2);
    })
    .await;
}

#[tokio::test]
async fn r6_comments_are_skipped() {
    for_each_dialect("r6", |db| async move {
        let row = one(
            &db,
            "SELECT /* :id */ :id AS a -- :id\n, ' :id ' AS b".into(),
            Replacements::named().set("id", 4),
        )
        .await;
        assert_eq!(row.get::<i64>("a").unwrap(), 4);
        assert_eq!(row.get::<String>("b").unwrap(), " :id ");
        let row = one(
            &db,
            "SELECT 1 AS a -- '\n, :id AS b".into(),
            Replacements::named().set("id", 5),
        )
        .await;
        assert_eq!(row.get::<i64>("b").unwrap(), 5);
    })
    .await;
}

#[tokio::test]
async fn r7_r9_missing_names_and_positional() {
    for_each_dialect("r7", |db| async move {
        for name in ["toString", "constructor", "__proto__"] {
            let sql = AssertSqlSafe(format!("SELECT :{name} AS a"));
            let err = db
                .query(sql)
                .replacements(Replacements::named().set("id", 1))
                .plain()
                .await
                .unwrap_err();
            assert!(
                matches!(&err, Error::InvalidQuery(m) if m.contains("has no entry")),
                "{err}"
            );
        }
        let row = one(
            &db,
            "SELECT '?' AS a, ? AS b, '''?''' AS c, ? AS d".into(),
            Replacements::positional().push(1).push(2),
        )
        .await;
        assert_eq!(row.get::<String>("a").unwrap(), "?");
        assert_eq!(row.get::<i64>("b").unwrap(), 1);
        assert_eq!(row.get::<String>("c").unwrap(), "'?'");
        assert_eq!(row.get::<i64>("d").unwrap(), 2);
        let too_few = db
            .query("SELECT ? AS a, ? AS b")
            .replacements(Replacements::positional().push(1))
            .plain()
            .await;
        assert!(matches!(too_few, Err(Error::InvalidQuery(_))));
    })
    .await;
}

/// As in Sequelize, `?` is a replacement only when the replacements are positional: with named
/// replacements it reaches the database as written, so PostgreSQL's jsonb `?` operator works
/// next to `:name`. Positional replacements with a `:name` in the SQL are still an error.
#[tokio::test]
async fn question_marks_stay_with_named_replacements() {
    for dialect in common::dialects() {
        println!("--- dialect: {dialect}");
        let mut options = common::isolated_options(dialect, "qmark", false).await;
        let logged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let sink = std::sync::Arc::clone(&logged);
        options.logging = sequelize::Logging::custom(move |sql, _| {
            sink.lock().unwrap().push(sql.to_owned());
        });
        let db = Sequelize::connect_with(options).await.unwrap();
        if dialect == "postgres" {
            let row = db
                .query(r#"SELECT '{"a": 1}'::jsonb ? :key AS has, :key AS k"#)
                .replacements(Replacements::named().set("key", "a"))
                .plain()
                .await
                .unwrap()
                .unwrap();
            assert!(row.get::<bool>("has").unwrap());
            assert_eq!(row.get::<String>("k").unwrap(), "a");
        } else {
            // No `?` operator here: the statement fails at the database, with the `?` intact.
            let result = db
                .query("SELECT :key AS k, ? AS q")
                .replacements(Replacements::named().set("key", "a"))
                .plain()
                .await;
            let refused_by_us =
                matches!(&result, Err(Error::InvalidQuery(m)) if m.contains("replacement"));
            assert!(result.is_err() && !refused_by_us, "{result:?}");
            let last = logged.lock().unwrap().last().cloned().unwrap();
            assert_eq!(last, "SELECT 'a' AS k, ? AS q");
        }
        let mixed = db
            .query("SELECT ? AS a, :b AS b")
            .replacements(Replacements::positional().push(1))
            .plain()
            .await;
        assert!(
            matches!(&mixed, Err(Error::InvalidQuery(m)) if m.contains(":b")),
            "{mixed:?}"
        );
        db.close().await.unwrap();
    }
}

const HOSTILE_STRINGS: &[&str] = &[
    "O'Reilly",
    "'",
    "''",
    "\\'",
    "\\\\'",
    "\\",
    "x\\",
    "x\\' OR 1=1 --",
    "some :data",
    "$1",
    "$name",
    "?",
    "?|",
    "::text",
    "$$",
    "$tag$ x $tag$",
    "-- comment",
    "/* c */",
    "é 🦀",
];

#[tokio::test]
async fn v1_v5_values_round_trip_inlined_and_bound() {
    for_each_dialect("v1", |db| async move {
        for value in HOSTILE_STRINGS {
            let inlined = db
                .query("SELECT :v AS v")
                .replacements(Replacements::named().set("v", *value))
                .plain()
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                inlined.get::<String>("v").unwrap(),
                *value,
                "inlined {value:?}"
            );
            // Replacements and binds in one statement: the inlined text is never rescanned,
            // so binds keep their order.
            let both = db
                .query("SELECT :v AS v, $1 AS b")
                .replacements(Replacements::named().set("v", *value))
                .bind(Bind::positional().push(*value))
                .plain()
                .await
                .unwrap()
                .unwrap();
            assert_eq!(both.get::<String>("v").unwrap(), *value);
            assert_eq!(both.get::<String>("b").unwrap(), *value, "bound {value:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn v1_v2_v3_hostile_values_in_filters() {
    for_each_dialect("v2", |db| async move {
        setup(&db).await;
        let people = q(&db, "people");
        let name = q(&db, "name");
        let count = |sql: String, r: Replacements| {
            let db = db.clone();
            async move {
                db.query(AssertSqlSafe(sql))
                    .replacements(r)
                    .plain()
                    .await
                    .unwrap()
                    .unwrap()
                    .get::<i64>("n")
                    .unwrap()
            }
        };
        let by_name = format!("SELECT COUNT(*) AS n FROM {people} WHERE {name} = :v");
        assert_eq!(
            count(by_name.clone(), Replacements::named().set("v", "O'Reilly")).await,
            1
        );
        assert_eq!(
            count(by_name.clone(), Replacements::named().set("v", "x\\")).await,
            1
        );
        assert_eq!(
            count(
                by_name.clone(),
                Replacements::named().set("v", "x\\' OR 1=1 --")
            )
            .await,
            0
        );
        let in_list = format!("SELECT COUNT(*) AS n FROM {people} WHERE {name} IN (:names)");
        let hostile = Replacement::list(["test", "'); DELETE FROM canary WHERE 1=1 --')"]);
        assert_eq!(
            count(in_list.clone(), Replacements::named().set("names", hostile)).await,
            0
        );
        let empty = Replacement::list(Vec::<String>::new());
        assert_eq!(
            count(in_list, Replacements::named().set("names", empty)).await,
            0
        );
        canary_intact(&db).await;
    })
    .await;
}

#[tokio::test]
async fn v1_mode_independent_escaping() {
    // MySQL's NO_BACKSLASH_ESCAPES and PostgreSQL's standard_conforming_strings change how
    // a backslash in a literal reads; inlined values must round-trip either way.
    for_each_dialect("v1_modes", |db| async move {
        let setting = match db.dialect().name() {
            "mysql" | "mariadb" => "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'",
            "postgres" => "SET standard_conforming_strings = off",
            _ => return,
        };
        let tx = db.begin().await.unwrap();
        tx.query(setting).exec().await.unwrap();
        for value in ["x\\", "\\'", "O'Reilly", "a\\\\b"] {
            let row = tx
                .query("SELECT :v AS v")
                .replacements(Replacements::named().set("v", value))
                .plain()
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                row.get::<String>("v").unwrap(),
                value,
                "{setting}: {value:?}"
            );
        }
        tx.rollback().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn v4_bound_user_text_is_never_substituted() {
    for_each_dialect("v4", |db| async move {
        setup(&db).await;
        let sql = AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {} WHERE {} = :firstName OR {} = $1",
            q(&db, "people"),
            q(&db, "name"),
            q(&db, "name")
        ));
        let n: i64 = db
            .query(sql)
            .replacements(Replacements::named().set("firstName", "OR true; DROP TABLE people;"))
            .bind(Bind::positional().push(":firstName"))
            .plain()
            .await
            .unwrap()
            .unwrap()
            .get("n")
            .unwrap();
        assert_eq!(n, 0);
        canary_intact(&db).await;
    })
    .await;
}

#[tokio::test]
async fn v6_dollars_in_function_arguments() {
    for_each_dialect("v6", |db| async move {
        let text = "$sequelize and $sequelize2 and some money $42.69";
        let row = db
            .query("SELECT UPPER(:v) AS v, $1 AS b")
            .replacements(Replacements::named().set("v", text))
            .bind(Bind::positional().push(1))
            .plain()
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.get::<String>("v").unwrap(),
            "$SEQUELIZE AND $SEQUELIZE2 AND SOME MONEY $42.69"
        );
    })
    .await;
}

#[tokio::test]
async fn v7_negative_numbers_never_open_a_comment() {
    for_each_dialect("v7", |db| async move {
        setup(&db).await;
        let sql = AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {} WHERE {} = -:a OR {} = :b",
            q(&db, "people"),
            q(&db, "age"),
            q(&db, "name")
        ));
        let n: i64 = db
            .query(sql)
            .replacements(
                Replacements::named()
                    .set("a", -42)
                    .set("b", "foo\n 1 AND 1=0 UNION SELECT * FROM canary; --"),
            )
            .plain()
            .await
            .unwrap()
            .unwrap()
            .get("n")
            .unwrap();
        assert_eq!(n, 0);
        canary_intact(&db).await;
    })
    .await;
}

#[tokio::test]
async fn bind_parameters_by_name_and_position() {
    for_each_dialect("bind", |db| async move {
        setup(&db).await;
        let sql = AssertSqlSafe(format!(
            "SELECT {n} AS name FROM {p} WHERE {a} > $min AND {a} < $max ORDER BY {a}",
            n = q(&db, "name"),
            p = q(&db, "people"),
            a = q(&db, "age")
        ));
        let rows = db
            .query(sql)
            .bind(Bind::named().set("min", 35).set("max", 45))
            .all()
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].get::<String>("name").unwrap(), "O'Reilly");
        let missing = db
            .query("SELECT $2 AS a")
            .bind(Bind::positional().push(1))
            .plain()
            .await;
        assert!(matches!(missing, Err(Error::InvalidQuery(m)) if m.contains("$2")));
    })
    .await;
}
