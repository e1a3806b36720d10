//! `approx_set(x [, max_standard_error])`: Presto/Trino's HyperLogLog of a column, as Airlift
//! bytes Trino reads back (`CAST(col AS HyperLogLog)`).

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, GroupsAccumulator, Signature,
    Volatility,
};

use super::{APPROX_SET_P, BuildKernel, BuildOutput, Hasher, p_for_error, standard_error_arg};
use crate::hll::aggregate::{SketchAccumulator, SketchGroups, SlidingSketch, state_fields};
use crate::hll::family::Family;
use crate::hll::input::Accepts;

pub const NAME: &str = "approx_set";

/// The inputs Presto's `approx_set` hashes (bigint, double, varchar), plus every Arrow integer,
/// float and string type, and binary values (which Presto refuses).
const ACCEPTS: Accepts = Accepts {
    integers: true,
    floats: true,
    strings: true,
    binary: true,
    booleans: false,
    dates: false,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ApproxSetFunc {
    signature: Signature,
}

impl Default for ApproxSetFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl ApproxSetFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    fn kernel(&self, args: &AccumulatorArgs<'_>) -> Result<BuildKernel> {
        let p = match args.exprs.get(1) {
            None => APPROX_SET_P,
            Some(e) => p_for_error(NAME, standard_error_arg(NAME, e.as_ref())?)?,
        };
        Ok(BuildKernel {
            name: NAME,
            p,
            hasher: Hasher::Murmur3,
            output: BuildOutput::Sketch,
        })
    }
}

impl AggregateUDFImpl for ApproxSetFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [x] => Ok(vec![ACCEPTS.check(NAME, x)?]),
            [x, e] if e.is_numeric() || e == &DataType::Null => {
                Ok(vec![ACCEPTS.check(NAME, x)?, DataType::Float64])
            }
            [_, e] => plan_err!("{NAME}: max_standard_error must be a number, got {e}"),
            _ => plan_err!("{NAME}: expected approx_set(x) or approx_set(x, max_standard_error)"),
        }
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Binary)
    }

    fn return_field(&self, _: &[FieldRef]) -> Result<FieldRef> {
        Ok(Family::Airlift.field(NAME))
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        Ok(state_fields(&args))
    }

    fn accumulator(&self, args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SketchAccumulator::new(self.kernel(&args)?)))
    }

    fn groups_accumulator_supported(&self, _: AccumulatorArgs<'_>) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs<'_>,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(SketchGroups::new(self.kernel(&args)?)))
    }

    fn create_sliding_accumulator(
        &self,
        args: AccumulatorArgs<'_>,
    ) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SlidingSketch::new(self.kernel(&args)?)))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::super::SECTION_PRESTO,
        "Presto/Trino's HyperLogLog of the non-NULL values: Airlift bytes (type HyperLogLog) \
         that Trino reads back with CAST(col AS HyperLogLog). 4096 buckets by default \
         (standard error 0.01625); max_standard_error in [0.0040625, 0.26] picks the next \
         power of two at or above 1.0816/e² buckets. Values are hashed with Murmur3 like Presto \
         (integers as bigint, floats as double, strings as UTF-8, binary as its bytes). The \
         sketch is sparse while it holds at most 511 distinct 26-bit hash prefixes at 4096 \
         buckets (251 at 2048), and dense after: Presto's promotion point for values added \
         one at a time. NULL when there is no non-NULL input.",
        "approx_set(x [, max_standard_error])",
    )
    .with_sql_example(
        "```sql\n> SELECT cardinality(approx_set(client_id)) FROM clients_daily;\n```",
    )
    .with_argument(
        "x",
        "The values to count: integer, floating point, string or binary.",
    )
    .with_argument(
        "max_standard_error",
        "Optional constant in [0.0040625, 0.26]; 0.01625 (4096 buckets) when omitted.",
    )
    .with_related_udf("merge")
    .with_related_udf("cardinality")
    .build()
});

/// The `approx_set` aggregate.
pub fn udaf() -> Arc<AggregateUDF> {
    static UDAF: LazyLock<Arc<AggregateUDF>> =
        LazyLock::new(|| Arc::new(AggregateUDF::new_from_impl(ApproxSetFunc::new())));
    Arc::clone(&UDAF)
}
