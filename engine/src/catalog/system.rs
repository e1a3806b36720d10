//! `system.tables` and `system.columns`: the lake's own metadata, sidecar docs included.
//!
//! `information_schema` answers from discovery alone; these tables load each table's snapshot
//! (listing and footers, cached) to report files, sizes, partition keys, descriptions and
//! column docs, plus the error of a table that cannot be read. Filters on `table_schema` and
//! `table_name` decide which tables are loaded at all.

use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, BooleanArray, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef};
use async_trait::async_trait;
use datafusion::catalog::{SchemaProvider, Session, TableProvider};
use datafusion::common::ScalarValue;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_plan::ExecutionPlan;

use super::Lake;
use super::discover::TableEntry;
use super::snapshot::{COMMENT_KEY, TableSnapshot};
use crate::prune;

/// Which system table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tables,
    Columns,
}

static TABLES_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("table_schema", DataType::Utf8, false),
        Field::new("table_name", DataType::Utf8, false),
        Field::new("version", DataType::Int32, true),
        Field::new("location", DataType::Utf8, false),
        Field::new("description", DataType::Utf8, true),
        Field::new("partition_keys", DataType::Utf8, true),
        Field::new("partitions", DataType::Int64, true),
        Field::new("files", DataType::Int64, true),
        Field::new("bytes", DataType::Int64, true),
        Field::new("error", DataType::Utf8, true),
    ]))
});

static COLUMNS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("table_schema", DataType::Utf8, false),
        Field::new("table_name", DataType::Utf8, false),
        Field::new("column_name", DataType::Utf8, false),
        Field::new("ordinal_position", DataType::Int64, false),
        Field::new("data_type", DataType::Utf8, false),
        Field::new("is_nullable", DataType::Boolean, false),
        Field::new("partition_key", DataType::Boolean, false),
        Field::new("comment", DataType::Utf8, true),
    ]))
});

/// The `system` schema.
#[derive(Debug)]
pub struct SystemSchema {
    lake: Arc<Lake>,
}

impl SystemSchema {
    pub(crate) fn new(lake: Arc<Lake>) -> Self {
        Self { lake }
    }
}

#[async_trait]
impl SchemaProvider for SystemSchema {
    fn table_names(&self) -> Vec<String> {
        vec!["columns".to_string(), "tables".to_string()]
    }

    async fn table(&self, name: &str) -> DfResult<Option<Arc<dyn TableProvider>>> {
        let kind = match name {
            "tables" => Kind::Tables,
            "columns" => Kind::Columns,
            _ => return Ok(None),
        };
        Ok(Some(Arc::new(SystemTable {
            lake: Arc::clone(&self.lake),
            kind,
        })))
    }

    fn table_exist(&self, name: &str) -> bool {
        matches!(name, "tables" | "columns")
    }
}

#[derive(Debug)]
struct SystemTable {
    lake: Arc<Lake>,
    kind: Kind,
}

impl SystemTable {
    fn key_fields() -> Fields {
        vec![
            Field::new("table_schema", DataType::Utf8, false),
            Field::new("table_name", DataType::Utf8, false),
        ]
        .into()
    }
}

#[async_trait]
impl TableProvider for SystemTable {
    fn schema(&self) -> SchemaRef {
        match self.kind {
            Kind::Tables => Arc::clone(&TABLES_SCHEMA),
            Kind::Columns => Arc::clone(&COLUMNS_SCHEMA),
        }
    }

