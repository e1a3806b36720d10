//! `pos_of_leading_set_bit(i)`: position of the highest set bit of a positive integer
//! (floor(log2 i)), NULL for 0, negatives and NULL.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, Int64Array};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::columnar::{self, int64_array};

pub const NAME: &str = "pos_of_leading_set_bit";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PosOfLeadingSetBitFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for PosOfLeadingSetBitFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl PosOfLeadingSetBitFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64()]),
            aliases: super::aliases(NAME, &[]),
        }
    }
}

impl ScalarUDFImpl for PosOfLeadingSetBitFunc {
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
            let [i] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            Ok(Arc::new(leading_set_bit(int64_array(NAME, i)?)?) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// BigQuery's body is `NULLIF(CAST(CEIL(SAFE.LOG(i + 1, 2)) AS INT64) - 1, -1)`. tarn answers
/// exactly (`63 - leading_zeros`): the float logarithm is off by one for some values above
/// about 2^45, which the repository never passes (it feeds single bytes). `i + 1` overflowing
/// for `INT64_MAX` stays an error, as in BigQuery.
fn leading_set_bit(i: &Int64Array) -> Result<Int64Array> {
    // INT64_MAX is rare: look at the validity only when the value is there at all.
    let v = i.values();
    if v.contains(&i64::MAX) && (0..v.len()).any(|k| v[k] == i64::MAX && i.is_valid(k)) {
        return exec_err!("{NAME}: int64 overflow: {} + 1", i64::MAX);
    }
    let pos = v
        .iter()
        .map(|x| 63 - i64::from(x.leading_zeros()))
        .collect();
    let positive = NullBuffer::new(BooleanBuffer::collect_bool(v.len(), |k| v[k] > 0));
    Ok(Int64Array::new(
        pos,
        NullBuffer::union(i.nulls(), Some(&positive)),
    ))
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "Position of the highest set bit of a positive INT64, floor(log2(i)); NULL for 0, \
         negative values and NULL. Exact for all values (BigQuery's float logarithm is not \
         above about 2^45). Example: udf.pos_of_leading_set_bit(255) = 7.",
        "pos_of_leading_set_bit(i)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.pos_of_leading_set_bit(2) AS p;\n+---+\n| p |\n+---+\n| 1 |\n+---+\n```",
    )
    .with_argument("i", "INT64 value.")
    .with_alternative_syntax("udf.pos_of_leading_set_bit(i)")
    .build()
});

/// The `pos_of_leading_set_bit` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(PosOfLeadingSetBitFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(v: Vec<Option<i64>>) -> Vec<Option<i64>> {
        leading_set_bit(&Int64Array::from(v))
            .unwrap()
            .iter()
            .collect()
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.2 `udf.pos_of_leading_set_bit`, tests (3), and derived 255 → 7.
        assert_eq!(
            pos(vec![Some(0), Some(1), Some(2), Some(255)]),
            vec![None, Some(0), Some(1), Some(7)]
        );
    }

    #[test]
    fn edges() {
        assert_eq!(
            pos(vec![
                Some(-1),
                Some(i64::MIN),
                None,
                Some(1 << 53),
                Some(i64::MAX - 1)
            ]),
            vec![None, None, None, Some(53), Some(62)]
        );
        assert!(leading_set_bit(&Int64Array::from(vec![i64::MAX])).is_err());
    }
}
