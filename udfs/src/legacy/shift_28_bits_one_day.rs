//! `shift_28_bits_one_day(x)`: a pattern aged by one day, `(x << 1) & 0x0FFFFFFF`; NULL
//! reads as 0.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, Int64Array};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::shift_28;
use crate::columnar::{self, int64_array, values_or};

pub const NAME: &str = "shift_28_bits_one_day";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Shift28BitsOneDayFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for Shift28BitsOneDayFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl Shift28BitsOneDayFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64()]),
            aliases: super::aliases(NAME, &["udf_shift_bits_one_day"]),
        }
    }
}

impl ScalarUDFImpl for Shift28BitsOneDayFunc {
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
            let [x] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            Ok(Arc::new(shift_all(int64_array(NAME, x)?)) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// `IFNULL((x << 1) & 0x0FFFFFFF, 0)` over a column; never NULL.
pub(crate) fn shift_all(x: &Int64Array) -> Int64Array {
    Int64Array::new(values_or(x, 0).iter().map(|&v| shift_28(v)).collect(), None)
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "A 28-day pattern aged by one day, (x << 1) & 0x0FFFFFFF: bit 27 and anything above \
         falls off. NULL gives 0. The filter of the daily clients_last_seen step is \
         shift_28_bits_one_day(days_seen_bits) > 0. Historical names: udf_shift_bits_one_day \
         (and udf_shift_one_day, see shift_one_day). \
         Example: udf.shift_28_bits_one_day(1 << 26) = 1 << 27.",
        "shift_28_bits_one_day(x)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.shift_28_bits_one_day(1) AS a, udf.shift_28_bits_one_day(1 << 27) AS b;\n\
         +---+---+\n| a | b |\n+---+---+\n| 2 | 0 |\n+---+---+\n```",
    )
    .with_argument("x", "INT64 bit pattern.")
    .with_alternative_syntax("udf.shift_28_bits_one_day(x)")
    .build()
});

/// The `shift_28_bits_one_day` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(Shift28BitsOneDayFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: Vec<Option<i64>>) -> Vec<Option<i64>> {
        shift_all(&Int64Array::from(v)).iter().collect()
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.2 `udf.shift_28_bits_one_day`, tests (4).
        assert_eq!(
            s(vec![Some(1), Some(1 << 7), Some(1 << 26), Some(1 << 27)]),
            vec![Some(2), Some(1 << 8), Some(1 << 27), Some(0)]
        );
    }

    #[test]
    fn edges() {
        assert_eq!(
            s(vec![
                None,
                Some(-1),
                Some(i64::MIN),
                Some(i64::MAX),
                Some(1 << 40)
            ]),
            vec![
                Some(0),
                Some(0x0FFF_FFFE),
                Some(0),
                Some(0x0FFF_FFFE),
                Some(0)
            ]
        );
    }
}
