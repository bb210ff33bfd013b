'use strict';
const timestamps = require('../lib/timestamps');

exports.up = async function (queryInterface, Sequelize) {
  await queryInterface.createTable('comments', {
    id: { type: Sequelize.INTEGER, autoIncrement: true, primaryKey: true },
    post_id: {
      type: Sequelize.INTEGER,
      allowNull: false,
      references: { model: 'posts', key: 'id' },
      onDelete: 'CASCADE',
    },
    user_id: {
      type: Sequelize.UUID,
      references: { model: 'users', key: 'id' },
      onDelete: 'SET NULL',
    },
    body: { type: Sequelize.TEXT, allowNull: false },
    approved: { type: Sequelize.BOOLEAN, allowNull: false, defaultValue: false },
    ...timestamps(Sequelize, { paranoid: true }),
  });
};

exports.down = async function (queryInterface) {
  await queryInterface.dropTable('comments');
};
