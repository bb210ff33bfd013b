//! [`ConnectionConfig`]: where and how a driver connects, and the URL forms that produce it.

use super::TimeZone;
use crate::error::{Error, Result};

/// Where and how to connect: the part of Sequelize's options a dialect's driver reads.
///
/// ```
/// let sqlite = sequelize::dialect::by_name("sqlite").unwrap();
/// let config = sqlite.config_from_url("sqlite://data/app.db").unwrap();
/// assert_eq!(config.storage.as_deref(), Some("data/app.db"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionConfig {
    /// Server host (`localhost` when absent).
    pub host: Option<String>,
    /// Server port.
    pub port: Option<u16>,
    /// Database name.
    pub database: Option<String>,
    /// User name.
    pub username: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// SQLite file path or `:memory:`.
    pub storage: Option<String>,
    /// Driver-specific settings; each driver rejects the keys it does not know.
    pub dialect_options: Vec<(String, String)>,
    /// The session time zone (Sequelize's `timezone`).
    pub time_zone: TimeZone,
}

impl ConnectionConfig {
    /// The host, or `localhost`.
    ///
    /// ```
    /// assert_eq!(sequelize::dialect::ConnectionConfig::default().host_or_default(), "localhost");
    /// ```
    pub fn host_or_default(&self) -> &str {
        self.host.as_deref().unwrap_or("localhost")
    }
}

/// Decodes a percent-encoded URL part.
pub(crate) fn decode(part: &str) -> Result<String> {
    percent_encoding::percent_decode_str(part)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| Error::Config("URL contains percent-encoded bytes that are not UTF-8".into()))
}

/// A bad URL, explained.
pub(crate) fn bad_url(why: &str) -> Error {
    Error::Config(format!("bad database URL: {why}"))
}

/// A server URL, `scheme://[user[:password]@]host[:port]/database[?options]`: the form every
/// server dialect reads. Query parameters become `dialect_options`.
pub(crate) fn server_url(url: &str) -> Result<ConnectionConfig> {
    let parsed = url::Url::parse(url).map_err(|e| bad_url(&e.to_string()))?;
    if !parsed.has_host() {
        return Err(bad_url(
            "expected scheme://[user[:password]@]host[:port]/database",
        ));
    }
    let non_empty = |s: &str| (!s.is_empty()).then(|| decode(s)).transpose();
    Ok(ConnectionConfig {
        host: parsed
            .host_str()
            .map(|h| h.trim_matches(['[', ']']).to_owned()),
        port: parsed.port(),
        database: non_empty(parsed.path().trim_start_matches('/'))?,
        username: non_empty(parsed.username())?,
        password: parsed.password().map(decode).transpose()?,
        storage: None,
        dialect_options: parsed
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        time_zone: TimeZone::UTC,
    })
}