    fn table_type(&self) -> TableType {
        TableType::View
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> DfResult<Vec<TableProviderFilterPushDown>> {
        // Used to choose tables to load; DataFusion still applies every filter afterwards.
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        _limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        self.lake.ensure_fresh().await?;
        let entries: Vec<Arc<TableEntry>> = self
            .lake
            .namespaces()
            .values()
            .flat_map(|t| t.values().cloned())
            .collect();
        let keys: Vec<Vec<ScalarValue>> = entries
            .iter()
            .map(|e| {
                vec![
                    ScalarValue::from(e.namespace.as_str()),
                    ScalarValue::from(e.name.as_str()),
                ]
            })
            .collect();
        let keep =
            prune::keep_partitions(&Self::key_fields(), &keys, filters, state.execution_props())?;
        let mut loaded: Vec<(Arc<TableEntry>, Result<Arc<TableSnapshot>, String>)> = Vec::new();
        for (entry, keep) in entries.into_iter().zip(keep) {
            if keep {
                let snap = self.lake.snapshot(&entry).await.map_err(|e| e.chain_text());
                loaded.push((entry, snap));
            }
        }
        let batch = match self.kind {
            Kind::Tables => tables_batch(&self.lake, &loaded)?,
            Kind::Columns => columns_batch(&loaded)?,
        };
        let schema = batch.schema();
        Ok(MemorySourceConfig::try_new_exec(
            &[vec![batch]],
            schema,
            projection.cloned(),
        )?)
    }
}

type Loaded = (Arc<TableEntry>, Result<Arc<TableSnapshot>, String>);

fn tables_batch(lake: &Lake, loaded: &[Loaded]) -> DfResult<RecordBatch> {
    let ok = |r: &Result<Arc<TableSnapshot>, String>| r.as_ref().ok().cloned();
    let snaps: Vec<Option<Arc<TableSnapshot>>> = loaded.iter().map(|(_, s)| ok(s)).collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(
            loaded
                .iter()
                .map(|(e, _)| Some(e.namespace.clone()))
                .collect::<StringArray>(),
        ),
        Arc::new(
            loaded
                .iter()
                .map(|(e, _)| Some(e.name.clone()))
                .collect::<StringArray>(),
        ),
        Arc::new(
            loaded
                .iter()
                .map(|(e, _)| e.version.map(|v| v as i32))
                .collect::<Int32Array>(),
        ),
        Arc::new(
            loaded
                .iter()
                .map(|(e, _)| Some(lake.store().display(&e.location)))
                .collect::<StringArray>(),
        ),
        Arc::new(
            snaps
                .iter()
                .map(|s| {
                    s.as_ref()
                        .and_then(|s| s.sidecar.as_ref()?.description.clone())
                })
                .collect::<StringArray>(),
        ),
        Arc::new(
            snaps
                .iter()
                .map(|s| {
                    s.as_ref().map(|s| {
                        s.partition_fields
                            .iter()
                            .map(|f| format!("{} {}", f.name(), f.data_type()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                })
                .collect::<StringArray>(),
        ),
        Arc::new(
            snaps
                .iter()
                .map(|s| s.as_ref().map(|s| s.partitions.len() as i64))
                .collect::<Int64Array>(),
        ),
        Arc::new(
            snaps
                .iter()
                .map(|s| s.as_ref().map(|s| s.files.len() as i64))
                .collect::<Int64Array>(),
        ),
        Arc::new(
            snaps
                .iter()
                .map(|s| {
                    s.as_ref()
                        .map(|s| s.files.iter().map(|f| f.meta.size as i64).sum::<i64>())
                })
                .collect::<Int64Array>(),
        ),
        Arc::new(
            loaded
                .iter()
                .map(|(_, s)| s.as_ref().err().cloned())
                .collect::<StringArray>(),
        ),
    ];
    Ok(RecordBatch::try_new(Arc::clone(&TABLES_SCHEMA), columns)?)
}

fn columns_batch(loaded: &[Loaded]) -> DfResult<RecordBatch> {
    let (mut ns, mut table, mut name, mut pos, mut ty, mut nullable, mut part, mut comment) = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    for (entry, snap) in loaded {
        let Ok(snap) = snap else { continue };
        for (i, f) in snap.schema.fields().iter().enumerate() {
            ns.push(entry.namespace.clone());
            table.push(entry.name.clone());
            name.push(f.name().clone());
            pos.push(i as i64 + 1);
            ty.push(f.data_type().to_string());
            nullable.push(f.is_nullable());
            part.push(snap.is_partition_column(f.name()));
            comment.push(f.metadata().get(COMMENT_KEY).cloned());
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(ns)),
        Arc::new(StringArray::from(table)),
        Arc::new(StringArray::from(name)),
        Arc::new(Int64Array::from(pos)),
        Arc::new(StringArray::from(ty)),
        Arc::new(BooleanArray::from(nullable)),
        Arc::new(BooleanArray::from(part)),
        Arc::new(StringArray::from(comment)),
    ];
    Ok(RecordBatch::try_new(Arc::clone(&COLUMNS_SCHEMA), columns)?)
}
