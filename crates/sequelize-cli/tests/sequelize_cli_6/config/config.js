// One configuration for both CLIs: the test sets the database through the environment, as
// a project does for its deployments.
const path = require('path');

const dialect = process.env.DB_DIALECT;
const common = { dialect, logging: false };

module.exports = {
  test:
    dialect === 'sqlite'
      ? {
          ...common,
          storage: path.resolve(process.env.DB_STORAGE),
          // Without this, sequelize-cli 6 deletes the rows that reference a table it rebuilds
          // to remove or change a column (its DROP TABLE cascades). This CLI keeps them either
          // way, and leaves foreign keys on.
          foreignKeys: false,
        }
      : {
          ...common,
          host: process.env.DB_HOST || '127.0.0.1',
          port: Number(process.env.DB_PORT),
          username: process.env.DB_USER,
          password: process.env.DB_PASSWORD || null,
          database: process.env.DB_NAME,
        },
};
