//! The rendered SQL of each statement shape a model ran, so the same finder or write shape is
//! rendered once per model and instance, and later runs only collect their values.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::dialect::{Dialect, Rendered};
use crate::error::Result;
use crate::sql::{LockWait, RowLock, Shape, Statement};
use crate::value::Value;

/// How many shapes a model keeps; past it the cache starts over (a model rarely has more
/// shapes than this, and a program that builds unbounded shapes must not grow memory).
const CAPACITY: usize = 256;

/// The rendered SQL of each shape key.
type SqlByShape = HashMap<Vec<u8>, Arc<str>, foldhash::fast::RandomState>;

/// Rendered SQL by statement shape, for one model on one Sequelize instance (one dialect).
#[derive(Debug, Default)]
pub(crate) struct StatementCache {
    /// Hashed with foldhash, seeded per process: the keys are whole statement shapes (often
    /// a few hundred bytes), which SipHash took a quarter of a cached lookup to hash.
    sql: Mutex<SqlByShape>,
    /// `findByPk`'s SQL per plain lock strength (none, then each [`Lock`] that waits and
    /// names no table): the most common shape, kept apart so that it is found without
    /// planning the statement at all.
    by_key: [OnceLock<Arc<str>>; 5],
}

impl StatementCache {
    /// The SQL of finding one row by its key with `lock`, rendered by `render` the first
    /// time (every time for a lock with options, which are rare).
    pub(crate) fn by_key(
        &self,
        lock: Option<&RowLock>,
        render: impl FnOnce() -> Result<Rendered>,
    ) -> Result<Arc<str>> {
        let slot = match lock {
            None => 0,
            Some(RowLock {
                strength,
                of,
                wait: LockWait::Wait,
            }) if of.is_empty() => *strength as usize + 1,
            Some(_) => return Ok(render()?.sql.into()),
        };
        let slot = &self.by_key[slot];
        if let Some(sql) = slot.get() {
            return Ok(Arc::clone(sql));
        }
        let sql: Arc<str> = render()?.sql.into();
        Ok(Arc::clone(slot.get_or_init(|| sql)))
    }

    /// The SQL text and values of `statement`, rendering it only if its shape is new. The
    /// values are moved out of `statement`, which is spent after this.
    pub(crate) fn render(
        &self,
        statement: &mut Statement,
        dialect: &dyn Dialect,
    ) -> Result<(Arc<str>, Vec<Value>)> {
        let Some(shape) = Shape::take(statement, dialect.supports().arrays) else {
            let rendered = dialect.render(statement)?;
            return Ok((rendered.sql.into(), rendered.params));
        };
        if let Some(sql) = self.lock().get(&shape.key) {
            return Ok((Arc::clone(sql), shape.values));
        }
        #[cfg(debug_assertions)]
        let taken = shape.values.clone();
        let key = shape.key.clone();
        shape.restore(statement);
        let rendered = dialect.render(statement)?;
        #[cfg(debug_assertions)]
        assert_eq!(
            rendered.params, taken,
            "shape and renderer bind in one order"
        );
        let sql: Arc<str> = rendered.sql.into();
        let mut cache = self.lock();
        if cache.len() >= CAPACITY {
            cache.clear();
        }
        cache.insert(key, Arc::clone(&sql));
        Ok((sql, rendered.params))
    }

    /// How many shapes are cached.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SqlByShape> {
        self.sql.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{Expr, Select, TableRef};

    #[test]
    fn a_shape_is_rendered_once() {
        let sqlite = crate::dialect::by_name("sqlite").unwrap();
        let cache = StatementCache::default();
        let by_id = |id: i64| {
            Statement::from(Select::new(TableRef::new("users")).filter(Expr::column("id").eq(id)))
        };
        let (first, values) = cache.render(&mut by_id(1), &*sqlite).unwrap();
        assert_eq!(values, vec![Value::Int(1)]);
        let (second, values) = cache.render(&mut by_id(2), &*sqlite).unwrap();
        assert!(
            Arc::ptr_eq(&first, &second),
            "the second run reuses the rendered text"
        );
        assert_eq!(values, vec![Value::Int(2)]);
        assert_eq!(cache.len(), 1);
        let mut by_name = Statement::from(
            Select::new(TableRef::new("users")).filter(Expr::column("name").eq("Ann")),
        );
        let (sql, _) = cache.render(&mut by_name, &*sqlite).unwrap();
        assert_eq!(&*sql, "SELECT * FROM `users` WHERE `name` = ?");
        assert_eq!(cache.len(), 2);
        // A comparison with NULL has another shape, and is still refused.
        let mut null = Statement::from(
            Select::new(TableRef::new("users")).filter(Expr::column("id").eq(Value::Null)),
        );
        assert!(cache.render(&mut null, &*sqlite).is_err());
    }
}
