//! `coalesce_adjacent_days_365_bits(prev, curr)`: yesterday's 365-day pattern aged one day
//! unless it became zero, else today's.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, BinaryBuilder};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::days365::{LEN, ZERO, check_len, shift_into};
use crate::columnar::{self, Bytes};

pub const NAME: &str = "coalesce_adjacent_days_365_bits";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CoalesceAdjacentDays365BitsFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for CoalesceAdjacentDays365BitsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl CoalesceAdjacentDays365BitsFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::bytes(), columnar::bytes()]),
            aliases: super::aliases(NAME, &["udf_coalesce_adjacent_days_bytes"]),
        }
    }
}

impl ScalarUDFImpl for CoalesceAdjacentDays365BitsFunc {
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
            let mut out = BinaryBuilder::with_capacity(prev.len(), prev.len() * LEN);
            let mut aged = [0; LEN];
            for i in 0..prev.len() {
                if let Some(p) = prev.get(i) {
                    shift_into(check_len(NAME, "prev", p)?, &mut aged);
                    if aged != ZERO {
                        out.append_value(aged);
                        continue;
                    }
                }
                // curr is returned as it is, whatever its length, as COALESCE does.
                out.append_value(curr.get(i).unwrap_or(&ZERO));
            }
            Ok(Arc::new(out.finish()) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "Yesterday's 365-day pattern aged one day if still non-zero, else today's: \
         COALESCE(NULLIF(shift_365_bits_one_day(prev), zero_as_365_bits()), curr, \
         zero_as_365_bits()). Keeps the first reported bit. Historical name: \
         udf_coalesce_adjacent_days_bytes. \
         Example: udf.coalesce_adjacent_days_365_bits(ONE, ONE << 10) = ONE << 1.",
        "coalesce_adjacent_days_365_bits(prev, curr)",
    )
    .with_sql_example(
        "```sql\n> SELECT ltrim(encode(udf.coalesce_adjacent_days_365_bits(NULL, \
         udf.one_as_365_bits()), 'hex'), '0') AS hex;\n+-----+\n| hex |\n+-----+\n| 1   |\n+-----+\n```",
    )
    .with_argument("prev", "BYTES 365-day pattern of the previous day.")
    .with_argument("curr", "BYTES 365-day bits of the current day.")
    .with_alternative_syntax("udf.coalesce_adjacent_days_365_bits(prev, curr)")
    .build()
});

/// The `coalesce_adjacent_days_365_bits` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| {
        Arc::new(ScalarUDF::new_from_impl(
            CoalesceAdjacentDays365BitsFunc::new(),
        ))
    });
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use datafusion::common::ScalarValue;

    use super::super::days365::ONE;
    use super::super::days365::tests::one_shl;
    use super::*;
    use crate::columnar::testing::on_scalars;

    fn coalesce(p: Option<[u8; 46]>, c: Option<[u8; 46]>) -> ScalarValue {
        let arg = |x: Option<[u8; 46]>| ScalarValue::Binary(x.map(|x| x.to_vec()));
        on_scalars(&udf(), vec![arg(p), arg(c)]).unwrap()
    }

    fn bytes(x: [u8; 46]) -> ScalarValue {
        ScalarValue::Binary(Some(x.to_vec()))
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.4 `udf.coalesce_adjacent_days_365_bits`, tests (5).
        assert_eq!(coalesce(Some(ONE), Some(one_shl(10))), bytes(one_shl(1)));
        assert_eq!(coalesce(Some(one_shl(9)), Some(ONE)), bytes(one_shl(10)));
        assert_eq!(coalesce(Some(ZERO), Some(one_shl(9))), bytes(one_shl(9)));
        assert_eq!(coalesce(None, Some(one_shl(9))), bytes(one_shl(9)));
        assert_eq!(coalesce(None, None), bytes(ZERO));
    }
}
