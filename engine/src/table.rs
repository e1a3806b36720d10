//! `LakeTable`: the SQL table over one snapshot of a lake table.

use std::sync::Arc;

use arrow::datatypes::{Schema, SchemaRef};
use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::project_schema;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::parquet::CachedParquetFileReaderFactory;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::datasource::table_schema::TableSchema;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use futures::{StreamExt, TryStreamExt};

use crate::catalog::snapshot::TableSnapshot;
use crate::error::Error;
use crate::prune;
use crate::scan::NamedFileSource;
use crate::store::LakeStore;

/// A lake table as DataFusion sees it: the files of one snapshot, pruned per query.
#[derive(Debug)]
pub struct LakeTable {
    snapshot: Arc<TableSnapshot>,
    lake: LakeStore,
}

impl LakeTable {
    pub(crate) fn new(snapshot: Arc<TableSnapshot>, lake: LakeStore) -> Self {
        Self { snapshot, lake }
    }

    /// The snapshot this table reads.
    pub fn snapshot(&self) -> &Arc<TableSnapshot> {
        &self.snapshot
    }
}

#[async_trait]
impl TableProvider for LakeTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.snapshot.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        Ok(prune::pushdown_support(
            &self.snapshot.partition_fields,
            filters,
        ))
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let snap = &self.snapshot;
        let keep = prune::keep_partitions(
            &snap.partition_fields,
            &snap.partitions,
            filters,
            state.execution_props(),
        )?;
        let chosen: Vec<usize> = (0..snap.files.len())
            .filter(|i| keep[snap.files[*i].partition])
            .collect();
        if chosen.is_empty() {
            let schema = project_schema(&snap.schema, projection)?;
            return Ok(Arc::new(EmptyExec::new(schema)));
        }

        let runtime = state.runtime_env();
        let collect_statistics = state.config().collect_statistics();
        let cache = runtime.cache_manager.get_file_metadata_cache();
        let stats_cache = Arc::clone(&cache);
        let store = self.lake.store.as_ref();
        let files: Vec<PartitionedFile> = futures::stream::iter(chosen)
            .map(|i| {
                let cache = Arc::clone(&stats_cache);
                async move {
                    let f = &snap.files[i];
                    let mut pf = PartitionedFile::new_from_meta(f.meta.clone())
                        .with_partition_values(snap.partitions[f.partition].clone());
                    if collect_statistics {
                        let stats = snap.file_statistics(store, &cache, i).await.map_err(|e| {
                            DataFusionError::from(Error::FileSchema {
                                table: snap.entry.qualified(),
                                file: self.lake.display(&f.meta.location),
                                source: Box::new(e),
                            })
                        })?;
                        pf = pf.with_statistics(stats);
                    }
                    Ok::<_, DataFusionError>(pf)
                }
            })
            .buffered(
                state
                    .config_options()
                    .execution
                    .meta_fetch_concurrency
                    .get(),
            )
            .try_collect()
            .await?;

        let groups = FileGroup::new(files).split_files(state.config().target_partitions());
        let (groups, statistics) = datafusion_datasource::compute_all_files_statistics(
            groups,
            Arc::clone(&snap.schema),
            collect_statistics,
            false,
        )?;

        let table_schema = TableSchema::builder(Arc::clone(&snap.file_schema))
            .with_table_partition_cols(snap.partition_fields.iter().cloned().collect::<Vec<_>>())
            .build();
        // What ParquetFormat::create_physical_plan does (session options, cached footers), with
        // the source wrapped so read errors name their file.
        let options = state.table_options().parquet.clone();
        let hint = options.global.metadata_size_hint;
        let reader =
            CachedParquetFileReaderFactory::new(runtime.object_store(&self.lake.url)?, cache);
        let mut parquet = ParquetSource::new(table_schema)
            .with_table_parquet_options(options)
            .with_parquet_file_reader_factory(Arc::new(reader));
        if let Some(hint) = hint {
            parquet = parquet.with_metadata_size_hint(hint);
        }
        let source = Arc::new(NamedFileSource::new(Arc::new(parquet), self.lake.clone()));
        let config = FileScanConfigBuilder::new(self.lake.url.clone(), source)
            .with_file_groups(groups)
            .with_statistics(statistics)
            .with_projection_indices(projection.cloned())?
            .with_limit(limit)
            .build();
        Ok(DataSourceExec::from_data_source(config))
    }
}

/// A table whose snapshot failed to load. It keeps `information_schema` and catalog listings
/// working; statements that name it fail with the load error before planning (see
/// `Session::sql`), and a scan fails with it too.
#[derive(Debug)]
pub struct BrokenTable {
    pub(crate) error: Arc<Error>,
}

impl BrokenTable {
    /// The error that made the table unusable.
    pub fn error(&self) -> &Arc<Error> {
        &self.error
    }
}

#[async_trait]
impl TableProvider for BrokenTable {
    fn schema(&self) -> SchemaRef {
        Arc::new(Schema::empty())
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        _projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Err(DataFusionError::from(Error::Cached(Arc::clone(
            &self.error,
        ))))
    }
}
