//! Result schemas and batches as they go on the wire.
//!
//! One "wire schema" per statement, computed from the logical plan, is what `FlightInfo`,
//! `GetSchema`, a prepared statement's `dataset_schema` and the `DoGet` stream all carry, so
//! clients that compare them (ADBC) always agree. Dictionaries are hydrated and, in
//! compatibility mode (the default), view types are sent as their classic forms, because the
//! JDBC driver before 19, the ODBC driver and older pyarrow stacks cannot read `Utf8View`.
//! Fields carry the `ARROW:FLIGHT:SQL:*` metadata JDBC and ODBC read column facts from.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, FieldRef, Fields, Schema, SchemaRef};
use arrow::error::ArrowError;
use datafusion::common::{DFSchema, TableReference};

/// The metadata keys of Flight SQL column descriptions.
pub(crate) mod keys {
    pub(crate) const CATALOG_NAME: &str = "ARROW:FLIGHT:SQL:CATALOG_NAME";
    pub(crate) const DB_SCHEMA_NAME: &str = "ARROW:FLIGHT:SQL:DB_SCHEMA_NAME";
    pub(crate) const TABLE_NAME: &str = "ARROW:FLIGHT:SQL:TABLE_NAME";
    pub(crate) const TYPE_NAME: &str = "ARROW:FLIGHT:SQL:TYPE_NAME";
    pub(crate) const PRECISION: &str = "ARROW:FLIGHT:SQL:PRECISION";
    pub(crate) const SCALE: &str = "ARROW:FLIGHT:SQL:SCALE";
    pub(crate) const IS_AUTO_INCREMENT: &str = "ARROW:FLIGHT:SQL:IS_AUTO_INCREMENT";
    pub(crate) const IS_CASE_SENSITIVE: &str = "ARROW:FLIGHT:SQL:IS_CASE_SENSITIVE";
    pub(crate) const IS_READ_ONLY: &str = "ARROW:FLIGHT:SQL:IS_READ_ONLY";
    pub(crate) const IS_SEARCHABLE: &str = "ARROW:FLIGHT:SQL:IS_SEARCHABLE";
    pub(crate) const REMARKS: &str = "ARROW:FLIGHT:SQL:REMARKS";
}

/// How types are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WireTypes {
    /// Send view types, large strings and 256-bit decimals as Utf8, Binary, List and
    /// Decimal128, which every driver reads.
    pub(crate) compat: bool,
}

impl WireTypes {
    /// The type a column of `t` is sent as.
    pub(crate) fn wire_type(&self, t: &DataType) -> DataType {
        use DataType::*;
        match t {
            Dictionary(_, v) => self.wire_type(v),
            RunEndEncoded(_, v) => self.wire_type(v.data_type()),
            Utf8View | LargeUtf8 if self.compat => Utf8,
            BinaryView | LargeBinary if self.compat => Binary,
            Decimal256(p, s) if self.compat && *p <= 38 => Decimal128(*p, *s),
            ListView(f) | List(f) => List(self.wire_field(f)),
            LargeListView(f) | LargeList(f) => {
                if self.compat {
                    List(self.wire_field(f))
                } else {
                    LargeList(self.wire_field(f))
                }
            }
            FixedSizeList(f, n) => FixedSizeList(self.wire_field(f), *n),
            Struct(fields) => Struct(
                fields
                    .iter()
                    .map(|f| self.wire_field(f))
                    .collect::<Fields>(),
            ),
            Map(f, sorted) => Map(self.wire_field(f), *sorted),
            other => other.clone(),
        }
    }

    fn wire_field(&self, f: &FieldRef) -> FieldRef {
        Arc::new(
            f.as_ref()
                .clone()
                .with_data_type(self.wire_type(f.data_type())),
        )
    }

    /// The wire schema of a plan's output: wire types plus Flight SQL column metadata naming
    /// each column's source table where the plan knows it.
    pub(crate) fn schema(&self, plan: &DFSchema, catalog: &str, default_schema: &str) -> SchemaRef {
        let fields: Vec<Field> = plan
            .iter()
            .map(|(qualifier, field)| {
                let data_type = self.wire_type(field.data_type());
                let mut md: HashMap<String, String> = field.metadata().clone();
                if let Some(q) = qualifier {
                    let (cat, sch, table) = parts(q, catalog, default_schema);
                    md.insert(keys::CATALOG_NAME.into(), cat);
                    md.insert(keys::DB_SCHEMA_NAME.into(), sch);
                    md.insert(keys::TABLE_NAME.into(), table);
                }
                describe_column(&data_type, &mut md);
                Field::new(field.name(), data_type, field.is_nullable()).with_metadata(md)
            })
            .collect();
        Arc::new(Schema::new(fields))
    }

    /// A table's schema as `GetTables(include_schema)` reports it.
    pub(crate) fn table_schema(
        &self,
        schema: &Schema,
        catalog: &str,
        db_schema: &str,
        table: &str,
    ) -> Schema {
        let fields: Vec<Field> = schema
            .fields()
            .iter()
            .map(|field| {
                let data_type = self.wire_type(field.data_type());
                let mut md = field.metadata().clone();
                md.insert(keys::CATALOG_NAME.into(), catalog.into());
                md.insert(keys::DB_SCHEMA_NAME.into(), db_schema.into());
                md.insert(keys::TABLE_NAME.into(), table.into());
                describe_column(&data_type, &mut md);
                Field::new(field.name(), data_type, field.is_nullable()).with_metadata(md)
            })
            .collect();
        Schema::new(fields)
    }
}

