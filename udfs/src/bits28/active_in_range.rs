//! `bits28_active_in_range(bits, start_offset, n_bits)`: whether any bit of the window that
//! `bits28_range` reads is set.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, BooleanArray, Int64Array};
use arrow::buffer::BooleanBuffer;
use arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::bit_range::{Caller, constant_window, window};
use crate::columnar::{self, at, int64_array};

pub const NAME: &str = "bits28_active_in_range";

const WHO: Caller<'static> = Caller {
    function: NAME,
    call: NAME,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ActiveInRangeFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for ActiveInRangeFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl ActiveInRangeFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![
                columnar::int64(),
                columnar::int64(),
                columnar::int64(),
            ]),
            aliases: super::aliases(NAME),
        }
    }
}

impl ScalarUDFImpl for ActiveInRangeFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if let [
            ColumnarValue::Array(bits),
            ColumnarValue::Scalar(ScalarValue::Int64(start)),
            ColumnarValue::Scalar(ScalarValue::Int64(n)),
        ] = args.args.as_slice()
        {
            let bits = int64_array(NAME, bits)?;
            return Ok(ColumnarValue::Array(Arc::new(active_in_constant_window(
                WHO, bits, *start, *n,
            )?)));
        }
        columnar::apply(args, |a| {
            let [bits, start, n] = a else {
                return exec_err!("{NAME}: expected 3 arguments");
            };
            let (bits, start, n) = (
                int64_array(NAME, bits)?,
                int64_array(NAME, start)?,
                int64_array(NAME, n)?,
            );
            let out = (0..bits.len())
                .map(|i| {
                    let b = at(bits, i);
                    Ok(window(WHO, b, at(start, i), at(n, i))?.and_then(|w| Some(w.read(b?) != 0)))
                })
                .collect::<Result<BooleanArray>>()?;
            Ok(Arc::new(out) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// `active_in_range` of every pattern of `bits` with the same literal `start_offset` and
/// `n_bits`, checked once; `who` names the caller in errors.
fn active_in_constant_window(
    who: Caller<'_>,
    bits: &Int64Array,
    start: Option<i64>,
    n: Option<i64>,
) -> Result<BooleanArray> {
    if bits.is_empty() {
        return Ok(BooleanArray::from(Vec::<bool>::new()));
    }
    Ok(match constant_window(who, bits, start, n)? {
        None => BooleanArray::new_null(bits.len()),
        Some(w) => {
            let v = bits.values();
            let set = BooleanBuffer::collect_bool(bits.len(), |i| w.read(v[i]) != 0);
            BooleanArray::new(set, bits.nulls().cloned())
        }
    })
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "TRUE when any bit of bits28_range(bits, start_offset, n_bits) is set: was the client \
         active in that window? Same argument checks and errors as bits28_range; n_bits <= 0 \
         gives FALSE; NULL bits give NULL. \
         Example: bits28.active_in_range(1 << 10, -13, 7) = TRUE.",
        "bits28_active_in_range(bits, start_offset, n_bits)",
    )
    .with_sql_example(
        "```sql\n> SELECT bits28.active_in_range(1024, -13, 7) AS week_0, bits28.active_in_range(1024, -6, 7) AS week_1;\n\
         +--------+--------+\n| week_0 | week_1 |\n+--------+--------+\n| true   | false  |\n\
         +--------+--------+\n```",
    )
    .with_argument("bits", "INT64 bit pattern (bit k = active k days ago).")
    .with_argument(
        "start_offset",
        "Day to start from, 0 (today) or negative (-k = k days ago).",
    )
    .with_argument(
        "n_bits",
        "Number of days to look at, from start_offset towards day 0.",
    )
    .with_alternative_syntax("bits28.active_in_range(bits, start_offset, n_bits)")
    .with_alternative_syntax("mozfun.bits28.active_in_range(bits, start_offset, n_bits)")
    .build()
});

/// The `bits28_active_in_range` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(ActiveInRangeFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn active(bits: i64, s: i64, n: i64) -> Option<bool> {
        let a = active_in_constant_window(WHO, &Int64Array::from(vec![bits]), Some(s), Some(n))
            .unwrap();
        a.is_valid(0).then(|| a.value(0))
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.1 `bits28.active_in_range`, tests (4).
        assert_eq!(active(1 << 10, -13, 7), Some(true));
        assert_eq!(active(1 << 10, -6, 7), Some(false));
        assert_eq!(active(1, 0, 1), Some(true));
        assert_eq!(active(0, 0, 1), Some(false));
    }

    #[test]
    fn edges() {
        assert_eq!(active(-1, -3, 0), Some(false));
        assert_eq!(active(i64::MIN, -63, 1), Some(true));
        let bits = Int64Array::from(vec![None, Some(1)]);
        let err = active_in_constant_window(WHO, &bits, Some(-1), Some(3)).unwrap_err();
        assert!(
            err.strip_backtrace().contains(
                "Reading 3 bits from starting_offset -1 exceeds end of bit pattern in call \
                 bits28_active_in_range(NULL, -1, 3)"
            ),
            "{err}"
        );
    }
}
