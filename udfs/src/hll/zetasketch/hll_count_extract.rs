//! `hll_count_extract(sketch)` (BigQuery `HLL_COUNT.EXTRACT`): the estimate of one sketch.

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility,
};

use crate::hll::family::{Family, check_sketch_arg, is_binary};
use crate::hll::input::map_sketches;

pub const NAME: &str = "hll_count_extract";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct HllCountExtractFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for HllCountExtractFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl HllCountExtractFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            aliases: super::aliases(NAME),
        }
    }
}

impl ScalarUDFImpl for HllCountExtractFunc {
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
            [t] if is_binary(t) || t == &DataType::Null => Ok(vec![t.clone()]),
            [t] => plan_err!("{NAME}: the sketch must be a binary value, got {t}"),
            _ => plan_err!("{NAME}: expected one sketch argument"),
        }
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        if let Some(f) = args.arg_fields.first() {
            check_sketch_arg(NAME, f, Family::ZetaSketch)?;
        }
        Ok(Arc::new(Field::new(NAME, DataType::Int64, false)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [sketch] = args.args.as_slice() else {
            return plan_err!("{NAME}: expected one sketch argument");
        };
        map_sketches(NAME, sketch, Some(0), |b| super::extract(NAME, b))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::super::SECTION_BIGQUERY,
        "BigQuery's HLL_COUNT.EXTRACT: the estimated number of distinct values a sketch holds \
         (BIGINT), as BigQuery computes it; 0 for a NULL sketch. Invalid sketches are an \
         error.",
        "hll_count_extract(sketch)",
    )
    .with_sql_example(
        "```sql\n> SELECT HLL_COUNT.EXTRACT(HLL_COUNT.INIT(client_id)) FROM clients_daily;\n```",
    )
    .with_argument("sketch", "A BigQuery HLL_COUNT sketch (BYTES).")
    .with_alternative_syntax("HLL_COUNT.EXTRACT(sketch)")
    .with_related_udf("hll_count_init")
    .build()
});

/// The `hll_count_extract` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(HllCountExtractFunc::new())));
    Arc::clone(&UDF)
}
