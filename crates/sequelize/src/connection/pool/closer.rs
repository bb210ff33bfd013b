//! The [`Closer`]: closes the connections the pool lets go when there are disconnect hooks
//! to run around the close.

use std::sync::{Arc, Mutex, PoisonError};

use tokio_util::task::TaskTracker;

use crate::connection::hooks::ConnectionHooks;
use crate::dialect::DriverConnection;
use crate::error::{Error, Result};

/// Closes the connections the pool lets go, between the `beforeDisconnect` and
/// `afterDisconnect` hooks, each on a task that [`Closer::finish`] waits for.
pub(crate) struct Closer {
    hooks: ConnectionHooks,
    tasks: TaskTracker,
    /// The first error of a disconnect hook or of a close, for [`Closer::finish`] to report.
    first_error: Mutex<Option<Error>>,
}

impl Closer {
    /// A closer when `hooks` has disconnect hooks to run; none otherwise (connections are
    /// then closed by dropping them, at no cost).
    pub(crate) fn for_hooks(hooks: &ConnectionHooks) -> Option<Arc<Closer>> {
        let needed = !hooks.before_disconnect.is_empty() || !hooks.after_disconnect.is_empty();
        needed.then(|| {
            Arc::new(Closer {
                hooks: hooks.clone(),
                tasks: TaskTracker::new(),
                first_error: Mutex::new(None),
            })
        })
    }

    /// Closes `driver` on a task of the current runtime; without one (the runtime is gone),
    /// it is dropped and no hook runs.
    pub(super) fn close(self: Arc<Self>, driver: Box<dyn DriverConnection>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let tasks = self.tasks.clone();
        tasks.spawn_on(
            async move {
                if let Err(e) = self.disconnect(driver).await {
                    let mut first = self
                        .first_error
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    first.get_or_insert(e);
                }
            },
            &runtime,
        );
    }

    /// The `beforeDisconnect` hooks, the close, then the `afterDisconnect` hooks. The
    /// connection is closed even when a hook before fails; the first error is returned.
    async fn disconnect(&self, mut driver: Box<dyn DriverConnection>) -> Result<()> {
        let mut before = Ok(());
        for (_, hook) in &self.hooks.before_disconnect {
            before = hook(driver.as_mut()).await;
            if before.is_err() {
                break;
            }
        }
        driver.close().await;
        let mut after = Ok(());
        for (_, hook) in &self.hooks.after_disconnect {
            after = after.and(hook().await);
        }
        before.and(after)
    }

    /// Waits until every connection handed over so far is closed and its hooks have run;
    /// the first error any of them met (since the last call) is returned.
    pub(crate) async fn finish(&self) -> Result<()> {
        self.tasks.close();
        self.tasks.wait().await;
        self.tasks.reopen();
        let first = self
            .first_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        first.map_or(Ok(()), Err)
    }
}
