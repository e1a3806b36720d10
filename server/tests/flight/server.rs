//! A `tarn serve` process on 127.0.0.1 for one test, stopped when the test drops it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use arrow::array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, Int64Array, ListBuilder,
    RecordBatch, StringArray, StringBuilder, TimestampMicrosecondArray,
};
use arrow_flight::sql::client::FlightSqlServiceClient;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

pub(crate) const USER: &str = "analyst";
pub(crate) const PASSWORD: &str = "correct horse";
pub(crate) const TOKEN: &str = "static-token-for-tests";

/// How a test server is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Plaintext, no authentication.
    Open,
    /// Plaintext, a user with a password and a static token.
    Auth,
    /// TLS (self-signed CA), with authentication.
    Tls,
}

pub(crate) struct TestServer {
    child: Child,
    stdin: Option<ChildStdin>,
    pub(crate) port: u16,
    pub(crate) mode: Mode,
    pub(crate) dir: tempfile::TempDir,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Closing stdin stops the server (--stop-on-stdin-eof); kill it if it lingers.
        drop(self.stdin.take());
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tarn() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tarn"))
}

/// The fixture lake plus `demo.types` (one column of each type a client meets) and
/// `demo.big` (more than 4 MiB of rows).
pub(crate) fn write_lake(root: &Path) {
    tarn_tests::fixture_lake(root).expect("fixture lake");
    let mut tags = ListBuilder::new(StringBuilder::new());
    for t in [vec!["a", "b"], vec![], vec!["c"]] {
        for x in t {
            tags.values().append_value(x);
        }
        tags.append(true);
    }
    let types = tarn_tests::batch(vec![
        ("id", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
        (
            "name",
            Arc::new(StringArray::from(vec![Some("one"), None, Some("three")])),
        ),
        (
            "amount",
            Arc::new(
                Decimal128Array::from(vec![Some(1050), Some(-20), None])
                    .with_precision_and_scale(10, 2)
                    .unwrap(),
            ),
        ),
        (
            "ts",
            Arc::new(
                TimestampMicrosecondArray::from(vec![0, 86_400_000_000, 1_700_000_000_000_000])
                    .with_timezone("UTC"),
            ),
        ),
        ("d", Arc::new(Date32Array::from(vec![19000, 19001, 19002]))),
        (
            "flag",
            Arc::new(BooleanArray::from(vec![true, false, true])),
        ),
        (
            "bin",
            Arc::new(BinaryArray::from(vec![&b"\x00\x01"[..], b"", b"\xff"])),
        ),
        ("tags", Arc::new(tags.finish())),
    ]);
    tarn_tests::write_parquet(&root.join("demo/types/year=2024/part-0.parquet"), &types).unwrap();
    // 200,000 rows with a 40-byte string: about 9 MB on the wire.
    let n = 200_000i64;
    let ids: Vec<i64> = (0..n).collect();
    let text: Vec<String> = (0..n).map(|i| format!("{i:040}")).collect();
    let big = tarn_tests::batch(vec![
        ("id", Arc::new(Int64Array::from(ids)) as ArrayRef),
        ("payload", Arc::new(StringArray::from(text))),
    ]);
    let file = std::fs::File::create({
        std::fs::create_dir_all(root.join("demo/big")).unwrap();
        root.join("demo/big/part-0.parquet")
    })
    .unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, big.schema(), None).unwrap();
    w.write(&big).unwrap();
    w.close().unwrap();
}

/// A self-signed CA and a server certificate for 127.0.0.1 / localhost (openssl CLI).
pub(crate) fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=tarn test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

