//! tarn's cross-crate integration tests: one binary, a module per subject.

mod caching;
mod hll;
mod lake_errors;
mod pruning;
mod s3;
mod sketch_partitioning;
mod usage_bits;

use std::sync::Arc;

use arrow::array::RecordBatch;
use tarn_engine::{EngineConfig, Lake};

/// A fixture lake in a temporary directory, opened with `ttl` seconds of listing lifetime.
pub async fn open_fixture(ttl: f64) -> anyhow::Result<(tempfile::TempDir, Arc<Lake>)> {
    let dir = tempfile::tempdir()?;
    tarn_tests::fixture_lake(dir.path())?;
    let mut config = EngineConfig::new(dir.path().to_string_lossy().into_owned());
    config.listing_ttl_secs = ttl;
    config.target_partitions = Some(2);
    let lake = Lake::open(config).await?;
    Ok((dir, lake))
}

/// The single value of a one-row, one-column result, as text.
pub fn scalar(batches: &[RecordBatch]) -> String {
    let rows = tarn_tests::format::rows(batches).expect("formattable");
    assert_eq!(rows.len(), 1, "expected one row, got {rows:?}");
    assert_eq!(rows[0].len(), 1, "expected one column, got {rows:?}");
    rows[0][0].clone()
}
