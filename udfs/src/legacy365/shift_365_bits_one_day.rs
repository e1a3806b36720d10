//! `shift_365_bits_one_day(x)`: a 365-day pattern aged by one day; NULL reads as zero.

use std::sync::{Arc, LazyLock};

use arrow::array::ArrayRef;
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::days365::{ZERO, check_len, fixed_column, shift_into};
use crate::columnar::{self, Bytes};

pub const NAME: &str = "shift_365_bits_one_day";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Shift365BitsOneDayFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for Shift365BitsOneDayFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl Shift365BitsOneDayFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::bytes()]),
            aliases: super::aliases(NAME, &["udf_shift_bytes_one_day"]),
        }
    }
}

impl ScalarUDFImpl for Shift365BitsOneDayFunc {
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
            let [x] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            let x = Bytes::try_new(NAME, x)?;
            let out = fixed_column(x.len(), |i, out| {
                match x.get(i) {
                    None => *out = ZERO,
                    Some(v) => {
                        shift_into(check_len(NAME, "x", v)?, out);
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
        "A 365-day pattern aged by one day, COALESCE((x << 1) & bitmask_365(), \
         zero_as_365_bits()): bit 364 falls off; NULL gives zero. x must be 46 bytes. \
         Historical name: udf_shift_bytes_one_day. \
         Example: udf.shift_365_bits_one_day(udf.one_as_365_bits()) = ONE << 1.",
        "shift_365_bits_one_day(x)",
    )
    .with_sql_example(
        "```sql\n> SELECT ltrim(encode(udf.shift_365_bits_one_day(udf.one_as_365_bits()), 'hex'), '0') AS hex;\n\
         +-----+\n| hex |\n+-----+\n| 2   |\n+-----+\n```",
    )
    .with_argument("x", "BYTES 365-day pattern (46 bytes).")
    .with_alternative_syntax("udf.shift_365_bits_one_day(x)")
    .build()
});

/// The `shift_365_bits_one_day` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(Shift365BitsOneDayFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use datafusion::common::ScalarValue;

    use super::super::days365::tests::one_shl;
    use super::*;
    use crate::columnar::testing::on_scalars;

    fn shift(x: Option<[u8; 46]>) -> ScalarValue {
        on_scalars(&udf(), vec![ScalarValue::Binary(x.map(|x| x.to_vec()))]).unwrap()
    }

    fn bytes(x: [u8; 46]) -> ScalarValue {
        ScalarValue::Binary(Some(x.to_vec()))
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.4 `udf.shift_365_bits_one_day`, tests (5).
        assert_eq!(shift(Some(one_shl(0))), bytes(one_shl(1)));
        assert_eq!(shift(Some(one_shl(7))), bytes(one_shl(8)));
        assert_eq!(shift(Some(one_shl(363))), bytes(one_shl(364)));
        assert_eq!(shift(Some(one_shl(364))), bytes(ZERO));
        assert_eq!(shift(None), bytes(ZERO));
    }

    #[test]
    fn other_lengths_are_errors() {
        let err = on_scalars(&udf(), vec![ScalarValue::Binary(Some(vec![1]))]).unwrap_err();
        assert!(
            err.strip_backtrace().contains("x must be 46 bytes"),
            "{err}"
        );
    }
}
