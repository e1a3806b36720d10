//! `bits_to_days_seen(b)`: number of days a BYTES pattern marks active.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, Int64Builder};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::bytes::bitstring::count_ones;
use crate::columnar::{self, Bytes};

pub const NAME: &str = "bits_to_days_seen";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BitsToDaysSeenFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for BitsToDaysSeenFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl BitsToDaysSeenFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::bytes()]),
            aliases: super::aliases(NAME, &["udf_bits_to_days_seen_int"]),
        }
    }
}

impl ScalarUDFImpl for BitsToDaysSeenFunc {
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
                out.append_option(v.map(count_ones));
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
        "Number of days a BYTES pattern marks active: BIT_COUNT(b), over any length. NULL gives NULL. Historical name: udf_bits_to_days_seen_int. Example: udf.bits_to_days_seen(X'FFFF') = 16.",
        "bits_to_days_seen(b)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.bits_to_days_seen(X'03') AS n;\n+---+\n| n |\n+---+\n| 2 |\n+---+\n```",
    )
    .with_argument("b", "BYTES pattern, big-endian (bit 0 = today).")
    .with_alternative_syntax("udf.bits_to_days_seen(b)")
    .build()
});

/// The `bits_to_days_seen` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(BitsToDaysSeenFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    #[test]
    fn repository_vectors() {
        // bits28.md §2.4 `udf.bits_to_days_seen`, tests (3).
        assert_eq!(Some(super::count_ones(&[0x00])), Some(0));
        assert_eq!(Some(super::count_ones(&[0x03])), Some(2));
        assert_eq!(Some(super::count_ones(&[0xFF, 0xFF])), Some(16));
    }
}