impl TestServer {
    /// Starts a server on a fresh lake; `extra` adds `tarn serve` options.
    pub(crate) fn start(mode: Mode, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let lake = dir.path().join("lake");
        write_lake(&lake);
        let mut args: Vec<String> = vec![
            "serve".into(),
            "--lake".into(),
            lake.to_string_lossy().into_owned(),
            "--addr".into(),
            "127.0.0.1:0".into(),
            "--stop-on-stdin-eof".into(),
            "--listing-ttl".into(),
            "0".into(),
        ];
        if mode != Mode::Open {
            let hash_out = tarn()
                .arg("hash-password")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let hash = {
                use std::io::Write;
                let mut c = hash_out;
                c.stdin
                    .take()
                    .unwrap()
                    .write_all(PASSWORD.as_bytes())
                    .unwrap();
                String::from_utf8(c.wait_with_output().unwrap().stdout)
                    .unwrap()
                    .trim()
                    .to_string()
            };
            let auth = dir.path().join("auth.toml");
            std::fs::write(
                &auth,
                format!("[[users]]\nname = \"{USER}\"\npassword_hash = \"{hash}\"\n"),
            )
            .unwrap();
            args.extend([
                "--auth-file".into(),
                auth.to_string_lossy().into_owned(),
                "--token".into(),
                TOKEN.into(),
            ]);
        }
        if mode == Mode::Tls {
            let (_, cert, key) = certificates(dir.path());
            args.extend([
                "--tls-cert".into(),
                cert.to_string_lossy().into_owned(),
                "--tls-key".into(),
                key.to_string_lossy().into_owned(),
            ]);
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let mut child = tarn()
            .args(&args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("tarn serve starts");
        let stdin = child.stdin.take();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let port = first
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line {first:?}; log: {}",
                    std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default()
                )
            });
        Self {
            child,
            stdin,
            port,
            mode,
            dir,
        }
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's log so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// A channel to the server (TLS with the test CA in TLS mode).
    pub(crate) async fn channel(&self) -> Channel {
        let scheme = if self.mode == Mode::Tls {
            "https"
        } else {
            "http"
        };
        let host = if self.mode == Mode::Tls {
            "localhost"
        } else {
            "127.0.0.1"
        };
        let mut endpoint =
            Endpoint::from_shared(format!("{scheme}://{host}:{}", self.port)).unwrap();
        if self.mode == Mode::Tls {
            let ca = std::fs::read(self.dir.path().join("ca.pem")).unwrap();
            endpoint = endpoint
                .tls_config(
                    ClientTlsConfig::new()
                        .ca_certificate(Certificate::from_pem(ca))
                        .domain_name("localhost"),
                )
                .unwrap();
        }
        endpoint.connect().await.expect("connects")
    }

    /// A Flight SQL client, logged in (Basic handshake) when the server has authentication.
    pub(crate) async fn client(&self) -> FlightSqlServiceClient<Channel> {
        let mut c = FlightSqlServiceClient::new(self.channel().await);
        if self.mode != Mode::Open {
            c.handshake(USER, PASSWORD).await.expect("handshake");
        }
        c
    }
}

/// Runs `f` once per mode: plaintext without auth, with auth, and TLS with auth.
pub(crate) async fn each_mode<F, Fut>(extra: &[&str], f: F)
where
    F: Fn(Arc<TestServer>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for mode in [Mode::Open, Mode::Auth, Mode::Tls] {
        let server = Arc::new(TestServer::start(mode, extra));
        f(Arc::clone(&server)).await;
    }
}

/// Runs a statement and collects its batches, returning the FlightInfo schema too.
pub(crate) async fn query(
    client: &mut FlightSqlServiceClient<Channel>,
    sql: &str,
) -> (arrow::datatypes::Schema, Vec<RecordBatch>) {
    use futures::TryStreamExt;
    let info = client
        .execute(sql.to_string(), None)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let schema = info.clone().try_decode_schema().unwrap();
    let mut batches = vec![];
    for ep in info.endpoint {
        let stream = client.do_get(ep.ticket.unwrap()).await.unwrap();
        let got: Vec<RecordBatch> = stream
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        batches.extend(got);
    }
    (schema, batches)
}
