//! `bits_to_days_since_seen(b)`: days since the most recent active day of a BYTES pattern.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, Int64Builder};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::bytes::bitstring::lowest_set_bit;
use crate::columnar::{self, Bytes};

pub const NAME: &str = "bits_to_days_since_seen";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BitsToDaysSinceSeenFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for BitsToDaysSinceSeenFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl BitsToDaysSinceSeenFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::bytes()]),
            aliases: super::aliases(NAME, &["udf_bits_to_last_seen_int"]),
        }
    }
}

impl ScalarUDFImpl for BitsToDaysSinceSeenFunc {
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
            let [b] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            let b = Bytes::try_new(NAME, b)?;
            let mut out = Int64Builder::with_capacity(b.len());
            b.try_for_each(|_, v| {
                out.append_option(v.and_then(lowest_set_bit));
                Ok(())
            })?;
            Ok(Arc::new(out.finish()) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "Days since the most recent active day of a BYTES pattern: the position of its lowest set bit, over any length. NULL when no bit is set, for b'' and for NULL. bits_to_days_since_seen(~b) counts consecutive days seen. Historical name: udf_bits_to_last_seen_int. Example: udf.bits_to_days_since_seen(X'0100') = 8.",
        "bits_to_days_since_seen(b)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.bits_to_days_since_seen(X'000A00') AS n;\n+---+\n| n |\n+---+\n| 9 |\n+---+\n```",
    )
    .with_argument("b", "BYTES pattern, big-endian (bit 0 = today).")
    .with_alternative_syntax("udf.bits_to_days_since_seen(b)")
    .build()
});

/// The `bits_to_days_since_seen` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(BitsToDaysSinceSeenFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    #[test]
    fn repository_vectors() {
        // bits28.md §2.4 `udf.bits_to_days_since_seen`, tests (10; the 46-byte ones are in the .slt).
        assert_eq!(super::lowest_set_bit(&[0x00, 0x01]), Some(0));
        assert_eq!(super::lowest_set_bit(&[0, 0, 0, 1]), Some(0));
        assert_eq!(super::lowest_set_bit(&[0x01, 0x00]), Some(8));
        assert_eq!(super::lowest_set_bit(&[0, 0]), None);
        assert_eq!(
            super::lowest_set_bit(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 3]),
            Some(0)
        );
        assert_eq!(
            super::lowest_set_bit(&[0xF0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            Some(76)
        );
    }
}
