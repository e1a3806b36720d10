//! `bool_to_365_bits(val)`: today's bit of a 365-day pattern from a condition.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::days365::{ONE, ZERO, fixed_column};
use crate::columnar;

pub const NAME: &str = "bool_to_365_bits";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BoolTo365BitsFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for BoolTo365BitsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl BoolTo365BitsFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::boolean()]),
            aliases: super::aliases(NAME, &["udf_bool_to_bytes"]),
        }
    }
}

impl ScalarUDFImpl for BoolTo365BitsFunc {
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
            let [val] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            let Some(val) = val.as_boolean_opt() else {
                return exec_err!("{NAME}: expected a BOOL argument, got {}", val.data_type());
            };
            let out = fixed_column(val.len(), |i, out| {
                // TRUE gives ONE; FALSE and NULL give ZERO.
                *out = if val.is_valid(i) && val.value(i) {
                    ONE
                } else {
                    ZERO
                };
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
        "Today's 365-day pattern from a condition: one_as_365_bits() when TRUE, \
         zero_as_365_bits() when FALSE or NULL. Historical name: udf_bool_to_bytes. \
         Example: udf.bool_to_365_bits(TRUE) = udf.one_as_365_bits().",
        "bool_to_365_bits(val)",
    )
    .with_sql_example(
        "```sql\n> SELECT ltrim(encode(udf.bool_to_365_bits(TRUE), 'hex'), '0') AS hex;\n\
         +-----+\n| hex |\n+-----+\n| 1   |\n+-----+\n```",
    )
    .with_argument("val", "BOOL condition for today.")
    .with_alternative_syntax("udf.bool_to_365_bits(val)")
    .build()
});

/// The `bool_to_365_bits` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(BoolTo365BitsFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use datafusion::common::ScalarValue;

    use super::*;
    use crate::columnar::testing::on_scalars;

    #[test]
    fn repository_vectors() {
        // bits28.md §2.4 `udf.bool_to_365_bits`, tests (3).
        let b = |v: Option<bool>| on_scalars(&udf(), vec![ScalarValue::Boolean(v)]).unwrap();
        assert_eq!(b(Some(true)), ScalarValue::Binary(Some(ONE.to_vec())));
        assert_eq!(b(Some(false)), ScalarValue::Binary(Some(ZERO.to_vec())));
        assert_eq!(b(None), ScalarValue::Binary(Some(ZERO.to_vec())));
    }
}
