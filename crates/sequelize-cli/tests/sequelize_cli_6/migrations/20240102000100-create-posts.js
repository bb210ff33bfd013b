'use strict';
// Written the older way: functions that return promises, chained with then().
module.exports = {
  up: function (queryInterface, Sequelize) {
    return queryInterface
      .createTable('posts', {
        id: { type: Sequelize.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
        author_id: {
          type: Sequelize.UUID,
          allowNull: false,
          references: { model: 'users', key: 'id' },
          onUpdate: 'CASCADE',
          onDelete: 'CASCADE',
        },
        category_id: {
          type: Sequelize.INTEGER,
          references: { model: 'categories', key: 'id' },
          onDelete: 'SET NULL',
        },
        title: { type: Sequelize.STRING(200), allowNull: false },
        slug: { type: Sequelize.STRING(220), allowNull: false },
        body: Sequelize.TEXT,
        published: { type: Sequelize.BOOLEAN, allowNull: false, defaultValue: false },
        view_count: { type: Sequelize.INTEGER, allowNull: false, defaultValue: 0 },
        published_at: { type: Sequelize.DATE },
        created_at: { type: Sequelize.DATE, allowNull: false },
        updated_at: { type: Sequelize.DATE, allowNull: false },
        deleted_at: { type: Sequelize.DATE },
      })
      .then(function () {
        return queryInterface.addIndex('posts', ['author_id']);
      });
  },
  down: function (queryInterface) {
    return queryInterface.dropTable('posts');
  },
};
