//! `smoot_usage_from_28_bits(bit_arrays)`: the DAU/WAU/MAU, new-profile and 1-week retention
//! counts of an array of `(days_created_profile_bits, days_active_bits)` structs, as the
//! `smoot_usage_*` tables aggregate them.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, BooleanBuilder, Int64Array, Int64Builder, StructArray};
use arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

use crate::columnar::{self, at, is_integer, is_list_of, list_array, struct_field, struct_values};

pub const NAME: &str = "smoot_usage_from_28_bits";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SmootUsageFrom28BitsFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for SmootUsageFrom28BitsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl SmootUsageFrom28BitsFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            aliases: super::aliases(NAME, &["udf_smoot_usage_from_bits"]),
        }
    }
}

fn counts(names: &[&str]) -> Fields {
    names
        .iter()
        .map(|n| Field::new(*n, DataType::Int64, true))
        .collect()
}

const DAY_0: [&str; 4] = ["dau", "wau", "mau", "active_days_in_week"];
const DAY_6: [&str; 1] = ["new_profiles"];
const DAY_13: [&str; 7] = [
    "new_profiles",
    "active_in_week_0",
    "active_in_week_1",
    "active_in_weeks_0_and_1",
    "new_profile_active_in_week_0",
    "new_profile_active_in_week_1",
    "new_profile_active_in_weeks_0_and_1",
];

fn fields() -> Fields {
    Fields::from(vec![
        Field::new("is_empty_group", DataType::Boolean, true),
        Field::new("day_0", DataType::Struct(counts(&DAY_0)), true),
        Field::new("day_6", DataType::Struct(counts(&DAY_6)), true),
        Field::new("day_13", DataType::Struct(counts(&DAY_13)), true),
    ])
}

/// ARRAY<STRUCT<INT64, INT64>>: fields are matched by position, as BigQuery coerces a
/// `STRUCT(days_created_profile_bits, days_seen_bits)` argument.
fn accepted(t: &DataType) -> bool {
    is_list_of(t, |e| match e {
        DataType::Struct(f) => f.len() >= 2 && f.iter().take(2).all(|f| is_integer(f.data_type())),
        DataType::Null => true,
        _ => false,
    })
}

