//! `active_n_weeks_ago(x, n)`: whether any of bits `7n..7n+6` of a pattern is set (week 0 =
//! the last 7 days, today included).

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, BooleanArray};
use arrow::buffer::BooleanBuffer;
use arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::columnar::{self, at, int64_array};

pub const NAME: &str = "active_n_weeks_ago";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ActiveNWeeksAgoFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for ActiveNWeeksAgoFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl ActiveNWeeksAgoFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64(), columnar::int64()]),
            aliases: super::aliases(NAME, &[]),
        }
    }
}

impl ScalarUDFImpl for ActiveNWeeksAgoFunc {
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
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        // The common call: a column of patterns, a literal week. Checked once per batch.
        if let [
            ColumnarValue::Array(x),
            ColumnarValue::Scalar(ScalarValue::Int64(n)),
        ] = args.args.as_slice()
        {
            let x = int64_array(NAME, x)?;
            let out = match n {
                None => BooleanArray::new_null(x.len()),
                Some(n) => {
                    let shift = week_shift(*n)?;
                    let v = x.values();
                    let set = BooleanBuffer::collect_bool(v.len(), |i| active(v[i], shift));
                    BooleanArray::new(set, x.nulls().cloned())
                }
            };
            return Ok(ColumnarValue::Array(Arc::new(out)));
        }
        columnar::apply(args, |a| {
            let [x, n] = a else {
                return exec_err!("{NAME}: expected 2 arguments");
            };
            let (x, n) = (int64_array(NAME, x)?, int64_array(NAME, n)?);
            let out = (0..x.len())
                .map(|i| match (at(x, i), at(n, i)) {
                    (Some(x), Some(n)) => Ok(Some(active(x, week_shift(n)?))),
                    _ => Ok(None),
                })
                .collect::<Result<BooleanArray>>()?;
            Ok(Arc::new(out) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// `7 * n`, the shift of week `n`: an error for negative `n` (BigQuery's negative shift) and
/// on overflow.
fn week_shift(n: i64) -> Result<u64> {
    match n.checked_mul(7).map(u64::try_from) {
        Some(Ok(s)) => Ok(s),
        Some(Err(_)) => exec_err!("{NAME}: n must be >= 0 but was {n} (negative shift count)"),
        None => exec_err!("{NAME}: int64 overflow: {n} * 7"),
    }
}

/// `BIT_COUNT((x >> shift) & 0x7F) > 0` with a logical shift, 0 from 64 on.
#[inline]
fn active(x: i64, shift: u64) -> bool {
    shift < 64 && ((x as u64) >> shift) & 0x7F != 0
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "TRUE when any of bits 7n..7n+6 is set: was the client active n weeks ago (week 0 = \
         the last 7 days, today included)? n >= 4 reads beyond the 28 days, n >= 10 gives \
         FALSE, negative n is an error; NULL gives NULL. \
         Example: udf.active_n_weeks_ago(1 << 7, 1) = TRUE.",
        "active_n_weeks_ago(x, n)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.active_n_weeks_ago(1 + (1 << 9), 1) AS w1;\n+------+\n| w1   |\n\
         +------+\n| true |\n+------+\n```",
    )
    .with_argument("x", "INT64 bit pattern.")
    .with_argument("n", "INT64 week, 0 = the last 7 days.")
    .with_alternative_syntax("udf.active_n_weeks_ago(x, n)")
    .build()
});

/// The `active_n_weeks_ago` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(ActiveNWeeksAgoFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(x: i64, n: i64) -> bool {
        active(x, week_shift(n).unwrap())
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.2 `udf.active_n_weeks_ago`, tests (18; the NULL one is in the .slt).
        for (x, n) in [
            (1 << 0, 0),
            (1 << 6, 0),
            (1 << 7, 1),
            (1 << 13, 1),
            (1 << 14, 2),
            (1 << 20, 2),
            (1 << 21, 3),
            (1 << 27, 3),
            (1 + (1 << 9), 1),
        ] {
            assert!(a(x, n), "({x}, {n})");
        }
        for (x, n) in [
            (0, 0),
            (1 << 6, 1),
            (1 << 7, 0),
            (1 << 13, 2),
            (1 << 14, 1),
            (1 << 20, 3),
            (1 << 21, 2),
            (1 << 27, 4),
        ] {
            assert!(!a(x, n), "({x}, {n})");
        }
    }

    #[test]
    fn edges() {
        assert!(a(i64::MIN, 9));
        assert!(!a(-1, 10));
        assert!(!a(-1, i64::MAX / 7));
        assert!(week_shift(-1).is_err());
        assert!(week_shift(i64::MAX).is_err());
    }
}
