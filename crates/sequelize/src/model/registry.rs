//! The models defined on a Sequelize instance, and `sync`.

use std::marker::PhantomData;
use std::sync::{Arc, RwLock};

use super::definition::ModelDefinition;
use super::Model;
use crate::connection::Sequelize;
use crate::error::Result;
use crate::sql::{CreateTable, DropTable, Statement};

/// The models defined on one [`Sequelize`] instance, in definition order.
#[derive(Debug, Default)]
pub struct Registry {
    models: RwLock<Vec<Arc<ModelDefinition>>>,
}

impl Registry {
    fn add(&self, definition: &ModelDefinition) {
        let mut models = self.models.write().unwrap_or_else(|e| e.into_inner());
        if !models.iter().any(|m| m.name == definition.name) {
            models.push(Arc::new(definition.clone()));
        }
    }

    fn all(&self) -> Vec<Arc<ModelDefinition>> {
        self.models
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn contains(&self, name: &str) -> bool {
        self.models
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|m| m.name == name)
    }
}

/// Registers a model on a Sequelize instance; see [`Sequelize::define`]. Later issues add
/// hooks, scopes and associations here, before [`register`](Self::register).
#[must_use = "call register() to define the model"]
pub struct ModelRegistration<'a, M: Model> {
    db: &'a Sequelize,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> ModelRegistration<'_, M> {
    /// Defines the model on the instance.
    pub fn register(self) -> Result<()> {
        self.db.models().add(M::definition());
        Ok(())
    }
}

/// Options of [`Sequelize::sync`].
///
/// ```
/// let recreate = sequelize::SyncOptions { force: true };
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncOptions {
    /// Drop each table first (`force: true`).
    pub force: bool,
}

impl Sequelize {
    /// Starts defining a model on this instance (`sequelize.define` / `Model.init`).
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// struct Tag { id: i64, name: String }
    /// # let db = Sequelize::new(Options { url: Some("sqlite::memory:".into()), ..Default::default() }).unwrap();
    /// db.define::<Tag>().register().unwrap();
    /// assert!(db.is_defined("Tag"));
    /// ```
    pub fn define<M: Model>(&self) -> ModelRegistration<'_, M> {
        ModelRegistration {
            db: self,
            _model: PhantomData,
        }
    }

    /// Whether a model of that name was defined (`sequelize.isDefined`).
    pub fn is_defined(&self, name: &str) -> bool {
        self.models().contains(name)
    }

    /// Creates the tables of every defined model that do not exist yet (`sequelize.sync()`);
    /// with `force`, drops and recreates them.
    pub async fn sync(&self, options: SyncOptions) -> Result<()> {
        for def in self.models().all() {
            let mut statements = Vec::with_capacity(2);
            if options.force {
                statements.push(Statement::DropTable(DropTable {
                    name: def.table_name.clone().into(),
                    if_exists: true,
                }));
            }
            statements.push(Statement::CreateTable(CreateTable {
                name: def.table_name.clone().into(),
                columns: def.attributes.iter().map(|a| a.column_def()).collect(),
                if_not_exists: true,
            }));
            for statement in &statements {
                super::run(self, statement).await?;
            }
        }
        Ok(())
    }
}
