//! The demo tables' schemas and the batches of one day.

use std::sync::{Arc, LazyLock};

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, ListBuilder,
    MapBuilder, MapFieldNames, RecordBatch, StringArray, StringBuilder, TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::NaiveDate;

use super::population::{Client, DailyUsage, Population};
use super::rng::Rng;

/// One active client on one day.
#[derive(Debug, Clone, Copy)]
pub(super) struct Active {
    pub client: usize,
    pub usage: DailyUsage,
}

fn date32(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days() as i32
}

/// Who was active on `day`, and what they did; the same for every table of a seed.
pub(super) fn activity(pop: &Population, day: i64, seed: u64) -> Vec<Active> {
    let mut rng = Rng::derive(seed, "activity", day as u64);
    let mut out = Vec::new();
    for (i, c) in pop.clients.iter().enumerate() {
        if pop.is_active(c, day, &mut rng) {
            out.push(Active {
                client: i,
                usage: DailyUsage::draw(c, &mut rng),
            });
        }
    }
    out
}

pub(super) static CLIENTS_DAILY: LazyLock<SchemaRef> = LazyLock::new(|| {
    let list = DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    let map = DataType::Map(
        Arc::new(Field::new(
            "entries",
            DataType::Struct(
                vec![
                    Field::new("key", DataType::Utf8, false),
                    Field::new("value", DataType::Utf8, true),
                ]
                .into(),
            ),
            false,
        )),
        false,
    );
    Arc::new(Schema::new(vec![
        Field::new("client_id", DataType::Utf8, false),
        Field::new("sample_id", DataType::Int64, false),
        Field::new("country", DataType::Utf8, true),
        Field::new("locale", DataType::Utf8, true),
        Field::new("os", DataType::Utf8, true),
        Field::new("os_version", DataType::Utf8, true),
        Field::new("normalized_channel", DataType::Utf8, true),
        Field::new("app_version", DataType::Utf8, true),
        Field::new("profile_creation_date", DataType::Date32, true),
        Field::new("profile_age_in_days", DataType::Int64, true),
        Field::new("is_default_browser", DataType::Boolean, true),
        Field::new("active_hours_sum", DataType::Float64, true),
        Field::new("subsession_hours_sum", DataType::Float64, true),
        Field::new(
            "scalar_parent_browser_engagement_total_uri_count_sum",
            DataType::Int64,
            true,
        ),
        Field::new(
            "scalar_parent_browser_engagement_total_uri_count_normal_and_private_mode_sum",
            DataType::Int64,
            true,
        ),
        Field::new("search_count_all", DataType::Int64, true),
        Field::new("ad_clicks_count_all", DataType::Int64, true),
        Field::new("devtools_toolbox_opened_count_sum", DataType::Int64, true),
        Field::new("sessions_started_on_this_day", DataType::Int64, true),
        Field::new("active_addons", list, true),
        Field::new("experiments", map, true),
    ]))
});

/// `clients_daily` rows of one day, sorted by client id.
pub(super) fn clients_daily(pop: &Population, day: i64, active: &[Active]) -> RecordBatch {
    let date = pop.date(day);
    let mut rows: Vec<&Active> = active.iter().collect();
    rows.sort_by(|a, b| {
        pop.clients[a.client]
            .client_id
            .cmp(&pop.clients[b.client].client_id)
    });
    let c = |a: &Active| -> &Client { &pop.clients[a.client] };
    let strs = |f: &dyn Fn(&Client) -> &str| -> ArrayRef {
        Arc::new(rows.iter().map(|a| Some(f(c(a)))).collect::<StringArray>())
    };
    let ints = |f: &dyn Fn(&Active) -> i64| -> ArrayRef {
        Arc::new(rows.iter().map(|a| f(a)).collect::<Int64Array>())
    };
    let mut addons = ListBuilder::new(StringBuilder::new());
    let names = MapFieldNames {
        entry: "entries".into(),
        key: "key".into(),
        value: "value".into(),
    };
    let mut experiments = MapBuilder::new(Some(names), StringBuilder::new(), StringBuilder::new());
    for a in &rows {
        for addon in &c(a).addons {
            addons.values().append_value(addon);
        }
        addons.append(true);
        for (slug, branch) in &c(a).experiments {
            experiments.keys().append_value(slug);
            experiments.values().append_value(branch);
        }
        experiments.append(true).unwrap_or_default();
    }
    let columns: Vec<ArrayRef> = vec![
        strs(&|c| &c.client_id),
        ints(&|a| c(a).sample_id),
        strs(&|c| c.country),
        strs(&|c| c.locale),
        strs(&|c| c.os),
        strs(&|c| c.os_version),
        strs(&|c| c.channel),
        Arc::new(
            rows.iter()
                .map(|a| Some(pop.app_version(c(a), day)))
                .collect::<StringArray>(),
        ),
        Arc::new(
            rows.iter()
                .map(|a| Some(date32(c(a).profile_creation)))
                .collect::<Date32Array>(),
        ),
        ints(&|a| (date - c(a).profile_creation).num_days()),
        Arc::new(
            rows.iter()
                .map(|a| Some(c(a).is_default_browser))
                .collect::<BooleanArray>(),
        ),
        Arc::new(
            rows.iter()
                .map(|a| Some(a.usage.active_hours))
                .collect::<Float64Array>(),
        ),
        Arc::new(
            rows.iter()
                .map(|a| Some(a.usage.subsession_hours))
                .collect::<Float64Array>(),
        ),
        ints(&|a| a.usage.uri_count),
        ints(&|a| a.usage.uri_count_private),
        ints(&|a| a.usage.search_count),
        ints(&|a| a.usage.ad_clicks),
        ints(&|a| a.usage.devtools_opened),
        ints(&|a| a.usage.pings as i64),
        Arc::new(addons.finish()),
        Arc::new(experiments.finish()),
    ];
    batch(&CLIENTS_DAILY, columns)
}

