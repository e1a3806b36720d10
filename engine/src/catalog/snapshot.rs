//! A table as of one listing: its files, partition values and merged schema.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use arrow::datatypes::{DataType, Field, FieldRef, Fields, Schema, SchemaRef};
use datafusion::common::ScalarValue;
use datafusion::common::stats::Statistics;
use datafusion::config::TableParquetOptions;
use datafusion::datasource::physical_plan::parquet::metadata::DFParquetMetadata;
use datafusion::datasource::physical_plan::parquet::{
    transform_binary_to_string, transform_schema_to_view,
};
use datafusion::execution::cache::cache_manager::FileMetadataCache;
use futures::{StreamExt, TryStreamExt};
use object_store::{ObjectMeta, ObjectStore};
use parking_lot::Mutex;

use super::discover::TableEntry;
use super::hive::{InferredType, infer_type};
use super::listing::Listing;
use super::merge::SchemaMerger;
use super::sidecar::{SIDECAR_FILE, Sidecar};
use crate::error::{Error, Result, SchemaConflict};
use crate::store::LakeStore;

/// Field metadata key holding a column's documentation (Spark's convention).
pub const COMMENT_KEY: &str = "comment";

/// A data file of a snapshot.
#[derive(Debug, Clone)]
pub struct SnapshotFile {
    pub meta: ObjectMeta,
    /// Index into [`TableSnapshot::partitions`].
    pub partition: usize,
    /// The schema of this file as read from its footer (shared between identical schemas).
    pub schema: Option<SchemaRef>,
}

/// One listing of a table, immutable: every query planned against it sees the same files.
#[derive(Debug)]
pub struct TableSnapshot {
    pub entry: Arc<TableEntry>,
    pub sidecar: Option<Sidecar>,
    /// The merged schema of the files (or the pinned one), without partition columns.
    pub file_schema: SchemaRef,
    /// Partition columns, in folder order.
    pub partition_fields: Fields,
    /// `file_schema` followed by `partition_fields`: the SQL table's columns.
    pub schema: SchemaRef,
    pub files: Vec<SnapshotFile>,
    /// The distinct partition value rows, typed.
    pub partitions: Vec<Vec<ScalarValue>>,
    pub loaded_at: Instant,
    pub(crate) statistics: Mutex<HashMap<usize, Arc<Statistics>>>,
}

/// What building a snapshot needs from the lake.
#[derive(Debug)]
pub(crate) struct BuildContext<'a> {
    pub lake: &'a LakeStore,
    pub metadata_cache: Arc<FileMetadataCache>,
    pub parquet: &'a TableParquetOptions,
    pub concurrency: usize,
}

