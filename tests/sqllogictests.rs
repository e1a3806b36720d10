//! Runs every `tests/slt/**/*.slt` file against a fresh tarn session on a fresh fixture lake.
//!
//! ```text
//! cargo test -p tarn-tests --test sqllogictests [-- FILTER] [--complete]
//! ```
//! `FILTER` keeps files whose path contains it; `--complete` rewrites the expected results in
//! place from what tarn returns (review the diff before committing it).
//!
//! Each file gets its own temporary directory holding the fixture lake at `$LAKE` (see
//! `tarn_tests::fixture_lake`) and a `scratch/` folder at `$SCRATCH`; `control substitution on`
//! in a file enables those variables. The listing TTL is 0, so a file sees its own writes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use sqllogictest::{DBOutput, Runner};
use tarn_engine::{EngineConfig, Lake, Session};
use tarn_tests::format::{ColumnType, column_type, rows};

#[derive(Debug)]
struct TestError(String);

impl std::fmt::Display for TestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TestError {}

struct TarnDb {
    session: Session,
    /// The fixture lake's path, shown as `<lake>` in results and errors so files are stable.
    lake_dir: String,
}

impl TarnDb {
    fn normalize(&self, text: &str) -> String {
        text.replace(&self.lake_dir, "<lake>")
            .replace(self.lake_dir.trim_start_matches('/'), "<lake>")
    }
}

fn error_text(e: &tarn_engine::Error) -> String {
    match e {
        tarn_engine::Error::Query(df) => tarn_engine::error::error_chain_text(df.as_ref()),
        other => other.chain_text(),
    }
}

#[async_trait]
impl sqllogictest::AsyncDB for TarnDb {
    type Error = TestError;
    type ColumnType = ColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<ColumnType>, TestError> {
        let err = |e: tarn_engine::Error| TestError(self.normalize(&error_text(&e)));
        let df = self.session.sql(sql).await.map_err(err)?;
        let schema = Arc::new(df.schema().as_arrow().clone());
        let batches = df.collect().await.map_err(|e| err(e.into()))?;
        if schema.fields().is_empty() {
            return Ok(DBOutput::StatementComplete(0));
        }
        let types = schema
            .fields()
            .iter()
            .map(|f| column_type(f.data_type()))
            .collect();
        let rows = rows(&batches)
            .map_err(|e| TestError(e.to_string()))?
            .into_iter()
            .flat_map(|r: Vec<String>| {
                let r: Vec<String> = r.into_iter().map(|c| self.normalize(&c)).collect();
                // A cell spanning lines (EXPLAIN plans) is written one line per row in the
                // file, so it is compared the same way.
                if r.iter().any(|c| c.contains('\n')) {
                    r.join(" ").lines().map(|l| vec![l.to_string()]).collect()
                } else {
                    vec![r]
                }
            })
            .collect();
        Ok(DBOutput::Rows { types, rows })
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "tarn"
    }

    async fn sleep(dur: std::time::Duration) {
        tokio::time::sleep(dur).await;
    }
}

fn slt_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            slt_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "slt") {
            out.push(path);
        }
    }
    Ok(())
}

async fn run_file(path: &Path, complete: bool) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let lake_dir = tmp.path().join("lake");
    tarn_tests::fixture_lake(&lake_dir)?;
    let scratch = tmp.path().join("scratch");
    std::fs::create_dir_all(&scratch)?;
    let mut config = EngineConfig::new(lake_dir.to_string_lossy().into_owned());
    config.listing_ttl_secs = 0.0;
    config.target_partitions = Some(2);
    let lake = Lake::open(config).await?;
    let lake_text = lake_dir.to_string_lossy().into_owned();
    let make = {
        let lake = Arc::clone(&lake);
        move || {
            let lake = Arc::clone(&lake);
            let lake_dir = lake_text.clone();
            async move {
                let session = lake.session().map_err(|e| TestError(e.chain_text()))?;
                Ok::<_, TestError>(TarnDb { session, lake_dir })
            }
        }
    };
    let mut runner = Runner::new(make);
    runner.set_var("LAKE".into(), lake_dir.to_string_lossy().into_owned());
    runner.set_var("SCRATCH".into(), scratch.to_string_lossy().into_owned());
    runner.with_column_validator(|actual: &Vec<ColumnType>, expected: &Vec<ColumnType>| {
        actual == expected
    });
    if complete {
        let col_sep = " ";
        runner
            .update_test_file(
                path,
                col_sep,
                sqllogictest::default_validator,
                sqllogictest::default_normalizer,
                sqllogictest::strict_column_validator,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    } else {
        runner
            .run_file_async(path)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let complete = args.iter().any(|a| a == "--complete");
    // cargo test passes its own flags (e.g. --nocapture); a filter is a bare word.
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let root = tarn_tests::repo_root().join("tests/slt");
    let mut files = Vec::new();
    if let Err(e) = slt_files(&root, &mut files) {
        eprintln!("cannot list {}: {e}", root.display());
        return std::process::ExitCode::FAILURE;
    }
    files.sort();
    let mut failed = Vec::new();
    let mut ran = 0;
    for file in &files {
        let name = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        ran += 1;
        let started = std::time::Instant::now();
        match run_file(file, complete).await {
            Ok(()) => println!("ok    {name} ({:.2}s)", started.elapsed().as_secs_f64()),
            Err(e) => {
                println!("FAIL  {name}\n{e}");
                failed.push(name);
            }
        }
    }
    println!("{ran} files, {} failed", failed.len());
    if ran == 0 {
        eprintln!("no .slt file matched");
        return std::process::ExitCode::FAILURE;
    }
    if failed.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
