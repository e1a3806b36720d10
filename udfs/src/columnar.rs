//! What tarn's scalar functions share: the argument types they accept (as DataFusion
//! coercions), the evaluation of a batch kernel over scalar and array arguments, and
//! accessors over Arrow's three BYTES layouts.

use std::borrow::Cow;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BinaryArray, BinaryViewArray, Int64Array, LargeBinaryArray,
    ListArray, StructArray,
};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{DataType, Field};
use datafusion::common::types::{
    NativeType, logical_binary, logical_boolean, logical_date, logical_int64, logical_string,
};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    Coercion, ColumnarValue, ScalarFunctionArgs, Signature, TypeSignatureClass, Volatility,
};

/// BigQuery `INT64`: any integer type (and NULL), cast to `Int64`.
pub(crate) fn int64() -> Coercion {
    Coercion::new_implicit(
        TypeSignatureClass::Native(logical_int64()),
        vec![TypeSignatureClass::Integer],
        NativeType::Int64,
    )
}

/// BigQuery `BYTES`: `Binary`, `LargeBinary` and `BinaryView` as they are; fixed-size binary
/// and NULL are cast to a variable-length binary type.
pub(crate) fn bytes() -> Coercion {
    Coercion::new_implicit(
        TypeSignatureClass::Native(logical_binary()),
        vec![TypeSignatureClass::Binary],
        NativeType::Binary,
    )
}

/// BigQuery `STRING`: `Utf8`, `LargeUtf8` and `Utf8View` as they are.
pub(crate) fn string() -> Coercion {
    Coercion::new_exact(TypeSignatureClass::Native(logical_string()))
}

/// BigQuery `DATE`: `Date32` (or `Date64`); strings and timestamps are cast to `Date32`, as
/// BigQuery coerces the literal `'2020-01-28'` to a DATE parameter.
pub(crate) fn date() -> Coercion {
    Coercion::new_implicit(
        TypeSignatureClass::Native(logical_date()),
        vec![
            TypeSignatureClass::Native(logical_string()),
            TypeSignatureClass::Timestamp,
        ],
        NativeType::Date,
    )
}

/// BigQuery `BOOL`.
pub(crate) fn boolean() -> Coercion {
    Coercion::new_exact(TypeSignatureClass::Native(logical_boolean()))
}

/// An immutable signature taking `args` in order (none: a constant function).
pub(crate) fn signature(args: Vec<Coercion>) -> Signature {
    if args.is_empty() {
        Signature::nullary(Volatility::Immutable)
    } else {
        Signature::coercible(args, Volatility::Immutable)
    }
}

/// Evaluates `kernel` on the arguments as arrays of equal length.
///
/// When every argument is a scalar (and for functions without arguments) the kernel runs on
/// one-row arrays and the result is a scalar, which DataFusion broadcasts; otherwise scalar
/// arguments are broadcast to the batch's row count. Kernels are thus written once, over
/// arrays, and never see a `ColumnarValue`.
pub(crate) fn apply(
    args: ScalarFunctionArgs,
    kernel: impl FnOnce(&[ArrayRef]) -> Result<ArrayRef>,
) -> Result<ColumnarValue> {
    let all_scalar = args
        .args
        .iter()
        .all(|a| matches!(a, ColumnarValue::Scalar(_)));
    let rows = if all_scalar { 1 } else { args.number_rows };
    let arrays = args
        .args
        .iter()
        .map(|a| a.to_array(rows))
        .collect::<Result<Vec<_>>>()?;
    let out = kernel(&arrays)?;
    if all_scalar {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
    } else {
        Ok(ColumnarValue::Array(out))
    }
}

/// The `Int64` array of an argument coerced by [`int64`].
pub(crate) fn int64_array<'a>(name: &str, array: &'a ArrayRef) -> Result<&'a Int64Array> {
    match array.as_primitive_opt() {
        Some(a) => Ok(a),
        None => exec_err!(
            "{name}: expected an INT64 argument, got {}",
            array.data_type()
        ),
    }
}

/// Row `i` of an INT64 column, NULL as `None`.
#[inline]
pub(crate) fn at(array: &Int64Array, i: usize) -> Option<i64> {
    array.is_valid(i).then(|| array.value(i))
}

