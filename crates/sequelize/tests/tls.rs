//! TLS against the local servers, which scripts/test.sh gives a certificate signed by a test
//! CA (`target/test-tls`): libpq's `sslmode` and Sequelize's `dialectOptions.ssl` connect
//! encrypted, the certificate is checked against the CA, a CA that did not sign it fails
//! with `Error::Tls` naming the problem, and `rejectUnauthorized: false` connects anyway.
//! SQLite opens a local file: TLS options there are a configuration error naming it.

mod common;

use std::path::PathBuf;

use common::{dialects, isolated_options};
use sequelize::prelude::*;
use sequelize::Error;

/// A file of the test certificates scripts/test.sh makes.
fn certificate(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/test-tls")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: scripts/test.sh makes the test certificates and gives the servers theirs",
        path.display()
    );
    path.display().to_string()
}

/// Connects to the isolated database of `dialect` with these dialect options.
async fn connect(dialect: &str, options: &[(&str, String)]) -> sequelize::Result<Sequelize> {
    connect_as(dialect, "tls", None, options).await
}

/// [`connect`] to the isolated database of `test`, as `user` (the test's own otherwise).
async fn connect_as(
    dialect: &str,
    test: &str,
    user: Option<&str>,
    options: &[(&str, String)],
) -> sequelize::Result<Sequelize> {
    let base = isolated_options(dialect, test, false).await;
    let mut dialect_options = base.dialect_options.clone();
    dialect_options.extend(options.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Sequelize::connect_with(sequelize::Options {
        username: user.map(str::to_owned).or(base.username.clone()),
        dialect_options,
        ..base
    })
    .await
}

/// Whether the session of `db` is encrypted, as the server sees it.
async fn encrypted(db: &Sequelize) -> bool {
    match db.dialect().name() {
        "postgres" => {
            let row = db
                .query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                .plain()
                .await
                .unwrap()
                .unwrap();
            row.get::<bool>("ssl").unwrap()
        }
        _ => {
            let row = db
                .query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
                .plain()
                .await
                .unwrap()
                .unwrap();
            !row.get::<String>("Value").unwrap().is_empty()
        }
    }
}

#[tokio::test]
async fn tls_connects_encrypted_and_checks_the_certificate() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        if dialect == "sqlite" {
            let error = connect(dialect, &[("sslmode", "require".into())])
                .await
                .unwrap_err();
            assert!(
                matches!(&error, Error::Config(m) if m.contains("sqlite") && m.contains("sslmode")),
                "{error}"
            );
            continue;
        }
        let plain = connect(dialect, &[]).await.unwrap();
        assert!(!encrypted(&plain).await, "{dialect}: no TLS unless asked");
        plain.close().await.unwrap();

        let ca = certificate("ca.crt");
        let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
            ("sslmode=prefer", vec![("sslmode", "prefer".into())]),
            ("sslmode=require", vec![("sslmode", "require".into())]),
            (
                "sslmode=verify-full with the CA",
                vec![
                    ("sslmode", "verify-full".into()),
                    ("sslrootcert", ca.clone()),
                ],
            ),
            (
                "sslmode=verify-ca with the CA",
                vec![("sslmode", "verify-ca".into()), ("sslrootcert", ca.clone())],
            ),
            (
                "ssl: { require: true, ca } (the PEM text)",
                vec![
                    ("ssl.require", "true".into()),
                    ("ssl.ca", std::fs::read_to_string(&ca).unwrap()),
                ],
            ),
            (
                "ssl: { require: true, rejectUnauthorized: false } with the wrong CA",
                vec![
                    ("ssl.require", "true".into()),
                    ("ssl.rejectUnauthorized", "false".into()),
                    ("ssl.ca", certificate("other-ca.crt")),
                ],
            ),
        ];
        for (case, options) in cases {
            let db = connect(dialect, &options)
                .await
                .unwrap_or_else(|e| panic!("{dialect}, {case}: {e}"));
            assert!(encrypted(&db).await, "{dialect}, {case}: encrypted");
            db.close().await.unwrap();
        }

        for (case, options) in [
            (
                "sslmode=verify-full with another CA",
                vec![
                    ("sslmode", "verify-full".into()),
                    ("sslrootcert", certificate("other-ca.crt")),
                ],
            ),
            (
                "ssl: true with the built-in roots",
                vec![("ssl", "true".into())],
            ),
        ] {
            let error = connect(dialect, &options).await.unwrap_err();
            assert!(
                matches!(&error, Error::Tls(m) if m.contains("invalid peer certificate") && m.contains("UnknownIssuer")),
                "{dialect}, {case}: {error}"
            );
        }
    }
}

/// A user the servers let in by client certificate only (`sequelize_cert`, which
/// scripts/test.sh makes: PostgreSQL's `cert` authentication, MariaDB's `REQUIRE X509`):
/// `sslcert` and `sslkey` (or Sequelize's `ssl.cert`, `ssl.key`) let it in, encrypted; the
/// same connection without them is refused with `Error::AccessDenied`.
#[tokio::test]
async fn a_client_certificate_lets_in_a_user_that_needs_one() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        if dialect == "sqlite" {
            println!("sqlite opens a local file: no user, no client certificate");
            continue;
        }
        let verified = || {
            vec![
                ("sslmode", "verify-full".to_owned()),
                ("sslrootcert", certificate("ca.crt")),
            ]
        };
        for (case, identity) in [
            (
                "sslcert, sslkey",
                [("sslcert", "client.crt"), ("sslkey", "client.key")],
            ),
            (
                "ssl.cert, ssl.key",
                [("ssl.cert", "client.crt"), ("ssl.key", "client.key")],
            ),
        ] {
            let mut options = verified();
            options.extend(identity.map(|(key, file)| (key, certificate(file))));
            let db = connect_as(dialect, "tls_client", Some("sequelize_cert"), &options)
                .await
                .unwrap_or_else(|e| panic!("{dialect}, {case}: {e}"));
            assert!(encrypted(&db).await, "{dialect}, {case}");
            db.close().await.unwrap();
        }
        let refused = connect_as(dialect, "tls_client", Some("sequelize_cert"), &verified())
            .await
            .unwrap_err();
        assert!(
            matches!(refused, Error::AccessDenied(_)),
            "{dialect}: {refused}"
        );
    }
}
