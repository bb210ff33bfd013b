'use strict';
/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('Roles', {
      id: {
        allowNull: false,
        autoIncrement: true,
        primaryKey: true,
        type: Sequelize.INTEGER
      },
      name: {
        type: Sequelize.STRING(50),
        allowNull: false,
        unique: true
      },
      description: {
        type: Sequelize.TEXT
      },
      createdAt: {
        allowNull: false,
        type: Sequelize.DATE
      },
      updatedAt: {
        allowNull: false,
        type: Sequelize.DATE
      }
    });
    const at = new Date('2024-01-01T09:30:00.000Z');
    await queryInterface.bulkInsert('Roles', [
      { name: 'admin', description: 'Everything', createdAt: at, updatedAt: at },
      { name: 'editor', description: "Edits everyone's posts", createdAt: at, updatedAt: at },
      { name: 'reader', createdAt: at, updatedAt: at },
    ]);
  },
  async down(queryInterface, Sequelize) {
    await queryInterface.dropTable('Roles');
  }
};
