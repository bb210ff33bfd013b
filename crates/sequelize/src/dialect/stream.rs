//! Row streams: a query's rows handed over in batches while they arrive, so a result of any
//! size is never held whole ([`DriverConnection::stream`](super::DriverConnection::stream)).

#[cfg(any(feature = "postgres", feature = "mysql"))]
use std::sync::Arc;

use futures_util::stream::BoxStream;
#[cfg(any(feature = "postgres", feature = "mysql"))]
use futures_util::{Stream, StreamExt};

use crate::error::Result;
use crate::row::Rows;
#[cfg(any(feature = "postgres", feature = "mysql"))]
use crate::value::Value;

/// The rows of one query, in batches of [`Rows`] that share their column names.
pub type RowStream<'a> = BoxStream<'a, Result<Rows>>;

/// The most rows one batch holds: large enough that the per-batch costs (a channel message,
/// a wake-up) vanish, small enough that a batch of wide rows stays far below a megabyte.
pub(crate) const BATCH_ROWS: usize = 256;

/// Gathers rows decoded one by one into batches of every row already read, up to
/// [`BATCH_ROWS`]: a slow server yields rows one at a time, a fast one full batches, and
/// nothing waits for a batch to fill.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) fn batched<'a>(
    columns: Arc<[String]>,
    rows: impl Stream<Item = Result<Vec<Value>>> + Send + 'a,
) -> RowStream<'a> {
    let width = columns.len();
    rows.ready_chunks(BATCH_ROWS)
        .map(move |chunk| {
            let mut values = Vec::with_capacity(chunk.len() * width);
            for row in chunk {
                values.extend(row?);
            }
            Ok(Rows::from_parts(Arc::clone(&columns), values))
        })
        .boxed()
}
