'use strict';
// The usage guide's seeder, but for two things. Its ids are UUIDs here: the guide's 'uuid-1'
// is not one, and PostgreSQL's uuid type refuses it under either CLI. Its down removes only
// the users it made.

module.exports = {
  up: async (queryInterface, Sequelize) => {
    await queryInterface.bulkInsert('users', [
      {
        id: '00000000-0000-4000-8000-000000000001',
        email: 'admin@example.com',
        password: 'hashed-password',
        first_name: 'Admin',
        last_name: 'User',
        status: 'active',
        created_at: new Date(),
        updated_at: new Date()
      },
      {
        id: '00000000-0000-4000-8000-000000000002',
        email: 'user@example.com',
        password: 'hashed-password',
        first_name: 'Regular',
        last_name: 'User',
        status: 'active',
        created_at: new Date(),
        updated_at: new Date()
      }
    ]);
  },

  down: async (queryInterface, Sequelize) => {
    // The guide deletes every user; this project's migrations have users of their own.
    await queryInterface.bulkDelete('users', { email: ['admin@example.com', 'user@example.com'] }, {});
  }
};
