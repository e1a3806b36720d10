//! Twitter Algebird 0.12 HyperLogLog, as Mozilla's `spark-hyperloglog` wrote it into
//! `client_count_daily.hll` (hll.md §2.4).
//!
//! * Hash: Cassandra's MurmurHash3 x64_128 with seed 12345678 (tail bytes sign-extended),
//!   laid out big-endian as 16 bytes `h1 ‖ h2`, read bit by bit from the most significant.
//! * `j` = the first `bits` bits of that stream, bit x worth 2^x; `rhoW` = 1 + the zeros after
//!   them (0 if the rest is all zero).
//! * Dense: `[0x02][bits][2^bits registers]`. Sparse: `[0x03][bits]` then per entry `j` in
//!   ⌈bits/8⌉ little-endian bytes and one `rhoW` byte, in any order.
//! * Estimate: the raw HyperLogLog estimate, linear counting at or below 5m/2 when a register
//!   is empty, no bias correction, truncated to an integer.

use crate::hll::murmur3::{Tail, x64_128};

const SEED: u64 = 12_345_678;
const TAG_DENSE: u8 = 2;
const TAG_SPARSE: u8 = 3;
/// Mozilla's `hll_merge` result when it saw no sketch: an empty sketch of this many bits.
pub(crate) const DEFAULT_BITS: u8 = 12;
pub(crate) const MIN_BITS: u8 = 4;
/// A sparse index is at most 3 bytes.
pub(crate) const MAX_BITS: u8 = 24;

/// The register index and value of `bytes` in a sketch of `bits` bits.
pub(crate) fn j_rho(bytes: &[u8], bits: u8) -> (u32, u8) {
    let (h1, h2) = x64_128(bytes, SEED, Tail::SignExtended);
    let j = (h1.reverse_bits() & ((1u64 << bits) - 1)) as u32;
    let rest = h1 << bits;
    let rho = if rest != 0 {
        rest.leading_zeros() + 1
    } else if h2 != 0 {
        u32::from(64 - bits) + h2.leading_zeros() + 1
    } else {
        0
    };
    (j, rho as u8)
}

/// The largest register value a `bits`-bit sketch can hold.
fn max_rho(bits: u8) -> u8 {
    128 - bits
}

/// A one-value sketch's bytes, inline: the buffer and the length used.
pub(crate) type OneValue = ([u8; 6], usize);

/// Why `merge_bytes` failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MergeError {
    /// The bytes are not a valid sketch.
    Invalid(String),
    /// A valid sketch of another size.
    Mismatch(String),
}

/// An Algebird HyperLogLog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hll {
    bits: u8,
    repr: Repr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    /// `(j, rhoW)` entries; possibly unsorted with repeated `j` until settled.
    Sparse(Vec<(u32, u8)>),
    /// One register per index.
    Dense(Vec<u8>),
}

impl Hll {
    /// An empty dense sketch (what `hll_merge` returns without input).
    pub(crate) fn empty_dense(bits: u8) -> Self {
        Self {
            bits,
            repr: Repr::Dense(vec![0; 1 << bits]),
        }
    }

    /// Spark's `hll_create(x, bits)`: a sparse sketch of one value (`one_value_bytes` writes
    /// its bytes directly).
    #[cfg(test)]
    pub(crate) fn of_value(bytes: &[u8], bits: u8) -> Self {
        let (j, rho) = j_rho(bytes, bits);
        Self {
            bits,
            repr: Repr::Sparse(vec![(j, rho)]),
        }
    }

    /// The bytes `of_value(bytes, bits).serialize(false)` writes (a one-entry sparse sketch),
    /// without building the sketch: the buffer and how many of its bytes are used.
    pub(crate) fn one_value_bytes(bytes: &[u8], bits: u8) -> OneValue {
        let (j, rho) = j_rho(bytes, bits);
        let j_len = usize::from(bits).div_ceil(8);
        let mut out = [0u8; 6];
        out[0] = TAG_SPARSE;
        out[1] = bits;
        out[2..2 + j_len].copy_from_slice(&j.to_le_bytes()[..j_len]);
        out[2 + j_len] = rho;
        (out, 3 + j_len)
    }

