//! The 365-day pattern: 46 bytes (368 bits, the top 3 always 0), its constants, the daily
//! shift, and a writer of 46-byte columns.

use arrow::array::BinaryArray;
use arrow::buffer::{Buffer, NullBuffer, OffsetBuffer};
use datafusion::common::{Result, exec_err};

/// Bytes of a 365-day pattern.
pub(crate) const LEN: usize = 46;

/// `udf.zero_as_365_bits()`.
pub(crate) const ZERO: [u8; LEN] = [0; LEN];

/// `udf.one_as_365_bits()`: only bit 0 (today) set.
pub(crate) const ONE: [u8; LEN] = {
    let mut b = [0; LEN];
    b[LEN - 1] = 1;
    b
};

/// `udf.bitmask_365()`: the 365 low bits set.
pub(crate) const MASK: [u8; LEN] = {
    let mut b = [0xFF; LEN];
    b[0] = 0x1F;
    b
};

/// `b` as a 46-byte pattern: BigQuery's `&` and `|` with a 46-byte value fail for any other
/// length.
pub(crate) fn check_len<'a>(function: &str, argument: &str, b: &'a [u8]) -> Result<&'a [u8; LEN]> {
    match b.try_into() {
        Ok(b) => Ok(b),
        Err(_) => exec_err!(
            "{function}: {argument} must be {LEN} bytes (365 bits) but has {} bytes: BigQuery \
             cannot combine BYTES of different lengths",
            b.len()
        ),
    }
}

/// `(x << 1) & bitmask_365()`, into `out`.
pub(crate) fn shift_into(x: &[u8; LEN], out: &mut [u8; LEN]) {
    for i in 0..LEN - 1 {
        out[i] = (x[i] << 1) | (x[i + 1] >> 7);
    }
    out[LEN - 1] = x[LEN - 1] << 1;
    out[0] &= MASK[0];
}

/// A column of `rows` 46-byte values written by `fill(row, value)`, which returns whether the
/// row is non-NULL.
pub(crate) fn fixed_column(
    rows: usize,
    mut fill: impl FnMut(usize, &mut [u8; LEN]) -> Result<bool>,
) -> Result<BinaryArray> {
    let mut values = vec![0u8; rows * LEN];
    let mut valid = Vec::with_capacity(rows);
    for (row, chunk) in values.chunks_exact_mut(LEN).enumerate() {
        let chunk: &mut [u8; LEN] = chunk
            .try_into()
            .map_err(|_| datafusion::common::DataFusionError::Internal("46-byte chunk".into()))?;
        valid.push(fill(row, chunk)?);
    }
    let nulls = valid.contains(&false).then(|| NullBuffer::from(valid));
    let offsets = OffsetBuffer::from_lengths(std::iter::repeat_n(LEN, rows));
    Ok(BinaryArray::try_new(
        offsets,
        Buffer::from_vec(values),
        nulls,
    )?)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `ONE << k`, the notation of bits28.md §0.
    pub(crate) fn one_shl(k: usize) -> [u8; LEN] {
        let mut b = [0; LEN];
        if k < 8 * LEN {
            b[LEN - 1 - k / 8] = 1 << (k % 8);
        }
        b
    }

    #[test]
    fn constants() {
        assert_eq!(crate::bytes::bitstring::count_ones(&MASK), 365);
        assert_eq!(ONE, one_shl(0));
        let mut out = [0; LEN];
        shift_into(&one_shl(363), &mut out);
        assert_eq!(out, one_shl(364));
        shift_into(&one_shl(364), &mut out);
        assert_eq!(out, ZERO);
        shift_into(&one_shl(7), &mut out);
        assert_eq!(out, one_shl(8));
    }
}
