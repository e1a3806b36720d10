//! Walking the rows of an aggregate's input: the values to sketch and the sketches to merge.

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, GenericBinaryArray, GenericStringArray,
    OffsetSizeTrait, PrimitiveArray,
};
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Date32Type, Float16Type, Float32Type, Float64Type, Int8Type,
    Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::common::{Result, exec_err};

/// Which rows of a batch go to which group.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rows<'a> {
    /// The group of each row (all zero for a single-group accumulator).
    pub(crate) groups: &'a [usize],
    /// Rows whose filter value is not true are skipped.
    pub(crate) filter: Option<&'a BooleanArray>,
}

impl Rows<'_> {
    /// The group of `row`, or `None` when the filter drops it.
    #[inline]
    pub(crate) fn group(&self, row: usize) -> Option<usize> {
        if let Some(f) = self.filter
            && !(f.is_valid(row) && f.value(row))
        {
            return None;
        }
        self.groups.get(row).copied()
    }
}

/// One non-NULL input value, as the families see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value<'a> {
    /// Any integer type, widened (`UInt64` keeps its bits).
    Long(i64),
    /// Any float type, widened.
    Double(f64),
    /// A string's UTF-8 bytes.
    Str(&'a str),
    /// A binary value's bytes.
    Bytes(&'a [u8]),
    Bool(bool),
    /// Days since the epoch.
    Date(i32),
}

/// The input kinds a function accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Accepts {
    pub(crate) integers: bool,
    pub(crate) floats: bool,
    pub(crate) strings: bool,
    pub(crate) binary: bool,
    pub(crate) booleans: bool,
    pub(crate) dates: bool,
}

impl Accepts {
    /// Whether `t` is accepted as is (`Null` always is).
    pub(crate) fn accepts(&self, t: &DataType) -> bool {
        use DataType::*;
        match t {
            Null => true,
            Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64 => self.integers,
            Float16 | Float32 | Float64 => self.floats,
            Utf8 | LargeUtf8 | Utf8View => self.strings,
            Binary | LargeBinary | BinaryView => self.binary,
            Boolean => self.booleans,
            Date32 => self.dates,
            _ => false,
        }
    }

    /// Plans the input type: accepted types are kept as they are, others refused by name.
    pub(crate) fn check(&self, function: &str, t: &DataType) -> Result<DataType> {
        if self.accepts(t) {
            return Ok(t.clone());
        }
        let mut kinds = Vec::new();
        for (on, kind) in [
            (self.integers, "integers"),
            (self.floats, "floating-point numbers"),
            (self.strings, "strings"),
            (self.binary, "binary values"),
            (self.booleans, "booleans"),
            (self.dates, "dates"),
        ] {
            if on {
                kinds.push(kind);
            }
        }
        datafusion::common::plan_err!(
            "{function}: cannot sketch values of type {t}; it accepts {}",
            kinds.join(", ")
        )
    }
}

