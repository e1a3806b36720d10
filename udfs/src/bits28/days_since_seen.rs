//! `bits28_days_since_seen(bits)`: days since the most recent active day of a pattern (the
//! position of its lowest set bit), or NULL when there is none.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, Int64Array};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::columnar::{self, int64_array};

pub const NAME: &str = "bits28_days_since_seen";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DaysSinceSeenFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for DaysSinceSeenFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl DaysSinceSeenFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64()]),
            aliases: super::aliases(NAME),
        }
    }
}

impl ScalarUDFImpl for DaysSinceSeenFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        columnar::apply(args, |a| {
            let [bits] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            Ok(Arc::new(trailing_set_bit(int64_array(NAME, bits)?)) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// `CAST(SAFE.LOG(bits & -bits, 2) AS INT64)`: the count of trailing zeros over all 64 bits;
/// NULL for 0 and NULL.
///
/// `INT64_MIN` (only bit 63 set) gives 63. BigQuery's `-bits` would overflow there (an
/// untested case, bits28.md §5.9); tarn reads the pattern instead, as `bits28_to_dates` does.
pub(crate) fn trailing_set_bit(bits: &Int64Array) -> Int64Array {
    let v = bits.values();
    let days = v.iter().map(|b| i64::from(b.trailing_zeros())).collect();
    let seen = NullBuffer::new(BooleanBuffer::collect_bool(v.len(), |i| v[i] != 0));
    Int64Array::new(days, NullBuffer::union(bits.nulls(), Some(&seen)))
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "Days since the most recent active day of a pattern: the position of its lowest set \
         bit, over all 64 bits. NULL when no bit is set or bits is NULL. \
         Example: bits28.days_since_seen(18) = 1.",
        "bits28_days_since_seen(bits)",
    )
    .with_sql_example(
        "```sql\n> SELECT bits28.days_since_seen(18) AS d, bits28.days_since_seen(0) AS never;\n\
         +---+-------+\n| d | never |\n+---+-------+\n| 1 | NULL  |\n+---+-------+\n```",
    )
    .with_argument("bits", "INT64 bit pattern (bit k = active k days ago).")
    .with_alternative_syntax("bits28.days_since_seen(bits)")
    .with_alternative_syntax("mozfun.bits28.days_since_seen(bits)")
    .build()
});

/// The `bits28_days_since_seen` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(DaysSinceSeenFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(v: Vec<Option<i64>>) -> Vec<Option<i64>> {
        trailing_set_bit(&Int64Array::from(v)).iter().collect()
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.1 `bits28.days_since_seen`, tests (4), and doc example 18 → 1.
        assert_eq!(
            days(vec![Some(0), Some(1), Some(8), Some(8 + 1), Some(18)]),
            vec![None, Some(0), Some(3), Some(0), Some(1)]
        );
    }

    #[test]
    fn all_64_bits_count() {
        assert_eq!(
            days(vec![
                Some(1 << 40),
                Some(-1),
                Some(-8),
                Some(i64::MIN),
                None
            ]),
            vec![Some(40), Some(0), Some(3), Some(63), None]
        );
    }
}
