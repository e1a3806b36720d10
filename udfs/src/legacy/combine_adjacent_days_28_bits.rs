//! `combine_adjacent_days_28_bits(prev, curr)`: yesterday's pattern aged one day, OR today's
//! bits; the daily step of every `clients_last_seen` usage column. NULLs read as 0.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, Int64Array};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::shift_28;
use crate::columnar::{self, int64_array, values_or};

pub const NAME: &str = "combine_adjacent_days_28_bits";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CombineAdjacentDays28BitsFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for CombineAdjacentDays28BitsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl CombineAdjacentDays28BitsFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64(), columnar::int64()]),
            aliases: super::aliases(NAME, &["udf_combine_adjacent_days_bits"]),
        }
    }
}

impl ScalarUDFImpl for CombineAdjacentDays28BitsFunc {
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
            let [prev, curr] = a else {
                return exec_err!("{NAME}: expected 2 arguments");
            };
            let out = combine(int64_array(NAME, prev)?, int64_array(NAME, curr)?);
            Ok(Arc::new(out) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// `shift_28_bits_one_day(prev) | IFNULL(curr, 0)`; never NULL. `curr` is not masked.
pub(crate) fn combine(prev: &Int64Array, curr: &Int64Array) -> Int64Array {
    let (p, c) = (values_or(prev, 0), values_or(curr, 0));
    let out = p.iter().zip(c.iter()).map(|(&p, &c)| shift_28(p) | c);
    Int64Array::new(out.collect(), None)
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "The daily step of a usage-history column: yesterday's pattern aged one day, OR \
         today's bits, shift_28_bits_one_day(prev) | IFNULL(curr, 0). NULLs read as 0; curr \
         is not masked. The historical udf_combine_adjacent_days_bits (which added instead \
         of OR-ing, the same for any real input) is an alias. \
         Example: udf.combine_adjacent_days_28_bits(1, 1) = 3.",
        "combine_adjacent_days_28_bits(prev, curr)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.combine_adjacent_days_28_bits(3, 4) AS a, \
         udf.combine_adjacent_days_28_bits(2, NULL) AS b;\n\
         +---+---+\n| a | b |\n+---+---+\n| 6 | 4 |\n+---+---+\n```",
    )
    .with_argument("prev", "INT64 pattern of the previous day.")
    .with_argument("curr", "INT64 bits of the current day (0 or 1 usually).")
    .with_alternative_syntax("udf.combine_adjacent_days_28_bits(prev, curr)")
    .build()
});

/// The `combine_adjacent_days_28_bits` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| {
        Arc::new(ScalarUDF::new_from_impl(
            CombineAdjacentDays28BitsFunc::new(),
        ))
    });
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(p: Option<i64>, q: Option<i64>) -> i64 {
        combine(&Int64Array::from(vec![p]), &Int64Array::from(vec![q])).value(0)
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.2 `udf.combine_adjacent_days_28_bits`, tests (4).
        assert_eq!(c(Some(1), Some(1)), 3);
        assert_eq!(c(Some(2), Some(4)), 4);
        assert_eq!(c(Some(3), Some(4)), 6);
        assert_eq!(c(Some(2), None), 4);
    }

    #[test]
    fn edges() {
        assert_eq!(c(None, None), 0);
        assert_eq!(c(None, Some(1 << 40)), 1 << 40);
        assert_eq!(c(Some(-1), Some(1)), 0x0FFF_FFFF);
    }
}
