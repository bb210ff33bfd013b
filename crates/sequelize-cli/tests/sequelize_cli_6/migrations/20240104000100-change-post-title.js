'use strict';
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.changeColumn('posts', 'title', {
      type: Sequelize.STRING(300),
      allowNull: false,
    });
    await queryInterface.changeColumn('users', 'first_name', {
      type: Sequelize.STRING(100),
      allowNull: true,
    });
  },
  async down(queryInterface, Sequelize) {
    await queryInterface.changeColumn('users', 'first_name', {
      type: Sequelize.STRING,
      allowNull: true,
    });
    await queryInterface.changeColumn('posts', 'title', {
      type: Sequelize.STRING(200),
      allowNull: false,
    });
  },
};
