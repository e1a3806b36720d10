//! `tarn serve`: the Arrow Flight SQL server on a lake — listener, TLS, health service,
//! secure defaults and graceful shutdown.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use arrow_flight::flight_service_server::FlightServiceServer;
use clap::{Args, ValueEnum};
use tarn_engine::config::parse_bytes;
use tarn_engine::{Lake, SessionOptions};
use tokio::io::AsyncReadExt;
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};

use crate::auth::{Auth, AuthFile};
use crate::config::LakeArgs;
use crate::limits::Limits;
use crate::recent_plans::RecentPlans;
use crate::service::TarnFlightService;
use crate::sessions::Sessions;
use crate::sql::FlightSql;
use crate::sql_info;
use crate::wire::WireTypes;

/// The default port of `tarn serve`.
pub(crate) const DEFAULT_PORT: u16 = 47470;

/// How result types go on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum WireMode {
    /// Utf8, Binary, List and Decimal128 for views, large and wide types: every driver reads it.
    Compat,
    /// Types as DataFusion produces them (Utf8View, …), for modern Arrow clients.
    Native,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    Text,
    Json,
}

/// Options of `tarn serve`.
#[derive(Debug, Clone, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) lake: LakeArgs,

    /// Address to listen on (port 0 picks a free port, printed at start).
    #[arg(long, env = "TARN_ADDR", default_value_t = SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)))]
    pub(crate) addr: SocketAddr,

    /// Users and tokens (TOML with argon2 password hashes and SHA-256 token digests).
    #[arg(long, env = "TARN_AUTH_FILE")]
    pub(crate) auth_file: Option<PathBuf>,

    /// A static bearer token clients may use; repeatable.
    #[arg(long = "token", env = "TARN_TOKEN", value_delimiter = ',')]
    pub(crate) tokens: Vec<String>,

    /// Serve without authentication on a non-loopback address (otherwise refused).
    #[arg(long)]
    pub(crate) allow_unauthenticated_remote: bool,

    /// TLS certificate chain (PEM); with --tls-key, the server speaks TLS only.
    #[arg(long, env = "TARN_TLS_CERT", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,

    /// TLS private key (PEM).
    #[arg(long, env = "TARN_TLS_KEY", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,

    /// CA certificate (PEM) that client certificates must be signed by (mutual TLS).
    #[arg(long, env = "TARN_TLS_CLIENT_CA", requires = "tls_cert")]
    pub(crate) tls_client_ca: Option<PathBuf>,

    /// Most queries streaming at once; more get RESOURCE_EXHAUSTED.
    #[arg(long, env = "TARN_MAX_CONCURRENT_QUERIES", default_value_t = 16)]
    pub(crate) max_concurrent_queries: usize,

    /// Seconds a query may run before it is stopped (0: no limit).
    #[arg(long, env = "TARN_STATEMENT_TIMEOUT", default_value_t = 0.0)]
    pub(crate) statement_timeout: f64,

    /// Memory limit of each query (e.g. 2G); beyond it the query spills or fails.
    #[arg(long, env = "TARN_QUERY_MEMORY_LIMIT")]
    pub(crate) query_memory_limit: Option<String>,

    /// Allow statements that read or write paths outside the lake (CREATE EXTERNAL TABLE,
    /// COPY … TO).
    #[arg(long)]
    pub(crate) allow_external_paths: bool,

    /// How result types are sent.
    #[arg(long, value_enum, default_value = "compat")]
    pub(crate) wire_types: WireMode,

    /// Seconds running queries get to finish after SIGINT/SIGTERM.
    #[arg(long, default_value_t = 30.0)]
    pub(crate) shutdown_timeout: f64,

    /// Seconds an idle client session is kept.
    #[arg(long, default_value_t = 3600.0)]
    pub(crate) session_ttl: f64,

    /// Log line format.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) log_format: LogFormat,

    /// Stop when standard input closes (for supervisors and tests that own the process).
    #[arg(long, hide = true)]
    pub(crate) stop_on_stdin_eof: bool,
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Runs the server until SIGINT/SIGTERM.
///
/// # Errors
/// Bad options, an unusable lake, a port in use, unreadable certificates.
pub(crate) async fn serve(args: ServeArgs) -> Result<()> {
    init_logging(args.log_format);
    let file = match &args.auth_file {
        Some(p) => AuthFile::load(p)?,
        None => AuthFile::default(),
    };
    let auth = Auth::new(file, &args.tokens);
    if !auth.enabled() && !args.addr.ip().is_loopback() && !args.allow_unauthenticated_remote {
        bail!(
            "refusing to serve {} without authentication: configure --auth-file or --token, bind a loopback address, or pass --allow-unauthenticated-remote",
            args.addr
        );
    }
    let lake = Lake::open(args.lake.engine_config()?)
        .await
        .map_err(|e| anyhow::anyhow!(crate::error_text(&e)))?;
    let store = lake.store();
    if store.url.as_str() == "file:///" {
        crate::status::hide_lake_folder(&store.display(&store.prefix));
    }

    let options = SessionOptions {
        allow_external_paths: args.allow_external_paths,
        query_memory_limit: args
            .query_memory_limit
            .as_deref()
            .map(|m| parse_bytes("--query-memory-limit", m))
            .transpose()?,
    };
    let probe = lake
        .session_with(options.clone())
        .map_err(|e| anyhow::anyhow!(crate::error_text(&e)))?;
    let state = probe.context().state();
    let sql_info = sql_info::sql_info(&state).context("cannot build SqlInfo")?;
    let xdbc = sql_info::xdbc_type_info().context("cannot build XdbcTypeInfo")?;
    let timeout =
        (args.statement_timeout > 0.0).then(|| Duration::from_secs_f64(args.statement_timeout));
    let catalog = lake.config().catalog.clone();
    let flight = Arc::new(FlightSql {
        sessions: Sessions::new(
            Arc::clone(&lake),
            options,
            Duration::from_secs_f64(args.session_ttl.max(1.0)),
            10_000,
        ),
        auth,
        // A DoGet follows its GetFlightInfo within milliseconds; 30 s covers slow clients.
        recent: RecentPlans::new(Duration::from_secs(30), 1024),
        limits: Arc::new(Limits::new(args.max_concurrent_queries, timeout)),
        wire: WireTypes {
            compat: args.wire_types == WireMode::Compat,
        },
        sql_info,
        xdbc,
        catalog,
    });

    let mut builder = Server::builder();
    let tls = args.tls_cert.is_some();
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        let read =
            |p: &PathBuf| std::fs::read(p).with_context(|| format!("cannot read {}", p.display()));
        let mut config =
            ServerTlsConfig::new().identity(Identity::from_pem(read(cert)?, read(key)?));
        if let Some(ca) = &args.tls_client_ca {
            config = config.client_ca_root(Certificate::from_pem(read(ca)?));
        }
        builder = builder
            .tls_config(config)
            .context("invalid TLS configuration")?;
    }
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<FlightServiceServer<TarnFlightService>>()
        .await;
    let service = FlightServiceServer::new(TarnFlightService::new(flight))
        .max_decoding_message_size(64 * 1024 * 1024)
        .max_encoding_message_size(64 * 1024 * 1024);

    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    let scheme = if tls { "grpc+tls" } else { "grpc" };
    // Supervisors and tests read this first line for the address; a closed stdout must not
    // stop the server, so write errors are ignored.
    say(&format!(
        "tarn Flight SQL server listening on {scheme}://{addr}"
    ));
    say(&connect_help(addr, tls));
    tracing::info!(%addr, tls, lake = %lake.config().root, "serving");

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let shutdown = {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.changed().await;
        }
    };
    tokio::spawn(wait_for_stop(args.stop_on_stdin_eof, stop_tx));
    let server = builder
        .add_service(health_service)
        .add_service(service)
        .serve_with_incoming_shutdown(
            // Without TCP_NODELAY, Nagle's algorithm and delayed ACKs hold small gRPC frames
            // back ~40 ms: every metadata call and short query would pay it.
            tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true)),
            shutdown,
        );
    tokio::pin!(server);
    // Running queries get `shutdown_timeout` to finish once a stop is requested.
    let mut stopped = stop_rx;
    tokio::select! {
        r = &mut server => r.context("server failed")?,
        _ = async {
            let _ = stopped.changed().await;
            tokio::time::sleep(Duration::from_secs_f64(args.shutdown_timeout.max(0.0))).await;
        } => {
            tracing::warn!("running queries did not finish within the shutdown timeout; stopping");
        }
    }
    tracing::info!("stopped");
    Ok(())
}

