//! `combine_experiment_days(prev, curr)`: the daily merge of two ARRAY<STRUCT<experiment STRING, branch STRING, bits INT64>>, keyed by (experiment, branch): the days_seen_in_experiment column of clients_last_seen.

use std::sync::{Arc, LazyLock};

use arrow::array::ArrayRef;
use arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

use super::keyed_bits::{accepted, combine, list_type};
use crate::columnar;

pub const NAME: &str = "combine_experiment_days";

/// Key fields, then the bits.
const KEYS: usize = 2;

fn fields() -> Fields {
    Fields::from(vec![
        Field::new("experiment", DataType::Utf8, true),
        Field::new("branch", DataType::Utf8, true),
        Field::new("bits", DataType::Int64, true),
    ])
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CombineExperimentDaysFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for CombineExperimentDaysFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl CombineExperimentDaysFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            aliases: super::aliases(NAME, &[]),
        }
    }
}

impl ScalarUDFImpl for CombineExperimentDaysFunc {
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
            [p, c] if accepted(p, KEYS) && accepted(c, KEYS) => Ok(arg_types.to_vec()),
            _ => plan_err!(
                "{NAME}: expected two ARRAY<STRUCT<experiment STRING, branch STRING, bits INT64>>, got {arg_types:?}"
            ),
        }
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(list_type(&fields()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        columnar::apply(args, |a| {
            let [prev, curr] = a else {
                return exec_err!("{NAME}: expected 2 arguments");
            };
            Ok(Arc::new(combine(NAME, prev, curr, &fields())?) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "The daily step of an array of keyed 28-bit patterns (ARRAY<STRUCT<experiment STRING, branch STRING, bits INT64>>, fields by position):          each element of prev, in order, combined with today's element of the same key by          combine_adjacent_days_28_bits and kept while non-zero; then the elements of curr          whose key is new, unchanged. NULL keys never match; NULL arrays read as empty.          Example: [('exp1', '1a', 1), ('exp2', '2b', 3), ('filtered_out', '?', 1 << 27)] with [('exp1', '1a', 1), ('exp3', '3c', 1)] gives [('exp1', '1a', 3), ('exp2', '2b', 6), ('exp3', '3c', 1)].",
        "combine_experiment_days(prev, curr)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.combine_experiment_days(days_seen_in_experiment, today) AS days_seen_in_experiment\n\
         \x20 FROM (VALUES ([struct('exp1', 'a', 1)], [struct('exp1', 'a', 1)])) AS t(days_seen_in_experiment, today);\n\
         +---------------------------------------------+\n| days_seen_in_experiment                     |\n\
         +---------------------------------------------+\n| [{experiment: exp1, branch: a, bits: 3}]    |\n\
         +---------------------------------------------+\n```",
    )
    .with_argument("prev", "ARRAY<STRUCT<experiment STRING, branch STRING, bits INT64>> of the previous day.")
    .with_argument("curr", "ARRAY<STRUCT<experiment STRING, branch STRING, bits INT64>> of the current day.")
    .with_alternative_syntax("udf.combine_experiment_days(prev, curr)")
    .build()
});

/// The `combine_experiment_days` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(CombineExperimentDaysFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use datafusion::common::ScalarValue;

    use super::*;
    use crate::columnar::testing::on_scalars;

    fn days(entries: &[(&str, &str, i64)]) -> ScalarValue {
        let structs: Vec<ScalarValue> = entries
            .iter()
            .map(|(e, b, v)| {
                ScalarValue::Struct(Arc::new(
                    arrow::array::StructArray::try_new(
                        fields(),
                        vec![
                            Arc::new(arrow::array::StringArray::from(vec![*e])),
                            Arc::new(arrow::array::StringArray::from(vec![*b])),
                            Arc::new(arrow::array::Int64Array::from(vec![*v])),
                        ],
                        None,
                    )
                    .unwrap(),
                ))
            })
            .collect();
        ScalarValue::List(ScalarValue::new_list_nullable(
            &structs,
            &DataType::Struct(fields()),
        ))
    }

    #[test]
    fn repository_vector() {
        // bits28.md §2.3 `udf.combine_experiment_days`, test (1).
        let got = on_scalars(
            &udf(),
            vec![
                days(&[
                    ("exp1", "1a", 1),
                    ("exp2", "2b", 3),
                    ("filtered_out", "?", 1 << 27),
                ]),
                days(&[("exp1", "1a", 1), ("exp3", "3c", 1)]),
            ],
        )
        .unwrap();
        assert_eq!(
            got,
            days(&[("exp1", "1a", 3), ("exp2", "2b", 6), ("exp3", "3c", 1)])
        );
    }
}
