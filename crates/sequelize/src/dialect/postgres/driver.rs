//! The tokio-postgres connection: the prepared-statement cache, binding by inferred parameter
//! types, and decoding by column types.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::{BufMut, BytesMut};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use futures_util::StreamExt;
use postgres_types::{Format, FromSql, IsNull, Kind, ToSql, Type};
use rust_decimal::Decimal;
use tokio_postgres::config::SslMode;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{Client, NoTls, Row, RowStream, Socket, Statement};
use uuid::Uuid;

use super::errors::{map_connect_error, map_error, BindError};
use super::text_forms;
use super::tls::MakeRustls;
use super::TIMESTAMP_FORMAT;
use crate::dialect::tls::{TlsMode, TlsSettings};
use crate::dialect::ConnectionConfig;
use crate::dialect::{self, BoxFuture, DriverConnection};
use crate::error::{Error, Result};
use crate::row::{no_column, Completion, ReadResult, RowReader, RowSink};
use crate::sql::scanner::Backslashes;
use crate::value::{FromValue, Value};

/// The port PostgreSQL listens on unless told otherwise.
const DEFAULT_PORT: u16 = 5432;
/// Prepared statements kept per connection; the cache is emptied when it is full (a query
/// shape is prepared again on its next use, which costs one round trip).
const STATEMENT_CACHE: usize = 256;
/// Session settings every connection needs: literals are rendered with doubled quotes only,
/// which is correct only with standard-conforming strings.
const REQUIRED_OPTIONS: &str = "-c standard_conforming_strings=on";

/// The error type of `postgres-types` conversions.
type BoxError = Box<dyn std::error::Error + Sync + Send>;

/// One PostgreSQL connection: the client half (the socket is driven by a spawned task) and
/// its prepared statements.
pub(super) struct PgConnection {
    client: Client,
    /// Prepared statements by SQL text.
    statements: HashMap<String, Prepared>,
    /// `standard_conforming_strings` as the server last reported it.
    string_mode: ReportedStringMode,
}

/// `standard_conforming_strings` as last reported by the server (`ParameterStatus`, sent at
/// startup and after every change, ahead of the `ReadyForQuery` that ends the reply), written
/// by the task that drives the connection. `None` until reported.
type ReportedStringMode = Arc<Mutex<Option<bool>>>;

/// Drives the connection's socket, recording every report of `standard_conforming_strings`.
/// The lock is held while messages are read, so whoever reads the mode after seeing a reply
/// also sees every report read before or with it.
async fn drive<S, T>(mut connection: tokio_postgres::Connection<S, T>, mode: ReportedStringMode)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let ended = std::future::poll_fn(|cx| {
        let mut reported = mode.lock().unwrap_or_else(PoisonError::into_inner);
        let poll = Pin::new(&mut connection).poll(cx);
        *reported = connection
            .parameter("standard_conforming_strings")
            .map(|value| value == "on");
        poll
    })
    .await;
    if let Err(e) = ended {
        tracing::debug!(target: "sequelize::postgres", error = %e, "connection ended");
    }
}

/// Opens a connection through `tls` (plain or rustls) and drives it on a task of its own.
async fn connect<T>(
    pg: &tokio_postgres::Config,
    tls: T,
    target: &str,
    string_mode: &ReportedStringMode,
) -> Result<Client>
where
    T: MakeTlsConnect<Socket>,
    T::Stream: Send + 'static,
    T::TlsConnect: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    let (client, connection) = pg
        .connect(tls)
        .await
        .map_err(|e| map_connect_error(e, target))?;
    tokio::spawn(drive(connection, Arc::clone(string_mode)));
    Ok(client)
}

/// A prepared statement and what decoding its rows needs, built once per connection.
#[derive(Clone)]
struct Prepared {
    statement: Statement,
    /// Column names, shared by every result set of the statement.
    columns: Arc<[String]>,
    /// How to decode each column, with the type to decode it as (a domain's base type).
    decoders: Arc<[(Decoder, Type)]>,
}

