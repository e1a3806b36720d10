//! `hll_merge(sketch)`: Mozilla's `spark-hyperloglog` union of Algebird sketches, always a
//! dense sketch (an empty 12-bit one when there is no input).

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, GroupsAccumulator, Signature,
    Volatility,
};

use super::MergeKernel;
use crate::hll::aggregate::{SketchAccumulator, SketchGroups, SlidingSketch, state_fields};
use crate::hll::family::{Family, check_sketch_arg, is_binary};

pub const NAME: &str = "hll_merge";

const KERNEL: MergeKernel = MergeKernel {
    name: NAME,
    empty_sketch_without_input: true,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct HllMergeFunc {
    signature: Signature,
}

impl Default for HllMergeFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl HllMergeFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl AggregateUDFImpl for HllMergeFunc {
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
        Ok(DataType::Binary)
    }

    fn return_field(&self, arg_fields: &[FieldRef]) -> Result<FieldRef> {
        if let Some(f) = arg_fields.first() {
            check_sketch_arg(NAME, f, Family::Algebird)?;
        }
        Ok(Family::Algebird.field(NAME))
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
        super::super::SECTION_MOZILLA,
        "Mozilla spark-hyperloglog's hll_merge: the register-wise maximum of Algebird \
         sketches, always returned dense ([0x02][bits][2^bits registers]); an empty 12-bit \
         sketch (4098 bytes, cardinality 0) when there is no non-NULL input. Sketches of \
         different bit widths are an error.",
        "hll_merge(sketch)",
    )
    .with_sql_example(
        "```sql\n> SELECT os, hll_cardinality(hll_merge(hll_create(client_id, 12)))\n  FROM clients_daily GROUP BY os;\n```",
    )
    .with_argument("sketch", "An Algebird sketch (binary), sparse or dense.")
    .with_related_udf("hll_create")
    .with_related_udf("hll_cardinality")
    .build()
});

/// The `hll_merge` aggregate.
pub fn udaf() -> Arc<AggregateUDF> {
    static UDAF: LazyLock<Arc<AggregateUDF>> =
        LazyLock::new(|| Arc::new(AggregateUDF::new_from_impl(HllMergeFunc::new())));
    Arc::clone(&UDAF)
}
