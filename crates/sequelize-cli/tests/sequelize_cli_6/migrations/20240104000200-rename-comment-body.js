'use strict';
module.exports = {
  up: (queryInterface) => queryInterface.renameColumn('comments', 'body', 'content'),
  down: (queryInterface) => queryInterface.renameColumn('comments', 'content', 'body'),
};
