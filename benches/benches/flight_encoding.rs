//! Arrow Flight encoding and decoding of a result stream, the server's and the client's side of
//! a DoGet without the network: 1,000,000 rows of the four columns `flight_throughput.py`
//! streams (id, bucket, amount, label) in batches of 8,192 rows.
//!
//! Run with `cargo bench --bench flight_encoding`.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow_flight::FlightData;
use arrow_flight::decode::FlightRecordBatchStream;
use arrow_flight::encode::FlightDataEncoderBuilder;
use arrow_flight::error::FlightError;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::{StreamExt, TryStreamExt};

const ROWS: i64 = 1_000_000;
const BATCH: i64 = 8192;

fn batches() -> Vec<RecordBatch> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("bucket", DataType::Int64, false),
        Field::new("amount", DataType::Float64, false),
        Field::new("label", DataType::Utf8, false),
    ]));
    (0..ROWS)
        .step_by(BATCH as usize)
        .map(|start| {
            let ids: Vec<i64> = (start..(start + BATCH).min(ROWS)).collect();
            let columns: Vec<ArrayRef> = vec![
                Arc::new(Int64Array::from(ids.clone())),
                Arc::new(ids.iter().map(|v| v % 1000).collect::<Int64Array>()),
                Arc::new(
                    ids.iter()
                        .map(|&v| v as f64 * 0.5)
                        .collect::<Float64Array>(),
                ),
                Arc::new(
                    ids.iter()
                        .map(|v| Some(format!("client-{}", v % 100_000)))
                        .collect::<StringArray>(),
                ),
            ];
            RecordBatch::try_new(Arc::clone(&schema), columns).expect("batch")
        })
        .collect()
}

/// Every message of the stream, as a client would receive them.
async fn encode(batches: &[RecordBatch]) -> Vec<FlightData> {
    encoder(batches).try_collect().await.expect("encodes")
}

/// The bytes of every message, each dropped once counted, as a server streams them.
async fn encoded_bytes(batches: &[RecordBatch]) -> usize {
    encoder(batches)
        .map(|m| {
            let m = m.expect("encodes");
            m.data_header.len() + m.data_body.len()
        })
        .fold(0, |n, bytes| async move { n + bytes })
        .await
}

fn encoder(
    batches: &[RecordBatch],
) -> impl futures::Stream<Item = Result<FlightData, FlightError>> + use<> {
    // The encoder needs an owned ('static) stream; cloning batches only bumps Arc counts.
    let owned: Vec<RecordBatch> = batches.to_vec();
    let input = futures::stream::iter(owned.into_iter().map(Ok::<_, FlightError>));
    FlightDataEncoderBuilder::new().build(input)
}

async fn decode(messages: Vec<FlightData>) -> usize {
    let input = futures::stream::iter(messages.into_iter().map(Ok::<_, FlightError>));
    FlightRecordBatchStream::new_from_flight_data(input)
        .map(|b| b.expect("decodes").num_rows())
        .fold(0, |n, rows| async move { n + rows })
        .await
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let input = batches();
    let bytes: usize = input.iter().map(RecordBatch::get_array_memory_size).sum();
    let encoded = rt.block_on(encode(&input));

    let mut g = c.benchmark_group("flight_1m_rows");
    g.sample_size(20)
        .throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("encode", |b| b.iter(|| rt.block_on(encoded_bytes(&input))));
    g.bench_function("decode", |b| {
        b.iter(|| rt.block_on(decode(encoded.clone())));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
