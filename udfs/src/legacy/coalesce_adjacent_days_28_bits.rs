//! `coalesce_adjacent_days_28_bits(prev, curr)`: yesterday's pattern aged one day unless it
//! became 0, else today's; keeps the first reported profile-creation bit.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, Int64Array};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::shift_28;
use crate::columnar::{self, int64_array, values_or};

pub const NAME: &str = "coalesce_adjacent_days_28_bits";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CoalesceAdjacentDays28BitsFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for CoalesceAdjacentDays28BitsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl CoalesceAdjacentDays28BitsFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64(), columnar::int64()]),
            aliases: super::aliases(
                NAME,
                &["udf_coalesce_adjacent_days_bits", "udf_coalesce_days_bits"],
            ),
        }
    }
}

impl ScalarUDFImpl for CoalesceAdjacentDays28BitsFunc {
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
            let out = coalesce(int64_array(NAME, prev)?, int64_array(NAME, curr)?);
            Ok(Arc::new(out) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// `COALESCE(NULLIF(shift_28_bits_one_day(prev), 0), curr, 0)`; never NULL.
pub(crate) fn coalesce(prev: &Int64Array, curr: &Int64Array) -> Int64Array {
    let (p, c) = (values_or(prev, 0), values_or(curr, 0));
    let out = p.iter().zip(c.iter()).map(|(&p, &c)| {
        let aged = shift_28(p);
        if aged != 0 { aged } else { c }
    });
    Int64Array::new(out.collect(), None)
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "Yesterday's pattern aged one day if still non-zero, else today's: \
         COALESCE(NULLIF(shift_28_bits_one_day(prev), 0), curr, 0). Keeps the first reported \
         bit, as days_created_profile_bits needs. NULLs read as 0. Historical names: \
         udf_coalesce_adjacent_days_bits, udf_coalesce_days_bits. \
         Example: udf.coalesce_adjacent_days_28_bits(1, 64) = 2.",
        "coalesce_adjacent_days_28_bits(prev, curr)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.coalesce_adjacent_days_28_bits(64, 1) AS a, \
         udf.coalesce_adjacent_days_28_bits(0, 64) AS b;\n\
         +-----+----+\n| a   | b  |\n+-----+----+\n| 128 | 64 |\n+-----+----+\n```",
    )
    .with_argument("prev", "INT64 pattern of the previous day.")
    .with_argument("curr", "INT64 bits of the current day.")
    .with_alternative_syntax("udf.coalesce_adjacent_days_28_bits(prev, curr)")
    .build()
});

/// The `coalesce_adjacent_days_28_bits` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| {
        Arc::new(ScalarUDF::new_from_impl(
            CoalesceAdjacentDays28BitsFunc::new(),
        ))
    });
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(p: Option<i64>, q: Option<i64>) -> i64 {
        coalesce(&Int64Array::from(vec![p]), &Int64Array::from(vec![q])).value(0)
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.2 `udf.coalesce_adjacent_days_28_bits`, tests (5).
        assert_eq!(c(Some(1), Some(64)), 2);
        assert_eq!(c(Some(64), Some(1)), 128);
        assert_eq!(c(Some(0), Some(64)), 64);
        assert_eq!(c(None, Some(64)), 64);
        assert_eq!(c(None, None), 0);
    }

    #[test]
    fn aged_out_bits_give_way() {
        assert_eq!(c(Some(1 << 27), Some(1)), 1);
        assert_eq!(c(Some(i64::MIN), Some(5)), 5);
    }
}
