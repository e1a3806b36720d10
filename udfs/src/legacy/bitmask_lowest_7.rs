//! `bitmask_lowest_7()`: the constant 127, a mask of the 7 lowest bits.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, Int64Array};
use arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::columnar;

pub const NAME: &str = "bitmask_lowest_7";

/// The mask.
pub const MASK: i64 = 0x7F;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BitmaskLowest7Func {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for BitmaskLowest7Func {
    fn default() -> Self {
        Self::new()
    }
}

impl BitmaskLowest7Func {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![]),
            aliases: super::aliases(NAME, &[]),
        }
    }
}

impl ScalarUDFImpl for BitmaskLowest7Func {
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
        columnar::apply(args, |_| {
            Ok(Arc::new(Int64Array::from(vec![MASK])) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "The INT64 127 (0x7F): a mask of the last 7 days (the current week) of a pattern; equals udf.bitmask_range(1, 7). Example: days_seen_bits & udf.bitmask_lowest_7().",
        "bitmask_lowest_7()",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.bitmask_lowest_7() AS m;\n+-----+\n| m   |\n+-----+\n| 127 |\n+-----+\n```",
    )
    .with_alternative_syntax("udf.bitmask_lowest_7()")
    .build()
});

/// The `bitmask_lowest_7` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(BitmaskLowest7Func::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    #[test]
    fn mask_is_the_low_bits() {
        assert_eq!(super::MASK, 127);
        assert_eq!(super::MASK, (1 << 7) - 1);
    }
}
