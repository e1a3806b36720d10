//! Arrays of keyed 28-bit patterns (`ARRAY<STRUCT<key…, bits INT64>>`, "maps"): decoding
//! them from Arrow lists, and the daily merge behind `combine_days_seen_maps` and
//! `combine_experiment_days`.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Int64Array, Int64Builder, ListArray, StringArray, StringBuilder,
    StructArray,
};
use arrow::buffer::OffsetBuffer;
use arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::{Result, exec_err};

use super::shift_28;
use crate::columnar::{at, is_integer, is_list_of, list_array, struct_field, struct_values};

/// Whether `t` is an ARRAY of STRUCTs whose first `keys` fields are strings and the next an
/// integer (fields are matched by position, as BigQuery coerces STRUCT arguments).
pub(crate) fn accepted(t: &DataType, keys: usize) -> bool {
    let is_string = |t: &DataType| {
        matches!(
            t,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
        )
    };
    is_list_of(t, |e| match e {
        DataType::Struct(f) => {
            f.len() > keys
                && f.iter().take(keys).all(|f| is_string(f.data_type()))
                && is_integer(f[keys].data_type())
        }
        DataType::Null => true,
        _ => false,
    })
}

/// The output list type for element `fields` (`keys` strings then one INT64).
pub(crate) fn list_type(fields: &Fields) -> DataType {
    DataType::List(item(fields))
}

fn item(fields: &Fields) -> FieldRef {
    Arc::new(Field::new_list_field(
        DataType::Struct(fields.clone()),
        true,
    ))
}

/// One decoded argument: the list, its key columns as `Utf8` and its bits as `Int64`.
#[derive(Debug)]
pub(crate) struct KeyedBits {
    pub(crate) list: ListArray,
    pub(crate) keys: Vec<StringArray>,
    pub(crate) bits: Int64Array,
}

impl KeyedBits {
    pub(crate) fn decode(name: &str, array: &ArrayRef, keys: usize) -> Result<Self> {
        let list = list_array(name, array)?;
        let n = list.values().len();
        let (key_columns, bits) = match struct_values(name, &list)? {
            Some(s) => {
                if s.num_columns() <= keys {
                    return exec_err!("{name}: expected STRUCTs of {} fields", keys + 1);
                }
                let key_columns = (0..keys)
                    .map(|i| struct_field(name, &s, i, &DataType::Utf8))
                    .collect::<Result<Vec<_>>>()?;
                (key_columns, struct_field(name, &s, keys, &DataType::Int64)?)
            }
            None => (
                vec![Arc::new(StringArray::new_null(n)) as ArrayRef; keys],
                Arc::new(Int64Array::new_null(n)) as ArrayRef,
            ),
        };
        Ok(Self {
            keys: key_columns
                .iter()
                .map(|k| k.as_string::<i32>().clone())
                .collect(),
            bits: bits.as_primitive().clone(),
            list,
        })
    }

    /// Element positions of row `row`; a NULL array has none (UNNEST(NULL) is empty).
    pub(crate) fn elements(&self, row: usize) -> std::ops::Range<usize> {
        if self.list.is_null(row) {
            return 0..0;
        }
        let o = self.list.value_offsets();
        o[row] as usize..o[row + 1] as usize
    }
}

/// Whether element `i` of `a` and element `j` of `b` have equal keys, none NULL (`USING`).
fn same_key(a: &KeyedBits, i: usize, b: &KeyedBits, j: usize) -> bool {
    a.keys
        .iter()
        .zip(&b.keys)
        .all(|(ka, kb)| ka.is_valid(i) && kb.is_valid(j) && ka.value(i) == kb.value(j))
}

/// Builds the output elements: key columns, then the bits.
struct Output {
    keys: Vec<StringBuilder>,
    bits: Int64Builder,
    lengths: Vec<usize>,
}

impl Output {
    fn push(&mut self, from: &KeyedBits, i: usize, bits: Option<i64>) {
        for (b, k) in self.keys.iter_mut().zip(&from.keys) {
            b.append_option(k.is_valid(i).then(|| k.value(i)));
        }
        self.bits.append_option(bits);
    }
}

