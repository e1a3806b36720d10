//! `cardinality(x)`: Presto's estimate of a HyperLogLog sketch, for whichever family the
//! argument is declared to hold; for lists and maps, DataFusion's own `cardinality` (their
//! number of elements), which this function replaces by name and delegates to.

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, internal_err, plan_err};
use datafusion::functions_nested::cardinality::cardinality_udf;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility,
};

use super::family::{Family, declared_family, is_binary};
use super::input::map_sketches;
use super::{airlift, algebird, zetasketch};

pub const NAME: &str = "cardinality";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CardinalityFunc {
    signature: Signature,
}

impl Default for CardinalityFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl CardinalityFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

/// DataFusion's list/map `cardinality`.
fn builtin() -> Arc<ScalarUDF> {
    cardinality_udf()
}

impl ScalarUDFImpl for CardinalityFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [t] if is_binary(t) => Ok(vec![t.clone()]),
            [DataType::FixedSizeList(f, _)] => Ok(vec![DataType::List(Arc::clone(f))]),
            [
                t @ (DataType::List(_)
                | DataType::LargeList(_)
                | DataType::Map(..)
                | DataType::Null),
            ] => Ok(vec![t.clone()]),
            [t] => plan_err!("{NAME}: expected a HyperLogLog sketch, a list or a map, got {t}"),
            _ => plan_err!("{NAME}: expected one argument"),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [t] if is_binary(t) => Ok(DataType::Int64),
            _ => builtin().return_type(arg_types),
        }
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        match args.arg_fields.first() {
            Some(f) if is_binary(f.data_type()) => {
                declared_family(NAME, f)?;
                Ok(Arc::new(Field::new(NAME, DataType::Int64, true)))
            }
            _ => builtin().inner().return_field_from_args(args),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let Some(field) = args.arg_fields.first() else {
            return plan_err!("{NAME}: expected one argument");
        };
        if !is_binary(field.data_type()) {
            return builtin().invoke_with_args(args);
        }
        let Some(family) = Family::of_field(field) else {
            return internal_err!("{NAME}: the sketch argument has no declared family");
        };
        let [sketch] = args.args.as_slice() else {
            return plan_err!("{NAME}: expected one argument");
        };
        match family {
            Family::Airlift => {
                map_sketches(NAME, sketch, None, |b| airlift::cardinality(NAME, b, false))
            }
            Family::AirliftP4 => {
                map_sketches(NAME, sketch, None, |b| airlift::cardinality(NAME, b, true))
            }
            Family::Algebird => {
                map_sketches(NAME, sketch, None, |b| algebird::cardinality(NAME, b))
            }
            Family::ZetaSketch => {
                map_sketches(NAME, sketch, None, |b| zetasketch::extract(NAME, b))
            }
        }
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION_SHARED,
        "Presto's cardinality: the estimated number of distinct values in a HyperLogLog \
         sketch (BIGINT), computed the way its format's home system does: Presto/Trino \
         (HyperLogLog, P4HyperLogLog: Airlift's estimator with its bias tables), Mozilla's \
         plugin (HLL: Algebird's estimator) or BigQuery (ZetaSketch: HLL_COUNT.EXTRACT). The \
         format is the argument's declared one (cast a plain binary column). NULL for NULL. \
         For a list or a map, the number of elements (DataFusion's cardinality, BIGINT \
         UNSIGNED).",
        "cardinality(x)",
    )
    .with_sql_example(
        "```sql\n> SELECT cardinality(merge(cast(h AS HyperLogLog))) FROM sketches;\n> SELECT cardinality([1, 2, 3]);\n```",
    )
    .with_argument("x", "A sketch of a declared family, a list or a map.")
    .with_related_udf("merge")
    .build()
});

/// The `cardinality` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(CardinalityFunc::new())));
    Arc::clone(&UDF)
}
