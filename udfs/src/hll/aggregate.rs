//! The accumulators every sketch aggregate shares, over a per-family [`Kernel`].
//!
//! The partial state of every sketch aggregate is the serialized sketch itself, so combining
//! partial results from files, partitions and threads is a merge of sketches, and the final
//! result depends only on the input rows, never on how they were split.
//!
//! * [`SketchAccumulator`]: one group (no GROUP BY, or window frames that only grow).
//! * [`SketchGroups`]: many groups (GROUP BY), one `Vec` of per-group states.
//! * [`SlidingSketch`]: window frames that move (`ROWS BETWEEN 6 PRECEDING AND CURRENT ROW`):
//!   sketches cannot forget a value, so it keeps the frame's input rows and rebuilds the result.

use std::collections::VecDeque;
use std::fmt::Debug;
use std::mem::size_of;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BinaryBuilder, BooleanArray, Int64Builder};
use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue, internal_err};
use datafusion::logical_expr::function::StateFieldsArgs;
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{Accumulator, EmitTo, GroupsAccumulator};

use super::input::{Rows, binary_rows};

/// The final value of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Output {
    /// A serialized sketch, or NULL.
    Sketch(Option<Vec<u8>>),
    /// A count, or NULL.
    Count(Option<i64>),
}

/// What one sketch aggregate does to the state of one group.
pub(crate) trait Kernel: Debug + Send + Sync + 'static {
    /// The state of one group.
    type Group: Debug + Send + Sync + Default;

    /// The SQL function's name, for messages.
    fn name(&self) -> &'static str;

    /// Whether the output is a sketch (`Binary`) rather than a count (`Int64`).
    fn outputs_sketch(&self) -> bool;

    /// Adds the rows of `input` that `rows` keeps to their groups. Returns the change in the
    /// groups' heap bytes.
    fn update(&self, input: &ArrayRef, rows: Rows<'_>, groups: &mut [Self::Group])
    -> Result<isize>;

    /// Merges a partial state (a serialized sketch) into `group`. Returns the change in heap
    /// bytes.
    fn merge(&self, group: &mut Self::Group, state: &[u8]) -> Result<isize>;

    /// The partial state of `group`: its serialized sketch, `None` while it is empty.
    fn state(&self, group: &mut Self::Group) -> Result<Option<Vec<u8>>>;

    /// The final value of `group`; it may be evaluated again after more input.
    fn evaluate(&self, group: &mut Self::Group) -> Result<Output>;

    /// Heap bytes held by `group`.
    fn heap_size(&self, group: &Self::Group) -> usize;
}

/// The one state field of every sketch aggregate: the serialized sketch.
pub(crate) fn state_fields(args: &StateFieldsArgs<'_>) -> Vec<FieldRef> {
    vec![Arc::new(Field::new(
        format_state_name(args.name, "sketch"),
        DataType::Binary,
        true,
    ))]
}

fn output_scalar(kernel: &impl Kernel, out: Output) -> Result<ScalarValue> {
    match (out, kernel.outputs_sketch()) {
        (Output::Sketch(b), true) => Ok(ScalarValue::Binary(b)),
        (Output::Count(n), false) => Ok(ScalarValue::Int64(n)),
        (out, _) => internal_err!("{}: unexpected output {out:?}", kernel.name()),
    }
}

fn merge_states<K: Kernel>(
    kernel: &K,
    states: &ArrayRef,
    mut group_of: impl FnMut(usize) -> usize,
    groups: &mut [K::Group],
) -> Result<isize> {
    let mut delta = 0isize;
    let mut row = 0usize;
    binary_rows(kernel.name(), states, |bytes| {
        let g = group_of(row);
        row += 1;
        if let Some(bytes) = bytes {
            let Some(group) = groups.get_mut(g) else {
                return internal_err!("{}: group {g} out of range", kernel.name());
            };
            delta += kernel.merge(group, bytes)?;
        }
        Ok(())
    })?;
    Ok(delta)
}

