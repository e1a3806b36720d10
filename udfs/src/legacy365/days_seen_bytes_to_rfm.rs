//! `days_seen_bytes_to_rfm(days_seen_bytes)`: frequency, T and recency of a 365-day pattern,
//! as the `lifetimes` library defines them.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, Int64Builder, StructArray};
use arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::bytes::bitstring::{count_ones, highest_set_bit, lowest_set_bit};
use crate::columnar::{self, Bytes};

pub const NAME: &str = "days_seen_bytes_to_rfm";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DaysSeenBytesToRfmFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for DaysSeenBytesToRfmFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl DaysSeenBytesToRfmFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::bytes()]),
            aliases: super::aliases(NAME, &[]),
        }
    }
}

/// BigQuery's field names, `T` upper-case (read it as `rfm['T']`).
fn fields() -> Fields {
    Fields::from(vec![
        Field::new("frequency", DataType::Int64, true),
        Field::new("T", DataType::Int64, true),
        Field::new("recency", DataType::Int64, true),
    ])
}

impl ScalarUDFImpl for DaysSeenBytesToRfmFunc {
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
        Ok(DataType::Struct(fields()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        columnar::apply(args, |a| {
            let [b] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            let b = Bytes::try_new(NAME, b)?;
            let mut frequency = Int64Builder::with_capacity(b.len());
            let mut t = Int64Builder::with_capacity(b.len());
            let mut recency = Int64Builder::with_capacity(b.len());
            b.try_for_each(|_, v| {
                let (f, first, last) = match v {
                    Some(v) => (Some(count_ones(v)), highest_set_bit(v), lowest_set_bit(v)),
                    None => (None, None, None),
                };
                frequency.append_option(f);
                t.append_option(first);
                recency.append_option(first.zip(last).map(|(first, last)| first - last));
                Ok(())
            })?;
            let columns: Vec<ArrayRef> = vec![
                Arc::new(frequency.finish()),
                Arc::new(t.finish()),
                Arc::new(recency.finish()),
            ];
            Ok(Arc::new(StructArray::try_new(fields(), columns, None)?) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "The RFM summary of a BYTES days-seen pattern (lifetimes' definitions): a struct of \
         frequency = bits_to_days_seen(b), T = bits_to_days_since_first_seen(b) and recency = \
         T - bits_to_days_since_seen(b). NULL gives NULL fields. \
         Example: udf.days_seen_bytes_to_rfm(X'14') = {frequency: 2, T: 4, recency: 2}.",
        "days_seen_bytes_to_rfm(days_seen_bytes)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.days_seen_bytes_to_rfm(X'14') AS rfm;\n\
         +----------------------------------+\n| rfm                              |\n\
         +----------------------------------+\n| {frequency: 2, T: 4, recency: 2} |\n\
         +----------------------------------+\n```",
    )
    .with_argument("days_seen_bytes", "BYTES 365-day pattern.")
    .with_alternative_syntax("udf.days_seen_bytes_to_rfm(days_seen_bytes)")
    .build()
});

/// The `days_seen_bytes_to_rfm` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(DaysSeenBytesToRfmFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use arrow::array::{Array, AsArray, BinaryArray};
    use arrow::datatypes::Int64Type;

    use super::*;
    use crate::columnar::testing::on_arrays;

    #[test]
    fn repository_vector() {
        // bits28.md §2.4 `udf.days_seen_bytes_to_rfm`, test (1): b'\x14' → {2, 4, 2}; then NULL.
        let b: ArrayRef = Arc::new(BinaryArray::from(vec![Some(&[0x14u8][..]), None]));
        let out = on_arrays(&udf(), vec![b]).unwrap();
        let s = out.as_struct();
        let field = |n: &str| {
            s.column_by_name(n)
                .unwrap()
                .as_primitive::<Int64Type>()
                .clone()
        };
        assert_eq!(field("frequency").value(0), 2);
        assert_eq!(field("T").value(0), 4);
        assert_eq!(field("recency").value(0), 2);
        assert!(field("T").is_null(1));
    }
}
