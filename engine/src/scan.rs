//! A Parquet file source whose errors name the file they came from.
//!
//! DataFusion's Parquet reader reports a damaged page as, say, "failed to fill whole buffer",
//! without saying which of a scan's files it was reading. [`NamedFileSource`] wraps the
//! `ParquetSource` of a lake scan and adds the file's path to every error raised while planning
//! or reading that file. Everything else is delegated unchanged, so pushdown, repartitioning and
//! `EXPLAIN` behave as for the plain source.

use std::fmt;
use std::sync::Arc;

use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::{FileOpener, FileScanConfig, FileSource};
use datafusion::datasource::table_schema::TableSchema;
use datafusion::error::{DataFusionError, Result};
use datafusion::physical_expr::projection::ProjectionExprs;
use datafusion::physical_expr::{
    EquivalenceProperties, LexOrdering, PhysicalExpr, PhysicalSortExpr,
};
use datafusion::physical_plan::filter_pushdown::FilterPushdownPropagation;
use datafusion::physical_plan::metrics::ExecutionPlanMetricsSet;
use datafusion::physical_plan::{DisplayFormatType, SortOrderPushdownResult};
use datafusion_datasource::morsel::{Morsel, MorselPlan, MorselPlanner, Morselizer};
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use object_store::ObjectStore;

use crate::store::LakeStore;

/// Wraps a file source so its errors carry the file path.
#[derive(Clone)]
pub struct NamedFileSource {
    inner: Arc<dyn FileSource>,
    lake: LakeStore,
}

impl fmt::Debug for NamedFileSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NamedFileSource")
            .field("file_type", &self.inner.file_type())
            .finish()
    }
}

impl NamedFileSource {
    pub(crate) fn new(inner: Arc<dyn FileSource>, lake: LakeStore) -> Self {
        Self { inner, lake }
    }

    fn wrap(&self, inner: Arc<dyn FileSource>) -> Arc<dyn FileSource> {
        Arc::new(Self {
            inner,
            lake: self.lake.clone(),
        })
    }
}

fn in_file(path: &str, err: DataFusionError) -> DataFusionError {
    err.context(format!("while reading {path}"))
}

impl FileSource for NamedFileSource {
    fn create_file_opener(
        &self,
        object_store: Arc<dyn ObjectStore>,
        base_config: &FileScanConfig,
        partition: usize,
    ) -> Result<Arc<dyn FileOpener>> {
        self.inner
            .create_file_opener(object_store, base_config, partition)
    }

    fn create_morselizer(
        &self,
        object_store: Arc<dyn ObjectStore>,
        base_config: &FileScanConfig,
        partition: usize,
    ) -> Result<Box<dyn Morselizer>> {
        let inner = self
            .inner
            .create_morselizer(object_store, base_config, partition)?;
        Ok(Box::new(NamedMorselizer {
            inner,
            lake: self.lake.clone(),
        }))
    }

    fn table_schema(&self) -> &TableSchema {
        self.inner.table_schema()
    }

    fn with_batch_size(&self, batch_size: usize) -> Arc<dyn FileSource> {
        self.wrap(self.inner.with_batch_size(batch_size))
    }

    fn filter(&self) -> Option<Arc<dyn PhysicalExpr>> {
        self.inner.filter()
    }

    fn projection(&self) -> Option<&ProjectionExprs> {
        self.inner.projection()
    }

    fn metrics(&self) -> &ExecutionPlanMetricsSet {
        self.inner.metrics()
    }

    fn file_type(&self) -> &str {
        self.inner.file_type()
    }

    fn fmt_extra(&self, t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.fmt_extra(t, f)
    }

    fn supports_repartitioning(&self) -> bool {
        self.inner.supports_repartitioning()
    }

    fn repartitioned(
        &self,
        target_partitions: usize,
        repartition_file_min_size: usize,
        output_ordering: Option<LexOrdering>,
        config: &FileScanConfig,
    ) -> Result<Option<FileScanConfig>> {
        self.inner.repartitioned(
            target_partitions,
            repartition_file_min_size,
            output_ordering,
            config,
        )
    }

