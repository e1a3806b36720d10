//! `tarn`: SQL over a Hive-partitioned Parquet lake, from the shell.

mod auth;
mod batch;
mod config;
mod limits;
mod metadata;
mod output;
mod params;
mod recent_plans;
mod serve;
mod service;
mod sessions;
mod shell;
mod sql;
mod sql_info;
mod status;
mod tickets;
mod wire;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use tarn_engine::demo::{DemoOptions, write_demo};
use tarn_engine::{Lake, error::error_chain_text};

use crate::config::LakeArgs;
use crate::output::Format;

#[derive(Debug, Parser)]
#[command(
    name = "tarn",
    version,
    about = "SQL over a Hive-partitioned Parquet lake, with no cluster"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// `tarn serve`'s options on their own, to build them with defaults.
#[derive(Debug, Parser)]
struct ServeDefaults {
    #[command(flatten)]
    args: serve::ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the demo lake if it is absent, then serve it over Flight SQL on 127.0.0.1.
    Start {
        /// Where the demo lake lives.
        #[arg(long, env = "TARN_DEMO_DIR", default_value = "demo-lake")]
        dir: PathBuf,
        /// Open the interactive shell on it instead of serving it.
        #[arg(long)]
        shell: bool,
    },
    /// Serve a lake over Arrow Flight SQL (JDBC, ODBC, ADBC, SQLAlchemy, BI tools).
    Serve(serve::ServeArgs),
    /// Print the argon2 hash of a password read from stdin, for the auth file.
    HashPassword,
    /// Print the SHA-256 of a token read from stdin, for the auth file.
    HashToken,
    /// Write a deterministic synthetic telemetry lake.
    Demo {
        /// Directory to write into (created if missing).
        #[arg(long)]
        dir: PathBuf,
        /// Client profiles in the population.
        #[arg(long, default_value_t = DemoOptions::default().clients)]
        clients: usize,
        /// Days of data, from 2026-01-01.
        #[arg(long, default_value_t = DemoOptions::default().days)]
        days: u32,
        /// Seed of every random choice: the same seed writes the same lake.
        #[arg(long, default_value_t = DemoOptions::default().seed)]
        seed: u64,
    },
    /// Run one SQL statement and print its result.
    Query {
        #[command(flatten)]
        lake: LakeArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Write the result here instead of stdout.
        #[arg(long)]
        output: Option<PathBuf>,
        /// The statement; `-` reads it from stdin.
        sql: String,
    },
    /// Run statements read from stdin as JSON lines, answering each with a JSON line
    /// (`{"sql": "…", "result": true}` → `{"ok": true, "rows": N, "elapsed_ms": …}`).
    Batch {
        #[command(flatten)]
        lake: LakeArgs,
    },
    /// Interactive SQL shell.
    Shell {
        #[command(flatten)]
        lake: LakeArgs,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", anyhow_text(&e));
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Demo {
            dir,
            clients,
            days,
            seed,
        } => {
            let opts = DemoOptions {
                clients,
                days,
                seed,
                threads: 0,
            };
            demo(&dir, &opts).await?;
            Ok(())
        }
        Command::Start { dir, shell } => {
            if !dir.join("telemetry").exists() {
                eprintln!("writing the demo lake to {} …", dir.display());
                demo(&dir, &DemoOptions::default()).await?;
            }
            let lake = dir.to_string_lossy().into_owned();
            if shell {
                let config = tarn_engine::EngineConfig {
                    default_schema: "telemetry".into(),
                    ..tarn_engine::EngineConfig::new(lake)
                };
                let lake = Lake::open(config).await.map_err(engine_error)?;
                return shell::run(lake.session().map_err(engine_error)?).await;
            }
            // The same options as `tarn serve`, with their defaults and TARN_* variables.
            let defaults =
                ServeDefaults::parse_from(["tarn", "--lake", &lake, "--schema", "telemetry"]);
            serve::serve(defaults.args).await
        }
        Command::Serve(args) => serve::serve(args).await,
        Command::HashPassword => {
            let password =
                std::io::read_to_string(std::io::stdin()).context("cannot read stdin")?;
            println!(
                "{}",
                auth::hash_password(password.trim_end_matches(['\n', '\r']))?
            );
            Ok(())
        }
        Command::HashToken => {
            let token = std::io::read_to_string(std::io::stdin()).context("cannot read stdin")?;
            println!("{}", auth::hash_token(token.trim_end_matches(['\n', '\r'])));
            Ok(())
        }
        Command::Query {
            lake,
            format,
            output,
            sql,
        } => {
            let sql = if sql == "-" {
                std::io::read_to_string(std::io::stdin())
                    .context("cannot read the statement from stdin")?
            } else {
                sql
            };
            let out = output::open_output(output.as_deref(), format)?;
            let lake = Lake::open(lake.engine_config()?)
                .await
                .map_err(engine_error)?;
            let session = lake.session().map_err(engine_error)?;
            let stream = session.execute(&sql).await.map_err(engine_error)?;
            output::write_stream(stream, format, out)
                .await
                .map_err(
                    |e| match e.downcast::<datafusion::error::DataFusionError>() {
                        Ok(df) => engine_error(tarn_engine::Error::from(df)),
                        Err(e) => e,
                    },
                )?;
            Ok(())
        }
        Command::Batch { lake } => {
            let lake = Lake::open(lake.engine_config()?)
                .await
                .map_err(engine_error)?;
            batch::run(lake.session().map_err(engine_error)?).await
        }
        Command::Shell { lake } => {
            let lake = Lake::open(lake.engine_config()?)
                .await
                .map_err(engine_error)?;
            shell::run(lake.session().map_err(engine_error)?).await
        }
    }
}

async fn demo(dir: &std::path::Path, opts: &DemoOptions) -> Result<()> {
    let summary = write_demo(dir, opts).await.map_err(engine_error)?;
    for (table, rows, files, bytes) in &summary.tables {
        eprintln!(
            "{table:<32} {rows:>10} rows {files:>6} files {:>8.1} MB",
            *bytes as f64 / 1e6
        );
    }
    eprintln!(
        "demo lake written to {} in {:.1}s",
        dir.display(),
        summary.elapsed.as_secs_f64()
    );
    Ok(())
}

/// The user-facing text of an engine error: the cause chain without the generic prefix.
pub(crate) fn error_text(e: &tarn_engine::Error) -> String {
    match e {
        tarn_engine::Error::Query(df) => error_chain_text(df.as_ref()),
        other => other.chain_text(),
    }
}

fn engine_error(e: tarn_engine::Error) -> anyhow::Error {
    anyhow::anyhow!(error_text(&e))
}

fn anyhow_text(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
    }
    text
}
