//! `bits28_to_string(bits)`: the 28 low bits of a pattern as `'0'`/`'1'`, day -27 first.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, Int64Array, StringArray};
use arrow::buffer::{Buffer, OffsetBuffer};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::columnar::{self, int64_array};

pub const NAME: &str = "bits28_to_string";

const WIDTH: usize = 28;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToStringFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for ToStringFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl ToStringFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64()]),
            aliases: super::aliases(NAME),
        }
    }
}

impl ScalarUDFImpl for ToStringFunc {
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
            let [bits] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            Ok(Arc::new(to_strings(int64_array(NAME, bits)?)?) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// Every row is exactly 28 ASCII bytes (NULL rows too, as zeros, hidden by the null mask), so
/// the offsets are `28 * i` and the values one buffer written in place.
fn to_strings(bits: &Int64Array) -> Result<StringArray> {
    let mut text = Vec::with_capacity(bits.len() * WIDTH);
    for &b in bits.values() {
        text.extend_from_slice(&pattern(b));
    }
    let offsets = OffsetBuffer::from_lengths(std::iter::repeat_n(WIDTH, bits.len()));
    Ok(StringArray::try_new(
        offsets,
        Buffer::from_vec(text),
        bits.nulls().cloned(),
    )?)
}

/// Bits 27..0 of `bits`, most significant first; higher bits are ignored.
fn pattern(bits: i64) -> [u8; WIDTH] {
    let mut out = [b'0'; WIDTH];
    for (i, c) in out.iter_mut().enumerate() {
        *c = b'0' + ((bits >> (WIDTH - 1 - i)) & 1) as u8;
    }
    out
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "The 28 low bits of a pattern as a string of '0' and '1', day -27 first and today \
         last. Bits above 27 are ignored; NULL gives NULL. \
         Example: bits28.to_string(18) = '0000000000000000000000010010'.",
        "bits28_to_string(bits)",
    )
    .with_sql_example(
        "```sql\n> SELECT bits28.to_string(8256) AS s;\n+------------------------------+\n\
         | s                            |\n+------------------------------+\n\
         | 0000000000000010000001000000 |\n+------------------------------+\n```",
    )
    .with_argument("bits", "INT64 bit pattern (bit k = active k days ago).")
    .with_alternative_syntax("bits28.to_string(bits)")
    .with_alternative_syntax("mozfun.bits28.to_string(bits)")
    .build()
});

/// The `bits28_to_string` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(ToStringFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(b: i64) -> String {
        String::from_utf8(pattern(b).to_vec()).unwrap()
    }

    #[test]
    fn repository_and_documentation_vectors() {
        // bits28.md §2.1 `bits28.to_string`: the test and the documentation examples.
        assert_eq!(text((1 << 1) | (1 << 26)), "0100000000000000000000000010");
        assert_eq!(text(1), "0000000000000000000000000001");
        assert_eq!(text(8256), "0000000000000010000001000000");
        assert_eq!(text(18), "0000000000000000000000010010");
    }

    #[test]
    fn high_bits_are_ignored() {
        assert_eq!(text(-1), "1".repeat(28));
        assert_eq!(text(1 << 28), "0".repeat(28));
        assert_eq!(text(i64::MIN), "0".repeat(28));
    }

    #[test]
    fn nulls_and_empty() {
        let a = to_strings(&Int64Array::from(vec![Some(2), None])).unwrap();
        assert_eq!(a.value(0), "0000000000000000000000000010");
        assert!(a.is_null(1));
        assert!(
            to_strings(&Int64Array::from(Vec::<i64>::new()))
                .unwrap()
                .is_empty()
        );
    }
}
