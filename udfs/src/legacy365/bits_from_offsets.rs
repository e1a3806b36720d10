//! `bits_from_offsets(offsets)`: a BYTES bit set with bit n set for each offset n in 0..2047,
//! of minimal length.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, AsArray, BinaryBuilder};
use arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

use crate::columnar::{self, is_integer, is_list_of, list_array};

pub const NAME: &str = "bits_from_offsets";

/// Bytes of the widest result: 256 chunks of 8 bits.
const MAX_BYTES: usize = 256;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BitsFromOffsetsFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for BitsFromOffsetsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl BitsFromOffsetsFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            aliases: super::aliases(NAME, &[]),
        }
    }
}

impl ScalarUDFImpl for BitsFromOffsetsFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [t] if is_list_of(t, is_integer) => Ok(vec![DataType::new_list(DataType::Int64, true)]),
            _ => plan_err!("{NAME}: expected ARRAY<INT64>, got {arg_types:?}"),
        }
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Binary)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        columnar::apply(args, |a| {
            let [offsets] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            let list = list_array(NAME, offsets)?;
            let values = arrow::compute::cast(list.values(), &DataType::Int64)?;
            let values = values.as_primitive::<Int64Type>();
            let mut out = BinaryBuilder::with_capacity(list.len(), 0);
            let mut set = [0u8; MAX_BYTES];
            let o = list.value_offsets();
            for row in 0..list.len() {
                let elements = o[row] as usize..o[row + 1] as usize;
                // BigQuery aggregates over the UNNESTed offsets: none gives NULL.
                if list.is_null(row) || elements.is_empty() {
                    out.append_null();
                    continue;
                }
                set.fill(0);
                for j in elements {
                    if values.is_valid(j) {
                        add_offset(&mut set, values.value(j))?;
                    }
                }
                // LTRIM(…, b'\x00'): the minimal length, b'' when no offset was in range.
                let first = set.iter().position(|&b| b != 0).unwrap_or(MAX_BYTES);
                out.append_value(&set[first..]);
            }
            Ok(Arc::new(out.finish()) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// Sets bit `n` of the 2048-bit big-endian `set` when `n` is in 0..2047. BigQuery computes
/// `n - 8 * i` for i up to 255, which overflows for offsets near `INT64_MIN`.
fn add_offset(set: &mut [u8; MAX_BYTES], n: i64) -> Result<()> {
    if n < i64::MIN + 8 * (MAX_BYTES as i64 - 1) {
        return exec_err!("{NAME}: int64 overflow: {n} - 2040");
    }
    if let Ok(k) = usize::try_from(n)
        && k < 8 * MAX_BYTES
    {
        set[MAX_BYTES - 1 - k / 8] |= 1 << (k % 8);
    }
    Ok(())
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "A BYTES bit set with bit n set for every offset n of the array in 0..2047 (others \
         are ignored, duplicates are fine), big-endian and of minimal length: b'' when no \
         offset is in range, NULL for an empty or NULL array. Build a whole-history pattern \
         with bits_from_offsets(array_agg(date_diff)). \
         Example: udf.bits_from_offsets([0, 1, 2, 3, 4, 5, 6, 7, 8]) = X'01FF'.",
        "bits_from_offsets(offsets)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.bits_from_offsets([8, 0, 1, 2, 3, 4, 5, 6, 7]) AS b;\n+------+\n\
         | b    |\n+------+\n| 01ff |\n+------+\n```",
    )
    .with_argument("offsets", "ARRAY<INT64> of day offsets (0 = today).")
    .with_alternative_syntax("udf.bits_from_offsets(offsets)")
    .build()
});

/// The `bits_from_offsets` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(BitsFromOffsetsFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(offsets: &[i64]) -> Vec<u8> {
        let mut set = [0u8; MAX_BYTES];
        for &n in offsets {
            add_offset(&mut set, n).unwrap();
        }
        let first = set.iter().position(|&b| b != 0).unwrap_or(MAX_BYTES);
        set[first..].to_vec()
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.4 `udf.bits_from_offsets`, tests (8).
        assert_eq!(bits(&[0]), [0x01]);
        assert_eq!(bits(&[1]), [0x02]);
        assert_eq!(bits(&[0, 1]), [0x03]);
        assert_eq!(bits(&[0, 1, 2, 3, 4, 5, 6, 7]), [0xFF]);
        assert_eq!(bits(&[0, 1, 2, 3, 4, 5, 6, 7, 8]), [0x01, 0xFF]);
        assert_eq!(bits(&[8, 0, 1, 2, 3, 4, 5, 6, 7]), [0x01, 0xFF]);
        assert_eq!(bits(&[0, 2048]), [0x01]);
        let mut want = vec![0u8; 256];
        want[0] = 0x80;
        assert_eq!(bits(&[2047]), want);
    }

    #[test]
    fn edges() {
        assert!(bits(&[2048, -1, i64::MAX]).is_empty());
        let mut set = [0u8; MAX_BYTES];
        assert!(add_offset(&mut set, i64::MIN).is_err());
        assert!(add_offset(&mut set, i64::MIN + 2040).is_ok());
    }
}
