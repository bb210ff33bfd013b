//! Streaming a query's rows off the runtime's workers.
//!
//! A statement holds a borrow of its connection and cannot cross an `await` on a Tokio worker
//! (rusqlite's statements are not `Send`), so a stream cannot step it between polls there.
//! Instead the connection is lent to a blocking thread ([`tokio::task::spawn_blocking`]) that
//! steps the statement and sends batches of rows through a channel of two batches: the thread
//! waits while the consumer is behind, so memory stays bounded by the batches in flight. The
//! thread hands the connection back when the rows end; when the stream is dropped early it
//! interrupts the statement (`sqlite3_interrupt`) and waits the moment it takes for the
//! connection to come back, so the connection is never lost and never left mid-statement.

use std::pin::Pin;
use std::sync::{mpsc as sync_channel, Arc};
use std::task::{Context, Poll};

use futures_util::Stream;
use rusqlite::{Connection, InterruptHandle};
use tokio::sync::mpsc;

use super::driver::{bound, decode};
use super::lock_wait::{self, Failure};
use crate::dialect::{TimeZone, BATCH_ROWS};
use crate::error::{Error, Result};
use crate::row::Rows;
use crate::value::Value;

/// How many batches the thread may read ahead of the consumer.
const BATCHES_AHEAD: usize = 2;

/// The rows of one query, read by a blocking thread that holds the connection meanwhile.
pub(super) struct Lent<'a> {
    /// Where the connection lives when it is not lent; `None` while it is.
    home: &'a mut Option<Connection>,
    batches: mpsc::Receiver<Result<Rows>>,
    back: sync_channel::Receiver<Connection>,
    interrupt: InterruptHandle,
}

impl<'a> Lent<'a> {
    /// Lends the connection in `home` to a thread that runs `sql` and reads its rows.
    pub(super) fn start(
        home: &'a mut Option<Connection>,
        sql: &str,
        params: &[Value],
        zone: TimeZone,
    ) -> Result<Self> {
        let conn = home.take().ok_or_else(lost)?;
        let interrupt = conn.get_interrupt_handle();
        let (sender, batches) = mpsc::channel(BATCHES_AHEAD);
        let (give_back, back) = sync_channel::sync_channel(1);
        let (sql, params) = (sql.to_owned(), params.to_vec());
        tokio::task::spawn_blocking(move || {
            let mut sent_any = false;
            // Waiting for another connection's lock is safe only before any row went out.
            let outcome = lock_wait::retry_blocking(|| {
                send_rows(&conn, &sql, &params, zone, &sender, &mut sent_any).map_err(|e| {
                    if sent_any {
                        e
                    } else {
                        e.or_lock_wait(&conn)
                    }
                })
            });
            if let Err(e) = outcome {
                let _ = sender.blocking_send(Err(e));
            }
            // The connection goes back before the channel closes: whoever sees the end of
            // the rows finds it waiting.
            let _ = give_back.send(conn);
            drop(sender);
        });
        Ok(Lent {
            home,
            batches,
            back,
            interrupt,
        })
    }

    /// Puts the connection back where it lives, waiting for the thread to let it go.
    fn reclaim(&mut self) {
        if self.home.is_none() {
            if let Ok(conn) = self.back.recv() {
                *self.home = Some(conn);
            }
        }
    }
}

impl Stream for Lent<'_> {
    type Item = Result<Rows>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.batches.poll_recv(cx);
        if let Poll::Ready(None) = polled {
            self.reclaim();
        }
        polled
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if self.home.is_some() {
            return;
        }
        // Stop the thread: its next send fails, and a step in progress ends at once.
        self.batches.close();
        self.interrupt.interrupt();
        self.reclaim();
    }
}

/// Runs the statement and sends its rows in batches; stops quietly when nobody listens.
fn send_rows(
    conn: &Connection,
    sql: &str,
    params: &[Value],
    zone: TimeZone,
    out: &mpsc::Sender<Result<Rows>>,
    sent_any: &mut bool,
) -> std::result::Result<(), Failure> {
    let mut stmt = bound(conn, sql, params, zone)?;
    let columns: Arc<[String]> = stmt.column_names().map(str::to_owned).collect();
    let width = columns.len();
    let mut rows = stmt.raw_query();
    let mut values = Vec::with_capacity(width * BATCH_ROWS);
    let mut send = |values: Vec<Value>| {
        *sent_any = true;
        out.blocking_send(Ok(Rows::from_parts(Arc::clone(&columns), values)))
            .is_ok()
    };
    while let Some(row) = rows.next()? {
        for i in 0..width {
            values.push(decode(row.get_ref(i)?)?);
        }
        if values.len() == width * BATCH_ROWS {
            let full = std::mem::replace(&mut values, Vec::with_capacity(width * BATCH_ROWS));
            if !send(full) {
                return Ok(());
            }
        }
    }
    if !values.is_empty() {
        send(values);
    }
    Ok(())
}

/// The error when the connection is gone: a stream that borrowed it was leaked
/// (`std::mem::forget`) instead of dropped.
pub(super) fn lost() -> Error {
    Error::Connection(
        "this SQLite connection was lent to a row stream that was never dropped, so it is \
         closed"
            .into(),
    )
}
