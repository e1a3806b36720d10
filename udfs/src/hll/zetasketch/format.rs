//! Building BigQuery `HLL_COUNT.INIT` sketches: ZetaSketch HLL++ `AggregatorStateProto` bytes
//! (hll.md §3.2–§3.3).
//!
//! Merging, estimating and reading arbitrary sketches go through the `zetasketch` crate, which
//! reproduces BigQuery's `MERGE_PARTIAL` bytes (precision lowering included). Building is done
//! here so that the result depends only on the set of values: the sparse values are kept as a
//! sorted set and the sketch turns dense exactly when the difference-encoded set reaches
//! 0.75 · 2^p bytes, which is what BigQuery returns (all 166 of its `INIT` sketches in the
//! test corpus are rebuilt byte for byte).

use zetasketch::hash::fingerprint2011;

use crate::hll::input::Value;

/// `AggregatorType.HYPERLOGLOG_PLUS_UNIQUE`.
const HLL_TYPE: u64 = 112;
const ENCODING_VERSION: u64 = 2;
/// `DefaultOpsType.Id`: what BigQuery writes for INT64 (UINT64's id) and STRING/BYTES.
pub(crate) const VALUE_TYPE_LONG: u64 = 8;
pub(crate) const VALUE_TYPE_BYTES: u64 = 11;

/// BigQuery's precision range and default.
pub(crate) const MIN_PRECISION: u8 = 10;
pub(crate) const MAX_PRECISION: u8 = 24;
pub(crate) const DEFAULT_PRECISION: u8 = 15;

/// BigQuery's sparse precision for a normal precision: p + 5, at most 25.
pub(crate) fn sparse_precision(p: u8) -> u8 {
    (p + 5).min(25)
}

/// The hash and value type of an `HLL_COUNT.INIT` input value (Guava `Fingerprint2011` of
/// the 8 little-endian bytes of an INT64, or of a string's UTF-8 / a BYTES value's bytes).
pub(crate) fn hash_value(v: Value<'_>) -> Option<(u64, u64)> {
    match v {
        Value::Long(x) => Some((fingerprint2011(&x.to_le_bytes()), VALUE_TYPE_LONG)),
        Value::Str(s) => Some((fingerprint2011(s.as_bytes()), VALUE_TYPE_BYTES)),
        Value::Bytes(b) => Some((fingerprint2011(b), VALUE_TYPE_BYTES)),
        Value::Double(_) | Value::Bool(_) | Value::Date(_) => None,
    }
}

/// `rhoW`: leading zeros of the bits after the index, plus one; `bits + 1` when they are all
/// zero (`bits` = how many there are).
#[inline]
fn rho(rest: u64, bits: u8) -> u8 {
    if rest == 0 {
        bits + 1
    } else {
        rest.leading_zeros() as u8 + 1
    }
}

/// The sparse encoding of one hash (`Encoding.Sparse`, version 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sparse {
    p: u8,
    sp: u8,
}

impl Sparse {
    pub(crate) fn new(p: u8, sp: u8) -> Self {
        Self { p, sp }
    }

    /// Marks values that carry an explicit rhoW.
    fn flag(self) -> u32 {
        1 << self.sp.max(self.p + 6)
    }

    /// The sparse value of `hash`: its `sp`-bit index when the bits below the normal index are
    /// not all zero (they determine rhoW), otherwise flag | normal index | rhoW'.
    #[inline]
    pub(crate) fn encode(self, hash: u64) -> u32 {
        let si = (hash >> (64 - self.sp)) as u32;
        let low = self.sp - self.p;
        if low > 0 && si & ((1 << low) - 1) != 0 {
            return si;
        }
        let r = rho(hash << self.sp, 64 - self.sp);
        self.flag() | ((si >> low) << 6) | u32::from(r)
    }