impl ScalarUDFImpl for SmootUsageFrom28BitsFunc {
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
            [t] if accepted(t) => Ok(arg_types.to_vec()),
            _ => plan_err!(
                "{NAME}: expected ARRAY<STRUCT<days_created_profile_bits INT64, \
                 days_active_bits INT64>>, got {arg_types:?}"
            ),
        }
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(fields()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        columnar::apply(args, |a| {
            let [arrays] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            Ok(Arc::new(smoot(arrays)?) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// The counts of one array; `active_days_in_week` is a SUM, NULL over no non-NULL input.
#[derive(Debug, Default)]
struct Counts {
    active_rows: i64,
    day_0: [i64; 3],
    active_days_in_week: Option<i64>,
    day_6: i64,
    day_13: [i64; 7],
}

fn days_since(bits: Option<i64>) -> Option<u32> {
    bits.filter(|b| *b != 0).map(|b| b.trailing_zeros())
}

impl Counts {
    fn add(&mut self, created: Option<i64>, active: Option<i64>) {
        let dnp = days_since(created);
        let dsa = days_since(active);
        if active.is_some_and(|b| b > 0) {
            self.active_rows += 1;
        }
        for (count, window) in self.day_0.iter_mut().zip([1, 7, 28]) {
            *count += i64::from(dsa.is_some_and(|d| d < window));
        }
        if let Some(b) = active {
            let days = i64::from((b & 0x7F).count_ones());
            self.active_days_in_week = Some(self.active_days_in_week.unwrap_or(0) + days);
        }
        self.day_6 += i64::from(dnp == Some(6));
        // active_n_weeks_ago(bits, 1) and (bits, 0): bits 7..13 and bits 0..6.
        let week_0 = active.is_some_and(|b| (b >> 7) & 0x7F != 0);
        let week_1 = active.is_some_and(|b| b & 0x7F != 0);
        let new = dnp == Some(13);
        let flags = [
            new,
            week_0,
            week_1,
            week_0 && week_1,
            new && week_0,
            new && week_1,
            new && week_0 && week_1,
        ];
        for (count, flag) in self.day_13.iter_mut().zip(flags) {
            *count += i64::from(flag);
        }
    }
}

fn smoot(arrays: &ArrayRef) -> Result<StructArray> {
    let list = list_array(NAME, arrays)?;
    let (created, active) = match struct_values(NAME, &list)? {
        Some(s) => {
            if s.num_columns() < 2 {
                return exec_err!("{NAME}: expected STRUCTs of two INT64 fields");
            }
            (
                struct_field(NAME, &s, 0, &DataType::Int64)?,
                struct_field(NAME, &s, 1, &DataType::Int64)?,
            )
        }
        None => {
            let nulls: ArrayRef = Arc::new(Int64Array::new_null(list.values().len()));
            (Arc::clone(&nulls), nulls)
        }
    };
    let (created, active) = (
        columnar::int64_array(NAME, &created)?,
        columnar::int64_array(NAME, &active)?,
    );
    let rows = list.len();
    let mut empty = BooleanBuilder::with_capacity(rows);
    let mut day_0: Vec<Int64Builder> = (0..4).map(|_| Int64Builder::with_capacity(rows)).collect();
    let mut day_6 = Int64Builder::with_capacity(rows);
    let mut day_13: Vec<Int64Builder> = (0..7).map(|_| Int64Builder::with_capacity(rows)).collect();
    let offsets = list.value_offsets();
    for row in 0..rows {
        let mut c = Counts::default();
        // A NULL array is UNNESTed as no rows, like an empty one.
        if list.is_valid(row) {
            for j in offsets[row] as usize..offsets[row + 1] as usize {
                c.add(at(created, j), at(active, j));
            }
        }
        empty.append_value(c.active_rows == 0);
        for (b, v) in day_0.iter_mut().zip(c.day_0) {
            b.append_value(v);
        }
        day_0[3].append_option(c.active_days_in_week);
        day_6.append_value(c.day_6);
        for (b, v) in day_13.iter_mut().zip(c.day_13) {
            b.append_value(v);
        }
    }
    let finish = |names: &[&str], builders: &mut [Int64Builder]| -> Result<ArrayRef> {
        let columns = builders
            .iter_mut()
            .map(|b| Arc::new(b.finish()) as ArrayRef)
            .collect();
        Ok(Arc::new(StructArray::try_new(
            counts(names),
            columns,
            None,
        )?))
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(empty.finish()),
        finish(&DAY_0, &mut day_0)?,
        finish(&DAY_6, std::slice::from_mut(&mut day_6))?,
        finish(&DAY_13, &mut day_13)?,
    ];
    Ok(StructArray::try_new(fields(), columns, None)?)
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "Usage counts of a group of clients from an array of STRUCT(days_created_profile_bits, \
         days_active_bits) (fields by position): is_empty_group; day_0 {dau, wau, mau \
         (days since active < 1, 7, 28), active_days_in_week}; day_6 {new_profiles}; day_13 \
         {new_profiles, active_in_week_0, active_in_week_1, active_in_weeks_0_and_1 and the \
         same for new profiles}. Historical name: udf_smoot_usage_from_bits. \
         Example: udf.smoot_usage_from_28_bits(array_agg(struct(days_created_profile_bits, \
         days_seen_bits)))['day_0']['mau'].",
        "smoot_usage_from_28_bits(bit_arrays)",
    )
    .with_sql_example(
        "```sql\n> SELECT u['day_0']['dau'] AS dau, u['day_0']['mau'] AS mau\n\
         \x20 FROM (SELECT udf.smoot_usage_from_28_bits(array_agg(struct(days_created_profile_bits, days_seen_bits))) AS u\n\
         \x20       FROM clients_last_seen WHERE submission_date = DATE '2026-01-28');\n```",
    )
    .with_argument(
        "bit_arrays",
        "ARRAY<STRUCT<days_created_profile_bits INT64, days_active_bits INT64>>.",
    )
    .with_alternative_syntax("udf.smoot_usage_from_28_bits(bit_arrays)")
    .build()
});

/// The `smoot_usage_from_28_bits` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(SmootUsageFrom28BitsFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use arrow::array::{AsArray, ListArray};
    use arrow::datatypes::Int64Type;

    use super::*;

    /// Rows of optional arrays of (created, active) pairs.
    type Rows = Vec<Option<Vec<(Option<i64>, Option<i64>)>>>;

    fn list(rows: Rows) -> ArrayRef {
        let mut created = Vec::new();
        let mut active = Vec::new();
        let mut lengths = Vec::new();
        let mut valid = Vec::new();
        for r in &rows {
            valid.push(r.is_some());
            let r = r.clone().unwrap_or_default();
            lengths.push(r.len());
            for (c, a) in r {
                created.push(c);
                active.push(a);
            }
        }
        let s = StructArray::try_new(
            Fields::from(vec![
                Field::new("c", DataType::Int64, true),
                Field::new("a", DataType::Int64, true),
            ]),
            vec![
                Arc::new(Int64Array::from(created)),
                Arc::new(Int64Array::from(active)),
            ],
            None,
        )
        .unwrap();
        Arc::new(ListArray::new(
            Arc::new(Field::new_list_field(s.data_type().clone(), true)),
            arrow::buffer::OffsetBuffer::from_lengths(lengths),
            Arc::new(s),
            Some(valid.into()),
        ))
    }

    fn get(s: &StructArray, day: &str, field: &str, row: usize) -> Option<i64> {
        let d = s.column_by_name(day).unwrap().as_struct();
        let c = d.column_by_name(field).unwrap().as_primitive::<Int64Type>();
        c.is_valid(row).then(|| c.value(row))
    }

    #[test]
    fn counts_follow_the_definitions() {
        // derived: created 13 days ago and active today, in week 0 (bit 8) and 20 days ago.
        let a = list(vec![
            Some(vec![
                (Some(1 << 13), Some(1 | (1 << 8))),
                (Some(1 << 6), Some(1 << 20)),
                (None, Some(0)),
                (None, None),
            ]),
            Some(vec![]),
            None,
        ]);
        let s = smoot(&a).unwrap();
        assert!(!s.column(0).as_boolean().value(0));
        assert_eq!(get(&s, "day_0", "dau", 0), Some(1));
        assert_eq!(get(&s, "day_0", "wau", 0), Some(1));
        assert_eq!(get(&s, "day_0", "mau", 0), Some(2));
        assert_eq!(get(&s, "day_0", "active_days_in_week", 0), Some(1));
        assert_eq!(get(&s, "day_6", "new_profiles", 0), Some(1));
        assert_eq!(get(&s, "day_13", "new_profiles", 0), Some(1));
        assert_eq!(get(&s, "day_13", "active_in_weeks_0_and_1", 0), Some(1));
        assert_eq!(
            get(&s, "day_13", "new_profile_active_in_weeks_0_and_1", 0),
            Some(1)
        );
        for row in [1, 2] {
            assert!(s.column(0).as_boolean().value(row));
            assert_eq!(get(&s, "day_0", "mau", row), Some(0));
            assert_eq!(get(&s, "day_0", "active_days_in_week", row), None);
        }
    }
}