impl PgConnection {
    pub(super) async fn open(config: &ConnectionConfig) -> Result<Self> {
        let host = config.host_or_default();
        let port = config.port.unwrap_or(DEFAULT_PORT);
        let user = config.username.as_deref().unwrap_or("postgres");
        let mut pg = tokio_postgres::Config::new();
        pg.host(host)
            .port(port)
            .user(user)
            .dbname(config.database.as_deref().unwrap_or(user));
        if let Some(password) = &config.password {
            pg.password(password);
        }
        // The session zone first: an explicit `-c TimeZone=…` in `options` comes later and
        // wins. (The setting has no spaces: a zone name or a POSIX offset.)
        let mut options = format!("-c TimeZone={} ", config.time_zone.postgres_setting());
        for (key, value) in &config.dialect_options {
            match key.as_str() {
                "options" => {
                    options.push_str(value);
                    options.push(' ');
                }
                "application_name" => {
                    pg.application_name(value);
                }
                "connect_timeout" => {
                    let seconds = value.parse().map_err(|_| {
                        Error::Config(format!(
                            "postgres option `connect_timeout` must be a number of seconds, not `{value}`"
                        ))
                    })?;
                    pg.connect_timeout(Duration::from_secs(seconds));
                }
                key if TlsSettings::is_tls_option(key) => {}
                _ => {
                    return Err(Error::Config(format!(
                        "unknown postgres option `{key}` (expected options, application_name, \
                         connect_timeout, sslmode, sslrootcert, sslcert, sslkey or ssl)"
                    )))
                }
            }
        }
        options.push_str(REQUIRED_OPTIONS);
        pg.options(&options);

        let target = format!("{host}:{port}");
        let string_mode = ReportedStringMode::default();
        let tls = TlsSettings::from_options("postgres", &config.dialect_options)?;
        pg.ssl_mode(match tls.mode {
            TlsMode::Disable => SslMode::Disable,
            TlsMode::Prefer => SslMode::Prefer,
            TlsMode::Require | TlsMode::VerifyCa | TlsMode::VerifyFull => SslMode::Require,
        });
        let client = match tls.mode {
            TlsMode::Disable => connect(&pg, NoTls, &target, &string_mode).await?,
            _ => {
                let tls = MakeRustls(Arc::new(tls.client_config()?));
                connect(&pg, tls, &target, &string_mode).await?
            }
        };
        Ok(PgConnection {
            client,
            statements: HashMap::new(),
            string_mode,
        })
    }

