//! `tarn demo`: a deterministic synthetic telemetry lake in Mozilla's layout.
//!
//! ```text
//! telemetry/clients_daily/v6/submission_date=YYYY-MM-DD/part-00000.parquet
//! telemetry/clients_last_seen/v1/submission_date=YYYY-MM-DD/part-00000.parquet
//! telemetry/main_summary/v4/submission_date_s3=YYYYMMDD/sample_id=N/part-00000.parquet
//! telemetry/client_count_daily/v2/submission_date=YYYYMMDD/part-00000.parquet
//! telemetry/clients_daily_hll/v1/submission_date=YYYY-MM-DD/part-00000.parquet
//! ```
//!
//! Clients arrive, churn and are active with weekday effects; `clients_last_seen` is built day
//! by day from `clients_daily` with the shift-and-OR step of the usage-history bit patterns.
//! The same seed writes the same bytes.

mod derived;
mod population;
mod rng;
mod tables;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use arrow::array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

pub use population::{Population, start_date};

use crate::error::{Error, Result};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    /// Client profiles in the population.
    pub clients: usize,
    /// Days of data, starting 2026-01-01.
    pub days: u32,
    /// Seed of every random choice.
    pub seed: u64,
    /// Writer threads. 0: one per core.
    pub threads: usize,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            clients: 60_000,
            days: 42,
            seed: 42,
            threads: 0,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    /// Per table: (path under the lake, rows, files, bytes).
    pub tables: Vec<(String, usize, usize, u64)>,
    pub elapsed: Duration,
}

const SIDECARS: &[(&str, &str)] = &[
    (
        "telemetry/clients_daily/_table.toml",
        r#"description = "One row per client per day it sent telemetry: dimensions and daily usage sums."
retention_days = 730

[columns]
client_id = "Unique identifier of the browser profile."
sample_id = "crc32(client_id) % 100, for sampling."
active_hours_sum = "Hours the user was active that day (from active ticks)."
scalar_parent_browser_engagement_total_uri_count_sum = "Top-level page loads in normal windows."
scalar_parent_browser_engagement_total_uri_count_normal_and_private_mode_sum = "Top-level page loads in normal and private windows."
search_count_all = "Searches from all access points."
active_addons = "Add-on ids active that day."
experiments = "Experiment slug to enrolled branch."
"#,
    ),
    (
        "telemetry/clients_last_seen/_table.toml",
        r#"description = "One row per client seen in the 28 days up to submission_date, with usage-history bit patterns (bit k = active k days before)."

[columns]
days_seen_bits = "Bit k set when the client sent any ping k days before submission_date."
days_active_bits = "Bit k set when active_hours_sum > 0 and a URI was loaded k days before."
days_visited_1_uri_bits = "Bit k set when at least one URI was loaded k days before."
days_interacted_bits = "Bit k set when active_hours_sum > 0 k days before."
days_created_profile_bits = "The profile-creation day as a single bit (first report kept)."
"#,
    ),
    (
        "telemetry/main_summary/_table.toml",
        r#"description = "One row per main ping, partitioned by submission day and sample_id."

[partition_keys]
submission_date_s3 = "string"
sample_id = "bigint"

[columns]
document_id = "Unique id of the ping."
subsession_length = "Seconds covered by this ping."
"#,
    ),
    (
        "telemetry/client_count_daily/_table.toml",
        r#"description = "Mozilla's client_count_daily (deprecated 2019): per submission day, one row per combination of dimensions with an Algebird HyperLogLog of its clients. DAU: cardinality(merge(cast(hll AS HLL)))."

[partition_keys]
submission_date = "string"

[columns]
hll = "Algebird HyperLogLog (12 bits) of client_id, as spark-hyperloglog's hll_merge(hll_create(client_id, 12)) wrote it."
total_uri_count_threshold = "The day's top-level page loads, bucketed: 0, 1, 10, 100 or 1000 and more."

[sketches]
hll = "HLL"
"#,
    ),
    (
        "telemetry/clients_daily_hll/_table.toml",
        r#"description = "Per submission day, one row per country, os, channel and version with a BigQuery HLL_COUNT sketch of its clients. DAU: HLL_COUNT.MERGE(clients_hll)."

[columns]
clients_hll = "HLL_COUNT.INIT(client_id): ZetaSketch HLL++, precision 15."

[sketches]
clients_hll = "ZetaSketch"
"#,
    ),
];

