//! What every benchmark shares: the servers, connecting, and reading criterion's results.

#[allow(dead_code)] // only the workloads benchmark counts its allocations
pub mod allocations;

use std::path::Path;

use criterion::Criterion;
use sequelize::{Logging, Options, Sequelize};
use tokio::runtime::Runtime;

/// A dialect's benchmarks: criterion, the runtime, the name to report the dialect under
/// (as [`urls`] gives it) and the dialect's URL.
pub type DialectBench = fn(&mut Criterion, &Runtime, &str, &str);

/// Whether the benchmarks run on a multi-thread Tokio runtime (`BENCH_RUNTIME=multi_thread`)
/// rather than the default current-thread one.
pub fn multi_thread() -> bool {
    std::env::var("BENCH_RUNTIME").is_ok_and(|r| r == "multi_thread")
}

/// Runs each dialect's benchmarks on one Tokio runtime, then criterion's summary. The
/// runtime is current-thread unless [`multi_thread`] (so that by default no implementation
/// pays for cross-thread wake-ups the others do not). SQLite's run twice: in memory, and in
/// a WAL file made afresh.
pub fn run_dialects(sqlite: DialectBench, postgres: DialectBench, mysql: DialectBench) {
    let rt = match multi_thread() {
        true => tokio::runtime::Builder::new_multi_thread(),
        false => tokio::runtime::Builder::new_current_thread(),
    }
    .enable_all()
    .build()
    .unwrap();
    let mut criterion = Criterion::default().configure_from_args();
    remove_wal_files();
    for (dialect, url) in urls() {
        let bench = match dialect.trim_end_matches(MULTI_THREAD) {
            "sqlite" | "sqlite_wal" => sqlite,
            "postgres" => postgres,
            _ => mysql,
        };
        bench(&mut criterion, &rt, &dialect, &url);
    }
    remove_wal_files();
    criterion.final_summary();
}

/// The URL of SQLite in memory, the first dialect of [`urls`].
const SQLITE_MEMORY: &str = "sqlite::memory:";

/// What the names of the dialects end with on a multi-thread runtime.
const MULTI_THREAD: &str = "_mt";

/// The dialects benchmarked, by the names they are reported under (`sqlite` in memory,
/// `sqlite_wal` in a WAL file, `postgres`, `mariadb`; each ending in `_mt` on a
/// multi-thread runtime), and their URLs; `BENCH_POSTGRES_URL` and `BENCH_MYSQL_URL`
/// override the servers.
pub fn urls() -> Vec<(String, String)> {
    let suffix = if multi_thread() { MULTI_THREAD } else { "" };
    let postgres = std::env::var("BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/sequelize_test".into());
    let mysql = std::env::var("BENCH_MYSQL_URL")
        .unwrap_or_else(|_| "mariadb://root@127.0.0.1:3306/sequelize_test".into());
    let wal = format!("sqlite://{}", wal_file("orm").display());
    [
        ("sqlite", SQLITE_MEMORY.to_owned()),
        ("sqlite_wal", wal),
        ("postgres", postgres),
        ("mariadb", mysql),
    ]
    .into_iter()
    .map(|(dialect, url)| (format!("{dialect}{suffix}"), url))
    .collect()
}

/// The WAL-mode database file of `who` (the ORM's, the raw driver's), in the temporary
/// directory.
fn wal_file(who: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("sequelize-bench-{who}.db"))
}

/// Removes the WAL databases of an earlier run (with their `-wal` and `-shm` files).
fn remove_wal_files() {
    for who in ["orm", "raw"] {
        let file = wal_file(who).display().to_string();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{file}{suffix}"));
        }
    }
}

/// How many connections a pool keeps at most, the ORM's and the raw drivers' alike.
#[allow(dead_code)] // only the workloads benchmark runs queries concurrently
pub const POOL_SIZE: usize = 8;