    /// Merges Algebird bytes in. One-entry sparse sketches of this size (what `hll_create`
    /// writes for every row) are checked and added in place; others are decoded first.
    ///
    /// # Errors
    /// Invalid bytes (`Err(Invalid)`) or a sketch of another size (`Err(Mismatch)`), in words.
    pub(crate) fn merge_bytes(&mut self, bytes: &[u8]) -> Result<(), MergeError> {
        let j_len = usize::from(self.bits).div_ceil(8);
        if let [TAG_SPARSE, bits, body @ ..] = bytes
            && *bits == self.bits
            && body.len() == j_len + 1
        {
            let mut le = [0u8; 4];
            le[..j_len].copy_from_slice(&body[..j_len]);
            let (j, rho) = (u32::from_le_bytes(le), body[j_len]);
            if j as usize >= 1usize << self.bits {
                return Err(MergeError::Invalid(format!(
                    "register index {j} is out of range"
                )));
            }
            if rho > max_rho(self.bits) {
                return Err(MergeError::Invalid(format!(
                    "register value {rho} is out of range"
                )));
            }
            match &mut self.repr {
                Repr::Dense(regs) => {
                    if let Some(slot) = regs.get_mut(j as usize)
                        && *slot < rho
                    {
                        *slot = rho;
                    }
                }
                Repr::Sparse(entries) => {
                    // As `merge` of two sparse sketches: append, settle past the limit.
                    entries.push((j, rho));
                    if entries.len() * 16 > 1 << self.bits {
                        self.settle();
                    }
                }
            }
            return Ok(());
        }
        let other = Hll::decode(bytes).map_err(MergeError::Invalid)?;
        self.merge(&other).map_err(MergeError::Mismatch)
    }

    pub(crate) fn heap_size(&self) -> usize {
        match &self.repr {
            Repr::Sparse(e) => e.capacity() * 8,
            Repr::Dense(r) => r.capacity(),
        }
    }

    /// Sorts sparse entries, keeps the largest value per index, and turns the sketch dense once
    /// more than 1/16 of the registers are set (Algebird's sparse limit).
    fn settle(&mut self) {
        if let Repr::Sparse(entries) = &mut self.repr {
            entries.sort_unstable();
            let mut w = 0usize;
            for r in 0..entries.len() {
                let e = entries[r];
                if w > 0 && entries[w - 1].0 == e.0 {
                    entries[w - 1] = e;
                } else {
                    entries[w] = e;
                    w += 1;
                }
            }
            entries.truncate(w);
            if entries.len() * 16 > 1 << self.bits {
                self.make_dense();
            }
        }
    }

    fn make_dense(&mut self) {
        if let Repr::Sparse(entries) = &self.repr {
            let mut regs = vec![0u8; 1 << self.bits];
            for &(j, rho) in entries {
                if let Some(slot) = regs.get_mut(j as usize)
                    && *slot < rho
                {
                    *slot = rho;
                }
            }
            self.repr = Repr::Dense(regs);
        }
    }

    /// Register-wise maximum with `other`.
    ///
    /// # Errors
    /// Sketches of different sizes (Algebird asserts they are equal).
    pub(crate) fn merge(&mut self, other: &Hll) -> Result<(), String> {
        if self.bits != other.bits {
            return Err(format!(
                "cannot merge HLL sketches of {} and {} bits",
                // Smaller first: the order of merges depends on how the input was split.
                self.bits.min(other.bits),
                self.bits.max(other.bits)
            ));
        }
        match (&mut self.repr, &other.repr) {
            (Repr::Sparse(mine), Repr::Sparse(theirs)) => {
                mine.extend_from_slice(theirs);
                if mine.len() * 16 > 1 << self.bits {
                    self.settle();
                }
            }
            (Repr::Dense(regs), Repr::Sparse(theirs)) => {
                for &(j, rho) in theirs {
                    if let Some(slot) = regs.get_mut(j as usize)
                        && *slot < rho
                    {
                        *slot = rho;
                    }
                }
            }
            (_, Repr::Dense(theirs)) => {
                self.make_dense();
                if let Repr::Dense(regs) = &mut self.repr {
                    for (a, b) in regs.iter_mut().zip(theirs) {
                        *a = (*a).max(*b);
                    }
                }
            }
        }
        Ok(())
    }

    /// Algebird's bytes; `dense` forces the dense form (what `hll_merge` always returns).
    pub(crate) fn serialize(&mut self, dense: bool) -> Vec<u8> {
        self.settle();
        if dense {
            self.make_dense();
        }
        match &self.repr {
            Repr::Dense(regs) => {
                let mut out = Vec::with_capacity(2 + regs.len());
                out.push(TAG_DENSE);
                out.push(self.bits);
                out.extend_from_slice(regs);
                out
            }
            Repr::Sparse(entries) => {
                let j_len = usize::from(self.bits).div_ceil(8);
                let mut out = Vec::with_capacity(2 + entries.len() * (j_len + 1));
                out.push(TAG_SPARSE);
                out.push(self.bits);
                for &(j, rho) in entries {
                    out.extend_from_slice(&j.to_le_bytes()[..j_len]);
                    out.push(rho);
                }
                out
            }
        }
    }

