//! sequelize-cli's JavaScript files run without Node.js: migrations and seeders in its shape
//! (`module.exports = { up: async (queryInterface, Sequelize) => …, down: … }`) and
//! `config/config.js`, in an embedded QuickJS engine (rquickjs).
//!
//! QuickJS (through rquickjs) rather than boa: it implements the whole of modern
//! JavaScript that migrations are written in (async functions, classes, destructuring,
//! optional chaining) and starts in about 1.5 ms with the prelude (docs/moving-from-
//! sequelize-cli.md has the measurement), from a well-kept crate that compiles its C sources
//! with the toolchain the project already needs.

mod engine;
mod migration;

pub(crate) use engine::time_limit;
pub(crate) use migration::{exported_json, JavaScriptRunner};
