//! Presto/Trino HyperLogLog (Airlift bytes): `approx_set`, `empty_approx_set` and the
//! two-argument `approx_distinct`, plus the kernels the shared `merge` and `cardinality` use.

pub mod approx_distinct;
pub mod approx_set;
mod bias;
pub mod empty_approx_set;
mod estimate;
pub(crate) mod format;

use arrow::array::ArrayRef;
use datafusion::common::{Result, ScalarValue, exec_err, internal_err, plan_err};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::expressions::Literal;
use twox_hash::XxHash64;

use self::format::Hll;
use super::aggregate::{Kernel, Output};
use super::input::{Rows, Value, for_each_bytes, for_each_value};
use super::murmur3::{hash64, hash64_long};

/// Presto's `approx_set(x)` precision: 4096 buckets, standard error 0.01625.
pub(crate) const APPROX_SET_P: u8 = 12;
/// The smallest and largest `max_standard_error` Trino accepts.
pub(crate) const MIN_STANDARD_ERROR: f64 = 0.0040625;
pub(crate) const MAX_STANDARD_ERROR: f64 = 0.26;

/// Airlift's `standardErrorToBuckets`: the power of two at or above `ceil(1.0816 / e²)`, as
/// an index bit length (0.01625 → 12, 0.023 → 11, 0.26 → 4, 0.0040625 → 16).
///
/// # Errors
/// `e` outside Trino's range, naming `function`.
pub(crate) fn p_for_error(function: &str, e: f64) -> Result<u8> {
    if !(MIN_STANDARD_ERROR..=MAX_STANDARD_ERROR).contains(&e) {
        return plan_err!(
            "{function}: max standard error must be in [{MIN_STANDARD_ERROR}, \
             {MAX_STANDARD_ERROR}], got {e}"
        );
    }
    let v = (1.0816 / (e * e)).ceil() as u64;
    // Integer.highestOneBit(v - 1) << 1
    let buckets = (1u64 << (63 - (v - 1).max(1).leading_zeros())) << 1;
    let p = buckets.trailing_zeros() as u8;
    if !(format::MIN_P..=format::MAX_P).contains(&p) {
        return internal_err!("{function}: {e} gives {buckets} buckets");
    }
    Ok(p)
}

/// The constant `max_standard_error` argument of an aggregate, as planned.
pub(crate) fn standard_error_arg(function: &str, expr: &dyn PhysicalExpr) -> Result<f64> {
    let Some(lit) = expr.downcast_ref::<Literal>() else {
        return plan_err!("{function}: max_standard_error must be a constant");
    };
    match lit.value() {
        ScalarValue::Float64(Some(e)) => Ok(*e),
        ScalarValue::Float32(Some(e)) => Ok(f64::from(*e)),
        other if other.is_null() => plan_err!("{function}: max_standard_error must not be NULL"),
        other => plan_err!("{function}: max_standard_error must be a number, got {other}"),
    }
}

/// How values are hashed into a sketch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Hasher {
    /// `approx_set`: Airlift's `Murmur3Hash128.hash64`.
    Murmur3,
    /// Trino's `approx_distinct`: the type's `XX_HASH_64` operator (XxHash64, seed 0).
    XxHash64,
}

/// Java's `Double.doubleToLongBits`: every NaN is the canonical one.
fn double_bits(d: f64) -> u64 {
    if d.is_nan() {
        0x7ff8_0000_0000_0000
    } else {
        d.to_bits()
    }
}