    /// The normal index and rhoW a sparse value stands for.
    #[inline]
    pub(crate) fn decode(self, v: u32) -> (usize, u8) {
        let low = u32::from(self.sp - self.p);
        let flag = self.flag();
        if v & flag != 0 {
            let v = v ^ flag;
            ((v >> 6) as usize, (v & 63) as u8 + low as u8)
        } else if low == 0 {
            // Not produced by `encode` (every value is flagged when sp = p).
            (v as usize, 1)
        } else {
            let bits = v & ((1u32 << low) - 1);
            let r = (bits << (32 - low)).leading_zeros() + 1;
            ((v >> low) as usize, r as u8)
        }
    }

    /// Values of one sparse index collapse to one (the largest).
    fn same_index(self, a: u32, b: u32) -> bool {
        let flag = self.flag();
        if a & flag != 0 && b & flag != 0 {
            a >> 6 == b >> 6
        } else {
            a == b
        }
    }
}

/// A sketch being built by `HLL_COUNT.INIT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Builder {
    p: u8,
    sp: u8,
    value_type: u64,
    num_values: i64,
    repr: Repr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    /// `values[..sorted]`: ascending, one per sparse index; the rest not yet folded in.
    Sparse { values: Vec<u32>, sorted: usize },
    /// One rhoW per normal index; empty until the first value.
    Normal(Vec<u8>),
}

impl Builder {
    /// An empty sketch of normal precision `p` and sparse precision `sp` (0: no sparse form).
    pub(crate) fn new(p: u8, sp: u8, value_type: u64) -> Self {
        let repr = if sp == 0 {
            Repr::Normal(Vec::new())
        } else {
            Repr::Sparse {
                values: Vec::new(),
                sorted: 0,
            }
        };
        Self {
            p,
            sp,
            value_type,
            num_values: 0,
            repr,
        }
    }

    pub(crate) fn heap_size(&self) -> usize {
        match &self.repr {
            Repr::Sparse { values, .. } => values.capacity() * 4,
            Repr::Normal(v) => v.capacity(),
        }
    }

    /// Whether the sketch is normal (dense) with its registers allocated: adding values no
    /// longer changes its size.
    #[inline]
    pub(crate) fn is_normal(&self) -> bool {
        matches!(&self.repr, Repr::Normal(data) if !data.is_empty())
    }

    /// Adds one hashed value.
    #[inline]
    pub(crate) fn add_hash(&mut self, hash: u64) {
        self.num_values = self.num_values.wrapping_add(1);
        match &mut self.repr {
            Repr::Normal(data) => {
                if data.is_empty() {
                    data.resize(1 << self.p, 0);
                }
                let i = (hash >> (64 - self.p)) as usize;
                let r = rho(hash << self.p, 64 - self.p);
                if let Some(slot) = data.get_mut(i)
                    && *slot < r
                {
                    *slot = r;
                }
            }
            Repr::Sparse { values, sorted } => {
                values.push(Sparse::new(self.p, self.sp).encode(hash));
                if values.len() - *sorted > (*sorted).max(256) {
                    self.settle();
                }
            }
        }
    }

    fn encoding(&self) -> Sparse {
        Sparse::new(self.p, self.sp)
    }

    /// Folds pending sparse values in; turns the sketch normal once the difference-encoded
    /// values reach 0.75 · 2^p bytes.
    fn settle(&mut self) {
        let enc = self.encoding();
        if let Repr::Sparse { values, sorted } = &mut self.repr {
            values.sort_unstable();
            let mut w = 0usize;
            for r in 0..values.len() {
                let v = values[r];
                if w > 0 && enc.same_index(values[w - 1], v) {
                    values[w - 1] = v;
                } else {
                    values[w] = v;
                    w += 1;
                }
            }
            values.truncate(w);
            *sorted = w;
            let max_bytes = ((1u64 << self.p) as f32 * 0.75f32) as usize;
            if encoded_len(values) >= max_bytes {
                self.normalize();
            }
        }
    }

    fn normalize(&mut self) {
        let enc = self.encoding();
        if let Repr::Sparse { values, .. } = &self.repr {
            let mut data = vec![0u8; 1 << self.p];
            for &v in values {
                let (i, r) = enc.decode(v);
                if let Some(slot) = data.get_mut(i)
                    && *slot < r
                {
                    *slot = r;
                }
            }
            self.repr = Repr::Normal(data);
        }
    }

