//! `bitmask_range(start_ordinal, length)`: a mask of `length` bits from the 1-based bit
//! `start_ordinal`, as SUBSTR counts characters.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, Int64Array};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::columnar::{self, at, int64_array};

pub const NAME: &str = "bitmask_range";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BitmaskRangeFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for BitmaskRangeFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl BitmaskRangeFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64(), columnar::int64()]),
            aliases: super::aliases(NAME, &[]),
        }
    }
}

impl ScalarUDFImpl for BitmaskRangeFunc {
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
            let [start, length] = a else {
                return exec_err!("{NAME}: expected 2 arguments");
            };
            let (start, length) = (int64_array(NAME, start)?, int64_array(NAME, length)?);
            let mut values = Vec::with_capacity(start.len());
            let mut valid = Vec::with_capacity(start.len());
            for i in 0..start.len() {
                let mask = match (at(start, i), at(length, i)) {
                    (Some(s), Some(l)) => bitmask_range(s, l)?,
                    _ => None,
                };
                values.push(mask.unwrap_or(0));
                valid.push(mask.is_some());
            }
            let out = Int64Array::new(values.into(), Some(valid.into()));
            Ok(Arc::new(out) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// `SUM(1 << (n - 1))` for n in `GENERATE_ARRAY(start, start + length - 1)`: NULL for an
/// empty range, an error for a bit below 1 (negative shift), 0 for bits above 64.
fn bitmask_range(start: i64, length: i64) -> Result<Option<i64>> {
    if length <= 0 {
        return Ok(None);
    }
    let Some(end) = start.checked_add(length - 1) else {
        return exec_err!("{NAME}: int64 overflow: {start} + {length} - 1");
    };
    if start <= 0 {
        return exec_err!(
            "{NAME}: start_ordinal must be >= 1 but was {start} (negative shift count)"
        );
    }
    if start > 64 {
        return Ok(Some(0));
    }
    let (low, high) = (start - 1, (end - 1).min(63));
    let upto = if high == 63 {
        u64::MAX
    } else {
        (1u64 << (high + 1)) - 1
    };
    Ok(Some((upto & !((1u64 << low) - 1)) as i64))
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "A mask of length bits starting at the 1-based bit start_ordinal (bit 1 = day 0), like \
         SUBSTR: SUM(1 << (n - 1)) over the range. length <= 0 gives NULL, start_ordinal < 1 \
         an error, bits above 64 nothing. Example: udf.bitmask_range(2, 4) = 30.",
        "bitmask_range(start_ordinal, length)",
    )
    .with_sql_example(
        "```sql\n> SELECT 27 & udf.bitmask_range(2, 2) AS second_and_third_bits;\n\
         +-----------------------+\n| second_and_third_bits |\n+-----------------------+\n\
         | 2                     |\n+-----------------------+\n```",
    )
    .with_argument("start_ordinal", "INT64 first bit, 1-based (1 = day 0).")
    .with_argument("length", "INT64 number of bits.")
    .with_alternative_syntax("udf.bitmask_range(start_ordinal, length)")
    .build()
});

/// The `bitmask_range` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(BitmaskRangeFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::bitmask_range as r;

    #[test]
    fn repository_vectors() {
        // bits28.md §2.2 `udf.bitmask_range`, tests (3).
        assert_eq!(r(1, 1).unwrap(), Some(1));
        assert_eq!(r(2, 4).unwrap(), Some(30));
        assert_eq!(
            ((1 << 4) + (1 << 3) + (1 << 1) + (1 << 0)) & r(2, 2).unwrap().unwrap(),
            2
        );
    }

    #[test]
    fn derived_edges() {
        assert_eq!(r(1, 28).unwrap(), Some(268_435_455));
        assert_eq!(r(1, 64).unwrap(), Some(-1));
        assert_eq!(r(64, 1).unwrap(), Some(i64::MIN));
        assert_eq!(r(60, 100).unwrap(), Some(-(1 << 59)));
        assert_eq!(r(65, 3).unwrap(), Some(0));
        assert_eq!(r(1, 0).unwrap(), None);
        assert_eq!(r(0, -5).unwrap(), None);
        assert!(r(0, 1).is_err());
        assert!(r(i64::MAX, 2).is_err());
    }
}
