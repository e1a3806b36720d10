//! `bitcount_lowest_7(x)`: active days in the last 7 days of a pattern, today included.

use std::sync::{Arc, LazyLock};

use arrow::array::ArrayRef;
use arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::columnar::{self, int64_array};

pub const NAME: &str = "bitcount_lowest_7";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BitcountLowest7Func {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for BitcountLowest7Func {
    fn default() -> Self {
        Self::new()
    }
}

impl BitcountLowest7Func {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64()]),
            aliases: super::aliases(NAME, &[]),
        }
    }
}

impl ScalarUDFImpl for BitcountLowest7Func {
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
            let out = int64_array(NAME, x)?.unary::<_, Int64Type>(bitcount_lowest_7);
            Ok(Arc::new(out) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// `BIT_COUNT(x & 0x7F)`.
fn bitcount_lowest_7(x: i64) -> i64 {
    i64::from((x & 0x7F).count_ones())
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "Number of set bits among the 7 lowest, BIT_COUNT(x & 0x7F): active days in the last \
         7 days, today included. NULL gives NULL. Example: udf.bitcount_lowest_7(255) = 7.",
        "bitcount_lowest_7(x)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.bitcount_lowest_7(2) AS days;\n+------+\n| days |\n+------+\n| 1    |\n+------+\n```",
    )
    .with_argument("x", "INT64 bit pattern.")
    .with_alternative_syntax("udf.bitcount_lowest_7(x)")
    .build()
});

/// The `bitcount_lowest_7` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(BitcountLowest7Func::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::bitcount_lowest_7 as c;

    #[test]
    fn repository_vectors() {
        // bits28.md §2.2 `udf.bitcount_lowest_7`, tests (2).
        assert_eq!(c(255), 7);
        assert_eq!(c(2), 1);
    }

    #[test]
    fn edges() {
        assert_eq!(c(-1), 7);
        assert_eq!(c(i64::MIN), 0);
        assert_eq!(c(0x80), 0);
    }
}
