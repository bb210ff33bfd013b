'use strict';
// An ENUM added to an existing table. On PostgreSQL it is a type of its own, which the
// column's removal leaves behind: the down migration drops it, as projects write it.
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.addColumn('posts', 'state', {
      type: Sequelize.ENUM('draft', 'review', 'published'),
      allowNull: false,
      defaultValue: 'draft',
    });
  },
  async down(queryInterface) {
    await queryInterface.removeColumn('posts', 'state');
    if (queryInterface.sequelize.getDialect() === 'postgres') {
      await queryInterface.sequelize.query('DROP TYPE IF EXISTS "enum_posts_state";');
    }
  },
};
