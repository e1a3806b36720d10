//! Every error a client can see, mapped to a gRPC status code with a useful message.
//!
//! The message is the error's cause chain, each part once, capped at about 2 KB. Backtraces,
//! source locations and `Debug` output never reach a client.

use datafusion::error::DataFusionError;
use tarn_engine::Error as E;
use tarn_engine::error::error_chain_text;
use tonic::{Code, Status};

/// The longest message sent to a client.
const MAX_MESSAGE: usize = 2048;

/// The local folder of the lake, stripped from messages: clients see lake-relative paths
/// (`web/hits/…/part-0.parquet`), never the server's file system.
static LAKE_FOLDER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the folder [`LAKE_FOLDER`] strips (once, at start).
pub(crate) fn hide_lake_folder(folder: &str) {
    let _ = LAKE_FOLDER.set(format!("{}/", folder.trim_end_matches('/')));
}

/// The gRPC status of an engine error.
pub(crate) fn engine_status(err: &E) -> Status {
    Status::new(engine_code(err), message(err))
}

/// The gRPC status of a DataFusion error (from planning or a running stream).
pub(crate) fn datafusion_status(err: &DataFusionError) -> Status {
    if let Some(engine) = find_engine_error(err) {
        return engine_status(engine);
    }
    Status::new(datafusion_code(err), message(err))
}

fn engine_code(err: &E) -> Code {
    match err {
        E::InvalidRoot { .. } | E::StoreConfig { .. } | E::Config { .. } => {
            Code::FailedPrecondition
        }
        E::LakeRoot { .. } | E::Listing { .. } | E::SidecarRead { .. } | E::Io { .. } => {
            Code::Unavailable
        }
        E::InvalidPartition { .. }
        | E::InconsistentPartitions { .. }
        | E::PartitionValue { .. }
        | E::EmptyTable { .. }
        | E::FileSchema { .. }
        | E::SchemaConflict(_)
        | E::SidecarInvalid { .. } => Code::FailedPrecondition,
        E::AmbiguousTable { .. } => Code::InvalidArgument,
        E::Refused { .. } => Code::PermissionDenied,
        E::Cached(inner) => engine_code(inner),
        E::Query(df) => match find_engine_error(df) {
            Some(inner) => engine_code(inner),
            None => datafusion_code(df),
        },
    }
}

fn datafusion_code(err: &DataFusionError) -> Code {
    // A wildcard is fine here: DataFusion's enum is not ours and grows between releases.
    match err.find_root() {
        DataFusionError::Plan(msg) if msg.contains("' not found") => Code::NotFound,
        DataFusionError::Plan(..)
        | DataFusionError::SQL(..)
        | DataFusionError::SchemaError(..)
        | DataFusionError::NotImplemented(..) => Code::InvalidArgument,
        DataFusionError::ResourcesExhausted(..) => Code::ResourceExhausted,
        DataFusionError::Execution(..) => Code::InvalidArgument,
        DataFusionError::IoError(..) | DataFusionError::ObjectStore(..) => Code::Unavailable,
        DataFusionError::ParquetError(..) | DataFusionError::ArrowError(..) => Code::Internal,
        _ => Code::Internal,
    }
}

/// The engine error carried inside a DataFusion error, if any.
fn find_engine_error(err: &DataFusionError) -> Option<&E> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(engine) = e.downcast_ref::<E>() {
            return Some(engine);
        }
        if let Some(DataFusionError::External(inner)) = e.downcast_ref::<DataFusionError>()
            && let Some(engine) = inner.downcast_ref::<E>()
        {
            return Some(engine);
        }
        cur = e.source();
    }
    None
}

/// The client-facing text of an error: its chain, without DataFusion's generic prefixes where
/// a more specific message follows, capped in length.
fn message(err: &(dyn std::error::Error + 'static)) -> String {
    let text = match err.downcast_ref::<E>() {
        Some(E::Query(df)) => error_chain_text(df.as_ref()),
        _ => error_chain_text(err),
    };
    let mut text = strip_backtrace(&text);
    if let Some(folder) = LAKE_FOLDER.get() {
        text = text.replace(folder.as_str(), "");
    }

    if text.len() <= MAX_MESSAGE {
        return text;
    }
    let mut cut = MAX_MESSAGE;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}

/// DataFusion appends backtraces when built with them enabled; clients never see them.
fn strip_backtrace(text: &str) -> String {
    match text.find("\n\nbacktrace:") {
        Some(i) => text[..i].to_string(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_error() {
        let plan = DataFusionError::Plan("table 'tarn.web.x' not found".into());
        assert_eq!(datafusion_status(&plan).code(), Code::NotFound);
        let sql = DataFusionError::SQL(
            Box::new(datafusion::sql::sqlparser::parser::ParserError::ParserError("x".into())),
            None,
        );
        assert_eq!(datafusion_status(&sql).code(), Code::InvalidArgument);
        let mem = DataFusionError::ResourcesExhausted("pool".into());
        assert_eq!(datafusion_status(&mem).code(), Code::ResourceExhausted);
        let refused = E::Refused {
            statement: "COPY".into(),
            reason: "no".into(),
        };
        assert_eq!(engine_status(&refused).code(), Code::PermissionDenied);
        // An engine error travelling inside DataFusion keeps its own code.
        let wrapped = DataFusionError::External(Box::new(E::AmbiguousTable {
            name: "t".into(),
            candidates: "a.t, b.t".into(),
        }));
        let s = datafusion_status(&wrapped);
        assert_eq!(s.code(), Code::InvalidArgument);
        assert!(s.message().contains("a.t, b.t"), "{}", s.message());
    }

    #[test]
    fn messages_are_capped() {
        let long = DataFusionError::Plan("x".repeat(10_000));
        assert!(datafusion_status(&long).message().len() <= MAX_MESSAGE + 4);
    }
}
