//! The mozfun `bits28` functions and `bit_count` on 8,192-row batches of 28-day patterns (5%
//! NULL), invoked as DataFusion does: a column of patterns, literal offsets.

use std::hint::black_box;
use std::sync::Arc;

use arrow::array::{Date32Array, StringArray};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::logical_expr::{ColumnarValue, ScalarUDF};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tarn_benches::{ROWS, call, column, int, patterns_28};
use tarn_udfs::{bits28, bitwise};

fn bench(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(42);
    let bits = patterns_28(&mut rng);
    let dates = Date32Array::from(vec![20_000; ROWS]);
    let strings: StringArray = (0..ROWS)
        .map(|_| Some(format!("{:028b}", rng.random::<u32>() & 0x0FFF_FFFF)))
        .collect();
    let cases: Vec<(&str, Arc<ScalarUDF>, Vec<ColumnarValue>)> = vec![
        (
            "days_since_seen",
            bits28::days_since_seen::udf(),
            vec![column(bits.clone())],
        ),
        (
            "range",
            bits28::range::udf(),
            vec![column(bits.clone()), int(-13), int(7)],
        ),
        (
            "active_in_range",
            bits28::active_in_range::udf(),
            vec![column(bits.clone()), int(-13), int(7)],
        ),
        (
            "to_string",
            bits28::to_string::udf(),
            vec![column(bits.clone())],
        ),
        (
            "from_string",
            bits28::from_string::udf(),
            vec![column(strings)],
        ),
        (
            "to_dates",
            bits28::to_dates::udf(),
            vec![column(bits.clone()), column(dates.clone())],
        ),
        (
            "retention",
            bits28::retention::udf(),
            vec![column(bits.clone()), column(dates)],
        ),
        ("bit_count", bitwise::bit_count::udf(), vec![column(bits)]),
    ];
    let mut group = c.benchmark_group("bits28");
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
