//! Opening a lake and running SQL on it.

use std::num::NonZeroUsize;
use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::TableReference;
use datafusion::dataframe::DataFrame;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::{FairSpillPool, TrackConsumersPool};
use datafusion::execution::runtime_env::RuntimeEnv;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::planner::object_name_to_table_reference;
use datafusion::sql::sqlparser::ast::{self, Statement as SqlStatement};
use parking_lot::RwLock;

use crate::catalog::discover::TableEntry;
use crate::catalog::snapshot::COMMENT_KEY;
use crate::catalog::{Lake, LakeCatalog};
use crate::config::EngineConfig;
use crate::error::{Error, Result};
use crate::store::LakeStore;
use crate::table::{BrokenTable, LakeTable};

/// The schema name of tarn's own catalog tables (`system.tables`, `system.columns`).
pub const SYSTEM_SCHEMA: &str = "system";

impl Lake {
    /// Opens the lake described by `config`: checks the settings, opens the store and lists
    /// the lake's namespaces and tables.
    ///
    /// # Errors
    /// Invalid settings, an unusable root, or a root that cannot be listed.
    pub async fn open(config: EngineConfig) -> Result<Arc<Lake>> {
        config.validate()?;
        let store = LakeStore::open(&config.root, &config.storage_options)?;
        let mut disk =
            DiskManagerBuilder::default().with_max_temp_directory_size(config.max_spill_bytes);
        if let Some(dir) = &config.spill_dir {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                context: format!("cannot create spill directory {}", dir.display()),
                source,
            })?;
            disk = disk.with_mode(DiskManagerMode::Directories(vec![dir.clone()]));
        }
        let mut runtime = RuntimeEnvBuilder::new()
            .with_disk_manager_builder(disk)
            .with_metadata_cache_limit(config.metadata_cache_bytes);
        if let Some(limit) = config.memory_limit {
            let top = NonZeroUsize::new(5).unwrap_or(NonZeroUsize::MIN);
            runtime = runtime.with_memory_pool(Arc::new(TrackConsumersPool::new(
                FairSpillPool::new(limit),
                top,
            )));
        }
        let runtime = runtime.build_arc()?;
        runtime.register_object_store(store.url.as_ref(), Arc::clone(&store.store) as _);
        let base = session_config(&config)?;
        let parquet = base.options().execution.parquet.clone();
        let parquet = datafusion::config::TableParquetOptions {
            global: parquet,
            ..Default::default()
        };
        let concurrency = base.options().execution.meta_fetch_concurrency.get();
        Ok(Arc::new(
            Lake::open_with(config, store, runtime, parquet, concurrency).await?,
        ))
    }

    /// A new SQL session on the lake, with tarn's functions registered.
    ///
    /// # Errors
    /// An invalid `datafusion` setting in the engine configuration.
    pub fn session(self: &Arc<Self>) -> Result<Session> {
        Session::new(Arc::clone(self), SessionOptions::default())
    }

    /// A new SQL session with explicit [`SessionOptions`].
    ///
    /// # Errors
    /// As [`Lake::session`].
    pub fn session_with(self: &Arc<Self>, options: SessionOptions) -> Result<Session> {
        Session::new(Arc::clone(self), options)
    }
}

fn session_config(config: &EngineConfig) -> Result<SessionConfig> {
    let mut c = SessionConfig::new()
        .with_information_schema(true)
        .with_create_default_catalog_and_schema(false)
        .with_default_catalog_and_schema(&config.catalog, &config.default_schema);
    if let Some(n) = config.target_partitions {
        c = c.with_target_partitions(n);
    }
    for (k, v) in &config.datafusion {
        c.options_mut().set(k, v).map_err(|e| Error::Config {
            key: k.clone(),
            reason: e.strip_backtrace(),
        })?;
    }
    Ok(c)
}

/// A SQL session on a lake. Sessions share the lake's caches and memory pool; settings
/// (`SET …`, `USE …`) and session tables are per session.
pub struct Session {
    ctx: SessionContext,
    lake: Arc<Lake>,
    default_ns: Arc<RwLock<String>>,
    options: SessionOptions,
}

/// How a session may be used; the CLI allows everything, the server restricts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOptions {
    /// Allow statements that name paths outside the lake (`CREATE EXTERNAL TABLE … LOCATION`,
    /// `COPY … TO`).
    pub allow_external_paths: bool,
    /// A memory limit for each query of this session (it spills beyond it), instead of the
    /// lake's shared pool.
    pub query_memory_limit: Option<usize>,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            allow_external_paths: true,
            query_memory_limit: None,
        }
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("session_id", &self.ctx.session_id())
            .field("lake", &self.lake.config().root)
            .finish()
    }
}