impl TableSnapshot {
    /// Builds a snapshot from a fresh listing, reusing footer schemas of unchanged files from
    /// `previous`.
    ///
    /// # Errors
    /// Partition values that do not parse as their type, unreadable footers, unmergeable
    /// schemas, or an empty table without a pinned schema; each names the table and the file.
    pub(crate) async fn build(
        cx: &BuildContext<'_>,
        entry: Arc<TableEntry>,
        listing: Listing,
        sidecar: Option<Sidecar>,
        previous: Option<&TableSnapshot>,
    ) -> Result<Self> {
        let table = entry.qualified();
        let (partition_fields, partitions, file_partition) =
            type_partitions(cx.lake, &table, &listing, sidecar.as_ref())?;

        let mut files: Vec<SnapshotFile> = listing
            .files
            .into_iter()
            .zip(file_partition)
            .map(|(f, partition)| SnapshotFile {
                meta: f.meta,
                partition,
                schema: None,
            })
            .collect();

        let file_schema = match sidecar.as_ref().and_then(|s| s.schema.as_ref()) {
            Some(pinned) => Schema::new(
                pinned
                    .iter()
                    .map(|(n, t)| Field::new(n, t.clone(), true))
                    .collect::<Vec<_>>(),
            ),
            None => {
                if files.is_empty() {
                    return Err(Error::EmptyTable {
                        table,
                        sidecar: SIDECAR_FILE,
                    });
                }
                read_footer_schemas(cx, &table, &mut files, previous).await?;
                let mut merger = SchemaMerger::default();
                for f in &files {
                    let schema = f
                        .schema
                        .as_ref()
                        .expect("every file's schema was just read");
                    merger
                        .add(&cx.lake.display(&f.meta.location), schema)
                        .map_err(|c| {
                            Error::SchemaConflict(Box::new(SchemaConflict {
                                table: table.clone(),
                                column: c.column,
                                first_file: c.first_file,
                                first_type: c.first_type,
                                second_file: c.second_file,
                                second_type: c.second_type,
                            }))
                        })?;
                }
                let merged = merger.finish();
                let merged = if cx.parquet.global.binary_as_string {
                    transform_binary_to_string(&merged)
                } else {
                    merged
                };
                if cx.parquet.global.schema_force_view_types {
                    transform_schema_to_view(&merged)
                } else {
                    merged
                }
            }
        };

        // Partition columns come from the folders; a copy inside the files is not read.
        let keys: Vec<&str> = partition_fields.iter().map(|f| f.name().as_str()).collect();
        let docs = sidecar.as_ref();
        let file_fields: Vec<FieldRef> = file_schema
            .fields()
            .iter()
            .filter(|f| !keys.contains(&f.name().as_str()))
            .map(|f| with_doc(f, docs))
            .collect();
        let file_schema = Arc::new(Schema::new_with_metadata(
            file_fields,
            file_schema.metadata().clone(),
        ));
        let partition_fields: Fields = partition_fields.iter().map(|f| with_doc(f, docs)).collect();
        let mut all: Vec<FieldRef> = file_schema.fields().iter().cloned().collect();
        all.extend(partition_fields.iter().cloned());
        let schema = Arc::new(Schema::new(all));

        Ok(Self {
            entry,
            sidecar,
            file_schema,
            partition_fields,
            schema,
            files,
            partitions,
            loaded_at: Instant::now(),
            statistics: Mutex::new(HashMap::new()),
        })
    }

    /// Whether the table's `SELECT *` shows this column as a partition key.
    pub fn is_partition_column(&self, name: &str) -> bool {
        self.partition_fields.iter().any(|f| f.name() == name)
    }

    /// Statistics of file `index` against the table's file schema, read from its (cached)
    /// footer once per snapshot.
    pub(crate) async fn file_statistics(
        &self,
        store: &dyn ObjectStore,
        cache: &Arc<FileMetadataCache>,
        index: usize,
    ) -> datafusion::error::Result<Arc<Statistics>> {
        if let Some(s) = self.statistics.lock().get(&index) {
            return Ok(Arc::clone(s));
        }
        let meta = &self.files[index].meta;
        let stats = DFParquetMetadata::new(store, meta)
            .with_file_metadata_cache(Some(Arc::clone(cache)))
            .fetch_statistics(&self.file_schema)
            .await?;
        let stats = Arc::new(stats);
        self.statistics.lock().insert(index, Arc::clone(&stats));
        Ok(stats)
    }
}

fn with_doc(field: &FieldRef, sidecar: Option<&Sidecar>) -> FieldRef {
    let Some(sidecar) = sidecar else {
        return Arc::clone(field);
    };
    let doc = sidecar.columns.get(field.name());
    // A declared sketch column carries its format's field metadata (validated when parsed).
    let sketch = sidecar
        .sketches
        .get(field.name())
        .and_then(|ty| tarn_udfs::hll::sketch_metadata(ty).ok());
    if doc.is_none() && sketch.is_none() {
        return Arc::clone(field);
    }
    let mut md = field.metadata().clone();
    if let Some(doc) = doc {
        md.insert(COMMENT_KEY.to_string(), doc.clone());
    }
    md.extend(sketch.unwrap_or_default());
    Arc::new(field.as_ref().clone().with_metadata(md))
}

