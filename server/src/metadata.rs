//! Catalog metadata commands: catalogs, schemas, tables, table types and (empty) keys.
//!
//! An unset catalog means "all", `""` means "objects without a catalog" (none here), and
//! patterns are SQL `LIKE` with `\` as escape. Table types use the JDBC vocabulary: lake and
//! session tables are `TABLE`, views `VIEW`, `information_schema` and `system` tables
//! `SYSTEM TABLE`. Names are filtered before any table is opened, so `include_schema` only
//! reads the tables a client asked for.

use std::sync::{Arc, LazyLock};

use arrow::array::{RecordBatch, StringArray};
use arrow::compute::kernels::comparison::like;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow_flight::sql::metadata::{GetCatalogsBuilder, GetDbSchemasBuilder, GetTablesBuilder};
use arrow_flight::sql::{CommandGetDbSchemas, CommandGetTableTypes, CommandGetTables};
use datafusion::logical_expr::TableType;
use tarn_engine::Session;
use tonic::Status;

use crate::wire::WireTypes;

/// The schemas DataFusion adds to every catalog.
const INFORMATION_SCHEMA: &str = "information_schema";
const INFORMATION_SCHEMA_TABLES: &[&str] = &[
    "columns",
    "df_settings",
    "parameters",
    "routines",
    "schemata",
    "tables",
    "views",
];
const SYSTEM_SCHEMA: &str = "system";

/// The table types, sorted.
pub(crate) const TABLE_TYPES: &[&str] = &["SYSTEM TABLE", "TABLE", "VIEW"];

fn internal(e: impl std::fmt::Display) -> Status {
    Status::internal(format!("cannot build the metadata result: {e}"))
}

/// `GetCatalogs`.
pub(crate) fn catalogs(catalog: &str) -> Result<RecordBatch, Status> {
    let mut b = GetCatalogsBuilder::new();
    b.append(catalog);
    b.build().map_err(internal)
}

/// The schema names of the session's catalog, `information_schema` included.
fn schema_names(session: &Session, catalog: &str) -> Vec<String> {
    let mut names = session
        .context()
        .catalog(catalog)
        .map(|c| c.schema_names())
        .unwrap_or_default();
    names.push(INFORMATION_SCHEMA.to_string());
    names.sort();
    names.dedup();
    names
}

/// `GetDbSchemas`.
pub(crate) fn db_schemas(
    session: &Session,
    catalog: &str,
    cmd: CommandGetDbSchemas,
) -> Result<RecordBatch, Status> {
    let mut b: GetDbSchemasBuilder = cmd.into_builder();
    for s in schema_names(session, catalog) {
        b.append(catalog, s);
    }
    b.build().map_err(internal)
}

/// `GetTableTypes`.
pub(crate) fn table_types() -> Result<RecordBatch, Status> {
    let mut b = CommandGetTableTypes {}.into_builder();
    for t in TABLE_TYPES {
        b.append(t);
    }
    b.build().map_err(internal)
}

/// Whether `value` matches a SQL LIKE `pattern` (with `\` escapes); no pattern matches all.
fn matches(pattern: Option<&str>, value: &str) -> Result<bool, Status> {
    let Some(pattern) = pattern else {
        return Ok(true);
    };
    let values = StringArray::from(vec![value]);
    let m = like(&values, &StringArray::new_scalar(pattern)).map_err(internal)?;
    Ok(m.value(0))
}

