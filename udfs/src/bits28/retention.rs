//! `bits28_retention(bits, submission_date)`: the retention flags of the 1- to 4-week
//! definitions, as a struct of `day_0`, `day_6`, `day_13`, `day_20` and `day_27` structs.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Date32Array, Int64Array, StructArray};
use arrow::buffer::BooleanBuffer;
use arrow::datatypes::{DataType, Date32Type, Field, Fields};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::columnar::{self, int64_array};

pub const NAME: &str = "bits28_retention";

/// The metric days, each a sub-struct `day_<k>` with `active_in_week_0..=k/7`.
const DAYS: [u32; 5] = [0, 6, 13, 20, 27];

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RetentionFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for RetentionFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl RetentionFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64(), columnar::date()]),
            aliases: super::aliases(NAME),
        }
    }
}

/// The fields of sub-struct `day_<k>`, in BigQuery's order.
fn day_fields(k: u32) -> Fields {
    let mut f = vec![
        Field::new("metric_date", DataType::Date32, true),
        Field::new("active_on_metric_date", DataType::Boolean, true),
    ];
    if k > 0 {
        f.push(Field::new("active_in_week_0", DataType::Boolean, true));
        f.push(Field::new(
            "active_in_week_0_after_metric_date",
            DataType::Boolean,
            true,
        ));
    }
    for week in 1..=k / 7 {
        f.push(Field::new(
            format!("active_in_week_{week}"),
            DataType::Boolean,
            true,
        ));
    }
    f.into()
}

fn fields() -> Fields {
    DAYS.iter()
        .map(|&k| Field::new(format!("day_{k}"), DataType::Struct(day_fields(k)), true))
        .collect()
}

impl ScalarUDFImpl for RetentionFunc {
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
            let [bits, date] = a else {
                return exec_err!("{NAME}: expected 2 arguments");
            };
            let date = arrow::compute::cast(date, &DataType::Date32)?;
            Ok(Arc::new(retention(int64_array(NAME, bits)?, date.as_primitive())?) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// Whether any of bits `high`, `high - 1`, …, `high - n + 1` is set: `active_in_range(bits,
/// -high, n)` for the windows of this function, all inside bits 0..27.
fn any_bits(bits: &Int64Array, high: u32, n: u32) -> ArrayRef {
    let mask = ((1i64 << n) - 1) << (high + 1 - n);
    let v = bits.values();
    let set = BooleanBuffer::collect_bool(v.len(), |i| v[i] & mask != 0);
    Arc::new(BooleanArray::new(set, bits.nulls().cloned()))
}

/// # Errors
/// A submission date within 27 days of the smallest `Date32`.
fn retention(
    bits: &Int64Array,
    dates: &arrow::array::PrimitiveArray<Date32Type>,
) -> Result<StructArray> {
    let v = dates.values();
    if v.iter().any(|&d| d < i32::MIN + 27)
        && (0..v.len()).any(|i| v[i] < i32::MIN + 27 && dates.is_valid(i))
    {
        return exec_err!("{NAME}: submission_date out of range");
    }
    let mut days: Vec<ArrayRef> = Vec::with_capacity(DAYS.len());
    for k in DAYS {
        let metric_date: Date32Array = dates.unary(|d| d.wrapping_sub(k as i32));
        let mut columns: Vec<ArrayRef> = vec![Arc::new(metric_date), any_bits(bits, k, 1)];
        if k > 0 {
            columns.push(any_bits(bits, k, 7));
            columns.push(any_bits(bits, k - 1, 6));
        }
        for week in 1..=k / 7 {
            columns.push(any_bits(bits, k - 7 * week, 7));
        }
        days.push(Arc::new(StructArray::try_new(
            day_fields(k),
            columns,
            None,
        )?));
    }
    Ok(StructArray::try_new(fields(), days, None)?)
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "Retention flags of a pattern for the metric dates 0, 6, 13, 20 and 27 days back: a \
         struct of day_0, day_6, day_13, day_20, day_27, each with metric_date, \
         active_on_metric_date, active_in_week_0, active_in_week_0_after_metric_date and \
         active_in_week_1..3 as far as the window reaches. Bits above 27 are never read; \
         NULL bits give NULL flags with the dates still set. 1-week retention is \
         COUNT_IF(day_13.active_in_week_0 AND day_13.active_in_week_1) / \
         COUNT_IF(day_13.active_in_week_0). \
         Example: bits28.retention(8256, DATE '2020-01-28').day_13.active_in_week_1 = TRUE.",
        "bits28_retention(bits, submission_date)",
    )
    .with_sql_example(
        "```sql\n> SELECT r['day_13']['metric_date'] AS metric_date,\n\
         \x20        r['day_13']['active_in_week_0'] AND r['day_13']['active_in_week_1'] AS retained\n\
         \x20 FROM (SELECT bits28.retention(8256, DATE '2020-01-28') AS r);\n\
         +-------------+----------+\n| metric_date | retained |\n+-------------+----------+\n\
         | 2020-01-15  | true     |\n+-------------+----------+\n```",
    )
    .with_argument("bits", "INT64 bit pattern (bit k = active k days ago).")
    .with_argument("submission_date", "DATE of bit 0.")
    .with_alternative_syntax("bits28.retention(bits, submission_date)")
    .with_alternative_syntax("mozfun.bits28.retention(bits, submission_date)")
    .build()
});

