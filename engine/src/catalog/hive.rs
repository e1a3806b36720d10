//! The lake's path conventions: Hive `key=value` segments, hidden names, table versions.
//!
//! Everything here is pure string handling so it can be tested without a store.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

/// The value Hive and Spark write for a NULL partition value.
pub const HIVE_NULL: &str = "__HIVE_DEFAULT_PARTITION__";

/// Names starting with `_` or `.` are not data: `_SUCCESS`, `_temporary`, `.crc`, staging areas.
pub fn is_hidden(name: &str) -> bool {
    name.starts_with('_') || name.starts_with('.')
}

/// Whether a file name is a data file of the lake.
pub fn is_data_file(name: &str) -> bool {
    !is_hidden(name) && name.ends_with(".parquet")
}

/// `v6` → `Some(6)`: a version directory of a versioned table.
pub fn version_of(name: &str) -> Option<u32> {
    let digits = name.strip_prefix('v')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 9 {
        return None;
    }
    digits.parse().ok()
}

/// Whether a directory name looks like a Hive partition segment (contains `=`).
pub fn is_partition_segment(name: &str) -> bool {
    name.contains('=')
}

/// Why a `key=value` directory name is not a valid partition segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentProblem {
    /// `=v`: no key.
    EmptyKey,
    /// `k=`: no value (Hive writes NULL as `__HIVE_DEFAULT_PARTITION__`, never as nothing).
    EmptyValue,
    /// `k=v=w`: a raw `=` in the value (Hive escapes it as `%3D`).
    ExtraEquals,
    /// The value's `%XX` escapes do not decode to UTF-8.
    BadEscape,
    /// A folder between the table and its files that is not `key=value` at all.
    NotKeyValue,
}

impl std::fmt::Display for SegmentProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::EmptyKey => "the key is empty",
            Self::EmptyValue => "the value is empty",
            Self::ExtraEquals => "the value contains an unescaped '='",
            Self::BadEscape => "the value's %-escapes are not UTF-8",
            Self::NotKeyValue => "it is not a key=value folder",
        })
    }
}

/// A parsed partition segment: the key and the decoded value (`None` for Hive's NULL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub key: String,
    pub value: Option<String>,
}

/// Parses one `key=value` directory name, URL-decoding the value as Spark escapes it.
pub fn parse_segment(name: &str) -> Result<Segment, SegmentProblem> {
    let (key, value) = name.split_once('=').ok_or(SegmentProblem::EmptyKey)?;
    if key.is_empty() {
        return Err(SegmentProblem::EmptyKey);
    }
    if value.is_empty() {
        return Err(SegmentProblem::EmptyValue);
    }
    if value.contains('=') {
        return Err(SegmentProblem::ExtraEquals);
    }
    let key = decode(key)?.into_owned();
    if value == HIVE_NULL {
        return Ok(Segment { key, value: None });
    }
    let value = decode(value)?.into_owned();
    Ok(Segment {
        key,
        value: Some(value),
    })
}

fn decode(s: &str) -> Result<Cow<'_, str>, SegmentProblem> {
    percent_decode_str(s)
        .decode_utf8()
        .map_err(|_| SegmentProblem::BadEscape)
}

/// The type a partition key's values imply, before any sidecar override.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InferredType {
    Int64,
    Date32,
    Utf8,
}

/// Infers a partition key's type from its non-NULL values.
///
/// * every value a canonical integer (`0`, `-3`, `42`; no sign, no leading zero) → `Int64`,
///   except when every value is an eight-digit `YYYYMMDD` date: Presto users compare
///   `submission_date_s3` to `'20170101'`, so those stay strings;
/// * every value a `YYYY-MM-DD` calendar date → `Date32`;
/// * anything else, or no values at all → `Utf8`.
pub fn infer_type<'a>(values: impl IntoIterator<Item = &'a str> + Clone) -> InferredType {
    let mut any = false;
    let (mut all_int, mut all_compact_date, mut all_date) = (true, true, true);
    for v in values {
        any = true;
        all_int &= is_canonical_int(v);
        all_compact_date &= is_compact_date(v);
        all_date &= is_iso_date(v);
        if !all_int && !all_date {
            break;
        }
    }
    match () {
        _ if !any => InferredType::Utf8,
        _ if all_int && !all_compact_date => InferredType::Int64,
        _ if all_date => InferredType::Date32,
        _ => InferredType::Utf8,
    }
}

fn is_canonical_int(v: &str) -> bool {
    let digits = v.strip_prefix('-').unwrap_or(v);
    !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && v != "-0"
}

fn is_compact_date(v: &str) -> bool {
    v.len() == 8
        && v.bytes().all(|b| b.is_ascii_digit())
        && chrono::NaiveDate::parse_from_str(v, "%Y%m%d").is_ok()
}

fn is_iso_date(v: &str) -> bool {
    v.len() == 10 && chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_parse_and_decode() {
        let s = parse_segment("country=C%C3%B4te%20d%27Ivoire").unwrap();
        assert_eq!(s.key, "country");
        assert_eq!(s.value.as_deref(), Some("Côte d'Ivoire"));
        assert_eq!(
            parse_segment("k=__HIVE_DEFAULT_PARTITION__").unwrap().value,
            None
        );
        assert_eq!(
            parse_segment("k=a%3Db").unwrap().value.as_deref(),
            Some("a=b")
        );
    }

    #[test]
    fn malformed_segments_are_named() {
        assert_eq!(parse_segment("k="), Err(SegmentProblem::EmptyValue));
        assert_eq!(parse_segment("=v"), Err(SegmentProblem::EmptyKey));
        assert_eq!(parse_segment("k=v=w"), Err(SegmentProblem::ExtraEquals));
        assert_eq!(parse_segment("k=%FF"), Err(SegmentProblem::BadEscape));
    }

    #[test]
    fn hidden_and_data_names() {
        assert!(
            is_hidden("_SUCCESS") && is_hidden(".part-0.parquet.crc") && is_hidden("_temporary")
        );
        assert!(is_data_file("part-0.parquet"));
        assert!(!is_data_file("_part-0.parquet") && !is_data_file("part-0.csv"));
    }

    #[test]
    fn versions() {
        assert_eq!(version_of("v6"), Some(6));
        assert_eq!(version_of("v10"), Some(10));
        assert_eq!(version_of("v"), None);
        assert_eq!(version_of("vx"), None);
        assert_eq!(version_of("version"), None);
    }

    #[test]
    fn type_inference() {
        assert_eq!(infer_type(["0", "17", "-3"]), InferredType::Int64);
        assert_eq!(
            infer_type(["2024-01-01", "2024-02-29"]),
            InferredType::Date32
        );
        assert_eq!(infer_type(["2023-02-29"]), InferredType::Utf8);
        assert_eq!(infer_type(["20170101", "20170102"]), InferredType::Utf8);
        assert_eq!(infer_type(["20170101", "5"]), InferredType::Int64);
        assert_eq!(infer_type(["05"]), InferredType::Utf8);
        assert_eq!(infer_type(["a", "1"]), InferredType::Utf8);
        assert_eq!(infer_type(std::iter::empty::<&str>()), InferredType::Utf8);
    }
}
