'use strict';
// The timestamp columns every table of the project has, shared as projects share them.
module.exports = (Sequelize, { paranoid = false } = {}) => ({
  created_at: { type: Sequelize.DATE, allowNull: false },
  updated_at: { type: Sequelize.DATE, allowNull: false },
  ...(paranoid ? { deleted_at: { type: Sequelize.DATE, allowNull: true } } : {}),
});
