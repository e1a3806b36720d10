//! `pos_of_trailing_set_bit(bits)`: position of the lowest set bit, NULL for 0; the body of
//! `bits28_days_since_seen`, under the legacy name the Glean views use.

use std::sync::{Arc, LazyLock};

use arrow::array::ArrayRef;
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::bits28::days_since_seen::trailing_set_bit;
use crate::columnar::{self, int64_array};

pub const NAME: &str = "pos_of_trailing_set_bit";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PosOfTrailingSetBitFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for PosOfTrailingSetBitFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl PosOfTrailingSetBitFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64()]),
            aliases: super::aliases(NAME, &["udf_bitpos", "udf.bitpos"]),
        }
    }
}

impl ScalarUDFImpl for PosOfTrailingSetBitFunc {
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
            let [bits] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            Ok(Arc::new(trailing_set_bit(int64_array(NAME, bits)?)) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "Position of the lowest set bit over all 64 bits (the trailing-zero count), NULL for \
         0 or NULL: identical to bits28_days_since_seen; the Glean baseline_clients_last_seen \
         views compute their days_since_* columns with it. Historical names: udf_bitpos, \
         udf.bitpos. Example: udf.pos_of_trailing_set_bit(8) = 3.",
        "pos_of_trailing_set_bit(bits)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.pos_of_trailing_set_bit(9) AS p;\n+---+\n| p |\n+---+\n| 0 |\n+---+\n```",
    )
    .with_argument("bits", "INT64 bit pattern.")
    .with_alternative_syntax("udf.pos_of_trailing_set_bit(bits)")
    .build()
});

/// The `pos_of_trailing_set_bit` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(PosOfTrailingSetBitFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use arrow::array::Int64Array;

    use super::*;

    #[test]
    fn repository_vectors() {
        // bits28.md §2.2 `udf.pos_of_trailing_set_bit`, tests (4).
        let got = trailing_set_bit(&Int64Array::from(vec![0, 1, 8, 8 + 1]));
        assert_eq!(
            got.iter().collect::<Vec<_>>(),
            vec![None, Some(0), Some(3), Some(0)]
        );
    }
}