pub(super) static CLIENTS_LAST_SEEN: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("client_id", DataType::Utf8, false),
        Field::new("sample_id", DataType::Int64, false),
        Field::new("country", DataType::Utf8, true),
        Field::new("os", DataType::Utf8, true),
        Field::new("normalized_channel", DataType::Utf8, true),
        Field::new("app_version", DataType::Utf8, true),
        Field::new("first_seen_date", DataType::Date32, true),
        Field::new("days_seen_bits", DataType::Int64, true),
        Field::new("days_active_bits", DataType::Int64, true),
        Field::new("days_visited_1_uri_bits", DataType::Int64, true),
        Field::new("days_interacted_bits", DataType::Int64, true),
        Field::new("days_created_profile_bits", DataType::Int64, true),
    ]))
});

pub(super) static MAIN_SUMMARY: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("document_id", DataType::Utf8, false),
        Field::new("client_id", DataType::Utf8, false),
        Field::new(
            "timestamp",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        Field::new("subsession_start_date", DataType::Utf8, true),
        Field::new("subsession_length", DataType::Int64, true),
        Field::new("profile_subsession_counter", DataType::Int32, true),
        Field::new("reason", DataType::Utf8, true),
        Field::new("os", DataType::Utf8, true),
        Field::new("os_version", DataType::Utf8, true),
        Field::new("normalized_channel", DataType::Utf8, true),
        Field::new("app_version", DataType::Utf8, true),
        Field::new("country", DataType::Utf8, true),
        Field::new("city", DataType::Utf8, true),
        Field::new("locale", DataType::Utf8, true),
        Field::new("e10s_enabled", DataType::Boolean, true),
        Field::new("is_default_browser", DataType::Boolean, true),
        Field::new("active_ticks", DataType::Int64, true),
        Field::new(
            "scalar_parent_browser_engagement_total_uri_count",
            DataType::Int64,
            true,
        ),
        Field::new("search_count", DataType::Int64, true),
        Field::new("memory_mb", DataType::Int32, true),
        Field::new("cpu_cores", DataType::Int32, true),
        Field::new("gfx_compositor", DataType::Utf8, true),
        Field::new("crash_submit_success_main", DataType::Int32, true),
        Field::new("first_paint", DataType::Int64, true),
    ]))
});

const CITIES: &[&str] = &[
    "Berlin",
    "Paris",
    "Toronto",
    "São Paulo",
    "Kraków",
    "Abidjan",
    "Osaka",
    "Seattle",
];
const REASONS: &[(&str, f64)] = &[
    ("shutdown", 50.0),
    ("daily", 35.0),
    ("environment-change", 15.0),
];