impl Session {
    fn new(lake: Arc<Lake>, options: SessionOptions) -> Result<Self> {
        let config = session_config(lake.config())?;
        let mut builder = SessionStateBuilder::new()
            .with_config(config)
            .with_runtime_env(Arc::clone(&lake.runtime))
            .with_default_features();
        if let Some(types) = tarn_udfs::type_planner() {
            builder = builder.with_type_planner(types);
        }
        let mut state = builder.build();
        tarn_udfs::register_all(&mut state)?;
        let ctx = SessionContext::new_with_state(state);
        let default_ns = Arc::new(RwLock::new(lake.config().default_schema.clone()));
        let catalog = LakeCatalog::new(Arc::clone(&lake), Arc::clone(&default_ns));
        ctx.register_catalog(&lake.config().catalog, Arc::new(catalog));
        Ok(Self {
            ctx,
            lake,
            default_ns,
            options,
        })
    }

    /// The DataFusion context, for APIs tarn does not wrap.
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// The lake this session runs on.
    pub fn lake(&self) -> &Arc<Lake> {
        &self.lake
    }

    /// The namespace unqualified names resolve in first.
    pub fn default_schema(&self) -> String {
        self.ctx
            .state()
            .config_options()
            .catalog
            .default_schema
            .clone()
    }

    /// Plans one SQL statement. Besides DataFusion's SQL this understands
    /// `REFRESH [LAKE | [TABLE] name]`, `USE namespace` and a `DESCRIBE` that shows partition
    /// keys and column docs.
    ///
    /// # Errors
    /// Syntax, planning and catalog errors, naming what was wrong.
    pub async fn sql(&self, sql: &str) -> Result<DataFrame> {
        let plan = self.plan(sql).await?;
        self.execute_plan(plan).await
    }

    /// Plans one SQL statement without running it: DDL and `SET` only take effect in
    /// [`Session::execute_plan`] (tarn's own `USE` and `REFRESH` act while planning). `?`
    /// placeholders are numbered `$1..$n` in order of appearance.
    ///
    /// # Errors
    /// Syntax, planning, catalog and policy errors, naming what was wrong.
    pub async fn plan(&self, sql: &str) -> Result<LogicalPlan> {
        self.lake.ensure_fresh().await?;
        self.sync_default_schema();
        if let Some(plan) = self.try_refresh(sql)? {
            return Ok(plan);
        }
        let state = self.ctx.state();
        let dialect = state.config_options().sql_parser.dialect;
        let mut statement = state.sql_to_statement(sql, &dialect)?;
        crate::dialect::normalize(&mut statement);
        self.check_policy(&statement)?;
        if let DfStatement::Statement(s) = &statement {
            match s.as_ref() {
                SqlStatement::Use(u) => return self.use_namespace(u),
                SqlStatement::ExplainTable { table_name, .. } => {
                    return self.describe(table_name.clone()).await;
                }
                _ => {}
            }
        }
        // Tables that failed to load fail the statement that names them, with their error.
        for reference in state.resolve_table_references(&statement)? {
            if let Ok(provider) = self.ctx.table_provider(reference).await
                && let Some(broken) = provider.downcast_ref::<BrokenTable>()
            {
                return Err(clone_error(broken.error()));
            }
        }
        let plan = state.statement_to_plan(statement).await?;
        self.check_writes(&plan).await?;
        Ok(plan)
    }

    /// Runs a plan from [`Session::plan`]: DDL and `SET` take effect here, queries return a
    /// lazy DataFrame.
    ///
    /// # Errors
    /// Errors of DDL statements.
    pub async fn execute_plan(&self, plan: LogicalPlan) -> Result<DataFrame> {
        Ok(self.ctx.execute_logical_plan(plan).await?)
    }

    /// Statements that name arbitrary paths are refused unless the policy allows them.
    fn check_policy(&self, statement: &DfStatement) -> Result<()> {
        if self.options.allow_external_paths {
            return Ok(());
        }
        let what = match statement {
            DfStatement::CreateExternalTable(_) => "CREATE EXTERNAL TABLE",
            DfStatement::CopyTo(_) => "COPY ... TO",
            DfStatement::Explain(e) => return self.check_policy(&e.statement),
            _ => return Ok(()),
        };
        Err(Error::Refused {
            statement: what.to_string(),
            reason:
                "statements that read or write paths outside the lake are disabled on this server"
                    .to_string(),
        })
    }