/// Types the partition keys and interns the distinct value rows.
/// Returns the fields, the distinct rows and, per file, its row index.
fn type_partitions(
    lake: &LakeStore,
    table: &str,
    listing: &Listing,
    sidecar: Option<&Sidecar>,
) -> Result<(Fields, Vec<Vec<ScalarValue>>, Vec<usize>)> {
    // With no files, the sidecar's declared keys are the partition columns.
    let keys: Vec<String> = if listing.files.is_empty() {
        sidecar
            .map(|s| s.partition_keys.keys().cloned().collect())
            .unwrap_or_default()
    } else {
        listing.keys.clone()
    };
    let mut rows: Vec<Vec<Option<String>>> = Vec::new();
    let mut index: HashMap<&[Option<String>], usize> = HashMap::new();
    let mut file_partition = Vec::with_capacity(listing.files.len());
    for f in &listing.files {
        let next = rows.len();
        let i = *index.entry(f.values.as_slice()).or_insert(next);
        if i == next {
            rows.push(f.values.clone());
        }
        file_partition.push(i);
    }
    let mut fields = Vec::with_capacity(keys.len());
    let mut typed: Vec<Vec<ScalarValue>> = vec![Vec::with_capacity(keys.len()); rows.len()];
    for (k, key) in keys.iter().enumerate() {
        let declared = sidecar.and_then(|s| s.partition_keys.get(key)).cloned();
        let data_type = declared.unwrap_or_else(|| {
            match infer_type(rows.iter().filter_map(|r| r[k].as_deref())) {
                InferredType::Int64 => DataType::Int64,
                InferredType::Date32 => DataType::Date32,
                InferredType::Utf8 => DataType::Utf8,
            }
        });
        for (r, row) in rows.iter().enumerate() {
            let value = match &row[k] {
                None => ScalarValue::try_from(&data_type)?,
                Some(v) => ScalarValue::try_from_string(v.clone(), &data_type).map_err(|_| {
                    let file = listing.files
                        [file_partition.iter().position(|p| *p == r).unwrap_or(0)]
                    .meta
                    .location
                    .clone();
                    Error::PartitionValue {
                        table: table.to_string(),
                        path: lake.display(&file),
                        segment: format!("{key}={v}"),
                        data_type: data_type.to_string(),
                    }
                })?,
            };
            typed[r].push(value);
        }
        fields.push(Field::new(key, data_type, true));
    }
    Ok((fields.into(), typed, file_partition))
}

/// Bytes read from the end of a file to find its footer when inferring a table's schema: enough
/// for the footers of most files, small next to their data.
const FOOTER_READ_HINT: usize = 64 * 1024;

/// Reads the footer schema of every file whose schema is not known from `previous`.
async fn read_footer_schemas(
    cx: &BuildContext<'_>,
    table: &str,
    files: &mut [SnapshotFile],
    previous: Option<&TableSnapshot>,
) -> Result<()> {
    if let Some(prev) = previous {
        let known: HashMap<&object_store::path::Path, &SnapshotFile> =
            prev.files.iter().map(|f| (&f.meta.location, f)).collect();
        for f in files.iter_mut() {
            if let Some(p) = known.get(&f.meta.location)
                && p.meta.size == f.meta.size
                && p.meta.last_modified == f.meta.last_modified
            {
                f.schema = p.schema.clone();
            }
        }
    }
    let store: &dyn ObjectStore = cx.lake.store.as_ref();
    let todo: Vec<usize> = (0..files.len())
        .filter(|i| files[*i].schema.is_none())
        .collect();
    let read: Vec<(usize, Schema)> = futures::stream::iter(todo)
        .map(|i| {
            let meta = &files[i].meta;
            let cache = Arc::clone(&cx.metadata_cache);
            async move {
                let schema = DFParquetMetadata::new(store, meta)
                    .with_file_metadata_cache(Some(cache))
                    // One read per file for usual footers (the length and the footer
                    // together) instead of two; larger footers take a second read.
                    .with_metadata_size_hint(Some(FOOTER_READ_HINT))
                    .fetch_schema()
                    .await
                    .map_err(|source| Error::FileSchema {
                        table: table.to_string(),
                        file: cx.lake.display(&meta.location),
                        source: Box::new(source),
                    })?;
                Ok::<_, Error>((i, schema))
            }
        })
        .buffer_unordered(cx.concurrency.max(1))
        .try_collect()
        .await?;
    // Identical schemas share one allocation: a table of 10,000 files usually has a handful.
    let mut distinct: Vec<SchemaRef> = files.iter().filter_map(|f| f.schema.clone()).collect();
    distinct.dedup();
    for (i, schema) in read {
        let shared = match distinct.iter().find(|s| s.as_ref() == &schema) {
            Some(s) => Arc::clone(s),
            None => {
                let s = Arc::new(schema);
                distinct.push(Arc::clone(&s));
                s
            }
        };
        files[i].schema = Some(shared);
    }
    Ok(())
}
