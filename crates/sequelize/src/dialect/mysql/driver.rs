//! The mysql_async connection: binding, running through the text or binary protocol, and
//! decoding both protocols' rows into the same [`Value`]s.

use std::sync::Arc;

use futures_util::StreamExt;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use mysql_async::consts::{ColumnType, StatusFlags};
use mysql_async::prelude::{Protocol, Queryable};
use mysql_async::{ClientIdentity, Column, DriverError, Params, SslOpts};
use rust_decimal::Decimal;

use super::errors::{breaks_connection, map_connect_error, map_error};
use crate::dialect::tls::{TlsMode, TlsSettings};
use crate::dialect::{self, BoxFuture, DriverConnection};
use crate::dialect::{ConnectionConfig, TimeZone};
use crate::error::{Error, Result};
use crate::row::{no_column, Completion, ReadResult, RowReader, RowSink};
use crate::sql::scanner::Backslashes;
use crate::value::Value;

/// The port MySQL and MariaDB listen on unless told otherwise.
const DEFAULT_PORT: u16 = 3306;
/// Prepared statements mysql_async keeps per connection.
const STATEMENT_CACHE: usize = 128;
/// Statements every connection runs first: full UTF-8 (the 3-byte `utf8` truncates emoji),
/// and UTC, so `DATETIME` values and the text form of instants mean the same everywhere.
const INIT: [&str; 2] = ["SET NAMES utf8mb4", "SET time_zone = '+00:00'"];
/// The character set number of binary strings (`BLOB`, `VARBINARY`, `BINARY`).
const BINARY_CHARSET: u16 = 63;

/// One MySQL or MariaDB connection.
pub(super) struct MySqlConnection {
    conn: mysql_async::Conn,
    /// A driver or I/O error left the connection in an unknown state.
    broken: bool,
    /// The last result set's column names and decoders, reused while the columns stay the same.
    last_shape: Option<Shape>,
    /// The session zone, when it is not UTC: `DATETIME` and `TIMESTAMP` values are its wall
    /// clock on the wire, and UTC wall clocks in [`Value`]s.
    zone: Option<TimeZone>,
}

/// What decoding a result set needs, built from its column definitions.
struct Shape {
    names: Arc<[String]>,
    decoders: Vec<Decoder>,
    zone: Option<TimeZone>,
}

impl Shape {
    /// Whether this shape describes `columns` (same names, same decoders).
    fn fits(&self, columns: &[Column]) -> bool {
        self.names.len() == columns.len()
            && columns
                .iter()
                .zip(self.names.iter())
                .zip(&self.decoders)
                .all(|((column, name), decoder)| {
                    column.name_ref() == name.as_bytes() && Decoder::for_column(column) == *decoder
                })
    }

    fn new(columns: &[Column], zone: Option<TimeZone>) -> Shape {
        Shape {
            names: columns.iter().map(|c| c.name_str().into_owned()).collect(),
            decoders: columns.iter().map(Decoder::for_column).collect(),
            zone,
        }
    }

    /// Decodes every column of `row`, appending to `values`.
    fn decode_into(&self, mut row: mysql_async::Row, values: &mut Vec<Value>) -> Result<()> {
        for i in 0..self.decoders.len() {
            values.push(self.decode(&mut row, i)?);
        }
        Ok(())
    }

    /// Decodes column `i` of `row`, taking it out of the row.
    fn decode(&self, row: &mut mysql_async::Row, i: usize) -> Result<Value> {
        let decoder = self.decoder(i)?;
        let raw = row.take(i).unwrap_or(mysql_async::Value::NULL);
        decode(raw, decoder, self.zone).map_err(|why| self.failed(i, why))
    }

    /// Decodes a copy of column `i` of `row`, leaving the row as it is.
    fn decode_copy(&self, row: &mysql_async::Row, i: usize) -> Result<Value> {
        let decoder = self.decoder(i)?;
        let raw = row.as_ref(i).cloned().unwrap_or(mysql_async::Value::NULL);
        decode(raw, decoder, self.zone).map_err(|why| self.failed(i, why))
    }

