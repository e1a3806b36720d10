//! The engine's error type. `Display` describes this layer; causes are in `source()`.

use datafusion::error::DataFusionError;

use crate::catalog::hive::SegmentProblem;

/// Result with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong opening a lake, discovering its tables or running a statement.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The lake root is not a URL or path tarn can open.
    #[error("invalid lake root {root:?}: {reason}")]
    InvalidRoot { root: String, reason: String },

    /// The object store for the root could not be configured (bad options or credentials).
    #[error("cannot configure the object store for lake root {root}")]
    StoreConfig {
        root: String,
        #[source]
        source: Box<object_store::Error>,
    },

    /// The lake root does not exist or cannot be listed.
    #[error("cannot list lake root {root}")]
    LakeRoot {
        root: String,
        #[source]
        source: Box<object_store::Error>,
    },

    /// Listing a table's folder failed.
    #[error("cannot list {path} of table {table}")]
    Listing {
        table: String,
        path: String,
        #[source]
        source: Box<object_store::Error>,
    },

    /// A `key=value` folder that is not a valid Hive partition segment.
    #[error("invalid partition folder {path} in table {table}: {problem}")]
    InvalidPartition {
        table: String,
        path: String,
        problem: SegmentProblem,
    },

    /// Two data files sit under different partition key sequences.
    /// `first` and `second` read "`<file>` has keys [a, b]".
    #[error("table {table} mixes partition layouts: {first} but {second}")]
    InconsistentPartitions {
        table: String,
        first: String,
        second: String,
    },

    /// A partition value that does not parse as its key's declared type.
    /// `segment` is the `key=value` folder name.
    #[error("partition {segment} in {path} of table {table} is not a valid {data_type}")]
    PartitionValue {
        table: String,
        path: String,
        segment: String,
        data_type: String,
    },

    /// A table folder with no data files and no pinned schema.
    #[error(
        "table {table} has no Parquet files, so its schema is unknown; add data or pin a schema in its {sidecar} sidecar"
    )]
    EmptyTable {
        table: String,
        sidecar: &'static str,
    },

    /// A data file whose footer cannot be read.
    #[error("cannot read the Parquet footer of {file} in table {table}")]
    FileSchema {
        table: String,
        file: String,
        #[source]
        source: Box<DataFusionError>,
    },

    /// Two files of one table disagree on a column in a way that cannot be merged.
    #[error(
        "table {}: column {} is {} in {} but {} in {}, which cannot be merged",
        .0.table, .0.column, .0.first_type, .0.first_file, .0.second_type, .0.second_file
    )]
    SchemaConflict(Box<SchemaConflict>),

    /// A table sidecar that cannot be read or parsed.
    #[error("cannot read table sidecar {path}")]
    SidecarRead {
        path: String,
        #[source]
        source: Box<object_store::Error>,
    },

    /// A table sidecar with invalid contents.
    #[error("invalid table sidecar {path}: {reason}")]
    SidecarInvalid { path: String, reason: String },

    /// An unqualified table name found in several namespaces.
    #[error(
        "table name {name} is ambiguous: it exists as {candidates}; qualify it or set a default schema"
    )]
    AmbiguousTable { name: String, candidates: String },

    /// A statement this session does not allow.
    #[error("{statement} refused: {reason}")]
    Refused { statement: String, reason: String },

    /// An engine setting with an invalid value.
    #[error("invalid setting {key}: {reason}")]
    Config { key: String, reason: String },

    /// Spill directory or other local I/O failed.
    #[error("{context}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    /// A table's load error, cached with the table and raised for each statement naming it.
    #[error(transparent)]
    Cached(std::sync::Arc<Error>),

    /// Planning or executing a statement failed.
    #[error("query failed")]
    Query(#[source] Box<DataFusionError>),
}

/// The details of [`Error::SchemaConflict`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaConflict {
    pub table: String,
    /// Dotted for nested fields (`payload.info.reason`).
    pub column: String,
    pub first_file: String,
    pub first_type: String,
    pub second_file: String,
    pub second_type: String,
}

impl From<DataFusionError> for Error {
    fn from(err: DataFusionError) -> Self {
        // An engine error that travelled through DataFusion comes back as itself.
        match err {
            DataFusionError::External(e) if e.is::<Error>() => match e.downcast::<Error>() {
                Ok(inner) => *inner,
                Err(e) => Error::Query(Box::new(DataFusionError::External(e))),
            },
            other => Error::Query(Box::new(other)),
        }
    }
}

impl From<arrow::error::ArrowError> for Error {
    fn from(err: arrow::error::ArrowError) -> Self {
        Error::Query(Box::new(DataFusionError::from(err)))
    }
}

impl From<Error> for DataFusionError {
    fn from(err: Error) -> Self {
        match err {
            Error::Query(df) => *df,
            other => DataFusionError::External(Box::new(other)),
        }
    }
}

impl Error {
    /// The full cause chain as one line, each layer once: what clients and the CLI print.
    pub fn chain_text(&self) -> String {
        error_chain_text(self)
    }
}

/// Joins an error's source chain with ": ", skipping parts already contained in the text so far.
pub fn error_chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let part = e.to_string();
        if !part.is_empty() && !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cur = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_stays_small() {
        // Results carry this by value everywhere (and clippy's result_large_err agrees).
        assert!(
            std::mem::size_of::<super::Error>() <= 112,
            "{}",
            std::mem::size_of::<super::Error>()
        );
    }
}
