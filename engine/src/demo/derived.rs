//! The demo's derived tables, built from the base tables once those are on disk.
//!
//! A [`DerivedContext`] opens the staged lake with the engine (listing TTL 0, so each day's
//! output is visible to the next day's query) and writes each derived table partition by
//! partition, with the same deterministic file names as the base tables.

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

/// `telemetry.clients_last_seen_v1`, day by day, with the daily query of bits28.md §3.3 in
/// tarn SQL: yesterday's partition, still inside the window, FULL OUTER JOIN today's
/// `clients_daily`; usage bits combine, profile-creation bits coalesce.
async fn clients_last_seen(cx: &DerivedContext<'_>) -> Result<()> {
    for day in 0..i64::from(cx.opts.days) {
        let date = cx.pop.date(day);
        let previous = (day > 0).then(|| cx.pop.date(day - 1));
        let batches = cx.session.collect(&last_seen_sql(date, previous)).await?;
        let batch = conform(&tables::CLIENTS_LAST_SEEN, &batches)?;
        let part = format!("submission_date={}", date.format("%Y-%m-%d"));
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
               WHERE bits28.days_since_seen(days_seen_bits) = 0 GROUP BY 1) ls
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

/// The daily `clients_last_seen` query for `date`, reading the partition of `previous` (none on
/// the first day: the table starts empty).
fn last_seen_sql(date: chrono::NaiveDate, previous: Option<chrono::NaiveDate>) -> String {
    let previous = match previous {
        Some(p) => format!(
            "SELECT * FROM clients_last_seen_v1
             WHERE submission_date = DATE '{}'
               AND udf.shift_28_bits_one_day(days_seen_bits) > 0",
            p.format("%Y-%m-%d")
        ),
        None => {
            let columns = tables::CLIENTS_LAST_SEEN
                .fields()
                .iter()
                .map(|f| {
                    let ty = match f.data_type() {
                        arrow::datatypes::DataType::Int64 => "BIGINT",
                        arrow::datatypes::DataType::Date32 => "DATE",
                        _ => "VARCHAR",
                    };
                    format!("CAST(NULL AS {ty}) AS {}", f.name())
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!("SELECT {columns} WHERE false")
        }
    };
    // Columns carried from yesterday when the client is absent today.
    let carried = [
        "sample_id",
        "country",
        "os",
        "normalized_channel",
        "app_version",
    ]
    .map(|c| format!("CASE WHEN cur.client_id IS NOT NULL THEN cur.{c} ELSE prev.{c} END AS {c}"))
    .join(",\n  ");
    let combined = [
        "days_seen_bits",
        "days_active_bits",
        "days_visited_1_uri_bits",
        "days_interacted_bits",
    ]
    .map(|c| format!("udf.combine_adjacent_days_28_bits(prev.{c}, cur.{c}) AS {c}"))
    .join(",\n  ");
    let date = date.format("%Y-%m-%d");
    format!(
        "WITH _current AS (
  SELECT client_id, sample_id, country, os, normalized_channel, app_version,
    1 AS days_seen_bits,
    CAST(active_hours_sum > 0 AND COALESCE(
      scalar_parent_browser_engagement_total_uri_count_normal_and_private_mode_sum,
      scalar_parent_browser_engagement_total_uri_count_sum) > 0 AS BIGINT) AS days_active_bits,
    CAST(COALESCE(
      scalar_parent_browser_engagement_total_uri_count_normal_and_private_mode_sum,
      scalar_parent_browser_engagement_total_uri_count_sum) >= 1 AS BIGINT)
      AS days_visited_1_uri_bits,
    CAST(active_hours_sum > 0 AS BIGINT) AS days_interacted_bits,
    udf.days_since_created_profile_as_28_bits(submission_date - profile_creation_date)
      AS days_created_profile_bits
  FROM clients_daily_v6
  WHERE submission_date = DATE '{date}'
),
_previous AS ({previous})
SELECT
  COALESCE(cur.client_id, prev.client_id) AS client_id,
  {carried},
  COALESCE(prev.first_seen_date, DATE '{date}') AS first_seen_date,
  {combined},
  udf.coalesce_adjacent_days_28_bits(prev.days_created_profile_bits,
    cur.days_created_profile_bits) AS days_created_profile_bits
FROM _current AS cur FULL OUTER JOIN _previous AS prev ON cur.client_id = prev.client_id
ORDER BY client_id"
    )
}

/// The rows of `batches` as one batch of exactly `schema` (names, order, types, nullability):
/// the lake reads strings as views, tables store them as `Utf8`.
fn conform(schema: &arrow::datatypes::SchemaRef, batches: &[RecordBatch]) -> Result<RecordBatch> {
    let Some(first) = batches.first() else {
        return Ok(RecordBatch::new_empty(Arc::clone(schema)));
    };
    let all = arrow::compute::concat_batches(&first.schema(), batches)?;
    let names = |s: &arrow::datatypes::Schema| -> Vec<String> {
        s.fields().iter().map(|f| f.name().clone()).collect()
    };
    if names(&all.schema()) != names(schema) {
        return Err(crate::Error::Config {
            key: "demo".into(),
            reason: format!(
                "derived query returned columns {:?}, expected {:?}",
                names(&all.schema()),
                names(schema)
            ),
        });
    }
    let columns = schema
        .fields()
        .iter()
        .zip(all.columns())
        .map(|(f, c)| arrow::compute::cast(c, f.data_type()))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new(Arc::clone(schema), columns)?)
}
