//! `empty_approx_set()`: Presto's empty HyperLogLog (sparse, 4096 buckets): `02 0c 00 00`.

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility,
};

use super::APPROX_SET_P;
use super::format::Hll;
use crate::hll::family::Family;

pub const NAME: &str = "empty_approx_set";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct EmptyApproxSetFunc {
    signature: Signature,
}

impl Default for EmptyApproxSetFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl EmptyApproxSetFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::nullary(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for EmptyApproxSetFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Binary)
    }

    fn return_field_from_args(&self, _: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(Family::Airlift.field(NAME))
    }

    fn invoke_with_args(&self, _: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(ColumnarValue::Scalar(ScalarValue::Binary(Some(
            Hll::new(APPROX_SET_P).serialize(false),
        ))))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::super::SECTION_PRESTO,
        "An empty Presto/Trino HyperLogLog with 4096 buckets (the bytes 02 0c 00 00); its \
         cardinality is 0 and merging it changes nothing.",
        "empty_approx_set()",
    )
    .with_sql_example("```sql\n> SELECT cardinality(empty_approx_set());\n```")
    .with_related_udf("approx_set")
    .build()
});

/// The `empty_approx_set` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(EmptyApproxSetFunc::new())));
    Arc::clone(&UDF)
}
