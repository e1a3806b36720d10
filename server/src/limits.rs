//! Query limits and the life of a result stream: admission (a cap on concurrent queries),
//! statement timeout, cancellation by `CancelFlightInfo`, and one log line per call with its
//! query id, statement kind, rows, bytes and duration.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use arrow_flight::error::FlightError;
use datafusion::execution::SendableRecordBatchStream;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use parking_lot::Mutex;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tonic::Status;

use crate::status::datafusion_status;
use crate::wire::to_wire;

/// Server-wide query limits.
#[derive(Debug)]
pub(crate) struct Limits {
    permits: Arc<Semaphore>,
    max: usize,
    timeout: Option<Duration>,
    running: Mutex<HashMap<String, Vec<Arc<Notify>>>>,
}

impl Limits {
    pub(crate) fn new(max_concurrent: usize, timeout: Option<Duration>) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            max: max_concurrent.max(1),
            timeout,
            running: Mutex::new(HashMap::new()),
        }
    }

    /// A slot for one running query.
    ///
    /// # Errors
    /// `RESOURCE_EXHAUSTED` when the cap is reached.
    pub(crate) fn admit(&self) -> Result<OwnedSemaphorePermit, Status> {
        Arc::clone(&self.permits).try_acquire_owned().map_err(|_| {
            Status::resource_exhausted(format!(
                "the server is running its maximum of {} concurrent queries; retry later",
                self.max
            ))
        })
    }

    /// Cancels every running stream of a query; returns whether any was running.
    pub(crate) fn cancel(&self, query_id: &str) -> bool {
        match self.running.lock().remove(query_id) {
            Some(notifies) => {
                for n in notifies {
                    n.notify_one();
                }
                true
            }
            None => false,
        }
    }

    fn register(&self, query_id: &str) -> Arc<Notify> {
        let n = Arc::new(Notify::new());
        self.running
            .lock()
            .entry(query_id.to_string())
            .or_default()
            .push(Arc::clone(&n));
        n
    }

    fn unregister(&self, query_id: &str, n: &Arc<Notify>) {
        let mut running = self.running.lock();
        if let Some(list) = running.get_mut(query_id) {
            list.retain(|x| !Arc::ptr_eq(x, n));
            if list.is_empty() {
                running.remove(query_id);
            }
        }
    }
}

/// What is logged about one call when it ends (or is dropped).
#[derive(Debug)]
pub(crate) struct CallLog {
    pub(crate) query_id: String,
    pub(crate) kind: &'static str,
    pub(crate) user: String,
    started: Instant,
    pub(crate) rows: u64,
    pub(crate) bytes: u64,
    pub(crate) outcome: &'static str,
}

impl CallLog {
    pub(crate) fn new(
        query_id: impl Into<String>,
        kind: &'static str,
        user: impl Into<String>,
    ) -> Self {
        Self {
            query_id: query_id.into(),
            kind,
            user: user.into(),
            started: Instant::now(),
            rows: 0,
            bytes: 0,
            outcome: "dropped",
        }
    }
}

impl Drop for CallLog {
    fn drop(&mut self) {
        tracing::info!(
            query_id = %self.query_id,
            kind = self.kind,
            user = %self.user,
            rows = self.rows,
            bytes = self.bytes,
            duration_ms = self.started.elapsed().as_secs_f64() * 1000.0,
            outcome = self.outcome,
            "call"
        );
    }
}

struct State {
    inner: SendableRecordBatchStream,
    schema: SchemaRef,
    deadline: Option<tokio::time::Instant>,
    cancel: Arc<Notify>,
    limits: Arc<Limits>,
    log: CallLog,
    _permit: OwnedSemaphorePermit,
    done: bool,
}

impl Drop for State {
    fn drop(&mut self) {
        self.limits.unregister(&self.log.query_id, &self.cancel);
    }
}

/// Wraps a query's batches: casts them to the wire schema, stops at the statement timeout or
/// on cancellation (with an error, so a client never takes a cut result as complete), counts
/// rows and bytes for the log, and holds the admission slot until the stream ends or is
/// dropped (dropping it stops the query).
pub(crate) fn result_stream(
    inner: SendableRecordBatchStream,
    schema: SchemaRef,
    limits: Arc<Limits>,
    permit: OwnedSemaphorePermit,
    log: CallLog,
) -> BoxStream<'static, Result<RecordBatch, FlightError>> {
    let cancel = limits.register(&log.query_id);
    let deadline = limits.timeout.map(|t| tokio::time::Instant::now() + t);
    let state = State {
        inner,
        schema,
        deadline,
        cancel,
        limits,
        log,
        _permit: permit,
        done: false,
    };
    futures::stream::unfold(state, |mut st| async move {
        if st.done {
            return None;
        }
        let next = st.inner.next();
        let cancelled = st.cancel.notified();
        let timeout = async {
            match st.deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => futures::future::pending::<()>().await,
            }
        };
        let item = tokio::select! {
            item = next => item.map(|r| r.map_err(|e| datafusion_status(&e))),
            _ = cancelled => {
                st.log.outcome = "cancelled";
                Some(Err(Status::cancelled(format!("query {} was cancelled", st.log.query_id))))
            }
            _ = timeout.fuse() => {
                st.log.outcome = "timeout";
                Some(Err(Status::deadline_exceeded(format!(
                    "query {} exceeded the statement timeout of {:?}",
                    st.log.query_id,
                    st.limits.timeout.unwrap_or_default()
                ))))
            }
        };
        match item {
            None => {
                st.log.outcome = "ok";
                drop(st); // logs the call
                None
            }
            Some(Ok(batch)) => {
                let out = to_wire(&batch, &st.schema)
                    .map_err(|e| Status::internal(format!("cannot send a result batch: {e}")));
                if let Ok(b) = &out {
                    st.log.rows += b.num_rows() as u64;
                    st.log.bytes += b.get_array_memory_size() as u64;
                } else {
                    st.done = true;
                    st.log.outcome = "error";
                }
                Some((out.map_err(|s| FlightError::Tonic(Box::new(s))), st))
            }
            Some(Err(status)) => {
                if st.log.outcome == "dropped" {
                    st.log.outcome = "error";
                }
                st.done = true;
                Some((Err(FlightError::Tonic(Box::new(status))), st))
            }
        }
    })
    .boxed()
}