/// A Sequelize instance on `url`, logging off, with a pool of [`POOL_SIZE`] connections (one
/// on an SQLite database in memory).
pub async fn connect(url: &str) -> Sequelize {
    Sequelize::connect_with(Options {
        url: Some(url.to_owned()),
        logging: Logging::Off,
        pool: sequelize::PoolOptions {
            max: POOL_SIZE as u32,
            ..Default::default()
        },
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{url}: {e}; start the servers with scripts/test.sh --no-run"))
}

/// A Sequelize instance on a server's `url` whose connections have not run `setup`: the
/// setup (creating and filling the tables) runs on an instance of its own, closed before the
/// measured one connects, so the ORM is measured on fresh connections as the raw driver is.
///
/// It matters on MariaDB: a connection keeps its network buffer as large as the largest
/// packet it received, and the server sends a result when that buffer is full, so after a
/// bulk insert of 300 kB a 300 kB result arrives in one piece at its end instead of streaming
/// while the client reads. Measured on the includes workload: a raw mysql_async connection
/// that first received a 1 MB parameter took 35–40% longer per iteration
/// (`COM_RESET_CONNECTION` does not shrink the buffer; only a new connection does).
pub async fn connect_fresh(url: &str, setup: impl AsyncFnOnce(&Sequelize)) -> Sequelize {
    let setup_db = connect(url).await;
    setup(&setup_db).await;
    setup_db.close().await.expect("close the setup connections");
    connect(url).await
}

/// Drops and makes again the tables of the models defined on `db` (`sync({ force: true })`).
pub async fn recreate_tables(db: &Sequelize) {
    let force = sequelize::SyncOptions {
        force: true,
        ..Default::default()
    };
    db.sync(force).await.expect("create the benchmark's tables");
}

/// A raw mysql_async connection to a MariaDB `url`, over TCP like the ORM's connections
/// (mysql_async would otherwise switch to the Unix socket the server reports, which is
/// faster and not what is being compared).
pub async fn mysql_raw(url: &str) -> mysql_async::Conn {
    mysql_async::Conn::new(mysql_opts(url))
        .await
        .expect("connect mysql_async")
}

/// mysql_async's own pool on a MariaDB `url` (over TCP) of [`POOL_SIZE`] connections, at its
/// best: it keeps all of them (by default it closes at once a connection given back beyond
/// its lower bound, and reconnects for the next query) and does not reset one given back
/// (its default sends `COM_RESET_CONNECTION`, a round trip the ORM's pool does not make).
#[allow(dead_code)] // only the workloads benchmark runs queries concurrently
pub fn mysql_pool(url: &str) -> mysql_async::Pool {
    let constraints = mysql_async::PoolConstraints::new(POOL_SIZE, POOL_SIZE).unwrap();
    let options = (mysql_async::PoolOpts::default().with_constraints(constraints))
        .with_reset_connection(false);
    let opts = mysql_async::OptsBuilder::from_opts(mysql_opts(url)).pool_opts(options);
    mysql_async::Pool::new(opts)
}

/// The options of a MariaDB `url` for mysql_async, over TCP.
fn mysql_opts(url: &str) -> mysql_async::Opts {
    let url = format!(
        "{}?prefer_socket=false",
        url.replacen("mariadb://", "mysql://", 1)
    );
    mysql_async::Opts::from_url(&url).unwrap()
}

/// A raw rusqlite connection at its best, to a database of its own beside the ORM's of
/// `url`: in memory, or in a WAL file (with `synchronous = NORMAL`, as the ORM's files are).
/// It keeps the query planner stability guarantee, as the ORM's connections do, so that a
/// cached statement is not planned again each time a value is bound to it (SQLite does that
/// for joins otherwise).
#[allow(dead_code)] // not every benchmark has a raw SQLite side
pub fn rusqlite_for(url: &str) -> rusqlite::Connection {
    let conn = match url {
        SQLITE_MEMORY => rusqlite::Connection::open_in_memory().unwrap(),
        _ => {
            let conn = rusqlite::Connection::open(wal_file("raw")).unwrap();
            conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
                .unwrap();
            conn
        }
    };
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .unwrap();
    conn
}

/// Criterion's median estimate for one benchmark, in nanoseconds, from the target
/// directory this build uses (`CARGO_TARGET_DIR` or the workspace's `target`).
pub fn median(group: &str, id: &str, dialect: &str) -> Option<f64> {
    let target = std::env::var("CARGO_TARGET_DIR").map_or_else(
        |_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        Into::into,
    );
    let path = target
        .join("criterion")
        .join(group)
        .join(id)
        .join(dialect)
        .join("new/estimates.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

/// Prints `group: a median / b median = ratio` per dialect that has both.
#[allow(dead_code)] // the workloads benchmark reports a table instead
pub fn print_ratios(group: &str, (a, b): (&str, &str), unit: (&str, f64)) {
    println!("\n{group}: {a} median / {b} median");
    for (dialect, _) in urls() {
        if let (Some(x), Some(y)) = (median(group, a, &dialect), median(group, b, &dialect)) {
            println!(
                "  {dialect:<9} {:>8.3} {u} / {:>8.3} {u} = {:.2}x",
                x / unit.1,
                y / unit.1,
                x / y,
                u = unit.0
            );
        }
    }
}
