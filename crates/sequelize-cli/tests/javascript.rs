//! sequelize-cli's JavaScript files run by the `sequelize` binary's embedded engine, on every
//! dialect (issue 13): `config/config.js` with `process.env`, `path` and `require` of a
//! relative JSON file; migrations in each shape sequelize-cli users write (`async up()`,
//! functions returning promises, `exports.up`, `'use strict'`, a required helper) using
//! createTable, ENUM, references, addIndex with options, bulkInsert of dates, raw queries
//! with replacements, transactions, addColumn, changeColumn and renameColumn; undone again;
//! a failing, a never-settling and an npm-requiring migration stopping the run with the
//! file, the line and the message, recorded nowhere; and the catalog, database and drop-all
//! methods of `queryInterface`. tests/sequelize_cli_6.rs compares the outcome with
//! sequelize-cli 6 itself.

#![cfg(feature = "js")]

mod binary;
#[path = "../../sequelize/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{dialects, isolated_options};
use sequelize::{AssertSqlSafe, Executor, Sequelize};

const CONFIG: &str = r#"
const path = require('path');
const shared = require(path.join(__dirname, 'shared.json'));
module.exports = {
  test: { ...shared, url: process.env.DATABASE_URL },
};
"#;

const SHARED: &str = r#"{ "logging": false }"#;

const COLUMNS: &str = r#"
// A helper the migrations require, as projects share column sets.
module.exports.timestamps = (Sequelize) => ({
  createdAt: { allowNull: false, type: Sequelize.DATE },
  updatedAt: { allowNull: false, type: Sequelize.DATE },
});
"#;

const CREATE_USERS: &str = r#"'use strict';
const { timestamps } = require('../helpers/columns');

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('Users', {
      id: { allowNull: false, autoIncrement: true, primaryKey: true, type: Sequelize.INTEGER },
      email: { type: Sequelize.STRING(200), allowNull: false, unique: true },
      role: { type: Sequelize.ENUM('admin', 'member'), allowNull: false, defaultValue: 'member' },
      ...timestamps(Sequelize),
    });
  },
  async down(queryInterface, Sequelize) {
    await queryInterface.dropTable('Users');
  },
};
"#;

const CREATE_POSTS: &str = r#"
exports.up = function (queryInterface, Sequelize) {
  return queryInterface
    .createTable('Posts', {
      id: { allowNull: false, autoIncrement: true, primaryKey: true, type: Sequelize.INTEGER },
      title: { type: Sequelize.STRING, allowNull: false },
      body: Sequelize.TEXT,
      userId: {
        type: Sequelize.INTEGER,
        allowNull: false,
        references: { model: 'Users', key: 'id' },
        onDelete: 'CASCADE',
      },
      createdAt: { allowNull: false, type: Sequelize.DATE, defaultValue: Sequelize.fn('now') },
      updatedAt: { allowNull: false, type: Sequelize.DATE, defaultValue: Sequelize.NOW },
    })
    .then(() => queryInterface.addIndex('Posts', ['userId', 'title'], { name: 'posts_user_title', unique: true }));
};
exports.down = function (queryInterface) {
  return queryInterface.dropTable('Posts');
};
"#;

