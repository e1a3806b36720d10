//! `combine_adjacent_days_365_bits(prev, curr)`: yesterday's 365-day pattern aged one day, OR
//! today's; NULLs read as zero.

use std::sync::{Arc, LazyLock};

use arrow::array::ArrayRef;
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::days365::{ZERO, check_len, fixed_column, shift_into};
use crate::columnar::{self, Bytes};

pub const NAME: &str = "combine_adjacent_days_365_bits";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CombineAdjacentDays365BitsFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for CombineAdjacentDays365BitsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl CombineAdjacentDays365BitsFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::bytes(), columnar::bytes()]),
            aliases: super::aliases(NAME, &["udf_combine_adjacent_days_bytes"]),
        }
    }
}

impl ScalarUDFImpl for CombineAdjacentDays365BitsFunc {
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
            let [prev, curr] = a else {
                return exec_err!("{NAME}: expected 2 arguments");
            };
            let (prev, curr) = (Bytes::try_new(NAME, prev)?, Bytes::try_new(NAME, curr)?);
            let out = fixed_column(prev.len(), |i, out| {
                match prev.get(i) {
                    None => *out = ZERO,
                    Some(p) => {
                        shift_into(check_len(NAME, "prev", p)?, out);
                    }
                }
                if let Some(c) = curr.get(i) {
                    let c = check_len(NAME, "curr", c)?;
                    for (o, c) in out.iter_mut().zip(c) {
                        *o |= c;
                    }
                }
                Ok(true)
            })?;
            Ok(Arc::new(out) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "The daily step of a 365-day pattern: shift_365_bits_one_day(prev) | COALESCE(curr, \
         zero_as_365_bits()). NULLs read as zero; both must be 46 bytes. Historical name: \
         udf_combine_adjacent_days_bytes. \
         Example: udf.combine_adjacent_days_365_bits(ONE, ONE) = (ONE << 1) | ONE.",
        "combine_adjacent_days_365_bits(prev, curr)",
    )
    .with_sql_example(
        "```sql\n> SELECT ltrim(encode(udf.combine_adjacent_days_365_bits(udf.one_as_365_bits(), \
         udf.one_as_365_bits()), 'hex'), '0') AS hex;\n+-----+\n| hex |\n+-----+\n| 3   |\n+-----+\n```",
    )
    .with_argument("prev", "BYTES 365-day pattern of the previous day.")
    .with_argument("curr", "BYTES 365-day bits of the current day.")
    .with_alternative_syntax("udf.combine_adjacent_days_365_bits(prev, curr)")
    .build()
});

/// The `combine_adjacent_days_365_bits` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| {
        Arc::new(ScalarUDF::new_from_impl(
            CombineAdjacentDays365BitsFunc::new(),
        ))
    });
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use datafusion::common::ScalarValue;

    use super::super::days365::tests::one_shl;
    use super::super::days365::{ONE, ZERO};
    use super::*;
    use crate::columnar::testing::on_scalars;

    fn or(a: [u8; 46], b: [u8; 46]) -> [u8; 46] {
        let mut out = a;
        for (o, b) in out.iter_mut().zip(b) {
            *o |= b;
        }
        out
    }

    fn combine(p: Option<[u8; 46]>, c: Option<[u8; 46]>) -> ScalarValue {
        let arg = |x: Option<[u8; 46]>| ScalarValue::Binary(x.map(|x| x.to_vec()));
        on_scalars(&udf(), vec![arg(p), arg(c)]).unwrap()
    }

    fn bytes(x: [u8; 46]) -> ScalarValue {
        ScalarValue::Binary(Some(x.to_vec()))
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.4 `udf.combine_adjacent_days_365_bits`, tests (7).
        assert_eq!(combine(Some(ZERO), Some(ONE)), bytes(ONE));
        assert_eq!(
            combine(Some(one_shl(363)), Some(ONE)),
            bytes(or(one_shl(364), ONE))
        );
        assert_eq!(combine(Some(one_shl(364)), Some(ONE)), bytes(ONE));
        assert_eq!(combine(Some(ONE), Some(ZERO)), bytes(one_shl(1)));
        assert_eq!(combine(Some(ONE), None), bytes(one_shl(1)));
        assert_eq!(combine(None, Some(ONE)), bytes(ONE));
        assert_eq!(combine(Some(ONE), Some(ONE)), bytes(or(one_shl(1), ONE)));
    }
}
