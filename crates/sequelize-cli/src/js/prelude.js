// The JavaScript side of sequelize-cli's files run by sequelize-rs's embedded engine:
// `require` of relative files and of 'sequelize' and 'path', `process.env`, the `Sequelize`
// object (DataTypes, Op, fn, col, literal) and the `queryInterface` a migration is given.
// The engine (engine.rs) defines the four natives it uses before it runs this file.
(function (global) {
  'use strict';
  const host = global.__sequelize_host; // (method, JSON text) => JSON text, synchronous
  const readFile = global.__sequelize_read; // (path) => text
  const evaluate = global.__sequelize_eval; // (source, file name) => value
  const cwd = global.__sequelize_cwd;
  const env = JSON.parse(global.__sequelize_env);

  // --- path (POSIX) -------------------------------------------------------------------
  function normalize(p) {
    const absolute = p.startsWith('/');
    const out = [];
    for (const part of p.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..' && out.length && out[out.length - 1] !== '..') out.pop();
      else if (part !== '..' || !absolute) out.push(part);
    }
    return (absolute ? '/' : '') + out.join('/') || (absolute ? '/' : '.');
  }
  const path = {
    sep: '/',
    delimiter: ':',
    normalize,
    isAbsolute: (p) => String(p).startsWith('/'),
    join: (...parts) => normalize(parts.filter((p) => p !== '').join('/')),
    resolve: (...parts) => {
      let resolved = '';
      for (let i = parts.length - 1; i >= 0 && !resolved.startsWith('/'); i--) {
        if (parts[i]) resolved = parts[i] + (resolved ? '/' + resolved : '');
      }
      return normalize(resolved.startsWith('/') ? resolved : cwd + '/' + resolved);
    },
    dirname: (p) => {
      const cut = normalize(p).lastIndexOf('/');
      return cut < 0 ? '.' : cut === 0 ? '/' : normalize(p).slice(0, cut);
    },
    basename: (p, ext) => {
      const base = normalize(p).split('/').pop();
      return ext && base.endsWith(ext) ? base.slice(0, -ext.length) : base;
    },
    extname: (p) => {
      const base = normalize(p).split('/').pop();
      const dot = base.lastIndexOf('.');
      return dot > 0 ? base.slice(dot) : '';
    },
  };
  path.posix = path;

  global.process = { env, cwd: () => cwd, platform: 'linux', argv: [], versions: {} };
  global.console = {
    log: (...a) => host('log', JSON.stringify(a.map(String).join(' '))),
    info: (...a) => host('log', JSON.stringify(a.map(String).join(' '))),
    warn: (...a) => host('log', JSON.stringify(a.map(String).join(' '))),
    error: (...a) => host('log', JSON.stringify(a.map(String).join(' '))),
  };

  // --- values crossing to the host ----------------------------------------------------
  function encode(value) {
    return JSON.stringify(value, function (key, v) {
      const original = this[key];
      if (original instanceof Date) return { $date: original.toISOString() };
      if (typeof original === 'function' && original.__sequelizeType) return original.toJSON();
      if (v === undefined) return undefined;
      return v;
    });
  }
  // Instants come back as `{ $date }`: made `Date`s again.
  function revive(key, v) {
    if (v && typeof v === 'object' && typeof v.$date === 'string' && Object.keys(v).length === 1) {
      return new Date(v.$date);
    }
    return v;
  }
  function call(method, args) {
    return JSON.parse(host(method, encode(args)), revive);
  }

  // --- DataTypes: each spells itself as DataType::parse reads it ------------------------
  function dataType(name, text) {
    const make = (spelled) => {
      const t = function (...args) {
        const shown = args.map((a) => (typeof a === 'string' ? `'${a}'` : String(a)));
        return make(args.length ? `${name}(${shown.join(',')})` : name);
      };
      t.__sequelizeType = true;
      t.key = name;
      t.toJSON = () => spelled;
      t.toString = () => spelled;
      t.toSql = () => spelled;
      for (const modifier of ['UNSIGNED', 'BINARY', 'ZEROFILL']) {
        Object.defineProperty(t, modifier, {
          get: () => make(modifier === 'ZEROFILL' ? spelled : `${spelled}.${modifier}`),
        });
      }
      return t;
    };
    return make(text || name);
  }
  const DataTypes = {};
  for (const name of [
    'STRING', 'CHAR', 'TEXT', 'TINYINT', 'SMALLINT', 'MEDIUMINT', 'INTEGER', 'BIGINT',
    'FLOAT', 'REAL', 'DOUBLE', 'DECIMAL', 'NUMERIC', 'BOOLEAN', 'DATE', 'DATEONLY', 'TIME',
    'UUID', 'JSON', 'JSONB', 'BLOB', 'CITEXT', 'INET', 'CIDR', 'MACADDR', 'HSTORE',
    'TSVECTOR',
  ]) {
    DataTypes[name] = dataType(name);
  }
  // ENUM('a', 'b') and ENUM({ values: [...] }): the values go to the attribute's `values`.
  DataTypes.ENUM = function (...values) {
    const list = values.length === 1 && values[0] && values[0].values ? values[0].values : values;
    const t = dataType('ENUM');
    t.__enumValues = list.flat();
    return t;
  };
  DataTypes.ENUM.__sequelizeType = true;
  DataTypes.ENUM.toJSON = () => 'ENUM';
  DataTypes.ARRAY = (inner) => dataType('ARRAY', `ARRAY(${inner})`);
  DataTypes.RANGE = (inner) => dataType('RANGE', `RANGE(${inner || 'INTEGER'})`);
  DataTypes.DOUBLE.PRECISION = DataTypes.DOUBLE;
  // Default values.
  DataTypes.NOW = { fn: 'NOW', toJSON: () => ({ fn: 'NOW' }) };
  DataTypes.UUIDV4 = { toJSON: () => 'UUIDV4' };
  DataTypes.UUIDV1 = { toJSON: () => 'UUIDV1' };

  const Op = {};
  for (const name of [
    'eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'like', 'notLike', 'between',
    'notBetween', 'is', 'not',
  ]) {
    Op[name] = name;
  }

  // The dialect the migration runs on, asked once.
  let dialectName;
  const dialect = () => dialectName || (dialectName = call('dialect', null));

  // A sequelize-cli 6 project's types mean what Sequelize 6 makes of them, where
  // sequelize-rs (which follows Sequelize 7) reads them otherwise: a bare DATE is a DATETIME
  // of whole seconds on MySQL and MariaDB, a bare FLOAT is PostgreSQL's double precision,
  // and UNSIGNED is dropped, with Sequelize's warning, where integers have no sign to drop.
  function sequelize6Type(spelled) {
    const on = dialect();
    if (spelled === 'DATE' && (on === 'mysql' || on === 'mariadb')) return 'DATE(0)';
    if (on !== 'postgres') return spelled;
    if (spelled === 'FLOAT') return 'DOUBLE';
    const signed = spelled.replace(/\.UNSIGNED/g, '');
    if (signed !== spelled) {
      console.warn(`PostgreSQL does not support '${signed}' with UNSIGNED or ZEROFILL. Plain '${signed}' will be used instead.`);
    }
    return signed;
  }

  // An attribute as the JSON migration reader takes it.
  function attribute(spec) {
    if (typeof spec === 'function' || typeof spec === 'string') spec = { type: spec };
    const out = {};
    for (const [key, value] of Object.entries(spec)) {
      if (value === undefined) continue;
      if (key === 'type' && value && value.__enumValues) {
        out.type = 'ENUM';
        out.values = value.__enumValues;
      } else if (key === 'type' && typeof value === 'function' && value.__sequelizeType) {
        out.type = sequelize6Type(value.toJSON());
      } else if (key === 'references' && value && typeof value.model === 'object') {
        out.references = { ...value, model: value.model.tableName || value.model };
      } else {
        out[key] = value;
      }
    }
    return out;
  }
  function attributes(specs) {
    const out = {};
    for (const [name, spec] of Object.entries(specs)) out[name] = attribute(spec);
    return out;
  }
  function withoutTransaction(options) {
    if (!options || typeof options !== 'object') return undefined;
    const { transaction, logging, benchmark, ...rest } = options;
    return Object.keys(rest).length ? rest : undefined;
  }
  function tableName(table) {
    return table && typeof table === 'object' ? table.tableName : table;
  }
  function step(method, first, rest) {
    return ask('step', { [method]: first, ...rest });
  }

  // --- the Sequelize instance a migration reaches as queryInterface.sequelize ------------
  const transaction = { commit: async () => {}, rollback: async () => {}, LOCK: {} };
  const sequelize = {
    query: (sql, options = {}) =>
      Promise.resolve().then(() => {
        const { replacements, bind, type, plain, raw } = options;
        return call('query', { sql: String(sql), replacements, bind, type, plain, raw });
      }),
    // The migration runs inside the transaction that records it (where DDL is
    // transactional): a transaction it opens runs there too.
    transaction: (optionsOrCallback, callback) => {
      const f = typeof optionsOrCallback === 'function' ? optionsOrCallback : callback;
      return f ? Promise.resolve().then(() => f(transaction)) : Promise.resolve(transaction);
    },
    getDialect: () => call('dialect', null),
    literal: (sql) => ({ literal: String(sql) }),
    fn: (name, ...args) => (args.length ? { fn: String(name).toUpperCase(), args } : { fn: String(name).toUpperCase() }),
    col: (name) => ({ col: String(name) }),
  };

  const queryInterface = {
    sequelize,
    createTable: (table, attrs, options) =>
      step('createTable', tableName(table), { attributes: attributes(attrs), options: withoutTransaction(options) }),
    dropTable: (table) => step('dropTable', tableName(table), {}),
    createSchema: (schema) => step('createSchema', schema, {}),
    dropSchema: (schema) => step('dropSchema', schema, {}),
    addColumn: (table, column, attr) =>
      step('addColumn', tableName(table), { column, attribute: attribute(attr) }),
    removeColumn: (table, column) => step('removeColumn', tableName(table), { column }),
    changeColumn: (table, column, attr) =>
      step('changeColumn', tableName(table), { column, attribute: attribute(attr) }),
    renameColumn: (table, before, after) =>
      step('renameColumn', tableName(table), { before, after }),
    renameTable: (before, after) => step('renameTable', tableName(before), { after: tableName(after) }),
    addIndex: (table, fieldsOrOptions, options) => {
      const opts = Array.isArray(fieldsOrOptions) ? { ...(options || {}), fields: fieldsOrOptions } : { ...fieldsOrOptions };
      const { fields, transaction: _t, ...rest } = opts;
      return step('addIndex', tableName(table), { fields, options: Object.keys(rest).length ? rest : undefined });
    },
    removeIndex: (table, index) =>
      step('removeIndex', tableName(table), { index: Array.isArray(index) ? index : index }),
    addConstraint: (table, options) => step('addConstraint', tableName(table), withoutTransaction(options) || {}),
    removeConstraint: (table, name) => step('removeConstraint', tableName(table), { name }),
    // Records may name different attributes: each gets every one, `null` where it has none,
    // as Sequelize's bulkInsert writes them.
    bulkInsert: (table, records) => {
      const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
      const full = records.map((r) => Object.fromEntries(keys.map((k) => [k, r[k] === undefined ? null : r[k]])));
      return step('bulkInsert', tableName(table), { records: full });
    },
    bulkUpdate: (table, values, where) => step('bulkUpdate', tableName(table), { values, where: where || null }),
    bulkDelete: (table, where) => step('bulkDelete', tableName(table), { where: where || null }),
    // upsert(table, insertValues, updateValues, where, options): the conflict is on the
    // options' `conflictFields` (or `upsertKeys`), else on the attributes `where` names.
    upsert: (table, insertValues, updateValues, where, options = {}) => {
      const conflictFields = options.conflictFields || options.upsertKeys || Object.keys(where || {});
      const updateFields = updateValues ? Object.keys(updateValues) : undefined;
      return step('upsert', tableName(table), { values: insertValues, conflictFields, updateFields });
    },
    // PostgreSQL cannot create or drop a database inside a transaction: a file that calls
    // these runs outside the migration's (migration.rs reads the file for them).
    createDatabase: (name, options) => step('createDatabase', name, { options: withoutTransaction(options) }),
    dropDatabase: (name) => step('dropDatabase', name, {}),
    describeTable: (table) => ask('describeTable', tableName(table)),
    showAllTables: () => ask('showAllTables', null),
    tableExists: (table) => ask('showAllTables', null).then((tables) => tables.includes(tableName(table))),
    showAllSchemas: () => ask('showAllSchemas', null),
    showIndex: (table) => ask('showIndex', tableName(table)),
    showConstraint: (table, name) =>
      ask('showConstraint', tableName(table)).then((all) => (name ? all.filter((c) => c.constraintName === name) : all)),
    getForeignKeyReferencesForTable: (table) =>
      ask('showConstraint', tableName(table)).then((all) =>
        all
          .filter((c) => c.constraintType === 'FOREIGN KEY')
          .flatMap((c) => c.columnNames.map((columnName, i) => ({
            constraintName: c.constraintName,
            tableName: c.tableName,
            columnName,
            referencedTableName: c.referencedTableName,
            referencedColumnName: c.referencedColumnNames[i],
          })))),
    dropAllTables: (options = {}) => ask('dropAllTables', { skip: options.skip || [] }),
    // Enum types are PostgreSQL's; elsewhere there are none to list or drop, as in Sequelize.
    pgListEnums: () => ask('pgListEnums', null),
    dropEnum: (name) => ask('dropEnum', name),
    dropAllEnums: () => ask('dropAllEnums', null),
    quoteIdentifier: (name) => quote(name),
    quoteTable: (table) => quote(tableName(table)),
  };
  // A question to the host, answered before the next line runs.
  function ask(method, args) {
    return Promise.resolve().then(() => call(method, args));
  }
  // An identifier quoted as the dialect's SQL writer quotes it (asked once), the closing
  // quote doubled inside.
  let quotes;
  function quote(name) {
    const [open, close] = quotes || (quotes = call('identifierQuotes', null));
    return open + String(name).split(close).join(close + close) + close;
  }

  const QueryTypes = {};
  for (const name of ['SELECT', 'INSERT', 'UPDATE', 'BULKUPDATE', 'BULKDELETE', 'DELETE', 'UPSERT', 'RAW', 'SHOWTABLES', 'DESCRIBE']) {
    QueryTypes[name] = name;
  }
  sequelize.QueryTypes = QueryTypes;
  const Sequelize = { ...DataTypes, DataTypes, Op, QueryTypes, fn: sequelize.fn, col: sequelize.col, literal: sequelize.literal };
  Sequelize.Sequelize = Sequelize;
  Sequelize.default = Sequelize;

  // --- CommonJS ------------------------------------------------------------------------
  const modules = {};
  function load(file) {
    if (modules[file]) return modules[file].exports;
    const module = { exports: {}, filename: file, loaded: false };
    modules[file] = module;
    const text = readFile(file);
    if (file.endsWith('.json')) {
      module.exports = JSON.parse(text);
    } else {
      // One line of wrapper, so the file's own lines keep their numbers.
      const wrapped = evaluate('(function (exports, require, module, __filename, __dirname) {' + text + '\n})', file);
      wrapped.call(module.exports, module.exports, requireFrom(path.dirname(file)), module, file, path.dirname(file));
    }
    module.loaded = true;
    return module.exports;
  }
  function requireFrom(dir) {
    return function require(spec) {
      if (spec === 'sequelize' || spec === '@sequelize/core') return Sequelize;
      if (spec === 'path' || spec === 'node:path') return path;
      if (spec === 'process' || spec === 'node:process') return global.process;
      if (!spec.startsWith('.') && !spec.startsWith('/')) {
        throw new Error(`require('${spec}'): npm packages cannot be loaded here (sequelize-rs runs migrations without Node.js); only relative .js and .json files, 'sequelize' and 'path'`);
      }
      const base = path.resolve(dir, spec);
      for (const file of [base, base + '.js', base + '.json', base + '/index.js']) {
        if (call('exists', file)) return load(file);
      }
      throw new Error(`require('${spec}'): no file ${base}(.js, .json)`);
    };
  }

  global.__sequelize = {
    load,
    queryInterface,
    Sequelize,
    // Runs `direction` of the migration or seeder in `file`.
    run: (file, direction) => {
      const m = load(file);
      const f = m && (m[direction] || (m.default && m.default[direction]));
      if (typeof f !== 'function') throw new Error(`exports no ${direction} function`);
      return Promise.resolve(f.call(m, queryInterface, Sequelize));
    },
    // The value a config file exports, as JSON (a promise or function is settled first).
    exported: (file) => {
      const m = load(file);
      return Promise.resolve(typeof m === 'function' ? m() : m).then((v) => encode(v));
    },
  };
})(globalThis);
