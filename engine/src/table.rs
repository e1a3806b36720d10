//! `LakeTable`: the SQL table over one snapshot of a lake table.

use std::sync::Arc;

use arrow::datatypes::{Schema, SchemaRef};
use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::project_schema;
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder};
use datafusion::datasource::table_schema::TableSchema;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use futures::{StreamExt, TryStreamExt};

use crate::catalog::snapshot::TableSnapshot;
use crate::error::Error;
use crate::prune;
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

    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> Result<Vec<TableProviderFilterPushDown>> {
        Ok(prune::pushdown_support(&self.snapshot.partition_fields, filters))
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
        let chosen: Vec<usize> =
            (0..snap.files.len()).filter(|i| keep[snap.files[*i].partition]).collect();
        if chosen.is_empty() {
            let schema = project_schema(&snap.schema, projection)?;
            return Ok(Arc::new(EmptyExec::new(schema)));
        }

        let runtime = state.runtime_env();
        let collect_statistics = state.config().collect_statistics();
        let cache = runtime.cache_manager.get_file_metadata_cache();
        let store = self.lake.store.as_ref();
        let files: Vec<PartitionedFile> = futures::stream::iter(chosen)
            .map(|i| {
                let cache = Arc::clone(&cache);
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
            .buffered(state.config_options().execution.meta_fetch_concurrency.get())
            .try_collect()
            .await?;

        let groups = FileGroup::new(files).split_files(state.config().target_partitions());
        let (groups, statistics) = datafusion::datasource::compute_all_files_statistics(
            groups,
            Arc::clone(&snap.schema),
            collect_statistics,
            false,
        )?;

        let format = ParquetFormat::default().with_options(state.table_options().parquet.clone());
        let table_schema = TableSchema::new(
            Arc::clone(&snap.file_schema),
            snap.partition_fields.iter().cloned().collect(),
        );
        let source = format.file_source(table_schema);
        let config = FileScanConfigBuilder::new(self.lake.url.clone(), source)
            .with_file_groups(groups)
            .with_statistics(statistics)
            .with_projection_indices(projection.cloned())?
            .with_limit(limit)
            .build();
        format.create_physical_plan(state, config).await
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
        Err(DataFusionError::External(Box::new(SharedError(Arc::clone(&self.error)))))
    }
}

/// An engine error shared between the table cache and the statements that hit it.
#[derive(Debug)]
pub struct SharedError(pub Arc<Error>);

impl std::fmt::Display for SharedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SharedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}