    fn try_pushdown_filters(
        &self,
        filters: Vec<Arc<dyn PhysicalExpr>>,
        config: &ConfigOptions,
    ) -> Result<FilterPushdownPropagation<Arc<dyn FileSource>>> {
        let mut result = self.inner.try_pushdown_filters(filters, config)?;
        result.updated_node = result.updated_node.map(|n| self.wrap(n));
        Ok(result)
    }

    fn try_pushdown_sort(
        &self,
        order: &[PhysicalSortExpr],
        eq_properties: &EquivalenceProperties,
    ) -> Result<SortOrderPushdownResult<Arc<dyn FileSource>>> {
        Ok(self
            .inner
            .try_pushdown_sort(order, eq_properties)?
            .map(|n| self.wrap(n)))
    }

    fn reorder_files(&self, files: Vec<PartitionedFile>) -> Vec<PartitionedFile> {
        self.inner.reorder_files(files)
    }

    fn try_pushdown_projection(
        &self,
        projection: &ProjectionExprs,
    ) -> Result<Option<Arc<dyn FileSource>>> {
        Ok(self
            .inner
            .try_pushdown_projection(projection)?
            .map(|n| self.wrap(n)))
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        self.inner.apply_expressions(f)
    }
}

#[derive(Debug)]
struct NamedMorselizer {
    inner: Box<dyn Morselizer>,
    lake: LakeStore,
}

impl Morselizer for NamedMorselizer {
    fn plan_file(&self, file: PartitionedFile) -> Result<Box<dyn MorselPlanner>> {
        let path: Arc<str> = self.lake.display(&file.object_meta.location).into();
        let inner = self.inner.plan_file(file).map_err(|e| in_file(&path, e))?;
        Ok(Box::new(NamedPlanner { inner, path }))
    }
}

#[derive(Debug)]
struct NamedPlanner {
    inner: Box<dyn MorselPlanner>,
    path: Arc<str>,
}

impl MorselPlanner for NamedPlanner {
    fn plan(self: Box<Self>) -> Result<Option<MorselPlan>> {
        let path = self.path;
        let Some(mut plan) = self.inner.plan().map_err(|e| in_file(&path, e))? else {
            return Ok(None);
        };
        let morsels: Vec<Box<dyn Morsel>> = plan
            .take_morsels()
            .into_iter()
            .map(|inner| {
                Box::new(NamedMorsel {
                    inner,
                    path: Arc::clone(&path),
                }) as Box<dyn Morsel>
            })
            .collect();
        let planners: Vec<Box<dyn MorselPlanner>> = plan
            .take_ready_planners()
            .into_iter()
            .map(|inner| {
                Box::new(NamedPlanner {
                    inner,
                    path: Arc::clone(&path),
                }) as Box<dyn MorselPlanner>
            })
            .collect();
        let mut out = MorselPlan::new()
            .with_morsels(morsels)
            .with_planners(planners);
        if let Some(pending) = plan.take_pending_planner() {
            let path = Arc::clone(&path);
            out.set_pending_planner(pending.into_future().map(move |r| match r {
                Ok(inner) => Ok(Box::new(NamedPlanner { inner, path }) as Box<dyn MorselPlanner>),
                Err(e) => Err(in_file(&path, e)),
            }));
        }
        Ok(Some(out))
    }
}

#[derive(Debug)]
struct NamedMorsel {
    inner: Box<dyn Morsel>,
    path: Arc<str>,
}

impl Morsel for NamedMorsel {
    fn into_stream(self: Box<Self>) -> BoxStream<'static, Result<arrow::array::RecordBatch>> {
        let path = self.path;
        self.inner
            .into_stream()
            .map(move |r| r.map_err(|e| in_file(&path, e)))
            .boxed()
    }
}
