//! Mozilla's legacy `udf` functions over 28-bit INT64 patterns (BigQuery project
//! `moz-fx-data-shared-prod`, dataset `udf`), and the map helpers built on them.
//!
//! Each function is registered under its legacy name, as `udf.<name>` and as `udf_<name>`
//! (the 2019 temporary-function spelling), plus the historical names of bits28.md §2.6.

pub mod active_n_weeks_ago;
pub mod active_values_from_days_seen_map;
pub mod bitcount_lowest_7;
pub mod bitmask_lowest_28;
pub mod bitmask_lowest_7;
pub mod bitmask_range;
pub mod coalesce_adjacent_days_28_bits;
pub mod combine_adjacent_days_28_bits;
pub mod combine_days_seen_maps;
pub mod combine_experiment_days;
pub mod days_since_created_profile_as_28_bits;
pub(crate) mod keyed_bits;
pub mod pos_of_leading_set_bit;
pub mod pos_of_trailing_set_bit;
pub mod shift_28_bits_one_day;
pub mod shift_one_day;
pub mod smoot_usage_from_28_bits;

use datafusion::logical_expr::DocSection;

use crate::Function;

/// The functions of this module, in registration order.
pub fn functions() -> Vec<Function> {
    vec![
        Function::Scalar(pos_of_trailing_set_bit::udf()),
        Function::Scalar(pos_of_leading_set_bit::udf()),
        Function::Scalar(bitmask_lowest_28::udf()),
        Function::Scalar(bitmask_lowest_7::udf()),
        Function::Scalar(bitmask_range::udf()),
        Function::Scalar(bitcount_lowest_7::udf()),
        Function::Scalar(active_n_weeks_ago::udf()),
        Function::Scalar(shift_28_bits_one_day::udf()),
        Function::Scalar(shift_one_day::udf()),
        Function::Scalar(combine_adjacent_days_28_bits::udf()),
        Function::Scalar(coalesce_adjacent_days_28_bits::udf()),
        Function::Scalar(days_since_created_profile_as_28_bits::udf()),
        Function::Scalar(smoot_usage_from_28_bits::udf()),
        Function::Scalar(combine_days_seen_maps::udf()),
        Function::Scalar(combine_experiment_days::udf()),
        Function::Scalar(active_values_from_days_seen_map::udf()),
    ]
}

pub(crate) const SECTION: DocSection = DocSection {
    include: true,
    label: "Usage-history bits: legacy udf (28 bits)",
    description: Some(
        "Mozilla's legacy udf functions over 28-day INT64 bit patterns, as used by the \
         clients_last_seen tables, with BigQuery's semantics.",
    ),
};

/// `udf.shift_28_bits_one_day` on a non-NULL value: age a pattern by one day.
#[inline]
pub(crate) fn shift_28(bits: i64) -> i64 {
    ((bits as u64) << 1) as i64 & bitmask_lowest_28::MASK
}

/// The other spellings of legacy function `name`: `udf.<name>`, `udf_<name>`, and its
/// `historical` names.
pub(crate) fn aliases(name: &str, historical: &[&str]) -> Vec<String> {
    let mut out = vec![format!("udf.{name}"), format!("udf_{name}")];
    out.extend(historical.iter().map(|h| h.to_string()));
    out
}
