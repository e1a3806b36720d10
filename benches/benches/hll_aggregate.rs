//! HyperLogLog aggregation through SQL, next to DataFusion's built-in `approx_distinct` on the
//! same column: building sketches (`approx_set`, `hll_count_init`, `hll_merge(hll_create(..))`) over one
//! million client ids, globally and grouped, and merging ten thousand stored sketches
//! (`merge`, `hll_count_merge`, `hll_merge`).
//!
//! Run with `cargo bench --bench hll_aggregate`; each case is one whole query on a two-thread
//! session over in-memory batches of 8,192 rows.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ROWS: usize = 1_000_000;
const BATCH: usize = 8192;
const DISTINCT: u64 = 250_000;
const GROUPS: i64 = 1000;

/// Client-id-like strings (`c-` and 16 hex digits) drawn from `DISTINCT` clients, their
/// numeric id, and a group key of `GROUPS` values.
fn clients(rng: &mut StdRng) -> Vec<RecordBatch> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("client_id", DataType::Utf8, false),
        Field::new("n", DataType::Int64, false),
        Field::new("g", DataType::Int64, false),
    ]));
    (0..ROWS.div_ceil(BATCH))
        .map(|b| {
            let len = BATCH.min(ROWS - b * BATCH);
            let ids: Vec<u64> = (0..len).map(|_| rng.random_range(0..DISTINCT)).collect();
            let names: StringArray = ids
                .iter()
                .map(|i| Some(format!("c-{:016x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15))))
                .collect();
            let n: Int64Array = ids.iter().map(|&i| Some(i as i64)).collect();
            let g: Int64Array = (0..len)
                .map(|_| Some(rng.random_range(0..GROUPS)))
                .collect();
            let columns: Vec<ArrayRef> = vec![Arc::new(names), Arc::new(n), Arc::new(g)];
            RecordBatch::try_new(Arc::clone(&schema), columns).expect("consistent batch")
        })
        .collect()
}

fn session(rt: &tokio::runtime::Runtime, batches: Vec<RecordBatch>) -> SessionContext {
    let mut ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(2));
    tarn_udfs::register_all(&mut ctx).expect("tarn functions register");
    let schema = batches[0].schema();
    // Two partitions, as a two-file table would scan.
    let half = batches.len() / 2;
    let parts = vec![batches[..half].to_vec(), batches[half..].to_vec()];
    let table = MemTable::try_new(schema, parts).expect("in-memory table");
    ctx.register_table("clients", Arc::new(table))
        .expect("table registers");
    // Ten thousand stored sketches of each family, as daily per-dimension tables hold them.
    let sketches = "CREATE TABLE sketches AS SELECT n % 10000 AS k,
        approx_set(client_id) AS presto, hll_count_init(client_id) AS bigquery,
        hll_merge(hll_create(client_id, 12)) AS mozilla FROM clients GROUP BY 1";
    rt.block_on(async { ctx.sql(sketches).await?.collect().await })
        .expect("sketch table");
    ctx
}

fn run(rt: &tokio::runtime::Runtime, ctx: &SessionContext, sql: &str) -> usize {
    rt.block_on(async { ctx.sql(sql).await?.collect().await })
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(RecordBatch::num_rows)
        .sum()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("runtime");
    let ctx = session(&rt, clients(&mut StdRng::seed_from_u64(7)));

    let global = [
        (
            "approx_distinct",
            "SELECT approx_distinct(client_id) FROM clients",
        ),
        (
            "approx_set",
            "SELECT cardinality(approx_set(client_id)) FROM clients",
        ),
        (
            "approx_distinct_trino",
            "SELECT approx_distinct(client_id, 0.023) FROM clients",
        ),
        (
            "hll_count_init",
            "SELECT hll_count_extract(hll_count_init(client_id)) FROM clients",
        ),
        (
            "hll_merge_hll_create_12",
            "SELECT hll_cardinality(hll_merge(hll_create(client_id, 12))) FROM clients",
        ),
    ];
    let mut g = c.benchmark_group("hll_strings_1m_rows");
    g.sample_size(10)
        .throughput(Throughput::Elements(ROWS as u64));
    for (name, sql) in global {
        g.bench_function(name, |b| b.iter(|| run(&rt, &ctx, sql)));
    }
    g.finish();

    let numeric = [
        ("approx_distinct", "SELECT approx_distinct(n) FROM clients"),
        (
            "approx_set",
            "SELECT cardinality(approx_set(n)) FROM clients",
        ),
        (
            "hll_count_init",
            "SELECT hll_count_extract(hll_count_init(n)) FROM clients",
        ),
    ];
    let mut g = c.benchmark_group("hll_int64_1m_rows");
    g.sample_size(10)
        .throughput(Throughput::Elements(ROWS as u64));
    for (name, sql) in numeric {
        g.bench_function(name, |b| b.iter(|| run(&rt, &ctx, sql)));
    }
    g.finish();

    let grouped = [
        (
            "approx_distinct",
            "SELECT g, approx_distinct(client_id) FROM clients GROUP BY g",
        ),
        (
            "approx_set",
            "SELECT g, cardinality(approx_set(client_id)) FROM clients GROUP BY g",
        ),
        (
            "hll_count_init",
            "SELECT g, hll_count_extract(hll_count_init(client_id)) FROM clients GROUP BY g",
        ),
    ];
    let mut g = c.benchmark_group("hll_strings_1m_rows_1000_groups");
    g.sample_size(10)
        .throughput(Throughput::Elements(ROWS as u64));
    for (name, sql) in grouped {
        g.bench_function(name, |b| b.iter(|| run(&rt, &ctx, sql)));
    }
    g.finish();

    let merges = [
        ("merge", "SELECT cardinality(merge(presto)) FROM sketches"),
        (
            "hll_count_merge",
            "SELECT hll_count_merge(bigquery) FROM sketches",
        ),
        (
            "hll_merge",
            "SELECT hll_cardinality(hll_merge(mozilla)) FROM sketches",
        ),
    ];
    let mut g = c.benchmark_group("hll_merge_10k_sketches");
    g.sample_size(10).throughput(Throughput::Elements(10_000));
    for (name, sql) in merges {
        g.bench_function(name, |b| b.iter(|| run(&rt, &ctx, sql)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