    /// The cached statement for `sql`, prepared on first use.
    async fn prepare(&mut self, sql: &str) -> Result<Prepared> {
        if let Some(prepared) = self.statements.get(sql) {
            return Ok(prepared.clone());
        }
        let statement = self.client.prepare(sql).await.map_err(map_error)?;
        let columns = statement
            .columns()
            .iter()
            .map(|c| c.name().to_owned())
            .collect();
        let decoders = statement
            .columns()
            .iter()
            .map(|c| {
                let ty = base_type(c.type_());
                (Decoder::for_type(ty), ty.clone())
            })
            .collect();
        let prepared = Prepared {
            statement,
            columns,
            decoders,
        };
        if self.statements.len() >= STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), prepared.clone());
        Ok(prepared)
    }

    /// Maps a statement's error, forgetting the cached statement when the server says it no
    /// longer fits: `cached plan must not change result type` after `ALTER TABLE` (0A000), or
    /// a statement deallocated behind the driver's back (26000).
    fn statement_failed(&mut self, sql: &str, e: tokio_postgres::Error) -> Error {
        if matches!(e.code().map(|c| c.code()), Some("0A000" | "26000")) {
            self.statements.remove(sql);
        }
        map_error(e)
    }

    /// Prepares (or finds) `sql`, checks the number of values and sends the query: its
    /// statement, to decode by, and its rows, to read as they arrive.
    async fn start(&mut self, sql: &str, params: &[Value]) -> Result<(Prepared, RowStream)> {
        let prepared = self.prepare(sql).await?;
        let expected = prepared.statement.params().len();
        if expected != params.len() {
            return Err(Error::InvalidQuery(format!(
                "the statement has {expected} placeholders but {} values were given",
                params.len()
            )));
        }
        let binds = params.iter().enumerate().map(|(i, value)| Bind {
            value,
            index: i + 1,
        });
        match self.client.query_raw(&prepared.statement, binds).await {
            Ok(rows) => Ok((prepared, rows)),
            Err(e) => Err(self.statement_failed(sql, e)),
        }
    }

    async fn run_async(
        &mut self,
        sql: &str,
        params: &[Value],
        sink: &mut dyn RowSink,
    ) -> Result<Completion> {
        let (prepared, rows) = self.start(sql, params).await?;
        let mut rows = std::pin::pin!(rows);
        if !prepared.columns.is_empty() {
            sink.columns(&prepared.columns);
        }
        while let Some(row) = rows.next().await {
            let row = row.map_err(|e| self.statement_failed(sql, e))?;
            sink.row(&mut PgRow {
                row: &row,
                prepared: &prepared,
            })?;
        }
        Ok(Completion {
            rows_affected: rows.rows_affected().unwrap_or(0),
            last_insert_id: None,
        })
    }

    fn stream_rows<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> dialect::RowStream<'a> {
        Box::pin(async_stream::try_stream! {
            let (prepared, rows) = self.start(sql, params).await?;
            let width = prepared.decoders.len();
            let decoded = rows.map(|row| {
                let row = row.map_err(|e| self.statement_failed(sql, e))?;
                let mut values = Vec::with_capacity(width);
                prepared.decode_into(&row, &mut values)?;
                Ok(values)
            });
            let mut batches = dialect::batched(Arc::clone(&prepared.columns), decoded);
            while let Some(batch) = batches.next().await {
                yield batch?;
            }
        })
    }
}

impl Prepared {
    /// Decodes every column of `row`, appending to `values`.
    fn decode_into(&self, row: &Row, values: &mut Vec<Value>) -> Result<()> {
        for i in 0..self.decoders.len() {
            values.push(self.decode(row, i)?);
        }
        Ok(())
    }

    /// Decodes column `i` of `row`.
    fn decode(&self, row: &Row, i: usize) -> Result<Value> {
        let Some((decoder, ty)) = self.decoders.get(i) else {
            return Err(no_column(self.decoders.len(), i));
        };
        decode(row, i, *decoder, ty, &self.columns[i])
    }
}

/// A row of a prepared statement's result, read in place.
struct PgRow<'a> {
    row: &'a Row,
    prepared: &'a Prepared,
}

impl RowReader for PgRow<'_> {
    fn width(&self) -> usize {
        self.prepared.decoders.len()
    }

    fn value(&mut self, i: usize) -> ReadResult<Value> {
        self.peek(i)
    }

    fn peek(&self, i: usize) -> ReadResult<Value> {
        Ok(self.prepared.decode(self.row, i)?)
    }

    fn is_null(&self, i: usize) -> bool {
        matches!(self.row.try_get::<_, Option<RawValue<'_>>>(i), Ok(None))
    }

    fn int(&self, i: usize) -> Option<i64> {
        let row = self.row;
        match self.prepared.decoders.get(i)?.0 {
            Decoder::Int2 => row.try_get::<_, i16>(i).ok().map(i64::from),
            Decoder::Int4 => row.try_get::<_, i32>(i).ok().map(i64::from),
            Decoder::Int8 => row.try_get::<_, i64>(i).ok(),
            _ => None,
        }
    }

    fn text(&mut self, i: usize) -> Option<ReadResult<String>> {
        match self.prepared.decoders.get(i)?.0 {
            // `&str` reads the text types it knows; the rest (enums) go through `value`.
            Decoder::Text => (self.row.try_get::<_, &str>(i).ok()).map(|s| Ok(s.to_owned())),
            _ => None,
        }
    }
}

