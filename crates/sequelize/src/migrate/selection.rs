//! Which migrations a run applies or reverts: umzug's `up`/`down` options, as sequelize-cli's
//! `db:migrate`, `db:migrate:undo` and `db:migrate:undo:all` pass them.

use crate::error::{Error, Result};

/// The pending migrations [`Migrator::up_with`](super::Migrator::up_with) applies: all of
/// them by default, in name order.
///
/// ```
/// use sequelize::migrate::Up;
/// let known = ["1-a.json", "2-b.json", "3-c.json", "4-d.json"].map(String::from);
/// let executed = ["1-a.json".to_owned()];
/// assert_eq!(Up::all().select(&known, &executed).unwrap(), ["2-b.json", "3-c.json", "4-d.json"]);
/// assert_eq!(Up::all().to("3-c.json").select(&known, &executed).unwrap(), ["2-b.json", "3-c.json"]);
/// assert_eq!(Up::all().from("2-b.json").select(&known, &executed).unwrap(), ["3-c.json", "4-d.json"]);
/// assert_eq!(Up::all().step(1).select(&known, &executed).unwrap(), ["2-b.json"]);
/// assert_eq!(Up::all().only("4-d.json").select(&known, &executed).unwrap(), ["4-d.json"]);
/// assert!(Up::all().only("1-a.json").select(&known, &executed).is_err()); // not pending
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Up {
    to: Option<String>,
    from: Option<String>,
    names: Vec<String>,
    step: Option<usize>,
}

impl Up {
    /// Every pending migration.
    pub fn all() -> Self {
        Up::default()
    }

    /// Up to and including this one (`--to`); nothing when it is not pending, as
    /// sequelize-cli does ("No migrations were executed").
    pub fn to(mut self, name: impl Into<String>) -> Self {
        self.to = Some(name.into());
        self
    }

    /// Those after this one, which itself is not run (`--from`).
    pub fn from(mut self, name: impl Into<String>) -> Self {
        self.from = Some(name.into());
        self
    }

    /// Only this one, which must be pending (`--name`); call again for more, run in the
    /// order given.
    pub fn only(mut self, name: impl Into<String>) -> Self {
        self.names.push(name.into());
        self
    }

    /// At most this many (umzug's `step`).
    pub fn step(mut self, count: usize) -> Self {
        self.step = Some(count);
        self
    }

    /// The names this selects among the `known` migrations (in name order) given the
    /// `executed` ones.
    pub fn select(&self, known: &[String], executed: &[String]) -> Result<Vec<String>> {
        let pending = pending(known, executed);
        if !self.names.is_empty() {
            for name in &self.names {
                find(known, name)?;
                if !pending.contains(name) {
                    return Err(Error::Config(format!("migration {name} is not pending")));
                }
            }
            return Ok(self.names.clone());
        }
        let mut chosen: Vec<String> = match &self.from {
            Some(from) => {
                let after = find(known, from)? + 1;
                let later = &known[after..];
                pending.into_iter().filter(|p| later.contains(p)).collect()
            }
            None => pending,
        };
        if let Some(to) = &self.to {
            find(known, to)?;
            match chosen.iter().position(|p| p == to) {
                Some(at) => chosen.truncate(at + 1),
                None => chosen.clear(),
            }
        }
        if let Some(step) = self.step {
            chosen.truncate(step);
        }
        Ok(chosen)
    }
}

/// The applied migrations [`Migrator::down_with`](super::Migrator::down_with) reverts, newest
/// first: the last one by default.
///
/// ```
/// use sequelize::migrate::Down;
/// let executed = ["1-a.json", "2-b.json", "3-c.json"].map(String::from);
/// assert_eq!(Down::last().select(&executed).unwrap(), ["3-c.json"]);
/// assert_eq!(Down::all().select(&executed).unwrap(), ["3-c.json", "2-b.json", "1-a.json"]);
/// assert_eq!(Down::all().to("2-b.json").select(&executed).unwrap(), ["3-c.json", "2-b.json"]);
/// assert_eq!(Down::last().step(2).select(&executed).unwrap(), ["3-c.json", "2-b.json"]);
/// assert_eq!(Down::last().only("1-a.json").select(&executed).unwrap(), ["1-a.json"]);
/// assert!(Down::all().to("9-z.json").select(&executed).is_err()); // not applied
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Down {
    all: bool,
    to: Option<String>,
    names: Vec<String>,
    step: Option<usize>,
}

impl Down {
    /// The last applied migration (`db:migrate:undo`).
    pub fn last() -> Self {
        Down::default()
    }

    /// Every applied migration (`db:migrate:undo:all`).
    pub fn all() -> Self {
        Down {
            all: true,
            ..Down::default()
        }
    }

    /// Down to and including this one, which must be applied (`db:migrate:undo:all --to`).
    pub fn to(mut self, name: impl Into<String>) -> Self {
        self.all = true;
        self.to = Some(name.into());
        self
    }

    /// Only this one, which must be applied (`db:migrate:undo --name`); call again for more,
    /// reverted in the order given.
    pub fn only(mut self, name: impl Into<String>) -> Self {
        self.names.push(name.into());
        self
    }

    /// The newest this many (umzug's `step`).
    pub fn step(mut self, count: usize) -> Self {
        self.all = true;
        self.step = Some(count);
        self
    }

    /// The names this selects among the `executed` migrations (in name order).
    pub fn select(&self, executed: &[String]) -> Result<Vec<String>> {
        let not_applied = |name: &str| Error::Config(format!("migration {name} is not applied"));
        if !self.names.is_empty() {
            if let Some(name) = self.names.iter().find(|n| !executed.contains(n)) {
                return Err(not_applied(name));
            }
            return Ok(self.names.clone());
        }
        let mut newest_first: Vec<String> = executed.iter().rev().cloned().collect();
        if !self.all {
            newest_first.truncate(1);
        }
        if let Some(to) = &self.to {
            let at = newest_first
                .iter()
                .position(|e| e == to)
                .ok_or_else(|| not_applied(to))?;
            newest_first.truncate(at + 1);
        }
        if let Some(step) = self.step {
            newest_first.truncate(step);
        }
        Ok(newest_first)
    }
}

/// The `known` migrations not in `executed`, in the order known.
pub(super) fn pending(known: &[String], executed: &[String]) -> Vec<String> {
    known
        .iter()
        .filter(|n| !executed.contains(n))
        .cloned()
        .collect()
}

/// Where `name` is among the known migrations.
fn find(known: &[String], name: &str) -> Result<usize> {
    known
        .iter()
        .position(|k| k == name)
        .ok_or_else(|| Error::Config(format!("migration file {name} was not found")))
}
