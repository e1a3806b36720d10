//! `hll_create(x, bits)`: Mozilla's `spark-hyperloglog` sketch of one value, an Algebird
//! sparse sketch with one register set (merge them with `hll_merge`).

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, AsArray, BinaryBuilder};
use arrow::datatypes::{DataType, FieldRef, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility,
};

use super::format::{Hll, MAX_BITS, MIN_BITS, OneValue};
use crate::hll::family::Family;
use crate::hll::input::{Accepts, Rows, Value, for_each_value};

pub const NAME: &str = "hll_create";

/// Spark's `hll_create` takes a string (other types reach it through Spark's implicit cast to
/// string, so integers are hashed as their decimal text); binary values are hashed as bytes.
const ACCEPTS: Accepts = Accepts {
    integers: true,
    floats: false,
    strings: true,
    binary: true,
    booleans: false,
    dates: false,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct HllCreateFunc {
    signature: Signature,
}

impl Default for HllCreateFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl HllCreateFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for HllCreateFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [x, b] if b.is_integer() || b == &DataType::Null => {
                Ok(vec![ACCEPTS.check(NAME, x)?, DataType::Int64])
            }
            [_, b] => plan_err!("{NAME}: bits must be an integer, got {b}"),
            _ => plan_err!("{NAME}: expected hll_create(x, bits)"),
        }
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Binary)
    }

    fn return_field_from_args(&self, _: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(Family::Algebird.field(NAME))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let all_scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [x, bits] = arrays.as_slice() else {
            return plan_err!("{NAME}: expected hll_create(x, bits)");
        };
        let bits = bits.as_primitive::<Int64Type>();
        let rows: Vec<usize> = (0..x.len()).collect();
        // Each sketch is at most 6 bytes: kept inline, no allocation per row.
        let mut out: Vec<Option<OneValue>> = vec![None; x.len()];
        let mut text = String::new();
        for_each_value(
            NAME,
            x,
            Rows {
                groups: &rows,
                filter: None,
            },
            |row, v| {
                if bits.is_null(row) {
                    return Ok(());
                }
                let b = bits.value(row);
                let Some(b) = u8::try_from(b)
                    .ok()
                    .filter(|b| (MIN_BITS..=MAX_BITS).contains(b))
                else {
                    return exec_err!(
                        "{NAME}: bits must be between {MIN_BITS} and {MAX_BITS}, got {b}"
                    );
                };
                let bytes: &[u8] = match v {
                    Value::Str(s) => s.as_bytes(),
                    Value::Bytes(b) => b,
                    Value::Long(n) => {
                        text = n.to_string();
                        text.as_bytes()
                    }
                    other => return exec_err!("{NAME}: cannot sketch {other:?}"),
                };
                if let Some(slot) = out.get_mut(row) {
                    *slot = Some(Hll::one_value_bytes(bytes, b));
                }
                Ok(())
            },
        )?;
        let mut builder = BinaryBuilder::with_capacity(out.len(), out.len() * 6);
        for o in &out {
            builder.append_option(o.as_ref().map(|(b, n)| &b[..*n]));
        }
        let array = builder.finish();
        if all_scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &array, 0,
            )?))
        } else {
            Ok(ColumnarValue::Array(Arc::new(array)))
        }
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::super::SECTION_MOZILLA,
        "Mozilla spark-hyperloglog's hll_create: an Algebird sketch of one value with 2^bits \
         registers, in Algebird's sparse form (one register set). Strings are hashed as \
         UTF-8, integers as their decimal text (Spark casts them to string), binary values as \
         their bytes, with Algebird's MurmurHash3 (seed 12345678). NULL for a NULL value or \
         NULL bits. Mozilla's client_count_daily used 12 bits (standard error 0.0163).",
        "hll_create(x, bits)",
    )
    .with_sql_example(
        "```sql\n> SELECT hll_cardinality(hll_merge(hll_create(client_id, 12))) FROM clients_daily;\n```",
    )
    .with_argument("x", "The value: string, integer or binary.")
    .with_argument("bits", "Register index bits, 4 to 24 (12 in Mozilla's datasets).")
    .with_related_udf("hll_merge")
    .build()
});

/// The `hll_create` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(HllCreateFunc::new())));
    Arc::clone(&UDF)
}