impl Hasher {
    #[inline]
    pub(crate) fn hash(self, v: Value<'_>) -> u64 {
        match self {
            Hasher::Murmur3 => match v {
                Value::Long(x) => hash64_long(x),
                Value::Double(d) => hash64_long(double_bits(d) as i64),
                Value::Str(s) => hash64(s.as_bytes()),
                Value::Bytes(b) => hash64(b),
                Value::Bool(b) => hash64_long(i64::from(b)),
                Value::Date(d) => hash64_long(i64::from(d)),
            },
            Hasher::XxHash64 => match v {
                Value::Long(x) => XxHash64::oneshot(0, &x.to_le_bytes()),
                // -0.0 hashes as 0.0.
                Value::Double(d) => {
                    let d = if d == 0.0 { 0.0 } else { d };
                    XxHash64::oneshot(0, &double_bits(d).to_le_bytes())
                }
                Value::Str(s) => XxHash64::oneshot(0, s.as_bytes()),
                Value::Bytes(b) => XxHash64::oneshot(0, b),
                // Trino's boolean hash constants.
                Value::Bool(true) => 19_144_387_141_682_250,
                Value::Bool(false) => (-2_447_670_524_089_286_488i64) as u64,
                Value::Date(d) => XxHash64::oneshot(0, &i64::from(d).to_le_bytes()),
            },
        }
    }
}

fn group_mut<'a, T>(function: &str, groups: &'a mut [T], g: usize) -> Result<&'a mut T> {
    match groups.get_mut(g) {
        Some(x) => Ok(x),
        None => internal_err!("{function}: group {g} out of range"),
    }
}

fn heap(group: &Option<Hll>) -> isize {
    group.as_ref().map_or(0, |h| h.heap_size() as isize)
}

/// Reads Airlift bytes, naming `function` in the error.
pub(crate) fn decode(function: &str, bytes: &[u8]) -> Result<Hll> {
    Hll::decode(bytes).or_else(|e| exec_err!("{function}: invalid HyperLogLog sketch: {e}"))
}

/// Folds one sketch into a group, naming `function` in errors.
fn merge_into(function: &str, group: &mut Option<Hll>, other: Hll) -> Result<()> {
    match group {
        None => *group = Some(other),
        Some(h) => {
            if let Err(e) = h.merge(&other) {
                return exec_err!("{function}: {e}");
            }
        }
    }
    Ok(())
}

/// What `approx_set` and `approx_distinct(x, e)` produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BuildOutput {
    /// The sketch (NULL without input).
    Sketch,
    /// Its cardinality (0 without input).
    Cardinality,
}

/// Sketches values into 2^p buckets.
#[derive(Debug)]
pub(crate) struct BuildKernel {
    pub(crate) name: &'static str,
    pub(crate) p: u8,
    pub(crate) hasher: Hasher,
    pub(crate) output: BuildOutput,
}

impl Kernel for BuildKernel {
    type Group = Option<Hll>;

    fn name(&self) -> &'static str {
        self.name
    }

    fn outputs_sketch(&self) -> bool {
        self.output == BuildOutput::Sketch
    }

    fn update(
        &self,
        input: &ArrayRef,
        rows: Rows<'_>,
        groups: &mut [Option<Hll>],
    ) -> Result<isize> {
        let mut delta = 0isize;
        for_each_value(self.name, input, rows, |g, v| {
            let hash = self.hasher.hash(v);
            match group_mut(self.name, groups, g)? {
                // The common case: a dense sketch never changes size.
                Some(h) if h.is_dense() => h.insert_hash(hash),
                group => {
                    let before = heap(group);
                    group
                        .get_or_insert_with(|| Hll::new(self.p))
                        .insert_hash(hash);
                    delta += heap(group) - before;
                }
            }
            Ok(())
        })?;
        Ok(delta)
    }

    fn merge(&self, group: &mut Option<Hll>, state: &[u8]) -> Result<isize> {
        let before = heap(group);
        merge_into(self.name, group, decode(self.name, state)?)?;
        Ok(heap(group) - before)
    }

    fn state(&self, group: &mut Option<Hll>) -> Result<Option<Vec<u8>>> {
        Ok(group.as_mut().map(|h| h.serialize(false)))
    }

    fn evaluate(&self, group: &mut Option<Hll>) -> Result<Output> {
        Ok(match self.output {
            BuildOutput::Sketch => Output::Sketch(group.as_mut().map(|h| h.serialize(false))),
            BuildOutput::Cardinality => {
                Output::Count(Some(group.as_mut().map_or(0, |h| h.cardinality())))
            }
        })
    }

    fn heap_size(&self, group: &Option<Hll>) -> usize {
        group.as_ref().map_or(0, Hll::heap_size)
    }
}

