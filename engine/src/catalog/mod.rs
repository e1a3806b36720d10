//! The lake catalog: namespaces and tables discovered from folders, with bounded caches.
//!
//! * [`Lake`] owns the store, the discovered table list and one cached [`TableSnapshot`] per
//!   table. Both expire after `listing_ttl_secs`, so files and partitions written by another
//!   process appear without a restart; `REFRESH` forgets them at once.
//! * [`LakeCatalog`] is one session's view of it as a DataFusion catalog: lake namespaces,
//!   plus in-memory tables and views the session creates itself.

pub mod discover;
pub mod hive;
pub mod listing;
pub mod merge;
pub mod sidecar;
pub mod snapshot;
pub mod system;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use datafusion::catalog::{CatalogProvider, MemorySchemaProvider, SchemaProvider, TableProvider};
use datafusion::config::TableParquetOptions;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::execution::runtime_env::RuntimeEnv;
use datafusion::logical_expr::TableType;
use parking_lot::{Mutex, RwLock};

use self::discover::{Namespaces, TableEntry};
use self::snapshot::{BuildContext, TableSnapshot};
use crate::config::EngineConfig;
use crate::error::{Error, Result};
use crate::session::SYSTEM_SCHEMA;
use crate::store::LakeStore;
use crate::table::{BrokenTable, LakeTable};

/// An opened lake: its store, its tables, and the caches shared by all its sessions.
#[derive(Debug)]
pub struct Lake {
    pub(crate) config: EngineConfig,
    pub(crate) store: LakeStore,
    pub(crate) runtime: Arc<RuntimeEnv>,
    pub(crate) parquet: TableParquetOptions,
    pub(crate) meta_fetch_concurrency: usize,
    namespaces: RwLock<(Arc<Namespaces>, Instant)>,
    discovery: tokio::sync::Mutex<()>,
    slots: Mutex<HashMap<(String, String), Arc<Slot>>>,
    clock: AtomicU64,
}

/// The cached snapshot of one table.
#[derive(Debug, Default)]
struct Slot {
    snapshot: tokio::sync::Mutex<Option<Arc<TableSnapshot>>>,
    /// Logical time of last use, for least-recently-used eviction.
    used: AtomicU64,
    /// Files held, for the cache bound.
    files: AtomicU64,
}

impl Lake {
    pub(crate) async fn open_with(
        config: EngineConfig,
        store: LakeStore,
        runtime: Arc<RuntimeEnv>,
        parquet: TableParquetOptions,
        meta_fetch_concurrency: usize,
    ) -> Result<Self> {
        let namespaces = discover::discover(&store).await?;
        Ok(Self {
            config,
            store,
            runtime,
            parquet,
            meta_fetch_concurrency,
            namespaces: RwLock::new((Arc::new(namespaces), Instant::now())),
            discovery: tokio::sync::Mutex::new(()),
            slots: Mutex::new(HashMap::new()),
            clock: AtomicU64::new(0),
        })
    }

    /// The lake's settings.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The lake's store (with its read counters).
    pub fn store(&self) -> &LakeStore {
        &self.store
    }

    /// The namespaces and tables as last discovered.
    pub fn namespaces(&self) -> Arc<Namespaces> {
        Arc::clone(&self.namespaces.read().0)
    }

    /// Lists the lake's folders again if the last discovery is older than the listing TTL.
    ///
    /// # Errors
    /// When the root can no longer be listed.
    pub async fn ensure_fresh(&self) -> Result<()> {
        let ttl = self.config.listing_ttl();
        if self.namespaces.read().1.elapsed() < ttl && !ttl.is_zero() {
            return Ok(());
        }
        let _one_at_a_time = self.discovery.lock().await;
        if self.namespaces.read().1.elapsed() < ttl && !ttl.is_zero() {
            return Ok(());
        }
        let found = discover::discover(&self.store).await?;
        *self.namespaces.write() = (Arc::new(found), Instant::now());
        Ok(())
    }

    /// Forgets every listing: the next statement lists the lake and its tables again.
    pub fn refresh_all(&self) {
        self.namespaces.write().1 = Instant::now() - Duration::from_secs(3600 * 24 * 365);
        self.slots.lock().clear();
    }

    /// Forgets one table's listing. Returns whether the table was cached.
    pub fn refresh_table(&self, namespace: &str, name: &str) -> bool {
        self.namespaces.write().1 = Instant::now() - Duration::from_secs(3600 * 24 * 365);
        self.slots
            .lock()
            .remove(&(namespace.to_string(), name.to_string()))
            .is_some()
    }

