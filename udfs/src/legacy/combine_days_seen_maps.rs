//! `combine_days_seen_maps(prev, curr)`: the daily merge of two ARRAY<STRUCT<key STRING, value INT64>>, keyed by key (e.g. days seen per add-on or per channel).

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

pub const NAME: &str = "combine_days_seen_maps";

/// Key fields, then the bits.
const KEYS: usize = 1;

fn fields() -> Fields {
    Fields::from(vec![
        Field::new("key", DataType::Utf8, true),
        Field::new("value", DataType::Int64, true),
    ])
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CombineDaysSeenMapsFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for CombineDaysSeenMapsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl CombineDaysSeenMapsFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            aliases: super::aliases(NAME, &[]),
        }
    }
}

impl ScalarUDFImpl for CombineDaysSeenMapsFunc {
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
                "{NAME}: expected two ARRAY<STRUCT<key STRING, value INT64>>, got {arg_types:?}"
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
        "The daily step of an array of keyed 28-bit patterns (ARRAY<STRUCT<key STRING, value INT64>>, fields by position):          each element of prev, in order, combined with today's element of the same key by          combine_adjacent_days_28_bits and kept while non-zero; then the elements of curr          whose key is new, unchanged. NULL keys never match; NULL arrays read as empty.          Example: [('key1', 1), ('key2', 3), ('key3', 1 << 27)] with [('key1', 1), ('key3', 1)] gives [('key1', 3), ('key2', 6), ('key3', 1)].",
        "combine_days_seen_maps(prev, curr)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.combine_days_seen_maps([struct('key1', 1), struct('key2', 3)], \
         [struct('key1', 1)]) AS m;\n+------------------------------------------------+\n\
         | m                                              |\n+------------------------------------------------+\n\
         | [{key: key1, value: 3}, {key: key2, value: 6}] |\n+------------------------------------------------+\n```",
    )
    .with_argument("prev", "ARRAY<STRUCT<key STRING, value INT64>> of the previous day.")
    .with_argument("curr", "ARRAY<STRUCT<key STRING, value INT64>> of the current day.")
    .with_alternative_syntax("udf.combine_days_seen_maps(prev, curr)")
    .build()
});

/// The `combine_days_seen_maps` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(CombineDaysSeenMapsFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use datafusion::common::ScalarValue;

    use super::*;
    use crate::columnar::testing::on_scalars;

    fn map(entries: &[(&str, i64)]) -> ScalarValue {
        let structs: Vec<ScalarValue> = entries
            .iter()
            .map(|(k, v)| {
                ScalarValue::Struct(Arc::new(
                    arrow::array::StructArray::try_new(
                        fields(),
                        vec![
                            Arc::new(arrow::array::StringArray::from(vec![*k])),
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
        // bits28.md §2.3 `udf.combine_days_seen_maps`, test (1).
        let got = on_scalars(
            &udf(),
            vec![
                map(&[("key1", 1), ("key2", 3), ("key3", 1 << 27)]),
                map(&[("key1", 1), ("key3", 1)]),
            ],
        )
        .unwrap();
        assert_eq!(got, map(&[("key1", 3), ("key2", 6), ("key3", 1)]));
    }
}
