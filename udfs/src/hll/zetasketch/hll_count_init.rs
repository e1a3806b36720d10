//! `hll_count_init(x [, precision])` (BigQuery `HLL_COUNT.INIT`): a ZetaSketch HLL++ sketch
//! of the non-NULL values, byte for byte what BigQuery returns.

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, GroupsAccumulator, Signature,
    Volatility,
};
use datafusion::physical_plan::expressions::Literal;

use super::InitKernel;
use super::format::{DEFAULT_PRECISION, MAX_PRECISION, MIN_PRECISION};
use crate::hll::aggregate::{SketchAccumulator, SketchGroups, SlidingSketch, state_fields};
use crate::hll::family::Family;
use crate::hll::input::Accepts;

pub const NAME: &str = "hll_count_init";

/// BigQuery sketches INT64, STRING and BYTES (every Arrow integer is taken as an INT64).
const ACCEPTS: Accepts = Accepts {
    integers: true,
    floats: false,
    strings: true,
    binary: true,
    booleans: false,
    dates: false,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct HllCountInitFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for HllCountInitFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl HllCountInitFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            aliases: super::aliases(NAME),
        }
    }

    fn kernel(&self, args: &AccumulatorArgs<'_>) -> Result<InitKernel> {
        let p = match args.exprs.get(1) {
            None => DEFAULT_PRECISION,
            Some(e) => {
                let Some(lit) = e.downcast_ref::<Literal>() else {
                    return plan_err!("{NAME}: precision must be a constant");
                };
                match lit.value() {
                    ScalarValue::Int64(Some(p))
                        if (i64::from(MIN_PRECISION)..=i64::from(MAX_PRECISION)).contains(p) =>
                    {
                        *p as u8
                    }
                    other => {
                        return plan_err!(
                            "{NAME}: precision must be an integer between {MIN_PRECISION} and \
                             {MAX_PRECISION}, got {other}"
                        );
                    }
                }
            }
        };
        Ok(InitKernel { name: NAME, p })
    }
}

impl AggregateUDFImpl for HllCountInitFunc {
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
            [x] => Ok(vec![ACCEPTS.check(NAME, x)?]),
            [x, p] if p.is_integer() || p == &DataType::Null => {
                Ok(vec![ACCEPTS.check(NAME, x)?, DataType::Int64])
            }
            [_, p] => plan_err!("{NAME}: precision must be an integer, got {p}"),
            _ => plan_err!("{NAME}: expected hll_count_init(x) or hll_count_init(x, precision)"),
        }
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Binary)
    }

    fn return_field(&self, _: &[FieldRef]) -> Result<FieldRef> {
        Ok(Family::ZetaSketch.field(NAME))
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
        super::super::SECTION_BIGQUERY,
        "BigQuery's HLL_COUNT.INIT: a ZetaSketch HLL++ sketch of the non-NULL values, the \
         same bytes BigQuery returns. Integers are sketched as INT64, strings as STRING and \
         binary values as BYTES (STRING and BYTES sketches merge with each other, not with \
         INT64 ones). Precision 10 to 24, 15 by default; the sparse precision is min(p + 5, \
         25), and the sketch stays sparse while its encoded sparse values take fewer than \
         0.75 · 2^p bytes. NULL when there is no non-NULL input.",
        "hll_count_init(x [, precision])",
    )
    .with_sql_example(
        "```sql\n> SELECT country, HLL_COUNT.INIT(client_id, 12) AS clients_hll\n  FROM clients_daily GROUP BY country;\n```",
    )
    .with_argument("x", "INT64, STRING or BYTES values (any integer, string or binary type).")
    .with_argument("precision", "Optional constant from 10 to 24 (default 15).")
    .with_alternative_syntax("HLL_COUNT.INIT(x [, precision])")
    .with_related_udf("hll_count_merge")
    .with_related_udf("hll_count_extract")
    .build()
});

/// The `hll_count_init` aggregate.
pub fn udaf() -> Arc<AggregateUDF> {
    static UDAF: LazyLock<Arc<AggregateUDF>> =
        LazyLock::new(|| Arc::new(AggregateUDF::new_from_impl(HllCountInitFunc::new())));
    Arc::clone(&UDAF)
}