    fn decoder(&self, i: usize) -> Result<Decoder> {
        (self.decoders.get(i).copied()).ok_or_else(|| no_column(self.decoders.len(), i))
    }

    /// Why column `i` did not decode.
    fn failed(&self, i: usize, why: &str) -> Error {
        Error::Decode(format!(
            "column `{}` ({:?}): {why}",
            self.names[i], self.decoders[i]
        ))
    }
}

/// A row of a result set, read by taking its columns out.
struct MySqlRow<'a> {
    row: mysql_async::Row,
    shape: &'a Shape,
}

impl RowReader for MySqlRow<'_> {
    fn width(&self) -> usize {
        self.shape.decoders.len()
    }

    fn value(&mut self, i: usize) -> ReadResult<Value> {
        Ok(self.shape.decode(&mut self.row, i)?)
    }

    fn peek(&self, i: usize) -> ReadResult<Value> {
        Ok(self.shape.decode_copy(&self.row, i)?)
    }

    fn is_null(&self, i: usize) -> bool {
        match (self.shape.decoders.get(i), self.row.as_ref(i)) {
            (Some(Decoder::Null), _) => true,
            (Some(&decoder), Some(value)) => reads_as_null(decoder, value),
            _ => false,
        }
    }

    fn int(&self, i: usize) -> Option<i64> {
        use mysql_async::Value as My;
        match (self.shape.decoders.get(i)?, self.row.as_ref(i)?) {
            (Decoder::Int, My::Int(int)) => Some(*int),
            (Decoder::Int, My::Bytes(b)) => parse::<i64>(b).ok(),
            _ => None,
        }
    }

    fn text(&mut self, i: usize) -> Option<ReadResult<String>> {
        use mysql_async::Value as My;
        let text = (self.shape.decoders.get(i), self.row.as_ref(i));
        if !matches!(text, (Some(Decoder::Text), Some(My::Bytes(_)))) {
            return None;
        }
        match self.row.take(i)? {
            My::Bytes(bytes) => Some(
                String::from_utf8(bytes)
                    .map_err(|_| Box::new(self.shape.failed(i, "the text is not UTF-8"))),
            ),
            _ => None,
        }
    }
}

/// mysql_async's TLS options for `tls`; `None` for no TLS.
fn ssl_opts(tls: &TlsSettings) -> Option<SslOpts> {
    let opts = SslOpts::default();
    let opts = match tls.mode {
        TlsMode::Disable => return None,
        TlsMode::Prefer | TlsMode::Require => opts
            .with_danger_accept_invalid_certs(true)
            .with_danger_skip_domain_validation(true),
        TlsMode::VerifyCa => opts.with_danger_skip_domain_validation(true),
        TlsMode::VerifyFull => opts,
    };
    let opts = match &tls.ca {
        Some(ca) => opts
            .with_root_certs(vec![ca.clone().into()])
            .with_disable_built_in_roots(true),
        None => opts,
    };
    Some(match &tls.identity {
        Some((cert, key)) => opts.with_client_identity(Some(ClientIdentity::new(
            cert.clone().into(),
            key.clone().into(),
        ))),
        None => opts,
    })
}

