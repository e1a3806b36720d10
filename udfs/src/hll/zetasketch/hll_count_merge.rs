//! `hll_count_merge(sketch)` (BigQuery `HLL_COUNT.MERGE`): the estimated size of the union of
//! ZetaSketch sketches.

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, GroupsAccumulator, Signature,
    Volatility,
};

use super::{MergeKernel, MergeOutput};
use crate::hll::aggregate::{SketchAccumulator, SketchGroups, SlidingSketch, state_fields};
use crate::hll::family::{Family, check_sketch_arg, is_binary};

pub const NAME: &str = "hll_count_merge";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct HllCountMergeFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for HllCountMergeFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl HllCountMergeFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            aliases: super::aliases(NAME),
        }
    }
}

const KERNEL: MergeKernel = MergeKernel {
    name: NAME,
    output: MergeOutput::Count,
};

impl AggregateUDFImpl for HllCountMergeFunc {
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

    fn return_field(&self, arg_fields: &[FieldRef]) -> Result<FieldRef> {
        if let Some(f) = arg_fields.first() {
            check_sketch_arg(NAME, f, Family::ZetaSketch)?;
        }
        Ok(Arc::new(Field::new(NAME, DataType::Int64, false)))
    }

    fn is_nullable(&self) -> bool {
        false
    }

    fn default_value(&self, _: &DataType) -> Result<ScalarValue> {
        Ok(ScalarValue::Int64(Some(0)))
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        Ok(state_fields(&args))
    }

    fn accumulator(&self, _: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SketchAccumulator::new(KERNEL)))
    }

    fn groups_accumulator_supported(&self, _: AccumulatorArgs<'_>) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        _: AccumulatorArgs<'_>,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(SketchGroups::new(KERNEL)))
    }

    fn create_sliding_accumulator(&self, _: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SlidingSketch::new(KERNEL)))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::super::SECTION_BIGQUERY,
        "BigQuery's HLL_COUNT.MERGE: the estimated number of distinct values in the union of \
         HLL_COUNT sketches (BIGINT), as BigQuery computes it. NULL inputs are skipped; 0 when \
         there is no non-NULL input. Precisions are lowered to the lowest one.",
        "hll_count_merge(sketch)",
    )
    .with_sql_example(
        "```sql\n> SELECT submission_date, HLL_COUNT.MERGE(clients_hll) AS dau\n  FROM clients_daily_hll GROUP BY 1;\n```",
    )
    .with_argument("sketch", "A BigQuery HLL_COUNT sketch (BYTES).")
    .with_alternative_syntax("HLL_COUNT.MERGE(sketch)")
    .with_related_udf("hll_count_merge_partial")
    .build()
});

/// The `hll_count_merge` aggregate.
pub fn udaf() -> Arc<AggregateUDF> {
    static UDAF: LazyLock<Arc<AggregateUDF>> =
        LazyLock::new(|| Arc::new(AggregateUDF::new_from_impl(HllCountMergeFunc::new())));
    Arc::clone(&UDAF)
}
