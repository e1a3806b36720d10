//! Finding the namespaces and tables of a lake from its folders.
//!
//! `<root>/<namespace>/<table>/[v<N>/]<key>=<value>/…/<file>.parquet`. A folder directly under
//! the root that holds data (Parquet files or `key=value` folders) or version folders is a table
//! of namespace `default`; any other folder there is a namespace, and each folder in a namespace
//! is a table. Discovery only lists folders with a delimiter: no file is opened.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use object_store::ObjectStore;
use object_store::path::Path;

use super::hive::{is_data_file, is_hidden, is_partition_segment, version_of};
use crate::error::{Error, Result};
use crate::store::LakeStore;

/// The namespace of tables found directly under the root.
pub const DEFAULT_NAMESPACE: &str = "default";

/// One SQL table of the lake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableEntry {
    /// The SQL schema it belongs to.
    pub namespace: String,
    /// Its SQL name: `clients_daily_v6`, or `clients_daily` for the newest version.
    pub name: String,
    /// The folder its data files are under (the version folder of a versioned table).
    pub location: Path,
    /// The table's own folder (holds the version folders of a versioned table).
    pub table_root: Path,
    /// The version of a versioned table.
    pub version: Option<u32>,
}

impl TableEntry {
    /// `namespace.name`, for messages.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.namespace, self.name)
    }
}

/// Namespaces and their tables, by name.
pub type Namespaces = BTreeMap<String, BTreeMap<String, Arc<TableEntry>>>;

enum Kind {
    /// Holds Parquet files or partition folders.
    Data,
    /// Holds `v<N>` folders.
    Versioned(Vec<(u32, Path)>),
    /// Holds other folders.
    Container(Vec<(String, Path)>),
    /// Holds nothing visible.
    Empty,
}

async fn classify(store: &dyn ObjectStore, dir: &Path) -> object_store::Result<Kind> {
    let listing = store.list_with_delimiter(Some(dir)).await?;
    let has_data = listing
        .objects
        .iter()
        .any(|o| o.location.filename().is_some_and(is_data_file));
    let dirs: Vec<(String, Path)> = listing
        .common_prefixes
        .into_iter()
        .filter_map(|p| {
            let name = p.filename()?.to_string();
            (!is_hidden(&name)).then_some((name, p))
        })
        .collect();
    if has_data || dirs.iter().any(|(n, _)| is_partition_segment(n)) {
        return Ok(Kind::Data);
    }
    let versions: Vec<(u32, Path)> = dirs
        .iter()
        .filter_map(|(n, p)| Some((version_of(n)?, p.clone())))
        .collect();
    Ok(if !versions.is_empty() {
        Kind::Versioned(versions)
    } else if !dirs.is_empty() {
        Kind::Container(dirs)
    } else {
        Kind::Empty
    })
}

fn add_table(out: &mut Namespaces, namespace: &str, name: &str, root: &Path, kind: Kind) {
    let tables = out.entry(namespace.to_string()).or_default();
    match kind {
        Kind::Versioned(mut versions) => {
            versions.sort_by_key(|(v, _)| *v);
            for (v, location) in &versions {
                let entry = TableEntry {
                    namespace: namespace.to_string(),
                    name: format!("{name}_v{v}"),
                    location: location.clone(),
                    table_root: root.clone(),
                    version: Some(*v),
                };
                tables
                    .entry(entry.name.clone())
                    .or_insert_with(|| Arc::new(entry));
            }
            if let Some((v, location)) = versions.last() {
                let entry = TableEntry {
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                    location: location.clone(),
                    table_root: root.clone(),
                    version: Some(*v),
                };
                // A real folder of that name wins over the alias.
                tables
                    .entry(name.to_string())
                    .or_insert_with(|| Arc::new(entry));
            }
        }
        // Data, an empty folder, or folders that are not partitions: a table whose problems
        // (if any) surface, with names, when it is queried.
        Kind::Data | Kind::Empty | Kind::Container(_) => {
            let entry = TableEntry {
                namespace: namespace.to_string(),
                name: name.to_string(),
                location: root.clone(),
                table_root: root.clone(),
                version: None,
            };
            tables.insert(name.to_string(), Arc::new(entry));
        }
    }
}

/// Lists the lake's namespaces and tables.
///
/// # Errors
/// [`Error::LakeRoot`] when the root cannot be listed; [`Error::Listing`] when a namespace
/// folder cannot.
pub async fn discover(lake: &LakeStore) -> Result<Namespaces> {
    let store: &dyn ObjectStore = lake.store.as_ref();
    let root_err = |source| Error::LakeRoot {
        root: lake.root.clone(),
        source: Box::new(source),
    };
    let top = store
        .list_with_delimiter(Some(&lake.prefix))
        .await
        .map_err(root_err)?;
    let mut out = Namespaces::new();
    let mut namespaces = Vec::new();
    for dir in top.common_prefixes {
        let Some(name) = dir.filename().map(str::to_string) else {
            continue;
        };
        if is_hidden(&name) {
            continue;
        }
        match classify(store, &dir).await.map_err(root_err)? {
            kind @ (Kind::Data | Kind::Versioned(_)) => {
                add_table(&mut out, DEFAULT_NAMESPACE, &name, &dir, kind)
            }
            Kind::Container(children) => namespaces.push((name, children)),
            Kind::Empty => {
                out.entry(name).or_default();
            }
        }
    }
    // Classify every table folder of every namespace, a bounded number at a time.
    let jobs = namespaces.into_iter().flat_map(|(ns, children)| {
        children
            .into_iter()
            .map(move |(name, path)| (ns.clone(), name, path))
    });
    let classified: Vec<(String, String, Path, Kind)> = futures::stream::iter(jobs)
        .map(|(ns, name, path)| async move {
            let kind = classify(store, &path)
                .await
                .map_err(|source| Error::Listing {
                    table: format!("{ns}.{name}"),
                    path: lake.display(&path),
                    source: Box::new(source),
                })?;
            Ok::<_, Error>((ns, name, path, kind))
        })
        .buffer_unordered(16)
        .try_collect()
        .await?;
    for (ns, name, path, kind) in classified {
        out.entry(ns.clone()).or_default();
        add_table(&mut out, &ns, &name, &path, kind);
    }
    Ok(out)
}