/// The accumulator of a single group.
#[derive(Debug)]
pub(crate) struct SketchAccumulator<K: Kernel> {
    kernel: Arc<K>,
    group: K::Group,
    zeros: Vec<usize>,
}

impl<K: Kernel> SketchAccumulator<K> {
    pub(crate) fn new(kernel: K) -> Self {
        Self {
            kernel: Arc::new(kernel),
            group: K::Group::default(),
            zeros: Vec::new(),
        }
    }
}

fn zeros(buf: &mut Vec<usize>, n: usize) -> &[usize] {
    if buf.len() < n {
        buf.resize(n, 0);
    }
    &buf[..n]
}

impl<K: Kernel> Accumulator for SketchAccumulator<K> {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(input) = values.first() else {
            return internal_err!("{}: no input column", self.kernel.name());
        };
        let rows = Rows {
            groups: zeros(&mut self.zeros, input.len()),
            filter: None,
        };
        self.kernel
            .update(input, rows, std::slice::from_mut(&mut self.group))?;
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let out = self.kernel.evaluate(&mut self.group)?;
        output_scalar(self.kernel.as_ref(), out)
    }

    fn size(&self) -> usize {
        size_of::<Self>()
            + self.kernel.heap_size(&self.group)
            + self.zeros.capacity() * size_of::<usize>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(
            self.kernel.state(&mut self.group)?,
        )])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(states) = states.first() else {
            return internal_err!("{}: no state column", self.kernel.name());
        };
        merge_states(
            self.kernel.as_ref(),
            states,
            |_| 0,
            std::slice::from_mut(&mut self.group),
        )?;
        Ok(())
    }
}

/// The accumulator of many groups.
#[derive(Debug)]
pub(crate) struct SketchGroups<K: Kernel> {
    kernel: Arc<K>,
    groups: Vec<K::Group>,
    heap: isize,
}

impl<K: Kernel> SketchGroups<K> {
    pub(crate) fn new(kernel: K) -> Self {
        Self {
            kernel: Arc::new(kernel),
            groups: Vec::new(),
            heap: 0,
        }
    }

    fn take(&mut self, emit_to: EmitTo) -> Vec<K::Group> {
        let taken = emit_to.take_needed(&mut self.groups);
        let freed: usize = taken.iter().map(|g| self.kernel.heap_size(g)).sum();
        self.heap -= freed as isize;
        taken
    }
}

fn states_array<K: Kernel>(kernel: &K, groups: &mut [K::Group]) -> Result<ArrayRef> {
    let mut out = BinaryBuilder::with_capacity(groups.len(), 0);
    for g in groups {
        out.append_option(kernel.state(g)?);
    }
    Ok(Arc::new(out.finish()))
}

