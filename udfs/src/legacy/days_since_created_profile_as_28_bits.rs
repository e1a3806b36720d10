//! `days_since_created_profile_as_28_bits(days)`: the profile-creation day as one bit when it
//! is 0..6 days back, else 0.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, Int64Array};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::columnar::{self, int64_array, values_or};

pub const NAME: &str = "days_since_created_profile_as_28_bits";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DaysSinceCreatedProfileAs28BitsFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for DaysSinceCreatedProfileAs28BitsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl DaysSinceCreatedProfileAs28BitsFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::int64()]),
            aliases: super::aliases(
                NAME,
                &[
                    "udf_28_bits_from_days_since_created_profile",
                    "udf_bits_from_days_since_created_profile",
                ],
            ),
        }
    }
}

impl ScalarUDFImpl for DaysSinceCreatedProfileAs28BitsFunc {
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
        columnar::apply(args, |a| {
            let [days] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            // NULL reads as -1, which is outside 0..=6 and so gives 0 as BigQuery's IF does.
            let days = values_or(int64_array(NAME, days)?, -1);
            let out = Int64Array::new(days.iter().map(|&d| as_bit(d)).collect(), None);
            Ok(Arc::new(out) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

/// `IF(d BETWEEN 0 AND 6, 1 << d, 0)`.
fn as_bit(d: i64) -> i64 {
    if (0..=6).contains(&d) { 1 << d } else { 0 }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "The client-reported profile age in days as a 28-bit pattern: 1 << days when it is 0 \
         to 6 days (the only ages trusted), else 0; NULL gives 0. Historical names: \
         udf_28_bits_from_days_since_created_profile, \
         udf_bits_from_days_since_created_profile. \
         Example: udf.days_since_created_profile_as_28_bits(6) = 64.",
        "days_since_created_profile_as_28_bits(days_since_created_profile)",
    )
    .with_sql_example(
        "```sql\n> SELECT udf.days_since_created_profile_as_28_bits(2) AS a, \
         udf.days_since_created_profile_as_28_bits(7) AS b;\n\
         +---+---+\n| a | b |\n+---+---+\n| 4 | 0 |\n+---+---+\n```",
    )
    .with_argument(
        "days_since_created_profile",
        "INT64 days between the profile creation and submission_date.",
    )
    .with_alternative_syntax(
        "udf.days_since_created_profile_as_28_bits(days_since_created_profile)",
    )
    .build()
});

/// The `days_since_created_profile_as_28_bits` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| {
        Arc::new(ScalarUDF::new_from_impl(
            DaysSinceCreatedProfileAs28BitsFunc::new(),
        ))
    });
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use super::as_bit;

    #[test]
    fn repository_vectors() {
        // bits28.md §2.2 `udf.days_since_created_profile_as_28_bits`, tests (6; NULL in .slt).
        for (d, want) in [(1, 2), (2, 4), (6, 64), (7, 0), (-1, 0)] {
            assert_eq!(as_bit(d), want, "{d}");
        }
        assert_eq!(as_bit(0), 1);
        assert_eq!(as_bit(i64::MIN), 0);
    }
}
