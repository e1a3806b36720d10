//! Listing one table's data files and reading their partition values from the folders.

use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt};

use super::discover::TableEntry;
use super::hive::{SegmentProblem, is_hidden, parse_segment};
use super::sidecar::{SIDECAR_FILE, Sidecar};
use crate::error::{Error, Result};
use crate::store::LakeStore;

/// A data file and the raw partition values of the folders above it.
#[derive(Debug, Clone)]
pub struct ListedFile {
    pub meta: ObjectMeta,
    /// One per partition key, `None` for Hive's NULL.
    pub values: Vec<Option<String>>,
}

/// A table's data files, sorted by path, with its partition keys in folder order.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub keys: Vec<String>,
    pub files: Vec<ListedFile>,
}

/// Lists every data file under the table, skipping hidden names anywhere in the path.
///
/// # Errors
/// [`Error::Listing`] if the store fails; [`Error::InvalidPartition`] for a folder that is not
/// a valid `key=value` segment; [`Error::InconsistentPartitions`] when files sit under
/// different key sequences.
pub async fn list_table(lake: &LakeStore, entry: &TableEntry) -> Result<Listing> {
    let table = entry.qualified();
    let mut metas: Vec<ObjectMeta> = lake
        .store
        .list(Some(&entry.location))
        .try_collect()
        .await
        .map_err(|source| Error::Listing {
            table: table.clone(),
            path: lake.display(&entry.location),
            source: Box::new(source),
        })?;
    // Listing order varies by store; sorted, every message names the same files.
    metas.sort_by(|a, b| a.location.cmp(&b.location));
    let mut listing = Listing::default();
    let mut first: Option<(Path, Vec<String>)> = None;
    for meta in metas {
        let Some(parts) = meta.location.prefix_match(&entry.location) else {
            continue;
        };
        let parts: Vec<String> = parts.map(|p| p.as_ref().to_string()).collect();
        let Some((file, dirs)) = parts.split_last() else {
            continue;
        };
        if parts.iter().any(|p| is_hidden(p)) || !file.ends_with(".parquet") {
            continue;
        }
        let mut keys = Vec::with_capacity(dirs.len());
        let mut values = Vec::with_capacity(dirs.len());
        let mut dir_path = entry.location.clone();
        for dir in dirs {
            dir_path = dir_path.join(dir.as_str());
            let invalid = |problem| Error::InvalidPartition {
                table: table.clone(),
                path: lake.display(&dir_path),
                problem,
            };
            if !dir.contains('=') {
                return Err(invalid(SegmentProblem::NotKeyValue));
            }
            let seg = parse_segment(dir).map_err(invalid)?;
            keys.push(seg.key);
            values.push(seg.value);
        }
        match &first {
            None => first = Some((meta.location.clone(), keys.clone())),
            Some((first_path, first_keys)) if *first_keys != keys => {
                return Err(Error::InconsistentPartitions {
                    table,
                    first: format!(
                        "{} has keys [{}]",
                        lake.display(first_path),
                        first_keys.join(", ")
                    ),
                    second: format!(
                        "{} has keys [{}]",
                        lake.display(&meta.location),
                        keys.join(", ")
                    ),
                });
            }
            Some(_) => {}
        }
        listing.files.push(ListedFile { meta, values });
    }
    if let Some((_, keys)) = first {
        listing.keys = keys;
    }
    Ok(listing)
}

/// Reads the table's sidecar: at the version folder first, then at the table folder.
///
/// # Errors
/// [`Error::SidecarRead`] / [`Error::SidecarInvalid`] naming the file.
pub async fn read_sidecar(
    lake: &LakeStore,
    entry: &TableEntry,
) -> Result<Option<(String, Sidecar)>> {
    let mut candidates = vec![entry.location.clone().join(SIDECAR_FILE)];
    if entry.table_root != entry.location {
        candidates.push(entry.table_root.clone().join(SIDECAR_FILE));
    }
    for path in candidates {
        let shown = lake.display(&path);
        match lake.store.get(&path).await {
            Ok(got) => {
                let bytes = got.bytes().await.map_err(|source| Error::SidecarRead {
                    path: shown.clone(),
                    source: Box::new(source),
                })?;
                let text = std::str::from_utf8(&bytes).map_err(|_| Error::SidecarInvalid {
                    path: shown.clone(),
                    reason: "not UTF-8".into(),
                })?;
                return Ok(Some((shown.clone(), Sidecar::parse(&shown, text)?)));
            }
            Err(object_store::Error::NotFound { .. }) => continue,
            Err(source) => {
                return Err(Error::SidecarRead {
                    path: shown,
                    source: Box::new(source),
                });
            }
        }
    }
    Ok(None)
}
