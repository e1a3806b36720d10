//! Opening the object store behind a lake root, and counting what queries read from it.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use datafusion::execution::object_store::ObjectStoreUrl;
use futures::stream::BoxStream;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult,
};
use parking_lot::Mutex;
use url::Url;

use crate::error::{Error, Result};

/// A lake root resolved to a store, the URL DataFusion knows the store by, and a prefix in it.
#[derive(Debug, Clone)]
pub struct LakeStore {
    /// What the user gave, for messages.
    pub root: String,
    /// The store, wrapped so reads are counted.
    pub store: Arc<CountingStore>,
    /// `s3://bucket`, `file://`, …: the key of the store in DataFusion's registry.
    pub url: ObjectStoreUrl,
    /// The lake's prefix inside the store (empty for a bucket root).
    pub prefix: Path,
}

impl LakeStore {
    /// Opens the store for `root`: a local path, or a `file://`, `s3://`, `gs://`, `az://`,
    /// `abfs://` or `memory://` URL. Cloud credentials, region and endpoint come from the usual
    /// environment variables (`AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT`, …), overridden by `options`
    /// (object_store's keys, such as `aws_endpoint` or `aws_allow_http`).
    ///
    /// # Errors
    /// [`Error::InvalidRoot`] for an unusable root, [`Error::StoreConfig`] for bad options.
    pub fn open(root: &str, options: &BTreeMap<String, String>) -> Result<Self> {
        let invalid = |reason: String| Error::InvalidRoot {
            root: root.to_string(),
            reason,
        };
        let url = root_url(root).map_err(invalid)?;
        let config_err = |source| Error::StoreConfig {
            root: root.to_string(),
            source: Box::new(source),
        };
        let (inner, store_url): (Arc<dyn ObjectStore>, String) = match url.scheme() {
            "file" => (
                Arc::new(object_store::local::LocalFileSystem::new()),
                "file://".to_string(),
            ),
            "memory" => (
                Arc::new(object_store::memory::InMemory::new()),
                "memory://".to_string(),
            ),
            "s3" | "s3a" => {
                let mut b = object_store::aws::AmazonS3Builder::from_env().with_url(url.as_str());
                for (k, v) in options {
                    let key = k.parse().map_err(config_err)?;
                    b = b.with_config(key, v);
                }
                (Arc::new(b.build().map_err(config_err)?), bucket_url(&url))
            }
            "gs" => {
                let mut b =
                    object_store::gcp::GoogleCloudStorageBuilder::from_env().with_url(url.as_str());
                for (k, v) in options {
                    let key = k.parse().map_err(config_err)?;
                    b = b.with_config(key, v);
                }
                (Arc::new(b.build().map_err(config_err)?), bucket_url(&url))
            }
            "az" | "abfs" | "abfss" | "adl" | "azure" => {
                let mut b =
                    object_store::azure::MicrosoftAzureBuilder::from_env().with_url(url.as_str());
                for (k, v) in options {
                    let key = k.parse().map_err(config_err)?;
                    b = b.with_config(key, v);
                }
                (Arc::new(b.build().map_err(config_err)?), bucket_url(&url))
            }
            other => return Err(invalid(format!("unsupported scheme {other}://"))),
        };
        let prefix = match url.scheme() {
            "file" => Path::from_url_path(url.path()),
            _ => Path::from_url_path(url.path()),
        }
        .map_err(|e| invalid(e.to_string()))?;
        let url = ObjectStoreUrl::parse(&store_url).map_err(|e| invalid(e.to_string()))?;
        Ok(Self {
            root: root.to_string(),
            store: Arc::new(CountingStore::new(inner)),
            url,
            prefix,
        })
    }

    /// The path of `parts` under the lake prefix.
    pub fn path(&self, parts: &[&str]) -> Path {
        let mut p = self.prefix.clone();
        for part in parts {
            p = p.join(*part);
        }
        p
    }

    /// A display form of a store path, as the user would write it (`/data/lake/t/x.parquet`,
    /// `s3://bucket/t/x.parquet`).
    pub fn display(&self, path: &Path) -> String {
        let base = self.url.as_str().trim_end_matches('/');
        if base == "file:" {
            format!("/{path}")
        } else {
            format!("{base}/{path}")
        }
    }
}

/// Turns a root argument into a URL; a bare path becomes an absolute `file://` URL.
fn root_url(root: &str) -> std::result::Result<Url, String> {
    if root.is_empty() {
        return Err("the root is empty".into());
    }
    if let Some((scheme, _)) = root.split_once("://")
        && scheme.len() > 1
    {
        return Url::parse(root).map_err(|e| e.to_string());
    }
    let path = std::path::Path::new(root);
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("no current directory: {e}"))?
            .join(path)
    };
    let abs = std::fs::canonicalize(&abs).map_err(|e| format!("{}: {e}", abs.display()))?;
    if !abs.is_dir() {
        return Err(format!("{} is not a directory", abs.display()));
    }
    Url::from_directory_path(&abs)
        .map_err(|()| format!("{} is not an absolute path", abs.display()))
}

