//! Mozilla's legacy HyperLogLog (Twitter Algebird bytes, the Presto plugin type `HLL`):
//! `hll_create`, `hll_merge` and `hll_cardinality`, as `mozilla/spark-hyperloglog` defines
//! them, plus the kernels the shared `merge` and `cardinality` use for `HLL` columns.

pub(crate) mod format;
pub mod hll_cardinality;
pub mod hll_create;
pub mod hll_merge;

use arrow::array::ArrayRef;
use datafusion::common::{Result, exec_err, internal_err};

use self::format::{Hll, MergeError};
use super::aggregate::{Kernel, Output};
use super::input::{Rows, for_each_bytes};

/// Reads Algebird bytes, naming `function` in the error.
pub(crate) fn decode(function: &str, bytes: &[u8]) -> Result<Hll> {
    Hll::decode(bytes).or_else(|e| exec_err!("{function}: invalid HLL sketch: {e}"))
}

/// `hll_cardinality` / the plugin's `cardinality(HLL)` of one stored sketch.
pub(crate) fn cardinality(function: &str, bytes: &[u8]) -> Result<i64> {
    Ok(decode(function, bytes)?.estimate())
}

/// Merges Algebird sketches into a dense sketch.
#[derive(Debug)]
pub(crate) struct MergeKernel {
    pub(crate) name: &'static str,
    /// Spark's `hll_merge` returns an empty 12-bit sketch for no input; Presto's `merge`
    /// returns NULL.
    pub(crate) empty_sketch_without_input: bool,
}

fn heap(g: &Option<Hll>) -> isize {
    g.as_ref().map_or(0, |h| h.heap_size() as isize)
}

impl MergeKernel {
    fn add(&self, group: &mut Option<Hll>, bytes: &[u8]) -> Result<isize> {
        let before = heap(group);
        match group {
            None => *group = Some(decode(self.name, bytes)?),
            Some(h) => match h.merge_bytes(bytes) {
                Ok(()) => {}
                Err(MergeError::Invalid(e)) => {
                    return exec_err!("{}: invalid HLL sketch: {e}", self.name);
                }
                Err(MergeError::Mismatch(e)) => return exec_err!("{}: {e}", self.name),
            },
        }
        Ok(heap(group) - before)
    }
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
            let Some(group) = groups.get_mut(g) else {
                return internal_err!("{}: group {g} out of range", self.name);
            };
            delta += self.add(group, bytes)?;
            Ok(())
        })?;
        Ok(delta)
    }

    fn merge(&self, group: &mut Option<Hll>, state: &[u8]) -> Result<isize> {
        self.add(group, state)
    }

    /// Partial states stay sparse while they are small.
    fn state(&self, group: &mut Option<Hll>) -> Result<Option<Vec<u8>>> {
        Ok(group.as_mut().map(|h| h.serialize(false)))
    }

    fn evaluate(&self, group: &mut Option<Hll>) -> Result<Output> {
        Ok(Output::Sketch(match group {
            Some(h) => Some(h.serialize(true)),
            None if self.empty_sketch_without_input => {
                Some(Hll::empty_dense(format::DEFAULT_BITS).serialize(true))
            }
            None => None,
        }))
    }

    fn heap_size(&self, group: &Option<Hll>) -> usize {
        group.as_ref().map_or(0, Hll::heap_size)
    }
}
