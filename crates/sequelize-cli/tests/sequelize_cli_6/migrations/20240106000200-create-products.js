'use strict';
// The column types a shop's table uses.
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('products', {
      id: { type: Sequelize.INTEGER, autoIncrement: true, primaryKey: true },
      sku: { type: Sequelize.CHAR(12), allowNull: false, unique: true },
      name: { type: Sequelize.STRING, allowNull: false },
      description: { type: Sequelize.TEXT('long') },
      price: { type: Sequelize.DECIMAL(10, 2), allowNull: false, defaultValue: 0 },
      weight: { type: Sequelize.FLOAT },
      rating: { type: Sequelize.DOUBLE },
      stock: { type: Sequelize.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
      barcode: { type: Sequelize.BIGINT },
      available: { type: Sequelize.BOOLEAN, allowNull: false, defaultValue: true },
      available_from: { type: Sequelize.DATEONLY },
      opens_at: { type: Sequelize.TIME },
      thumbnail: { type: Sequelize.BLOB },
      currency: { type: Sequelize.STRING(3), allowNull: false, defaultValue: 'EUR' },
      created_at: { type: Sequelize.DATE, allowNull: false },
      updated_at: { type: Sequelize.DATE, allowNull: false },
    });
    await queryInterface.bulkInsert('products', [
      {
        sku: 'SKU-0001', name: 'Mug', description: 'Holds tea', price: '12.50', weight: 0.25,
        rating: 4.75, stock: 10, barcode: 4006381333931, available: true,
        available_from: '2024-02-01', opens_at: '09:00:00', currency: 'EUR',
        created_at: new Date('2024-01-07T12:00:00Z'), updated_at: new Date('2024-01-07T12:00:00Z'),
      },
    ]);
  },
  async down(queryInterface) {
    await queryInterface.dropTable('products');
  },
};
