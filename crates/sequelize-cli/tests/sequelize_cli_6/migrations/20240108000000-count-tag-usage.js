'use strict';
// A column filled from a SELECT over another table, in one transaction.
module.exports = {
  async up(queryInterface, Sequelize) {
    const transaction = await queryInterface.sequelize.transaction();
    try {
      await queryInterface.addColumn('tags', 'usage_count', {
        type: Sequelize.INTEGER,
        allowNull: false,
        defaultValue: 0,
      }, { transaction });
      const counts = await queryInterface.sequelize.query(
        'SELECT tag_id, COUNT(*) AS n FROM post_tags GROUP BY tag_id ORDER BY tag_id',
        { type: Sequelize.QueryTypes.SELECT, transaction },
      );
      for (const { tag_id, n } of counts) {
        await queryInterface.bulkUpdate('tags', { usage_count: Number(n) }, { id: tag_id }, { transaction });
      }
      await transaction.commit();
    } catch (error) {
      await transaction.rollback();
      throw error;
    }
  },
  async down(queryInterface) {
    await queryInterface.removeColumn('tags', 'usage_count');
  },
};