/// Calls `f(group, value)` for every non-NULL row of `array` that `rows` keeps.
///
/// # Errors
/// An input type outside what the planner accepted, or an error from `f`.
pub(crate) fn for_each_value(
    function: &str,
    array: &ArrayRef,
    rows: Rows<'_>,
    mut f: impl FnMut(usize, Value<'_>) -> Result<()>,
) -> Result<()> {
    use DataType::*;
    match array.data_type() {
        Null => Ok(()),
        Int8 => ints::<Int8Type>(array, rows, i64::from, f),
        Int16 => ints::<Int16Type>(array, rows, i64::from, f),
        Int32 => ints::<Int32Type>(array, rows, i64::from, f),
        Int64 => ints::<Int64Type>(array, rows, |v| v, f),
        UInt8 => ints::<UInt8Type>(array, rows, i64::from, f),
        UInt16 => ints::<UInt16Type>(array, rows, i64::from, f),
        UInt32 => ints::<UInt32Type>(array, rows, i64::from, f),
        UInt64 => ints::<UInt64Type>(array, rows, |v| v as i64, f),
        Float16 => prim::<Float16Type>(array, rows, |v| Value::Double(f64::from(v)), f),
        Float32 => prim::<Float32Type>(array, rows, |v| Value::Double(f64::from(v)), f),
        Float64 => prim::<Float64Type>(array, rows, Value::Double, f),
        Date32 => prim::<Date32Type>(array, rows, Value::Date, f),
        Boolean => {
            let a = array.as_boolean();
            for row in 0..a.len() {
                if let Some(g) = rows.group(row)
                    && a.is_valid(row)
                {
                    f(g, Value::Bool(a.value(row)))?;
                }
            }
            Ok(())
        }
        Utf8 => strings(array.as_string::<i32>(), rows, f),
        LargeUtf8 => strings(array.as_string::<i64>(), rows, f),
        Utf8View => {
            let a = array.as_string_view();
            for row in 0..a.len() {
                if let Some(g) = rows.group(row)
                    && a.is_valid(row)
                {
                    f(g, Value::Str(a.value(row)))?;
                }
            }
            Ok(())
        }
        Binary | LargeBinary | BinaryView => {
            for_each_bytes(function, array, rows, |g, b| f(g, Value::Bytes(b)))
        }
        other => exec_err!("{function}: cannot sketch values of type {other}"),
    }
}

#[inline]
fn ints<T: ArrowPrimitiveType>(
    array: &ArrayRef,
    rows: Rows<'_>,
    widen: impl Fn(T::Native) -> i64,
    f: impl FnMut(usize, Value<'_>) -> Result<()>,
) -> Result<()> {
    prim::<T>(array, rows, |v| Value::Long(widen(v)), f)
}

#[inline]
fn prim<T: ArrowPrimitiveType>(
    array: &ArrayRef,
    rows: Rows<'_>,
    value: impl Fn(T::Native) -> Value<'static>,
    mut f: impl FnMut(usize, Value<'_>) -> Result<()>,
) -> Result<()> {
    let a: &PrimitiveArray<T> = array.as_primitive::<T>();
    let values = a.values();
    if a.null_count() == 0 && rows.filter.is_none() {
        for (row, v) in values.iter().enumerate() {
            if let Some(g) = rows.groups.get(row) {
                f(*g, value(*v))?;
            }
        }
        return Ok(());
    }
    for (row, v) in values.iter().enumerate() {
        if let Some(g) = rows.group(row)
            && a.is_valid(row)
        {
            f(g, value(*v))?;
        }
    }
    Ok(())
}

fn strings<O: OffsetSizeTrait>(
    a: &GenericStringArray<O>,
    rows: Rows<'_>,
    mut f: impl FnMut(usize, Value<'_>) -> Result<()>,
) -> Result<()> {
    for row in 0..a.len() {
        if let Some(g) = rows.group(row)
            && a.is_valid(row)
        {
            f(g, Value::Str(a.value(row)))?;
        }
    }
    Ok(())
}

/// Calls `f(group, bytes)` for every non-NULL row of a binary `array` that `rows` keeps.
///
/// # Errors
/// A non-binary input, or an error from `f`.
pub(crate) fn for_each_bytes(
    function: &str,
    array: &ArrayRef,
    rows: Rows<'_>,
    mut f: impl FnMut(usize, &[u8]) -> Result<()>,
) -> Result<()> {
    fn generic<O: OffsetSizeTrait>(
        a: &GenericBinaryArray<O>,
        rows: Rows<'_>,
        f: &mut impl FnMut(usize, &[u8]) -> Result<()>,
    ) -> Result<()> {
        for row in 0..a.len() {
            if let Some(g) = rows.group(row)
                && a.is_valid(row)
            {
                f(g, a.value(row))?;
            }
        }
        Ok(())
    }
    match array.data_type() {
        DataType::Null => Ok(()),
        DataType::Binary => generic(array.as_binary::<i32>(), rows, &mut f),
        DataType::LargeBinary => generic(array.as_binary::<i64>(), rows, &mut f),
        DataType::BinaryView => {
            let a = array.as_binary_view();
            for row in 0..a.len() {
                if let Some(g) = rows.group(row)
                    && a.is_valid(row)
                {
                    f(g, a.value(row))?;
                }
            }
            Ok(())
        }
        other => exec_err!("{function}: a sketch must be a binary value, got {other}"),
    }
}

/// Calls `f(row, bytes)` for every row of a binary (or NULL) `array`, `None` for NULL rows.
pub(crate) fn binary_rows(
    function: &str,
    array: &ArrayRef,
    mut f: impl FnMut(Option<&[u8]>) -> Result<()>,
) -> Result<()> {
    match array.data_type() {
        DataType::Null => {
            for _ in 0..array.len() {
                f(None)?;
            }
            Ok(())
        }
        DataType::Binary => array.as_binary::<i32>().iter().try_for_each(f),
        DataType::LargeBinary => array.as_binary::<i64>().iter().try_for_each(f),
        DataType::BinaryView => array.as_binary_view().iter().try_for_each(f),
        other => exec_err!("{function}: a sketch must be a binary value, got {other}"),
    }
}

/// Applies `f` to every sketch of a scalar function's binary argument, giving `on_null` for
/// NULL sketches. A scalar argument gives a scalar result.
pub(crate) fn map_sketches(
    function: &str,
    arg: &datafusion::logical_expr::ColumnarValue,
    on_null: Option<i64>,
    f: impl Fn(&[u8]) -> Result<i64>,
) -> Result<datafusion::logical_expr::ColumnarValue> {
    use datafusion::common::ScalarValue;
    use datafusion::logical_expr::ColumnarValue;
    match arg {
        ColumnarValue::Scalar(s) => {
            let out = match s {
                ScalarValue::Binary(b)
                | ScalarValue::LargeBinary(b)
                | ScalarValue::BinaryView(b) => match b {
                    Some(b) => Some(f(b)?),
                    None => on_null,
                },
                ScalarValue::Null => on_null,
                other => {
                    return exec_err!(
                        "{function}: a sketch must be a binary value, got {}",
                        other.data_type()
                    );
                }
            };
            Ok(ColumnarValue::Scalar(ScalarValue::Int64(out)))
        }
        ColumnarValue::Array(a) => {
            let mut out = arrow::array::Int64Builder::with_capacity(a.len());
            binary_rows(function, a, |b| {
                match b {
                    Some(b) => out.append_value(f(b)?),
                    None => out.append_option(on_null),
                }
                Ok(())
            })?;
            Ok(ColumnarValue::Array(std::sync::Arc::new(out.finish())))
        }
    }
}
