//! Replacements follow the session's string mode. PostgreSQL with
//! `standard_conforming_strings = off` and MySQL/MariaDB with `NO_BACKSLASH_ESCAPES` end a
//! string literal at another quote than the default modes do, so a replacement placed by the
//! wrong reading could run as SQL. The mode is set on every new PostgreSQL connection,
//! tracked from what the servers report (PostgreSQL's ParameterStatus, MySQL's status flags),
//! and SQL whose reading cannot be known for certain is refused. Both modes are tried on both
//! servers, as a server default and as a session change.
//!
//! This file holds one test: it changes server-wide defaults, which no other test of the same
//! binary may see (cargo runs test binaries one after another).

mod common;

use common::{count_rows, dialects, isolated_options, plant_canary, q};
use sequelize::prelude::*;
use sequelize::{AssertSqlSafe, Error};

/// Values that end or escape a literal in one mode or the other.
const HOSTILE: &[&str] = &[
    "'",
    "\\",
    "\\'",
    "\\\\'",
    "x' OR '1'='1",
    "'); DROP TABLE canary; --",
    "\\'); DROP TABLE canary; --",
    "\\\\'); DROP TABLE canary; -- ",
];

/// The statement whose placeholder is outside a literal when backslashes are ordinary
/// characters, and inside one when they escape.
const MODE_PROBE: &str = r"SELECT 'a\' AS x, :v AS y -- ' AS z";

/// Runs the probe with every hostile value and checks that the result is the one the
/// session's mode gives: with `escapes`, one string (the placeholder inside it, untouched);
/// without, the literal `a\` and the value itself.
async fn check_mode(exec: &impl Executor, db: &Sequelize, escapes: bool) {
    for value in HOSTILE {
        let row = exec
            .query(MODE_PROBE)
            .replacements(Replacements::named().set("v", *value))
            .plain()
            .await
            .unwrap_or_else(|e| panic!("escapes={escapes}, value {value:?}: {e}"))
            .unwrap();
        if escapes {
            assert_eq!(row.get::<String>("z").unwrap(), "a' AS x, :v AS y -- ");
        } else {
            assert_eq!(row.get::<String>("x").unwrap(), "a\\");
            assert_eq!(row.get::<String>("y").unwrap(), *value);
        }
        assert_eq!(
            count_rows(exec, db, "canary").await,
            1,
            "the canary was touched"
        );
    }
}

/// A database with one pooled connection, so session settings stay in effect.
async fn one_connection(dialect: &str) -> Sequelize {
    let mut options = isolated_options(dialect, "string_modes", false).await;
    options.pool.max = 1;
    Sequelize::connect_with(options).await.unwrap()
}

/// Runs a statement that must succeed.
async fn run(exec: &impl Executor, sql: &'static str) {
    exec.query(sql).exec().await.unwrap();
}

async fn scalar(exec: &impl Executor, sql: &'static str) -> String {
    exec.query(sql)
        .plain()
        .await
        .unwrap()
        .unwrap()
        .get::<String>("v")
        .unwrap()
}

