//! `bytes_extract_bits(b, begin, length)`: `length` bits of `b` from bit `begin` (1-based from
//! the most significant bit; negative counts from the end), left-aligned.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, BinaryBuilder};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::bitstring;
use crate::columnar::{self, Bytes, at, int64_array};

pub const NAME: &str = "bytes_extract_bits";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ExtractBitsFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for ExtractBitsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl ExtractBitsFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![
                columnar::bytes(),
                columnar::int64(),
                columnar::int64(),
            ]),
            aliases: super::aliases(NAME),
        }
    }
}

impl ScalarUDFImpl for ExtractBitsFunc {
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
            let [b, begin, length] = a else {
                return exec_err!("{NAME}: expected 3 arguments");
            };
            let b = Bytes::try_new(NAME, b)?;
            let (begin, length) = (int64_array(NAME, begin)?, int64_array(NAME, length)?);
            let mut out = BinaryBuilder::with_capacity(b.len(), b.value_bytes());
            let mut buf = Vec::new();
            b.try_for_each(|i, v| {
                match (v, at(begin, i), at(length, i)) {
                    (Some(v), Some(begin), Some(length)) => {
                        let n = extract_bits(v, begin, length, &mut buf)?;
                        out.append_value(&buf[..n]);
                    }
                    _ => out.append_null(),
                }
                Ok(())
            })?;
            Ok(Arc::new(out.finish()) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// mozfun's body: `SUBSTR(zero_right(b << shift, GREATEST(8 * LENGTH(b) - length, 0)), 1,
/// bit_pos_to_byte_pos(length))` with `shift = IF(begin >= 0, GREATEST(begin - 1, 0),
/// 8 * LENGTH(b) + begin)`. Leaves the shifted value in `buf` and returns how many of its
/// bytes are the result.
fn extract_bits(b: &[u8], begin: i64, length: i64, buf: &mut Vec<u8>) -> Result<usize> {
    let bits = 8 * b.len() as i64;
    let shift = if begin >= 0 {
        (begin - 1).max(0)
    } else {
        bits + begin
    };
    let Ok(shift) = u64::try_from(shift) else {
        return exec_err!(
            "{NAME}: begin {begin} is before the first bit of a {}-byte value (negative shift count)",
            b.len()
        );
    };
    bitstring::shl_into(b, shift, buf);
    let Some(low) = bits.checked_sub(length) else {
        return exec_err!("{NAME}: int64 overflow: {bits} - {length}");
    };
    bitstring::clear_low_bits(buf, low.max(0) as u64);
    if length < 0 {
        return exec_err!("{NAME}: length must be >= 0 but was {length} (SUBSTR length)");
    }
    let bytes = length.unsigned_abs().div_ceil(8);
    Ok(bytes.min(b.len() as u64) as usize)
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "length bits of a BYTES value starting at bit begin, SUBSTR-like: bit 1 is the most \
         significant bit of the first byte (0 acts as 1), negative begin counts from the end \
         (-1 is the last bit, today in days_seen_bytes). The result holds the bits \
         left-aligned in CEIL(length / 8) bytes (at most the input's length). \
         Example: BIT_COUNT(bytes.extract_bits(days_seen_bytes, -7, 7)) is the active days of \
         the last week.",
        "bytes_extract_bits(b, begin, length)",
    )
    .with_sql_example(
        "```sql\n> SELECT bytes.extract_bits(X'0FF0', -12, 8) AS b;\n+----+\n| b  |\n+----+\n\
         | ff |\n+----+\n```",
    )
    .with_argument("b", "BYTES value.")
    .with_argument(
        "begin",
        "INT64 first bit, 1-based from the most significant; negative from the end.",
    )
    .with_argument("length", "INT64 number of bits.")
    .with_alternative_syntax("bytes.extract_bits(b, begin, length)")
    .with_alternative_syntax("mozfun.bytes.extract_bits(b, begin, length)")
    .build()
});

/// The `bytes_extract_bits` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(ExtractBitsFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(b: &[u8], begin: i64, length: i64) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        let n = extract_bits(b, begin, length, &mut buf)?;
        Ok(buf[..n].to_vec())
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.5 `bytes.extract_bits`, tests (13).
        assert_eq!(x(&[0x01, 0xFE], 8, 8).unwrap(), [0xFF]);
        assert_eq!(x(&[0xFF], 5, 4).unwrap(), [0xF0]);
        assert_eq!(x(&[0xFF; 100], 50, 8).unwrap(), [0xFF]);
        assert_eq!(x(&[0x0F, 0xF0], -12, 8).unwrap(), [0xFF]);
        assert_eq!(x(&[0x0F, 0x77], 0, 8).unwrap(), [0x0F]);
        assert_eq!(x(&[0x0F, 0xF0], -10, 8).unwrap(), [0xFC]);
        assert_eq!(x(&[0x0F, 0xF0], 5, 8).unwrap(), [0xFF]);
        assert_eq!(x(&[0x0C, 0xC0], -12, 8).unwrap(), [0xCC]);
        assert_eq!(x(&[0xFF], -4, 1).unwrap(), [0x80]);
        assert_eq!(x(&[0xFF, 0xFF], 2, 2).unwrap(), [0xC0]);
        assert_eq!(x(&[0xFF, 0xFF], 6, 1).unwrap(), [0x80]);
        assert_eq!(x(&[0xFF, 0xFF], 1, 1).unwrap(), [0x80]);
        assert_eq!(x(&[0xFF], 1, 20).unwrap(), [0xFF]);
    }

    #[test]
    fn edges() {
        assert!(x(&[0xFF], 3, 0).unwrap().is_empty());
        assert_eq!(x(&[0xFF, 0x01], 100, 8).unwrap(), [0x00]);
        assert_eq!(x(&[0xFF, 0x01], -16, 16).unwrap(), [0xFF, 0x01]);
        assert!(x(&[0xFF], -9, 1).is_err());
        assert!(x(&[0xFF], 1, -1).is_err());
        assert!(x(&[0xFF], 1, i64::MIN).is_err());
        assert!(x(&[], 1, 8).unwrap().is_empty());
    }
}
