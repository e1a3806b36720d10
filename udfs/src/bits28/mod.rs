//! Mozilla's `bits28` functions (`mozfun.bits28.*` in BigQuery) over 28-day usage-history bit
//! patterns: bit k of an INT64 is set when the client was active k days before the row's
//! `submission_date` (bit 0 = that day).
//!
//! Each function is registered as `bits28_<fn>` and under the spellings a BigQuery user pastes:
//! `bits28.<fn>`, `mozfun.bits28.<fn>` and the legacy wrapper `udf.bits28_<fn>`.

pub mod active_in_range;
pub(crate) mod bit_range;
pub mod days_since_seen;
pub mod from_string;
pub mod range;
pub mod retention;
pub mod to_dates;
pub mod to_string;

use datafusion::logical_expr::DocSection;

use crate::Function;

/// The functions of this module, in registration order.
pub fn functions() -> Vec<Function> {
    vec![
        Function::Scalar(to_string::udf()),
        Function::Scalar(from_string::udf()),
        Function::Scalar(to_dates::udf()),
        Function::Scalar(days_since_seen::udf()),
        Function::Scalar(range::udf()),
        Function::Scalar(active_in_range::udf()),
        Function::Scalar(retention::udf()),
    ]
}

pub(crate) const SECTION: DocSection = DocSection {
    include: true,
    label: "Usage-history bits: bits28",
    description: Some(
        "Mozilla's mozfun.bits28 functions over 28-day bit patterns (bit k = active k days \
         before submission_date), with BigQuery's semantics.",
    ),
};

/// The other spellings of the canonical name `bits28_<fn>`: `bits28.<fn>`,
/// `mozfun.bits28.<fn>` and `udf.bits28_<fn>`.
pub(crate) fn aliases(name: &str) -> Vec<String> {
    let short = name.strip_prefix("bits28_").unwrap_or(name);
    vec![
        format!("bits28.{short}"),
        format!("mozfun.bits28.{short}"),
        format!("udf.{name}"),
    ]
}
