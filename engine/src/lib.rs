//! tarn-engine: the lake catalog over Hive-partitioned Parquet, and SQL sessions on it.
//!
//! 1. [`store`]: the object store behind a lake root (local, S3, GCS, Azure, memory), with
//!    read counters.
//! 2. [`catalog`]: namespaces and tables discovered from folders, typed partitions, merged
//!    schemas, sidecar docs and bounded listing caches.
//! 3. [`table`]: the SQL table over a listing, pruning partitions before files are opened.
//! 4. [`session`]: opening a lake and running SQL with tarn's functions registered.
//!
//! ```no_run
//! # async fn demo() -> Result<(), tarn_engine::Error> {
//! use tarn_engine::{EngineConfig, Lake};
//! let lake = Lake::open(EngineConfig::new("/data/lake")).await?;
//! let session = lake.session()?;
//! let batches = session
//!     .collect("SELECT country, count(*) FROM telemetry.clients_daily GROUP BY 1")
//!     .await?;
//! # Ok(()) }
//! ```

pub mod catalog;
pub mod config;
pub mod demo;
pub mod dialect;
pub mod error;
pub mod prune;
pub mod scan;
pub mod session;
pub mod store;
pub mod table;

pub use catalog::Lake;
pub use config::EngineConfig;
pub use error::{Error, Result};
pub use session::{Session, SessionOptions};