    /// Merges another sketch of the same precisions and value type in.
    pub(crate) fn merge(&mut self, other: &Builder) -> Result<(), String> {
        if (self.p, self.sp) != (other.p, other.sp) || self.value_type != other.value_type {
            return Err(format!(
                "cannot merge partial sketches of precision {}/{} type {} and {}/{} type {}",
                self.p, self.sp, self.value_type, other.p, other.sp, other.value_type
            ));
        }
        self.num_values = self.num_values.wrapping_add(other.num_values);
        let enc = self.encoding();
        match (&mut self.repr, &other.repr) {
            (Repr::Sparse { values, .. }, Repr::Sparse { values: theirs, .. }) => {
                values.extend_from_slice(theirs);
                self.settle();
            }
            (Repr::Normal(data), Repr::Sparse { values: theirs, .. }) => {
                if data.is_empty() {
                    data.resize(1 << self.p, 0);
                }
                for &v in theirs {
                    let (i, r) = enc.decode(v);
                    if let Some(slot) = data.get_mut(i)
                        && *slot < r
                    {
                        *slot = r;
                    }
                }
            }
            (_, Repr::Normal(theirs)) => {
                if theirs.is_empty() {
                    return Ok(());
                }
                self.normalize();
                if let Repr::Normal(data) = &mut self.repr {
                    if data.is_empty() {
                        data.resize(1 << self.p, 0);
                    }
                    for (a, b) in data.iter_mut().zip(theirs) {
                        *a = (*a).max(*b);
                    }
                }
            }
        }
        Ok(())
    }

    /// The `AggregatorStateProto` bytes, field for field as Java's `State.writeTo` writes them.
    pub(crate) fn serialize(&mut self) -> Vec<u8> {
        self.settle();
        let mut hll = Vec::new();
        let (sparse_size, data, sparse) = match &self.repr {
            Repr::Sparse { values, .. } => (values.len(), None, Some(encode_sparse(values))),
            Repr::Normal(d) => (0, (!d.is_empty()).then_some(d.as_slice()), None),
        };
        if sparse_size != 0 {
            put_field(&mut hll, 2, sparse_size as u64);
        }
        put_field(&mut hll, 3, u64::from(self.p));
        if self.sp != 0 {
            put_field(&mut hll, 4, u64::from(self.sp));
        }
        if let Some(d) = data {
            put_bytes(&mut hll, 5, d);
        }
        if let Some(s) = &sparse {
            put_bytes(&mut hll, 6, s);
        }
        let mut out = Vec::with_capacity(hll.len() + 24);
        put_field(&mut out, 1, HLL_TYPE);
        put_field(&mut out, 2, self.num_values as u64);
        put_field(&mut out, 3, ENCODING_VERSION);
        if self.value_type != 0 {
            put_field(&mut out, 4, self.value_type);
        }
        put_bytes(&mut out, 112, &hll);
        out
    }

