'use strict';
// Columns added side by side with Promise.all, as many projects write it.
module.exports = {
  up: (queryInterface, Sequelize) =>
    Promise.all([
      queryInterface.addColumn('users', 'bio', { type: Sequelize.TEXT }),
      queryInterface.addColumn('users', 'last_login_at', { type: Sequelize.DATE }),
      queryInterface.addColumn('users', 'login_count', {
        type: Sequelize.INTEGER,
        allowNull: false,
        defaultValue: 0,
      }),
    ]),
  down: async (queryInterface) => {
    await queryInterface.removeColumn('users', 'login_count');
    await queryInterface.removeColumn('users', 'last_login_at');
    await queryInterface.removeColumn('users', 'bio');
  },
};
