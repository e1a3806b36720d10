//! The legacy `udf` 365-day BYTES functions on 8,192-row batches of 46-byte patterns (5% NULL):
//! the daily step (shift, combine, coalesce), today's bits, and the readers.

use std::hint::black_box;
use std::sync::Arc;

use arrow::array::{BooleanArray, Int64Array, ListArray};
use arrow::buffer::OffsetBuffer;
use arrow::datatypes::{DataType, Field};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{ColumnarValue, ScalarUDF};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tarn_benches::{ROWS, call, column, patterns_365};
use tarn_udfs::legacy365;

fn bench(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(42);
    let prev = patterns_365(&mut rng);
    let today: BooleanArray = (0..ROWS).map(|_| Some(rng.random_bool(0.7))).collect();
    let ints: Int64Array = (0..ROWS).map(|_| Some(rng.random::<i64>())).collect();
    let curr = {
        let bits = legacy365::bool_to_365_bits::udf();
        let out = bits
            .invoke_with_args(call(&bits, vec![column(today.clone())]))
            .and_then(|v| v.into_array(ROWS))
            .expect("bool_to_365_bits runs");
        ColumnarValue::Array(out)
    };
    let offsets = {
        let values: Int64Array = (0..ROWS * 8)
            .map(|_| Some(rng.random_range(0..400)))
            .collect();
        ListArray::new(
            Arc::new(Field::new_list_field(DataType::Int64, true)),
            OffsetBuffer::from_lengths(std::iter::repeat_n(8, ROWS)),
            Arc::new(values),
            None,
        )
    };
    let cases: Vec<(&str, Arc<ScalarUDF>, Vec<ColumnarValue>)> = vec![
        (
            "shift_365_bits_one_day",
            legacy365::shift_365_bits_one_day::udf(),
            vec![column(prev.clone())],
        ),
        (
            "combine_adjacent_days_365_bits",
            legacy365::combine_adjacent_days_365_bits::udf(),
            vec![column(prev.clone()), curr.clone()],
        ),
        (
            "coalesce_adjacent_days_365_bits",
            legacy365::coalesce_adjacent_days_365_bits::udf(),
            vec![column(prev.clone()), curr],
        ),
        (
            "bool_to_365_bits",
            legacy365::bool_to_365_bits::udf(),
            vec![column(today)],
        ),
        (
            "int_to_365_bits",
            legacy365::int_to_365_bits::udf(),
            vec![column(ints.clone())],
        ),
        (
            "int_to_hex_string",
            legacy365::int_to_hex_string::udf(),
            vec![column(ints)],
        ),
        (
            "bits_to_days_seen",
            legacy365::bits_to_days_seen::udf(),
            vec![column(prev.clone())],
        ),
        (
            "bits_to_days_since_seen",
            legacy365::bits_to_days_since_seen::udf(),
            vec![column(prev.clone())],
        ),
        (
            "bits_to_days_since_first_seen",
            legacy365::bits_to_days_since_first_seen::udf(),
            vec![column(prev.clone())],
        ),
        (
            "bits_to_active_n_weeks_ago",
            legacy365::bits_to_active_n_weeks_ago::udf(),
            vec![
                column(prev.clone()),
                ColumnarValue::Scalar(ScalarValue::Int64(Some(3))),
            ],
        ),
        (
            "days_seen_bytes_to_rfm",
            legacy365::days_seen_bytes_to_rfm::udf(),
            vec![column(prev)],
        ),
        (
            "bits_from_offsets (8 offsets)",
            legacy365::bits_from_offsets::udf(),
            vec![column(offsets)],
        ),
    ];
    let mut group = c.benchmark_group("legacy365");
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
