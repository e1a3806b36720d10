//! The demo's synthetic clients: who exists, when they arrive and leave, how often they are
//! active, and what they report each day.

use chrono::{Datelike, NaiveDate, Weekday};

use super::rng::Rng;

/// Countries with weights and a locale each.
const COUNTRIES: &[((&str, &str), f64)] = &[
    (("US", "en-US"), 28.0),
    (("DE", "de"), 12.0),
    (("FR", "fr"), 8.0),
    (("GB", "en-GB"), 6.0),
    (("BR", "pt-BR"), 6.0),
    (("IN", "en-US"), 6.0),
    (("RU", "ru"), 5.0),
    (("PL", "pl"), 4.0),
    (("IT", "it"), 4.0),
    (("ES", "es-ES"), 4.0),
    (("CA", "en-CA"), 3.0),
    (("JP", "ja"), 3.0),
    (("MX", "es-MX"), 3.0),
    (("ID", "id"), 2.0),
    (("NL", "nl"), 2.0),
    (("CI", "fr"), 0.5),
    (("??", "en-US"), 3.5),
];

const OS: &[((&str, &str), f64)] = &[
    (("Windows_NT", "10.0"), 72.0),
    (("Darwin", "23.1.0"), 17.0),
    (("Linux", "6.5"), 11.0),
];

const CHANNELS: &[(&str, f64)] = &[
    ("release", 90.0),
    ("beta", 5.0),
    ("nightly", 3.0),
    ("esr", 2.0),
];

const ADDONS: &[&str] = &[
    "uBlock0@raymondhill.net",
    "{446900e4-71c2-419f-a6a7-df9c091e268b}",
    "@testpilot-containers",
    "jid1-MnnxcxisBPnSXQ@jetpack",
    "{d10d0bf8-f5b5-c8b4-a8b2-2b9879e08c5d}",
    "firefox@getpocket.com",
    "screenshots@mozilla.org",
    "webcompat@mozilla.org",
    "formautofill@mozilla.org",
    "{73a6fe31-595d-460b-a920-fcc0f8843232}",
];

const EXPERIMENTS: &[(&str, &[&str])] = &[
    ("new-tab-layout", &["control", "treatment-a", "treatment-b"]),
    ("search-shortcuts", &["control", "enabled"]),
    ("tab-groups-rollout", &["enabled"]),
];

/// How active a client is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Engagement {
    Core,
    Regular,
    Casual,
}

/// One synthetic Firefox profile.
#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    pub sample_id: i64,
    pub country: &'static str,
    pub locale: &'static str,
    pub os: &'static str,
    pub os_version: &'static str,
    pub channel: &'static str,
    pub engagement: Engagement,
    /// Day index of the first day it can be active (negative: existed before the window).
    pub arrival: i64,
    /// Day index from which it is gone for good.
    pub churn: i64,
    pub profile_creation: NaiveDate,
    pub addons: Vec<&'static str>,
    pub experiments: Vec<(&'static str, &'static str)>,
    /// Days it lags behind a release.
    pub update_lag: i64,
    pub is_default_browser: bool,
}

/// The demo's window and its clients.
#[derive(Debug, Clone)]
pub struct Population {
    pub start: NaiveDate,
    pub days: i64,
    pub clients: Vec<Client>,
}

/// The first day of every demo lake.
pub fn start_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default()
}