/// mozfun's "logical FULL JOIN" of yesterday's and today's arrays, per row:
/// 1. every `prev` element, in order, joined to the `curr` elements with the same key (each
///    match gives one element, as a LEFT JOIN does), with `bits =
///    combine_adjacent_days_28_bits(prev, curr)`, kept only when that is > 0;
/// 2. then every `curr` element whose key no `prev` element has, unchanged.
///
/// NULL keys never match. The result is never NULL.
pub(crate) fn combine(
    name: &str,
    prev: &ArrayRef,
    curr: &ArrayRef,
    fields: &Fields,
) -> Result<ListArray> {
    let keys = fields.len() - 1;
    let prev = KeyedBits::decode(name, prev, keys)?;
    let curr = KeyedBits::decode(name, curr, keys)?;
    let rows = prev.list.len();
    let mut out = Output {
        keys: (0..keys).map(|_| StringBuilder::new()).collect(),
        bits: Int64Builder::new(),
        lengths: Vec::with_capacity(rows),
    };
    let combined = |p: Option<i64>, c: Option<i64>| shift_28(p.unwrap_or(0)) | c.unwrap_or(0);
    for row in 0..rows {
        let mut n = 0;
        for i in prev.elements(row) {
            let p = at(&prev.bits, i);
            let mut matched = false;
            for j in curr.elements(row) {
                if same_key(&prev, i, &curr, j) {
                    matched = true;
                    let v = combined(p, at(&curr.bits, j));
                    if v > 0 {
                        out.push(&prev, i, Some(v));
                        n += 1;
                    }
                }
            }
            let v = combined(p, None);
            if !matched && v > 0 {
                out.push(&prev, i, Some(v));
                n += 1;
            }
        }
        for j in curr.elements(row) {
            if !prev.elements(row).any(|i| same_key(&prev, i, &curr, j)) {
                out.push(&curr, j, at(&curr.bits, j));
                n += 1;
            }
        }
        out.lengths.push(n);
    }
    let mut columns: Vec<ArrayRef> = out
        .keys
        .iter_mut()
        .map(|b| Arc::new(b.finish()) as ArrayRef)
        .collect();
    columns.push(Arc::new(out.bits.finish()));
    let values = StructArray::try_new(fields.clone(), columns, None)?;
    Ok(ListArray::try_new(
        item(fields),
        OffsetBuffer::from_lengths(out.lengths),
        Arc::new(values),
        None,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of optional maps of optional entries.
    type Rows<'a> = Vec<Option<Vec<(Option<&'a str>, Option<i64>)>>>;

    fn map(rows: Rows<'_>) -> ArrayRef {
        let mut keys = Vec::new();
        let mut bits = Vec::new();
        let mut lengths = Vec::new();
        let mut valid = Vec::new();
        for r in &rows {
            valid.push(r.is_some());
            let r = r.clone().unwrap_or_default();
            lengths.push(r.len());
            for (k, v) in r {
                keys.push(k);
                bits.push(v);
            }
        }
        let f = fields();
        let s = StructArray::try_new(
            f.clone(),
            vec![
                Arc::new(StringArray::from(keys)),
                Arc::new(Int64Array::from(bits)),
            ],
            None,
        )
        .unwrap();
        Arc::new(ListArray::new(
            item(&f),
            OffsetBuffer::from_lengths(lengths),
            Arc::new(s),
            Some(valid.into()),
        ))
    }

    fn fields() -> Fields {
        Fields::from(vec![
            Field::new("key", DataType::Utf8, true),
            Field::new("value", DataType::Int64, true),
        ])
    }

    fn entries(l: &ListArray, row: usize) -> Vec<(Option<String>, Option<i64>)> {
        let v = l.value(row);
        let s = v.as_struct();
        let k = s.column(0).as_string::<i32>();
        let b = s.column(1).as_primitive::<arrow::datatypes::Int64Type>();
        (0..s.len())
            .map(|i| {
                (
                    k.is_valid(i).then(|| k.value(i).to_string()),
                    b.is_valid(i).then(|| b.value(i)),
                )
            })
            .collect()
    }

    #[test]
    fn nulls_duplicates_and_empty_rows() {
        let prev = map(vec![
            Some(vec![
                (Some("a"), Some(1)),
                (None, Some(1)),
                (Some("b"), Some(1 << 27)),
            ]),
            None,
            Some(vec![(Some("x"), Some(1))]),
        ]);
        let curr = map(vec![
            Some(vec![
                (Some("a"), Some(1)),
                (Some("a"), Some(0)),
                (None, Some(1)),
                (Some("c"), Some(0)),
            ]),
            Some(vec![(Some("y"), None)]),
            None,
        ]);
        let out = combine("t", &prev, &curr, &fields()).unwrap();
        let s = |k: &str| Some(k.to_string());
        assert_eq!(
            entries(&out, 0),
            vec![
                (s("a"), Some(3)),
                (s("a"), Some(2)),
                (None, Some(2)),
                (None, Some(1)),
                (s("c"), Some(0)),
            ]
        );
        assert_eq!(entries(&out, 1), vec![(s("y"), None)]);
        assert_eq!(entries(&out, 2), vec![(s("x"), Some(2))]);
        assert_eq!(out.null_count(), 0);
    }
}
