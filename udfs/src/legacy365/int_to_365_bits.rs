//! `int_to_365_bits(value)`: a 64-bit pattern as the low 64 bits of a 365-day pattern.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::days365::{LEN, fixed_column};
use crate::columnar::{self, int64_array};

pub const NAME: &str = "int_to_365_bits";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct IntTo365BitsFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for IntTo365BitsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl IntTo365BitsFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64()]),
            aliases: super::aliases(NAME, &["udf_int_to_bytes"]),
        }
    }
}

impl ScalarUDFImpl for IntTo365BitsFunc {
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
        columnar::apply(args, |a| {
            let [value] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            let value = int64_array(NAME, value)?;
            let out = fixed_column(value.len(), |i, out| {
                *out = to_365_bits(value.value(i));
                Ok(value.is_valid(i))
            })?;
            Ok(Arc::new(out) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// 37 zero bytes then `FROM_HEX(int_to_hex_string(value))`: a zero byte and the 8 bytes of
/// the value, big-endian.
pub(crate) fn to_365_bits(value: i64) -> [u8; LEN] {
    let mut out = [0; LEN];
    out[LEN - 8..].copy_from_slice(&value.to_be_bytes());
    out
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "An INT64 bit pattern as a 46-byte 365-day pattern: its 64 bits become bits 0..63 \
         (two's complement), the rest 0. NULL gives NULL. The historical udf_int_to_bytes \
         returned only the 9 low bytes; it is an alias of this 46-byte version. \
         Example: udf.int_to_365_bits(32) = ONE << 5.",
        "int_to_365_bits(value)",
    )
    .with_sql_example(
        "```sql\n> SELECT ltrim(encode(udf.int_to_365_bits(256), 'hex'), '0') AS hex;\n\
         +-----+\n| hex |\n+-----+\n| 100 |\n+-----+\n```",
    )
    .with_argument("value", "INT64 bit pattern.")
    .with_alternative_syntax("udf.int_to_365_bits(value)")
    .build()
});

/// The `int_to_365_bits` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(IntTo365BitsFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::super::days365::tests::one_shl;
    use super::*;

    #[test]
    fn repository_vectors() {
        // bits28.md §2.4 `udf.int_to_365_bits`, tests (6; NULL in the .slt).
        let ltrim = |b: [u8; LEN]| {
            b.iter()
                .copied()
                .skip_while(|&x| x == 0)
                .collect::<Vec<_>>()
        };
        assert_eq!(ltrim(to_365_bits(15)), vec![0x0F]);
        assert_eq!(to_365_bits(1 << 63), one_shl(63));
        assert_eq!(to_365_bits(1 << 22), one_shl(22));
        assert_eq!(ltrim(to_365_bits(1 << 8)), vec![0x01, 0x00]);
        assert_eq!(to_365_bits(32), one_shl(5));
    }
}
