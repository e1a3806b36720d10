//! The mozfun `bytes` functions on 8,192-row batches of 46-byte (365-day) patterns, 5% NULL.

use std::hint::black_box;
use std::sync::Arc;

use arrow::array::Int64Array;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::logical_expr::{ColumnarValue, ScalarUDF};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tarn_benches::{ROWS, call, column, int, patterns_365};
use tarn_udfs::bytes;

fn bench(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(42);
    let bytes_col = patterns_365(&mut rng);
    let positions: Int64Array = (0..ROWS)
        .map(|_| Some(rng.random_range(-400..400)))
        .collect();
    let cases: Vec<(&str, Arc<ScalarUDF>, Vec<ColumnarValue>)> = vec![
        (
            "extract_bits (last 28 days)",
            bytes::extract_bits::udf(),
            vec![column(bytes_col.clone()), int(-28), int(28)],
        ),
        (
            "zero_right",
            bytes::zero_right::udf(),
            vec![column(bytes_col), int(7)],
        ),
        (
            "bit_pos_to_byte_pos",
            bytes::bit_pos_to_byte_pos::udf(),
            vec![column(positions)],
        ),
    ];
    let mut group = c.benchmark_group("bytes");
    group.throughput(Throughput::Elements(ROWS as u64));
    for (name, udf, args) in cases {
        let args = call(&udf, args);
        group.bench_function(name, |b| {
            b.iter(|| black_box(udf.invoke_with_args(args.clone()).expect("runs")))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