/// A domain's base type (domains are sent and received as their base type), or the type.
fn base_type(ty: &Type) -> &Type {
    match ty.kind() {
        Kind::Domain(base) => base_type(base),
        _ => ty,
    }
}

/// How a column's binary values become [`Value`]s, chosen once per statement.
#[derive(Debug, Clone, Copy)]
enum Decoder {
    Int2,
    Int4,
    Int8,
    Oid,
    Float4,
    Float8,
    Numeric,
    /// `text`, `varchar`, `char(n)`, `name`, enums, and extension text types such as `citext`.
    Text,
    Bool,
    Bytea,
    Uuid,
    Date,
    Time,
    Timestamp,
    Timestamptz,
    /// `json` and `jsonb`.
    Json,
    /// A one-dimensional array of any type above (`integer[]`, `text[]`, …).
    Array,
    /// Ranges, network addresses, `tsvector` and `hstore` (see `text_forms`).
    TextForm,
    /// A type with no [`Value`] form (arrays, intervals, geometric types, …).
    Unsupported,
}

impl Decoder {
    fn for_type(ty: &Type) -> Decoder {
        match *ty {
            Type::INT2 => Decoder::Int2,
            Type::INT4 => Decoder::Int4,
            Type::INT8 => Decoder::Int8,
            Type::OID => Decoder::Oid,
            Type::FLOAT4 => Decoder::Float4,
            Type::FLOAT8 => Decoder::Float8,
            Type::NUMERIC => Decoder::Numeric,
            Type::BOOL => Decoder::Bool,
            Type::BYTEA => Decoder::Bytea,
            Type::UUID => Decoder::Uuid,
            Type::DATE => Decoder::Date,
            Type::TIME => Decoder::Time,
            Type::TIMESTAMP => Decoder::Timestamp,
            Type::TIMESTAMPTZ => Decoder::Timestamptz,
            Type::JSON | Type::JSONB => Decoder::Json,
            _ if matches!(ty.kind(), Kind::Array(_)) => Decoder::Array,
            _ if text_forms::is_text_form(ty) => Decoder::TextForm,
            _ if is_text(ty) => Decoder::Text,
            _ => Decoder::Unsupported,
        }
    }
}

/// Whether values of `ty` travel as UTF-8 text: the string types, enums (Sequelize v6 creates
/// native enum types on PostgreSQL) and the text-like types `postgres-types` knows by name.
fn is_text(ty: &Type) -> bool {
    matches!(ty.kind(), Kind::Enum(_)) || <&str as ToSql>::accepts(ty)
}

/// A column's value as the server sent it, decoded afterwards by [`Decoder`].
struct RawValue<'a>(&'a [u8]);

impl<'a> FromSql<'a> for RawValue<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(RawValue(raw))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Decodes column `i` of `row`.
fn decode(row: &Row, i: usize, decoder: Decoder, ty: &Type, name: &str) -> Result<Value> {
    let failed = |e: &dyn fmt::Display| {
        Error::Decode(format!("column \"{name}\" of PostgreSQL type {ty}: {e}"))
    };
    let raw = match row.try_get::<_, Option<RawValue<'_>>>(i) {
        Ok(Some(RawValue(raw))) => raw,
        Ok(None) => return Ok(Value::Null),
        Err(e) => return Err(failed(&e)),
    };
    decode_raw(decoder, ty, raw).map_err(|e| match decoder {
        Decoder::Unsupported => Error::Decode(format!(
            "column \"{name}\" has PostgreSQL type {ty}, which cannot be read yet; \
             cast it in the query (for example `::text`)"
        )),
        _ => failed(&e),
    })
}

