//! BYTES as big-endian bit strings, with BigQuery's operators: a shift keeps the length (bits
//! shifted out are lost, a count of 8·len or more gives all zeros); bit 0 is the least
//! significant bit of the last byte.

/// `src << n` into `out` (cleared first), keeping `src.len()` bytes.
pub(crate) fn shl_into(src: &[u8], n: u64, out: &mut Vec<u8>) {
    out.clear();
    out.resize(src.len(), 0);
    let len = src.len() as u64;
    if n >= 8 * len {
        return;
    }
    let (q, r) = ((n / 8) as usize, (n % 8) as u32);
    for (i, o) in out.iter_mut().enumerate().take(src.len() - q) {
        let hi = src[i + q] << r;
        let lo = if r == 0 {
            0
        } else {
            src.get(i + q + 1).map_or(0, |b| b >> (8 - r))
        };
        *o = hi | lo;
    }
}

/// Clears the `n` least significant bits of `buf` in place.
pub(crate) fn clear_low_bits(buf: &mut [u8], n: u64) {
    let len = buf.len();
    if n >= 8 * len as u64 {
        buf.fill(0);
        return;
    }
    let (q, r) = ((n / 8) as usize, (n % 8) as u32);
    buf[len - q..].fill(0);
    if r > 0 {
        buf[len - q - 1] &= 0xFF << r;
    }
}

/// BigQuery `BIT_COUNT(BYTES)`, eight bytes at a time.
pub(crate) fn count_ones(b: &[u8]) -> i64 {
    let words = b.chunks_exact(8);
    let tail: u32 = words.remainder().iter().map(|x| x.count_ones()).sum();
    let body: u32 = words
        .map(|w| u64::from_ne_bytes(w.try_into().unwrap_or_default()).count_ones())
        .sum();
    i64::from(body + tail)
}

/// Position of the lowest set bit (bit 0 = LSB of the last byte), `None` when no bit is set.
pub(crate) fn lowest_set_bit(b: &[u8]) -> Option<i64> {
    let (j, byte) = b.iter().enumerate().rev().find(|(_, x)| **x != 0)?;
    Some(8 * (b.len() - 1 - j) as i64 + i64::from(byte.trailing_zeros()))
}

/// Position of the highest set bit (bit 0 = LSB of the last byte), `None` when no bit is set.
pub(crate) fn highest_set_bit(b: &[u8]) -> Option<i64> {
    let (j, byte) = b.iter().enumerate().find(|(_, x)| **x != 0)?;
    Some(8 * (b.len() - 1 - j) as i64 + 7 - i64::from(byte.leading_zeros()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shl(src: &[u8], n: u64) -> Vec<u8> {
        let mut out = Vec::new();
        shl_into(src, n, &mut out);
        out
    }

    #[test]
    fn shifts_keep_the_length() {
        assert_eq!(shl(&[0x01, 0x80], 1), vec![0x03, 0x00]);
        assert_eq!(shl(&[0x01, 0x80], 8), vec![0x80, 0x00]);
        assert_eq!(shl(&[0x01, 0x80], 9), vec![0x00, 0x00]);
        assert_eq!(shl(&[0x01, 0x80], 0), vec![0x01, 0x80]);
        assert_eq!(shl(&[0xFF], 64), vec![0x00]);
        assert!(shl(&[], 3).is_empty());
    }

    #[test]
    fn low_bits_are_cleared() {
        let mut b = [0xFF, 0xFF];
        clear_low_bits(&mut b, 4);
        assert_eq!(b, [0xFF, 0xF0]);
        clear_low_bits(&mut b, 12);
        assert_eq!(b, [0xF0, 0x00]);
        clear_low_bits(&mut b, 99);
        assert_eq!(b, [0x00, 0x00]);
    }

    #[test]
    fn set_bits() {
        assert_eq!(count_ones(&[0xFF, 0x03]), 10);
        assert_eq!(lowest_set_bit(&[0x01, 0x00]), Some(8));
        assert_eq!(highest_set_bit(&[0x00, 0x14]), Some(4));
        assert_eq!(lowest_set_bit(&[0x00, 0x14]), Some(2));
        assert_eq!(lowest_set_bit(&[0, 0]), None);
        assert_eq!(highest_set_bit(&[]), None);
    }
}
