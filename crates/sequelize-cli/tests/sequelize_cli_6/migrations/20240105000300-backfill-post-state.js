'use strict';
// A data migration: a raw UPDATE with replacements, and bulkUpdate with operators.
module.exports = {
  async up(queryInterface, Sequelize) {
    const { Op } = Sequelize;
    await queryInterface.sequelize.query('UPDATE posts SET state = :state WHERE published = :published', {
      replacements: { state: 'published', published: true },
    });
    await queryInterface.bulkUpdate('posts', { state: 'review' }, {
      published: false,
      view_count: { [Op.gt]: 0 },
    });
  },
  async down(queryInterface) {
    await queryInterface.bulkUpdate('posts', { state: 'draft' }, {});
  },
};
