//! What an instance holds of its includes: per association, the instances read for it, of
//! the target model's own instance type (`Instance<Comment>` for a derived model,
//! [`DynInstance`] for one defined at run time), behind one type-erased box per association
//! and parent, never one box per row.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use smallvec::SmallVec;

use crate::error::{Error, Result};
use crate::model::definition::ModelDefinition;
use crate::model::dynamic::DynInstance;
use crate::model::instance::Instance;
use crate::model::runtime::ModelRuntime;
use crate::model::write::{HookedRow, TypedRow};
use crate::model::Model;
use crate::row::{ReadResult, RowReader};
use crate::types::DataType;
use crate::value::Value;

/// A model's instances as an include holds them: made from rows, reachable typed, and
/// serialized into the parent's JSON.
pub(crate) trait Loadable: LoadedRow + Any + Send + Sync + Sized {
    /// The instance of one row (every attribute of the model, in order); the attributes at
    /// `unread` were not read (`attributes` of an include, `NULL` in the row), and are left
    /// out of its JSON.
    fn load(
        runtime: &Arc<ModelRuntime>,
        row: &mut dyn RowReader,
        unread: &[usize],
    ) -> ReadResult<Self>;

    /// The instance as Sequelize's `toJSON` shapes it (its includes nested by name).
    fn to_json(&self) -> Result<serde_json::Value>;
}

impl<M: Model> Loadable for Instance<M> {
    fn load(_: &Arc<ModelRuntime>, row: &mut dyn RowReader, unread: &[usize]) -> ReadResult<Self> {
        if unread.is_empty() {
            return Ok(Instance::from_row(TypedRow::read(row)?));
        }
        // A struct field needs a value: an attribute not read that cannot be NULL gets the
        // zero of its type.
        let def = M::definition();
        let mut values = values_of(row)?;
        for &index in unread {
            let column = &def.attributes[index].column;
            if !column.allow_null {
                values[index] = placeholder(&column.data_type);
            }
        }
        let mut instance: Instance<M> = Instance::from_row(TypedRow::from_values(&mut values)?);
        instance.loaded_mut().unread = unread.into();
        Ok(instance)
    }

    fn to_json(&self) -> Result<serde_json::Value> {
        self.to_json()
    }
}

impl Loadable for DynInstance {
    fn load(
        runtime: &Arc<ModelRuntime>,
        row: &mut dyn RowReader,
        unread: &[usize],
    ) -> ReadResult<Self> {
        let mut instance = <DynInstance as HookedRow>::decode(runtime, &mut values_of(row)?)?;
        if !unread.is_empty() {
            instance.loaded_mut().unread = unread.into();
        }
        Ok(instance)
    }

    fn to_json(&self) -> Result<serde_json::Value> {
        serde_json::to_value(self).map_err(|e| Error::Decode(e.to_string()))
    }
}

/// Every column of a row, as values.
fn values_of(row: &mut dyn RowReader) -> ReadResult<Vec<Value>> {
    (0..row.width()).map(|i| row.value(i)).collect()
}

/// One instance, type-erased, as a separate include reaches it: its values, and its
/// includes to add to.
pub(crate) trait LoadedRow {
    /// The value of the attribute at `index`.
    fn value(&self, index: usize) -> Value;

    /// Its includes.
    fn loaded_mut(&mut self) -> &mut Loaded;
}

impl<M: Model> LoadedRow for Instance<M> {
    fn value(&self, index: usize) -> Value {
        self.row_value(index)
    }

    fn loaded_mut(&mut self) -> &mut Loaded {
        self.loaded_mut()
    }
}

impl LoadedRow for DynInstance {
    fn value(&self, index: usize) -> Value {
        self.value_at(index)
    }

    fn loaded_mut(&mut self) -> &mut Loaded {
        self.loaded_mut()
    }
}

/// The instances one parent holds for one association.
pub(crate) trait Collection: Send + Sync {
    /// Makes an instance of `row` (`unread` not read) and appends it.
    fn push(
        &mut self,
        runtime: &Arc<ModelRuntime>,
        row: &mut dyn RowReader,
        unread: &[usize],
    ) -> ReadResult<()>;

    /// How many instances it holds.
    fn len(&self) -> usize;

    /// The includes of the instance at `index`.
    fn loaded_mut(&mut self, index: usize) -> &mut Loaded;

    /// Runs `f` on each instance, in order; the first error stops it.
    fn each_mut(&mut self, f: &mut dyn FnMut(&mut dyn LoadedRow) -> Result<()>) -> Result<()>;

    /// Moves the instances into `groups` new collections, the one at position `i` into
    /// group `owners[i]`, in order.
    fn split(&mut self, owners: &[usize], groups: usize) -> Vec<Arc<dyn Collection>>;

    /// The instances, as a `Vec` of the model's instance type.
    fn as_any(&self) -> &dyn Any;

