//! `active_values_from_days_seen_map(days_seen_bits_map, start_offset, n_bits)`: the distinct
//! keys of a map whose pattern is active in a `bits28_active_in_range` window.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, ListArray, StringBuilder};
use arrow::buffer::OffsetBuffer;
use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

use super::keyed_bits::{KeyedBits, accepted};
use crate::bits28::bit_range::{Caller, window};
use crate::columnar::{self, at, int64_array};

pub const NAME: &str = "active_values_from_days_seen_map";

/// BigQuery's body calls `udf.bits28_active_in_range`, whose messages name it.
const WHO: Caller<'static> = Caller {
    function: NAME,
    call: "bits28_active_in_range",
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ActiveValuesFromDaysSeenMapFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for ActiveValuesFromDaysSeenMapFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl ActiveValuesFromDaysSeenMapFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            aliases: super::aliases(NAME, &[]),
        }
    }
}

fn item() -> FieldRef {
    Arc::new(Field::new_list_field(DataType::Utf8, true))
}

impl ScalarUDFImpl for ActiveValuesFromDaysSeenMapFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [m, s, n] if accepted(m, 1) && columnar::is_integer(s) && columnar::is_integer(n) => {
                Ok(vec![m.clone(), DataType::Int64, DataType::Int64])
            }
            _ => plan_err!(
                "{NAME}: expected (ARRAY<STRUCT<key STRING, value INT64>>, INT64, INT64), got \
                 {arg_types:?}"
            ),
        }
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::List(item()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        columnar::apply(args, |a| {
            let [map, start, n] = a else {
                return exec_err!("{NAME}: expected 3 arguments");
            };
            let map = KeyedBits::decode(NAME, map, 1)?;
            let (start, n) = (int64_array(NAME, start)?, int64_array(NAME, n)?);
            Ok(Arc::new(active_keys(&map, |row| (at(start, row), at(n, row)))?) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// `ARRAY(SELECT DISTINCT key FROM UNNEST(map) WHERE bits28_active_in_range(value, s, n))`,
/// keys in the order they first pass. The window is checked for every element, as BigQuery
/// evaluates the WHERE clause per element (an empty map checks nothing).
fn active_keys(
    map: &KeyedBits,
    window_of: impl Fn(usize) -> (Option<i64>, Option<i64>),
) -> Result<ListArray> {
    let keys = &map.keys[0];
    let mut out = StringBuilder::new();
    let mut lengths = Vec::with_capacity(map.list.len());
    // The keys of the current row so far; reused, so rows allocate nothing.
    let mut emitted: Vec<Option<&str>> = Vec::new();
    for row in 0..map.list.len() {
        let (start, n) = window_of(row);
        emitted.clear();
        for i in map.elements(row) {
            let bits = at(&map.bits, i);
            let active = window(WHO, bits, start, n)?.and_then(|w| Some(w.read(bits?) != 0));
            let key = keys.is_valid(i).then(|| keys.value(i));
            if active == Some(true) && !emitted.contains(&key) {
                emitted.push(key);
                out.append_option(key);
            }
        }
        lengths.push(emitted.len());
    }
    Ok(ListArray::try_new(
        item(),
        OffsetBuffer::from_lengths(lengths),
        Arc::new(out.finish()),
        None,
    )?)
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "The distinct keys of an ARRAY<STRUCT<key STRING, value INT64>> whose pattern is \
         active in the window bits28_active_in_range(value, start_offset, n_bits) reads, in \
         the order they first appear. Errors as bits28_active_in_range. \
         Example: udf.active_values_from_days_seen_map([('a', 2048), ('b', 3)], -14, 7) = ['a'].",
        "active_values_from_days_seen_map(days_seen_bits_map, start_offset, n_bits)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.active_values_from_days_seen_map(\n\
         \x20   [named_struct('key', 'a', 'value', 1), named_struct('key', 'b', 'value', 3)], 0, 1) AS k;\n\
         +--------+\n| k      |\n+--------+\n| [a, b] |\n+--------+\n```",
    )
    .with_argument("days_seen_bits_map", "ARRAY<STRUCT<key STRING, value INT64>>.")
    .with_argument("start_offset", "INT64 first day, 0 or negative.")
    .with_argument("n_bits", "INT64 number of days.")
    .with_alternative_syntax("udf.active_values_from_days_seen_map(days_seen_bits_map, start_offset, n_bits)")
    .build()
});

/// The `active_values_from_days_seen_map` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| {
        Arc::new(ScalarUDF::new_from_impl(
            ActiveValuesFromDaysSeenMapFunc::new(),
        ))
    });
    Arc::clone(&UDF)
}