fn decode_raw(decoder: Decoder, ty: &Type, raw: &[u8]) -> Result<Value, BoxError> {
    Ok(match decoder {
        Decoder::Int2 => Value::Int(i16::from_sql(ty, raw)?.into()),
        Decoder::Int4 => Value::Int(i32::from_sql(ty, raw)?.into()),
        Decoder::Int8 => Value::Int(i64::from_sql(ty, raw)?),
        Decoder::Oid => Value::Int(u32::from_sql(ty, raw)?.into()),
        Decoder::Float4 => Value::Float(f32::from_sql(ty, raw)?.into()),
        Decoder::Float8 => Value::Float(f64::from_sql(ty, raw)?),
        Decoder::Numeric => Value::Decimal(Decimal::from_sql(ty, raw)?),
        Decoder::Text => Value::Text(<&str>::from_sql(ty, raw)?.to_owned()),
        Decoder::Bool => Value::Bool(bool::from_sql(ty, raw)?),
        Decoder::Bytea => Value::Bytes(raw.to_vec()),
        Decoder::Uuid => Value::Uuid(Uuid::from_sql(ty, raw)?),
        Decoder::Date => Value::Date(NaiveDate::from_sql(ty, raw)?),
        Decoder::Time => Value::Time(NaiveTime::from_sql(ty, raw)?),
        Decoder::Timestamp => Value::DateTime(NaiveDateTime::from_sql(ty, raw)?),
        Decoder::Timestamptz => Value::Timestamp(DateTime::<Utc>::from_sql(ty, raw)?),
        Decoder::Json => Value::Json(Box::new(serde_json::Value::from_sql(ty, raw)?)),
        Decoder::Array => {
            let Kind::Array(member) = ty.kind() else {
                return Err("not an array type".into());
            };
            let member = base_type(member);
            let decoder = Decoder::for_type(member);
            let items = Vec::<Option<RawValue<'_>>>::from_sql(ty, raw)?;
            Value::Array(
                (items.into_iter())
                    .map(|item| match item {
                        Some(RawValue(raw)) => decode_raw(decoder, member, raw),
                        None => Ok(Value::Null),
                    })
                    .collect::<Result<_, _>>()?,
            )
        }
        Decoder::TextForm => text_forms::decode(ty, raw, |member, raw| {
            decode_raw(Decoder::for_type(base_type(member)), member, raw)
        })?,
        Decoder::Unsupported => return Err("unsupported type".into()),
    })
}

/// A [`Value`] bound to the `index`-th parameter (1-based), encoded for the type PostgreSQL
/// inferred for that parameter. Conversions are the lossless ones (an integer into a float or
/// numeric parameter, a UUID into a text one, ISO text into a date); anything else is an error
/// naming the value's kind and the parameter's type, never the value.
struct Bind<'a> {
    value: &'a Value,
    index: usize,
}

/// Shows the kind only: tokio-postgres logs parameters with `Debug` at debug level, and bound
/// values must never reach a log.
impl fmt::Debug for Bind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${} ({})", self.index, self.value.kind())
    }
}

