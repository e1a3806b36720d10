//! `approx_distinct(x [, max_standard_error])`: DataFusion's own estimate for one argument,
//! Presto/Trino's for two.
//!
//! DataFusion already has `approx_distinct(x)` (p = 14, its own hash, `BIGINT UNSIGNED`); this
//! function takes over the name and hands the one-argument form to it unchanged. The
//! two-argument form is Trino's: values hashed with XxHash64 (the type's `XX_HASH_64`
//! operator) into an Airlift HyperLogLog of `standardErrorToBuckets(e)` buckets, estimated
//! with Airlift's `cardinality()`, 0 without input. `approx_distinct(x, 0.023)` is Presto's
//! one-argument `approx_distinct(x)` (2048 buckets).

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue, plan_err};
use datafusion::functions_aggregate::approx_distinct::approx_distinct_udaf;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, GroupsAccumulator, Signature,
    Volatility,
};

use super::{BuildKernel, BuildOutput, Hasher, p_for_error, standard_error_arg};
use crate::hll::aggregate::{SketchAccumulator, SketchGroups, SlidingSketch, state_fields};
use crate::hll::input::Accepts;

pub const NAME: &str = "approx_distinct";

/// What the two-argument (Trino) form counts.
const ACCEPTS: Accepts = Accepts {
    integers: true,
    floats: true,
    strings: true,
    binary: true,
    booleans: true,
    dates: true,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ApproxDistinctFunc {
    signature: Signature,
}

impl Default for ApproxDistinctFunc {
    fn default() -> Self {
        Self::new()
    }
}

/// DataFusion's built-in `approx_distinct`, which serves the one-argument form.
fn builtin() -> Arc<AggregateUDF> {
    approx_distinct_udaf()
}

impl ApproxDistinctFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    fn kernel(&self, args: &AccumulatorArgs<'_>) -> Result<BuildKernel> {
        let Some(e) = args.exprs.get(1) else {
            return plan_err!("{NAME}: expected a max_standard_error argument");
        };
        Ok(BuildKernel {
            name: NAME,
            p: p_for_error(NAME, standard_error_arg(NAME, e.as_ref())?)?,
            hasher: Hasher::XxHash64,
            output: BuildOutput::Cardinality,
        })
    }
}

/// Whether the call is the two-argument (Trino) form.
fn trino(args: &AccumulatorArgs<'_>) -> bool {
    args.exprs.len() == 2
}

impl AggregateUDFImpl for ApproxDistinctFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [x] => Ok(vec![x.clone()]),
            [x, e] if e.is_numeric() || e == &DataType::Null => {
                Ok(vec![ACCEPTS.check(NAME, x)?, DataType::Float64])
            }
            [_, e] => plan_err!("{NAME}: max_standard_error must be a number, got {e}"),
            _ => plan_err!(
                "{NAME}: expected approx_distinct(x) or approx_distinct(x, max_standard_error)"
            ),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if arg_types.len() == 2 {
            Ok(DataType::Int64)
        } else {
            builtin().return_type(arg_types)
        }
    }

    fn is_nullable(&self) -> bool {
        false
    }

    fn default_value(&self, data_type: &DataType) -> Result<ScalarValue> {
        ScalarValue::new_zero(data_type)
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        if args.input_fields.len() == 2 {
            Ok(state_fields(&args))
        } else {
            builtin().inner().state_fields(args)
        }
    }

    fn accumulator(&self, args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        if trino(&args) {
            Ok(Box::new(SketchAccumulator::new(self.kernel(&args)?)))
        } else {
            builtin().inner().accumulator(args)
        }
    }

    fn groups_accumulator_supported(&self, args: AccumulatorArgs<'_>) -> bool {
        trino(&args) || builtin().inner().groups_accumulator_supported(args)
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs<'_>,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        if trino(&args) {
            Ok(Box::new(SketchGroups::new(self.kernel(&args)?)))
        } else {
            builtin().inner().create_groups_accumulator(args)
        }
    }

    fn create_sliding_accumulator(
        &self,
        args: AccumulatorArgs<'_>,
    ) -> Result<Box<dyn Accumulator>> {
        if trino(&args) {
            Ok(Box::new(SlidingSketch::new(self.kernel(&args)?)))
        } else {
            builtin().inner().create_sliding_accumulator(args)
        }
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::super::SECTION_PRESTO,
        "Approximate number of distinct non-NULL values. With one argument this is \
         DataFusion's approx_distinct (16384 registers, returns BIGINT UNSIGNED). With a \
         max_standard_error in [0.0040625, 0.26] it is Presto/Trino's: values hashed with \
         XxHash64 into an Airlift HyperLogLog of the next power of two at or above 1.0816/e² \
         buckets, estimated like Presto's cardinality(); 0 for no input. \
         approx_distinct(x, 0.023) is what Presto's approx_distinct(x) returns.",
        "approx_distinct(x [, max_standard_error])",
    )
    .with_sql_example("```sql\n> SELECT approx_distinct(client_id, 0.023) FROM clients_daily;\n```")
    .with_argument("x", "The values to count.")
    .with_argument(
        "max_standard_error",
        "Optional constant in [0.0040625, 0.26] selecting Presto/Trino's estimate.",
    )
    .with_related_udf("approx_set")
    .build()
});

/// The `approx_distinct` aggregate.
pub fn udaf() -> Arc<AggregateUDF> {
    static UDAF: LazyLock<Arc<AggregateUDF>> =
        LazyLock::new(|| Arc::new(AggregateUDF::new_from_impl(ApproxDistinctFunc::new())));
    Arc::clone(&UDAF)
}
