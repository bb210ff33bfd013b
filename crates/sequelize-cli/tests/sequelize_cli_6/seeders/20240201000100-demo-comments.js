'use strict';
module.exports = {
  async up(queryInterface, Sequelize) {
    const users = await queryInterface.sequelize.query(
      'SELECT id, email FROM users WHERE email IN (:emails) ORDER BY email',
      { replacements: { emails: ['admin@example.com', 'user@example.com'] }, type: Sequelize.QueryTypes.SELECT },
    );
    const at = new Date('2024-02-01T18:45:00.250Z');
    await queryInterface.bulkInsert('comments', users.map((user, i) => ({
      post_id: 1,
      user_id: user.id,
      content: `Comment ${i + 1} by ${user.email}`,
      approved: i === 0,
      created_at: at,
      updated_at: at,
    })));
  },
  async down(queryInterface, Sequelize) {
    await queryInterface.bulkDelete('comments', { content: { [Sequelize.Op.like]: 'Comment %' } }, {});
  },
};
