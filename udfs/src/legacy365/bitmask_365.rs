//! `bitmask_365()`: the 46-byte 365-day pattern with the 365 low bits set.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, BinaryArray};
use arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::days365::MASK;
use crate::columnar;

pub const NAME: &str = "bitmask_365";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Bitmask365Func {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for Bitmask365Func {
    fn default() -> Self {
        Self::new()
    }
}

impl Bitmask365Func {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![]),
            aliases: super::aliases(
                NAME,
                &["udf_bytesmask_365_days", "mozfun.bitmask.bitmask_365"],
            ),
        }
    }
}

impl ScalarUDFImpl for Bitmask365Func {
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
        Ok(DataType::Binary)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        columnar::apply(args, |_| {
            Ok(Arc::new(BinaryArray::from_vec(vec![&MASK[..]])) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "The 46-byte (365-day) BYTES pattern with the 365 low bits set: 0x1F followed by 45 bytes 0xFF. Historical names: udf_bytesmask_365_days, mozfun.bitmask.bitmask_365.          Example: length(udf.bitmask_365()) = 46.",
        "bitmask_365()",
    )
    .with_sql_example(
        "```sql\n> SELECT encode(udf.bitmask_365(), 'hex') AS hex;\n-- 1fffff…ffff (92 hex digits)\n```",
    )
    .with_alternative_syntax("udf.bitmask_365()")
    .build()
});

/// The `bitmask_365` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(Bitmask365Func::new())));
    Arc::clone(&UDF)
}