impl Bind<'_> {
    fn error(&self, ty: &Type, why: &str) -> BoxError {
        Box::new(BindError(format!(
            "cannot bind a {} value to parameter ${} of type {ty}{why}",
            self.value.kind(),
            self.index
        )))
    }

    fn mismatch(&self, ty: &Type) -> BoxError {
        self.error(ty, "")
    }

    /// The value as an integer of the parameter's width.
    fn int<T: TryFrom<i64>>(&self, ty: &Type) -> Result<T, BoxError> {
        match self.value {
            Value::Int(i) => T::try_from(*i).map_err(|_| self.error(ty, ": out of range")),
            _ => Err(self.mismatch(ty)),
        }
    }

    fn float(&self, ty: &Type) -> Result<f64, BoxError> {
        match self.value {
            Value::Float(f) => Ok(*f),
            // Widening an integer to a float parameter is what the statement asked for.
            #[allow(clippy::cast_precision_loss)]
            Value::Int(i) => Ok(*i as f64),
            Value::Decimal(d) => f64::try_from(*d).map_err(|_| self.error(ty, ": out of range")),
            _ => Err(self.mismatch(ty)),
        }
    }

    fn decimal(&self, ty: &Type) -> Result<Decimal, BoxError> {
        match self.value {
            Value::Decimal(d) => Ok(*d),
            Value::Int(i) => Ok(Decimal::from(*i)),
            Value::Float(f) => {
                Decimal::try_from(*f).map_err(|_| self.error(ty, ": not a finite decimal"))
            }
            Value::Text(s) => s
                .parse()
                .map_err(|_| self.error(ty, ": the text is not a decimal number")),
            _ => Err(self.mismatch(ty)),
        }
    }

    /// Text parsed as `T` the way rows are read ([`FromValue`]), for date, time and timestamp
    /// parameters given as ISO text.
    fn parse<T: FromValue>(&self, s: &str, ty: &Type) -> Result<T, BoxError> {
        T::from_value(Value::Text(s.to_owned()))
            .map_err(|_| self.error(ty, ": the text is not in a format it accepts"))
    }

    /// The value's text form, for a parameter of a text type.
    fn text(&self) -> Option<Cow<'_, str>> {
        Some(match self.value {
            Value::Text(s) => Cow::Borrowed(s.as_str()),
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Value::Int(i) => Cow::Owned(i.to_string()),
            Value::Float(f) => Cow::Owned(f.to_string()),
            Value::Decimal(d) => Cow::Owned(d.to_string()),
            Value::Uuid(u) => Cow::Owned(u.to_string()),
            Value::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
            Value::Time(t) => Cow::Owned(t.format("%H:%M:%S%.f").to_string()),
            Value::DateTime(n) => Cow::Owned(n.format("%Y-%m-%d %H:%M:%S%.f").to_string()),
            Value::Timestamp(t) => Cow::Owned(t.format(TIMESTAMP_FORMAT).to_string()),
            Value::Json(j) => Cow::Owned(j.to_string()),
            Value::Null | Value::Bytes(_) | Value::Array(_) => return None,
        })
    }
}

