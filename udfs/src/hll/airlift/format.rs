//! Airlift's HyperLogLog (Presto/Trino `HyperLogLog` and `P4HyperLogLog`): hashing into
//! buckets, the sparse and dense byte layouts, merging, and when a sketch turns dense
//! (hll.md §1.2–§1.4).
//!
//! In memory a dense sketch keeps one byte per bucket (its value); the baseline, 4-bit deltas
//! and overflow list exist only in the serialized form, which is always written the way
//! Airlift's writer leaves it (baseline = smallest bucket value, overflows only for deltas of
//! 15 and more, sorted by bucket).

use super::estimate;

/// Smallest and largest index bit length (`p`) the `HyperLogLog` API creates.
pub(crate) const MIN_P: u8 = 4;
pub(crate) const MAX_P: u8 = 16;

/// Bits of the hash a sparse entry keeps (`EXTENDED_PREFIX_BITS`).
const PREFIX_BITS: u32 = 26;
/// Largest zero count a sparse entry can hold: the bits after the prefix, plus the sentinel.
const MAX_ENTRY_ZEROS: u32 = 64 - PREFIX_BITS;
const TAG_SPARSE_V1: u8 = 0;
const TAG_DENSE_V1: u8 = 1;
const TAG_SPARSE_V2: u8 = 2;
const TAG_DENSE_V2: u8 = 3;
/// A dense delta of this value means "look in the overflow list".
const MAX_DELTA: u8 = 15;

/// The most entries a sparse sketch holds before it turns dense: the point at which Airlift
/// promotes when values are added one at a time on a JVM with compressed oops (hll.md §1.4).
/// Its sparse `int[]` grows 1, 11, 21, … slots, and it turns dense once the SparseHll
/// instance (24 bytes) plus the array (16-byte header, 4 bytes a slot) outgrows a DenseHll
/// (40 bytes plus a 16-byte header and m/2 delta bytes): 511 entries at p = 12, 251 at p = 11.
///
/// tarn applies this one rule to every result, so a sketch is sparse exactly when it has at
/// most this many distinct 26-bit prefixes, however its input was split. Trino's own bytes can
/// differ around this point: merged sparse sketches have exact-length arrays (they stay sparse
/// up to 4 + m/8 entries), and other JVM layouts move it (262 instead of 252 at p = 11).
pub(crate) fn max_sparse_entries(p: u8) -> usize {
    // Sparse while 4·slots ≤ 16 + m/2, i.e. slots ≤ 4 + m/8; slots are 1 + 10k.
    let max_slots = 4 + (1usize << p.saturating_sub(3));
    (max_slots - 1) / 10 * 10 + 1
}

/// The sparse entry of a hash: its 26-bit prefix, then the number of zeros after it.
#[inline]
pub(crate) fn sparse_entry(hash: u64) -> u32 {
    let prefix = (hash >> (64 - PREFIX_BITS)) as u32;
    let zeros = ((hash << PREFIX_BITS) | (1 << (PREFIX_BITS - 1))).leading_zeros();
    (prefix << 6) | zeros
}

/// The dense bucket of a hash at precision `p`, and its value (leading zeros after the index,
/// plus one).
#[inline]
pub(crate) fn dense_bucket(hash: u64, p: u8) -> (usize, u8) {
    let index = (hash >> (64 - u32::from(p))) as usize;
    let value = ((hash << p) | (1u64 << (p - 1))).leading_zeros() + 1;
    (index, value as u8)
}

/// The dense bucket and value a sparse entry stands for at precision `p` (Airlift's
/// `eachBucket`, with the 2023 fix for entries whose remaining prefix bits are all zero).
#[inline]
fn entry_bucket(entry: u32, p: u8) -> (usize, u8) {
    let bucket = (entry >> (32 - u32::from(p))) as usize;
    let bits = PREFIX_BITS - u32::from(p);
    let mut zeros = (entry << p).leading_zeros();
    if zeros >= bits {
        zeros = bits + (entry & 63);
    }
    (bucket, (zeros + 1) as u8)
}

/// An Airlift HyperLogLog being built, merged or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hll {
    p: u8,
    repr: Repr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    /// `entries[..sorted]` are ascending by prefix, one per prefix; later entries are not yet
    /// folded in.
    Sparse { entries: Vec<u32>, sorted: usize },
    /// The value of each of the 2^p buckets.
    Dense(Vec<u8>),
}

impl Hll {
    /// An empty sparse sketch with 2^`p` buckets (`p` in 4..=16).
    pub(crate) fn new(p: u8) -> Self {
        Self {
            p: p.clamp(MIN_P, MAX_P),
            repr: Repr::Sparse {
                entries: Vec::new(),
                sorted: 0,
            },
        }
    }

    /// Heap bytes held.
    pub(crate) fn heap_size(&self) -> usize {
        match &self.repr {
            Repr::Sparse { entries, .. } => entries.capacity() * 4,
            Repr::Dense(v) => v.capacity(),
        }
    }

