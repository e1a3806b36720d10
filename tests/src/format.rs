//! Result formatting for sqllogictest: one string per cell, a type letter per column.

use arrow::array::{Array, RecordBatch};
use arrow::datatypes::DataType;
use arrow::util::display::{ArrayFormatter, FormatOptions};

/// Column type letters, as in DataFusion's `.slt` files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Boolean.
    Bool,
    /// Integer.
    Int,
    /// Float or decimal.
    Real,
    /// Text.
    Text,
    /// Date, time or timestamp.
    Date,
    /// Anything else (nested, binary).
    Other,
}

impl sqllogictest::ColumnType for ColumnType {
    fn from_char(value: char) -> Option<Self> {
        Some(match value {
            'B' => Self::Bool,
            'I' => Self::Int,
            'R' => Self::Real,
            'T' => Self::Text,
            'D' | 'P' => Self::Date,
            '?' => Self::Other,
            _ => return None,
        })
    }

    fn to_char(&self) -> char {
        match self {
            Self::Bool => 'B',
            Self::Int => 'I',
            Self::Real => 'R',
            Self::Text => 'T',
            Self::Date => 'D',
            Self::Other => '?',
        }
    }
}

/// The letter of an Arrow type.
pub fn column_type(t: &DataType) -> ColumnType {
    use DataType::*;
    match t {
        Boolean => ColumnType::Bool,
        Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64 => ColumnType::Int,
        Float16 | Float32 | Float64 | Decimal32(..) | Decimal64(..) | Decimal128(..)
        | Decimal256(..) => ColumnType::Real,
        Utf8 | LargeUtf8 | Utf8View => ColumnType::Text,
        Date32 | Date64 | Timestamp(..) | Time32(_) | Time64(_) => ColumnType::Date,
        Dictionary(_, v) => column_type(v),
        _ => ColumnType::Other,
    }
}

/// Cells as text: NULL as `NULL`, the empty string as `(empty)`.
pub fn rows(batches: &[RecordBatch]) -> Result<Vec<Vec<String>>, arrow::error::ArrowError> {
    let options = FormatOptions::default().with_null("NULL");
    let mut out = Vec::new();
    for b in batches {
        let formatters = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for row in 0..b.num_rows() {
            let mut cells = Vec::with_capacity(formatters.len());
            for (c, f) in formatters.iter().enumerate() {
                let text = f.value(row).to_string();
                let col = b.column(c);
                cells.push(if text.is_empty() && col.is_valid(row) {
                    "(empty)".to_string()
                } else {
                    text
                });
            }
            out.push(cells);
        }
    }
    Ok(out)
}
