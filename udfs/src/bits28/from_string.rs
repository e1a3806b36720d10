//! `bits28_from_string(s)`: the pattern written as up to 28 `'0'`/`'1'` characters, day 0
//! last; anything else (NULL included, as in BigQuery) is an error.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, AsArray, Int64Array, StringArrayType};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

use crate::columnar;

pub const NAME: &str = "bits28_from_string";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FromStringFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for FromStringFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl FromStringFunc {
    pub fn new() -> Self {
        Self {
            signature: columnar::signature(vec![columnar::string()]),
            aliases: super::aliases(NAME),
        }
    }
}

impl ScalarUDFImpl for FromStringFunc {
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
            let [s] = a else {
                return exec_err!("{NAME}: expected 1 argument");
            };
            let out = match s.data_type() {
                DataType::Utf8 => parse_all(s.as_string::<i32>()),
                DataType::LargeUtf8 => parse_all(s.as_string::<i64>()),
                DataType::Utf8View => parse_all(s.as_string_view()),
                other => return exec_err!("{NAME}: expected a STRING argument, got {other}"),
            }?;
            Ok(Arc::new(out) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

fn parse_all<'a>(strings: impl StringArrayType<'a>) -> Result<Int64Array> {
    let mut out = Vec::with_capacity(strings.len());
    for s in strings.iter() {
        match s.and_then(parse) {
            Some(v) => out.push(v),
            None => {
                return exec_err!(
                    "{NAME} expects a string of up to 28 0's and 1's but got: {}",
                    s.unwrap_or("NULL")
                );
            }
        }
    }
    Ok(Int64Array::from(out))
}

/// `s` when it matches `^[01]{1,28}$`, read as binary.
fn parse(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 28 {
        return None;
    }
    s.bytes().try_fold(0i64, |acc, c| match c {
        b'0' | b'1' => Some((acc << 1) | i64::from(c - b'0')),
        _ => None,
    })
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        super::SECTION,
        "Reads a pattern written as 1 to 28 characters '0' and '1', day 0 last (leading zeros \
         optional). Any other string is an error, and so is NULL, as in BigQuery: \
         \"bits28_from_string expects a string of up to 28 0's and 1's but got: ...\". \
         Example: bits28.from_string('10010') = 18.",
        "bits28_from_string(s)",
    )
    .with_sql_example(
        "```sql\n> SELECT bits28.from_string('10000001000000') AS bits;\n+------+\n| bits |\n\
         +------+\n| 8256 |\n+------+\n```",
    )
    .with_argument("s", "STRING of '0' and '1', 1 to 28 characters.")
    .with_alternative_syntax("bits28.from_string(s)")
    .with_alternative_syntax("mozfun.bits28.from_string(s)")
    .build()
});

/// The `bits28_from_string` function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(FromStringFunc::new())));
    Arc::clone(&UDF)
}

#[cfg(test)]
mod tests {
    use arrow::array::StringArray;

    use super::*;

    #[test]
    fn repository_and_documentation_vectors() {
        // bits28.md §2.1 `bits28.from_string`: tests (5), then the documentation examples.
        assert_eq!(parse("1"), Some(1));
        assert_eq!(parse("01"), Some(1));
        assert_eq!(parse("0000000000000000000000000001"), Some(1));
        assert_eq!(parse("10"), Some(2));
        assert_eq!(parse("101"), Some(5));
        assert_eq!(parse("0000000000000010000001000000"), Some(8256));
        assert_eq!(parse("10000001000000"), Some(8256));
        assert_eq!(parse("10010"), Some(18));
    }

    #[test]
    fn anything_else_is_rejected() {
        assert_eq!(parse(""), None);
        assert_eq!(parse(&"0".repeat(29)), None);
        assert_eq!(parse("012"), None);
        assert_eq!(parse(" 1"), None);
        assert_eq!(parse("1\n"), None);
        assert_eq!(parse(&"1".repeat(28)), Some((1 << 28) - 1));
        let err = parse_all(&StringArray::from(vec![Some("1"), None])).unwrap_err();
        assert_eq!(
            err.strip_backtrace(),
            "Execution error: bits28_from_string expects a string of up to 28 0's and 1's but got: NULL"
        );
    }
}
