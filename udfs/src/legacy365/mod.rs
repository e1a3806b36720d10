//! Mozilla's legacy `udf` functions over 365-day BYTES patterns (the `*_clients_yearly`,
//! `search_clients_last_seen` and `ltv` tables): 46 bytes, big-endian, bit 0 (today) the
//! least significant bit of the last byte, the top 3 bits always 0.
//!
//! Each function is registered under its legacy name, as `udf.<name>` and `udf_<name>`, plus
//! the historical names of bits28.md §2.6.

pub mod bitmask_365;
pub mod bits_from_offsets;
pub mod bits_to_active_n_weeks_ago;
pub mod bits_to_days_seen;
pub mod bits_to_days_since_first_seen;
pub mod bits_to_days_since_seen;
pub mod bool_to_365_bits;
pub mod coalesce_adjacent_days_365_bits;
pub mod combine_adjacent_days_365_bits;
pub(crate) mod days365;
pub mod days_seen_bytes_to_rfm;
pub mod int_to_365_bits;
pub mod int_to_hex_string;
pub mod one_as_365_bits;
pub mod shift_365_bits_one_day;
pub mod zero_as_365_bits;

use datafusion::logical_expr::DocSection;

use crate::Function;

/// The functions of this module, in registration order.
pub fn functions() -> Vec<Function> {
    vec![
        Function::Scalar(bitmask_365::udf()),
        Function::Scalar(one_as_365_bits::udf()),
        Function::Scalar(zero_as_365_bits::udf()),
        Function::Scalar(bool_to_365_bits::udf()),
        Function::Scalar(int_to_365_bits::udf()),
        Function::Scalar(int_to_hex_string::udf()),
        Function::Scalar(shift_365_bits_one_day::udf()),
        Function::Scalar(combine_adjacent_days_365_bits::udf()),
        Function::Scalar(coalesce_adjacent_days_365_bits::udf()),
        Function::Scalar(bits_to_days_seen::udf()),
        Function::Scalar(bits_to_days_since_seen::udf()),
        Function::Scalar(bits_to_days_since_first_seen::udf()),
        Function::Scalar(bits_to_active_n_weeks_ago::udf()),
        Function::Scalar(days_seen_bytes_to_rfm::udf()),
        Function::Scalar(bits_from_offsets::udf()),
    ]
}

pub(crate) const SECTION: DocSection = DocSection {
    include: true,
    label: "Usage-history bits: legacy udf (365 days)",
    description: Some(
        "Mozilla's legacy udf functions over 365-day BYTES patterns (46 bytes, big-endian, \
         bit 0 = today), with BigQuery's semantics.",
    ),
};

/// The other spellings of legacy function `name`: `udf.<name>`, `udf_<name>`, and its
/// `historical` names.
pub(crate) fn aliases(name: &str, historical: &[&str]) -> Vec<String> {
    crate::legacy::aliases(name, historical)
}