impl MySqlConnection {
    pub(super) async fn open(config: &ConnectionConfig) -> Result<Self> {
        let unknown = (config.dialect_options.iter()).find(|(k, _)| !TlsSettings::is_tls_option(k));
        if let Some((key, _)) = unknown {
            return Err(Error::Config(format!(
                "unknown mysql option `{key}` (expected sslmode, sslrootcert, sslcert, sslkey or \
                 ssl with require, rejectUnauthorized, ca, cert, key)"
            )));
        }
        let tls = TlsSettings::from_options("mysql", &config.dialect_options)?;
        let host = config.host_or_default();
        let port = config.port.unwrap_or(DEFAULT_PORT);
        let opts = mysql_async::OptsBuilder::default()
            .ip_or_hostname(host)
            .tcp_port(port)
            .user(Some(config.username.as_deref().unwrap_or("root")))
            .pass(config.password.as_deref())
            .db_name(config.database.as_deref())
            .prefer_socket(false)
            .stmt_cache_size(STATEMENT_CACHE)
            // Affected rows count the rows matched, as on PostgreSQL and SQLite and as
            // Sequelize's driver (mysql2) reports them, not only the rows changed.
            .client_found_rows(true)
            .init(INIT.to_vec());
        let target = format!("{host}:{port}");
        let conn = match ssl_opts(&tls) {
            None => mysql_async::Conn::new(opts).await,
            Some(ssl) => match mysql_async::Conn::new(opts.clone().ssl_opts(ssl)).await {
                // `prefer`: plain when the server offers no TLS.
                Err(mysql_async::Error::Driver(DriverError::NoClientSslFlagFromServer))
                    if tls.mode == TlsMode::Prefer =>
                {
                    mysql_async::Conn::new(opts).await
                }
                other => other,
            },
        }
        .map_err(|e| map_connect_error(e, &target))?;
        let mut connection = MySqlConnection {
            conn,
            broken: false,
            last_shape: None,
            zone: (!config.time_zone.is_utc()).then_some(config.time_zone),
        };
        if let Some(zone) = connection.zone {
            connection.set_session_zone(zone).await?;
        }
        Ok(connection)
    }

    /// `SET time_zone` to `zone`: by name when the server's time zone tables know it, else
    /// to its offset now (as Sequelize does; Debian's servers ship the tables empty).
    async fn set_session_zone(&mut self, zone: TimeZone) -> Result<()> {
        const SET: &str = "SET time_zone = ?";
        let (name, offset) = zone.mysql_settings(chrono::Utc::now());
        if let Some(name) = name {
            match self.conn.exec_drop(SET, (name,)).await {
                Ok(()) => return Ok(()),
                // ER_UNKNOWN_TIME_ZONE
                Err(mysql_async::Error::Server(e)) if e.code == 1298 => tracing::debug!(
                    target: "sequelize::mysql",
                    zone = name,
                    offset = %offset,
                    "the server has no time zone tables; the session zone is the offset"
                ),
                Err(e) => return Err(driver_failed(&mut self.broken, e)),
            }
        }
        (self.conn.exec_drop(SET, (offset,)).await).map_err(|e| driver_failed(&mut self.broken, e))
    }

    async fn run_async(
        &mut self,
        sql: &str,
        params: &[Value],
        sink: &mut dyn RowSink,
    ) -> Result<Completion> {
        let outcome = if params.is_empty() {
            // The text protocol: some statements (many DDL forms, `LOCK TABLES`, …) cannot be
            // prepared, and a statement without parameters gains nothing from it.
            match self.conn.query_iter(sql).await {
                Ok(result) => collect(result, &mut self.last_shape, self.zone, sink).await,
                Err(e) => Err(e.into()),
            }
        } else {
            let params = bind_all(params, self.zone)?;
            match self.conn.exec_iter(sql, Params::Positional(params)).await {
                Ok(result) => collect(result, &mut self.last_shape, self.zone, sink).await,
                Err(e) => Err(e.into()),
            }
        };
        outcome.map_err(|e| match e {
            Failure::Driver(e) => driver_failed(&mut self.broken, e),
            Failure::Decode(e) => e,
        })
    }

