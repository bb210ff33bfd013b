//! The cross-dialect test harness: every integration test body runs once per dialect, each
//! time against a fresh, isolated database (a PostgreSQL schema, a MySQL database, an SQLite
//! file or memory database).
//!
//! The dialects are sqlite, postgres, mariadb and mysql (the last two on the same MariaDB
//! server). `SEQUELIZE_TEST_DIALECTS=sqlite,postgres` narrows the run explicitly; otherwise
//! every dialect runs, and a server that cannot be reached fails the test with a message
//! that says how to start it. Nothing is skipped silently.
#![allow(dead_code)]

use std::future::Future;

use sequelize::{Executor, Options, PoolOptions, Sequelize};

/// Every dialect the suite covers.
pub const ALL_DIALECTS: &[&str] = &["sqlite", "postgres", "mariadb", "mysql"];

/// The dialects this run covers.
pub fn dialects() -> Vec<&'static str> {
    match std::env::var("SEQUELIZE_TEST_DIALECTS") {
        Ok(list) if !list.trim().is_empty() => ALL_DIALECTS
            .iter()
            .copied()
            .filter(|d| list.split(',').any(|x| x.trim() == *d))
            .collect(),
        _ => ALL_DIALECTS.to_vec(),
    }
}

pub fn postgres_base() -> String {
    std::env::var("SEQUELIZE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/sequelize_test".into())
}

pub fn mysql_base() -> String {
    std::env::var("SEQUELIZE_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/sequelize_test".into())
}

fn unreachable(dialect: &str, url: &str, e: &sequelize::Error) -> ! {
    let how = match dialect {
        "postgres" => "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
        _ => "start-stop-daemon --start --oknodo --background --pidfile /run/mysqld/mysqld.pid --exec /usr/sbin/mariadbd",
    };
    panic!(
        "{dialect}: cannot reach the test server at {url}: {e}\n\
         Run the suite with scripts/test.sh, which starts the servers and creates the test \
         databases, or start the server with `{how}`.\n\
         To run fewer dialects on purpose, set SEQUELIZE_TEST_DIALECTS (e.g. sqlite)."
    )
}

/// A database name unique to one test and dialect.
fn isolated_name(test: &str, dialect: &str) -> String {
    format!("t_{test}_{dialect}")
}

/// Options for an isolated database of `dialect` for the test `test`, created empty.
pub async fn isolated_options(dialect: &str, test: &str, file: bool) -> Options {
    if let Err(e) = sequelize::dialect::by_name(dialect) {
        panic!(
            "{dialect}: {e}. The suite covers every dialect: run scripts/test.sh \
             (cargo test --workspace --all-features), or narrow it on purpose with \
             SEQUELIZE_TEST_DIALECTS."
        );
    }
    let name = isolated_name(test, dialect);
    let url = match dialect {
        "sqlite" if file => {
            let path = std::env::temp_dir()
                .join(format!("sequelize-{name}-{}.sqlite", std::process::id()));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            format!("sqlite://{}", path.display())
        }
        "sqlite" => "sqlite::memory:".to_owned(),
        "postgres" => {
            let base = postgres_base();
            let admin = Sequelize::connect(&base)
                .await
                .unwrap_or_else(|e| unreachable(dialect, &base, &e));
            for sql in [
                format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"),
                format!("CREATE SCHEMA \"{name}\""),
            ] {
                admin
                    .query(sequelize::AssertSqlSafe(sql))
                    .exec()
                    .await
                    .expect("create the test schema");
            }
            admin.close().await.unwrap();
            // `public` last: the extensions scripts/test.sh creates (citext, hstore) live
            // there, once per database.
            format!("{base}?options=-c%20search_path%3D{name}%2Cpublic")
        }
        "mariadb" | "mysql" => {
            let base = mysql_base();
            let admin = Sequelize::connect(&base)
                .await
                .unwrap_or_else(|e| unreachable(dialect, &base, &e));
            admin
                .query(sequelize::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS `{name}`"
                )))
                .exec()
                .await
                .expect("drop the test database");
            admin
                .query(sequelize::AssertSqlSafe(format!(
                    "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                )))
                .exec()
                .await
                .expect("create the test database");
            admin.close().await.unwrap();
            let server = base.rsplit_once('/').map_or(base.as_str(), |(s, _)| s);
            let server = server.replacen("mysql://", &format!("{dialect}://"), 1);
            format!("{server}/{name}")
        }
        other => panic!("unknown test dialect {other}"),
    };
    Options {
        url: Some(url),
        pool: PoolOptions {
            max: 4,
            ..Default::default()
        },
        logging: sequelize::Logging::Off,
        ..Default::default()
    }
}

/// A connected, empty, isolated database.
pub async fn fresh_db(dialect: &str, test: &str) -> Sequelize {
    let options = isolated_options(dialect, test, false).await;
    Sequelize::connect_with(options)
        .await
        .unwrap_or_else(|e| panic!("{dialect}: cannot connect to the isolated database: {e}"))
}

/// Runs `body` once per dialect, each on a fresh database. The dialect name is printed
/// first, so a failure's captured output says which dialect failed.
pub async fn for_each_dialect<F, Fut>(test: &str, body: F)
where
    F: Fn(Sequelize) -> Fut,
    Fut: Future<Output = ()>,
{
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let db = fresh_db(dialect, test).await;
        body(db.clone()).await;
        db.close().await.unwrap();
    }
}

/// Quotes an identifier for the database's dialect, for raw SQL in tests.
pub fn q(db: &Sequelize, name: &str) -> String {
    let (open, close) = db.dialect().identifier_quotes();
    format!("{open}{name}{close}")
}

/// `SELECT COUNT(*)` of a table, its name quoted for `db`'s dialect, run on `exec` (the
/// handle itself or one of its transactions).
pub async fn count_rows(exec: &impl Executor, db: &Sequelize, table: &str) -> i64 {
    exec.query(sequelize::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {}",
        q(db, table)
    )))
    .plain()
    .await
    .unwrap()
    .unwrap()
    .get("n")
    .unwrap()
}

/// Creates the `canary` table with one row, which hostile inputs must leave alone.
pub async fn plant_canary(db: &Sequelize) {
    db.query_interface()
        .create_table(
            "canary",
            vec![sequelize::sql::ColumnDef::new(
                "id",
                sequelize::DataType::Integer,
            )],
        )
        .await
        .unwrap();
    db.query(sequelize::AssertSqlSafe(format!(
        "INSERT INTO {} VALUES (1)",
        q(db, "canary")
    )))
    .exec()
    .await
    .unwrap();
}

/// The values of one column of a table, in ascending order (names quoted for `db`).
pub async fn sorted_column<T: sequelize::FromValue>(
    exec: &impl Executor,
    db: &Sequelize,
    table: &str,
    column: &str,
) -> Vec<T> {
    exec.query(sequelize::AssertSqlSafe(format!(
        "SELECT {c} AS v FROM {t} ORDER BY {c}",
        c = q(db, column),
        t = q(db, table)
    )))
    .all()
    .await
    .unwrap()
    .into_iter()
    .map(|row| row.get("v").unwrap())
    .collect()
}
