//! Command-line options shared by the commands that open a lake.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use tarn_engine::EngineConfig;
use tarn_engine::config::parse_bytes;

/// Where the lake is and how to run queries on it.
#[derive(Debug, Clone, Args)]
pub(crate) struct LakeArgs {
    /// Lake root: a local path, or a file://, s3://, gs://, az:// or memory:// URL.
    #[arg(long, env = "TARN_LAKE")]
    pub lake: String,

    /// Namespace that unqualified table names resolve in first.
    #[arg(long, env = "TARN_SCHEMA", default_value = "default")]
    pub schema: String,

    /// SQL catalog name of the lake.
    #[arg(long, env = "TARN_CATALOG", default_value = "tarn")]
    pub catalog: String,

    /// Seconds a listing of tables and files is trusted before the lake is listed again.
    #[arg(long, env = "TARN_LISTING_TTL", default_value_t = 10.0)]
    pub listing_ttl: f64,

    /// Memory limit for query execution (e.g. 4G); beyond it operators spill to disk.
    #[arg(long, env = "TARN_MEMORY_LIMIT")]
    pub memory_limit: Option<String>,

    /// Directory for spill files (default: the system temporary directory).
    #[arg(long, env = "TARN_SPILL_DIR")]
    pub spill_dir: Option<PathBuf>,

    /// Memory for cached Parquet footers (e.g. 256M).
    #[arg(long, env = "TARN_METADATA_CACHE", default_value = "256M")]
    pub metadata_cache: String,

    /// Parallelism of a query (default: the number of cores).
    #[arg(long, env = "TARN_TARGET_PARTITIONS")]
    pub target_partitions: Option<usize>,

    /// Object store option KEY=VALUE (e.g. aws_endpoint=http://127.0.0.1:9000); repeatable.
    #[arg(long = "storage-option", value_name = "KEY=VALUE")]
    pub storage_options: Vec<String>,

    /// DataFusion setting KEY=VALUE (e.g. datafusion.execution.batch_size=16384); repeatable.
    #[arg(long = "datafusion-config", value_name = "KEY=VALUE")]
    pub datafusion_config: Vec<String>,
}

impl LakeArgs {
    /// The engine configuration these options describe.
    ///
    /// # Errors
    /// Malformed sizes or KEY=VALUE pairs, naming the option.
    pub(crate) fn engine_config(&self) -> Result<EngineConfig> {
        let mut c = EngineConfig::new(self.lake.clone());
        c.default_schema = self.schema.clone();
        c.catalog = self.catalog.clone();
        c.listing_ttl_secs = self.listing_ttl;
        c.memory_limit = self
            .memory_limit
            .as_deref()
            .map(|m| parse_bytes("--memory-limit", m))
            .transpose()?;
        c.metadata_cache_bytes = parse_bytes("--metadata-cache", &self.metadata_cache)?;
        c.spill_dir = self.spill_dir.clone();
        c.target_partitions = self.target_partitions;
        for kv in &self.storage_options {
            let (k, v) = split_kv("--storage-option", kv)?;
            c.storage_options.insert(k, v);
        }
        for kv in &self.datafusion_config {
            let (k, v) = split_kv("--datafusion-config", kv)?;
            c.datafusion.insert(k, v);
        }
        Ok(c)
    }
}

fn split_kv(option: &str, kv: &str) -> Result<(String, String)> {
    match kv.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => bail!("{option} expects KEY=VALUE, got {kv:?}"),
    }
}