    /// The instances in JSON: an array, or for a single association the one object (or
    /// `null`).
    fn to_json(&self, single: bool) -> Result<serde_json::Value>;
}

/// Its length: instances have no `Debug` of their own here.
impl fmt::Debug for dyn Collection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} instances]", self.len())
    }
}

impl<L: Loadable> Collection for Vec<L> {
    fn push(
        &mut self,
        runtime: &Arc<ModelRuntime>,
        row: &mut dyn RowReader,
        unread: &[usize],
    ) -> ReadResult<()> {
        Vec::push(self, L::load(runtime, row, unread)?);
        Ok(())
    }

    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn loaded_mut(&mut self, index: usize) -> &mut Loaded {
        self[index].loaded_mut()
    }

    fn each_mut(&mut self, f: &mut dyn FnMut(&mut dyn LoadedRow) -> Result<()>) -> Result<()> {
        self.iter_mut().try_for_each(|row| f(row))
    }

    fn split(&mut self, owners: &[usize], groups: usize) -> Vec<Arc<dyn Collection>> {
        let mut sizes = vec![0usize; groups];
        for &owner in owners {
            sizes[owner] += 1;
        }
        // Each group's list allocated once, at its size.
        let mut split: Vec<Vec<L>> = sizes.into_iter().map(Vec::with_capacity).collect();
        for (row, &owner) in std::mem::take(self).into_iter().zip(owners) {
            split[owner].push(row);
        }
        (split.into_iter())
            .map(|rows| Arc::new(rows) as Arc<dyn Collection>)
            .collect()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn to_json(&self, single: bool) -> Result<serde_json::Value> {
        if single {
            return self
                .first()
                .map_or(Ok(serde_json::Value::Null), Loadable::to_json);
        }
        self.iter()
            .map(Loadable::to_json)
            .collect::<Result<Vec<_>>>()
            .map(serde_json::Value::Array)
    }
}

/// Makes an empty collection of one model's instances; each runtime holds the one of its
/// instance type.
pub(crate) type NewCollection = fn() -> Arc<dyn Collection>;

/// The [`NewCollection`] of instances of type `L`.
pub(crate) fn collection_of<L: Loadable>() -> Arc<dyn Collection> {
    Arc::new(Vec::<L>::new())
}

/// The rows an instance holds of its includes, by association name. A copy of an
/// instance shares them (they are only changed while a finder reads them).
#[derive(Default, Clone)]
pub struct Loaded {
    /// Inline while there is one (most parents include one association): no allocation
    /// beside the instance's own.
    entries: SmallVec<[Entry; 1]>,
    /// The attributes the finder did not read (`attributes` of an include).
    unread: Box<[usize]>,
}

#[derive(Clone)]
struct Entry {
    /// The association's name (`as`).
    name: Arc<str>,
    /// A `belongsTo`/`hasOne`: one instance or none.
    single: bool,
    rows: Arc<dyn Collection>,
}

impl fmt::Debug for Loaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|e| (&*e.name, e.rows.len())))
            .finish()
    }
}

impl Loaded {
    /// The collection for `name`, created empty (by `new`) when it is not there yet. Only
    /// a finder reading the rows adds to it, before any copy of the instance exists.
    pub(crate) fn entry(
        &mut self,
        name: &Arc<str>,
        single: bool,
        new: NewCollection,
    ) -> Result<&mut (dyn Collection + 'static)> {
        let at = match self.entries.iter().position(|e| e.name == *name) {
            Some(at) => at,
            None => {
                self.entries.push(Entry {
                    name: Arc::clone(name),
                    single,
                    rows: new(),
                });
                self.entries.len() - 1
            }
        };
        let rows = &mut self.entries[at].rows;
        // The shared empty list (`include_none`) makes way for one of the parent's own.
        if rows.len() == 0 && Arc::get_mut(rows).is_none() {
            *rows = new();
        }
        Arc::get_mut(rows).ok_or_else(|| {
            Error::EagerLoading(format!(
                "the rows included as {name:?} are shared by a copy of the instance"
            ))
        })
    }

    /// Marks `name` as included with nothing found, unless it holds instances already:
    /// the list is `empty`, shared by every such parent, until [`entry`](Self::entry)
    /// gives the parent a list of its own.
    pub(crate) fn include_none(
        &mut self,
        name: &Arc<str>,
        single: bool,
        empty: &Arc<dyn Collection>,
    ) {
        if !self.entries.iter().any(|e| e.name == *name) {
            self.entries.push(Entry {
                name: Arc::clone(name),
                single,
                rows: Arc::clone(empty),
            });
        }
    }

