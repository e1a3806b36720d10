//! `tarn batch`: statements from stdin, one JSON object per line, answered one JSON line each,
//! on one session. Scripts and the side-by-side benchmark drive tarn in process through it.
//!
//! Request: `{"sql": "SELECT …", "result": true}` (`result` defaults to false).
//! Answer: `{"ok": true, "rows": N, "elapsed_ms": 12.5, "result": [[…], …]}` with `result`
//! only when asked (each row an array of JSON values in column order), or
//! `{"ok": false, "error": "…"}`. `elapsed_ms` runs from planning to the last batch in memory.

use std::io::{BufRead, Write};
use std::time::Instant;

use anyhow::{Context, Result};
use arrow::array::RecordBatch;
use futures::TryStreamExt;
use serde::Deserialize;
use serde_json::{Value, json};
use tarn_engine::Session;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    sql: String,
    #[serde(default)]
    result: bool,
}

/// Answers every request line of stdin on `session` until stdin closes.
///
/// # Errors
/// Reading stdin or writing stdout failed; statement errors are answers, not errors.
pub(crate) async fn run(session: Session) -> Result<()> {
    let (lines_tx, mut lines) = tokio::sync::mpsc::channel::<std::io::Result<String>>(1);
    // Stdin is blocking: read it on its own thread.
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            if lines_tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    let mut stdout = std::io::stdout().lock();
    while let Some(line) = lines.recv().await {
        let line = line.context("cannot read stdin")?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = match serde_json::from_str::<Request>(&line) {
            Ok(request) => answer(&session, &request).await,
            Err(e) => json!({"ok": false, "error": format!("invalid request line: {e}")}),
        };
        serde_json::to_writer(&mut stdout, &answer).context("cannot write stdout")?;
        stdout
            .write_all(b"\n")
            .and_then(|()| stdout.flush())
            .context("cannot write stdout")?;
    }
    Ok(())
}

async fn answer(session: &Session, request: &Request) -> Value {
    let started = Instant::now();
    let batches = match collect(session, &request.sql).await {
        Ok(b) => b,
        Err(e) => return json!({"ok": false, "error": e}),
    };
    let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let mut out = json!({"ok": true, "rows": rows, "elapsed_ms": elapsed_ms});
    if request.result {
        match rows_as_json(&batches) {
            Ok(r) => out["result"] = Value::Array(r),
            Err(e) => return json!({"ok": false, "error": format!("{e:#}")}),
        }
    }
    out
}

async fn collect(session: &Session, sql: &str) -> std::result::Result<Vec<RecordBatch>, String> {
    let stream = session
        .execute(sql)
        .await
        .map_err(|e| crate::error_text(&e))?;
    stream.try_collect().await.map_err(|e| {
        let e = tarn_engine::Error::from(e);
        crate::error_text(&e)
    })
}

/// Every row as an array of JSON values in column order (arrow's JSON encoding of each value).
fn rows_as_json(batches: &[RecordBatch]) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for batch in batches {
        let names: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        // Rows as objects keyed by column name, with explicit nulls.
        let mut buf = Vec::new();
        let mut w = arrow::json::WriterBuilder::new()
            .with_explicit_nulls(true)
            .build::<_, arrow::json::writer::JsonArray>(&mut buf);
        w.write(batch).context("cannot encode the result as JSON")?;
        w.finish().context("cannot encode the result as JSON")?;
        drop(w);
        if buf.is_empty() {
            continue;
        }
        let objects: Vec<serde_json::Map<String, Value>> =
            serde_json::from_slice(&buf).context("cannot encode the result as JSON")?;
        for mut object in objects {
            let row = names
                .iter()
                .map(|n| object.remove(n).unwrap_or(Value::Null))
                .collect();
            out.push(Value::Array(row));
        }
    }
    Ok(out)
}
