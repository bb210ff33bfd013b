//! Databases themselves (`db:create`, `db:drop`, Sequelize's `createDatabase` and
//! `dropDatabase`): created and dropped through a connection to their server that does not
//! use them (PostgreSQL's `postgres` database, MySQL without a database).

use crate::connection::options::Options;
use crate::connection::Sequelize;
use crate::error::{Error, Result};
use crate::sql::{CreateDatabase, Ident, Statement};

use super::QueryInterface;

/// What `CREATE DATABASE` is given besides the name: Sequelize's `createDatabase` options.
/// `charset` and `collate` are MySQL's; `encoding`, `collate`, `ctype` and `template`
/// PostgreSQL's. An option the database does not take is an error naming it.
///
/// ```
/// let options = sequelize::query_interface::DatabaseOptions {
///     charset: Some("utf8mb4".into()),
///     ..Default::default()
/// };
/// assert!(options.encoding.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatabaseOptions {
    /// MySQL's `DEFAULT CHARACTER SET`.
    pub charset: Option<String>,
    /// `DEFAULT COLLATE` (MySQL), `LC_COLLATE` (PostgreSQL).
    pub collate: Option<String>,
    /// PostgreSQL's `ENCODING`.
    pub encoding: Option<String>,
    /// PostgreSQL's `LC_CTYPE`.
    pub ctype: Option<String>,
    /// PostgreSQL's `TEMPLATE`.
    pub template: Option<String>,
}

impl DatabaseOptions {
    /// The `CREATE DATABASE` of `name` with these options.
    ///
    /// ```
    /// use sequelize::query_interface::DatabaseOptions;
    /// let options = DatabaseOptions { charset: Some("utf8mb4".into()), ..Default::default() };
    /// let sql = sequelize::dialect::by_name("mysql").unwrap().render(&options.create_database("shop")).unwrap().sql;
    /// assert_eq!(sql, "CREATE DATABASE IF NOT EXISTS `shop` DEFAULT CHARACTER SET 'utf8mb4'");
    /// ```
    pub fn create_database(&self, name: &str) -> Statement {
        Statement::CreateDatabase(CreateDatabase {
            name: Ident::from(name.to_owned()),
            charset: self.charset.clone(),
            collate: self.collate.clone(),
            encoding: self.encoding.clone(),
            ctype: self.ctype.clone(),
            template: self.template.clone(),
        })
    }
}

impl QueryInterface<'_> {
    /// `createDatabase(name, options)` on this executor's server. MySQL creates it only if it
    /// does not exist (`IF NOT EXISTS`), as Sequelize does; PostgreSQL fails when it does.
    pub async fn create_database(&self, name: &str, options: &DatabaseOptions) -> Result<()> {
        let statement = options.create_database(name);
        self.target.run_statement(&statement).await.map(drop)
    }

    /// `dropDatabase(name)`: drops it if it exists.
    pub async fn drop_database(&self, name: &str) -> Result<()> {
        let statement = Statement::DropDatabase {
            name: Ident::from(name.to_owned()),
            if_exists: true,
        };
        self.target.run_statement(&statement).await.map(drop)
    }
}

/// Creates the database `options` name (`sequelize db:create`), connecting to its server
/// without it. Returns the database's name. SQLite has no server: an error naming it.
///
/// ```no_run
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::query_interface::{create_database, DatabaseOptions};
/// let options = sequelize::Options::from_url("postgres://postgres@127.0.0.1/shop")?;
/// assert_eq!(create_database(options, &DatabaseOptions::default()).await?, "shop");
/// # Ok(()) }
/// ```
pub async fn create_database(options: Options, settings: &DatabaseOptions) -> Result<String> {
    let (server, name) = server_of(options).await?;
    let created = QueryInterface::new(&server)
        .create_database(&name, settings)
        .await;
    server.close().await?;
    created.map(|()| name)
}

/// Drops the database `options` name (`sequelize db:drop`), connecting to its server without
/// it. Returns the database's name.
///
/// ```no_run
/// # async fn demo() -> sequelize::Result<()> {
/// let options = sequelize::Options::from_url("mysql://root@127.0.0.1/shop")?;
/// assert_eq!(sequelize::query_interface::drop_database(options).await?, "shop");
/// # Ok(()) }
/// ```
pub async fn drop_database(options: Options) -> Result<String> {
    let (server, name) = server_of(options).await?;
    let dropped = QueryInterface::new(&server).drop_database(&name).await;
    server.close().await?;
    dropped.map(|()| name)
}

/// A connection to the server of `options` that does not use their database, and that
/// database's name.
async fn server_of(options: Options) -> Result<(Sequelize, String)> {
    let logging = options.logging.clone();
    let (dialect_name, config, _) = options.resolve()?;
    let server_database = crate::dialect::by_name(&dialect_name)?.server_database()?;
    let name = config.database.clone().ok_or_else(|| {
        Error::Config("no database named: set `database` or the URL's path".into())
    })?;
    let server = Options {
        dialect: Some(dialect_name),
        host: config.host,
        port: config.port,
        database: server_database.map(str::to_owned),
        username: config.username,
        password: config.password,
        dialect_options: config.dialect_options,
        logging,
        ..Options::default()
    };
    Ok((Sequelize::connect_with(server).await?, name))
}