impl<K: Kernel> GroupsAccumulator for SketchGroups<K> {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        let Some(input) = values.first() else {
            return internal_err!("{}: no input column", self.kernel.name());
        };
        self.groups.resize_with(total_num_groups, K::Group::default);
        let rows = Rows {
            groups: group_indices,
            filter: opt_filter,
        };
        self.heap += self.kernel.update(input, rows, &mut self.groups)?;
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let mut groups = self.take(emit_to);
        if self.kernel.outputs_sketch() {
            let mut out = BinaryBuilder::with_capacity(groups.len(), 0);
            for g in &mut groups {
                match self.kernel.evaluate(g)? {
                    Output::Sketch(b) => out.append_option(b),
                    other => return internal_err!("{}: unexpected {other:?}", self.kernel.name()),
                }
            }
            Ok(Arc::new(out.finish()))
        } else {
            let mut out = Int64Builder::with_capacity(groups.len());
            for g in &mut groups {
                match self.kernel.evaluate(g)? {
                    Output::Count(n) => out.append_option(n),
                    other => return internal_err!("{}: unexpected {other:?}", self.kernel.name()),
                }
            }
            Ok(Arc::new(out.finish()))
        }
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let mut groups = self.take(emit_to);
        Ok(vec![states_array(self.kernel.as_ref(), &mut groups)?])
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        let Some(states) = values.first() else {
            return internal_err!("{}: no state column", self.kernel.name());
        };
        self.groups.resize_with(total_num_groups, K::Group::default);
        let mut indices = group_indices.iter();
        self.heap += merge_states(
            self.kernel.as_ref(),
            states,
            |_| indices.next().copied().unwrap_or(usize::MAX),
            &mut self.groups,
        )?;
        Ok(())
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let Some(input) = values.first() else {
            return internal_err!("{}: no input column", self.kernel.name());
        };
        // Each row is a group of its own.
        let own: Vec<usize> = (0..input.len()).collect();
        let mut groups: Vec<K::Group> = (0..input.len()).map(|_| K::Group::default()).collect();
        let rows = Rows {
            groups: &own,
            filter: opt_filter,
        };
        self.kernel.update(input, rows, &mut groups)?;
        Ok(vec![states_array(self.kernel.as_ref(), &mut groups)?])
    }

    fn size(&self) -> usize {
        size_of::<Self>()
            + self.groups.capacity() * size_of::<K::Group>()
            + self.heap.max(0) as usize
    }
}

/// The accumulator of a moving window frame: keeps the frame's input rows.
#[derive(Debug)]
pub(crate) struct SlidingSketch<K: Kernel> {
    kernel: Arc<K>,
    chunks: VecDeque<ArrayRef>,
    /// Rows of the first chunk that already left the frame.
    skip: usize,
    zeros: Vec<usize>,
}

impl<K: Kernel> SlidingSketch<K> {
    pub(crate) fn new(kernel: K) -> Self {
        Self {
            kernel: Arc::new(kernel),
            chunks: VecDeque::new(),
            skip: 0,
            zeros: Vec::new(),
        }
    }

    /// The frame's rows, folded into a fresh group.
    fn rebuild(&mut self) -> Result<K::Group> {
        let mut group = K::Group::default();
        for (i, chunk) in self.chunks.iter().enumerate() {
            let skip = if i == 0 { self.skip } else { 0 };
            let part = chunk.slice(skip, chunk.len().saturating_sub(skip));
            let rows = Rows {
                groups: zeros(&mut self.zeros, part.len()),
                filter: None,
            };
            self.kernel
                .update(&part, rows, std::slice::from_mut(&mut group))?;
        }
        Ok(group)
    }
}

impl<K: Kernel> Accumulator for SlidingSketch<K> {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(input) = values.first() else {
            return internal_err!("{}: no input column", self.kernel.name());
        };
        if !input.is_empty() {
            self.chunks.push_back(Arc::clone(input));
        }
        Ok(())
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let mut n = values.first().map_or(0, |v| v.len());
        while n > 0 {
            let Some(front) = self.chunks.front() else {
                return internal_err!("{}: retracting rows never added", self.kernel.name());
            };
            let left = front.len() - self.skip;
            if n >= left {
                self.chunks.pop_front();
                self.skip = 0;
                n -= left;
            } else {
                self.skip += n;
                n = 0;
            }
        }
        Ok(())
    }

    fn supports_retract_batch(&self) -> bool {
        true
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let mut group = self.rebuild()?;
        let out = self.kernel.evaluate(&mut group)?;
        output_scalar(self.kernel.as_ref(), out)
    }

    fn size(&self) -> usize {
        size_of::<Self>()
            + self
                .chunks
                .iter()
                .map(|c| c.get_array_memory_size())
                .sum::<usize>()
            + self.zeros.capacity() * size_of::<usize>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let mut group = self.rebuild()?;
        Ok(vec![ScalarValue::Binary(self.kernel.state(&mut group)?)])
    }

    fn merge_batch(&mut self, _states: &[ArrayRef]) -> Result<()> {
        internal_err!(
            "{}: a moving window frame does not merge partial states",
            self.kernel.name()
        )
    }
}
