//! Listing, schema inference and partition pruning on a lake of 2,000 date partitions (one
//! small Parquet file each): the cost of a first query on a freshly opened lake (listing every
//! folder and reading every footer), of a one-partition query once the listing is cached
//! (pruning only), and of a query after `REFRESH` (listing again, footers cached).
//!
//! Run with `cargo bench --bench lake_listing`.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tarn_engine::{EngineConfig, Lake, Session};

const PARTITIONS: u32 = 2000;

/// `events/submission_date=YYYY-MM-DD/part-0.parquet`, 100 rows each.
fn write_lake(root: &std::path::Path) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("client_id", DataType::Utf8, false),
        Field::new("n", DataType::Int64, false),
    ]));
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("valid date");
    for day in 0..PARTITIONS {
        let date = start + chrono::Days::new(u64::from(day));
        let dir = root.join(format!("lake/events/submission_date={date}"));
        std::fs::create_dir_all(&dir).expect("partition folder");
        let ids: StringArray = (0..100).map(|i| Some(format!("c-{day}-{i}"))).collect();
        let n: Int64Array = (0..100).map(|i| Some(i64::from(day) * 100 + i)).collect();
        let columns: Vec<ArrayRef> = vec![Arc::new(ids), Arc::new(n)];
        let batch = RecordBatch::try_new(Arc::clone(&schema), columns).expect("batch");
        let file = std::fs::File::create(dir.join("part-0.parquet")).expect("file");
        let mut w =
            parquet::arrow::ArrowWriter::try_new(file, Arc::clone(&schema), None).expect("writer");
        w.write(&batch).expect("write");
        w.close().expect("close");
    }
}

const ONE_DAY: &str =
    "SELECT count(*), sum(n) FROM events WHERE submission_date = DATE '2024-06-01'";

async fn open(root: &std::path::Path) -> Session {
    let mut config = EngineConfig::new(root.join("lake").to_string_lossy().into_owned());
    // Cached listings stay valid for the whole bench unless refreshed.
    config.listing_ttl_secs = 3600.0;
    let lake = Lake::open(config).await.expect("lake opens");
    lake.session().expect("session")
}

async fn one_day(session: &Session) -> usize {
    let batches = session.collect(ONE_DAY).await.expect("query runs");
    batches.iter().map(RecordBatch::num_rows).sum()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    write_lake(dir.path());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    let mut g = c.benchmark_group("lake_2000_partitions");
    g.sample_size(10)
        .throughput(Throughput::Elements(u64::from(PARTITIONS)));
    g.bench_function("open_then_one_partition_query", |b| {
        b.iter(|| {
            rt.block_on(async {
                let session = open(dir.path()).await;
                one_day(&session).await
            })
        });
    });
    let session = rt.block_on(open(dir.path()));
    rt.block_on(one_day(&session));
    g.bench_function("one_partition_query_cached_listing", |b| {
        b.iter(|| rt.block_on(one_day(&session)));
    });
    g.bench_function("refresh_then_one_partition_query", |b| {
        b.iter(|| {
            rt.block_on(async {
                session.collect("REFRESH").await.expect("refresh");
                one_day(&session).await
            })
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
