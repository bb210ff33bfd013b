'use strict';
module.exports = {
  async up(queryInterface) {
    await queryInterface.removeColumn('products', 'weight');
  },
  async down(queryInterface, Sequelize) {
    await queryInterface.addColumn('products', 'weight', { type: Sequelize.FLOAT, allowNull: true });
  },
};
