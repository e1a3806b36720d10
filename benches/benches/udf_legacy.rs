//! The legacy `udf` 28-bit functions on 8,192-row batches of 28-day patterns (5% NULL): the
//! daily clients_last_seen step (shift, combine, coalesce) on two columns, readers on one, and
//! the map helpers on 4-entry arrays.

use std::hint::black_box;
use std::sync::Arc;

use arrow::array::{Int64Array, ListArray, StringArray, StructArray};
use arrow::buffer::OffsetBuffer;
use arrow::datatypes::{DataType, Field, Fields};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::logical_expr::{ColumnarValue, ScalarUDF};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tarn_benches::{ROWS, call, column, int, patterns_28};
use tarn_udfs::legacy;

/// A column of `ARRAY<STRUCT<key STRING, value INT64>>` with `per_row` entries per row.
fn maps(rng: &mut StdRng, per_row: usize) -> ListArray {
    let n = ROWS * per_row;
    let keys: StringArray = (0..n)
        .map(|_| Some(format!("k{}", rng.random_range(0..6))))
        .collect();
    let values: Int64Array = (0..n)
        .map(|_| Some(i64::from(rng.random::<u32>() & 0x0FFF_FFFF)))
        .collect();
    let fields = Fields::from(vec![
        Field::new("key", DataType::Utf8, true),
        Field::new("value", DataType::Int64, true),
    ]);
    let s = StructArray::try_new(fields.clone(), vec![Arc::new(keys), Arc::new(values)], None)
        .expect("consistent");
    ListArray::new(
        Arc::new(Field::new_list_field(DataType::Struct(fields), true)),
        OffsetBuffer::from_lengths(std::iter::repeat_n(per_row, ROWS)),
        Arc::new(s),
        None,
    )
}

fn bench(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(42);
    let prev = patterns_28(&mut rng);
    let curr: Int64Array = (0..ROWS)
        .map(|_| rng.random_bool(0.7).then_some(1))
        .collect();
    let days: Int64Array = (0..ROWS).map(|_| Some(rng.random_range(-2..40))).collect();
    let starts: Int64Array = (0..ROWS).map(|_| Some(rng.random_range(1..30))).collect();
    let lengths: Int64Array = (0..ROWS).map(|_| Some(rng.random_range(0..30))).collect();
    let map_prev = maps(&mut rng, 4);
    let map_curr = maps(&mut rng, 4);
    let pairs = {
        let fields = Fields::from(vec![
            Field::new("c", DataType::Int64, true),
            Field::new("a", DataType::Int64, true),
        ]);
        let s = StructArray::try_new(
            fields.clone(),
            vec![
                Arc::new(patterns_28(&mut rng)),
                Arc::new(patterns_28(&mut rng)),
            ],
            None,
        )
        .expect("consistent");
        // One group of 8,192 clients, as array_agg gives it.
        ListArray::new(
            Arc::new(Field::new_list_field(DataType::Struct(fields), true)),
            OffsetBuffer::from_lengths([ROWS]),
            Arc::new(s),
            None,
        )
    };
    let cases: Vec<(&str, Arc<ScalarUDF>, Vec<ColumnarValue>)> = vec![
        (
            "shift_28_bits_one_day",
            legacy::shift_28_bits_one_day::udf(),
            vec![column(prev.clone())],
        ),
        (
            "shift_one_day",
            legacy::shift_one_day::udf(),
            vec![column(prev.clone())],
        ),
        (
            "combine_adjacent_days_28_bits",
            legacy::combine_adjacent_days_28_bits::udf(),
            vec![column(prev.clone()), column(curr.clone())],
        ),
        (
            "coalesce_adjacent_days_28_bits",
            legacy::coalesce_adjacent_days_28_bits::udf(),
            vec![column(prev.clone()), column(curr)],
        ),
        (
            "days_since_created_profile_as_28_bits",
            legacy::days_since_created_profile_as_28_bits::udf(),
            vec![column(days)],
        ),
        (
            "pos_of_trailing_set_bit",
            legacy::pos_of_trailing_set_bit::udf(),
            vec![column(prev.clone())],
        ),
        (
            "pos_of_leading_set_bit",
            legacy::pos_of_leading_set_bit::udf(),
            vec![column(prev.clone())],
        ),
        (
            "bitcount_lowest_7",
            legacy::bitcount_lowest_7::udf(),
            vec![column(prev.clone())],
        ),
        (
            "active_n_weeks_ago",
            legacy::active_n_weeks_ago::udf(),
            vec![column(prev.clone()), int(1)],
        ),
        (
            "bitmask_range",
            legacy::bitmask_range::udf(),
            vec![column(starts), column(lengths)],
        ),
        (
            "combine_days_seen_maps (4 entries)",
            legacy::combine_days_seen_maps::udf(),
            vec![column(map_prev.clone()), column(map_curr)],
        ),
        (
            "active_values_from_days_seen_map (4 entries)",
            legacy::active_values_from_days_seen_map::udf(),
            vec![column(map_prev), int(-6), int(7)],
        ),
    ];
    let mut group = c.benchmark_group("legacy");
    group.throughput(Throughput::Elements(ROWS as u64));
    for (name, udf, args) in cases {
        let args = call(&udf, args);
        group.bench_function(name, |b| {
            b.iter(|| black_box(udf.invoke_with_args(args.clone()).expect("runs")))
        });
    }
    // An aggregate over one array of 8,192 elements: the per-row cost is per element.
    let smoot = legacy::smoot_usage_from_28_bits::udf();
    let mut args = call(&smoot, vec![column(pairs)]);
    args.number_rows = 1;
    group.bench_function("smoot_usage_from_28_bits (8192 elements)", |b| {
        b.iter(|| black_box(smoot.invoke_with_args(args.clone()).expect("runs")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