/// `GetTables`.
pub(crate) async fn tables(
    session: &Session,
    catalog: &str,
    wire: WireTypes,
    cmd: CommandGetTables,
) -> Result<RecordBatch, Status> {
    let include_schema = cmd.include_schema;
    let schema_pattern = cmd.db_schema_filter_pattern.clone();
    let table_pattern = cmd.table_name_filter_pattern.clone();
    let types: Vec<String> = cmd.table_types.clone();
    let catalog_ok = cmd.catalog.as_deref().is_none_or(|c| c == catalog);
    let mut b: GetTablesBuilder = cmd.into_builder();
    if !catalog_ok {
        return b.build().map_err(internal);
    }
    let ctx = session.context();
    let Some(cat) = ctx.catalog(catalog) else {
        return b.build().map_err(internal);
    };
    let empty = Schema::empty();
    for schema_name in schema_names(session, catalog) {
        if !matches(schema_pattern.as_deref(), &schema_name)? {
            continue;
        }
        let names: Vec<String> = if schema_name == INFORMATION_SCHEMA {
            INFORMATION_SCHEMA_TABLES
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            cat.schema(&schema_name)
                .map(|s| s.table_names())
                .unwrap_or_default()
        };
        for table in names {
            if !matches(table_pattern.as_deref(), &table)? {
                continue;
            }
            // The type comes from the catalog without opening the table.
            let table_type = match &schema_name[..] {
                INFORMATION_SCHEMA | SYSTEM_SCHEMA => "SYSTEM TABLE",
                _ => match cat.schema(&schema_name) {
                    Some(s) => match s.table_type(&table).await {
                        Ok(Some(TableType::View)) => "VIEW",
                        _ => "TABLE",
                    },
                    None => "TABLE",
                },
            };
            if !types.is_empty() && !types.iter().any(|t| t == table_type) {
                continue;
            }
            let table_schema = if include_schema {
                let reference = datafusion::common::TableReference::full(
                    catalog,
                    schema_name.as_str(),
                    table.as_str(),
                );
                match ctx.table_provider(reference).await {
                    // A table that cannot be read lists no columns; its error shows on use.
                    Ok(p) => wire.table_schema(&p.schema(), catalog, &schema_name, &table),
                    Err(_) => empty.clone(),
                }
            } else {
                empty.clone()
            };
            b.append(catalog, &schema_name, &table, table_type, &table_schema)
                .map_err(internal)?;
        }
    }
    b.build().map_err(internal)
}

/// `GetPrimaryKeys` result schema (tarn tables have no keys: always empty).
pub(crate) static PRIMARY_KEYS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("catalog_name", DataType::Utf8, true),
        Field::new("db_schema_name", DataType::Utf8, true),
        Field::new("table_name", DataType::Utf8, false),
        Field::new("column_name", DataType::Utf8, false),
        Field::new("key_name", DataType::Utf8, true),
        Field::new("key_sequence", DataType::Int32, false),
    ]))
});

/// `GetImportedKeys`, `GetExportedKeys` and `GetCrossReference` result schema (always empty).
pub(crate) static FOREIGN_KEYS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("pk_catalog_name", DataType::Utf8, true),
        Field::new("pk_db_schema_name", DataType::Utf8, true),
        Field::new("pk_table_name", DataType::Utf8, false),
        Field::new("pk_column_name", DataType::Utf8, false),
        Field::new("fk_catalog_name", DataType::Utf8, true),
        Field::new("fk_db_schema_name", DataType::Utf8, true),
        Field::new("fk_table_name", DataType::Utf8, false),
        Field::new("fk_column_name", DataType::Utf8, false),
        Field::new("key_sequence", DataType::Int32, false),
        Field::new("fk_key_name", DataType::Utf8, true),
        Field::new("pk_key_name", DataType::Utf8, true),
        Field::new("update_rule", DataType::UInt8, false),
        Field::new("delete_rule", DataType::UInt8, false),
    ]))
});

/// An empty batch of a key schema.
pub(crate) fn empty(schema: &SchemaRef) -> RecordBatch {
    RecordBatch::new_empty(Arc::clone(schema))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_with_escapes() {
        assert!(matches(None, "x").unwrap());
        assert!(matches(Some("clients%"), "clients_daily").unwrap());
        assert!(matches(Some("my\\_table"), "my_table").unwrap());
        assert!(!matches(Some("my\\_table"), "myxtable").unwrap());
        assert!(matches(Some("my_table"), "myxtable").unwrap());
    }
}
