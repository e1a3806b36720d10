//! `bits_to_active_n_weeks_ago(b, n)`: whether any of bits `7n..7n+6` of a BYTES pattern is
//! set (week 0 = the last 7 days, today included).

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, BooleanBuilder};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::columnar::{self, Bytes, at, int64_array};

pub const NAME: &str = "bits_to_active_n_weeks_ago";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BitsToActiveNWeeksAgoFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for BitsToActiveNWeeksAgoFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl BitsToActiveNWeeksAgoFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::bytes(), columnar::int64()]),
            aliases: super::aliases(NAME, &[]),
        }
    }
}

impl ScalarUDFImpl for BitsToActiveNWeeksAgoFunc {
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
        columnar::apply(args, |a| {
            let [b, n] = a else {
                return exec_err!("{NAME}: expected 2 arguments");
            };
            let (b, n) = (Bytes::try_new(NAME, b)?, int64_array(NAME, n)?);
            let mut out = BooleanBuilder::with_capacity(b.len());
            b.try_for_each(|i, v| {
                match (v, at(n, i)) {
                    (Some(v), Some(n)) => out.append_value(active_n_weeks_ago(v, n)?),
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

/// `BIT_COUNT((b >> 7n) & (zero bytes || b'\x7F')) > 0`: BigQuery fails on `b''` (its REPEAT
/// count is -1), on negative `n` and on overflow.
fn active_n_weeks_ago(b: &[u8], n: i64) -> Result<bool> {
    if b.is_empty() {
        return exec_err!("{NAME}: b must not be empty");
    }
    let shift = match n.checked_mul(7).map(u64::try_from) {
        Some(Ok(s)) => s,
        Some(Err(_)) => {
            return exec_err!("{NAME}: n must be >= 0 but was {n} (negative shift count)");
        }
        None => return exec_err!("{NAME}: int64 overflow: {n} * 7"),
    };
    let bits = 8 * b.len() as u64;
    Ok((shift..(shift + 7).min(bits)).any(|k| {
        let byte = b[b.len() - 1 - (k / 8) as usize];
        byte >> (k % 8) & 1 == 1
    }))
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "TRUE when any of bits 7n..7n+6 of a BYTES pattern is set: was the client active n \
         weeks ago (week 0 = the last 7 days, today included)? NULL gives NULL; an empty b \
         and a negative n are errors. \
         Example: udf.bits_to_active_n_weeks_ago(X'F0000001', 4) = TRUE.",
        "bits_to_active_n_weeks_ago(b, n)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.bits_to_active_n_weeks_ago(X'00000001', 1) AS w1;\n+-------+\n\
         | w1    |\n+-------+\n| false |\n+-------+\n```",
    )
    .with_argument("b", "BYTES pattern, big-endian (bit 0 = today).")
    .with_argument("n", "INT64 week, 0 = the last 7 days.")
    .with_alternative_syntax("udf.bits_to_active_n_weeks_ago(b, n)")
    .build()
});

/// The `bits_to_active_n_weeks_ago` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(BitsToActiveNWeeksAgoFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::super::days365::tests::one_shl;
    use super::active_n_weeks_ago as a;

    #[test]
    fn repository_vectors() {
        // bits28.md §2.4 `udf.bits_to_active_n_weeks_ago`, tests (8; NULL in the .slt).
        assert!(a(&[0x00, 0x00, 0x00, 0x01], 0).unwrap());
        assert!(!a(&[0x00, 0x00, 0x00, 0x01], 1).unwrap());
        assert!(a(&[0xF0, 0x00, 0x00, 0x01], 4).unwrap());
        assert!(a(&[0xF0, 0x00, 0x00, 0x70], 0).unwrap());
        let mut b = [0u8; 10];
        b[0] = 0x0F;
        b[9] = 0x03;
        assert!(!a(&b, 5).unwrap());
        b[0] = 0xF0;
        assert!(a(&b, 0).unwrap());
        assert!(a(&one_shl(22), 3).unwrap());
    }

    #[test]
    fn edges() {
        assert!(!a(&[0xFF], 2).unwrap());
        assert!(a(&[0x80], 1).unwrap());
        assert!(!a(&[0xFF], i64::MAX / 7).unwrap());
        assert!(a(&[], 0).is_err());
        assert!(a(&[1], -1).is_err());
        assert!(a(&[1], i64::MAX).is_err());
    }
}