/// The values of `array` with every NULL slot read as `null_as`: the values themselves when
/// there is no NULL (no copy), else one copy with the NULL slots overwritten (found a word of
/// the validity bitmap at a time).
pub(crate) fn values_or(array: &Int64Array, null_as: i64) -> Cow<'_, [i64]> {
    match array.nulls().filter(|n| n.null_count() > 0) {
        None => Cow::Borrowed(array.values().as_ref()),
        Some(nulls) => {
            let mut values = array.values().to_vec();
            for i in (!nulls.inner()).set_indices() {
                values[i] = null_as;
            }
            Cow::Owned(values)
        }
    }
}

/// A list argument (`List`, `LargeList` or `FixedSizeList`) as a `List`; the NULL literal
/// (type `Null`) as a column of NULL lists.
pub(crate) fn list_array(name: &str, array: &ArrayRef) -> Result<ListArray> {
    match array.data_type() {
        DataType::List(_) => Ok(array.as_list::<i32>().clone()),
        DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            let list = DataType::List(Arc::clone(f));
            Ok(arrow::compute::cast(array, &list)?.as_list::<i32>().clone())
        }
        DataType::Null => Ok(ListArray::new_null(
            Arc::new(Field::new_list_field(DataType::Null, true)),
            array.len(),
        )),
        other => exec_err!("{name}: expected an ARRAY argument, got {other}"),
    }
}

/// Whether `t` can be read as an ARRAY by [`list_array`], with elements accepted by
/// `element`.
pub(crate) fn is_list_of(t: &DataType, element: impl Fn(&DataType) -> bool) -> bool {
    match t {
        DataType::Null => true,
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            element(f.data_type())
        }
        _ => false,
    }
}

/// Integer types (and NULL), which cast to `Int64` without loss of meaning.
pub(crate) fn is_integer(t: &DataType) -> bool {
    t.is_integer() || t.is_null()
}

/// Column `i` of a struct column, cast to `to` (NULL where the struct is NULL).
pub(crate) fn struct_field(
    name: &str,
    values: &StructArray,
    i: usize,
    to: &DataType,
) -> Result<ArrayRef> {
    let Some(column) = values.columns().get(i) else {
        return exec_err!("{name}: the STRUCT has no field {}", i + 1);
    };
    let column = arrow::compute::cast(column, to)?;
    match NullBuffer::union(values.nulls(), column.nulls()) {
        Some(nulls) if values.null_count() > 0 => {
            let data = column.to_data().into_builder().nulls(Some(nulls)).build()?;
            Ok(arrow::array::make_array(data))
        }
        _ => Ok(column),
    }
}

/// The struct elements of a list column, or an empty struct when the list holds `Null`s.
pub(crate) fn struct_values(name: &str, list: &ListArray) -> Result<Option<StructArray>> {
    match list.values().data_type() {
        DataType::Struct(_) => Ok(Some(list.values().as_struct().clone())),
        DataType::Null => Ok(None),
        other => exec_err!("{name}: expected an ARRAY of STRUCT, got elements of {other}"),
    }
}

