//! Engine settings: where the lake is and how much of the machine a session may use.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Settings of an opened lake, shared by every session on it.
///
/// Front ends (the `tarn` command, the server, Python) build one of these from their own
/// options; nothing else in the engine reads the environment, except the object store builders
/// reading the cloud providers' usual credential variables.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct EngineConfig {
    /// The lake root: a local path, or a `file://`, `s3://`, `gs://`, `az://` or `memory://` URL.
    pub root: String,
    /// Object store options (object_store's keys, e.g. `aws_endpoint`, `aws_region`,
    /// `aws_allow_http`), applied over the environment's.
    pub storage_options: BTreeMap<String, String>,
    /// The SQL catalog name of the lake.
    pub catalog: String,
    /// The namespace unqualified table names resolve in first (`--schema`). Default `default`.
    pub default_schema: String,
    /// How long a table listing (and the list of tables) is trusted before it is listed again,
    /// in seconds. 0 lists on every statement.
    pub listing_ttl_secs: f64,
    /// The most data files kept in listing caches across all tables; least recently used
    /// tables are forgotten beyond it.
    pub listing_cache_max_files: usize,
    /// Memory for cached Parquet footers and page indexes, in bytes.
    pub metadata_cache_bytes: usize,
    /// Memory limit for query execution in bytes (sorts, joins and aggregations spill to disk
    /// beyond it). `None`: unlimited.
    pub memory_limit: Option<usize>,
    /// Where spill files go. `None`: the system temporary directory.
    pub spill_dir: Option<PathBuf>,
    /// Upper bound on spill files on disk, in bytes.
    pub max_spill_bytes: u64,
    /// Parallelism of a query. `None`: the number of CPU cores.
    pub target_partitions: Option<usize>,
    /// Extra DataFusion settings (`datafusion.execution.batch_size` = `8192`, …), applied to
    /// every session; unknown keys are errors.
    pub datafusion: BTreeMap<String, String>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            root: ".".to_string(),
            storage_options: BTreeMap::new(),
            catalog: "tarn".to_string(),
            default_schema: "default".to_string(),
            listing_ttl_secs: 10.0,
            listing_cache_max_files: 2_000_000,
            metadata_cache_bytes: 256 * 1024 * 1024,
            memory_limit: None,
            spill_dir: None,
            max_spill_bytes: 100 * 1024 * 1024 * 1024,
            target_partitions: None,
            datafusion: BTreeMap::new(),
        }
    }
}

impl EngineConfig {
    /// A default configuration for the lake at `root`.
    pub fn new(root: impl Into<String>) -> Self {
        Self {
            root: root.into(),
            ..Self::default()
        }
    }

    /// The listing lifetime as a [`Duration`].
    pub fn listing_ttl(&self) -> Duration {
        Duration::from_secs_f64(self.listing_ttl_secs.max(0.0))
    }

    /// Checks values that serde cannot.
    ///
    /// # Errors
    /// [`Error::Config`] naming the setting.
    pub fn validate(&self) -> Result<()> {
        let bad = |key: &str, reason: &str| {
            Err(Error::Config {
                key: key.to_string(),
                reason: reason.to_string(),
            })
        };
        if !self.listing_ttl_secs.is_finite() || self.listing_ttl_secs < 0.0 {
            return bad(
                "listing_ttl_secs",
                "must be a non-negative number of seconds",
            );
        }
        if self.catalog.is_empty() {
            return bad("catalog", "must not be empty");
        }
        if self.default_schema.is_empty() {
            return bad("default_schema", "must not be empty");
        }
        if self.target_partitions == Some(0) {
            return bad("target_partitions", "must be at least 1");
        }
        if self.memory_limit == Some(0) {
            return bad("memory_limit", "must be more than 0 bytes");
        }
        Ok(())
    }
}

/// Parses a byte size such as `512M`, `4GiB`, `1.5g` or `1048576`.
///
/// # Errors
/// [`Error::Config`] naming `key` when `text` is not a size.
pub fn parse_bytes(key: &str, text: &str) -> Result<usize> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => {
            return Err(Error::Config {
                key: key.to_string(),
                reason: format!("{text:?} is not a size (use e.g. 512M or 4G)"),
            });
        }
    };
    match num.parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Ok((n * mult) as usize),
        _ => Err(Error::Config {
            key: key.to_string(),
            reason: format!("{text:?} is not a size (use e.g. 512M or 4G)"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_bytes("m", "1024").unwrap(), 1024);
        assert_eq!(parse_bytes("m", "512M").unwrap(), 512 << 20);
        assert_eq!(parse_bytes("m", "4GiB").unwrap(), 4 << 30);
        assert_eq!(parse_bytes("m", "1.5g").unwrap(), 3 << 29);
        let err = parse_bytes("memory_limit", "lots").unwrap_err().to_string();
        assert!(
            err.contains("memory_limit") && err.contains("lots"),
            "{err}"
        );
    }

    #[test]
    fn config_is_checked() {
        let mut c = EngineConfig::new("/tmp");
        assert!(c.validate().is_ok());
        c.listing_ttl_secs = -1.0;
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("listing_ttl_secs")
        );
        let err = toml::from_str::<EngineConfig>("rooot = '/x'")
            .unwrap_err()
            .to_string();
        assert!(err.contains("rooot"), "{err}");
    }
}
