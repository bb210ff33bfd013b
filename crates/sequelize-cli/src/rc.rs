//! `.sequelizerc`: the paths a project gives sequelize-cli, read without running JavaScript.
//!
//! The file is JSON, or the JavaScript `sequelize init` users write: an object exported with
//! `module.exports = { … }` whose values are string literals or `path.resolve(…)` /
//! `path.join(…)` of string literals (and `__dirname` or `process.cwd()`, the project
//! folder). Anything else is an error that names the key, never a silently ignored setting.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The keys sequelize-cli reads from the rc file.
const KEYS: &[&str] = &[
    "config",
    "options-path",
    "migrations-path",
    "seeders-path",
    "models-path",
    "url",
    "env",
    "debug",
];

/// The settings of an rc file, by key (`migrations-path` → `db/migrations`).
pub(crate) type Settings = BTreeMap<String, String>;

/// Reads the rc file at `path`; `folder` is the folder its relative paths start from.
pub(crate) fn read(path: &Path, folder: &Path) -> Result<Settings, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text, folder).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses an rc file's text.
pub(crate) fn parse(text: &str, folder: &Path) -> Result<Settings, String> {
    let settings = match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
        Ok(json) => json
            .into_iter()
            .map(|(key, value)| match value {
                serde_json::Value::String(s) => Ok((key, s)),
                serde_json::Value::Bool(b) => Ok((key, b.to_string())),
                _ => Err(format!("`{key}` must be a string")),
            })
            .collect::<Result<Settings, String>>()?,
        Err(_) => parse_exports(text, folder)?,
    };
    if let Some(key) = settings.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown key `{key}` (expected one of {})",
            KEYS.join(", ")
        ));
    }
    Ok(settings)
}

/// `module.exports = { 'key': value, … }`.
fn parse_exports(text: &str, folder: &Path) -> Result<Settings, String> {
    let start = text
        .find("module.exports")
        .and_then(|at| text[at..].find('{').map(|brace| at + brace + 1))
        .ok_or("expected JSON or `module.exports = { … }`")?;
    let mut tokens = Tokens::new(&text[start..]);
    let mut settings = Settings::new();
    loop {
        let key = match tokens.next()? {
            Token::Close('}') => break,
            Token::Str(key) | Token::Word(key) => key,
            other => return Err(format!("expected a key, found {other:?}")),
        };
        tokens.expect(Token::Punct(':'))?;
        let value = value(&mut tokens, folder).map_err(|e| format!("`{key}`: {e}"))?;
        settings.insert(key, value);
        match tokens.next()? {
            Token::Punct(',') => continue,
            Token::Close('}') => break,
            other => return Err(format!("expected `,` or `}}`, found {other:?}")),
        }
    }
    Ok(settings)
}

/// A value: a string, `true`/`false`, or `path.resolve(…)`/`path.join(…)`.
fn value(tokens: &mut Tokens<'_>, folder: &Path) -> Result<String, String> {
    match tokens.next()? {
        Token::Str(s) => Ok(s),
        Token::Word(w) if w == "true" || w == "false" => Ok(w),
        Token::Word(w) if w == "path.resolve" || w == "path.join" => {
            tokens.expect(Token::Open('('))?;
            let mut path = PathBuf::new();
            loop {
                match tokens.next()? {
                    Token::Close(')') => break,
                    Token::Str(part) => path.push(part),
                    Token::Word(w) if w == "__dirname" || w == "process.cwd" => {
                        if w == "process.cwd" {
                            tokens.expect(Token::Open('('))?;
                            tokens.expect(Token::Close(')'))?;
                        }
                        path.push(folder);
                    }
                    other => return Err(format!("cannot read {other:?} in {w}(…)")),
                }
                match tokens.next()? {
                    Token::Punct(',') => {}
                    Token::Close(')') => break,
                    other => return Err(format!("expected `,` or `)`, found {other:?}")),
                }
            }
            Ok(path.display().to_string())
        }
        other => Err(format!(
            "cannot read {other:?}: use a string or path.resolve('…', '…')"
        )),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Str(String),
    Word(String),
    Punct(char),
    Open(char),
    Close(char),
}

/// The tokens of a small piece of JavaScript, comments skipped.
struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Self {
        Tokens { rest: text }
    }

    fn expect(&mut self, token: Token) -> Result<(), String> {
        match self.next()? {
            found if found == token => Ok(()),
            found => Err(format!("expected {token:?}, found {found:?}")),
        }
    }

    fn next(&mut self) -> Result<Token, String> {
        loop {
            self.rest = self.rest.trim_start();
            if let Some(line) = self.rest.strip_prefix("//") {
                self.rest = line.find('\n').map_or("", |end| &line[end..]);
            } else if let Some(block) = self.rest.strip_prefix("/*") {
                self.rest = block.find("*/").map_or("", |end| &block[end + 2..]);
            } else {
                break;
            }
        }
        let mut chars = self.rest.chars();
        let first = chars.next().ok_or("the object is not closed")?;
        let token = match first {
            '\'' | '"' | '`' => {
                let end = self.rest[1..].find(first).ok_or("a string is not closed")?;
                let s = self.rest[1..=end].to_owned();
                self.rest = &self.rest[end + 2..];
                return Ok(Token::Str(s));
            }
            ':' | ',' => Token::Punct(first),
            '(' | '{' => Token::Open(first),
            ')' | '}' => Token::Close(first),
            c if c.is_alphanumeric() || c == '_' || c == '$' || c == '-' => {
                let end = self
                    .rest
                    .find(|c: char| !(c.is_alphanumeric() || "_$.-".contains(c)))
                    .unwrap_or(self.rest.len());
                let word = self.rest[..end].to_owned();
                self.rest = &self.rest[end..];
                return Ok(Token::Word(word));
            }
            other => return Err(format!("unexpected `{other}`")),
        };
        self.rest = &self.rest[first.len_utf8()..];
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_sequelize_init_users_write() {
        let text = r#"
            // .sequelizerc
            const path = require('path');

            module.exports = {
              'config': path.resolve('config', 'database.json'),
              "models-path": path.resolve(__dirname, 'db', 'models'),
              'seeders-path': path.resolve('db', 'seeders'), /* seeds */
              'migrations-path': 'db/migrations',
              debug: true,
            };
        "#;
        let settings = parse(text, Path::new("/app")).unwrap();
        assert_eq!(settings["config"], "config/database.json");
        assert_eq!(settings["models-path"], "/app/db/models");
        assert_eq!(settings["seeders-path"], "db/seeders");
        assert_eq!(settings["migrations-path"], "db/migrations");
        assert_eq!(settings["debug"], "true");
    }

    #[test]
    fn json_and_errors() {
        let settings = parse(r#"{ "migrations-path": "db/migrate" }"#, Path::new(".")).unwrap();
        assert_eq!(settings["migrations-path"], "db/migrate");
        let unknown = parse(r#"{ "migration-path": "x" }"#, Path::new(".")).unwrap_err();
        assert!(
            unknown.contains("unknown key `migration-path`"),
            "{unknown}"
        );
        let code = parse(
            "module.exports = { config: require('./x') }",
            Path::new("."),
        )
        .unwrap_err();
        assert!(code.contains("`config`"), "{code}");
    }
}
