'use strict';
// Rows that refer to the rows above, found by a SELECT with replacements.
module.exports = {
  async up(queryInterface, Sequelize) {
    const [founder] = await queryInterface.sequelize.query(
      'SELECT id FROM users WHERE email = :email',
      { replacements: { email: 'founder@example.com' }, type: Sequelize.QueryTypes.SELECT },
    );
    const at = new Date('2024-01-06T08:15:30.000Z');
    await queryInterface.bulkInsert('posts', [
      { id: 1, author_id: founder.id, category_id: 1, title: 'Hello', slug: 'hello', body: 'First post', published: true, view_count: 150, published_at: at, created_at: at, updated_at: at },
      { id: 2, author_id: founder.id, category_id: 2, title: 'Version 1.0', slug: 'version-1-0', published: false, view_count: 0, created_at: at, updated_at: at },
      { id: 3, author_id: founder.id, category_id: null, title: 'Draft', slug: 'draft', body: null, published: false, view_count: 3, created_at: at, updated_at: at },
    ]);
    await queryInterface.bulkInsert('tags', [
      { id: 1, name: 'rust', created_at: at, updated_at: at },
      { id: 2, name: 'orm', created_at: at, updated_at: at },
    ]);
    await queryInterface.bulkInsert('post_tags', [
      { post_id: 1, tag_id: 1, created_at: at },
      { post_id: 1, tag_id: 2, created_at: at },
      { post_id: 2, tag_id: 1, created_at: at },
    ]);
  },
  async down(queryInterface) {
    await queryInterface.bulkDelete('post_tags', null, {});
    await queryInterface.bulkDelete('tags', null, {});
    await queryInterface.bulkDelete('posts', null, {});
  },
};