const SEED: &str = r#"
module.exports = {
  up: async (queryInterface, Sequelize) => {
    const when = new Date(Date.UTC(2024, 0, 15, 12, 0, 0));
    const dialect = queryInterface.sequelize.getDialect();
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.bulkInsert('Users', [
        { email: 'ann@example.com', role: 'admin', createdAt: when, updatedAt: when },
        { email: "o'brien@example.com", role: 'member', createdAt: when, updatedAt: when },
      ], { transaction });
    });
    const admins = await queryInterface.sequelize.query(
      'SELECT id FROM ' + (queryInterface.sequelize.getDialect() === 'postgres' ? '"Users"' : 'Users') + ' WHERE email = :email',
      { replacements: { email: "o'brien@example.com" }, type: Sequelize.QueryTypes.SELECT },
    );
    if (admins.length !== 1) throw new Error('the replacement found ' + admins.length + ' rows');
    // Instants read back are Dates, as node-postgres and mysql2 give them.
    const [stamped] = await queryInterface.sequelize.query(
      'SELECT ' + (dialect === 'postgres' ? '"createdAt" FROM "Users"' : 'createdAt FROM Users'),
      { type: Sequelize.QueryTypes.SELECT },
    );
    if (dialect !== 'sqlite' && !(stamped.createdAt instanceof Date && stamped.createdAt.getTime() === when.getTime())) {
      throw new Error('createdAt read back as ' + JSON.stringify(stamped));
    }
    await queryInterface.bulkInsert('Posts', [
      { title: 'Hello', body: 'First', userId: admins[0].id, createdAt: when, updatedAt: when },
    ]);
    // Bound parameters ($1 on PostgreSQL, ? elsewhere), and an upsert on the email key.
    const [found] = await queryInterface.sequelize.query(
      dialect === 'postgres' ? 'SELECT COUNT(*) AS n FROM "Users" WHERE role = $1' : 'SELECT COUNT(*) AS n FROM Users WHERE role = $1',
      { bind: ['admin'] },
    );
    if (Number(found[0].n) !== 1) throw new Error('bind found ' + JSON.stringify(found));
    await queryInterface.upsert('Users',
      { email: 'ann@example.com', role: 'member', createdAt: when, updatedAt: when },
      { role: 'member' }, { email: 'ann@example.com' }, {});
  },
  down: async (queryInterface, Sequelize) => {
    await queryInterface.bulkDelete('Posts', null, {});
    await queryInterface.bulkDelete('Users', { email: { [Sequelize.Op.in]: ['ann@example.com', "o'brien@example.com"] } }, {});
  },
};
"#;

const ALTER: &str = r#"
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.addColumn('Users', 'nickname', { type: Sequelize.STRING(64), allowNull: true });
    await queryInterface.changeColumn('Posts', 'title', { type: Sequelize.STRING(300), allowNull: false });
    await queryInterface.renameColumn('Posts', 'body', 'content');
    const indexes = await queryInterface.showIndex('Posts');
    const named = indexes.find((i) => i.name === 'posts_user_title');
    if (!named || !named.unique || named.fields.map((f) => f.attribute).join() !== 'userId,title') {
      throw new Error('showIndex gave ' + JSON.stringify(indexes));
    }
  },
  async down(queryInterface, Sequelize) {
    await queryInterface.renameColumn('Posts', 'content', 'body');
    await queryInterface.changeColumn('Posts', 'title', { type: Sequelize.STRING, allowNull: false });
    await queryInterface.removeColumn('Users', 'nickname');
  },
};
"#;

const SEEDER: &str = r#"'use strict';
module.exports = {
  async up(queryInterface) {
    await queryInterface.bulkInsert('Users', [
      { email: 'demo@example.com', role: 'member', createdAt: new Date(), updatedAt: new Date() },
    ], {});
  },
  async down(queryInterface) {
    await queryInterface.bulkDelete('Users', { email: 'demo@example.com' }, {});
  },
};
"#;

