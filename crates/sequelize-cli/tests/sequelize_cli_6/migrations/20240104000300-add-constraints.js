'use strict';
// Both on a table no later migration changes a column of: on SQLite, sequelize-cli 6
// rebuilds a table to change or remove a column, the rebuilt table loses its CHECKs and
// named unique keys, and its own removeConstraint then finds nothing to remove.
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.addConstraint('categories', {
      fields: ['parent_id', 'slug'],
      type: 'unique',
      name: 'categories_parent_slug_unique',
    });
    await queryInterface.addConstraint('categories', {
      fields: ['position'],
      type: 'check',
      where: { position: { [Sequelize.Op.gte]: 0 } },
      name: 'categories_position_not_negative',
    });
  },
  async down(queryInterface) {
    // sequelize-cli 6's removeConstraint drops a CHECK on MySQL and MariaDB as if it were an
    // index, which fails: projects drop it with SQL of their own there.
    if (['mysql', 'mariadb'].includes(queryInterface.sequelize.getDialect())) {
      await queryInterface.sequelize.query('ALTER TABLE categories DROP CONSTRAINT categories_position_not_negative');
    } else {
      await queryInterface.removeConstraint('categories', 'categories_position_not_negative');
    }
    await queryInterface.removeConstraint('categories', 'categories_parent_slug_unique');
  },
};