    /// Looks a table up by namespace and name in the last discovery.
    pub fn entry(&self, namespace: &str, name: &str) -> Option<Arc<TableEntry>> {
        self.namespaces().get(namespace)?.get(name).cloned()
    }

    /// The namespaces holding a table of this name.
    pub fn namespaces_with(&self, name: &str) -> Vec<String> {
        self.namespaces()
            .iter()
            .filter(|(_, tables)| tables.contains_key(name))
            .map(|(ns, _)| ns.clone())
            .collect()
    }

    /// The current snapshot of a table, listing it again when the cached one is older than
    /// the listing TTL (footers are only read for new or changed files).
    ///
    /// # Errors
    /// Any listing, partition, footer or schema error, naming the table and file.
    pub async fn snapshot(&self, entry: &Arc<TableEntry>) -> Result<Arc<TableSnapshot>> {
        let key = (entry.namespace.clone(), entry.name.clone());
        let slot = Arc::clone(self.slots.lock().entry(key).or_default());
        slot.used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        let mut guard = slot.snapshot.lock().await;
        let ttl = self.config.listing_ttl();
        if let Some(s) = guard.as_ref()
            && s.entry.location == entry.location
            && (s.loaded_at.elapsed() < ttl && !ttl.is_zero())
        {
            return Ok(Arc::clone(s));
        }
        let previous = guard.take();
        let listing = listing::list_table(&self.store, entry).await?;
        let sidecar = listing::read_sidecar(&self.store, entry)
            .await?
            .map(|(_, s)| s);
        let cx = BuildContext {
            lake: &self.store,
            metadata_cache: self.runtime.cache_manager.get_file_metadata_cache(),
            parquet: &self.parquet,
            concurrency: self.meta_fetch_concurrency,
        };
        let snap = Arc::new(
            TableSnapshot::build(
                &cx,
                Arc::clone(entry),
                listing,
                sidecar,
                previous.as_deref(),
            )
            .await?,
        );
        slot.files.store(snap.files.len() as u64, Ordering::Relaxed);
        *guard = Some(Arc::clone(&snap));
        drop(guard);
        self.enforce_cache_bound();
        Ok(snap)
    }

    /// Drops the least recently used snapshots while more files than allowed are cached.
    fn enforce_cache_bound(&self) {
        let max = self.config.listing_cache_max_files as u64;
        let mut slots = self.slots.lock();
        let mut total: u64 = slots
            .values()
            .map(|s| s.files.load(Ordering::Relaxed))
            .sum();
        while total > max && slots.len() > 1 {
            let Some(oldest) = slots
                .iter()
                .min_by_key(|(_, s)| s.used.load(Ordering::Relaxed))
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(s) = slots.remove(&oldest) {
                total -= s.files.load(Ordering::Relaxed);
            }
        }
    }

    /// The SQL table for an entry: a [`LakeTable`], or a [`BrokenTable`] carrying the error.
    pub async fn table_provider(&self, entry: &Arc<TableEntry>) -> Arc<dyn TableProvider> {
        match self.snapshot(entry).await {
            Ok(snap) => Arc::new(LakeTable::new(snap, self.store.clone())),
            Err(error) => Arc::new(BrokenTable {
                error: Arc::new(error),
            }),
        }
    }
}

/// One session's catalog over a [`Lake`].
///
/// Unqualified table names resolve through the session's default namespace first, then by
/// name when exactly one namespace has that table (Presto's habit of a data source that
/// knows its tables); an ambiguous name is an error listing the candidates.
#[derive(Debug)]
pub struct LakeCatalog {
    lake: Arc<Lake>,
    /// The session's current default namespace (kept in step with
    /// `datafusion.catalog.default_schema` by the session before each statement).
    default_ns: Arc<RwLock<String>>,
    /// Namespaces the session created, and session tables in lake namespaces.
    overlays: Mutex<HashMap<String, Arc<MemorySchemaProvider>>>,
    /// `system.tables` and `system.columns` (a lake namespace named `system` hides them).
    system: Arc<system::SystemSchema>,
}

impl LakeCatalog {
    pub(crate) fn new(lake: Arc<Lake>, default_ns: Arc<RwLock<String>>) -> Self {
        let system = Arc::new(system::SystemSchema::new(Arc::clone(&lake)));
        Self {
            lake,
            default_ns,
            overlays: Mutex::new(HashMap::new()),
            system,
        }
    }

    fn overlay(&self, ns: &str) -> Arc<MemorySchemaProvider> {
        Arc::clone(self.overlays.lock().entry(ns.to_string()).or_default())
    }
}

