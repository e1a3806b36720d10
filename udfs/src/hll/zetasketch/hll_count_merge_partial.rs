//! `hll_count_merge_partial(sketch)` (BigQuery `HLL_COUNT.MERGE_PARTIAL`): the union of
//! ZetaSketch sketches, as a sketch.

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, GroupsAccumulator, Signature,
    Volatility,
};

use super::{MergeKernel, MergeOutput};
use crate::hll::aggregate::{SketchAccumulator, SketchGroups, SlidingSketch, state_fields};
use crate::hll::family::{Family, check_sketch_arg, is_binary};

pub const NAME: &str = "hll_count_merge_partial";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct HllCountMergePartialFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for HllCountMergePartialFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl HllCountMergePartialFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            aliases: super::aliases(NAME),
        }
    }
}

const KERNEL: MergeKernel = MergeKernel {
    name: NAME,
    output: MergeOutput::Sketch,
};

impl AggregateUDFImpl for HllCountMergePartialFunc {
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
        Ok(DataType::Binary)
    }

    fn return_field(&self, arg_fields: &[FieldRef]) -> Result<FieldRef> {
        if let Some(f) = arg_fields.first() {
            check_sketch_arg(NAME, f, Family::ZetaSketch)?;
        }
        Ok(Family::ZetaSketch.field(NAME))
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
        "BigQuery's HLL_COUNT.MERGE_PARTIAL: the union of HLL_COUNT sketches as one sketch, \
         the same bytes BigQuery returns. Sketches of different precision merge at the lowest \
         one; INT64 sketches do not merge with STRING/BYTES ones. NULL inputs are skipped; NULL \
         when there is no non-NULL input. Invalid sketches are an error.",
        "hll_count_merge_partial(sketch)",
    )
    .with_sql_example(
        "```sql\n> SELECT HLL_COUNT.MERGE_PARTIAL(clients_hll) FROM clients_daily_hll;\n```",
    )
    .with_argument("sketch", "A BigQuery HLL_COUNT sketch (BYTES).")
    .with_alternative_syntax("HLL_COUNT.MERGE_PARTIAL(sketch)")
    .with_related_udf("hll_count_merge")
    .build()
});

/// The `hll_count_merge_partial` aggregate.
pub fn udaf() -> Arc<AggregateUDF> {
    static UDAF: LazyLock<Arc<AggregateUDF>> =
        LazyLock::new(|| Arc::new(AggregateUDF::new_from_impl(HllCountMergePartialFunc::new())));
    Arc::clone(&UDAF)
}