impl Population {
    /// `clients` profiles over `days` days: 70% exist at the start, the rest arrive over the
    /// window; each churns with a daily hazard that depends on its engagement.
    pub fn generate(clients: usize, days: i64, seed: u64) -> Self {
        let start = start_date();
        let mut rng = Rng::derive(seed, "population", 0);
        let existing = clients * 7 / 10;
        let mut out = Vec::with_capacity(clients);
        for i in 0..clients {
            let client_id = rng.uuid();
            let sample_id = i64::from(crc32fast::hash(client_id.as_bytes()) % 100);
            let (country, locale) = *rng.weighted(COUNTRIES);
            let (os, os_version) = *rng.weighted(OS);
            let channel = *rng.weighted(CHANNELS);
            let engagement = *rng.weighted(&[
                (Engagement::Core, 20.0),
                (Engagement::Regular, 30.0),
                (Engagement::Casual, 50.0),
            ]);
            let arrival = if i < existing {
                -1 - rng.below(1000) as i64
            } else {
                rng.below(days.max(1) as u64) as i64
            };
            let hazard = match engagement {
                Engagement::Core => 0.001,
                Engagement::Regular => 0.004,
                Engagement::Casual => 0.012,
            };
            let lifetime = rng.exp(1.0 / hazard) as i64;
            let churn = arrival.max(0) + 1 + lifetime;
            let profile_creation = if arrival >= 0 && rng.chance(0.9) {
                start + chrono::Days::new(arrival as u64)
            } else {
                start - chrono::Days::new((arrival.unsigned_abs()) + rng.below(1500))
            };
            let n_addons = rng.below(5) as usize;
            let mut addons: Vec<&'static str> = (0..n_addons)
                .map(|_| ADDONS[rng.below(ADDONS.len() as u64) as usize])
                .collect();
            addons.sort_unstable();
            addons.dedup();
            let mut experiments = Vec::new();
            for (slug, branches) in EXPERIMENTS {
                if rng.chance(0.15) {
                    experiments.push((*slug, branches[rng.below(branches.len() as u64) as usize]));
                }
            }
            out.push(Client {
                client_id,
                sample_id,
                country,
                locale,
                os,
                os_version,
                channel,
                engagement,
                arrival,
                churn,
                profile_creation,
                addons,
                experiments,
                update_lag: rng.below(10) as i64,
                is_default_browser: rng.chance(0.45),
            });
        }
        Self {
            start,
            days,
            clients: out,
        }
    }

    pub fn date(&self, day: i64) -> NaiveDate {
        self.start + chrono::Days::new(day as u64)
    }

    /// Whether client `c` is active on `day`, decided by that day's generator.
    pub fn is_active(&self, c: &Client, day: i64, rng: &mut Rng) -> bool {
        if day < c.arrival.max(0) || day >= c.churn || (c.arrival >= 0 && day < c.arrival) {
            return false;
        }
        if day == c.arrival {
            return true;
        }
        let base = match c.engagement {
            Engagement::Core => 0.92,
            Engagement::Regular => 0.55,
            Engagement::Casual => 0.14,
        };
        let weekday = match self.date(day).weekday() {
            Weekday::Sat | Weekday::Sun => 0.78,
            _ => 1.0,
        };
        rng.chance(base * weekday)
    }

    /// The Firefox version a client runs on `day`: a new major every 28 days, picked up after
    /// the client's update lag; pre-release channels run ahead.
    pub fn app_version(&self, c: &Client, day: i64) -> String {
        let base = 146 + (day - c.update_lag).max(0) / 28;
        let major = match c.channel {
            "beta" => base + 1,
            "nightly" => base + 2,
            "esr" => 140,
            _ => base,
        };
        format!("{major}.0")
    }
}

/// What a client reports on one active day.
#[derive(Debug, Clone, Copy)]
pub(super) struct DailyUsage {
    pub active_hours: f64,
    pub subsession_hours: f64,
    pub uri_count: i64,
    pub uri_count_private: i64,
    pub search_count: i64,
    pub ad_clicks: i64,
    pub devtools_opened: i64,
    pub pings: u64,
}

impl DailyUsage {
    pub(super) fn draw(c: &Client, rng: &mut Rng) -> Self {
        let mean_hours = match c.engagement {
            Engagement::Core => 2.5,
            Engagement::Regular => 1.2,
            Engagement::Casual => 0.4,
        };
        let idle = rng.chance(0.06);
        let active_hours = if idle {
            0.0
        } else {
            (rng.exp(mean_hours) * 1000.0).round() / 1000.0
        };
        let subsession_hours =
            ((active_hours * (1.0 + rng.f64() * 2.0) + rng.f64() * 0.5) * 1000.0).round() / 1000.0;
        let uri_count = if idle {
            0
        } else {
            (active_hours * 45.0 + rng.exp(5.0)) as i64
        };
        let uri_count_private = if rng.chance(0.08) {
            uri_count + 1 + rng.below(20) as i64
        } else {
            uri_count
        };
        Self {
            active_hours,
            subsession_hours,
            uri_count,
            uri_count_private,
            search_count: rng.poisson(active_hours * 1.5 + 0.1) as i64,
            ad_clicks: rng.poisson(0.05) as i64,
            devtools_opened: if rng.chance(0.03) {
                1 + rng.below(4) as i64
            } else {
                0
            },
            pings: 1 + rng.poisson(0.7),
        }
    }
}
