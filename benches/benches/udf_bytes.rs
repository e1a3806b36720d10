//! The mozfun `bytes` functions on 8,192-row batches of 46-byte (365-day) patterns, 5% NULL.

use std::hint::black_box;
use std::sync::Arc;

use arrow::array::{ArrayRef, BinaryArray, Int64Array};
use arrow::datatypes::Field;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tarn_udfs::bytes;

const ROWS: usize = 8192;

/// Random 365-day patterns (46 bytes, the top 3 bits clear), 5% NULL.
fn patterns(rng: &mut StdRng) -> BinaryArray {
    let rows: Vec<Option<Vec<u8>>> = (0..ROWS)
        .map(|_| {
            (!rng.random_bool(0.05)).then(|| {
                let mut b: Vec<u8> = (0..46).map(|_| rng.random()).collect();
                b[0] &= 0x1F;
                b
            })
        })
        .collect();
    rows.iter().map(|r| r.as_deref()).collect()
}

fn call(udf: &ScalarUDF, args: Vec<ColumnarValue>) -> ScalarFunctionArgs {
    let types: Vec<_> = args.iter().map(ColumnarValue::data_type).collect();
    let arg_fields = types
        .iter()
        .enumerate()
        .map(|(i, t)| Arc::new(Field::new(format!("a{i}"), t.clone(), true)))
        .collect();
    let return_type = udf
        .return_type(&types)
        .expect("argument types are accepted");
    ScalarFunctionArgs {
        args,
        arg_fields,
        number_rows: ROWS,
        return_field: Arc::new(Field::new("r", return_type, true)),
        config_options: Arc::default(),
    }
}

fn column(a: impl arrow::array::Array + 'static) -> ColumnarValue {
    ColumnarValue::Array(Arc::new(a) as ArrayRef)
}

fn int(v: i64) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::Int64(Some(v)))
}

fn bench(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(42);
    let bytes_col = patterns(&mut rng);
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
