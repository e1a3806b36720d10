//! MurmurHash3 x64_128, in the two flavours the sketch families use (hll.md §1.2, §2.4):
//!
//! * standard (tail bytes read unsigned): Airlift's `Murmur3Hash128.hash64` is `h1` with seed 0;
//! * Cassandra's `hash3_x64_128`, used by Algebird with seed 12345678, which sign-extends each
//!   tail byte before shifting it into place (`(long) key.get(i) << s`): the two agree unless a
//!   tail byte is ≥ 0x80.
//!
//! Checked against the `murmur3` crate and the published vectors in the tests.

const C1: u64 = 0x87c3_7b91_1142_53d5;
const C2: u64 = 0x4cf5_ad43_2745_937f;

#[inline]
fn fmix(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

#[inline]
fn mix_k1(k1: u64) -> u64 {
    k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2)
}

#[inline]
fn mix_k2(k2: u64) -> u64 {
    k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1)
}

/// How tail bytes (past the last 16-byte block) enter the hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tail {
    /// As unsigned bytes: the reference algorithm (Airlift, Guava, the `murmur3` crate).
    Unsigned,
    /// Sign-extended to 64 bits first: Cassandra's port, hence Algebird.
    SignExtended,
}

/// MurmurHash3 x64_128 of `data` with `seed`, as `(h1, h2)`.
pub(crate) fn x64_128(data: &[u8], seed: u64, tail: Tail) -> (u64, u64) {
    let mut h1 = seed;
    let mut h2 = seed;
    let mut blocks = data.chunks_exact(16);
    for block in &mut blocks {
        let (a, b) = block.split_at(8);
        let k1 = u64::from_le_bytes(a.try_into().unwrap_or([0; 8]));
        let k2 = u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
        h1 ^= mix_k1(k1);
        h1 = h1
            .rotate_left(27)
            .wrapping_add(h2)
            .wrapping_mul(5)
            .wrapping_add(0x52dc_e729);
        h2 ^= mix_k2(k2);
        h2 = h2
            .rotate_left(31)
            .wrapping_add(h1)
            .wrapping_mul(5)
            .wrapping_add(0x3849_5ab5);
    }
    let rest = blocks.remainder();
    let (k1, k2) = match tail {
        // The tail bytes, zero-padded, read as two little-endian words.
        Tail::Unsigned => {
            let (low, high) = rest.split_at(rest.len().min(8));
            (le_word(low), le_word(high))
        }
        // Each byte sign-extended before it is shifted in: set high bits spill over the
        // bytes above it.
        Tail::SignExtended => {
            let byte = |i: usize| i64::from(rest[i] as i8) as u64;
            let (mut k1, mut k2) = (0u64, 0u64);
            for i in (8..rest.len()).rev() {
                k2 ^= byte(i) << ((i - 8) * 8);
            }
            for i in (0..rest.len().min(8)).rev() {
                k1 ^= byte(i) << (i * 8);
            }
            (k1, k2)
        }
    };
    if rest.len() > 8 {
        h2 ^= mix_k2(k2);
    }
    if !rest.is_empty() {
        h1 ^= mix_k1(k1);
    }
    let len = data.len() as u64;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (h1, h2)
}

/// Up to 8 bytes as a little-endian word, zero-padded, without a byte loop or a copy: two
/// overlapping reads put each byte at its place (a byte read twice lands in the same place).
#[inline]
fn le_word(b: &[u8]) -> u64 {
    let n = b.len();
    let u32_at = |i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
    match n {
        0 => 0,
        1..=3 => {
            u64::from(b[0])
                | (u64::from(b[n / 2]) << (n / 2 * 8))
                | (u64::from(b[n - 1]) << ((n - 1) * 8))
        }
        4..=7 => u32_at(0) | (u32_at(n - 4) << ((n - 4) * 8)),
        _ => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
    }
}

/// Airlift `Murmur3Hash128.hash64(byte[])`: `h1` of the standard hash with seed 0.
#[inline]
pub(crate) fn hash64(data: &[u8]) -> u64 {
    x64_128(data, 0, Tail::Unsigned).0
}

