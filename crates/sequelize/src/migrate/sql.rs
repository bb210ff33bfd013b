//! `.sql` migrations: SQL files whose statements run as they are, in the migration's
//! transaction where the database has transactional DDL.
//!
//! Three forms, each recorded under one name:
//! - `NAME.sql`: the statements after a line `-- up` (or from the top, when the file has no
//!   such line) are `up`, those after a line `-- down` are `down`;
//! - `NAME.up.sql` beside `NAME.down.sql`: one file each, recorded as `NAME.up.sql`;
//! - a folder `NAME/` holding `up.sql` and `down.sql` (@sequelize/cli's form), recorded as
//!   `NAME`.
//!
//! A migration without `down` statements cannot be undone: undoing it is an error naming it.

use std::path::Path;

use super::{read_text, Migration};
use crate::dialect::BoxFuture;
use crate::error::{Error, Result};
use crate::query_interface::QueryInterface;

/// A parsed `.sql` migration.
///
/// ```
/// use sequelize::migrate::SqlMigration;
/// let m = SqlMigration::parse("20240101000000-tags.sql",
///     "-- up\nCREATE TABLE tags (id INTEGER PRIMARY KEY);\n-- down\nDROP TABLE tags;\n").unwrap();
/// assert!(m.up.contains("CREATE TABLE") && m.down.as_deref() == Some("DROP TABLE tags;\n"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlMigration {
    /// The name recorded for it.
    pub name: String,
    /// The statements of `up`.
    pub up: String,
    /// The statements of `down`, if it has any.
    pub down: Option<String>,
}

impl SqlMigration {
    /// Reads a `NAME.sql` file's text, split at its `-- up` and `-- down` lines.
    pub fn parse(name: &str, text: &str) -> Result<SqlMigration> {
        let mut up = String::new();
        let mut down: Option<String> = None;
        let mut seen_up = false;
        for line in text.split_inclusive('\n') {
            match line.trim().to_ascii_lowercase().as_str() {
                "-- up" if seen_up || down.is_some() => {
                    return Err(misplaced(
                        name,
                        "a second `-- up` line, or one after `-- down`",
                    ))
                }
                "-- up" => seen_up = true,
                "-- down" if down.is_some() => {
                    return Err(misplaced(name, "a second `-- down` line"))
                }
                "-- down" => down = Some(String::new()),
                _ => match &mut down {
                    Some(down) => down.push_str(line),
                    None => up.push_str(line),
                },
            }
        }
        if up.trim().is_empty() {
            return Err(misplaced(name, "no statements to migrate up"));
        }
        Ok(SqlMigration {
            name: name.to_owned(),
            up,
            down: down.filter(|d| !d.trim().is_empty()),
        })
    }

    /// Reads `up` and `down` files (`NAME.up.sql` and `NAME.down.sql`, or a folder's
    /// `up.sql` and `down.sql`), recorded as `name`.
    pub fn from_files(name: &str, up: &Path, down: &Path) -> Result<SqlMigration> {
        let down = match down.exists() {
            true => Some(read_text(down)?).filter(|d| !d.trim().is_empty()),
            false => None,
        };
        Ok(SqlMigration {
            name: name.to_owned(),
            up: read_text(up)?,
            down,
        })
    }
}

fn misplaced(name: &str, what: &str) -> Error {
    Error::Migration {
        name: name.to_owned(),
        message: format!("{what} (a .sql migration is `-- up` statements, then `-- down` ones)"),
    }
}

impl Migration for SqlMigration {
    fn name(&self) -> &str {
        &self.name
    }

    fn up<'a>(&'a self, qi: QueryInterface<'a>) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move { qi.run_script(&self.up).await })
    }

    fn down<'a>(&'a self, qi: QueryInterface<'a>) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.runnable(false)?;
            qi.run_script(self.down.as_deref().unwrap_or_default())
                .await
        })
    }

    fn runnable(&self, up: bool) -> Result<()> {
        match up || self.down.is_some() {
            true => Ok(()),
            false => Err(Error::Migration {
                name: self.name.clone(),
                message: "has no `down` statements, so it cannot be undone".into(),
            }),
        }
    }
}