impl CatalogProvider for LakeCatalog {
    fn schema_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.lake.namespaces().keys().cloned().collect();
        names.extend(self.overlays.lock().keys().cloned());
        let default = self.default_ns.read().clone();
        names.push(default);
        names.push(SYSTEM_SCHEMA.to_string());
        names.sort();
        names.dedup();
        names
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        if name == SYSTEM_SCHEMA && !self.lake.namespaces().contains_key(name) {
            return Some(Arc::clone(&self.system) as Arc<dyn SchemaProvider>);
        }
        let is_default = *self.default_ns.read() == name;
        let exists =
            self.lake.namespaces().contains_key(name) || self.overlays.lock().contains_key(name);
        (exists || is_default).then(|| {
            Arc::new(NamespaceSchema {
                lake: Arc::clone(&self.lake),
                namespace: name.to_string(),
                resolve_unique: is_default,
                overlay: self.overlay(name),
            }) as Arc<dyn SchemaProvider>
        })
    }

    fn register_schema(
        &self,
        name: &str,
        _schema: Arc<dyn SchemaProvider>,
    ) -> DfResult<Option<Arc<dyn SchemaProvider>>> {
        // CREATE SCHEMA: a session namespace for in-memory tables and views.
        let existed = self.overlays.lock().contains_key(name);
        let overlay = self.overlay(name);
        Ok(existed.then_some(overlay as Arc<dyn SchemaProvider>))
    }
}

/// A lake namespace as a DataFusion schema, with the session's own tables layered on top.
#[derive(Debug)]
pub struct NamespaceSchema {
    lake: Arc<Lake>,
    namespace: String,
    /// Whether unqualified lookups may fall back to a unique table of another namespace.
    resolve_unique: bool,
    overlay: Arc<MemorySchemaProvider>,
}

impl NamespaceSchema {
    /// Resolves `name` to a lake table entry, falling back to a unique match elsewhere when
    /// this is the session's default namespace.
    ///
    /// # Errors
    /// [`Error::AmbiguousTable`] listing the candidates.
    pub fn resolve(&self, name: &str) -> Result<Option<Arc<TableEntry>>> {
        if let Some(e) = self.lake.entry(&self.namespace, name) {
            return Ok(Some(e));
        }
        if !self.resolve_unique {
            return Ok(None);
        }
        let found = self.lake.namespaces_with(name);
        match found.as_slice() {
            [] => Ok(None),
            [one] => Ok(self.lake.entry(one, name)),
            many => Err(Error::AmbiguousTable {
                name: name.to_string(),
                candidates: many
                    .iter()
                    .map(|ns| format!("{ns}.{name}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }
}

#[async_trait]
impl SchemaProvider for NamespaceSchema {
    fn table_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .lake
            .namespaces()
            .get(&self.namespace)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        names.extend(self.overlay.table_names());
        names.sort();
        names.dedup();
        names
    }

    async fn table(&self, name: &str) -> DfResult<Option<Arc<dyn TableProvider>>> {
        if let Some(t) = self.overlay.table(name).await? {
            return Ok(Some(t));
        }
        match self.resolve(name).map_err(DataFusionError::from)? {
            Some(entry) => Ok(Some(self.lake.table_provider(&entry).await)),
            None => Ok(None),
        }
    }

    async fn table_type(&self, name: &str) -> DfResult<Option<TableType>> {
        if let Some(t) = self.overlay.table_type(name).await? {
            return Ok(Some(t));
        }
        // Answered from the discovery alone: listing tables must not read their files.
        Ok(self
            .lake
            .entry(&self.namespace, name)
            .map(|_| TableType::Base))
    }

    fn register_table(
        &self,
        name: String,
        table: Arc<dyn TableProvider>,
    ) -> DfResult<Option<Arc<dyn TableProvider>>> {
        if self.lake.entry(&self.namespace, &name).is_some() {
            return Err(DataFusionError::Plan(format!(
                "table {}.{name} is a lake table; choose another name for a session table",
                self.namespace
            )));
        }
        self.overlay.register_table(name, table)
    }

    fn deregister_table(&self, name: &str) -> DfResult<Option<Arc<dyn TableProvider>>> {
        if self.lake.entry(&self.namespace, name).is_some() && !self.overlay.table_exist(name) {
            return Err(DataFusionError::Plan(format!(
                "table {}.{name} is a lake table and cannot be dropped from SQL",
                self.namespace
            )));
        }
        self.overlay.deregister_table(name)
    }

    fn table_exist(&self, name: &str) -> bool {
        self.overlay.table_exist(name) || matches!(self.resolve(name), Ok(Some(_)) | Err(_))
    }
}