    /// The collection included as `name`, to add to; `None` when there is none or it is
    /// empty.
    pub(crate) fn get_mut(
        &mut self,
        name: &str,
    ) -> Result<Option<&mut (dyn Collection + 'static)>> {
        let Some(entry) = self.entries.iter_mut().find(|e| &*e.name == name) else {
            return Ok(None);
        };
        if entry.rows.len() == 0 {
            return Ok(None);
        }
        Arc::get_mut(&mut entry.rows).map(Some).ok_or_else(|| {
            Error::EagerLoading(format!(
                "the rows included as {name:?} are shared by a copy of the instance"
            ))
        })
    }

    /// Sets the collection included as `name` (a separate include's rows for this parent,
    /// shared with other parents of the same key).
    pub(crate) fn set(&mut self, name: &Arc<str>, single: bool, rows: Arc<dyn Collection>) {
        self.entries.retain(|e| e.name != *name);
        self.entries.push(Entry {
            name: Arc::clone(name),
            single,
            rows,
        });
    }

    /// The instances included as `name`, as a `Vec` of their instance type.
    pub(crate) fn rows<L: Loadable>(&self, model: &str, name: &str) -> Result<&[L]> {
        let entry = (self.entries.iter())
            .find(|e| &*e.name == name)
            .ok_or_else(|| not_included(model, name))?;
        entry
            .rows
            .as_any()
            .downcast_ref::<Vec<L>>()
            .map(Vec::as_slice)
            .ok_or_else(|| {
                Error::EagerLoading(format!(
                    "{model}.{name} holds instances of another type than the one asked for"
                ))
            })
    }

    /// Whether anything was included, or left unread.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.unread.is_empty()
    }

    /// Whether the attribute at `index` was read.
    pub(crate) fn was_read(&self, index: usize) -> bool {
        !self.unread.contains(&index)
    }

    /// Completes an instance's JSON object: the attributes not read (of `def`) taken out,
    /// each include added under its name.
    pub(crate) fn add_to_json(
        &self,
        def: &ModelDefinition,
        json: &mut serde_json::Value,
    ) -> Result<()> {
        let serde_json::Value::Object(map) = json else {
            return Err(Error::Decode(
                "an instance with includes must serialize as an object".into(),
            ));
        };
        for &index in self.unread.iter() {
            map.shift_remove(&def.attributes[index].name);
        }
        for entry in &self.entries {
            map.insert(entry.name.to_string(), entry.rows.to_json(entry.single)?);
        }
        Ok(())
    }
}

/// A value of an attribute's type for a field whose attribute was not read: the type's zero
/// (`NULL` for a type without one, which only a nullable field takes).
fn placeholder(data_type: &DataType) -> Value {
    match data_type {
        DataType::Unsigned(inner) => placeholder(inner),
        t if t.is_text() => Value::Text(String::new()),
        t if t.is_integer() => Value::Int(0),
        DataType::Float | DataType::Double => Value::Float(0.0),
        DataType::Decimal(_) => Value::Decimal(Default::default()),
        DataType::Boolean => Value::Bool(false),
        DataType::Date(_) => Value::Timestamp(Default::default()),
        DataType::DateOnly => Value::Date(Default::default()),
        DataType::Time => Value::Time(Default::default()),
        DataType::Uuid => Value::Uuid(Default::default()),
        DataType::Json | DataType::Jsonb => Value::Json(Box::default()),
        DataType::Blob | DataType::TinyBlob | DataType::MediumBlob | DataType::LongBlob => {
            Value::Bytes(Vec::new())
        }
        DataType::BinaryString(_) => Value::Bytes(Vec::new()),
        DataType::Enum(values) => values.first().cloned().map_or(Value::Null, Value::Text),
        DataType::Array(_) => Value::Array(Vec::new()),
        _ => Value::Null,
    }
}

/// The error for includes read where they were not loaded.
pub(crate) fn not_included(model: &str, name: &str) -> Error {
    Error::EagerLoading(format!(
        "{model}.{name} was not included: add .include(...) for it to the finder"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_with_nothing_included_share_one_empty_list_until_an_instance_comes() {
        let empty = collection_of::<DynInstance>();
        let name: Arc<str> = Arc::from("posts");
        let (mut first, mut second) = (Loaded::default(), Loaded::default());
        first.include_none(&name, false, &empty);
        second.include_none(&name, false, &empty);
        assert_eq!(
            Arc::strong_count(&empty),
            3,
            "both parents hold the one list"
        );
        assert!(
            first.get_mut("posts").unwrap().is_none(),
            "an empty list has nothing to visit"
        );
        let own = first.entry(&name, false, collection_of::<DynInstance>);
        assert_eq!(own.unwrap().len(), 0);
        assert_eq!(
            Arc::strong_count(&empty),
            2,
            "the first parent has a list of its own"
        );
        let rows = second.rows::<DynInstance>("User", "posts").unwrap();
        assert!(
            rows.is_empty(),
            "the second still reads the association as included"
        );
        assert!(
            first.rows::<DynInstance>("User", "tags").is_err(),
            "not included"
        );
    }
}