/// Writes a demo lake under `dir`, which must not already hold a `telemetry` namespace.
///
/// The base tables (`clients_daily`, `main_summary`) are generated directly; the derived
/// tables are then built from them the way a pipeline would, with SQL on the staged lake.
///
/// # Errors
/// When `dir/telemetry` exists, or on any I/O, encoding or query failure (naming the file).
pub async fn write_demo(dir: &Path, opts: &DemoOptions) -> Result<DemoSummary> {
    let started = Instant::now();
    let io = |context: String| move |source| Error::Io { context, source };
    let target = dir.join("telemetry");
    if target.exists() {
        return Err(Error::Config {
            key: "demo --dir".into(),
            reason: format!(
                "{} already exists; remove it or choose another directory",
                target.display()
            ),
        });
    }
    if opts.clients == 0 || opts.days == 0 {
        return Err(Error::Config {
            key: "demo".into(),
            reason: "--clients and --days must be at least 1".into(),
        });
    }
    // Written under a hidden staging folder, then moved into place: a reader never sees half.
    let staging = dir.join(format!("_staging_demo_{}", std::process::id()));
    fs::create_dir_all(&staging).map_err(io(format!("cannot create {}", staging.display())))?;
    let pop = Arc::new(Population::generate(
        opts.clients,
        i64::from(opts.days),
        opts.seed,
    ));
    let counters = Arc::new(Counters::default());

    let base = {
        let (pop, counters, root, opts) = (
            Arc::clone(&pop),
            Arc::clone(&counters),
            staging.join("telemetry"),
            *opts,
        );
        tokio::task::spawn_blocking(move || write_base_tables(&root, &pop, &opts, &counters))
    };
    base.await.map_err(|e| Error::Config {
        key: "demo".into(),
        reason: format!("writer failed: {e}"),
    })??;
    derived::write_derived(&staging, &pop, opts, &counters).await?;

    for (path, text) in SIDECARS {
        let p = staging.join(path);
        fs::write(&p, text).map_err(io(format!("cannot write {}", p.display())))?;
    }
    let root = staging.join("telemetry");
    fs::rename(&root, &target).map_err(io(format!(
        "cannot move the demo into {}",
        target.display()
    )))?;
    fs::remove_dir_all(&staging).map_err(io(format!("cannot remove {}", staging.display())))?;
    Ok(DemoSummary {
        tables: counters.tables(),
        elapsed: started.elapsed(),
    })
}

/// `clients_daily` and `main_summary`, one day per task over all cores.
fn write_base_tables(
    root: &Path,
    pop: &Population,
    opts: &DemoOptions,
    counters: &Counters,
) -> Result<()> {
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        opts.threads
    };
    let next_day = AtomicUsize::new(0);
    std::thread::scope(|s| -> Result<()> {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| -> Result<()> {
                    loop {
                        let day = next_day.fetch_add(1, Ordering::Relaxed) as i64;
                        if day >= i64::from(opts.days) {
                            return Ok(());
                        }
                        let active = tables::activity(pop, day, opts.seed);
                        let date = pop.date(day);
                        let batch = tables::clients_daily(pop, day, &active);
                        let part = format!("submission_date={}", date.format("%Y-%m-%d"));
                        counters.add(
                            "telemetry/clients_daily/v6",
                            write_partition(
                                &root.join("clients_daily/v6").join(part),
                                &batch,
                                &["client_id"],
                            )?,
                            batch.num_rows(),
                        );
                        for (sample_id, batch) in tables::main_summary(pop, day, &active, opts.seed)
                        {
                            let part = format!(
                                "submission_date_s3={}/sample_id={sample_id}",
                                date.format("%Y%m%d")
                            );
                            counters.add(
                                "telemetry/main_summary/v4",
                                write_partition(
                                    &root.join("main_summary/v4").join(part),
                                    &batch,
                                    &[],
                                )?,
                                batch.num_rows(),
                            );
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().map_err(|_| Error::Config {
                key: "demo".into(),
                reason: "a writer thread panicked".into(),
            })??;
        }
        Ok(())
    })
}

/// Rows, files and bytes written per table.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    tables: Mutex<BTreeMap<String, (usize, usize, u64)>>,
}

impl Counters {
    pub(crate) fn add(&self, table: &str, bytes: u64, rows: usize) {
        let mut t = self.tables.lock();
        let e = t.entry(table.to_string()).or_default();
        e.0 += rows;
        e.1 += 1;
        e.2 += bytes;
    }

    fn tables(&self) -> Vec<(String, usize, usize, u64)> {
        self.tables
            .lock()
            .iter()
            .map(|(k, (r, f, b))| (k.clone(), *r, *f, *b))
            .collect()
    }
}

/// Writes one partition file (plus Spark's `_SUCCESS` marker) and returns its size.
pub(crate) fn write_partition(
    dir: &Path,
    batch: &RecordBatch,
    bloom_columns: &[&str],
) -> Result<u64> {
    let io = |context: String| move |source| Error::Io { context, source };
    fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
    let path: PathBuf = dir.join("part-00000.parquet");
    let file = fs::File::create(&path).map_err(io(format!("cannot create {}", path.display())))?;
    let mut props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(128 * 1024));
    for c in bloom_columns {
        props = props.set_column_bloom_filter_enabled((*c).into(), true);
    }
    let encode = |e: parquet::errors::ParquetError| Error::Io {
        context: format!("cannot write {}", path.display()),
        source: std::io::Error::other(e),
    };
    let mut writer =
        ArrowWriter::try_new(file, batch.schema(), Some(props.build())).map_err(encode)?;
    writer.write(batch).map_err(encode)?;
    writer.close().map_err(encode)?;
    fs::write(dir.join("_SUCCESS"), b"").map_err(io(format!("cannot write {}", dir.display())))?;
    let size = fs::metadata(&path)
        .map_err(io(format!("cannot stat {}", path.display())))?
        .len();
    Ok(size)
}
