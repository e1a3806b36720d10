//! `one_as_365_bits()`: the 46-byte 365-day pattern with only bit 0 (today) set.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, BinaryArray};
use arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::days365::ONE;
use crate::columnar;

pub const NAME: &str = "one_as_365_bits";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct OneAs365BitsFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for OneAs365BitsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl OneAs365BitsFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![]),
            aliases: super::aliases(NAME, &["udf_zeroed_364_days_active_1_bytes"]),
        }
    }
}

impl ScalarUDFImpl for OneAs365BitsFunc {
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
            Ok(Arc::new(BinaryArray::from_vec(vec![&ONE[..]])) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "The 46-byte (365-day) BYTES pattern with only bit 0 (today) set: 45 zero bytes then 0x01, the ONE of the 365-day functions' documentation. Historical name: udf_zeroed_364_days_active_1_bytes.          Example: length(udf.one_as_365_bits()) = 46.",
        "one_as_365_bits()",
    )
    .with_sql_example(
        "```sql\n> SELECT encode(udf.one_as_365_bits(), 'hex') AS hex;\n-- 000000…0001 (92 hex digits)\n```",
    )
    .with_alternative_syntax("udf.one_as_365_bits()")
    .build()
});

/// The `one_as_365_bits` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(OneAs365BitsFunc::new())));
    Arc::clone(&UDF)
}