/// Airlift `Murmur3Hash128.hash64(long)`: the hash of the value's 8 little-endian bytes,
/// specialised (one tail word, no blocks).
#[inline]
pub(crate) fn hash64_long(value: i64) -> u64 {
    let mut h1 = mix_k1(value as u64) ^ 8;
    let mut h2 = 8u64;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1.wrapping_add(h2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn crate_hash(data: &[u8], seed: u32) -> (u64, u64) {
        let h = murmur3::murmur3_x64_128(&mut std::io::Cursor::new(data), seed).unwrap();
        (h as u64, (h >> 64) as u64)
    }

    /// hll.md §1.2, hash vectors (Airlift code executed for the reference note).
    #[test]
    fn airlift_hash64_vectors() {
        assert_eq!(hash64_long(0), 0x28df_63b7_cc57_c3cb);
        assert_eq!(hash64_long(1), 0x0044_03b7_fb05_c44a);
        assert_eq!(hash64_long(37227), 0xe000_0053_3549_1e90);
        assert_eq!(hash64_long(61697), 0xa920_000e_1cd9_a4c5);
        assert_eq!(hash64_long(93351), 0x6000_0780_bd32_3887);
        assert_eq!(hash64_long(394873), 0xfd00_0003_9c6a_5581);
        assert_eq!(hash64(&[0x40]), 0x2120_344f_3dd7_c4a0);
        assert_eq!(hash64(b"a"), 0x8555_5565_f659_7889);
        assert_eq!(hash64(&[]), 0);
    }

    /// hll.md §1.2: velox `Murmur3HashTest.cpp` (computed there from Airlift Java), strings of
    /// n - 2 'a's followed by "é" (0xc3 0xa9), as signed decimal.
    #[test]
    fn velox_hash64_vectors() {
        let expected: [(usize, i64); 7] = [
            (9, -3243918217540306855),
            (10, -7998242445834668767),
            (11, -4701723541745919412),
            (12, 1137560024168287992),
            (13, -2349531979471542545),
            (14, -2514671622296473736),
            (15, 5186136466562847178),
        ];
        for (n, want) in expected {
            let mut s = "a".repeat(n - 2).into_bytes();
            s.extend_from_slice(&[0xc3, 0xa9]);
            assert_eq!(hash64(&s) as i64, want, "n = {n}");
        }
        // "aaaaaa\xc3\xa9" hashes like the long -6214015989967658655 (its 8 LE bytes).
        let s = b"aaaaaa\xc3\xa9";
        assert_eq!(hash64(s), hash64_long(-6214015989967658655));
        assert_eq!(hash64(s) as i64, 5036492901677640081);
    }

    #[test]
    fn sign_extension_only_changes_high_tail_bytes() {
        let low = b"abcdefghijklmnopqrs";
        assert_eq!(
            x64_128(low, 12345678, Tail::SignExtended),
            x64_128(low, 12345678, Tail::Unsigned)
        );
        let high = b"abcdefghijklmnopq\xe9";
        assert_ne!(
            x64_128(high, 12345678, Tail::SignExtended),
            x64_128(high, 12345678, Tail::Unsigned)
        );
        // A high byte inside a full block is read unsigned by both.
        let block = b"\xe9bcdefghijklmnop";
        assert_eq!(
            x64_128(block, 1, Tail::SignExtended),
            x64_128(block, 1, Tail::Unsigned)
        );
    }

    proptest! {
        #[test]
        fn matches_the_murmur3_crate(data in proptest::collection::vec(any::<u8>(), 0..80), seed in any::<u32>()) {
            prop_assert_eq!(x64_128(&data, u64::from(seed), Tail::Unsigned), crate_hash(&data, seed));
        }

        #[test]
        fn long_specialisation_matches(v in any::<i64>()) {
            prop_assert_eq!(hash64_long(v), hash64(&v.to_le_bytes()));
        }
    }
}
