//! JavaScript migrations and seeders as [`Migration`]s: each QueryInterface call the file
//! makes becomes the operation of the matching JSON migration step (the shapes are the
//! same), run on the migration's connection; `queryInterface.sequelize.query` runs there
//! too, its values bound, never pasted into the SQL.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use sequelize::dialect::BoxFuture;
use sequelize::migrate::{JsonMigration, Migration, ScriptRunner};
use sequelize::query_interface::QueryInterface;
use sequelize::{AssertSqlSafe, Bind, Executor, Replacement, Replacements, Value};
use serde_json::Value as Json;

use super::engine::{self, Host, Task};

/// Runs the `.js` migrations and seeders of a folder in the engine.
pub(crate) struct JavaScriptRunner {
    /// How long one file may run.
    pub(crate) limit: Duration,
}

impl ScriptRunner for JavaScriptRunner {
    fn migration(&self, name: &str, path: &Path) -> sequelize::Result<Box<dyn Migration>> {
        let file = std::path::absolute(path).map_err(|e| {
            sequelize::Error::Config(format!("cannot find {}: {e}", path.display()))
        })?;
        // sequelize-cli runs no migration in a transaction; here one that creates or drops a
        // database runs outside it (PostgreSQL refuses either inside one). Only the file's
        // own text is read for the calls, not the files it requires.
        let source = std::fs::read_to_string(&file).unwrap_or_default();
        let outside_transaction =
            source.contains(".createDatabase(") || source.contains(".dropDatabase(");
        Ok(Box::new(JavaScriptMigration {
            name: name.to_owned(),
            file,
            limit: self.limit,
            outside_transaction,
        }))
    }
}

impl JavaScriptRunner {
    /// The runner, shared by the migrator.
    pub(crate) fn shared(limit: Duration) -> Arc<dyn ScriptRunner> {
        Arc::new(JavaScriptRunner { limit })
    }
}

struct JavaScriptMigration {
    name: String,
    file: PathBuf,
    limit: Duration,
    /// Whether the file creates or drops a database.
    outside_transaction: bool,
}

impl JavaScriptMigration {
    fn run<'a>(
        &'a self,
        qi: QueryInterface<'a>,
        direction: &'static str,
    ) -> BoxFuture<'a, sequelize::Result<()>> {
        Box::pin(async move {
            let mut host = MigrationHost {
                qi,
                name: &self.name,
                direction,
                steps: 0,
            };
            let task = Task::Run {
                file: self.file.clone(),
                direction,
            };
            engine::run(task, &mut host, self.limit)
                .await
                .map(drop)
                .map_err(|e| sequelize::Error::Migration {
                    name: self.name.clone(),
                    message: e.to_string(),
                })
        })
    }
}

impl Migration for JavaScriptMigration {
    fn name(&self) -> &str {
        &self.name
    }
    fn up<'a>(&'a self, qi: QueryInterface<'a>) -> BoxFuture<'a, sequelize::Result<()>> {
        self.run(qi, "up")
    }
    fn down<'a>(&'a self, qi: QueryInterface<'a>) -> BoxFuture<'a, sequelize::Result<()>> {
        self.run(qi, "down")
    }
    /// What the file does is known only by running it: as one that may alter tables, so
    /// SQLite checks foreign keys when its transaction commits.
    fn alters_tables(&self, _up: bool) -> bool {
        true
    }
    fn outside_transaction(&self, _up: bool) -> bool {
        self.outside_transaction
    }
}

/// Answers a migration's calls on its query interface.
struct MigrationHost<'a> {
    qi: QueryInterface<'a>,
    name: &'a str,
    direction: &'static str,
    /// QueryInterface calls so far, to name a failing one.
    steps: usize,
}

