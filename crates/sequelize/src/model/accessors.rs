//! Virtual attributes and setters of models defined at run time (Sequelize's
//! `DataTypes.VIRTUAL` with `get()`, and `set(value)`). A derived model has them as
//! `#[attr(virtual(get = …))]` and `#[attr(set = …)]` fields instead.

use std::fmt;
use std::sync::{Arc, RwLock};

use super::dynamic::DynInstance;
use crate::error::Result;
use crate::value::Value;

/// A virtual attribute's getter: its value, computed from the instance.
pub(crate) type Getter = Arc<dyn Fn(&DynInstance) -> Result<Value> + Send + Sync>;

/// A setter (the value stored for the one assigned) or a getter (the value held for the one
/// read).
pub(crate) type Setter = Arc<dyn Fn(Value) -> Result<Value> + Send + Sync>;

/// A virtual attribute: not stored, computed when read.
#[derive(Clone)]
pub(crate) struct Virtual {
    /// Its name.
    pub(crate) name: String,
    /// The attributes it reads, read with it when a finder names it.
    pub(crate) depends: Vec<String>,
    /// How it is computed.
    pub(crate) get: Getter,
}

/// The virtual attributes, setters and getters of one dynamic model.
#[derive(Default)]
pub(crate) struct Accessors {
    virtuals: RwLock<Vec<Virtual>>,
    /// Setters by attribute position.
    setters: RwLock<Vec<(usize, Setter)>>,
    /// Getters (transforms of a value as it is read) by attribute position.
    getters: RwLock<Vec<(usize, Setter)>>,
}

impl fmt::Debug for Accessors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let virtuals = self.virtuals.read().unwrap_or_else(|e| e.into_inner());
        f.debug_list()
            .entries(virtuals.iter().map(|v| &v.name))
            .finish()
    }
}

impl Accessors {
    /// Adds (or replaces) a virtual attribute.
    pub(crate) fn add_virtual(&self, added: Virtual) {
        let mut virtuals = self.virtuals.write().unwrap_or_else(|e| e.into_inner());
        virtuals.retain(|v| v.name != added.name);
        virtuals.push(added);
    }

    /// The virtual attributes, in the order added.
    pub(crate) fn virtuals(&self) -> Vec<Virtual> {
        self.virtuals
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The virtual attribute of this name.
    pub(crate) fn virtual_named(&self, name: &str) -> Option<Virtual> {
        (self.virtuals.read().unwrap_or_else(|e| e.into_inner()))
            .iter()
            .find(|v| v.name == name)
            .cloned()
    }

    /// Sets (or replaces) the setter of the attribute at `index`.
    pub(crate) fn add_setter(&self, index: usize, setter: Setter) {
        replace(&self.setters, index, setter);
    }

    /// Sets (or replaces) the getter of the attribute at `index`.
    pub(crate) fn add_getter(&self, index: usize, getter: Setter) {
        replace(&self.getters, index, getter);
    }

    /// The value stored for `value` assigned to the attribute at `index`.
    pub(crate) fn assigned(&self, index: usize, value: Value) -> Result<Value> {
        transformed(&self.setters, index, value)
    }

    /// The value an instance holds for `value` read from the attribute's column.
    pub(crate) fn read(&self, index: usize, value: Value) -> Result<Value> {
        transformed(&self.getters, index, value)
    }
}

/// Sets the transform of the attribute at `index`, replacing the one it had.
fn replace(transforms: &RwLock<Vec<(usize, Setter)>>, index: usize, transform: Setter) {
    let mut transforms = transforms.write().unwrap_or_else(|e| e.into_inner());
    transforms.retain(|(i, _)| *i != index);
    transforms.push((index, transform));
}

/// `value` through the transform of the attribute at `index`, if it has one.
fn transformed(
    transforms: &RwLock<Vec<(usize, Setter)>>,
    index: usize,
    value: Value,
) -> Result<Value> {
    let transform = (transforms.read().unwrap_or_else(|e| e.into_inner()))
        .iter()
        .find(|(i, _)| *i == index)
        .map(|(_, t)| Arc::clone(t));
    match transform {
        Some(apply) => apply(value),
        None => Ok(value),
    }
}