    /// Reads a query's rows as they arrive (always prepared: a query can be).
    fn stream_rows<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> dialect::RowStream<'a> {
        let MySqlConnection {
            conn,
            broken,
            last_shape,
            zone,
        } = self;
        let zone = *zone;
        Box::pin(async_stream::try_stream! {
            let params = bind_all(params, zone)?;
            let mut result = match conn.exec_iter(sql, Params::Positional(params)).await {
                Ok(result) => result,
                Err(e) => Err(driver_failed(broken, e))?,
            };
            let columns = result.columns().unwrap_or_default();
            if !columns.is_empty() {
                let shape = match last_shape {
                    Some(shape) if shape.fits(&columns) => shape,
                    slot => slot.insert(Shape::new(&columns, zone)),
                };
                let rows = match result.stream::<mysql_async::Row>().await {
                    Ok(rows) => rows,
                    Err(e) => Err(driver_failed(broken, e))?,
                };
                if let Some(rows) = rows {
                    let shape = &*shape;
                    let decoded = rows.map(|row| {
                        let row = row.map_err(|e| driver_failed(broken, e))?;
                        let mut values = Vec::with_capacity(shape.decoders.len());
                        shape.decode_into(row, &mut values)?;
                        Ok(values)
                    });
                    let mut batches = dialect::batched(Arc::clone(&shape.names), decoded);
                    while let Some(batch) = batches.next().await {
                        yield batch?;
                    }
                }
            }
            if let Err(e) = result.drop_result().await {
                Err(driver_failed(broken, e))?;
            }
        })
    }
}

/// Maps a driver error, noting when it left the connection in an unknown state.
fn driver_failed(broken: &mut bool, e: mysql_async::Error) -> Error {
    *broken |= breaks_connection(&e);
    map_error(e)
}

/// Why [`collect`] failed: the driver (which may have broken the connection), or a row that
/// does not decode or that its sink refused (which leaves it usable).
enum Failure {
    Driver(mysql_async::Error),
    Decode(Error),
}

impl From<mysql_async::Error> for Failure {
    fn from(e: mysql_async::Error) -> Self {
        Failure::Driver(e)
    }
}

/// Reads the first result set of `result` into `sink`, and drains any others.
async fn collect<P: Protocol>(
    mut result: mysql_async::QueryResult<'_, 'static, P>,
    last_shape: &mut Option<Shape>,
    zone: Option<TimeZone>,
    sink: &mut dyn RowSink,
) -> std::result::Result<Completion, Failure> {
    let columns = result.columns().unwrap_or_default();
    let rows_affected = if columns.is_empty() {
        result.affected_rows()
    } else {
        let shape = match last_shape {
            Some(shape) if shape.fits(&columns) => shape,
            slot => slot.insert(Shape::new(&columns, zone)),
        };
        sink.columns(&shape.names);
        let mut count = 0u64;
        let mut failed = None;
        result
            .for_each(|row| {
                if failed.is_some() {
                    return;
                }
                count += 1;
                if let Err(e) = sink.row(&mut MySqlRow { row, shape }) {
                    failed = Some(e);
                }
            })
            .await?;
        if let Some(e) = failed {
            result.drop_result().await?;
            return Err(Failure::Decode(*e));
        }
        // The OK packet after a result set counts nothing; the rows are the count (the rows
        // `INSERT … RETURNING` inserted, or a `SELECT`'s rows, as PostgreSQL reports them).
        count
    };
    let last_insert_id = result
        .last_insert_id()
        .filter(|id| *id != 0)
        .and_then(|id| i64::try_from(id).ok());
    result.drop_result().await?;
    Ok(Completion {
        rows_affected,
        last_insert_id,
    })
}

/// How a column's values become [`Value`]s, from its type and character set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoder {
    Int,
    /// `FLOAT`: single precision.
    Float,
    Double,
    Decimal,
    Text,
    Bytes,
    Json,
    Date,
    DateTime,
    Time,
    Null,
}

