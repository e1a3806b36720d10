//! `bytes_bit_pos_to_byte_pos(bit_pos)`: the 1-based byte holding a 1-based bit position, as
//! SUBSTR counts (negative positions count from the end).

use std::sync::{Arc, LazyLock};

use arrow::array::ArrayRef;
use arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::columnar::{self, int64_array};

pub const NAME: &str = "bytes_bit_pos_to_byte_pos";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BitPosToBytePosFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for BitPosToBytePosFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl BitPosToBytePosFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64()]),
            aliases: super::aliases(NAME),
        }
    }
}

impl ScalarUDFImpl for BitPosToBytePosFunc {
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
            let [pos] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            let pos = int64_array(NAME, pos)?;
            // BigQuery's ABS(INT64_MIN) overflows.
            if pos.iter().any(|p| p == Some(i64::MIN)) {
                return exec_err!("{NAME}: int64 overflow: ABS({})", i64::MIN);
            }
            Ok(Arc::new(pos.unary::<_, Int64Type>(byte_pos)) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// `CEIL(ABS(p) / 8) * SIGN(p)`, in integers.
fn byte_pos(p: i64) -> i64 {
    (p.unsigned_abs().div_ceil(8) as i64) * p.signum()
}

static DOC: LazyLock<Documentation> =
    LazyLock::new(|| {
        Documentation::builder(
        super::SECTION,
        "The 1-based byte position holding a 1-based bit position, CEIL(ABS(bit_pos) / 8) * \
         SIGN(bit_pos): negative positions count from the end, as in SUBSTR. \
         Example: bytes.bit_pos_to_byte_pos(-9) = -2.",
        "bytes_bit_pos_to_byte_pos(bit_pos)",
    )
    .with_sql_example(
        "```sql\n> SELECT bytes.bit_pos_to_byte_pos(9) AS a, bytes.bit_pos_to_byte_pos(-8) AS b;\n\
         +---+----+\n| a | b  |\n+---+----+\n| 2 | -1 |\n+---+----+\n```",
    )
    .with_argument("bit_pos", "INT64 bit position, 1-based; negative counts from the end.")
    .with_alternative_syntax("bytes.bit_pos_to_byte_pos(bit_pos)")
    .with_alternative_syntax("mozfun.bytes.bit_pos_to_byte_pos(bit_pos)")
    .build()
    });

/// The `bytes_bit_pos_to_byte_pos` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(BitPosToBytePosFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::byte_pos;

    #[test]
    fn repository_vectors() {
        // bits28.md §2.5 `bytes.bit_pos_to_byte_pos`, tests (7).
        for (p, want) in [(0, 0), (1, 1), (-1, -1), (8, 1), (-8, -1), (9, 2), (-9, -2)] {
            assert_eq!(byte_pos(p), want, "{p}");
        }
    }

    #[test]
    fn extremes() {
        assert_eq!(byte_pos(i64::MAX), 1 << 60);
        assert_eq!(byte_pos(i64::MIN + 1), -(1 << 60));
    }
}
