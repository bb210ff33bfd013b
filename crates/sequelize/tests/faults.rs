//! Faults on real servers of the test's own: a scratch PostgreSQL cluster and a scratch
//! MariaDB server (each with its data directory in a temporary directory and its own port),
//! made, restarted, killed and removed by the test, so that the shared test servers are never
//! touched. What is checked: a restart is
//! invisible to the next query (the pool drops the connections the server closed, and a
//! query sent while the server is down waits through the retry option until it is back);
//! and a server killed with SIGKILL in the middle of 1,000 committing transactions loses
//! none whose commit returned `Ok` and keeps no part of one that did not.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sequelize::prelude::*;
use sequelize::{Error, Options, PoolOptions, RetryMatch, RetryOptions};

/// The scratch servers' ports, below Linux's ephemeral range (32768 to 60999): there, the
/// local end of another test's client connection could hold the port, and the server's
/// `bind` would fail with "Address already in use".
const RESTART_PORT: u16 = 25_432;
const KILL_PORT: u16 = 25_433;
const KILL_MARIADB_PORT: u16 = 23_306;

/// A PostgreSQL cluster of one test, on `port`.
struct ScratchPostgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
}

impl ScratchPostgres {
    /// Makes and starts a cluster in a new temporary directory.
    fn start(name: &str, port: u16) -> ScratchPostgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| versions.flatten().map(|v| v.path().join("bin")).max())
            .filter(|bin| bin.join("pg_ctl").exists())
            .expect("PostgreSQL's server binaries in /usr/lib/postgresql/*/bin (scripts/test.sh installs them)");
        let data = std::env::temp_dir().join(format!("sequelize-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).unwrap();
        let scratch = ScratchPostgres { bin, data, port };
        scratch.own_data_directory();
        scratch.run(
            "initdb",
            &[
                "-D",
                &scratch.data(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        scratch.pg_ctl(&["start"]);
        scratch
    }

    fn data(&self) -> String {
        self.data.display().to_string()
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The server refuses to run as root: its directory goes to the `postgres` user then.
    fn own_data_directory(&self) {
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres", &self.data()])
                .status()
                .unwrap();
            assert!(status.success(), "chown the scratch cluster's directory");
        }
    }

    /// Runs one of the server's programs (as `postgres` when this is root).
    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program).display().to_string();
        let mut command = match is_root() {
            true => {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--", &program]);
                c
            }
            false => Command::new(&program),
        };
        let output = command.args(args).output().unwrap();
        assert!(
            output.status.success(),
            "{program} {args:?}: {}{}\nserver log:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(self.data.join("server.log")).unwrap_or_default()
        );
    }

    /// `pg_ctl <action>`, waiting for it to finish; the server listens on 127.0.0.1 only,
    /// its socket in the data directory.
    fn pg_ctl(&self, action: &[&str]) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.data()
        );
        let (data, log) = (
            self.data(),
            self.data.join("server.log").display().to_string(),
        );
        let mut args = vec!["-D", &data, "-o", &options, "-l", &log, "-w"];
        args.extend_from_slice(action);
        self.run("pg_ctl", &args);
    }

    /// Kills every process of the cluster with SIGKILL, as a crash would.
    fn kill(&self) {
        let pid = std::fs::read_to_string(self.data.join("postmaster.pid")).unwrap();
        let pid = pid.lines().next().unwrap().trim().to_owned();
        // Stopped first, so that it starts no new backend while its children are listed;
        // then all of them at once.
        let _ = Command::new("kill").args(["-STOP", &pid]).status();
        let children = Command::new("pgrep").args(["-P", &pid]).output().unwrap();
        let children = String::from_utf8_lossy(&children.stdout).into_owned();
        let mut all = vec!["-9".to_owned(), pid];
        all.extend(children.split_whitespace().map(str::to_owned));
        let status = Command::new("kill").args(&all).status().unwrap();
        assert!(status.success(), "kill {all:?}");
        std::thread::sleep(Duration::from_millis(300));
        // Where PID 1 does not reap orphans (a container), the killed postmaster stays a
        // zombie, which the next server's lock-file checks take for a live one.
        let socket = format!(".s.PGSQL.{}", self.port);
        for lock in [
            "postmaster.pid".to_owned(),
            format!("{socket}.lock"),
            socket,
        ] {
            let _ = std::fs::remove_file(self.data.join(lock));
        }
    }
}

