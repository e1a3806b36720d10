//! Mozilla's `bytes` functions (`mozfun.bytes.*` in BigQuery): bit slicing of BYTES values
//! read as big-endian bit strings, as the 365-day `days_seen_bytes` columns are.
//!
//! Each function is registered as `bytes_<fn>` and as `bytes.<fn>` and `mozfun.bytes.<fn>`.

pub mod bit_pos_to_byte_pos;
pub(crate) mod bitstring;
pub mod extract_bits;
pub mod zero_right;

use datafusion::logical_expr::DocSection;

use crate::Function;

/// The functions of this module, in registration order.
pub fn functions() -> Vec<Function> {
    vec![
        Function::Scalar(extract_bits::udf()),
        Function::Scalar(bit_pos_to_byte_pos::udf()),
        Function::Scalar(zero_right::udf()),
    ]
}

pub(crate) const SECTION: DocSection = DocSection {
    include: true,
    label: "Usage-history bits: bytes",
    description: Some(
        "Mozilla's mozfun.bytes functions: bit slices of BYTES read as big-endian bit strings \
         (bit 1 is the most significant bit of the first byte).",
    ),
};

/// The other spellings of the canonical name `bytes_<fn>`: `bytes.<fn>` and
/// `mozfun.bytes.<fn>`.
pub(crate) fn aliases(name: &str) -> Vec<String> {
    let short = name.strip_prefix("bytes_").unwrap_or(name);
    vec![format!("bytes.{short}"), format!("mozfun.bytes.{short}")]
}
