//! The HyperLogLog queries of README.md ("HyperLogLog sketches"): Mozilla's documented DAU and
//! WAU over `client_count_daily` (hll.md §2.1), the BigQuery-style counts over
//! `clients_daily_hll` and Presto's `approx_set`, run as written on a demo lake and checked
//! against exact `count(DISTINCT client_id)` from `clients_daily`.

use std::collections::{BTreeMap, HashSet};

use tarn_engine::demo::{DemoOptions, write_demo};
use tarn_engine::{EngineConfig, Lake, Session};

/// The ```sql blocks of the README's "HyperLogLog sketches" section, in order.
fn readme_queries() -> Vec<String> {
    let readme = std::fs::read_to_string(tarn_tests::repo_root().join("README.md"))
        .expect("README.md is readable");
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("HyperLogLog sketches"))
        .expect("README has a HyperLogLog sketches section");
    section
        .split("```sql\n")
        .skip(1)
        .map(|block| {
            block
                .split("```")
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .collect()
}

async fn rows(session: &Session, sql: &str) -> Vec<Vec<String>> {
    let batches = session
        .collect(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}\nfailed: {}", e.chain_text()));
    tarn_tests::format::rows(&batches).expect("formattable")
}

fn int(s: &str) -> i64 {
    s.parse().unwrap_or_else(|_| panic!("not an integer: {s}"))
}

/// Client ids per (day as YYYY-MM-DD, dimension value) from `clients_daily`.
type Exact = BTreeMap<(String, String), HashSet<String>>;

async fn exact(session: &Session, dimension: &str) -> Exact {
    let mut out = Exact::new();
    let sql = format!(
        "SELECT CAST(submission_date AS VARCHAR), COALESCE({dimension}, ''), client_id
         FROM clients_daily"
    );
    for r in rows(session, &sql).await {
        out.entry((r[0].clone(), r[1].clone()))
            .or_default()
            .insert(r[2].clone());
    }
    out
}

/// The distinct clients over `days` (inclusive) for one dimension value, or all of them.
fn distinct(exact: &Exact, days: &[String], value: Option<&str>) -> usize {
    exact
        .iter()
        .filter(|((d, v), _)| days.contains(d) && value.is_none_or(|x| x == v))
        .flat_map(|(_, ids)| ids.iter())
        .collect::<HashSet<_>>()
        .len()
}

/// Three standard errors of a sketch with 2^p registers (1.04 / √m each), plus one for the
/// rounding of small counts.
fn assert_close(what: &str, estimate: i64, truth: usize, p: u32) {
    let sigma = 1.04 / f64::from(1u32 << p).sqrt();
    let allowed = 3.0 * sigma * truth as f64 + 1.0;
    assert!(
        (estimate as f64 - truth as f64).abs() <= allowed,
        "{what}: estimate {estimate}, exact {truth} (allowed ±{allowed:.1})"
    );
}

/// `YYYYMMDD` → `YYYY-MM-DD`.
fn dashed(d: &str) -> String {
    format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_sketch_queries_agree_with_clients_daily() {
    let dir = tempfile::tempdir().unwrap();
    let opts = DemoOptions {
        clients: 2000,
        days: 30,
        seed: 7,
        threads: 0,
    };
    write_demo(dir.path(), &opts).await.unwrap();
    let mut config = EngineConfig::new(dir.path().to_string_lossy().into_owned());
    config.default_schema = "telemetry".to_string();
    let lake = Lake::open(config).await.unwrap();
    let session = lake.session().unwrap();
    let queries = readme_queries();
    assert_eq!(queries.len(), 4, "{queries:#?}");
    let by_os = exact(&session, "os").await;
    let by_channel = exact(&session, "normalized_channel").await;
    let days: Vec<String> = by_os
        .keys()
        .map(|(d, _)| d.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(days.len(), 30);

    // Mozilla's DAU as documented runs as written (today's date selects no demo day) ...
    rows(&session, &queries[0]).await;
    // ... and over the demo's last week, with CURRENT_DATE pinned, per day and os.
    let pinned = queries[0].replace("CURRENT_DATE", "DATE '2026-01-30'");
    let dau = rows(&session, &pinned).await;
    let last_week: Vec<&str> = [
        "2026-01-23",
        "2026-01-24",
        "2026-01-25",
        "2026-01-26",
        "2026-01-27",
        "2026-01-28",
        "2026-01-29",
        "2026-01-30",
    ]
    .to_vec();
    assert!(!dau.is_empty());
    let mut seen_days = HashSet::new();
    for r in &dau {
        let (os, day) = (&r[0], dashed(&r[1]));
        assert!(last_week.contains(&day.as_str()), "{r:?}");
        seen_days.insert(day.clone());
        let truth = distinct(&by_os, std::slice::from_ref(&day), Some(os));
        assert_close(&format!("DAU {os} {day}"), int(&r[2]), truth, 12);
    }
    assert_eq!(seen_days.len(), 8, "2026-01-23 to 2026-01-30");

    // Mozilla's WAU per channel: a 7-row window over daily sketches.
    let wau = rows(&session, &queries[1]).await;
    let channels: HashSet<&String> = wau.iter().map(|r| &r[0]).collect();
    assert!(channels.len() >= 3, "{channels:?}");
    for r in &wau {
        let (channel, day) = (&r[0], dashed(&r[1]));
        let i = days.iter().position(|d| *d == day).expect("a demo day");
        // Every channel has clients on every demo day, so 7 rows are 7 days.
        let window = &days[i.saturating_sub(6)..=i];
        let truth = distinct(&by_channel, window, Some(channel));
        assert_close(&format!("WAU {channel} {day}"), int(&r[2]), truth, 12);
    }
    assert_eq!(wau.len(), channels.len() * 30);

    // BigQuery-style DAU, WAU and MAU (precision 15).
    let counts = rows(&session, &queries[2]).await;
    assert_eq!(counts.len(), 30);
    for r in &counts {
        let i = days.iter().position(|d| *d == r[0]).expect("a demo day");
        for (col, n) in [(1, 1), (2, 7), (3, 28)] {
            let truth = distinct(&by_os, &days[i.saturating_sub(n - 1)..=i], None);
            assert_close(
                &format!("{n}-day count on {}", r[0]),
                int(&r[col]),
                truth,
                15,
            );
        }
    }

    // Presto's approx_set per day and os, merged per day (4096 buckets).
    let presto = rows(&session, &queries[3]).await;
    assert_eq!(presto.len(), 30);
    for r in &presto {
        let truth = distinct(&by_os, std::slice::from_ref(&r[0]), None);
        assert_close(
            &format!("approx_set DAU on {}", r[0]),
            int(&r[1]),
            truth,
            12,
        );
    }

    // The sidecar declares both sketch columns, so they need no cast; the Mozilla table's
    // sketches are 4098-byte dense Algebird sketches, as spark-hyperloglog wrote them.
    let declared = rows(
        &session,
        "SELECT (SELECT cardinality(merge(hll)) FROM client_count_daily WHERE submission_date = '20260110'),
                (SELECT count(*) FROM client_count_daily WHERE length(encode(hll, 'hex')) <> 8196),
                (SELECT hll_count_merge(clients_hll) FROM clients_daily_hll WHERE submission_date = DATE '2026-01-10'),
                (SELECT cardinality(merge(clients_hll)) FROM clients_daily_hll WHERE submission_date = DATE '2026-01-10')",
    )
    .await;
    let truth = distinct(&by_os, &["2026-01-10".to_string()], None);
    assert_close("declared HLL", int(&declared[0][0]), truth, 12);
    assert_eq!(declared[0][1], "0");
    assert_close("declared ZetaSketch", int(&declared[0][2]), truth, 15);
    assert_eq!(declared[0][2], declared[0][3]);
}