impl Decoder {
    fn for_column(column: &Column) -> Decoder {
        use ColumnType::*;
        match column.column_type() {
            MYSQL_TYPE_TINY | MYSQL_TYPE_SHORT | MYSQL_TYPE_INT24 | MYSQL_TYPE_LONG
            | MYSQL_TYPE_LONGLONG | MYSQL_TYPE_YEAR => Decoder::Int,
            MYSQL_TYPE_FLOAT => Decoder::Float,
            MYSQL_TYPE_DOUBLE => Decoder::Double,
            MYSQL_TYPE_DECIMAL | MYSQL_TYPE_NEWDECIMAL => Decoder::Decimal,
            // MySQL's JSON type; MariaDB's JSON is a LONGTEXT and reads as text.
            MYSQL_TYPE_JSON => Decoder::Json,
            MYSQL_TYPE_DATE | MYSQL_TYPE_NEWDATE => Decoder::Date,
            MYSQL_TYPE_DATETIME
            | MYSQL_TYPE_DATETIME2
            | MYSQL_TYPE_TIMESTAMP
            | MYSQL_TYPE_TIMESTAMP2 => Decoder::DateTime,
            MYSQL_TYPE_TIME | MYSQL_TYPE_TIME2 => Decoder::Time,
            MYSQL_TYPE_NULL => Decoder::Null,
            _ if column.character_set() == BINARY_CHARSET => Decoder::Bytes,
            _ => Decoder::Text,
        }
    }
}

/// Whether a column's value reads as `NULL` ([`decode`] and `RowReader::is_null` ask
/// here): `NULL` itself, a column of type `NULL`, and MySQL's zero date in either protocol.
fn reads_as_null(decoder: Decoder, value: &mysql_async::Value) -> bool {
    use mysql_async::Value as My;
    match (decoder, value) {
        (_, My::NULL) | (Decoder::Null, _) => true,
        (Decoder::Date, My::Bytes(b)) => b == b"0000-00-00",
        (Decoder::DateTime, My::Bytes(b)) => b.starts_with(b"0000-00-00"),
        (Decoder::Date | Decoder::DateTime, My::Date(y, m, d, ..)) => {
            matches!(date(*y, *m, *d), Ok(None))
        }
        _ => false,
    }
}

/// Parses a text-protocol value (ASCII digits and punctuation).
fn parse<T: std::str::FromStr>(bytes: &[u8]) -> std::result::Result<T, &'static str> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or("the server's text is not of the column's type")
}

/// Parses a `DECIMAL` exactly. A `DECIMAL(65,30)` column sends 30 digits after the point;
/// trailing zeros are dropped first, and a value that still has more digits than a
/// [`Decimal`] holds is an error, never rounded.
fn parse_decimal(bytes: &[u8]) -> std::result::Result<Decimal, &'static str> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the text is not UTF-8")?;
    let text = match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.'),
        false => text,
    };
    Decimal::from_str_exact(text)
        .map_err(|_| "the DECIMAL has more digits than a rust_decimal::Decimal holds (28)")
}

fn date(y: u16, m: u8, d: u8) -> std::result::Result<Option<NaiveDate>, &'static str> {
    if (y, m, d) == (0, 0, 0) {
        // MySQL's zero date (accepted outside strict mode) stands for a missing date.
        return Ok(None);
    }
    NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
        .map(Some)
        .ok_or("not a valid calendar date")
}

/// Why a `TIME` value has no [`NaiveTime`] form: MySQL's `TIME` is a duration of up to ±838
/// hours.
const NOT_A_TIME_OF_DAY: &str =
    "not a time of day (TIME values outside 00:00:00–23:59:59 cannot be read)";

fn time(h: u8, m: u8, s: u8, us: u32) -> std::result::Result<NaiveTime, &'static str> {
    NaiveTime::from_hms_micro_opt(u32::from(h), u32::from(m), u32::from(s), us)
        .ok_or(NOT_A_TIME_OF_DAY)
}

