//! The demo's derived tables, built from the base tables once those are on disk.
//!
//! A [`DerivedContext`] opens the staged lake with the engine (listing TTL 0, so each day's
//! output is visible to the next day's query) and writes each derived table partition by
//! partition, with the same deterministic file names as the base tables.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::RecordBatch;

use super::population::Population;
use super::{Counters, DemoOptions, tables, write_partition};
use crate::config::EngineConfig;
use crate::error::Result;
use crate::{Lake, Session};

/// What a derived-table builder gets.
#[derive(Debug)]
pub(crate) struct DerivedContext<'a> {
    /// The staged lake root (holding `telemetry/`).
    pub(crate) root: PathBuf,
    /// A session on the staged lake, with tarn's functions; default namespace `telemetry`.
    pub(crate) session: Session,
    pub(crate) pop: &'a Population,
    pub(crate) opts: &'a DemoOptions,
    counters: &'a Counters,
}

impl DerivedContext<'_> {
    /// Writes one partition of `table` (a path such as `telemetry/x/v1`) and counts it.
    pub(crate) fn write(
        &self,
        table: &str,
        partition: &str,
        batch: &RecordBatch,
        bloom: &[&str],
    ) -> Result<()> {
        let dir = self.root.join(table).join(partition);
        let bytes = write_partition(&dir, batch, bloom)?;
        self.counters.add(table, bytes, batch.num_rows());
        Ok(())
    }
}

/// Builds every derived table under `staging`.
pub(super) async fn write_derived(
    staging: &Path,
    pop: &Population,
    opts: &DemoOptions,
    counters: &Counters,
) -> Result<()> {
    let mut config = EngineConfig::new(staging.to_string_lossy().into_owned());
    config.listing_ttl_secs = 0.0;
    config.default_schema = "telemetry".to_string();
    let lake: Arc<Lake> = Lake::open(config).await?;
    let cx = DerivedContext {
        root: staging.to_path_buf(),
        session: lake.session()?,
        pop,
        opts,
        counters,
    };
    clients_last_seen(&cx).await?;
    Ok(())
}

/// `telemetry.clients_last_seen_v1`, day by day (bits28.md §3.3).
async fn clients_last_seen(cx: &DerivedContext<'_>) -> Result<()> {
    let mut state = HashMap::new();
    for day in 0..i64::from(cx.opts.days) {
        let active = tables::activity(cx.pop, day, cx.opts.seed);
        state = tables::advance_last_seen(cx.pop, day, &state, &active);
        let batch = tables::clients_last_seen(cx.pop, &state);
        let part = format!("submission_date={}", cx.pop.date(day).format("%Y-%m-%d"));
        cx.write(
            "telemetry/clients_last_seen/v1",
            &part,
            &batch,
            &["client_id"],
        )?;
    }
    // Mozilla's data-quality check: the clients seen today in clients_last_seen are exactly
    // the day's clients in clients_daily.
    let check = cx
        .session
        .collect(
            "SELECT count(*) AS bad_days FROM (
               SELECT submission_date, count(*) AS n FROM clients_last_seen_v1
               WHERE days_seen_bits & 1 = 1 GROUP BY 1) ls
             FULL JOIN (SELECT submission_date, count(DISTINCT client_id) AS n
               FROM clients_daily_v6 GROUP BY 1) cd USING (submission_date)
             WHERE ls.n IS DISTINCT FROM cd.n",
        )
        .await?;
    let bad = check
        .first()
        .and_then(|b| {
            b.column(0)
                .as_any()
                .downcast_ref::<arrow::array::Int64Array>()
        })
        .map_or(-1, |a| a.value(0));
    if bad != 0 {
        return Err(crate::Error::Config {
            key: "demo".into(),
            reason: format!("clients_last_seen disagrees with clients_daily on {bad} days"),
        });
    }
    Ok(())
}