    /// Reads and validates Algebird bytes.
    ///
    /// # Errors
    /// What is wrong with the bytes, in words.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Hll, String> {
        let (tag, bits, body) = match bytes {
            [] => return Err("empty input".into()),
            [_] => return Err("input is truncated".into()),
            [tag, bits, body @ ..] => (*tag, *bits, body),
        };
        if tag != TAG_DENSE && tag != TAG_SPARSE {
            return Err(format!("Unrecognized HLL type: {tag}"));
        }
        if !(MIN_BITS..=MAX_BITS).contains(&bits) {
            return Err(format!(
                "{bits} bits is out of range ({MIN_BITS} to {MAX_BITS})"
            ));
        }
        let size = 1usize << bits;
        if tag == TAG_DENSE {
            if body.len() != size {
                return Err(format!(
                    "a dense sketch of {bits} bits has {size} registers, got {}",
                    body.len()
                ));
            }
            if let Some(v) = body.iter().find(|v| **v > max_rho(bits)) {
                return Err(format!("register value {v} is out of range"));
            }
            return Ok(Hll {
                bits,
                repr: Repr::Dense(body.to_vec()),
            });
        }
        let j_len = usize::from(bits).div_ceil(8);
        if body.len() % (j_len + 1) != 0 {
            return Err("Invalid byte array: the sparse entries are truncated".into());
        }
        let mut entries = Vec::with_capacity(body.len() / (j_len + 1));
        for chunk in body.chunks_exact(j_len + 1) {
            let (j_bytes, rho) = chunk.split_at(j_len);
            let mut le = [0u8; 4];
            le[..j_len].copy_from_slice(j_bytes);
            let j = u32::from_le_bytes(le);
            let rho = rho.first().copied().unwrap_or(0);
            if j as usize >= size {
                return Err(format!("register index {j} is out of range"));
            }
            if rho > max_rho(bits) {
                return Err(format!("register value {rho} is out of range"));
            }
            entries.push((j, rho));
        }
        let mut sorted = entries.clone();
        sorted.sort_unstable_by_key(|e| e.0);
        if sorted.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err("a register index appears twice".into());
        }
        Ok(Hll {
            bits,
            repr: Repr::Sparse(sorted),
        })
    }

    /// Algebird's `approximateSize.estimate`.
    pub(crate) fn estimate(&self) -> i64 {
        let m = 1usize << self.bits;
        match &self.repr {
            Repr::Dense(regs) => {
                // Summed in register order, as Algebird does.
                let mut sum = 0.0f64;
                let mut zeros = 0usize;
                for &v in regs {
                    if v == 0 {
                        zeros += 1;
                        sum += 1.0;
                    } else {
                        sum += 2f64.powi(-i32::from(v));
                    }
                }
                estimate(self.bits, m, zeros, sum)
            }
            Repr::Sparse(_) => {
                let mut settled = self.clone();
                settled.settle();
                match &settled.repr {
                    Repr::Sparse(entries) => {
                        // `zeroCnt = size - maxRhow.size`; `z = 1 / (zeroCnt + Σ 2^-rhoW)`.
                        let zeros = m - entries.len();
                        let s: f64 = entries.iter().map(|e| 2f64.powi(-i32::from(e.1))).sum();
                        estimate(self.bits, m, zeros, zeros as f64 + s)
                    }
                    Repr::Dense(_) => settled.estimate(),
                }
            }
        }
    }
}

fn alpha(bits: u8) -> f64 {
    match bits {
        4 => 0.673,
        5 => 0.697,
        6 => 0.709,
        _ => 0.7213 / (1.0 + 1.079 / f64::from(1u32 << bits)),
    }
}

/// `HyperLogLog.initialEstimate` then `asApprox(...).estimate` (`v.toLong`).
fn estimate(bits: u8, m: usize, zeros: usize, sum: f64) -> i64 {
    let size = m as f64;
    let small = 5.0 * size / 2.0;
    let factor = alpha(bits) * size * size;
    let z = 1.0 / sum;
    let e = factor * z;
    let v = if e > small || zeros == 0 {
        e
    } else {
        size * (size / zeros as f64).ln()
    };
    v as i64
}

#[cfg(test)]
mod tests;
