//! Prepared-statement parameters: their schema, and binding the values a client sends.
//!
//! `?` placeholders are numbered `$1..$n` by the engine when it parses; the parameter schema
//! lists them in numeric order (never lexicographic: `$10` comes after `$9`) with the types
//! DataFusion infers, and `Utf8` where it cannot. Bound values arrive as one-row batches in
//! DoPut; flightsql-dbapi sends every value as a dense union, which is unwrapped. Each value is
//! cast to its parameter's type.

use std::io::Cursor;
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::ipc::reader::StreamReader;
use arrow::ipc::writer::StreamWriter;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::LogicalPlan;
use tonic::Status;

use crate::status::datafusion_status;

/// The parameters of a planned statement, in order.
pub(crate) fn parameter_schema(plan: &LogicalPlan) -> Result<SchemaRef, Status> {
    let types = plan
        .get_parameter_types()
        .map_err(|e| datafusion_status(&e))?;
    let mut params: Vec<(usize, String, DataType)> = Vec::with_capacity(types.len());
    for (name, t) in types {
        let n = name
            .strip_prefix('$')
            .and_then(|d| d.parse::<usize>().ok())
            .ok_or_else(|| {
                Status::invalid_argument(format!(
                    "parameter {name} is not positional; use ? or $1, $2, …"
                ))
            })?;
        params.push((n, name, t.unwrap_or(DataType::Utf8)));
    }
    params.sort_by_key(|(n, _, _)| *n);
    for (i, (n, _, _)) in params.iter().enumerate() {
        if *n != i + 1 {
            return Err(Status::invalid_argument(format!(
                "parameters must be numbered from $1 without gaps; ${} is missing",
                i + 1
            )));
        }
    }
    let fields: Vec<Field> = params
        .into_iter()
        .map(|(_, name, t)| Field::new(name, t, true))
        .collect();
    Ok(Arc::new(Schema::new(fields)))
}

/// Serializes bound parameter rows (Arrow IPC stream).
pub(crate) fn encode_rows(batch: &RecordBatch) -> Result<Vec<u8>, Status> {
    let mut out = Vec::new();
    let mut w = StreamWriter::try_new(&mut out, &batch.schema())
        .map_err(|e| Status::internal(format!("cannot encode parameters: {e}")))?;
    w.write(batch)
        .map_err(|e| Status::internal(format!("cannot encode parameters: {e}")))?;
    w.finish()
        .map_err(|e| Status::internal(format!("cannot encode parameters: {e}")))?;
    drop(w);
    Ok(out)
}

/// Reads bound parameter rows back; empty bytes mean none were bound.
pub(crate) fn decode_rows(bytes: &[u8]) -> Result<Option<RecordBatch>, Status> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let bad = |e: arrow::error::ArrowError| {
        Status::invalid_argument(format!("malformed bound parameters: {e}"))
    };
    let reader = StreamReader::try_new(Cursor::new(bytes), None).map_err(bad)?;
    let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().map_err(bad)?;
    match batches.len() {
        0 => Ok(None),
        1 => Ok(batches.into_iter().next()),
        _ => {
            let schema = batches[0].schema();
            arrow::compute::concat_batches(&schema, &batches)
                .map(Some)
                .map_err(bad)
        }
    }
}

/// The values of row `row`, cast to the parameter types.
///
/// # Errors
/// `InvalidArgument` when the number of values differs from the statement's parameters or a
/// value cannot be cast to its parameter's type.
pub(crate) fn row_values(
    batch: &RecordBatch,
    row: usize,
    params: &Schema,
) -> Result<Vec<ScalarValue>, Status> {
    if batch.num_columns() != params.fields().len() {
        return Err(Status::invalid_argument(format!(
            "the statement has {} parameter(s) but {} value(s) were bound",
            params.fields().len(),
            batch.num_columns()
        )));
    }
    batch
        .columns()
        .iter()
        .zip(params.fields())
        .enumerate()
        .map(|(i, (column, param))| {
            let value = ScalarValue::try_from_array(column, row)
                .map_err(|e| Status::invalid_argument(format!("parameter ${}: {e}", i + 1)))?;
            let value = unwrap_union(value);
            value.cast_to(param.data_type()).map_err(|_| {
                Status::invalid_argument(format!(
                    "parameter ${}: cannot use {} value {value} as {}",
                    i + 1,
                    value.data_type(),
                    param.data_type()
                ))
            })
        })
        .collect()
}

/// flightsql-dbapi sends each value as a one-member dense union; take the member.
fn unwrap_union(v: ScalarValue) -> ScalarValue {
    match v {
        ScalarValue::Union(Some((_, inner)), _, _) => unwrap_union(*inner),
        ScalarValue::Union(None, _, _) => ScalarValue::Null,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{ArrayRef, Int64Array, StringArray};

    #[test]
    fn rows_round_trip_and_cast() {
        let batch = RecordBatch::try_from_iter(vec![
            ("a", Arc::new(Int64Array::from(vec![Some(7)])) as ArrayRef),
            (
                "b",
                Arc::new(StringArray::from(vec![Some("2024-01-02")])) as ArrayRef,
            ),
        ])
        .unwrap();
        let back = decode_rows(&encode_rows(&batch).unwrap()).unwrap().unwrap();
        assert_eq!(back, batch);
        let params = Schema::new(vec![
            Field::new("$1", DataType::Int32, true),
            Field::new("$2", DataType::Date32, true),
        ]);
        let v = row_values(&back, 0, &params).unwrap();
        assert_eq!(v[0], ScalarValue::Int32(Some(7)));
        assert_eq!(v[1].data_type(), DataType::Date32);
        let err = row_values(
            &back,
            0,
            &Schema::new(vec![Field::new("$1", DataType::Int64, true)]),
        )
        .unwrap_err();
        assert!(
            err.message().contains("1 parameter(s) but 2 value(s)"),
            "{}",
            err.message()
        );
        assert!(decode_rows(&[]).unwrap().is_none());
        assert_eq!(
            decode_rows(b"junk").unwrap_err().code(),
            tonic::Code::InvalidArgument
        );
    }
}
