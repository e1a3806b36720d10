//! `int_to_hex_string(value)`: an INT64 as 17 upper-case hex digits (two's complement).

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, Int64Array, StringArray};
use arrow::buffer::{Buffer, OffsetBuffer};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::columnar::{self, int64_array};

pub const NAME: &str = "int_to_hex_string";

const DIGITS: usize = 17;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct IntToHexStringFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for IntToHexStringFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl IntToHexStringFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64()]),
            aliases: super::aliases(NAME, &[]),
        }
    }
}

impl ScalarUDFImpl for IntToHexStringFunc {
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
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        columnar::apply(args, |a| {
            let [value] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            Ok(Arc::new(hex_strings(int64_array(NAME, value)?)?) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// Every row is exactly 17 ASCII bytes, written in place.
fn hex_strings(values: &Int64Array) -> Result<StringArray> {
    let mut text = Vec::with_capacity(values.len() * DIGITS);
    for &v in values.values() {
        text.extend_from_slice(&hex(v));
    }
    let offsets = OffsetBuffer::from_lengths(std::iter::repeat_n(DIGITS, values.len()));
    Ok(StringArray::try_new(
        offsets,
        Buffer::from_vec(text),
        values.nulls().cloned(),
    )?)
}

/// Nibbles 16..0 of `(value >> 4k) & 0xF` (logical): nibble 16 is always 0.
pub(crate) fn hex(value: i64) -> [u8; DIGITS] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = [b'0'; DIGITS];
    let mut v = value as u64;
    for c in out.iter_mut().rev().take(16) {
        *c = HEX[(v & 0xF) as usize];
        v >>= 4;
    }
    out
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "An INT64 as 17 upper-case hex digits, two's complement (the first digit is always \
         0); NULL gives NULL. Helper of int_to_365_bits. \
         Example: udf.int_to_hex_string(32) = '00000000000000020'.",
        "int_to_hex_string(value)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.int_to_hex_string(1 << 63) AS hex;\n+-------------------+\n\
         | hex               |\n+-------------------+\n| 08000000000000000 |\n\
         +-------------------+\n```",
    )
    .with_argument("value", "INT64 value.")
    .with_alternative_syntax("udf.int_to_hex_string(value)")
    .build()
});

/// The `int_to_hex_string` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(IntToHexStringFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: i64) -> String {
        String::from_utf8(hex(v).to_vec()).unwrap()
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.4 `udf.int_to_hex_string`, tests (5; NULL below).
        assert_eq!(h(15).trim_start_matches('0'), "F");
        assert_eq!(h(1 << 63), "08000000000000000");
        assert_eq!(h(1 << 4).trim_start_matches('0'), "10");
        assert_eq!(h(32), "00000000000000020");
        let a = hex_strings(&Int64Array::from(vec![None, Some(-1)])).unwrap();
        assert!(a.is_null(0));
        assert_eq!(a.value(1), "0FFFFFFFFFFFFFFFF");
    }
}