impl Host for MigrationHost<'_> {
    fn call<'b>(
        &'b mut self,
        method: &'b str,
        args: Json,
    ) -> Pin<Box<dyn Future<Output = Result<Json, String>> + Send + 'b>> {
        Box::pin(async move {
            match method {
                "step" => {
                    let operation =
                        JsonMigration::step(self.name, self.direction, self.steps, &args).map_err(
                            |e| match e {
                                // The step parser names the file, which the engine names too.
                                sequelize::Error::Migration { message, .. } => message,
                                e => e.to_string(),
                            },
                        )?;
                    self.steps += 1;
                    let failed = |e: sequelize::Error| {
                        format!("{} step {}: {e}", self.direction, self.steps)
                    };
                    self.qi.run(&operation).await.map_err(failed)?;
                    Ok(Json::Null)
                }
                "query" => query(&self.qi, &args).await,
                "describeTable" => {
                    let table = args.as_str().ok_or("describeTable needs a table name")?;
                    let columns = (self.qi.describe_columns(table.to_owned()).await)
                        .map_err(|e| e.to_string())?;
                    let described = columns
                        .into_iter()
                        .map(|c| {
                            let column = serde_json::json!({
                                "type": c.data_type,
                                "allowNull": c.allow_null,
                                "defaultValue": c.default_value,
                                "primaryKey": c.primary_key,
                                "comment": c.comment,
                            });
                            (c.name, column)
                        })
                        .collect::<serde_json::Map<_, _>>();
                    Ok(Json::Object(described))
                }
                "showAllTables" => {
                    let tables = self.qi.show_all_tables().await.map_err(|e| e.to_string())?;
                    Ok(tables.into())
                }
                "showIndex" => {
                    let table = args.as_str().ok_or("showIndex needs a table name")?;
                    let indexes = self
                        .qi
                        .show_index(table.to_owned())
                        .await
                        .map_err(|e| e.to_string())?;
                    let indexes = indexes.into_iter().map(|index| {
                        serde_json::json!({
                            "name": index.name,
                            "unique": index.unique,
                            "primary": index.primary,
                            "fields": index.fields.iter().map(|f| serde_json::json!({ "attribute": f })).collect::<Vec<_>>(),
                        })
                    });
                    Ok(Json::Array(indexes.collect()))
                }
                "showAllSchemas" => {
                    let schemas = (self.qi.show_all_schemas().await).map_err(|e| e.to_string())?;
                    Ok(schemas.into())
                }
                "showConstraint" => {
                    let table = args.as_str().ok_or("showConstraint needs a table name")?;
                    let constraints = (self.qi.show_constraints(table.to_owned()).await)
                        .map_err(|e| e.to_string())?;
                    let described = constraints.into_iter().map(|c| {
                        serde_json::json!({
                            "constraintName": c.name,
                            "constraintType": c.constraint_type.sql(),
                            "tableName": table,
                            "columnNames": c.columns,
                            "referencedTableName": c.referenced_table,
                            "referencedColumnNames": c.referenced_columns,
                            "deleteAction": c.on_delete.map(|a| a.sql()),
                            "updateAction": c.on_update.map(|a| a.sql()),
                            "definition": c.definition,
                        })
                    });
                    Ok(Json::Array(described.collect()))
                }
                "dropAllTables" => {
                    let skip: Vec<&str> = (args["skip"].as_array().into_iter().flatten())
                        .filter_map(Json::as_str)
                        .collect();
                    (self.qi.drop_all_tables(&skip).await).map_err(|e| e.to_string())?;
                    Ok(Json::Null)
                }
                "pgListEnums" | "dropEnum" | "dropAllEnums"
                    if !self.qi.dialect().supports().enum_types =>
                {
                    Ok(if method == "pgListEnums" {
                        Json::Array(Vec::new())
                    } else {
                        Json::Null
                    })
                }
                "pgListEnums" => {
                    let enums = self.qi.pg_list_enums().await.map_err(|e| e.to_string())?;
                    let listed = enums.into_iter().map(|(name, values)| {
                        serde_json::json!({ "enum_name": name, "enum_value": values })
                    });
                    Ok(Json::Array(listed.collect()))
                }
                "dropEnum" => {
                    let name = args.as_str().ok_or("dropEnum needs a type name")?;
                    self.qi.drop_enum(name).await.map_err(|e| e.to_string())?;
                    Ok(Json::Null)
                }
                "dropAllEnums" => {
                    self.qi.drop_all_enums().await.map_err(|e| e.to_string())?;
                    Ok(Json::Null)
                }
                "dialect" => Ok(self.qi.dialect().name().into()),
                "identifierQuotes" => {
                    let (open, close) = self.qi.dialect().identifier_quotes();
                    Ok(serde_json::json!([open.to_string(), close.to_string()]))
                }
                other => Err(format!("queryInterface has no method `{other}` here")),
            }
        })
    }
}

