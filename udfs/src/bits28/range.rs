//! `bits28_range(bits, start_offset, n_bits)`: `n_bits` bits of a pattern read from day
//! `start_offset` (0 or negative) towards day 0, right-aligned.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, Int64Array};
use arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use super::bit_range::{Caller, Window, constant_window, window};
use crate::columnar::{self, at, int64_array};

pub const NAME: &str = "bits28_range";

const WHO: Caller<'static> = Caller {
    function: NAME,
    call: NAME,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RangeFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for RangeFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl RangeFunc {
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

impl ScalarUDFImpl for RangeFunc {
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
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        // The common call: a column of patterns, literal offsets. Checked once per batch.
        if let [
            ColumnarValue::Array(bits),
            ColumnarValue::Scalar(ScalarValue::Int64(start)),
            ColumnarValue::Scalar(ScalarValue::Int64(n)),
        ] = args.args.as_slice()
        {
            let bits = int64_array(NAME, bits)?;
            return Ok(ColumnarValue::Array(Arc::new(read_constant_window(
                bits, *start, *n,
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
                    Ok(window(WHO, b, at(start, i), at(n, i))?.and_then(|w| Some(w.read(b?))))
                })
                .collect::<Result<Int64Array>>()?;
            Ok(Arc::new(out) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// `range` of every pattern in `bits` with the same literal `start_offset` and `n_bits`:
/// checked once, then one shift pair per row.
fn read_constant_window(
    bits: &Int64Array,
    start: Option<i64>,
    n: Option<i64>,
) -> Result<Int64Array> {
    if bits.is_empty() {
        return Ok(Int64Array::from(Vec::<i64>::new()));
    }
    Ok(match constant_window(WHO, bits, start, n)? {
        None => Int64Array::new_null(bits.len()),
        Some(Window::Zero) => Int64Array::new(vec![0; bits.len()].into(), bits.nulls().cloned()),
        Some(Window::Shift { left, right }) => {
            bits.unary::<_, Int64Type>(|b| (((b as u64) << left) >> right) as i64)
        }
    })
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "The n_bits bits of a pattern starting start_offset days back (0 or negative) and \
         going towards day 0, right-aligned as an INT64. Checks its arguments as BigQuery \
         does, even when bits is NULL: start_offset > 0 or n_bits > 1 - start_offset is an \
         error; n_bits <= 0 gives 0; start_offset may reach bit 63 (-63). \
         Example: bits28.range(1 << 10, -13, 7) = 8 (week 0 of a 14-day window).",
        "bits28_range(bits, start_offset, n_bits)",
    )
    .with_sql_example(
        "```sql\n> SELECT bits28.range(1024, -13, 7) AS week_0, bits28.range(1024, -6, 7) AS week_1;\n\
         +--------+--------+\n| week_0 | week_1 |\n+--------+--------+\n| 8      | 0      |\n\
         +--------+--------+\n```",
    )
    .with_argument("bits", "INT64 bit pattern (bit k = active k days ago).")
    .with_argument(
        "start_offset",
        "Day to start from, 0 (today) or negative (-k = k days ago).",
    )
    .with_argument(
        "n_bits",
        "Number of bits to read, from start_offset towards day 0.",
    )
    .with_alternative_syntax("bits28.range(bits, start_offset, n_bits)")
    .with_alternative_syntax("mozfun.bits28.range(bits, start_offset, n_bits)")
    .build()
});

/// The `bits28_range` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(RangeFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_window_matches_row_by_row() {
        let bits = Int64Array::from(vec![Some(1 << 10), None, Some(-1), Some(9217)]);
        let got = read_constant_window(&bits, Some(-13), Some(7)).unwrap();
        assert_eq!(
            got.iter().collect::<Vec<_>>(),
            vec![Some(8), None, Some(127), Some(72)]
        );
        let zero = read_constant_window(&bits, Some(-3), Some(0)).unwrap();
        assert_eq!(
            zero.iter().collect::<Vec<_>>(),
            vec![Some(0), None, Some(0), Some(0)]
        );
        assert_eq!(
            read_constant_window(&bits, None, Some(1))
                .unwrap()
                .null_count(),
            4
        );
        let err = read_constant_window(&bits, Some(1), Some(1)).unwrap_err();
        assert!(
            err.strip_backtrace()
                .contains("in call bits28_range(1024, 1, 1)"),
            "{err}"
        );
        assert!(
            read_constant_window(&Int64Array::from(Vec::<i64>::new()), Some(1), Some(1))
                .unwrap()
                .is_empty()
        );
    }
}
