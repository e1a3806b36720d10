//! `bit_count(x)`: BigQuery's `BIT_COUNT`, the number of set bits of an INT64 (two's
//! complement) or of a BYTES value.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, Int64Builder};
use arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

use crate::bytes::bitstring::count_ones;
use crate::columnar::{self, Bytes, int64_array};

pub const NAME: &str = "bit_count";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BitCountFunc {
    signature: Signature,
}

impl Default for BitCountFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl BitCountFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for BitCountFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Integers (and NULL) become INT64, BigQuery's only integer type: a negative INT32 is
    /// counted as its INT64 value, 64 bits wide. BYTES keep their layout.
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [t] if columnar::is_integer(t) => Ok(vec![DataType::Int64]),
            [t @ (DataType::Binary | DataType::LargeBinary | DataType::BinaryView)] => {
                Ok(vec![t.clone()])
            }
            [DataType::FixedSizeBinary(_)] => Ok(vec![DataType::Binary]),
            _ => plan_err!("{NAME}: expected an INT64 or BYTES argument, got {arg_types:?}"),
        }
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        columnar::apply(args, |a| {
            let [x] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            if x.data_type() == &DataType::Int64 {
                let out =
                    int64_array(NAME, x)?.unary::<_, Int64Type>(|v| i64::from(v.count_ones()));
                return Ok(Arc::new(out) as ArrayRef);
            }
            let b = Bytes::try_new(NAME, x)?;
            let mut out = Int64Builder::with_capacity(b.len());
            b.try_for_each(|_, v| {
                out.append_option(v.map(count_ones));
                Ok(())
            })?;
            Ok(Arc::new(out.finish()) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "BigQuery's BIT_COUNT: the number of set bits of an INT64 (two's complement, so \
         bit_count(-1) = 64) or of a BYTES value; NULL gives NULL. The activity segments count \
         active days with it: bit_count(days_active_bits) >= 21 is a core user. \
         Example: bit_count(8256) = 2.",
        "bit_count(x)",
    )
    .with_sql_example(
        "```sql\n> SELECT bit_count(-1) AS a, bit_count(X'FF03') AS b;\n+----+----+\n| a  | b  |\n\
         +----+----+\n| 64 | 10 |\n+----+----+\n```",
    )
    .with_argument("x", "INT64 or BYTES value.")
    .build()
});

/// The `bit_count` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(BitCountFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use arrow::array::{AsArray, BinaryArray, Int64Array};

    use super::*;
    use crate::columnar::testing::on_arrays;

    #[test]
    fn counts_int64_and_bytes() {
        let ints = on_arrays(
            &udf(),
            vec![Arc::new(Int64Array::from(vec![
                Some(-1),
                Some(8256),
                None,
                Some(i64::MIN),
            ]))],
        )
        .unwrap();
        assert_eq!(
            ints.as_primitive::<Int64Type>().iter().collect::<Vec<_>>(),
            vec![Some(64), Some(2), None, Some(1)]
        );
        let bytes = on_arrays(
            &udf(),
            vec![Arc::new(BinaryArray::from(vec![
                Some(&[0xFF, 0x03][..]),
                Some(&[][..]),
                None,
            ]))],
        )
        .unwrap();
        assert_eq!(
            bytes.as_primitive::<Int64Type>().iter().collect::<Vec<_>>(),
            vec![Some(10), Some(0), None]
        );
    }
}