/// Merges Airlift sketches (the shared `merge` over `HyperLogLog`/`P4HyperLogLog`).
#[derive(Debug)]
pub(crate) struct MergeKernel {
    pub(crate) name: &'static str,
    /// `P4HyperLogLog`: the result is always written dense.
    pub(crate) dense: bool,
}

impl Kernel for MergeKernel {
    type Group = Option<Hll>;

    fn name(&self) -> &'static str {
        self.name
    }

    fn outputs_sketch(&self) -> bool {
        true
    }

    fn update(
        &self,
        input: &ArrayRef,
        rows: Rows<'_>,
        groups: &mut [Option<Hll>],
    ) -> Result<isize> {
        let mut delta = 0isize;
        for_each_bytes(self.name, input, rows, |g, bytes| {
            let group = group_mut(self.name, groups, g)?;
            let before = heap(group);
            merge_into(self.name, group, decode(self.name, bytes)?)?;
            delta += heap(group) - before;
            Ok(())
        })?;
        Ok(delta)
    }

    fn merge(&self, group: &mut Option<Hll>, state: &[u8]) -> Result<isize> {
        let before = heap(group);
        merge_into(self.name, group, decode(self.name, state)?)?;
        Ok(heap(group) - before)
    }

    fn state(&self, group: &mut Option<Hll>) -> Result<Option<Vec<u8>>> {
        Ok(group.as_mut().map(|h| h.serialize(self.dense)))
    }

    fn evaluate(&self, group: &mut Option<Hll>) -> Result<Output> {
        Ok(Output::Sketch(
            group.as_mut().map(|h| h.serialize(self.dense)),
        ))
    }

    fn heap_size(&self, group: &Option<Hll>) -> usize {
        group.as_ref().map_or(0, Hll::heap_size)
    }
}

/// Presto's `cardinality` of one stored sketch. A `P4HyperLogLog` is dense by definition
/// (Trino densifies on the cast), so a sparse one is made dense before estimating.
pub(crate) fn cardinality(function: &str, bytes: &[u8], p4: bool) -> Result<i64> {
    let mut h = decode(function, bytes)?;
    if p4 {
        h.make_dense();
    }
    Ok(h.cardinality())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// hll.md §1.1: `standardErrorToBuckets` in IEEE doubles.
    #[test]
    fn standard_error_to_buckets() {
        assert_eq!(p_for_error("f", 0.26).unwrap(), 4);
        assert_eq!(p_for_error("f", 0.023).unwrap(), 11);
        assert_eq!(p_for_error("f", 0.01625).unwrap(), 12);
        assert_eq!(p_for_error("f", 0.0115).unwrap(), 13);
        assert_eq!(p_for_error("f", 0.0040625).unwrap(), 16);
        let err = p_for_error("approx_set", 0.3).unwrap_err().to_string();
        assert!(
            err.contains("approx_set: max standard error must be in"),
            "{err}"
        );
        assert!(p_for_error("f", 0.004).is_err());
    }

    /// hll.md §1.2: Trino's `XX_HASH_64` of a bigint and a varchar.
    #[test]
    fn xxhash_vectors() {
        assert_eq!(Hasher::XxHash64.hash(Value::Long(0)), 0x34c9_6acd_cadb_1bbb);
        assert_eq!(Hasher::XxHash64.hash(Value::Long(1)), 0x9f29_cb17_a2a4_9995);
        assert_eq!(
            Hasher::XxHash64.hash(Value::Str("a")),
            0xd24e_c4f1_a98c_6e5b
        );
    }
}