/// The `bits28_retention` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(RetentionFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2020-01-28 as days since 1970-01-01.
    const JAN_28: i32 = 18289;

    fn flag(s: &StructArray, day: &str, field: &str) -> Option<bool> {
        let c = s.column_by_name(day).unwrap().as_struct();
        let f = c.column_by_name(field).unwrap().as_boolean();
        f.is_valid(0).then(|| f.value(0))
    }

    fn date(s: &StructArray, day: &str) -> Option<i32> {
        let c = s.column_by_name(day).unwrap().as_struct();
        let f = c
            .column_by_name("metric_date")
            .unwrap()
            .as_primitive::<Date32Type>();
        f.is_valid(0).then(|| f.value(0))
    }

    #[test]
    fn repository_vectors() {
        // bits28.md §2.1 `bits28.retention`, tests (14): bits (1 << 13) | (1 << 10) | 1.
        let r = retention(
            &Int64Array::from(vec![(1 << 13) | (1 << 10) | 1]),
            &Date32Array::from(vec![JAN_28]),
        )
        .unwrap();
        for (day, back) in [
            ("day_0", 0),
            ("day_6", 6),
            ("day_13", 13),
            ("day_20", 20),
            ("day_27", 27),
        ] {
            assert_eq!(date(&r, day), Some(JAN_28 - back));
        }
        assert_eq!(flag(&r, "day_0", "active_on_metric_date"), Some(true));
        assert_eq!(flag(&r, "day_6", "active_on_metric_date"), Some(false));
        assert_eq!(flag(&r, "day_13", "active_on_metric_date"), Some(true));
        assert_eq!(flag(&r, "day_20", "active_on_metric_date"), Some(false));
        assert_eq!(flag(&r, "day_27", "active_on_metric_date"), Some(false));
        assert_eq!(flag(&r, "day_13", "active_in_week_0"), Some(true));
        assert_eq!(
            flag(&r, "day_13", "active_in_week_0_after_metric_date"),
            Some(true)
        );
        assert_eq!(flag(&r, "day_13", "active_in_week_1"), Some(true));
        assert_eq!(flag(&r, "day_20", "active_in_week_0"), Some(false));
    }

    #[test]
    fn cookbook_example_and_nulls() {
        // bits28.md §2.1 documentation example: retention(8256, 2020-01-28).day_13.
        let r = retention(
            &Int64Array::from(vec![Some(8256), None]),
            &Date32Array::from(vec![Some(JAN_28), Some(JAN_28)]),
        )
        .unwrap();
        assert_eq!(date(&r, "day_13"), Some(JAN_28 - 13));
        assert_eq!(flag(&r, "day_13", "active_on_metric_date"), Some(true));
        assert_eq!(flag(&r, "day_13", "active_in_week_0"), Some(true));
        assert_eq!(
            flag(&r, "day_13", "active_in_week_0_after_metric_date"),
            Some(false)
        );
        assert_eq!(flag(&r, "day_13", "active_in_week_1"), Some(true));
        let day_27 = r.column_by_name("day_27").unwrap().as_struct();
        assert_eq!(day_27.num_columns(), 7);
        let week_3 = day_27.column_by_name("active_in_week_3").unwrap();
        assert!(week_3.is_null(1));
        let dates = day_27.column(0).as_primitive::<Date32Type>();
        assert_eq!(dates.value(1), JAN_28 - 27);
    }

    #[test]
    fn bits_above_27_are_never_read() {
        let r = retention(
            &Int64Array::from(vec![!0x0FFF_FFFF]),
            &Date32Array::from(vec![0]),
        )
        .unwrap();
        for k in DAYS {
            let day = r
                .column(DAYS.iter().position(|&d| d == k).unwrap())
                .as_struct();
            for c in 1..day.num_columns() {
                assert!(!day.column(c).as_boolean().value(0), "day_{k} column {c}");
            }
        }
    }
}