impl ToSql for Bind<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        let ty = base_type(ty);
        let value = self.value;
        if value.is_null() {
            return Ok(IsNull::Yes);
        }
        match *ty {
            Type::INT2 => self.int::<i16>(ty)?.to_sql(ty, out),
            Type::INT4 => self.int::<i32>(ty)?.to_sql(ty, out),
            Type::INT8 => self.int::<i64>(ty)?.to_sql(ty, out),
            Type::FLOAT4 => {
                // A float4 parameter has single precision; narrowing is the column's own.
                #[allow(clippy::cast_possible_truncation)]
                let f = self.float(ty)? as f32;
                f.to_sql(ty, out)
            }
            Type::FLOAT8 => self.float(ty)?.to_sql(ty, out),
            Type::NUMERIC => self.decimal(ty)?.to_sql(ty, out),
            Type::BOOL => match value {
                Value::Bool(b) => b.to_sql(ty, out),
                _ => Err(self.mismatch(ty)),
            },
            Type::BYTEA => match value {
                Value::Bytes(b) => b.as_slice().to_sql(ty, out),
                _ => Err(self.mismatch(ty)),
            },
            Type::UUID => match value {
                Value::Uuid(u) => u.to_sql(ty, out),
                Value::Text(s) => Uuid::parse_str(s)
                    .map_err(|_| self.error(ty, ": the text is not a UUID"))?
                    .to_sql(ty, out),
                _ => Err(self.mismatch(ty)),
            },
            Type::DATE => match value {
                Value::Date(d) => d.to_sql(ty, out),
                Value::Text(s) => self.parse::<NaiveDate>(s, ty)?.to_sql(ty, out),
                _ => Err(self.mismatch(ty)),
            },
            Type::TIME => match value {
                Value::Time(t) => t.to_sql(ty, out),
                Value::Text(s) => self.parse::<NaiveTime>(s, ty)?.to_sql(ty, out),
                _ => Err(self.mismatch(ty)),
            },
            Type::TIMESTAMP => match value {
                Value::DateTime(n) => n.to_sql(ty, out),
                Value::Timestamp(t) => t.naive_utc().to_sql(ty, out),
                Value::Date(d) => d.and_time(NaiveTime::MIN).to_sql(ty, out),
                Value::Text(s) => self.parse::<NaiveDateTime>(s, ty)?.to_sql(ty, out),
                _ => Err(self.mismatch(ty)),
            },
            Type::TIMESTAMPTZ => match value {
                Value::Timestamp(t) => t.to_sql(ty, out),
                // Zone-less values are UTC: the ORM writes UTC.
                Value::DateTime(n) => n.and_utc().to_sql(ty, out),
                Value::Date(d) => d.and_time(NaiveTime::MIN).and_utc().to_sql(ty, out),
                Value::Text(s) => self.parse::<DateTime<Utc>>(s, ty)?.to_sql(ty, out),
                _ => Err(self.mismatch(ty)),
            },
            Type::JSON | Type::JSONB => match value {
                Value::Json(j) => j.to_sql(ty, out),
                // Text is a JSON document already: sent as is, and the server parses it.
                Value::Text(s) => {
                    if *ty == Type::JSONB {
                        out.put_u8(1);
                    }
                    out.put_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                _ => Err(self.mismatch(ty)),
            },
            _ if matches!(ty.kind(), Kind::Array(_)) => match value {
                Value::Array(items) => (items.iter())
                    .map(|value| Bind {
                        value,
                        index: self.index,
                    })
                    .collect::<Vec<_>>()
                    .to_sql(ty, out),
                _ => Err(self.mismatch(ty)),
            },
            _ if text_forms::is_hstore(ty) && matches!(value, Value::Json(_)) => match value {
                Value::Json(json) => text_forms::hstore_to_sql(json, out)
                    .map(|()| IsNull::No)
                    .map_err(|why| self.error(ty, &format!(": {why}"))),
                _ => Err(self.mismatch(ty)),
            },
            // Sent in the text format (see `encode_format`): the server parses it.
            _ if text_forms::is_text_form(ty) => match value {
                Value::Text(text) => {
                    out.put_slice(text.as_bytes());
                    Ok(IsNull::No)
                }
                _ => Err(self.mismatch(ty)),
            },
            _ if is_text(ty) => match self.text() {
                Some(text) => text.as_ref().to_sql(ty, out),
                None => Err(self.mismatch(ty)),
            },
            _ => Err(self.mismatch(ty)),
        }
    }

    fn encode_format(&self, ty: &Type) -> Format {
        let ty = base_type(ty);
        let binary_hstore = text_forms::is_hstore(ty) && matches!(self.value, Value::Json(_));
        if text_forms::is_text_form(ty) && !binary_hstore {
            Format::Text
        } else {
            Format::Binary
        }
    }

    fn accepts(_: &Type) -> bool {
        // Every parameter type is accepted here and checked against the value in `to_sql`,
        // where the error can say which value kind met which type.
        true
    }

    postgres_types::to_sql_checked!();
}

impl DriverConnection for PgConnection {
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
        Box::pin(async move { self.client.batch_execute(sql).await.map_err(map_error) })
    }

    fn ping(&mut self) -> BoxFuture<'_, Result<()>> {
        // A Sync message: one round trip, no statement to parse.
        Box::pin(async move { self.client.check_connection().await.map_err(map_error) })
    }

    fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    fn backslashes(&self) -> Backslashes {
        // The last report may not have been read yet when the previous statement's rows were
        // (its ReadyForQuery comes after them): only a round trip makes sure.
        Backslashes::Unknown
    }

    fn session_backslashes(&mut self) -> BoxFuture<'_, Result<Backslashes>> {
        Box::pin(async move {
            // An empty query's reply ends with ReadyForQuery, after every report the server
            // sent before it.
            self.client.batch_execute("").await.map_err(map_error)?;
            let reported = *self
                .string_mode
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            Ok(match reported {
                Some(true) => Backslashes::Literal,
                Some(false) => Backslashes::Escape,
                None => Backslashes::Unknown,
            })
        })
    }

    fn survives_cancellation(&self) -> bool {
        // tokio-postgres matches each reply to its request and discards the replies of dropped
        // requests.
        true
    }
}
