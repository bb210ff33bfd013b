'use strict';
// Written to run again safely: the column is added only where describeTable lacks it.
module.exports = {
  async up(queryInterface, Sequelize) {
    const columns = await queryInterface.describeTable('posts');
    if (!columns.excerpt) {
      await queryInterface.addColumn('posts', 'excerpt', { type: Sequelize.STRING(500) });
    }
    await queryInterface.sequelize.query(
      "UPDATE posts SET excerpt = body WHERE body IS NOT NULL AND excerpt IS NULL",
    );
  },
  async down(queryInterface) {
    const columns = await queryInterface.describeTable('posts');
    if (columns.excerpt) {
      await queryInterface.removeColumn('posts', 'excerpt');
    }
  },
};