/// A project of config/config.js and the migrations above.
fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sequelize-js-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["config", "migrations", "helpers", "seeders"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let files = [
        ("config/config.js", CONFIG),
        ("config/shared.json", SHARED),
        ("helpers/columns.js", COLUMNS),
        ("migrations/20240101000000-create-users.js", CREATE_USERS),
        ("migrations/20240102000000-create-posts.js", CREATE_POSTS),
        ("migrations/20240103000000-seed.js", SEED),
        ("migrations/20240104000000-alter.js", ALTER),
        ("seeders/20240201000000-demo-user.js", SEEDER),
    ];
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

/// Runs the binary in the test environment of `config/config.js`, on `url`, with `env`.
fn sequelize(dir: &Path, url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut all = vec![("NODE_ENV", "test"), ("DATABASE_URL", url)];
    all.extend_from_slice(env);
    binary::run(dir, args, &all)
}

fn succeed(dir: &Path, url: &str, args: &[&str]) -> String {
    binary::succeed(dir, args, &[("NODE_ENV", "test"), ("DATABASE_URL", url)])
}

async fn column_names(db: &Sequelize, table: &str) -> Vec<String> {
    let mut names: Vec<String> = (db
        .query_interface()
        .describe_columns(table.to_owned())
        .await)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    names.sort();
    names
}

async fn tables(db: &Sequelize) -> Vec<String> {
    let mut tables = db.query_interface().show_all_tables().await.unwrap();
    tables.retain(|t| !t.starts_with("SequelizeMeta"));
    tables.sort();
    tables
}

#[tokio::test]
async fn javascript_migrations_run_and_undo_on_every_dialect() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let url = (isolated_options(dialect, "js_migrations", true).await.url).unwrap();
        let dir = project(dialect);
        let text = succeed(&dir, &url, &["db:migrate"]);
        assert!(
            text.contains("Loaded configuration file \"config/config.js\""),
            "{text}"
        );
        for name in ["create-users", "create-posts", "seed", "alter"] {
            assert!(
                text.contains(&format!("{name}: migrated")),
                "{dialect}: {text}"
            );
        }

        let db = Sequelize::connect(&url).await.unwrap();
        assert_eq!(tables(&db).await, ["Posts", "Users"], "{dialect}");
        assert_eq!(
            column_names(&db, "Users").await,
            ["createdAt", "email", "id", "nickname", "role", "updatedAt"],
            "{dialect}"
        );
        assert_eq!(
            column_names(&db, "Posts").await,
            ["content", "createdAt", "id", "title", "updatedAt", "userId"],
            "{dialect}"
        );
        let indexes = db.query_interface().show_index("Posts").await.unwrap();
        let index = indexes.iter().find(|i| i.name == "posts_user_title");
        let index =
            index.unwrap_or_else(|| panic!("{dialect}: no posts_user_title in {indexes:?}"));
        assert!(
            index.unique && index.fields == ["userId", "title"],
            "{dialect}: {index:?}"
        );
        let quote = |name: &str| common::q(&db, name);
        let users = db
            .query(AssertSqlSafe(format!(
                "SELECT {}, {}, {} FROM {} ORDER BY {}",
                quote("email"),
                quote("role"),
                quote("createdAt"),
                quote("Users"),
                quote("id")
            )))
            .all()
            .await
            .unwrap();
        let emails: Vec<String> = users.iter().map(|r| r.get("email").unwrap()).collect();
        assert_eq!(
            emails,
            ["ann@example.com", "o'brien@example.com"],
            "{dialect}"
        );
        let roles: Vec<String> = users.iter().map(|r| r.get("role").unwrap()).collect();
        assert_eq!(
            roles,
            ["member", "member"],
            "{dialect}: the upsert updated ann"
        );
        let created: chrono::DateTime<chrono::Utc> = users[0].get("createdAt").unwrap();
        assert_eq!(
            created.to_rfc3339(),
            "2024-01-15T12:00:00+00:00",
            "{dialect}: a bound Date"
        );
        let posts = common::count_rows(&db, &db, "Posts").await;
        assert_eq!(posts, 1, "{dialect}");
        let meta = db
            .query(AssertSqlSafe(format!(
                "SELECT {} FROM {}",
                quote("name"),
                quote("SequelizeMeta")
            )))
            .all()
            .await
            .unwrap();
        assert_eq!(meta.len(), 4, "{dialect}: every file recorded");

        let text = succeed(&dir, &url, &["db:seed:all"]);
        assert!(text.contains("demo-user: migrated"), "{dialect}: {text}");
        assert_eq!(
            common::count_rows(&db, &db, "Users").await,
            3,
            "{dialect}: seeded"
        );
        let text = succeed(&dir, &url, &["db:seed:undo:all"]);
        assert!(text.contains("demo-user: reverted"), "{dialect}: {text}");
        assert_eq!(
            common::count_rows(&db, &db, "Users").await,
            2,
            "{dialect}: unseeded"
        );

        let text = succeed(&dir, &url, &["db:migrate:undo:all"]);
        assert!(text.contains("create-users: reverted"), "{dialect}: {text}");
        assert!(
            tables(&db).await.is_empty(),
            "{dialect}: {:?}",
            tables(&db).await
        );
        db.close().await.unwrap();
    }
}

