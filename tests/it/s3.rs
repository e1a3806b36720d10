//! A lake on an S3-compatible server: moto in server mode on loopback, started by the test.
//! `tests/run.sh` installs moto into `.venv`; `TARN_MOTO_SERVER` may point at another binary.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use object_store::ObjectStoreExt;
use tarn_engine::{EngineConfig, Lake};

use crate::scalar;

struct Moto {
    child: Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("TARN_MOTO_SERVER") {
        return PathBuf::from(p);
    }
    let venv = tarn_tests::repo_root().join(".venv/bin/moto_server");
    assert!(
        venv.exists(),
        "moto_server not found at {}: run tests/run.sh, which installs it",
        venv.display()
    );
    venv
}

fn start_moto() -> anyhow::Result<Moto> {
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new(moto_binary())
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let moto = Moto { child, port };
    // Wait until it answers, with a bound.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(status) = http(port, "GET", "/")
            && status < 500
        {
            return Ok(moto);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "moto did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A bare HTTP/1.1 request; returns the status code. Moto accepts unsigned requests.
fn http(port: u16, method: &str, path: &str) -> anyhow::Result<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut buf = String::new();
    s.read_to_string(&mut buf)?;
    let status = buf.split_whitespace().nth(1).unwrap_or("0").parse()?;
    Ok(status)
}

fn s3_config(port: u16, root: &str) -> EngineConfig {
    let mut c = EngineConfig::new(root);
    for (k, v) in [
        ("aws_endpoint", format!("http://127.0.0.1:{port}")),
        ("aws_allow_http", "true".into()),
        ("aws_region", "us-east-1".into()),
        ("aws_access_key_id", "testing".into()),
        ("aws_secret_access_key", "testing".into()),
    ] {
        c.storage_options.insert(k.into(), v);
    }
    c.listing_ttl_secs = 0.0;
    c
}

async fn upload(
    dir: &Path,
    store: &dyn object_store::ObjectStore,
    prefix: &str,
) -> anyhow::Result<()> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir)?.to_string_lossy().into_owned();
                let key = object_store::path::Path::parse(format!("{prefix}/{rel}"))?;
                store.put(&key, std::fs::read(&p)?.into()).await?;
            }
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_lake_discovers_prunes_and_refreshes() -> anyhow::Result<()> {
    let moto = start_moto()?;
    assert_eq!(http(moto.port, "PUT", "/tarn-lake")?, 200, "bucket created");

    let local = tempfile::tempdir()?;
    tarn_tests::fixture_lake(local.path())?;
    let lake = Lake::open(s3_config(moto.port, "s3://tarn-lake/warehouse")).await?;
    assert!(lake.namespaces().is_empty());
    upload(local.path(), lake.store().store.as_ref(), "warehouse").await?;
    lake.refresh_all();

    let session = lake.session()?;
    assert_eq!(
        scalar(&session.collect("SELECT count(*) FROM events").await?),
        "6"
    );
    assert_eq!(
        scalar(&session.collect("SELECT count(*) FROM web.visits").await?),
        "3"
    );
    let got = session
        .collect("SELECT id FROM web.hits WHERE country = 'Côte d''Ivoire'")
        .await?;
    assert_eq!(scalar(&got), "3");

    lake.store().store.reset();
    let got = session
        .collect("SELECT sum(id) FROM events WHERE dt = DATE '2024-01-03'")
        .await?;
    assert_eq!(scalar(&got), "11");
    let files: Vec<String> = lake
        .store()
        .store
        .snapshot()
        .files_read
        .into_iter()
        .filter(|f| f.ends_with(".parquet"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");

    // A broken table on S3 is named like a local one.
    let err = session
        .collect("SELECT * FROM bad.corrupt")
        .await
        .unwrap_err();
    assert!(
        err.chain_text()
            .contains("s3://tarn-lake/warehouse/bad/corrupt/d=2/part-0.parquet"),
        "{}",
        err.chain_text()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_bucket_is_an_error_naming_the_root() -> anyhow::Result<()> {
    let moto = start_moto()?;
    let err = Lake::open(s3_config(moto.port, "s3://no-such-bucket/lake"))
        .await
        .unwrap_err();
    let text = err.chain_text();
    assert!(
        text.contains("cannot list lake root s3://no-such-bucket/lake"),
        "{text}"
    );
    Ok(())
}
