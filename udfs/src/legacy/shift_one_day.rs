//! `shift_one_day(x)`: the same body as `shift_28_bits_one_day`, under its older name.

use std::sync::{Arc, LazyLock};

use arrow::array::ArrayRef;
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::shift_28_bits_one_day::shift_all;
use crate::columnar::{self, int64_array};

pub const NAME: &str = "shift_one_day";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ShiftOneDayFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for ShiftOneDayFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl ShiftOneDayFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64()]),
            aliases: super::aliases(NAME, &[]),
        }
    }
}

impl ScalarUDFImpl for ShiftOneDayFunc {
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

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "Identical to shift_28_bits_one_day: (x << 1) & 0x0FFFFFFF, NULL gives 0. Also \
         registered as the historical udf_shift_one_day. Example: udf.shift_one_day(2) = 4.",
        "shift_one_day(x)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.shift_one_day(2) AS a, udf.shift_one_day(NULL) AS b;\n\
         +---+---+\n| a | b |\n+---+---+\n| 4 | 0 |\n+---+---+\n```",
    )
    .with_argument("x", "INT64 bit pattern.")
    .with_alternative_syntax("udf.shift_one_day(x)")
    .build()
});

/// The `shift_one_day` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(ShiftOneDayFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use arrow::array::Int64Array;

    use super::*;

    #[test]
    fn repository_vectors() {
        // bits28.md §2.2 `udf.shift_one_day`, tests (2).
        let got = shift_all(&Int64Array::from(vec![Some(2), None]));
        assert_eq!(got.iter().collect::<Vec<_>>(), vec![Some(4), Some(0)]);
    }
}
