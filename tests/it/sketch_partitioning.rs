//! Sketch aggregates give the same bytes whatever the split of their input: files of uneven
//! sizes read with 1, 2 or 5 partitions and batches of 8,192 or 1,000 rows, grouped (the groups
//! accumulator) and global (the row accumulator), for the three sketch families and for
//! merges of stored sketches.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use tarn_engine::{EngineConfig, Lake};

/// Client ids with a skewed group key: group 0 holds most rows (its sketches go dense), the
/// others a few hundred (they stay sparse). Deterministic: a fixed multiplicative sequence.
fn batch(file: u64, rows: usize) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("client_id", DataType::Utf8, false),
        Field::new("g", DataType::Int64, false),
    ]));
    let ids: Vec<u64> = (0..rows as u64)
        .map(|i| (file * 1_000_003 + i).wrapping_mul(0x9E37_79B9_7F4A_7C15) % 40_000)
        .collect();
    let clients: StringArray = ids.iter().map(|i| Some(format!("c-{i}"))).collect();
    let groups: Int64Array = ids
        .iter()
        .map(|i| {
            Some(if i % 4 == 0 {
                i64::try_from(i % 7).unwrap_or(0) + 1
            } else {
                0
            })
        })
        .collect();
    let columns: Vec<ArrayRef> = vec![Arc::new(clients), Arc::new(groups)];
    RecordBatch::try_new(schema, columns).expect("consistent batch")
}

fn write(path: &std::path::Path, batch: &RecordBatch) {
    std::fs::create_dir_all(path.parent().expect("has a folder")).expect("folder");
    let file = std::fs::File::create(path).expect("file");
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(3000))
        .build();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(file, batch.schema(), Some(props)).expect("writer");
    w.write(batch).expect("write");
    w.close().expect("close");
}

const QUERIES: [&str; 5] = [
    "SELECT g, approx_set(client_id), hll_count_init(client_id),
            hll_merge(hll_create(client_id, 12))
     FROM sketches.clients GROUP BY g ORDER BY g",
    "SELECT approx_set(client_id), hll_count_init(client_id, 12), hll_merge(hll_create(client_id, 9))
     FROM sketches.clients",
    "SELECT approx_set(client_id, 0.01), hll_count_init(client_id, 10)
     FROM sketches.clients WHERE g > 0",
    "SELECT cardinality(merge(s)), hll_count_merge(z), hll_cardinality(hll_merge(m))
     FROM (SELECT g, approx_set(client_id) AS s, hll_count_init(client_id) AS z,
                  hll_merge(hll_create(client_id, 12)) AS m
           FROM sketches.clients GROUP BY g)",
    "SELECT hll_count_merge_partial(z), merge(s)
     FROM (SELECT g, approx_set(client_id) AS s, hll_count_init(client_id) AS z
           FROM sketches.clients GROUP BY g)",
];

async fn answers(root: &std::path::Path, partitions: usize, batch_size: usize) -> Vec<String> {
    let mut config = EngineConfig::new(root.to_string_lossy().into_owned());
    config.target_partitions = Some(partitions);
    config.datafusion.insert(
        "datafusion.execution.batch_size".into(),
        batch_size.to_string(),
    );
    let lake = Lake::open(config).await.expect("lake opens");
    let session = lake.session().expect("session");
    let mut out = Vec::new();
    for sql in QUERIES {
        let batches = session
            .collect(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}\nfailed: {}", e.chain_text()));
        let rows = tarn_tests::format::rows(&batches).expect("formattable");
        out.push(format!("{rows:?}"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sketches_do_not_depend_on_how_the_input_is_split() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Six files of uneven sizes: 20,000 rows in all.
    for (file, rows) in [7_000usize, 1, 4_500, 2_999, 5_000, 500].iter().enumerate() {
        let path = dir
            .path()
            .join(format!("sketches/clients/part-{file}.parquet"));
        write(&path, &batch(file as u64, *rows));
    }
    let reference = answers(dir.path(), 1, 8192).await;
    assert!(
        reference[0].contains("\"0\"") && reference[0].contains("\"7\""),
        "every group has a row: {}",
        reference[0]
    );
    for (partitions, batch_size) in [(2, 8192), (5, 1000), (2, 1000)] {
        let other = answers(dir.path(), partitions, batch_size).await;
        for (i, (a, b)) in reference.iter().zip(&other).enumerate() {
            assert_eq!(
                a, b,
                "query {i} differs with {partitions} partitions and batches of {batch_size}"
            );
        }
    }
}