/// A failing migration, one whose promise never settles, one that loops and one that
/// requires an npm package each stop the run, naming the file (and the line where there is
/// one), and are not recorded; where DDL is transactional, the failing one's first step is
/// rolled back.
#[tokio::test]
async fn a_failing_javascript_migration_stops_the_run_and_is_not_recorded() {
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "throws",
            "module.exports = {\n  async up(queryInterface, Sequelize) {\n    await queryInterface.addColumn('Users', 'age', Sequelize.INTEGER);\n    throw new Error('no age today');\n  },\n  async down() {},\n};\n",
            &["-throws.js:4", "no age today"],
        ),
        (
            "never-settles",
            "module.exports = { up: () => new Promise(() => {}), down: async () => {} };",
            &["-never-settles.js", "never settles"],
        ),
        (
            "loops",
            "module.exports = { up: async () => { for (;;) {} }, down: async () => {} };",
            &["-loops.js:1", "SEQUELIZE_JS_TIMEOUT"],
        ),
        (
            "npm",
            "const _ = require('lodash');\nmodule.exports = { up: async () => {}, down: async () => {} };",
            &["-npm.js:1", "require('lodash')", "npm packages"],
        ),
    ];
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let url = (isolated_options(dialect, "js_failures", true).await.url).unwrap();
        let dir = project(&format!("failures-{dialect}"));
        for name in ["create-posts", "seed", "alter"] {
            let file = std::fs::read_dir(dir.join("migrations"))
                .unwrap()
                .find_map(|e| {
                    let path = e.unwrap().path();
                    path.to_str()
                        .is_some_and(|p| p.contains(name))
                        .then_some(path)
                });
            std::fs::remove_file(file.unwrap()).unwrap();
        }
        succeed(&dir, &url, &["db:migrate"]);
        let transactional = {
            let db = Sequelize::new(sequelize::Options::from_url(&url).unwrap()).unwrap();
            db.dialect().supports().transactional_ddl
        };
        for (name, source, says) in cases {
            let file = dir.join(format!("migrations/20240105000000-{name}.js"));
            std::fs::write(&file, source).unwrap();
            let out = sequelize(
                &dir,
                &url,
                &["db:migrate"],
                &[("SEQUELIZE_JS_TIMEOUT", "1")],
            );
            assert!(!out.status.success(), "{dialect} {name}");
            let errors = String::from_utf8_lossy(&out.stderr);
            for said in says {
                assert!(
                    errors.contains(said),
                    "{dialect} {name}: {said:?} in {errors}"
                );
            }
            if !transactional {
                // MySQL kept what ran before the failure, and the migrator asks for it to be
                // resolved before anything else runs.
                let name = format!("20240105000000-{name}.js");
                assert!(errors.contains("db:migrate:resolve"), "{dialect}: {errors}");
                succeed(
                    &dir,
                    &url,
                    &["db:migrate:resolve", "--name", &name, "--reverted"],
                );
            }
            let status = succeed(&dir, &url, &["db:migrate:status"]);
            assert!(
                status.contains(&format!("down 20240105000000-{name}.js")),
                "{dialect}: {status}"
            );
            std::fs::remove_file(&file).unwrap();
        }
        let db = Sequelize::connect(&url).await.unwrap();
        let columns = column_names(&db, "Users").await;
        assert_eq!(
            columns.contains(&"age".to_owned()),
            !transactional,
            "{dialect}: {columns:?}"
        );
        db.close().await.unwrap();
    }
}

