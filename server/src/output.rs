//! Writing query results in the formats of `tarn query --format`.

use std::io::Write;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use arrow::util::display::FormatOptions;
use arrow::util::pretty::pretty_format_batches_with_options;
use clap::ValueEnum;
use datafusion::execution::SendableRecordBatchStream;
use futures::StreamExt;
use parquet::arrow::ArrowWriter;

/// Output formats of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// An aligned text table.
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A Parquet file (needs --output, or a non-terminal stdout).
    Parquet,
    /// Run the query and discard the rows; print rows, bytes and time on stderr (benchmarks).
    Discard,
}

/// How NULL looks in text output.
pub(crate) const NULL_TEXT: &str = "NULL";

/// Streams `stream` to `out` in `format`; returns the number of rows written.
///
/// # Errors
/// Execution errors of the query and write errors of `out`.
pub(crate) async fn write_stream(
    mut stream: SendableRecordBatchStream,
    format: Format,
    out: Box<dyn Write + Send>,
) -> Result<usize> {
    let schema = stream.schema();
    let mut rows = 0usize;
    match format {
        Format::Table => {
            let mut batches = Vec::new();
            while let Some(b) = stream.next().await {
                let b = b?;
                rows += b.num_rows();
                batches.push(b);
            }
            let mut out = out;
            write_table(&mut out, &schema, &batches)?;
            out.flush()?;
        }
        Format::Csv => {
            let mut w = arrow::csv::WriterBuilder::new()
                .with_header(true)
                .build(out);
            while let Some(b) = stream.next().await {
                let b = b?;
                rows += b.num_rows();
                w.write(&b)?;
            }
            if rows == 0 {
                // The header still says what the columns are.
                w.write(&RecordBatch::new_empty(schema))?;
            }
            w.into_inner().flush()?;
        }
        Format::Json => {
            let mut w = arrow::json::ArrayWriter::new(out);
            while let Some(b) = stream.next().await {
                let b = b?;
                rows += b.num_rows();
                w.write(&b)?;
            }
            w.finish()?;
            // The writer prints `[]` for an empty result itself.
            let mut inner = w.into_inner();
            inner.write_all(b"\n")?;
            inner.flush()?;
        }
        Format::Ndjson => {
            let mut w = arrow::json::LineDelimitedWriter::new(out);
            while let Some(b) = stream.next().await {
                let b = b?;
                rows += b.num_rows();
                w.write(&b)?;
            }
            w.finish()?;
            w.into_inner().flush()?;
        }
        Format::Discard => {
            let started = std::time::Instant::now();
            let mut bytes = 0usize;
            while let Some(b) = stream.next().await {
                let b = b?;
                rows += b.num_rows();
                bytes += b.get_array_memory_size();
            }
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "{rows} rows, {:.1} MB in memory, {secs:.3}s ({:.0} rows/s, {:.1} MB/s)",
                bytes as f64 / 1e6,
                rows as f64 / secs.max(1e-9),
                bytes as f64 / 1e6 / secs.max(1e-9)
            );
            drop(out);
        }
        Format::Parquet => {
            let mut w = ArrowWriter::try_new(out, schema, None)?;
            while let Some(b) = stream.next().await {
                let b = b?;
                rows += b.num_rows();
                w.write(&b)?;
            }
            w.close()?;
        }
    }
    Ok(rows)
}

/// Writes batches as an aligned table; a result with no columns prints nothing.
pub(crate) fn write_table(
    out: &mut dyn Write,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<()> {
    if schema.fields().is_empty() {
        return Ok(());
    }
    let options = FormatOptions::default()
        .with_null(NULL_TEXT)
        .with_display_error(true);
    let table = if batches.iter().all(|b| b.num_rows() == 0) {
        pretty_format_batches_with_options(&[RecordBatch::new_empty(Arc::clone(schema))], &options)?
    } else {
        pretty_format_batches_with_options(batches, &options)?
    };
    writeln!(out, "{table}")?;
    Ok(())
}

/// Opens the destination of a result.
///
/// # Errors
/// When the file cannot be created, or Parquet would go to a terminal.
pub(crate) fn open_output(
    path: Option<&std::path::Path>,
    format: Format,
) -> Result<Box<dyn Write + Send>> {
    match path {
        Some(p) => {
            let f = std::fs::File::create(p)
                .with_context(|| format!("cannot create {}", p.display()))?;
            Ok(Box::new(std::io::BufWriter::new(f)))
        }
        None => {
            use std::io::IsTerminal;
            if format == Format::Parquet && std::io::stdout().is_terminal() {
                bail!("--format parquet writes binary data: give --output FILE or redirect stdout");
            }
            Ok(Box::new(std::io::BufWriter::new(std::io::stdout())))
        }
    }
}
