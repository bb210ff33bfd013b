'use strict';
// Two tables made in one transaction, which each call is given.
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.createTable(
        'tags',
        {
          id: { type: Sequelize.INTEGER, autoIncrement: true, primaryKey: true },
          name: { type: Sequelize.STRING(64), allowNull: false, unique: true },
          created_at: { type: Sequelize.DATE, allowNull: false },
          updated_at: { type: Sequelize.DATE, allowNull: false },
        },
        { transaction },
      );
      await queryInterface.createTable(
        'post_tags',
        {
          post_id: {
            type: Sequelize.INTEGER,
            primaryKey: true,
            references: { model: 'posts', key: 'id' },
            onDelete: 'CASCADE',
          },
          tag_id: {
            type: Sequelize.INTEGER,
            primaryKey: true,
            references: { model: 'tags', key: 'id' },
            onDelete: 'CASCADE',
          },
          created_at: { type: Sequelize.DATE, allowNull: false },
        },
        { transaction },
      );
    });
  },
  async down(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.dropTable('post_tags', { transaction });
      await queryInterface.dropTable('tags', { transaction });
    });
  },
};