const CATALOG: &str = r#"'use strict';
// The catalog methods of queryInterface, answered as Sequelize answers them.
module.exports = {
  async up(queryInterface, Sequelize) {
    const check = (ok, what, got) => { if (!ok) throw new Error(what + ': ' + JSON.stringify(got)); };
    check(await queryInterface.tableExists('Posts'), 'tableExists', 'Posts');
    check(!(await queryInterface.tableExists('Nothing')), 'tableExists', 'Nothing');
    const keys = await queryInterface.getForeignKeyReferencesForTable('Posts');
    check(keys.length === 1 && keys[0].columnName === 'userId' && keys[0].referencedTableName === 'Users'
      && keys[0].referencedColumnName === 'id' && keys[0].constraintName, 'getForeignKeyReferencesForTable', keys);
    const constraints = await queryInterface.showConstraint('Posts');
    const foreign = constraints.find((c) => c.constraintType === 'FOREIGN KEY');
    check(foreign && foreign.deleteAction === 'CASCADE', 'showConstraint', constraints);
    const named = await queryInterface.showConstraint('Posts', foreign.constraintName);
    check(named.length === 1, 'showConstraint by name', named);
    // quoteTable and quoteIdentifier make a raw query portable.
    const q = (name) => queryInterface.quoteIdentifier(name);
    const [row] = await queryInterface.sequelize.query(
      `SELECT COUNT(*) AS ${q('n')} FROM ${queryInterface.quoteTable('Users')} WHERE ${q('role')} = :role`,
      { replacements: { role: 'member' }, type: Sequelize.QueryTypes.SELECT },
    );
    check(Number(row.n) === 0, 'quoted query', row);
    const enums = await queryInterface.pgListEnums();
    const dialect = queryInterface.sequelize.getDialect();
    check(dialect === 'postgres' ? enums.some((e) => e.enum_name === 'enum_Users_role') : enums.length === 0, 'pgListEnums', enums);
    await queryInterface.createTable('Scratch', { id: { type: Sequelize.INTEGER, primaryKey: true } });
  },
  async down(queryInterface) {
    await queryInterface.dropTable('Scratch');
  },
};
"#;

/// A migration asking the catalog (tableExists, getForeignKeyReferencesForTable,
/// showConstraint, quoteIdentifier, quoteTable, pgListEnums) gets Sequelize's answers;
/// dropAllTables and dropAllEnums leave nothing; createDatabase and dropDatabase run outside
/// the migration's transaction (PostgreSQL refuses them inside one).
#[tokio::test]
async fn catalog_database_and_drop_all_methods_work_on_every_dialect() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let url = (isolated_options(dialect, "js_catalog", true).await.url).unwrap();
        let dir = project(&format!("catalog-{dialect}"));
        for name in ["seed", "alter"] {
            let file = std::fs::read_dir(dir.join("migrations"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.to_string_lossy().contains(name))
                .unwrap();
            std::fs::remove_file(file).unwrap();
        }
        std::fs::write(dir.join("migrations/20240105000000-catalog.js"), CATALOG).unwrap();
        succeed(&dir, &url, &["db:migrate"]);

        let db = Sequelize::connect(&url).await.unwrap();
        if dialect != "sqlite" {
            let created = format!("t_js_created_{dialect}");
            let exists = |db: &Sequelize, name: String| {
                let sql = if dialect == "postgres" {
                    format!("SELECT datname FROM pg_database WHERE datname = '{name}'")
                } else {
                    format!("SHOW DATABASES LIKE '{name}'")
                };
                let db = db.clone();
                async move { !db.query(AssertSqlSafe(sql)).all().await.unwrap().is_empty() }
            };
            let admin = if dialect == "postgres" {
                db.query(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{created}\""
                )))
            } else {
                db.query(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS `{created}`"
                )))
            };
            admin.exec().await.unwrap();
            let source = format!(
                "module.exports = {{\n  up: (qi) => qi.createDatabase('{created}'),\n  down: (qi) => qi.dropDatabase('{created}'),\n}};\n"
            );
            std::fs::write(dir.join("migrations/20240106000000-database.js"), source).unwrap();
            succeed(&dir, &url, &["db:migrate"]);
            assert!(exists(&db, created.clone()).await, "{dialect}: created");
            succeed(&dir, &url, &["db:migrate:undo"]);
            assert!(!exists(&db, created).await, "{dialect}: dropped");
        }

        // A seeder that empties the database the way test setups do.
        std::fs::write(
            dir.join("seeders/20240301000000-drop-all.js"),
            "module.exports = {\n  async up(qi) {\n    await qi.dropAllTables({ skip: ['SequelizeMeta'] });\n    await qi.dropAllEnums();\n  },\n  async down() {},\n};\n",
        )
        .unwrap();
        succeed(
            &dir,
            &url,
            &["db:seed", "--seed", "20240301000000-drop-all.js"],
        );
        assert!(
            tables(&db).await.is_empty(),
            "{dialect}: {:?}",
            tables(&db).await
        );
        if dialect == "postgres" {
            let enums = db.query_interface().pg_list_enums().await.unwrap();
            assert!(enums.is_empty(), "{enums:?}");
        }
        db.close().await.unwrap();
    }
}
