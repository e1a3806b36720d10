//! `merge(sketch)`: Presto's union of HyperLogLog sketches, for whichever family the argument
//! is declared to hold: Presto/Trino `HyperLogLog` and `P4HyperLogLog` (Airlift), Mozilla's
//! plugin type `HLL` (Algebird), or `ZetaSketch` (BigQuery). Also a window function, for
//! Mozilla's rolling WAU/MAU (`merge(hll) OVER (… ROWS BETWEEN 6 PRECEDING AND CURRENT ROW)`).

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, internal_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, GroupsAccumulator, Signature,
    Volatility,
};

use super::aggregate::{SketchAccumulator, SketchGroups, SlidingSketch, state_fields};
use super::family::{Family, declared_family, is_binary};
use super::{airlift, algebird, zetasketch};

pub const NAME: &str = "merge";

const AIRLIFT: airlift::MergeKernel = airlift::MergeKernel {
    name: NAME,
    dense: false,
};
const AIRLIFT_P4: airlift::MergeKernel = airlift::MergeKernel {
    name: NAME,
    dense: true,
};
const ALGEBIRD: algebird::MergeKernel = algebird::MergeKernel {
    name: NAME,
    empty_sketch_without_input: false,
};
const ZETASKETCH: zetasketch::MergeKernel = zetasketch::MergeKernel {
    name: NAME,
    output: zetasketch::MergeOutput::Sketch,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct MergeFunc {
    signature: Signature,
}

impl Default for MergeFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl MergeFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

/// The family planned for this call (carried by the return field).
fn family(args: &AccumulatorArgs<'_>) -> Result<Family> {
    match Family::of_field(&args.return_field) {
        Some(f) => Ok(f),
        None => internal_err!("{NAME}: the planned result has no sketch family"),
    }
}

impl AggregateUDFImpl for MergeFunc {
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
        let Some(arg) = arg_fields.first() else {
            return plan_err!("{NAME}: expected one sketch argument");
        };
        Ok(declared_family(NAME, arg)?.field(NAME))
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        Ok(state_fields(&args))
    }

    fn accumulator(&self, args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        Ok(match family(&args)? {
            Family::Airlift => Box::new(SketchAccumulator::new(AIRLIFT)),
            Family::AirliftP4 => Box::new(SketchAccumulator::new(AIRLIFT_P4)),
            Family::Algebird => Box::new(SketchAccumulator::new(ALGEBIRD)),
            Family::ZetaSketch => Box::new(SketchAccumulator::new(ZETASKETCH)),
        })
    }

    fn groups_accumulator_supported(&self, _: AccumulatorArgs<'_>) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs<'_>,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(match family(&args)? {
            Family::Airlift => Box::new(SketchGroups::new(AIRLIFT)),
            Family::AirliftP4 => Box::new(SketchGroups::new(AIRLIFT_P4)),
            Family::Algebird => Box::new(SketchGroups::new(ALGEBIRD)),
            Family::ZetaSketch => Box::new(SketchGroups::new(ZETASKETCH)),
        })
    }

    fn create_sliding_accumulator(
        &self,
        args: AccumulatorArgs<'_>,
    ) -> Result<Box<dyn Accumulator>> {
        Ok(match family(&args)? {
            Family::Airlift => Box::new(SlidingSketch::new(AIRLIFT)),
            Family::AirliftP4 => Box::new(SlidingSketch::new(AIRLIFT_P4)),
            Family::Algebird => Box::new(SlidingSketch::new(ALGEBIRD)),
            Family::ZetaSketch => Box::new(SlidingSketch::new(ZETASKETCH)),
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION_SHARED,
        "Presto's merge: the union of HyperLogLog sketches, in the format the argument is \
         declared to hold (by the function that made it, the column's declared type, or a \
         cast): HyperLogLog (Airlift; refuses sketches with different numbers of buckets; \
         sparse while it has at most 511 entries at 4096 buckets), P4HyperLogLog (Airlift, \
         always dense), HLL (Mozilla's Algebird plugin type; always dense; different bit \
         widths are an error) or ZetaSketch (BigQuery; like HLL_COUNT.MERGE_PARTIAL). NULL \
         inputs are skipped; NULL when there is none. Formats are never guessed from the \
         bytes: a plain binary column must be cast. Works as a window function, e.g. \
         merge(hll) OVER (PARTITION BY c ORDER BY d ROWS BETWEEN 6 PRECEDING AND CURRENT ROW).",
        "merge(sketch)",
    )
    .with_sql_example(
        "```sql\n> SELECT os, cardinality(merge(cast(hll AS HLL))) AS dau\n  FROM client_count_daily GROUP BY os;\n```",
    )
    .with_argument("sketch", "A sketch column or expression of a declared family.")
    .with_related_udf("cardinality")
    .with_related_udf("approx_set")
    .build()
});

/// The `merge` aggregate.
pub fn udaf() -> Arc<AggregateUDF> {
    static UDAF: LazyLock<Arc<AggregateUDF>> =
        LazyLock::new(|| Arc::new(AggregateUDF::new_from_impl(MergeFunc::new())));
    Arc::clone(&UDAF)
}