impl Drop for ScratchPostgres {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.data.join("postmaster.pid")) {
            if let Some(pid) = pid.lines().next() {
                let _ = Command::new("kill").args(["-9", pid.trim()]).status();
            }
        }
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// A scratch server the kill test can kill and start again.
trait Scratch {
    fn url(&self) -> String;
    /// Kills every process of the server with SIGKILL, as a crash would.
    fn kill(&mut self);
    /// Starts the server again on the same data, and waits until it takes connections.
    fn start_again(&mut self);
}

impl Scratch for ScratchPostgres {
    fn url(&self) -> String {
        ScratchPostgres::url(self)
    }

    fn kill(&mut self) {
        ScratchPostgres::kill(self);
    }

    fn start_again(&mut self) {
        self.pg_ctl(&["start"]);
    }
}

/// A MariaDB server of one test, on `port`: a child process of the test, so that killing it
/// is `Child::kill` and nothing outlives the test.
struct ScratchMariaDb {
    data: PathBuf,
    port: u16,
    server: Option<Child>,
}

impl ScratchMariaDb {
    /// Makes a data directory (root with an empty password) and starts a server on it.
    fn start(name: &str, port: u16) -> ScratchMariaDb {
        let data = std::env::temp_dir().join(format!("sequelize-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).unwrap();
        let user = if is_root() { "mysql" } else { "" };
        if is_root() {
            let status = Command::new("chown")
                .args(["mysql:mysql", &data.display().to_string()])
                .status()
                .unwrap();
            assert!(status.success(), "chown the scratch server's directory");
        }
        let mut install = Command::new("mariadb-install-db");
        install.args([
            "--no-defaults",
            &format!("--datadir={}", data.display()),
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ]);
        if !user.is_empty() {
            install.arg(format!("--user={user}"));
        }
        let output = install
            .output()
            .expect("mariadb-install-db (scripts/test.sh installs MariaDB)");
        assert!(
            output.status.success(),
            "mariadb-install-db: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut scratch = ScratchMariaDb {
            data,
            port,
            server: None,
        };
        scratch.start_again();
        scratch
    }
}

impl Scratch for ScratchMariaDb {
    fn url(&self) -> String {
        format!("mariadb://root@127.0.0.1:{}/mysql", self.port)
    }

    fn kill(&mut self) {
        if let Some(mut server) = self.server.take() {
            server.kill().unwrap();
            server.wait().unwrap();
        }
    }

    fn start_again(&mut self) {
        let data = self.data.display().to_string();
        let mut server = Command::new("/usr/sbin/mariadbd");
        server.args([
            "--no-defaults".to_owned(),
            format!("--datadir={data}"),
            format!("--port={}", self.port),
            format!("--socket={data}/server.sock"),
            format!("--pid-file={data}/server.pid"),
            format!("--log-error={data}/server.log"),
            "--bind-address=127.0.0.1".to_owned(),
        ]);
        if is_root() {
            server.arg("--user=mysql");
        }
        let server = server.stdout(Stdio::null()).stderr(Stdio::null()).spawn();
        self.server = Some(server.expect("/usr/sbin/mariadbd"));
        for _ in 0..100 {
            let up = std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok();
            if up {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "the scratch MariaDB did not start: {}",
            std::fs::read_to_string(self.data.join("server.log")).unwrap_or_default()
        );
    }
}

impl Drop for ScratchMariaDb {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// One transaction of the kill tests: the two rows of transaction `tx`.
async fn write_pair(db: &Sequelize, tx: i64) -> sequelize::Result<()> {
    db.transaction(|t| async move {
        for half in [1_i64, 2] {
            t.query("INSERT INTO pairs (tx, half) VALUES ($1, $2)")
                .bind(Bind::positional().push(tx).push(half))
                .exec()
                .await?;
        }
        Ok(())
    })
    .await
}

/// How many rows of each transaction the `pairs` table holds, after asserting that every
/// `acknowledged` transaction has both its rows and that no transaction has one only.
async fn whole_transactions(
    db: &Sequelize,
    acknowledged: &BTreeSet<i64>,
) -> std::collections::BTreeMap<i64, i64> {
    let rows = db
        .query("SELECT tx, COUNT(*) AS n FROM pairs GROUP BY tx")
        .all()
        .await
        .expect("the database answers after the fault");
    let halves: std::collections::BTreeMap<i64, i64> = (rows.iter())
        .map(|row| (row.get::<i64>("tx").unwrap(), row.get::<i64>("n").unwrap()))
        .collect();
    for tx in acknowledged {
        assert_eq!(
            halves.get(tx),
            Some(&2),
            "acknowledged transaction {tx} is there whole"
        );
    }
    for (tx, n) in &halves {
        assert_eq!(*n, 2, "transaction {tx} is whole, not half-written");
    }
    halves
}

/// Asserts that an SQLite file passes `PRAGMA integrity_check`.
async fn assert_intact(db: &Sequelize) {
    let check = db
        .query("PRAGMA integrity_check")
        .plain()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(check.get::<String>("integrity_check").unwrap(), "ok");
}

/// The backend process of the connection a query runs on.
async fn backend(db: &Sequelize) -> sequelize::Result<i64> {
    let row = db
        .query("SELECT pg_backend_pid() AS pid")
        .plain()
        .await?
        .unwrap();
    Ok(i64::from(row.get::<i32>("pid")?))
}

fn options(url: String, retry: RetryOptions) -> Options {
    Options {
        url: Some(url),
        pool: PoolOptions {
            max: 4,
            ..Default::default()
        },
        retry,
        logging: sequelize::Logging::Off,
        ..Default::default()
    }
}

/// After a restart the pooled connections are dead; the next query gets a new one and
/// succeeds. A query sent while the server is down fails with `ConnectionRefused` without
/// retries, and with `RetryMatch::Connection` waits until the server is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_is_invisible_to_the_next_query() {
    let server = ScratchPostgres::start("fault-restart", RESTART_PORT);
    let retry = RetryOptions {
        max: 60,
        matching: vec![RetryMatch::Connection],
        backoff_base: Duration::from_millis(50),
        backoff_exponent: 1.0,
    };
    let db = Sequelize::connect_with(options(server.url(), retry))
        .await
        .unwrap();
    let before = backend(&db).await.unwrap();
    server.pg_ctl(&["restart", "-m", "fast"]);
    let after = backend(&db).await.expect("the first query after a restart");
    assert_ne!(before, after, "a new connection, to the new server");

    let plain = Sequelize::connect_with(options(server.url(), RetryOptions::default()))
        .await
        .unwrap();
    server.pg_ctl(&["stop", "-m", "fast"]);
    let refused = backend(&plain).await;
    assert!(
        matches!(refused, Err(Error::ConnectionRefused { .. })),
        "{refused:?}"
    );
    let waiting = tokio::spawn({
        let db = db.clone();
        async move { backend(&db).await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !waiting.is_finished(),
        "the query waits while the server is down"
    );
    server.pg_ctl(&["start"]);
    waiting
        .await
        .unwrap()
        .expect("the query sent while the server was down");
    db.close().await.unwrap();
    plain.close().await.unwrap();
}

/// Eight tasks commit 1,000 transactions of two rows each while the server is killed with
/// SIGKILL part way: after the server is back (crash recovery), every transaction whose
/// commit returned `Ok` has both its rows, no other transaction left one row, and the same
/// Sequelize instance works again without being rebuilt.
async fn a_killed_server_loses_no_acknowledged_commit(server: &mut dyn Scratch) {
    let db = Sequelize::connect_with(options(server.url(), RetryOptions::default()))
        .await
        .unwrap();
    db.query("CREATE TABLE pairs (tx INTEGER NOT NULL, half INTEGER NOT NULL)")
        .exec()
        .await
        .unwrap();
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let unknown = Arc::new(Mutex::new(BTreeSet::new()));
    let mut tasks = Vec::new();
    for task in 0..8_i64 {
        let (db, acknowledged, unknown) = (db.clone(), acknowledged.clone(), unknown.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0..125_i64 {
                let tx = task * 125 + n;
                let committed = write_pair(&db, tx).await;
                match committed {
                    Ok(()) => {
                        acknowledged.lock().unwrap().insert(tx);
                    }
                    Err(Error::CommitOutcomeUnknown(_)) => {
                        unknown.lock().unwrap().insert(tx);
                        return;
                    }
                    Err(_) => return,
                }
            }
        }));
    }
    // Kill once a fair number of transactions went through.
    for _ in 0..500 {
        if acknowledged.lock().unwrap().len() >= 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill();
    for task in tasks {
        task.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        (200..1_000).contains(&acknowledged.len()),
        "killed part way: {} acknowledged",
        acknowledged.len()
    );
    server.start_again();
    let halves = whole_transactions(&db, &acknowledged).await;
    let unknown = unknown.lock().unwrap().clone();
    for tx in halves.keys() {
        assert!(
            acknowledged.contains(tx) || unknown.contains(tx),
            "transaction {tx} was committed: its error said the outcome was unknown"
        );
    }
    println!(
        "killed after {} acknowledged commits; {} transactions found after recovery; {} commits of unknown outcome",
        acknowledged.len(),
        halves.len(),
        unknown.len()
    );
    db.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_postgres_loses_no_acknowledged_commit() {
    let mut server = ScratchPostgres::start("fault-kill", KILL_PORT);
    a_killed_server_loses_no_acknowledged_commit(&mut server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_mariadb_loses_no_acknowledged_commit() {
    let mut server = ScratchMariaDb::start("fault-kill-mariadb", KILL_MARIADB_PORT);
    a_killed_server_loses_no_acknowledged_commit(&mut server).await;
}

/// The writer of `an_sqlite_writer_killed_mid_write_keeps_every_acknowledged_commit`: run
/// by that test in a child process (`SEQUELIZE_FAULT_SQLITE` names the database file), it
/// commits transactions of two rows until it is killed, and prints `ack N` once the commit
/// of transaction N returned `Ok`.
#[tokio::test]
#[ignore = "run by an_sqlite_writer_killed_mid_write_keeps_every_acknowledged_commit, in a child process"]
async fn sqlite_writer_child() {
    use std::io::Write;
    let path = std::env::var("SEQUELIZE_FAULT_SQLITE").expect("the parent test names the file");
    let db = Sequelize::connect(&format!("sqlite://{path}"))
        .await
        .unwrap();
    let mut out = std::io::stdout();
    for tx in 0_i64.. {
        write_pair(&db, tx).await.unwrap();
        writeln!(out, "ack {tx}").unwrap();
        out.flush().unwrap();
    }
}

/// SQLite in a WAL file, its writer a child process killed with SIGKILL mid-write: the file
/// passes `PRAGMA integrity_check`, every transaction the writer saw committed has both its
/// rows, and none has one.
#[tokio::test]
async fn an_sqlite_writer_killed_mid_write_keeps_every_acknowledged_commit() {
    use std::io::{BufRead, BufReader};
    let path =
        std::env::temp_dir().join(format!("sequelize-fault-sqlite-{}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let url = format!("sqlite://{}", path.display());
    let db = Sequelize::connect(&url).await.unwrap();
    db.query("CREATE TABLE pairs (tx INTEGER NOT NULL, half INTEGER NOT NULL)")
        .exec()
        .await
        .unwrap();
    db.close().await.unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "sqlite_writer_child",
            "--ignored",
            "--nocapture",
            "--quiet",
        ])
        .env("SEQUELIZE_FAULT_SQLITE", path.display().to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acknowledged = BTreeSet::new();
    let ack = |line: &str| {
        line.strip_prefix("ack ")
            .and_then(|n| n.parse::<i64>().ok())
    };
    while acknowledged.len() < 500 {
        let line = lines
            .next()
            .expect("the writer runs until it is killed")
            .unwrap();
        acknowledged.extend(ack(&line));
    }
    child.kill().unwrap();
    // What it printed before it died counts too.
    acknowledged.extend(
        lines
            .map_while(|line| line.ok())
            .filter_map(|line| ack(&line)),
    );
    child.wait().unwrap();

    let db = Sequelize::connect(&url).await.unwrap();
    assert_intact(&db).await;
    let halves = whole_transactions(&db, &acknowledged).await;
    println!(
        "killed after {} acknowledged commits; {} transactions found",
        acknowledged.len(),
        halves.len()
    );
    db.close().await.unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// A small tmpfs mounted for one test, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(name: &str, size: &str) -> SmallDisk {
        assert!(
            is_root(),
            "mounting a small tmpfs needs root (CI runs scripts/test.sh as root)"
        );
        let dir = std::env::temp_dir().join(format!("sequelize-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size}"),
                "tmpfs",
                &dir.display().to_string(),
            ])
            .status()
            .unwrap();
        assert!(
            status.success(),
            "mount a {size} tmpfs on {}",
            dir.display()
        );
        SmallDisk(dir)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// SQLite on a disk that fills up: the insert that finds no room fails with
/// `Error::StorageFull`, its transaction is rolled back whole, and every transaction
/// committed before it is there, in a file that passes `integrity_check`.
#[tokio::test]
async fn a_full_disk_is_a_storage_full_error_and_loses_nothing() {
    let disk = SmallDisk::mount("full-disk", "512k");
    let url = format!("sqlite://{}", disk.0.join("full.db").display());
    let db = Sequelize::connect(&url).await.unwrap();
    db.query("CREATE TABLE blobs (tx INTEGER NOT NULL, data BLOB NOT NULL)")
        .exec()
        .await
        .unwrap();
    let mut committed = 0_i64;
    let failure = loop {
        let result = db
            .transaction(|t| async move {
                for _ in 0..4 {
                    t.query("INSERT INTO blobs (tx, data) VALUES ($1, $2)")
                        .bind(Bind::positional().push(committed).push(vec![7_u8; 4096]))
                        .exec()
                        .await?;
                }
                Ok::<_, Error>(())
            })
            .await;
        match result {
            Ok(()) => committed += 1,
            Err(e) => break e,
        }
        assert!(
            committed < 1_000,
            "512 kB cannot hold 1,000 transactions of 16 kB"
        );
    };
    assert!(matches!(failure, Error::StorageFull(_)), "{failure}");
    assert!(committed > 0, "some transactions fit");
    assert_intact(&db).await;
    let rows = db
        .query("SELECT COUNT(*) AS n, COUNT(DISTINCT tx) AS t FROM blobs")
        .plain()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        rows.get::<i64>("n").unwrap(),
        committed * 4,
        "whole transactions only"
    );
    assert_eq!(rows.get::<i64>("t").unwrap(), committed);
    println!("{committed} transactions of 16 kB fitted before: {failure}");
    db.close().await.unwrap();
}