/// After a server-wide default was restored: closes the admin handle, and re-raises the
/// failure of the part that ran (as its own task) while the default was changed.
async fn finish(admin: Sequelize, outcome: Result<(), tokio::task::JoinError>) {
    admin.close().await.unwrap();
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn postgres() {
    // Server default off: every new connection still sets it on.
    let admin = one_connection("postgres").await;
    let database = scalar(&admin, "SELECT current_database() AS v").await;
    let alter =
        |setting: &str| AssertSqlSafe(format!("ALTER DATABASE {} {setting}", q(&admin, &database)));
    admin
        .query(alter("SET standard_conforming_strings = off"))
        .exec()
        .await
        .unwrap();
    let outcome = tokio::spawn(async {
        let db = one_connection("postgres").await;
        plant_canary(&db).await;
        assert_eq!(
            scalar(
                &db,
                "SELECT current_setting('standard_conforming_strings') AS v"
            )
            .await,
            "on"
        );
        check_mode(&db, &db, false).await;

        // A session change, reported by the server.
        run(&db, "SET standard_conforming_strings = off").await;
        check_mode(&db, &db, true).await;
        run(&db, "SET standard_conforming_strings = on").await;
        check_mode(&db, &db, false).await;

        // A change that ends with its transaction.
        let tx = db.begin().await.unwrap();
        run(&tx, "SET LOCAL standard_conforming_strings = off").await;
        check_mode(&tx, &db, true).await;
        tx.commit().await.unwrap();
        check_mode(&db, &db, false).await;
        db.close().await.unwrap();
    })
    .await;
    admin
        .query(alter("RESET standard_conforming_strings"))
        .exec()
        .await
        .unwrap();
    finish(admin, outcome).await;
}

async fn mysql(dialect: &'static str) {
    // Server default NO_BACKSLASH_ESCAPES, for the connections opened while it holds.
    let admin = one_connection(dialect).await;
    let global = scalar(&admin, "SELECT @@GLOBAL.sql_mode AS v").await;
    admin
        .query(
            "SET GLOBAL sql_mode = \
             CONCAT_WS(',', NULLIF(@@GLOBAL.sql_mode, ''), 'NO_BACKSLASH_ESCAPES')",
        )
        .exec()
        .await
        .unwrap();
    let outcome = tokio::spawn(async move {
        let db = one_connection(dialect).await;
        plant_canary(&db).await;
        let mode = scalar(&db, "SELECT @@SESSION.sql_mode AS v").await;
        assert!(mode.contains("NO_BACKSLASH_ESCAPES"), "{mode}");
        check_mode(&db, &db, false).await;
        // `"…"` reads the same as a string and as an identifier here.
        let row = db
            .query(r#"SELECT "a\" AS x, :v AS y"#)
            .replacements(Replacements::named().set("v", "\\'"))
            .plain()
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<String>("x").unwrap(), "a\\");
        db.close().await.unwrap();
    })
    .await;
    admin
        .query("SET GLOBAL sql_mode = :mode")
        .replacements(Replacements::named().set("mode", global))
        .exec()
        .await
        .unwrap();
    finish(admin, outcome).await;

    // The default mode, then a session change, reported in the status flags.
    let db = one_connection(dialect).await;
    plant_canary(&db).await;
    check_mode(&db, &db, true).await;
    // In this mode a `"…"` token with a backslash may be a string or (ANSI_QUOTES) an
    // identifier, ending at different quotes: refused, whatever the value.
    let ambiguous = db
        .query(r#"SELECT "a\" AS x, :v AS y -- ""#)
        .replacements(Replacements::named().set("v", "1"))
        .plain()
        .await;
    assert!(
        matches!(&ambiguous, Err(Error::InvalidQuery(m)) if m.contains("ANSI_QUOTES")),
        "{ambiguous:?}"
    );
    run(&db, "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'NO_BACKSLASH_ESCAPES')").await;
    check_mode(&db, &db, false).await;
    // After an error the last status flags are gone: the session is asked again.
    assert!(db
        .query("SELECT * FROM no_such_table")
        .exec()
        .await
        .is_err());
    check_mode(&db, &db, false).await;
    run(
        &db,
        "SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '')",
    )
    .await;
    check_mode(&db, &db, true).await;
    db.close().await.unwrap();
}

#[tokio::test]
async fn replacements_follow_the_session_string_mode() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        match dialect {
            "postgres" => postgres().await,
            "mysql" | "mariadb" => mysql(dialect).await,
            _ => {
                // SQLite has one mode: a backslash is an ordinary character.
                let db = one_connection(dialect).await;
                plant_canary(&db).await;
                check_mode(&db, &db, false).await;
                db.close().await.unwrap();
            }
        }
    }
}