/// A BYTES column in any of Arrow's variable-length binary layouts.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bytes<'a> {
    Binary(&'a BinaryArray),
    Large(&'a LargeBinaryArray),
    View(&'a BinaryViewArray),
}

impl<'a> Bytes<'a> {
    /// The BYTES column of an argument coerced by [`bytes`].
    pub(crate) fn try_new(name: &str, array: &'a ArrayRef) -> Result<Self> {
        Ok(match array.data_type() {
            DataType::Binary => Self::Binary(array.as_binary()),
            DataType::LargeBinary => Self::Large(array.as_binary()),
            DataType::BinaryView => Self::View(array.as_binary_view()),
            other => return exec_err!("{name}: expected a BYTES argument, got {other}"),
        })
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Binary(a) => a.len(),
            Self::Large(a) => a.len(),
            Self::View(a) => a.len(),
        }
    }

    /// Row `i`, NULL as `None`. One match per call: loops over many rows should prefer
    /// [`Bytes::try_for_each`].
    pub(crate) fn get(&self, i: usize) -> Option<&'a [u8]> {
        match self {
            Self::Binary(a) => a.is_valid(i).then(|| a.value(i)),
            Self::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Self::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }

    /// Total bytes of the values, to size output buffers.
    pub(crate) fn value_bytes(&self) -> usize {
        match self {
            Self::Binary(a) => a.values().len(),
            Self::Large(a) => a.values().len(),
            Self::View(a) => a.total_buffer_bytes_used() + 12 * a.len(),
        }
    }

    /// Calls `f(row, value)` for every row in order. The layout is matched once per batch, so
    /// `f` is monomorphised into one loop per layout.
    pub(crate) fn try_for_each(
        &self,
        mut f: impl FnMut(usize, Option<&'a [u8]>) -> Result<()>,
    ) -> Result<()> {
        match self {
            Self::Binary(a) => a.iter().enumerate().try_for_each(|(i, v)| f(i, v)),
            Self::Large(a) => a.iter().enumerate().try_for_each(|(i, v)| f(i, v)),
            Self::View(a) => a.iter().enumerate().try_for_each(|(i, v)| f(i, v)),
        }
    }
}

/// Test support: calls a UDF as DataFusion would, on already-coerced arguments.
#[cfg(test)]
pub(crate) mod testing {
    use std::sync::Arc;

    use arrow::array::ArrayRef;
    use arrow::datatypes::Field;
    use datafusion::common::{Result, ScalarValue};
    use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF};

    /// `udf(args…)` over `rows` rows.
    pub(crate) fn invoke(
        udf: &ScalarUDF,
        args: Vec<ColumnarValue>,
        rows: usize,
    ) -> Result<ColumnarValue> {
        let arg_fields: Vec<_> = args
            .iter()
            .enumerate()
            .map(|(i, a)| Arc::new(Field::new(format!("a{i}"), a.data_type(), true)))
            .collect();
        let types: Vec<_> = args.iter().map(|a| a.data_type()).collect();
        let return_field = Arc::new(Field::new("r", udf.return_type(&types)?, true));
        udf.invoke_with_args(ScalarFunctionArgs {
            args,
            arg_fields,
            number_rows: rows,
            return_field,
            config_options: Arc::default(),
        })
    }

    /// `udf` on array arguments, as an array.
    pub(crate) fn on_arrays(udf: &ScalarUDF, args: Vec<ArrayRef>) -> Result<ArrayRef> {
        let rows = args.first().map_or(1, |a| a.len());
        invoke(
            udf,
            args.into_iter().map(ColumnarValue::Array).collect(),
            rows,
        )?
        .into_array(rows)
    }

    /// `udf` on scalar arguments, as a scalar.
    pub(crate) fn on_scalars(udf: &ScalarUDF, args: Vec<ScalarValue>) -> Result<ScalarValue> {
        match invoke(
            udf,
            args.into_iter().map(ColumnarValue::Scalar).collect(),
            1,
        )? {
            ColumnarValue::Scalar(s) => Ok(s),
            ColumnarValue::Array(a) => ScalarValue::try_from_array(&a, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::{Array, ArrayRef, Int64Array};
    use datafusion::common::ScalarValue;
    use datafusion::logical_expr::ColumnarValue;

    use super::*;

    #[test]
    fn nulls_read_as_the_given_value() {
        let a = Int64Array::from(vec![Some(1), None, Some(3)]);
        assert_eq!(values_or(&a, 7).as_ref(), &[1, 7, 3]);
        let b = Int64Array::from(vec![1, 2]);
        assert!(matches!(values_or(&b, 7), Cow::Borrowed(_)));
    }

    #[test]
    fn scalars_in_scalar_out_and_arrays_broadcast() {
        let double = |a: &[ArrayRef]| -> Result<ArrayRef> {
            let x = int64_array("t", &a[0])?;
            let y = int64_array("t", &a[1])?;
            Ok(Arc::new(
                x.iter()
                    .zip(y.iter())
                    .map(|(x, y)| Some(x? * y?))
                    .collect::<Int64Array>(),
            ))
        };
        let field = Arc::new(arrow::datatypes::Field::new(
            "x",
            arrow::datatypes::DataType::Int64,
            true,
        ));
        let args = |a: Vec<ColumnarValue>, n| ScalarFunctionArgs {
            arg_fields: vec![Arc::clone(&field); a.len()],
            args: a,
            number_rows: n,
            return_field: Arc::clone(&field),
            config_options: Arc::default(),
        };
        let s = |v| ColumnarValue::Scalar(ScalarValue::Int64(Some(v)));
        let out = apply(args(vec![s(2), s(3)], 5), double).unwrap();
        assert!(matches!(
            out,
            ColumnarValue::Scalar(ScalarValue::Int64(Some(6)))
        ));
        let col = ColumnarValue::Array(Arc::new(Int64Array::from(vec![1, 2, 3])));
        let ColumnarValue::Array(out) = apply(args(vec![col, s(2)], 3), double).unwrap() else {
            panic!("expected an array");
        };
        assert_eq!(out.len(), 3);
        assert_eq!(
            int64_array("t", &out).unwrap().values().as_ref(),
            &[2, 4, 6]
        );
    }
}