    /// Whether the sketch is dense (its size no longer changes as values are added).
    #[inline]
    pub(crate) fn is_dense(&self) -> bool {
        matches!(self.repr, Repr::Dense(_))
    }

    /// Adds one hashed value.
    #[inline]
    pub(crate) fn insert_hash(&mut self, hash: u64) {
        match &mut self.repr {
            Repr::Dense(values) => {
                let (i, v) = dense_bucket(hash, self.p);
                if let Some(slot) = values.get_mut(i)
                    && *slot < v
                {
                    *slot = v;
                }
            }
            Repr::Sparse { entries, sorted } => {
                entries.push(sparse_entry(hash));
                if entries.len() - *sorted > max_sparse_entries(self.p) {
                    self.settle();
                }
            }
        }
    }

    /// Folds pending sparse entries in, and turns the sketch dense if it has too many.
    fn settle(&mut self) {
        if let Repr::Sparse { entries, sorted } = &mut self.repr {
            compact(entries);
            *sorted = entries.len();
            if entries.len() > max_sparse_entries(self.p) {
                self.make_dense();
            }
        }
    }

    /// Turns the sketch dense (Presto's `HyperLogLog → P4HyperLogLog` cast).
    pub(crate) fn make_dense(&mut self) {
        if let Repr::Sparse { entries, .. } = &mut self.repr {
            let mut values = vec![0u8; 1 << self.p];
            for &e in entries.iter() {
                let (i, v) = entry_bucket(e, self.p);
                if let Some(slot) = values.get_mut(i)
                    && *slot < v
                {
                    *slot = v;
                }
            }
            self.repr = Repr::Dense(values);
        }
    }

    /// Merges `other` in. Sketches of different precision are refused (Trino refuses them
    /// when dense; when both are sparse it silently keeps the left precision, hll.md §1.4).
    pub(crate) fn merge(&mut self, other: &Hll) -> Result<(), String> {
        if self.p != other.p {
            return Err(format!(
                "cannot merge HyperLogLog sketches with different numbers of buckets: {} and {}",
                // Smaller first: the order of merges depends on how the input was split.
                1u32 << self.p.min(other.p),
                1u32 << self.p.max(other.p)
            ));
        }
        match &other.repr {
            Repr::Sparse {
                entries: theirs, ..
            } => match &mut self.repr {
                Repr::Sparse { entries, .. } => {
                    entries.extend_from_slice(theirs);
                    self.settle();
                }
                Repr::Dense(values) => {
                    for &e in theirs {
                        let (i, v) = entry_bucket(e, self.p);
                        if let Some(slot) = values.get_mut(i)
                            && *slot < v
                        {
                            *slot = v;
                        }
                    }
                }
            },
            Repr::Dense(theirs) => {
                self.make_dense();
                if let Repr::Dense(values) = &mut self.repr {
                    for (a, b) in values.iter_mut().zip(theirs) {
                        *a = (*a).max(*b);
                    }
                }
            }
        }
        Ok(())
    }

    /// The sketch as Airlift writes it: SPARSE_V2 while it has at most
    /// [`max_sparse_entries`] entries, DENSE_V2 otherwise (or always, with `dense`).
    pub(crate) fn serialize(&mut self, dense: bool) -> Vec<u8> {
        self.settle();
        if dense {
            self.make_dense();
        }
        match &self.repr {
            Repr::Sparse { entries, .. } => {
                let mut out = Vec::with_capacity(4 + 4 * entries.len());
                out.push(TAG_SPARSE_V2);
                out.push(self.p);
                out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
                for e in entries {
                    out.extend_from_slice(&e.to_le_bytes());
                }
                out
            }
            Repr::Dense(values) => serialize_dense(self.p, values),
        }
    }

    /// Reads and validates Airlift bytes (SPARSE_V2, DENSE_V1 or DENSE_V2).
    ///
    /// # Errors
    /// What is wrong with the bytes, in words.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Hll, String> {
        let Some(&tag) = bytes.first() else {
            return Err("empty input".into());
        };
        match tag {
            TAG_SPARSE_V1 => Err("Sparse v1 encoding no longer supported".into()),
            TAG_SPARSE_V2 => decode_sparse(bytes),
            TAG_DENSE_V1 | TAG_DENSE_V2 => decode_dense(bytes),
            other => Err(format!("unknown format tag {other}")),
        }
    }

    /// Presto's `cardinality(hll)`.
    pub(crate) fn cardinality(&mut self) -> i64 {
        self.settle();
        match &self.repr {
            Repr::Sparse { entries, .. } => estimate::sparse(entries.len()),
            Repr::Dense(values) => estimate::dense(self.p, values),
        }
    }
}

/// Sorts entries and keeps one per prefix, with the most zeros.
fn compact(entries: &mut Vec<u32>) {
    entries.sort_unstable();
    let mut w = 0usize;
    for r in 0..entries.len() {
        let e = entries[r];
        if w > 0 && entries[w - 1] >> 6 == e >> 6 {
            // Same prefix, sorted by zeros: the later one has more.
            entries[w - 1] = e;
        } else {
            entries[w] = e;
            w += 1;
        }
    }
    entries.truncate(w);
}

