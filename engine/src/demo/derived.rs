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
    client_count_daily(&cx).await?;
    clients_daily_hll(&cx).await?;
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

/// The schema of Mozilla's `client_count_daily` v2 (hll.md §2.1), without its partition key.
static CLIENT_COUNT_DAILY: std::sync::LazyLock<arrow::datatypes::SchemaRef> =
    std::sync::LazyLock::new(|| {
        use arrow::datatypes::{DataType, Field, Schema};
        let text = |n: &str| Field::new(n, DataType::Utf8, true);
        Arc::new(Schema::new(vec![
            text("app_name"),
            text("app_version"),
            text("country"),
            Field::new("devtools_toolbox_opened", DataType::Boolean, true),
            Field::new("e10s_enabled", DataType::Boolean, true),
            // Plain binary, as Spark wrote it: the table sidecar declares it an `HLL`.
            Field::new("hll", DataType::Binary, false),
            text("locale"),
            text("normalized_channel"),
            text("os"),
            text("os_version"),
            text("top_distribution_id"),
            Field::new("total_uri_count_threshold", DataType::Int32, true),
        ]))
    });

/// `telemetry.client_count_daily_v2`, Mozilla's deprecated HyperLogLog dataset (hll.md §2.1):
/// per submission day (`submission_date=YYYYMMDD`), one row per combination of dimensions
/// with an Algebird sketch of its clients at 12 bits, built as `spark-hyperloglog` did:
/// `hll_merge(hll_create(client_id, 12))` over the day's `clients_daily` rows.
async fn client_count_daily(cx: &DerivedContext<'_>) -> Result<()> {
    for day in 0..i64::from(cx.opts.days) {
        let date = cx.pop.date(day);
        let sql = format!(
            "SELECT 'Firefox' AS app_name, app_version, country,
               devtools_toolbox_opened_count_sum > 0 AS devtools_toolbox_opened,
               true AS e10s_enabled,
               CAST(hll_merge(hll_create(client_id, 12)) AS BYTEA) AS hll,
               locale, normalized_channel, os, os_version,
               CAST(NULL AS VARCHAR) AS top_distribution_id,
               CAST(CASE WHEN uris >= 1000 THEN 1000 WHEN uris >= 100 THEN 100
                         WHEN uris >= 10 THEN 10 WHEN uris >= 1 THEN 1 ELSE 0 END AS INT)
                 AS total_uri_count_threshold
             FROM (SELECT *, COALESCE(scalar_parent_browser_engagement_total_uri_count_sum, 0)
                     AS uris
                   FROM clients_daily_v6 WHERE submission_date = DATE '{}')
             GROUP BY 2, 3, 4, 7, 8, 9, 10, 12
             ORDER BY 2, 3, 4, 7, 8, 9, 10, 12",
            date.format("%Y-%m-%d")
        );
        let batch = conform(&CLIENT_COUNT_DAILY, &cx.session.collect(&sql).await?)?;
        let part = format!("submission_date={}", date.format("%Y%m%d"));
        cx.write("telemetry/client_count_daily/v2", &part, &batch, &[])?;
    }
    Ok(())
}

/// The schema of `clients_daily_hll` (its `clients_hll` column declared a BigQuery sketch).
static CLIENTS_DAILY_HLL: std::sync::LazyLock<arrow::datatypes::SchemaRef> =
    std::sync::LazyLock::new(|| {
        use arrow::datatypes::{DataType, Field, Schema};
        let text = |n: &str| Field::new(n, DataType::Utf8, true);
        let sketch = tarn_udfs::hll::sketch_metadata("ZetaSketch").unwrap_or_default();
        Arc::new(Schema::new(vec![
            text("country"),
            text("os"),
            text("normalized_channel"),
            text("app_version"),
            Field::new("clients_hll", DataType::Binary, false).with_metadata(sketch),
        ]))
    });

/// `telemetry.clients_daily_hll_v1`, a BigQuery-era table: per `submission_date`, one row per
/// country, os, channel and version with `HLL_COUNT.INIT(client_id)` (ZetaSketch, precision
/// 15) of its clients, which `HLL_COUNT.MERGE` turns into DAU/WAU/MAU.
async fn clients_daily_hll(cx: &DerivedContext<'_>) -> Result<()> {
    for day in 0..i64::from(cx.opts.days) {
        let date = cx.pop.date(day);
        let sql = format!(
            "SELECT country, os, normalized_channel, app_version,
               HLL_COUNT.INIT(client_id) AS clients_hll
             FROM clients_daily_v6 WHERE submission_date = DATE '{}'
             GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
            date.format("%Y-%m-%d")
        );
        let batch = conform(&CLIENTS_DAILY_HLL, &cx.session.collect(&sql).await?)?;
        let part = format!("submission_date={}", date.format("%Y-%m-%d"));
        cx.write("telemetry/clients_daily_hll/v1", &part, &batch, &[])?;
    }
    Ok(())
}
