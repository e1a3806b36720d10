//! BigQuery `HLL_COUNT.*` (ZetaSketch HLL++ bytes): `hll_count_init`, `hll_count_merge`,
//! `hll_count_merge_partial` and `hll_count_extract`, each also under BigQuery's dotted name
//! (`HLL_COUNT.INIT(…)` is planned as `hll_count.init`).
//!
//! Sketches are built here (`format::Builder`); reading, merging (with BigQuery's
//! precision lowering) and estimating use the `zetasketch` crate, which reproduces BigQuery's
//! bytes and counts on its published corpus.

pub(crate) mod format;
pub mod hll_count_extract;
pub mod hll_count_init;
pub mod hll_count_merge;
pub mod hll_count_merge_partial;

use arrow::array::ArrayRef;
use datafusion::common::{Result, exec_err, internal_err};
use zetasketch::{Accumulator, HyperLogLogPlusPlus};

use self::format::Builder;
use super::aggregate::{Kernel, Output};
use super::input::{Rows, for_each_bytes, for_each_value};

/// BigQuery's dotted spelling of `hll_count_<fn>`: `hll_count.<fn>`.
pub(crate) fn aliases(name: &str) -> Vec<String> {
    vec![name.replacen("hll_count_", "hll_count.", 1)]
}

/// Turns a crate error into a SQL error naming `function`.
fn error<T>(function: &str, e: zetasketch::Error) -> Result<T> {
    match e {
        zetasketch::Error::IncompatiblePrecision { .. }
        | zetasketch::Error::IncompatibleType(_) => {
            exec_err!("{function}: cannot merge these sketches: {e}")
        }
        e => exec_err!("{function}: invalid HLL_COUNT sketch: {e}"),
    }
}

/// Reads one BigQuery sketch, fully validated.
pub(crate) fn read(function: &str, bytes: &[u8]) -> Result<HyperLogLogPlusPlus> {
    if bytes.is_empty() {
        return exec_err!("{function}: invalid HLL_COUNT sketch: empty input");
    }
    HyperLogLogPlusPlus::from_bytes(bytes).or_else(|e| error(function, e))
}

/// `HLL_COUNT.EXTRACT` of one sketch.
pub(crate) fn extract(function: &str, bytes: &[u8]) -> Result<i64> {
    Ok(read(function, bytes)?.cardinality())
}

fn group_mut<'a, T>(function: &str, groups: &'a mut [T], g: usize) -> Result<&'a mut T> {
    match groups.get_mut(g) {
        Some(x) => Ok(x),
        None => internal_err!("{function}: group {g} out of range"),
    }
}

/// `HLL_COUNT.INIT`: sketches values at precision `p`.
#[derive(Debug)]
pub(crate) struct InitKernel {
    pub(crate) name: &'static str,
    pub(crate) p: u8,
}

fn heap(g: &Option<Builder>) -> isize {
    g.as_ref().map_or(0, |b| b.heap_size() as isize)
}

impl Kernel for InitKernel {
    type Group = Option<Builder>;

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
        groups: &mut [Option<Builder>],
    ) -> Result<isize> {
        let mut delta = 0isize;
        let sp = format::sparse_precision(self.p);
        for_each_value(self.name, input, rows, |g, v| {
            let Some((hash, value_type)) = format::hash_value(v) else {
                return exec_err!("{}: cannot sketch {v:?}", self.name);
            };
            match group_mut(self.name, groups, g)? {
                // The common case: a normal (dense) sketch never changes size.
                Some(b) if b.is_normal() => b.add_hash(hash),
                group => {
                    let before = heap(group);
                    group
                        .get_or_insert_with(|| Builder::new(self.p, sp, value_type))
                        .add_hash(hash);
                    delta += heap(group) - before;
                }
            }
            Ok(())
        })?;
        Ok(delta)
    }

    fn merge(&self, group: &mut Option<Builder>, state: &[u8]) -> Result<isize> {
        let before = heap(group);
        let other = match Builder::decode(state) {
            Ok(b) => b,
            Err(e) => return internal_err!("{}: unreadable partial state: {e}", self.name),
        };
        match group {
            None => *group = Some(other),
            Some(b) => {
                if let Err(e) = b.merge(&other) {
                    return internal_err!("{}: {e}", self.name);
                }
            }
        }
        Ok(heap(group) - before)
    }

    fn state(&self, group: &mut Option<Builder>) -> Result<Option<Vec<u8>>> {
        Ok(group.as_mut().map(Builder::serialize))
    }

    fn evaluate(&self, group: &mut Option<Builder>) -> Result<Output> {
        Ok(Output::Sketch(group.as_mut().map(Builder::serialize)))
    }

    fn heap_size(&self, group: &Option<Builder>) -> usize {
        group.as_ref().map_or(0, Builder::heap_size)
    }
}

/// What a merge of BigQuery sketches returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MergeOutput {
    /// `HLL_COUNT.MERGE_PARTIAL`: the merged sketch, NULL without input.
    Sketch,
    /// `HLL_COUNT.MERGE`: its estimate, 0 without input.
    Count,
}

/// `HLL_COUNT.MERGE` / `MERGE_PARTIAL`: folds sketches with the crate's [`Accumulator`].
#[derive(Debug)]
pub(crate) struct MergeKernel {
    pub(crate) name: &'static str,
    pub(crate) output: MergeOutput,
}

impl MergeKernel {
    fn add(&self, acc: &mut Accumulator, bytes: &[u8]) -> Result<isize> {
        if bytes.is_empty() {
            return exec_err!("{}: invalid HLL_COUNT sketch: empty input", self.name);
        }
        let before = self.heap_size(acc) as isize;
        acc.add_bytes(bytes).or_else(|e| error(self.name, e))?;
        Ok(self.heap_size(acc) as isize - before)
    }
}

impl Kernel for MergeKernel {
    type Group = Accumulator;

    fn name(&self) -> &'static str {
        self.name
    }

    fn outputs_sketch(&self) -> bool {
        self.output == MergeOutput::Sketch
    }

    fn update(
        &self,
        input: &ArrayRef,
        rows: Rows<'_>,
        groups: &mut [Accumulator],
    ) -> Result<isize> {
        let mut delta = 0isize;
        for_each_bytes(self.name, input, rows, |g, bytes| {
            let acc = group_mut(self.name, groups, g)?;
            delta += self.add(acc, bytes)?;
            Ok(())
        })?;
        Ok(delta)
    }

    fn merge(&self, group: &mut Accumulator, state: &[u8]) -> Result<isize> {
        self.add(group, state)
    }

    fn state(&self, group: &mut Accumulator) -> Result<Option<Vec<u8>>> {
        Ok(group.serialize())
    }

    fn evaluate(&self, group: &mut Accumulator) -> Result<Output> {
        Ok(match self.output {
            MergeOutput::Sketch => Output::Sketch(group.serialize()),
            MergeOutput::Count => Output::Count(Some(if group.is_empty() {
                0
            } else {
                group.estimate()
            })),
        })
    }

    /// An estimate: the crate keeps its buffers private; a dense sketch holds 2^p bytes.
    fn heap_size(&self, group: &Accumulator) -> usize {
        group
            .precisions()
            .map_or(0, |(p, _)| 1usize << p.clamp(0, 24))
    }
}

#[cfg(test)]
mod tests;