/// Decodes one value of either protocol: the binary protocol sends typed values, the text
/// protocol sends every value as text, parsed here by the column's type.
/// `DATETIME` and `TIMESTAMP` values are read as `zone`'s wall clock (none: UTC).
fn decode(
    value: mysql_async::Value,
    decoder: Decoder,
    zone: Option<TimeZone>,
) -> std::result::Result<Value, &'static str> {
    use mysql_async::Value as My;
    if reads_as_null(decoder, &value) {
        return Ok(Value::Null);
    }
    Ok(match (decoder, value) {
        (Decoder::Int, My::Int(i)) => Value::Int(i),
        (Decoder::Int, My::UInt(u)) => {
            i64::try_from(u).map_or_else(|_| Value::Decimal(Decimal::from(u)), Value::Int)
        }
        (Decoder::Int, My::Bytes(b)) => match parse::<i64>(&b) {
            Ok(i) => Value::Int(i),
            // BIGINT UNSIGNED beyond i64.
            Err(_) => Value::Decimal(Decimal::from(parse::<u64>(&b)?)),
        },
        (Decoder::Float, My::Float(f)) => Value::Float(f64::from(f)),
        // Parsed at the column's precision, so both protocols give the same number.
        (Decoder::Float, My::Bytes(b)) => Value::Float(f64::from(parse::<f32>(&b)?)),
        (Decoder::Double, My::Double(f)) => Value::Float(f),
        (Decoder::Double, My::Bytes(b)) => Value::Float(parse(&b)?),
        (Decoder::Decimal, My::Bytes(b)) => Value::Decimal(parse_decimal(&b)?),
        (Decoder::Text, My::Bytes(b)) => {
            Value::Text(String::from_utf8(b).map_err(|_| "the text is not UTF-8")?)
        }
        (Decoder::Bytes, My::Bytes(b)) => Value::Bytes(b),
        (Decoder::Json, My::Bytes(b)) => Value::Json(Box::new(
            serde_json::from_slice(&b).map_err(|_| "the server's JSON is not JSON")?,
        )),
        (Decoder::Date, My::Date(y, m, d, ..)) => date(y, m, d)?.map_or(Value::Null, Value::Date),
        (Decoder::Date, My::Bytes(b)) => Value::Date(parse(&b)?),
        (Decoder::DateTime, My::Date(y, mo, d, h, mi, s, us)) => match date(y, mo, d)? {
            Some(day) => Value::DateTime(to_utc(day.and_time(time(h, mi, s, us)?), zone)),
            None => Value::Null,
        },
        (Decoder::DateTime, My::Bytes(b)) => {
            let text = std::str::from_utf8(&b).map_err(|_| "the text is not UTF-8")?;
            let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
                .map_err(|_| "not a valid date and time")?;
            Value::DateTime(to_utc(local, zone))
        }
        (Decoder::Time, My::Time(false, 0, h, m, s, us)) => Value::Time(time(h, m, s, us)?),
        (Decoder::Time, My::Time(..)) => return Err(NOT_A_TIME_OF_DAY),
        (Decoder::Time, My::Bytes(b)) => {
            let text = std::str::from_utf8(&b).map_err(|_| "the text is not UTF-8")?;
            Value::Time(
                NaiveTime::parse_from_str(text, "%H:%M:%S%.f").map_err(|_| NOT_A_TIME_OF_DAY)?,
            )
        }
        _ => return Err("the server sent a value of another type than the column's"),
    })
}

/// A session wall clock as the UTC wall clock values hold.
fn to_utc(local: NaiveDateTime, zone: Option<TimeZone>) -> NaiveDateTime {
    zone.map_or(local, |zone| zone.local_to_utc(local))
}

/// A UTC wall clock as the session's.
fn to_local(utc: NaiveDateTime, zone: Option<TimeZone>) -> NaiveDateTime {
    zone.map_or(utc, |zone| zone.utc_to_local(utc))
}

/// Converts a date and time for the wire.
fn datetime(n: NaiveDateTime) -> Result<mysql_async::Value> {
    let year = u16::try_from(n.year())
        .map_err(|_| Error::InvalidQuery("MySQL dates cannot lie before year 0".into()))?;
    let small = |v: u32| u8::try_from(v).expect("chrono's date and time fields are below 256");
    Ok(mysql_async::Value::Date(
        year,
        small(n.month()),
        small(n.day()),
        small(n.hour()),
        small(n.minute()),
        small(n.second()),
        micros(n.time()),
    ))
}

