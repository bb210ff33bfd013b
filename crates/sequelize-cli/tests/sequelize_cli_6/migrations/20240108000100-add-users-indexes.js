'use strict';
module.exports = {
  async up(queryInterface) {
    await queryInterface.addIndex('users', {
      name: 'users_name',
      fields: ['status', 'first_name'],
    });
    await queryInterface.addIndex('users', ['created_at'], { name: 'users_created_at' });
    await queryInterface.addIndex('comments', ['approved', 'created_at']);
  },
  async down(queryInterface) {
    await queryInterface.removeIndex('comments', ['approved', 'created_at']);
    await queryInterface.removeIndex('users', 'users_created_at');
    await queryInterface.removeIndex('users', 'users_name');
  },
};