/// Signals a stop on SIGINT, SIGTERM, or (optionally) the end of standard input.
async fn wait_for_stop(stdin_eof: bool, stop: tokio::sync::watch::Sender<bool>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return;
    };
    let eof = async {
        if stdin_eof {
            let mut buf = [0u8; 64];
            let mut stdin = tokio::io::stdin();
            while matches!(stdin.read(&mut buf).await, Ok(n) if n > 0) {}
        } else {
            futures::future::pending::<()>().await;
        }
    };
    tokio::select! {
        _ = int.recv() => tracing::info!("SIGINT: stopping after running queries"),
        _ = term.recv() => tracing::info!("SIGTERM: stopping after running queries"),
        _ = eof => tracing::info!("standard input closed: stopping"),
    }
    let _ = stop.send(true);
}

fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

fn connect_help(addr: SocketAddr, tls: bool) -> String {
    let (scheme, encryption) = if tls {
        ("grpc+tls", "true")
    } else {
        ("grpc", "false")
    };
    format!(
        "\nConnect from Python (ADBC):\n  import adbc_driver_flightsql.dbapi as flight_sql\n  conn = flight_sql.connect(\"{scheme}://{addr}\", autocommit=True)\n  cur = conn.cursor(); cur.execute(\"SHOW TABLES\"); print(cur.fetch_arrow_table())\n\nJDBC URL (DBeaver, Tableau):\n  jdbc:arrow-flight-sql://{addr}/?useEncryption={encryption}\n"
    )
}