/// `main_summary` pings of one day, one batch per sample id (0..99), each sorted by client id.
pub(super) fn main_summary(
    pop: &Population,
    day: i64,
    active: &[Active],
    seed: u64,
) -> Vec<(i64, RecordBatch)> {
    let mut rng = Rng::derive(seed, "main_summary", day as u64);
    let date = pop.date(day);
    let midnight = date
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp_micros();
    let mut by_sample: Vec<Vec<(usize, i64, DailyUsage, u64)>> = vec![Vec::new(); 100];
    for a in active {
        let c = &pop.clients[a.client];
        for p in 0..a.usage.pings {
            let at = midnight + (rng.below(86_400) as i64) * 1_000_000;
            by_sample[c.sample_id as usize].push((a.client, at, a.usage, p));
        }
    }
    let mut out = Vec::new();
    for (sample_id, mut pings) in by_sample.into_iter().enumerate() {
        if pings.is_empty() {
            continue;
        }
        pings.sort_by(|a, b| {
            pop.clients[a.0]
                .client_id
                .cmp(&pop.clients[b.0].client_id)
                .then(a.1.cmp(&b.1))
        });
        let n = pings.len();
        let mut doc = Vec::with_capacity(n);
        let (mut start, mut length, mut counter, mut reason) = (vec![], vec![], vec![], vec![]);
        let (mut city, mut e10s, mut ticks, mut uris, mut searches) =
            (vec![], vec![], vec![], vec![], vec![]);
        let (mut memory, mut cores, mut gfx, mut crashes, mut paint) =
            (vec![], vec![], vec![], vec![], vec![]);
        for (client, _, usage, p) in &pings {
            let c = &pop.clients[*client];
            let share = 1.0 / (usage.pings as f64);
            doc.push(rng.uuid());
            start.push(Some(format!(
                "{}T00:00:00.0+00:00",
                date.format("%Y-%m-%d")
            )));
            length.push(Some((usage.subsession_hours * 3600.0 * share) as i64));
            counter.push(Some(1 + (day as i32) * 2 + *p as i32));
            reason.push(Some(*rng.weighted(REASONS)));
            city.push(
                rng.chance(0.6)
                    .then(|| CITIES[rng.below(CITIES.len() as u64) as usize]),
            );
            e10s.push(if rng.chance(0.1) {
                None
            } else {
                Some(rng.chance(0.97))
            });
            ticks.push(
                rng.chance(0.95)
                    .then_some((usage.active_hours * 720.0 * share) as i64),
            );
            uris.push(
                rng.chance(0.9)
                    .then_some((usage.uri_count as f64 * share) as i64),
            );
            searches.push(Some((usage.search_count as f64 * share) as i64));
            memory.push(
                rng.chance(0.93)
                    .then(|| [4096, 8192, 16384, 32768][rng.below(4) as usize]),
            );
            cores.push(
                rng.chance(0.93)
                    .then(|| [2, 4, 8, 12, 16][rng.below(5) as usize]),
            );
            gfx.push(rng.chance(0.8).then(|| {
                if c.os == "Darwin" {
                    "webrender"
                } else {
                    "webrender-sw"
                }
            }));
            crashes.push(rng.chance(0.02).then(|| 1 + rng.below(2) as i32));
            paint.push(rng.chance(0.85).then(|| 300 + rng.below(4000) as i64));
        }
        let clients = |f: &dyn Fn(&Client) -> &str| -> ArrayRef {
            Arc::new(
                pings
                    .iter()
                    .map(|(i, ..)| Some(f(&pop.clients[*i])))
                    .collect::<StringArray>(),
            )
        };
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(doc)),
            clients(&|c| &c.client_id),
            Arc::new(
                TimestampMicrosecondArray::from(pings.iter().map(|p| p.1).collect::<Vec<_>>())
                    .with_timezone("UTC"),
            ),
            Arc::new(StringArray::from(start)),
            Arc::new(Int64Array::from(length)),
            Arc::new(Int32Array::from(counter)),
            Arc::new(StringArray::from(reason)),
            clients(&|c| c.os),
            clients(&|c| c.os_version),
            clients(&|c| c.channel),
            Arc::new(
                pings
                    .iter()
                    .map(|(i, ..)| Some(pop.app_version(&pop.clients[*i], day)))
                    .collect::<StringArray>(),
            ),
            clients(&|c| c.country),
            Arc::new(StringArray::from(city)),
            clients(&|c| c.locale),
            Arc::new(BooleanArray::from(e10s)),
            Arc::new(
                pings
                    .iter()
                    .map(|(i, ..)| Some(pop.clients[*i].is_default_browser))
                    .collect::<BooleanArray>(),
            ),
            Arc::new(Int64Array::from(ticks)),
            Arc::new(Int64Array::from(uris)),
            Arc::new(Int64Array::from(searches)),
            Arc::new(Int32Array::from(memory)),
            Arc::new(Int32Array::from(cores)),
            Arc::new(StringArray::from(gfx)),
            Arc::new(Int32Array::from(crashes)),
            Arc::new(Int64Array::from(paint)),
        ];
        out.push((sample_id as i64, batch(&MAIN_SUMMARY, columns)));
    }
    out
}

fn batch(schema: &SchemaRef, columns: Vec<ArrayRef>) -> RecordBatch {
    // The builders above produce exactly the declared columns; a mismatch is a bug in this file.
    RecordBatch::try_new(Arc::clone(schema), columns).expect("demo batch matches its schema")
}
