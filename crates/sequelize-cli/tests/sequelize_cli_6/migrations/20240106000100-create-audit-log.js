'use strict';
// Made under one name, then renamed: the table a later team settled on.
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('audit_log', {
      id: { type: Sequelize.BIGINT, autoIncrement: true, primaryKey: true },
      user_id: { type: Sequelize.UUID, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
      action: { type: Sequelize.STRING(32), allowNull: false },
      payload: { type: Sequelize.JSON },
      ip: { type: Sequelize.STRING(45) },
      created_at: { type: Sequelize.DATE, allowNull: false, defaultValue: Sequelize.literal('CURRENT_TIMESTAMP') },
    });
    await queryInterface.renameTable('audit_log', 'audit_logs');
    await queryInterface.addIndex('audit_logs', ['user_id', 'created_at'], { name: 'audit_logs_user_created' });
  },
  async down(queryInterface) {
    await queryInterface.dropTable('audit_logs');
  },
};
