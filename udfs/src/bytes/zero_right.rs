//! `bytes_zero_right(b, length)`: `b` with its `length` rightmost bits cleared.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, BinaryBuilder};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::bitstring;
use crate::columnar::{self, Bytes, at, int64_array};

pub const NAME: &str = "bytes_zero_right";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ZeroRightFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for ZeroRightFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl ZeroRightFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::bytes(), columnar::int64()]),
            aliases: super::aliases(NAME),
        }
    }
}

impl ScalarUDFImpl for ZeroRightFunc {
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
            let [b, length] = a else {
                return exec_err!("{NAME}: expected 2 arguments");
            };
            let (b, length) = (Bytes::try_new(NAME, b)?, int64_array(NAME, length)?);
            let mut out = BinaryBuilder::with_capacity(b.len(), b.value_bytes());
            let mut buf = Vec::new();
            b.try_for_each(|i, v| {
                match (v, at(length, i)) {
                    (Some(v), Some(n)) => {
                        zero_right(v, n, &mut buf)?;
                        out.append_value(&buf);
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

/// `(b >> n) << n` into `out`: the length is kept; a negative `n` is BigQuery's
/// negative-shift error.
pub(crate) fn zero_right(b: &[u8], n: i64, out: &mut Vec<u8>) -> Result<()> {
    let Ok(n) = u64::try_from(n) else {
        return exec_err!("{NAME}: length must be >= 0 but was {n} (negative shift count)");
    };
    out.clear();
    out.extend_from_slice(b);
    bitstring::clear_low_bits(out, n);
    Ok(())
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "BYTES with the length rightmost bits set to 0, (b >> length) << length; the byte \
         length is kept. A negative length is an error. \
         Example: bytes.zero_right(X'FF', 4) = X'F0'.",
        "bytes_zero_right(b, length)",
    )
    .with_sql_example(
        "```sql\n> SELECT bytes.zero_right(X'FFFF', 12) AS b;\n+------+\n| b    |\n+------+\n\
         | f000 |\n+------+\n```",
    )
    .with_argument("b", "BYTES value.")
    .with_argument("length", "INT64 number of rightmost bits to clear.")
    .with_alternative_syntax("bytes.zero_right(b, length)")
    .with_alternative_syntax("mozfun.bytes.zero_right(b, length)")
    .build()
});

/// The `bytes_zero_right` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(ZeroRightFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn z(b: &[u8], n: i64) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        zero_right(b, n, &mut out)?;
        Ok(out)
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.5 `bytes.zero_right`, tests (3).
        assert_eq!(z(&[0xFF], 4).unwrap(), vec![0xF0]);
        assert_eq!(z(&[0xFF], 0).unwrap(), vec![0xFF]);
        assert_eq!(z(&[0xFF], 8).unwrap(), vec![0x00]);
    }

    #[test]
    fn edges() {
        assert_eq!(z(&[0xFF, 0xFF], 12).unwrap(), vec![0xF0, 0x00]);
        assert_eq!(z(&[0xFF], i64::MAX).unwrap(), vec![0x00]);
        assert!(z(&[], 3).unwrap().is_empty());
        assert!(z(&[0xFF], -1).is_err());
    }
}
