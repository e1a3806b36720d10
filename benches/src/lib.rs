//! tarn's benchmarks. The bench targets, one per subject:
//!
//! * `benches/udf_bits28.rs`, `udf_legacy.rs`, `udf_legacy365.rs`, `udf_bytes.rs`: the
//!   usage-history bit kernels on 8,192-row batches (`cargo bench --bench udf_bits28`, …);
//! * `benches/hll_aggregate.rs`: HyperLogLog sketch aggregation and merging through SQL, next
//!   to DataFusion's `approx_distinct`;
//! * `benches/lake_listing.rs`: listing, footer reads and partition pruning on 2,000
//!   partitions;
//! * `benches/flight_encoding.rs`: Arrow Flight encoding and decoding of a result stream;
//! * `flight_throughput.py`: a large result streamed to an ADBC client over Flight SQL, next
//!   to the same query in process.
//!
//! This library holds what the bit-kernel benches share: the batch size, random usage
//! patterns and the arguments of one scalar function call.

use std::sync::Arc;

use arrow::array::{ArrayRef, BinaryArray, Int64Array};
use arrow::datatypes::Field;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF};
use rand::Rng;
use rand::rngs::StdRng;

/// Rows per batch: DataFusion's default batch size.
pub const ROWS: usize = 8192;

/// Random 28-day patterns, 5% NULL.
pub fn patterns_28(rng: &mut StdRng) -> Int64Array {
    (0..ROWS)
        .map(|_| (!rng.random_bool(0.05)).then(|| i64::from(rng.random::<u32>() & 0x0FFF_FFFF)))
        .collect()
}

/// Random 365-day patterns (46 bytes, the top 3 bits clear), 5% NULL.
pub fn patterns_365(rng: &mut StdRng) -> BinaryArray {
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

/// `udf`'s arguments for one batch of `ROWS` rows, built once.
///
/// # Panics
/// When `udf` refuses the argument types (a bench bug).
#[must_use]
pub fn call(udf: &ScalarUDF, args: Vec<ColumnarValue>) -> ScalarFunctionArgs {
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

/// An array argument.
pub fn column(a: impl arrow::array::Array + 'static) -> ColumnarValue {
    ColumnarValue::Array(Arc::new(a) as ArrayRef)
}

/// A literal BIGINT argument.
#[must_use]
pub fn int(v: i64) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::Int64(Some(v)))
}
