'use strict';
// Reference data a later migration relies on: bulkInsert of dates, and raw INSERTs with
// replacements (named and positional).
const users = [
  ['6f1c5a52-4a39-4bb4-9d55-0b5e3c2a7e01', 'founder@example.com', 'Ada'],
  ['6f1c5a52-4a39-4bb4-9d55-0b5e3c2a7e02', "o'hara@example.com", 'Scarlett'],
];

module.exports = {
  async up(queryInterface) {
    const at = new Date('2024-01-05T10:00:00.000Z');
    await queryInterface.bulkInsert('categories', [
      { id: 1, name: 'News', slug: 'news', position: 0, created_at: at, updated_at: at },
      { id: 2, name: 'Releases', slug: 'releases', parent_id: 1, position: 1, created_at: at, updated_at: at },
      { id: 3, name: 'Guides', slug: 'guides', position: 2, created_at: at, updated_at: at },
    ]);
    for (const [id, email, first] of users) {
      await queryInterface.sequelize.query(
        'INSERT INTO users (id, email, password, first_name, status, created_at, updated_at) ' +
          'VALUES (:id, :email, :password, :first, :status, :at, :at)',
        { replacements: { id, email, password: 'x', first, status: 'active', at } },
      );
    }
    await queryInterface.sequelize.query(
      'UPDATE users SET last_name = ? WHERE email = ?',
      { replacements: ['Lovelace', 'founder@example.com'] },
    );
  },
  async down(queryInterface, Sequelize) {
    await queryInterface.bulkDelete('users', { email: { [Sequelize.Op.in]: users.map((u) => u[1]) } });
    await queryInterface.bulkDelete('categories', { id: [1, 2, 3] });
  },
};