fn bucket_url(url: &Url) -> String {
    format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default())
}

/// Counters of what was read from a store since the last [`CountingStore::reset`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IoSnapshot {
    /// `list` and `list_with_delimiter` calls.
    pub list_calls: u64,
    /// `get`, `get_range(s)` and `head` calls.
    pub get_calls: u64,
    /// Bytes returned by reads.
    pub bytes_read: u64,
    /// The distinct files any bytes were read from, sorted.
    pub files_read: Vec<String>,
}

/// An [`ObjectStore`] wrapper that counts listings, reads, bytes and the files read.
///
/// Always on: the counters are atomics and one short lock per read, negligible next to the I/O.
/// Tests use it to prove that pruning skips files, and the benchmark to report bytes read.
#[derive(Debug)]
pub struct CountingStore {
    inner: Arc<dyn ObjectStore>,
    list_calls: AtomicU64,
    get_calls: AtomicU64,
    bytes_read: AtomicU64,
    files: Mutex<HashSet<Path>>,
}

impl CountingStore {
    fn new(inner: Arc<dyn ObjectStore>) -> Self {
        Self {
            inner,
            list_calls: AtomicU64::new(0),
            get_calls: AtomicU64::new(0),
            bytes_read: AtomicU64::new(0),
            files: Mutex::new(HashSet::new()),
        }
    }

    /// The counters so far.
    pub fn snapshot(&self) -> IoSnapshot {
        let mut files_read: Vec<String> = self.files.lock().iter().map(|p| p.to_string()).collect();
        files_read.sort();
        IoSnapshot {
            list_calls: self.list_calls.load(Ordering::Relaxed),
            get_calls: self.get_calls.load(Ordering::Relaxed),
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
            files_read,
        }
    }

    /// Sets every counter back to zero.
    pub fn reset(&self) {
        self.list_calls.store(0, Ordering::Relaxed);
        self.get_calls.store(0, Ordering::Relaxed);
        self.bytes_read.store(0, Ordering::Relaxed);
        self.files.lock().clear();
    }

    fn count_read(&self, location: &Path, bytes: u64) {
        self.get_calls.fetch_add(1, Ordering::Relaxed);
        self.bytes_read.fetch_add(bytes, Ordering::Relaxed);
        let mut files = self.files.lock();
        if !files.contains(location) {
            files.insert(location.clone());
        }
    }
}

impl fmt::Display for CountingStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Counting({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for CountingStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        let head = options.head;
        let result = self.inner.get_opts(location, options).await?;
        let len = if head {
            0
        } else {
            result.range.end - result.range.start
        };
        self.count_read(location, len);
        Ok(result)
    }

    async fn get_ranges(
        &self,
        location: &Path,
        ranges: &[Range<u64>],
    ) -> object_store::Result<Vec<Bytes>> {
        let out = self.inner.get_ranges(location, ranges).await?;
        self.count_read(location, out.iter().map(|b| b.len() as u64).sum());
        Ok(out)
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<Path>>,
    ) -> BoxStream<'static, object_store::Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.list_calls.fetch_add(1, Ordering::Relaxed);
        self.inner.list(prefix)
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.list_calls.fetch_add(1, Ordering::Relaxed);
        self.inner.list_with_offset(prefix, offset)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        self.list_calls.fetch_add(1, Ordering::Relaxed);
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(
        &self,
        from: &Path,
        to: &Path,
        options: CopyOptions,
    ) -> object_store::Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_resolve() {
        let dir = tempfile::tempdir().unwrap();
        let s = LakeStore::open(dir.path().to_str().unwrap(), &BTreeMap::new()).unwrap();
        assert_eq!(s.url.as_str(), "file:///");
        assert!(
            s.display(&s.path(&["t", "x.parquet"]))
                .ends_with("/t/x.parquet")
        );

        let m = LakeStore::open("memory:///lake", &BTreeMap::new()).unwrap();
        assert_eq!(m.prefix.as_ref(), "lake");

        let s3 = LakeStore::open(
            "s3://bucket/some/prefix",
            &BTreeMap::from([("aws_region".to_string(), "us-east-1".to_string())]),
        )
        .unwrap();
        assert_eq!(s3.url.as_str(), "s3://bucket/");
        assert_eq!(s3.prefix.as_ref(), "some/prefix");
    }

    #[test]
    fn bad_roots_are_named() {
        let err = LakeStore::open("/does/not/exist", &BTreeMap::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("/does/not/exist"), "{err}");
        let err = LakeStore::open("ftp://x/y", &BTreeMap::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("unsupported scheme ftp://"), "{err}");
        let err = LakeStore::open(
            "s3://bucket/p",
            &BTreeMap::from([("no_such_option".to_string(), "1".to_string())]),
        )
        .unwrap_err();
        assert!(matches!(err, Error::StoreConfig { .. }), "{err}");
    }
}