fn parts(q: &TableReference, catalog: &str, default_schema: &str) -> (String, String, String) {
    (
        q.catalog().unwrap_or(catalog).to_string(),
        q.schema().unwrap_or(default_schema).to_string(),
        q.table().to_string(),
    )
}

/// Adds type name, precision, scale and the fixed facts of a read-only lake.
fn describe_column(t: &DataType, md: &mut HashMap<String, String>) {
    md.insert(keys::TYPE_NAME.into(), sql_type_name(t).into());
    if let Some((p, s)) = precision_scale(t) {
        md.insert(keys::PRECISION.into(), p.to_string());
        md.insert(keys::SCALE.into(), s.to_string());
    }
    md.insert(keys::IS_AUTO_INCREMENT.into(), "false".into());
    md.insert(
        keys::IS_CASE_SENSITIVE.into(),
        matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View).to_string(),
    );
    md.insert(keys::IS_READ_ONLY.into(), "true".into());
    md.insert(keys::IS_SEARCHABLE.into(), "true".into());
    if let Some(comment) = md.get("comment").cloned() {
        md.insert(keys::REMARKS.into(), comment);
    }
}

/// The SQL name of an Arrow type, as BI tools show it.
pub(crate) fn sql_type_name(t: &DataType) -> &'static str {
    use DataType::*;
    match t {
        Null => "NULL",
        Boolean => "BOOLEAN",
        Int8 | UInt8 => "TINYINT",
        Int16 | UInt16 => "SMALLINT",
        Int32 | UInt32 => "INTEGER",
        Int64 | UInt64 => "BIGINT",
        Float16 | Float32 => "REAL",
        Float64 => "DOUBLE",
        Decimal32(..) | Decimal64(..) | Decimal128(..) | Decimal256(..) => "DECIMAL",
        Utf8 | LargeUtf8 | Utf8View => "VARCHAR",
        Binary | LargeBinary | BinaryView | FixedSizeBinary(_) => "VARBINARY",
        Date32 | Date64 => "DATE",
        Time32(_) | Time64(_) => "TIME",
        Timestamp(_, None) => "TIMESTAMP",
        Timestamp(_, Some(_)) => "TIMESTAMP WITH TIME ZONE",
        Interval(_) | Duration(_) => "INTERVAL",
        List(_) | LargeList(_) | ListView(_) | LargeListView(_) | FixedSizeList(..) => "ARRAY",
        Struct(_) => "STRUCT",
        Map(..) => "MAP",
        Union(..) => "UNION",
        Dictionary(_, v) => sql_type_name(v),
        RunEndEncoded(_, v) => sql_type_name(v.data_type()),
    }
}

fn precision_scale(t: &DataType) -> Option<(u32, i32)> {
    use DataType::*;
    Some(match t {
        Int8 | UInt8 => (3, 0),
        Int16 | UInt16 => (5, 0),
        Int32 | UInt32 => (10, 0),
        Int64 => (19, 0),
        UInt64 => (20, 0),
        Float32 => (24, 0),
        Float64 => (53, 0),
        Decimal32(p, s) | Decimal64(p, s) | Decimal128(p, s) | Decimal256(p, s) => {
            (u32::from(*p), i32::from(*s))
        }
        _ => return None,
    })
}

/// Casts a batch to the wire schema (types and field metadata).
///
/// # Errors
/// When a column cannot be cast (a planner bug), or holds nulls in a non-nullable field.
pub(crate) fn to_wire(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch, ArrowError> {
    if batch.num_columns() != schema.fields().len() {
        return Err(ArrowError::SchemaError(format!(
            "result has {} columns but its schema {}",
            batch.num_columns(),
            schema.fields().len()
        )));
    }
    let columns: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| {
            if c.data_type() == f.data_type() {
                Ok(Arc::clone(c))
            } else {
                cast(c, f.data_type())
            }
        })
        .collect::<Result<_, _>>()?;
    RecordBatch::try_new_with_options(
        Arc::clone(schema),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{DictionaryArray, StringViewArray};
    use arrow::datatypes::Int16Type;

    #[test]
    fn compat_types() {
        let w = WireTypes { compat: true };
        assert_eq!(w.wire_type(&DataType::Utf8View), DataType::Utf8);
        assert_eq!(
            w.wire_type(&DataType::Dictionary(
                Box::new(DataType::UInt16),
                Box::new(DataType::Utf8)
            )),
            DataType::Utf8
        );
        let list = DataType::List(Arc::new(Field::new("item", DataType::Utf8View, true)));
        assert_eq!(
            w.wire_type(&list),
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
        );
        let modern = WireTypes { compat: false };
        assert_eq!(modern.wire_type(&DataType::Utf8View), DataType::Utf8View);
    }

    #[test]
    fn batches_are_cast_to_the_wire_schema() {
        let dict: DictionaryArray<Int16Type> = vec!["a", "b", "a"].into_iter().collect();
        let view = StringViewArray::from(vec!["x", "y", "z"]);
        let batch = RecordBatch::try_from_iter(vec![
            ("d", Arc::new(dict) as ArrayRef),
            ("v", Arc::new(view) as ArrayRef),
        ])
        .unwrap();
        let w = WireTypes { compat: true };
        let df = DFSchema::try_from(batch.schema()).unwrap();
        let schema = w.schema(&df, "tarn", "default");
        let out = to_wire(&batch, &schema).unwrap();
        assert_eq!(out.schema().field(0).data_type(), &DataType::Utf8);
        assert_eq!(out.schema().field(1).data_type(), &DataType::Utf8);
        assert_eq!(out.schema().field(1).metadata()[keys::TYPE_NAME], "VARCHAR");
        assert_eq!(out.schema(), schema);
    }
}