/// `sequelize.query(sql, { replacements, bind, type, plain })`: the rows as Sequelize
/// returns them (the rows for `type: SELECT`, the first row with `plain`, else `[rows,
/// rowsAffected]`).
async fn query(qi: &QueryInterface<'_>, args: &Json) -> Result<Json, String> {
    let sql = args["sql"]
        .as_str()
        .ok_or("query needs SQL text")?
        .to_owned();
    let exec = qi.executor();
    let mut raw = exec.query(AssertSqlSafe(sql));
    match &args["replacements"] {
        Json::Null => {}
        Json::Array(items) => {
            let values = items
                .iter()
                .map(replacement)
                .collect::<Result<Vec<_>, _>>()?;
            raw = raw.replacements(Replacements::Positional(values));
        }
        Json::Object(named) => {
            let values = (named.iter())
                .map(|(k, v)| Ok((k.clone(), replacement(v)?)))
                .collect::<Result<Vec<_>, String>>()?;
            raw = raw.replacements(Replacements::Named(values.into_iter().collect()));
        }
        _ => return Err("`replacements` must be an array or an object".into()),
    }
    let value = |json: &Json| JsonMigration::value(json);
    match &args["bind"] {
        Json::Null => {}
        Json::Array(items) => {
            let bind = items.iter().try_fold(Bind::positional(), |bind, item| {
                Ok::<_, String>(bind.push(value(item)?))
            })?;
            raw = raw.bind(bind);
        }
        Json::Object(named) => {
            let bind = named.iter().try_fold(Bind::named(), |bind, (k, v)| {
                Ok::<_, String>(bind.set(k.clone(), value(v)?))
            })?;
            raw = raw.bind(bind);
        }
        _ => return Err("`bind` must be an array or an object".into()),
    }
    let rows = raw.all().await.map_err(|e| e.to_string())?;
    let rows: Vec<Json> = rows.into_iter().map(row_json).collect();
    let count = rows.len();
    Ok(match (args["type"].as_str(), args["plain"].as_bool()) {
        (_, Some(true)) => rows.into_iter().next().unwrap_or(Json::Null),
        (Some("SELECT"), _) => Json::Array(rows),
        _ => Json::Array(vec![Json::Array(rows), Json::from(count)]),
    })
}

/// A row as JavaScript gets it: an object by column.
fn row_json(row: sequelize::Row) -> Json {
    let columns = row.columns().to_vec();
    let values = row.into_values();
    Json::Object(
        columns
            .into_iter()
            .zip(values.into_iter().map(value_json))
            .collect(),
    )
}

/// A value as node-postgres and mysql2 give it: instants (`timestamptz`, MySQL's
/// `DATETIME`) as `{ "$date": … }`, which the prelude makes `Date`s; everything else as
/// the value serializes (decimals as strings, dates and times as their text).
fn value_json(value: Value) -> Json {
    match value {
        Value::DateTime(n) => serde_json::json!({ "$date": n.and_utc().to_rfc3339() }),
        Value::Timestamp(t) => serde_json::json!({ "$date": t.to_rfc3339() }),
        Value::Array(items) => Json::Array(items.into_iter().map(value_json).collect()),
        other => serde_json::to_value(&other).unwrap_or(Json::Null),
    }
}

/// A replacement value: a list for `IN (:ids)`, else one value.
fn replacement(json: &Json) -> Result<Replacement, String> {
    match json {
        Json::Array(items) => Ok(Replacement::List(
            items
                .iter()
                .map(JsonMigration::value)
                .collect::<Result<_, _>>()?,
        )),
        other => JsonMigration::value(other).map(Replacement::Value),
    }
}

/// What a config file (`config/config.js`) exports, as JSON text; the file cannot reach a
/// database.
pub(crate) fn exported_json(file: &Path, limit: Duration) -> Result<String, String> {
    let file = std::path::absolute(file).map_err(|e| e.to_string())?;
    let json =
        engine::run_without_host(Task::Exported { file }, limit).map_err(|e| e.to_string())?;
    Ok(json.to_string())
}
