'use strict';
module.exports = {
  async up(queryInterface) {
    await queryInterface.addIndex('posts', {
      fields: ['slug'],
      unique: true,
      name: 'posts_slug_unique',
    });
    await queryInterface.addIndex('posts', ['published', 'published_at'], {
      name: 'posts_published_at',
    });
    await queryInterface.addIndex('posts', ['created_at', 'category_id']);
  },
  async down(queryInterface) {
    await queryInterface.removeIndex('posts', ['created_at', 'category_id']);
    await queryInterface.removeIndex('posts', 'posts_published_at');
    await queryInterface.removeIndex('posts', 'posts_slug_unique');
  },
};