    /// Reads a sketch this builder serialized (a partial state of `HLL_COUNT.INIT`).
    pub(crate) fn decode(bytes: &[u8]) -> Result<Builder, String> {
        let mut outer = Fields::new(bytes);
        let (mut kind, mut num_values, mut version, mut value_type, mut state) =
            (0u64, 0u64, 1u64, 0u64, None);
        while let Some((field, value)) = outer.next_field()? {
            match (field, value) {
                (1, Wire::Varint(v)) => kind = v,
                (2, Wire::Varint(v)) => num_values = v,
                (3, Wire::Varint(v)) => version = v,
                (4, Wire::Varint(v)) => value_type = v,
                (112, Wire::Bytes(b)) => state = Some(b),
                _ => {}
            }
        }
        if kind != HLL_TYPE || version != ENCODING_VERSION {
            return Err(format!(
                "not an HLL++ sketch (type {kind}, version {version})"
            ));
        }
        let Some(state) = state else {
            return Err("no HLL++ state".into());
        };
        let (mut p, mut sp, mut sparse_size, mut data, mut sparse) = (0u64, 0u64, 0u64, None, None);
        let mut inner = Fields::new(state);
        while let Some((field, value)) = inner.next_field()? {
            match (field, value) {
                (2, Wire::Varint(v)) => sparse_size = v,
                (3, Wire::Varint(v)) => p = v,
                (4, Wire::Varint(v)) => sp = v,
                (5, Wire::Bytes(b)) => data = Some(b),
                (6, Wire::Bytes(b)) => sparse = Some(b),
                _ => {}
            }
        }
        if !(4..=24).contains(&p) || (sp != 0 && !(p..=25).contains(&sp)) {
            return Err(format!("precisions {p}/{sp} out of range"));
        }
        let (p, sp) = (p as u8, sp as u8);
        let mut b = Builder::new(p, sp, value_type);
        b.num_values = num_values as i64;
        match (data, sparse) {
            (Some(d), None) => {
                if d.len() != 1 << p || d.iter().any(|r| *r > 65 - p) {
                    return Err("bad normal data".into());
                }
                b.repr = Repr::Normal(d.to_vec());
            }
            (None, Some(s)) if sp != 0 => {
                let values = decode_sparse(s, Sparse::new(p, sp))?;
                if values.len() as u64 != sparse_size {
                    return Err("sparse size does not match the sparse data".into());
                }
                let sorted = values.len();
                b.repr = Repr::Sparse { values, sorted };
            }
            (None, None) if sp == 0 => {}
            _ => return Err("unexpected representation".into()),
        }
        Ok(b)
    }
}

fn varint_len(v: u32) -> usize {
    (32 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// Bytes of the difference encoding of ascending values.
fn encoded_len(values: &[u32]) -> usize {
    let mut last = 0u32;
    values
        .iter()
        .map(|&v| {
            let d = v - last;
            last = v;
            varint_len(d)
        })
        .sum()
}

fn encode_sparse(values: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(values));
    let mut last = 0u32;
    for &v in values {
        put_varint(&mut out, u64::from(v - last));
        last = v;
    }
    out
}

fn decode_sparse(mut bytes: &[u8], enc: Sparse) -> Result<Vec<u32>, String> {
    let mut out = Vec::new();
    let mut last = 0u64;
    let max = u64::from(enc.flag()) << 1;
    while !bytes.is_empty() {
        let (d, rest) = get_varint(bytes)?;
        bytes = rest;
        last = last.saturating_add(d);
        if last >= max || (!out.is_empty() && d == 0) {
            return Err("corrupt sparse data".into());
        }
        out.push(last as u32);
    }
    Ok(out)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_field(out: &mut Vec<u8>, field: u64, v: u64) {
    put_varint(out, field << 3);
    put_varint(out, v);
}

fn put_bytes(out: &mut Vec<u8>, field: u64, b: &[u8]) {
    put_varint(out, (field << 3) | 2);
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn get_varint(bytes: &[u8]) -> Result<(u64, &[u8]), String> {
    let mut v = 0u64;
    for (i, b) in bytes.iter().enumerate().take(10) {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Ok((v, &bytes[i + 1..]));
        }
    }
    Err("truncated or overlong varint".into())
}

enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Other,
}

/// A protobuf field reader.
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    fn next_field(&mut self) -> Result<Option<(u64, Wire<'a>)>, String> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let (key, rest) = get_varint(self.rest)?;
        let (field, wire) = (key >> 3, key & 7);
        let (value, rest) = match wire {
            0 => {
                let (v, rest) = get_varint(rest)?;
                (Wire::Varint(v), rest)
            }
            1 | 5 => {
                let n = if wire == 1 { 8 } else { 4 };
                if rest.len() < n {
                    return Err("truncated field".into());
                }
                (Wire::Other, &rest[n..])
            }
            2 => {
                let (len, rest) = get_varint(rest)?;
                let len = usize::try_from(len).map_err(|_| "field too long")?;
                if rest.len() < len {
                    return Err("truncated field".into());
                }
                (Wire::Bytes(&rest[..len]), &rest[len..])
            }
            _ => return Err(format!("unsupported wire type {wire}")),
        };
        self.rest = rest;
        Ok(Some((field, value)))
    }
}

#[cfg(test)]
mod tests;
