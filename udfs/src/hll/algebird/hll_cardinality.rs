//! `hll_cardinality(sketch)`: Mozilla's `spark-hyperloglog` estimate of an Algebird sketch.

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility,
};

use crate::hll::family::{Family, check_sketch_arg, is_binary};
use crate::hll::input::map_sketches;

pub const NAME: &str = "hll_cardinality";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct HllCardinalityFunc {
    signature: Signature,
}

impl Default for HllCardinalityFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl HllCardinalityFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for HllCardinalityFunc {
    fn name(&self) -> &str {
        NAME
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
            check_sketch_arg(NAME, f, Family::Algebird)?;
        }
        Ok(Arc::new(Field::new(NAME, DataType::Int64, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [sketch] = args.args.as_slice() else {
            return plan_err!("{NAME}: expected one sketch argument");
        };
        map_sketches(NAME, sketch, None, |b| super::cardinality(NAME, b))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::super::SECTION_MOZILLA,
        "The estimated number of distinct values in a Mozilla HLL (Algebird) sketch, as \
         spark-hyperloglog's hll_cardinality computes it (raw HyperLogLog estimate, linear \
         counting for small counts, truncated). NULL for NULL. Invalid sketches are an error.",
        "hll_cardinality(sketch)",
    )
    .with_sql_example(
        "```sql\n> SELECT hll_cardinality(hll_merge(hll)) FROM client_count_daily;\n```",
    )
    .with_argument("sketch", "An Algebird sketch (binary), sparse or dense.")
    .with_related_udf("hll_merge")
    .build()
});

/// The `hll_cardinality` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(HllCardinalityFunc::new())));
    Arc::clone(&UDF)
}
