//! `bits28_to_dates(bits, submission_date)`: the dates a pattern marks active, ascending.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, AsArray, Date32Array, Int64Array, ListArray};
use arrow::buffer::{NullBuffer, OffsetBuffer};
use arrow::datatypes::{DataType, Date32Type, Field, FieldRef};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::columnar::{self, int64_array};

pub const NAME: &str = "bits28_to_dates";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToDatesFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for ToDatesFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl ToDatesFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64(), columnar::date()]),
            aliases: super::aliases(NAME),
        }
    }
}

fn item() -> FieldRef {
    Arc::new(Field::new_list_field(DataType::Date32, true))
}

impl ScalarUDFImpl for ToDatesFunc {
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
        Ok(DataType::List(item()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        columnar::apply(args, |a| {
            let [bits, date] = a else {
                return exec_err!("{NAME}: expected 2 arguments");
            };
            let date = arrow::compute::cast(date, &DataType::Date32)?;
            Ok(Arc::new(to_dates(int64_array(NAME, bits)?, date.as_primitive())?) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// For every set bit b of all 64 (bit 63 first, so dates ascend), `date - b` days. NULL bits
/// give an empty list (BigQuery's `ARRAY(subquery)` is never NULL); a NULL date with set
/// bits gives NULL dates, one per set bit.
fn to_dates(
    bits: &Int64Array,
    dates: &arrow::array::PrimitiveArray<Date32Type>,
) -> Result<ListArray> {
    let live = |i: usize| bits.is_valid(i);
    let lengths = (0..bits.len()).map(|i| {
        if live(i) {
            bits.value(i).count_ones() as usize
        } else {
            0
        }
    });
    let offsets = OffsetBuffer::from_lengths(lengths);
    let total = offsets.last().map_or(0, |&n| n as usize);
    let mut values = Vec::with_capacity(total);
    let mut valid = Vec::with_capacity(total);
    for i in 0..bits.len() {
        if !live(i) {
            continue;
        }
        let date = dates.is_valid(i).then(|| dates.value(i));
        let mut rest = bits.value(i) as u64;
        while rest != 0 {
            let b = 63 - rest.leading_zeros();
            rest &= !(1u64 << b);
            match date {
                None => {
                    values.push(0);
                    valid.push(false);
                }
                Some(d) => {
                    let Some(day) = d.checked_sub(b as i32) else {
                        return exec_err!("{NAME}: date out of range: {d} days minus {b}");
                    };
                    values.push(day);
                    valid.push(true);
                }
            }
        }
    }
    let nulls = valid.contains(&false).then(|| NullBuffer::from(valid));
    let values = Date32Array::new(values.into(), nulls);
    Ok(ListArray::try_new(item(), offsets, Arc::new(values), None)?)
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "The dates a pattern marks active, ascending: submission_date minus k days for every \
         set bit k, over all 64 bits. NULL bits give an empty array. \
         Example: bits28.to_dates(18, DATE '2020-01-28') = [2020-01-24, 2020-01-27].",
        "bits28_to_dates(bits, submission_date)",
    )
    .with_sql_example(
        "```sql\n> SELECT bits28.to_dates(8256, DATE '2020-01-28') AS dates;\n\
         +--------------------------+\n| dates                    |\n+--------------------------+\n\
         | [2020-01-15, 2020-01-22] |\n+--------------------------+\n```",
    )
    .with_argument("bits", "INT64 bit pattern (bit k = active k days ago).")
    .with_argument("submission_date", "DATE of bit 0.")
    .with_alternative_syntax("bits28.to_dates(bits, submission_date)")
    .with_alternative_syntax("mozfun.bits28.to_dates(bits, submission_date)")
    .build()
});

/// The `bits28_to_dates` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(ToDatesFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2020-01-28 as days since 1970-01-01.
    const JAN_28: i32 = 18289;

    fn dates(bits: Option<i64>, date: Option<i32>) -> Option<Vec<Option<i32>>> {
        let list = to_dates(
            &Int64Array::from(vec![bits]),
            &Date32Array::from(vec![date]),
        )
        .unwrap();
        list.is_valid(0)
            .then(|| list.value(0).as_primitive::<Date32Type>().iter().collect())
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.1 `bits28.to_dates`, tests (3): 2020-01-01 is JAN_28 - 27.
        assert_eq!(dates(Some(0), Some(JAN_28)), Some(vec![]));
        assert_eq!(dates(Some(1), Some(JAN_28)), Some(vec![Some(JAN_28)]));
        assert_eq!(
            dates(Some(1 | (1 << 27)), Some(JAN_28)),
            Some(vec![Some(JAN_28 - 27), Some(JAN_28)])
        );
    }

    #[test]
    fn edges() {
        assert_eq!(
            dates(Some(i64::MIN), Some(JAN_28)),
            Some(vec![Some(JAN_28 - 63)])
        );
        assert_eq!(dates(Some(-1), Some(JAN_28)).map(|d| d.len()), Some(64));
        assert_eq!(dates(None, Some(JAN_28)), Some(vec![]));
        assert_eq!(dates(Some(3), None), Some(vec![None, None]));
        assert!(
            to_dates(
                &Int64Array::from(vec![2]),
                &Date32Array::from(vec![i32::MIN])
            )
            .is_err()
        );
    }
}
