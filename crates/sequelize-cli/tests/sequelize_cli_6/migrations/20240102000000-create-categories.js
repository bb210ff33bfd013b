'use strict';
const timestamps = require('../lib/timestamps');

module.exports = {
  up: async (queryInterface, Sequelize) => {
    await queryInterface.createTable('categories', {
      id: { type: Sequelize.INTEGER, autoIncrement: true, primaryKey: true },
      name: { type: Sequelize.STRING(100), allowNull: false, unique: true },
      slug: { type: Sequelize.STRING(120), allowNull: false },
      parent_id: {
        type: Sequelize.INTEGER,
        allowNull: true,
        references: { model: 'categories', key: 'id' },
        onDelete: 'SET NULL',
      },
      position: { type: Sequelize.SMALLINT, allowNull: false, defaultValue: 0 },
      ...timestamps(Sequelize),
    });
    await queryInterface.addIndex('categories', ['parent_id', 'position'], {
      name: 'categories_parent_position',
    });
  },
  down: async (queryInterface) => {
    await queryInterface.dropTable('categories');
  },
};