/// Microseconds of the second (a leap second's are folded into the last microsecond).
fn micros(t: NaiveTime) -> u32 {
    (t.nanosecond() / 1_000).min(999_999)
}

/// The parameters of a statement as the driver sends them.
fn bind_all(params: &[Value], zone: Option<TimeZone>) -> Result<Vec<mysql_async::Value>> {
    params.iter().map(|value| bind(value, zone)).collect()
}

/// A [`Value`] as the driver sends it. Decimals, UUIDs and JSON travel as text, which the
/// server converts to the column's type exactly. Dates and times go as the session's wall
/// clock: values hold UTC, and `zone` (none: UTC) is the session's.
fn bind(value: &Value, zone: Option<TimeZone>) -> Result<mysql_async::Value> {
    use mysql_async::Value as My;
    Ok(match value {
        Value::Null => My::NULL,
        Value::Bool(b) => My::Int(i64::from(*b)),
        Value::Int(i) => My::Int(*i),
        Value::Float(f) => My::Double(*f),
        Value::Decimal(d) => My::Bytes(d.to_string().into_bytes()),
        Value::Text(s) => My::Bytes(s.clone().into_bytes()),
        Value::Bytes(b) => My::Bytes(b.clone()),
        Value::Uuid(u) => My::Bytes(u.hyphenated().to_string().into_bytes()),
        Value::Date(d) => datetime(d.and_time(NaiveTime::MIN))?,
        Value::Time(t) => {
            let small = |v: u32| u8::try_from(v).expect("chrono's time fields are below 256");
            My::Time(
                false,
                0,
                small(t.hour()),
                small(t.minute()),
                small(t.second()),
                micros(*t),
            )
        }
        Value::DateTime(n) => datetime(to_local(*n, zone))?,
        Value::Timestamp(t) => datetime(to_local(t.naive_utc(), zone))?,
        Value::Json(j) => My::Bytes(j.to_string().into_bytes()),
        Value::Array(_) => {
            return Err(Error::Unsupported {
                dialect: "mysql",
                feature: "array values (ARRAY is a PostgreSQL type)".into(),
            })
        }
    })
}

impl DriverConnection for MySqlConnection {
    fn run_into<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Value],
        sink: &'a mut dyn RowSink,
    ) -> BoxFuture<'a, Result<Completion>> {
        Box::pin(self.run_async(sql, params, sink))
    }

    fn stream<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> dialect::RowStream<'a> {
        self.stream_rows(sql, params)
    }

    fn execute_batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            (self.conn.query_drop(sql).await).map_err(|e| driver_failed(&mut self.broken, e))
        })
    }

    fn ping(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(
            async move { (self.conn.ping().await).map_err(|e| driver_failed(&mut self.broken, e)) },
        )
    }

    fn is_closed(&self) -> bool {
        self.broken || self.conn.is_disconnected()
    }

    fn close(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            // A broken connection has nobody to say goodbye to.
            if !self.broken {
                let _ = self.conn.disconnect().await;
            }
        })
    }

    fn backslashes(&self) -> Backslashes {
        // The server puts NO_BACKSLASH_ESCAPES in the status flags of every OK packet, so the
        // last one says how this session reads backslashes now. After an error there is none.
        match self.conn.last_ok_packet() {
            Some(ok)
                if ok
                    .status_flags()
                    .contains(StatusFlags::SERVER_STATUS_NO_BACKSLASH_ESCAPES) =>
            {
                Backslashes::Literal
            }
            Some(_) => Backslashes::Escape,
            None => Backslashes::Unknown,
        }
    }

    fn session_backslashes(&mut self) -> BoxFuture<'_, Result<Backslashes>> {
        Box::pin(async move {
            if self.backslashes() == Backslashes::Unknown {
                // A ping's OK packet carries the status flags.
                self.ping().await?;
            }
            Ok(self.backslashes())
        })
    }

    fn survives_cancellation(&self) -> bool {
        // The protocol has no request ids: after a statement is abandoned, its reply is the
        // next one read.
        false
    }
}