    /// The lake is read-only: INSERT, UPDATE and DELETE on lake tables are refused clearly
    /// (session tables accept them).
    async fn check_writes(&self, plan: &LogicalPlan) -> Result<()> {
        let LogicalPlan::Dml(dml) = plan else {
            return Ok(());
        };
        let provider = self.ctx.table_provider(dml.table_name.clone()).await?;
        if provider.downcast_ref::<LakeTable>().is_some() {
            return Err(Error::Refused {
                statement: dml.op.to_string(),
                reason: format!("lake table {} is read-only", dml.table_name),
            });
        }
        Ok(())
    }

    /// Runs one statement and streams its result.
    ///
    /// # Errors
    /// As [`Session::sql`], plus execution errors.
    pub async fn execute(&self, sql: &str) -> Result<SendableRecordBatchStream> {
        let df = self.sql(sql).await?;
        self.stream(df).await
    }

    /// Starts a DataFrame's query and streams its batches; dropping the stream stops it.
    /// With [`SessionOptions::query_memory_limit`] the query gets a memory pool of its own.
    ///
    /// # Errors
    /// Physical planning errors.
    pub async fn stream(&self, df: DataFrame) -> Result<SendableRecordBatchStream> {
        let task = self.ctx.task_ctx();
        let task = match self.options.query_memory_limit {
            None => task,
            Some(limit) => {
                let runtime = &self.lake.runtime;
                // Same caches, stores and spill disk; a pool of its own.
                let own = Arc::new(RuntimeEnv {
                    memory_pool: Arc::new(TrackConsumersPool::new(
                        FairSpillPool::new(limit),
                        NonZeroUsize::new(5).unwrap_or(NonZeroUsize::MIN),
                    )),
                    disk_manager: Arc::clone(&runtime.disk_manager),
                    cache_manager: Arc::clone(&runtime.cache_manager),
                    object_store_registry: Arc::clone(&runtime.object_store_registry),
                });
                let state = SessionStateBuilder::new_from_existing(self.ctx.state())
                    .with_runtime_env(own)
                    .build();
                Arc::new(datafusion::execution::TaskContext::from(&state))
            }
        };
        let plan = df.create_physical_plan().await?;
        Ok(datafusion::physical_plan::execute_stream(plan, task)?)
    }

    /// Runs one statement and collects its result.
    ///
    /// # Errors
    /// As [`Session::execute`].
    pub async fn collect(&self, sql: &str) -> Result<Vec<RecordBatch>> {
        Ok(self.sql(sql).await?.collect().await?)
    }

    fn sync_default_schema(&self) {
        let current = self.default_schema();
        if *self.default_ns.read() != current {
            *self.default_ns.write() = current;
        }
    }

    fn use_namespace(&self, u: &ast::Use) -> Result<LogicalPlan> {
        let name = match u {
            ast::Use::Object(n) | ast::Use::Schema(n) | ast::Use::Database(n) => n,
            other => {
                return Err(Error::Query(Box::new(
                    datafusion::error::DataFusionError::Plan(format!(
                        "unsupported statement {other}; use USE <namespace>"
                    )),
                )));
            }
        };
        let parts: Vec<String> = name
            .0
            .iter()
            .map(|p| p.to_string().trim_matches('"').to_string())
            .collect();
        let ns = match parts.as_slice() {
            [ns] => ns.clone(),
            [cat, ns] if *cat == self.lake.config().catalog => ns.clone(),
            _ => {
                return Err(Error::Query(Box::new(
                    datafusion::error::DataFusionError::Plan(format!(
                        "USE {name}: expected a namespace of catalog {}",
                        self.lake.config().catalog
                    )),
                )));
            }
        };
        let catalog = self.ctx.catalog(&self.lake.config().catalog);
        let known = catalog.is_some_and(|c| c.schema_names().contains(&ns));
        if !known {
            return Err(Error::Query(Box::new(
                datafusion::error::DataFusionError::Plan(format!(
                    "USE {ns}: no such namespace; SHOW SCHEMAS lists them"
                )),
            )));
        }
        self.ctx
            .state_ref()
            .write()
            .config_mut()
            .options_mut()
            .catalog
            .default_schema = ns.clone();
        self.sync_default_schema();
        self.empty()
    }

    fn empty(&self) -> Result<LogicalPlan> {
        Ok(LogicalPlanBuilder::empty(false).build()?)
    }

