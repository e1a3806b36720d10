//! The usage-history metric queries of README.md ("Usage-history bits"), run as written on a
//! demo lake and checked against `clients_daily`, which they summarise.

use std::collections::{BTreeMap, HashMap, HashSet};

use tarn_engine::demo::{DemoOptions, write_demo};
use tarn_engine::{EngineConfig, Lake, Session};

/// The ```sql blocks of the README's "Usage-history bits" section, in order.
fn readme_queries() -> Vec<String> {
    let readme = std::fs::read_to_string(tarn_tests::repo_root().join("README.md"))
        .expect("README.md is readable");
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Usage-history bits"))
        .expect("README has a Usage-history bits section");
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

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (the proleptic Gregorian calendar).
fn date(s: &str) -> i64 {
    let p: Vec<i64> = s.split('-').map(int).collect();
    let (y, m, d) = (p[0] - i64::from(p[1] <= 2), p[1], p[2]);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn int(s: &str) -> i64 {
    s.parse().unwrap_or_else(|_| panic!("not an integer: {s}"))
}

/// Per day, the clients of `clients_daily` and whether each was active (hours and URIs).
type Daily = BTreeMap<i64, HashMap<String, bool>>;

async fn clients_daily(session: &Session) -> Daily {
    let mut days = Daily::new();
    let sql = "SELECT CAST(submission_date AS VARCHAR), client_id,
                 active_hours_sum > 0 AND COALESCE(
                   scalar_parent_browser_engagement_total_uri_count_normal_and_private_mode_sum,
                   scalar_parent_browser_engagement_total_uri_count_sum) > 0
               FROM clients_daily";
    for r in rows(session, sql).await {
        days.entry(date(&r[0]))
            .or_default()
            .insert(r[1].clone(), r[2] == "true");
    }
    days
}

/// Clients seen in the `n` days up to `d`, and on how many of them each was active.
fn window(daily: &Daily, d: i64, n: i64) -> HashMap<&str, usize> {
    let mut out: HashMap<&str, usize> = HashMap::new();
    for (_, clients) in daily.range(d - (n - 1)..=d) {
        for (c, active) in clients {
            *out.entry(c.as_str()).or_default() += usize::from(*active);
        }
    }
    out
}

fn seen_in(daily: &Daily, from: i64, to: i64) -> HashSet<&str> {
    daily
        .range(from..=to)
        .flat_map(|(_, c)| c.keys().map(String::as_str))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_metrics_agree_with_clients_daily() {
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
    let daily = clients_daily(&session).await;
    let queries = readme_queries();
    assert_eq!(queries.len(), 3, "{queries:#?}");

    assert_eq!(date("1970-01-01"), 0);
    assert_eq!(date("2026-01-28") - date("2025-12-31"), 28);

    // DAU / WAU / MAU: the clients seen on the day, in its 7 days and in its 28 days.
    let users = rows(&session, &queries[0]).await;
    assert_eq!(users.len(), 30);
    for r in &users {
        let d = date(&r[0]);
        let (dau, wau, mau) = (int(&r[1]), int(&r[2]), int(&r[3]));
        assert!(0 < dau && dau <= wau && wau <= mau, "{r:?}");
        assert_eq!(dau as usize, window(&daily, d, 1).len(), "DAU on {}", r[0]);
        assert_eq!(wau as usize, window(&daily, d, 7).len(), "WAU on {}", r[0]);
        assert_eq!(mau as usize, window(&daily, d, 28).len(), "MAU on {}", r[0]);
    }

    // 1-week retention for the metric date 2026-01-15 (submission date 2026-01-28).
    let retention = rows(&session, &queries[1]).await;
    assert_eq!(retention.len(), 1, "{retention:?}");
    let r = &retention[0];
    assert_eq!(r[0], "2026-01-15");
    let week_0 = seen_in(&daily, date("2026-01-15"), date("2026-01-21"));
    let week_1 = seen_in(&daily, date("2026-01-22"), date("2026-01-28"));
    let retained = week_0.intersection(&week_1).count();
    assert_eq!(int(&r[1]) as usize, week_0.len());
    assert_eq!(int(&r[2]) as usize, retained);
    let rate: f64 = r[3].parse().unwrap();
    assert!((0.0..=1.0).contains(&rate), "{r:?}");
    assert!((rate - retained as f64 / week_0.len() as f64).abs() < 1e-12);
    if r[4] != "NULL" {
        let new_rate: f64 = r[4].parse().unwrap();
        assert!((0.0..=1.0).contains(&new_rate), "{r:?}");
    }

    // Activity segments: every client of the 28 days, by its active days.
    let segments = rows(&session, &queries[2]).await;
    let mut want: BTreeMap<&str, i64> = BTreeMap::new();
    for active_days in window(&daily, date("2026-01-28"), 28).values() {
        let segment = match active_days {
            1..=6 => "infrequent_user",
            7..=13 => "casual_user",
            14..=20 => "regular_user",
            21.. => "core_user",
            _ => "other",
        };
        *want.entry(segment).or_default() += 1;
    }
    let got: BTreeMap<&str, i64> = segments
        .iter()
        .map(|r| (r[0].as_str(), int(&r[1])))
        .collect();
    assert_eq!(got, want);
}