fn serialize_dense(p: u8, values: &[u8]) -> Vec<u8> {
    let baseline = values.iter().copied().min().unwrap_or(0);
    let mut out = Vec::with_capacity(5 + values.len() / 2);
    out.push(TAG_DENSE_V2);
    out.push(p);
    out.push(baseline);
    let mut overflows: Vec<(u16, u8)> = Vec::new();
    let mut delta = |bucket: usize, v: u8| -> u8 {
        let d = v - baseline;
        if d > MAX_DELTA {
            overflows.push((bucket as u16, d - MAX_DELTA));
            MAX_DELTA
        } else {
            d
        }
    };
    for (pair, chunk) in values.chunks_exact(2).enumerate() {
        let hi = delta(2 * pair, chunk[0]);
        let lo = delta(2 * pair + 1, chunk[1]);
        out.push((hi << 4) | lo);
    }
    out.extend_from_slice(&(overflows.len() as u16).to_le_bytes());
    for (b, _) in &overflows {
        out.extend_from_slice(&b.to_le_bytes());
    }
    for (_, v) in &overflows {
        out.push(*v);
    }
    out
}

fn check_p(p: u8) -> Result<u8, String> {
    if (MIN_P..=MAX_P).contains(&p) {
        Ok(p)
    } else {
        Err(format!(
            "index bit length {p} is out of range ({MIN_P} to {MAX_P})"
        ))
    }
}

/// A little-endian reader that reports truncation instead of panicking.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let Some(end) = end else {
            return Err("input is truncated".into());
        };
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn finish(&self) -> Result<(), String> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err("input is too big".into())
        }
    }
}

fn decode_sparse(bytes: &[u8]) -> Result<Hll, String> {
    let mut r = Reader { bytes, at: 1 };
    let p = check_p(r.u8()?)?;
    let n = r.u16()? as i16;
    if n < 0 {
        return Err(format!("negative number of entries ({n})"));
    }
    let raw = r.take(4 * n as usize)?;
    r.finish()?;
    let mut entries = Vec::with_capacity(n as usize);
    for chunk in raw.chunks_exact(4) {
        let e = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        if e & 63 > MAX_ENTRY_ZEROS {
            return Err(format!("sparse entry {e:#010x} has an impossible value"));
        }
        if let Some(prev) = entries.last()
            && prev >> 6 >= e >> 6
        {
            return Err("sparse entries are not sorted by bucket".into());
        }
        entries.push(e);
    }
    let sorted = entries.len();
    Ok(Hll {
        p,
        repr: Repr::Sparse { entries, sorted },
    })
}

fn decode_dense(bytes: &[u8]) -> Result<Hll, String> {
    let mut r = Reader { bytes, at: 0 };
    let tag = r.u8()?;
    let p = check_p(r.u8()?)?;
    let m = 1usize << p;
    let baseline = r.u8()?;
    let deltas = r.take(m / 2)?;
    let mut overflow: Vec<(usize, u8)> = Vec::new();
    if tag == TAG_DENSE_V1 {
        // One overflow slot, used when the bucket is not negative and the value positive.
        let b = r.u16()? as i16;
        let v = r.u8()? as i8;
        if b >= 0 && v > 0 {
            overflow.push((b as usize, v as u8));
        }
    } else {
        let k = usize::from(r.u16()?);
        if k > m {
            return Err(format!(
                "{k} overflow entries for {m} buckets (possibly corrupt input)"
            ));
        }
        let buckets = r.take(2 * k)?;
        let values = r.take(k)?;
        for (b, v) in buckets.chunks_exact(2).zip(values) {
            overflow.push((usize::from(u16::from_le_bytes([b[0], b[1]])), *v));
        }
    }
    r.finish()?;
    let mut values = Vec::with_capacity(m);
    for d in deltas {
        values.push(u16::from(baseline) + u16::from(d >> 4));
        values.push(u16::from(baseline) + u16::from(d & 15));
    }
    let mut seen = vec![false; m];
    for (bucket, v) in overflow {
        if bucket >= m {
            return Err(format!("overflow bucket index {bucket} is out of range"));
        }
        if (v as i8) <= 0 {
            return Err("overflow bucket value must be > 0".into());
        }
        if std::mem::replace(&mut seen[bucket], true) {
            return Err(format!("overflow bucket {bucket} appears twice"));
        }
        // An overflow only counts for a bucket whose delta is at its maximum (as in Airlift).
        if values[bucket] == u16::from(baseline) + u16::from(MAX_DELTA) {
            values[bucket] += u16::from(v);
        }
    }
    let max = 65 - u16::from(p);
    if let Some(v) = values.iter().find(|v| **v > max) {
        return Err(format!("bucket value {v} is out of range (at most {max})"));
    }
    Ok(Hll {
        p,
        repr: Repr::Dense(values.into_iter().map(|v| v as u8).collect()),
    })
}

#[cfg(test)]
mod tests;