    /// `REFRESH LAKE`, `REFRESH [TABLE] name`: forget cached listings now.
    fn try_refresh(&self, sql: &str) -> Result<Option<LogicalPlan>> {
        let text = sql.trim().trim_end_matches(';').trim();
        let mut words = text.split_whitespace();
        if !words
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("refresh"))
        {
            return Ok(None);
        }
        let rest: Vec<&str> = words.collect();
        let target = match rest.as_slice() {
            [] => None,
            [w] if w.eq_ignore_ascii_case("lake") => None,
            [t, name] if t.eq_ignore_ascii_case("table") => Some(*name),
            [name] => Some(*name),
            _ => {
                return Err(Error::Query(Box::new(
                    datafusion::error::DataFusionError::Plan(
                        "expected REFRESH LAKE or REFRESH [TABLE] <name>".to_string(),
                    ),
                )));
            }
        };
        let refreshed = match target {
            None => {
                self.lake.refresh_all();
                "lake".to_string()
            }
            Some(name) => {
                let entry = self.resolve_entry(name)?;
                self.lake.refresh_table(&entry.namespace, &entry.name);
                entry.qualified()
            }
        };
        let schema = Arc::new(Schema::new(vec![Field::new(
            "refreshed",
            DataType::Utf8,
            false,
        )]));
        let batch =
            RecordBatch::try_new(schema, vec![Arc::new(StringArray::from(vec![refreshed]))])?;
        Ok(Some(self.ctx.read_batch(batch)?.into_unoptimized_plan()))
    }

    /// Resolves a possibly qualified lake table name as SQL would.
    ///
    /// # Errors
    /// Unknown or ambiguous names.
    pub fn resolve_entry(&self, name: &str) -> Result<Arc<TableEntry>> {
        let reference = TableReference::parse_str(name);
        let ns = reference
            .schema()
            .map(str::to_string)
            .unwrap_or_else(|| self.default_schema());
        let table = reference.table();
        if let Some(e) = self.lake.entry(&ns, table) {
            return Ok(e);
        }
        if reference.schema().is_none() {
            match self.lake.namespaces_with(table).as_slice() {
                [one] => {
                    return self
                        .lake
                        .entry(one, table)
                        .ok_or_else(|| unknown_table(name));
                }
                [] => {}
                many => {
                    return Err(Error::AmbiguousTable {
                        name: table.to_string(),
                        candidates: many
                            .iter()
                            .map(|n| format!("{n}.{table}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                }
            }
        }
        Err(unknown_table(name))
    }

    /// DESCRIBE: column, type, nullability, partition-key marker and documentation.
    async fn describe(&self, name: ast::ObjectName) -> Result<LogicalPlan> {
        let normalize = self
            .ctx
            .state()
            .config_options()
            .sql_parser
            .enable_ident_normalization;
        let reference = object_name_to_table_reference(name, normalize)?;
        let provider = self.ctx.table_provider(reference).await?;
        if let Some(broken) = provider.downcast_ref::<BrokenTable>() {
            return Err(clone_error(broken.error()));
        }
        let schema: SchemaRef = provider.schema();
        let snapshot = provider
            .downcast_ref::<LakeTable>()
            .map(LakeTable::snapshot);
        let fields = schema.fields();
        let col = |f: &dyn Fn(&Field) -> Option<String>| -> ArrayRef {
            Arc::new(fields.iter().map(|x| f(x)).collect::<StringArray>())
        };
        let is_partition: BooleanArray = fields
            .iter()
            .map(|x| Some(snapshot.is_some_and(|s| s.is_partition_column(x.name()))))
            .collect();
        let out_schema = Arc::new(Schema::new(vec![
            Field::new("column_name", DataType::Utf8, false),
            Field::new("data_type", DataType::Utf8, false),
            Field::new("is_nullable", DataType::Utf8, false),
            Field::new("partition_key", DataType::Boolean, false),
            Field::new("comment", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            out_schema,
            vec![
                col(&|x| Some(x.name().clone())),
                col(&|x| Some(x.data_type().to_string())),
                col(&|x| Some(if x.is_nullable() { "YES" } else { "NO" }.to_string())),
                Arc::new(is_partition),
                col(&|x| x.metadata().get(COMMENT_KEY).cloned()),
            ],
        )?;
        Ok(self.ctx.read_batch(batch)?.into_unoptimized_plan())
    }
}

fn unknown_table(name: &str) -> Error {
    Error::Query(Box::new(datafusion::error::DataFusionError::Plan(format!(
        "table '{name}' not found; SHOW TABLES lists them"
    ))))
}

/// A cached load error, raised again for this statement.
fn clone_error(err: &Arc<Error>) -> Error {
    Error::Cached(Arc::clone(err))
}
