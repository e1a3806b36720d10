//! `tarn shell`: an interactive SQL shell in the manner of psql and duckdb.
//!
//! Line editing and history (rustyline), statements ending with `;` over several lines,
//! meta-commands (`\d`, `\dn`, `\timing`, …), a progress line for statements running longer
//! than a second, and Ctrl-C that cancels the running statement, not the shell.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use anyhow::Result;
use futures::{FutureExt, StreamExt};
use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;
use tarn_engine::Session;
use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::output::write_table;

const HELP: &str = r"Statements end with ';' and may span lines. Meta-commands:
  \d             list tables            \d NAME     describe a table
  \dn            list namespaces        \df [PAT]   list functions
  \timing        toggle timing          \refresh    forget cached listings
  \x             toggle row count line  \?          this help
  \q             quit (also Ctrl-D)
Ctrl-C cancels a running statement or clears the current input.";

/// Runs the shell until `\q` or end of input.
///
/// # Errors
/// Only for terminal failures; statement errors are printed and the shell goes on.
pub(crate) async fn run(session: Session) -> Result<()> {
    let interactive = std::io::stdin().is_terminal();
    let mut editor = DefaultEditor::new()?;
    let history = dirs_history();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    if interactive {
        println!(
            "tarn shell on {} — \\? for help, \\q to quit",
            session.lake().config().root
        );
    }
    // Registered once, so an interrupt at any moment reaches the shell, never the default
    // handler that would kill it.
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut timing = true;
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() {
            format!("{}> ", session.default_schema())
        } else {
            "   ...> ".to_string()
        };
        let line = match editor.readline(&prompt) {
            Ok(l) => l,
            Err(ReadlineError::Interrupted) => {
                buffer.clear();
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        };
        let trimmed = line.trim();
        if buffer.is_empty() && trimmed.starts_with('\\') {
            let _ = editor.add_history_entry(trimmed);
            match meta(&session, trimmed, &mut timing, &mut sigint).await {
                Ok(true) => continue,
                Ok(false) => break,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    continue;
                }
            }
        }
        if trimmed.is_empty() && buffer.is_empty() {
            continue;
        }
        buffer.push_str(&line);
        buffer.push('\n');
        for statement in take_statements(&mut buffer) {
            let _ = editor.add_history_entry(statement.trim());
            run_statement(&session, &statement, timing, &mut sigint).await;
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    Ok(())
}

fn dirs_history() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".tarn_history"))
}

/// Splits complete `;`-terminated statements off the front of `buffer`, respecting quotes and
/// comments; the incomplete rest stays in the buffer.
pub(crate) fn take_statements(buffer: &mut String) -> Vec<String> {
    let mut out = Vec::new();
    let bytes: Vec<char> = buffer.chars().collect();
    let (mut start, mut i) = (0usize, 0usize);
    let (mut quote, mut line_comment, mut block_comment) = (None::<char>, false, false);
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        if line_comment {
            line_comment = c != '\n';
        } else if block_comment {
            if c == '*' && next == Some('/') {
                block_comment = false;
                i += 1;
            }
        } else if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else if c == '\'' || c == '"' {
            quote = Some(c);
        } else if c == '-' && next == Some('-') {
            line_comment = true;
        } else if c == '/' && next == Some('*') {
            block_comment = true;
        } else if c == ';' {
            let stmt: String = bytes[start..i].iter().collect();
            if !stmt.trim().is_empty() {
                out.push(stmt.trim().to_string());
            }
            start = i + 1;
        }
        i += 1;
    }
    let rest: String = bytes[start..].iter().collect();
    *buffer = if rest.trim().is_empty() {
        String::new()
    } else {
        rest
    };
    out
}

/// Runs one statement, printing its result, its timing and any error; Ctrl-C cancels it.
async fn run_statement(session: &Session, sql: &str, timing: bool, sigint: &mut Signal) {
    // An interrupt that arrived while idle must not cancel this statement.
    while sigint.recv().now_or_never().is_some() {}
    let started = Instant::now();
    let work = async {
        let df = session.sql(sql).await?;
        let schema = std::sync::Arc::new(df.schema().as_arrow().clone());
        let mut stream = df
            .execute_stream()
            .await
            .map_err(tarn_engine::Error::from)?;
        let mut batches = Vec::new();
        while let Some(b) = stream.next().await {
            batches.push(b.map_err(tarn_engine::Error::from)?);
        }
        Ok::<_, tarn_engine::Error>((schema, batches))
    };
    let progress = progress_line(started);
    let outcome = tokio::select! {
        r = work => Some(r),
        _ = sigint.recv() => None,
    };
    progress.abort();
    clear_progress();
    match outcome {
        None => eprintln!("cancelled after {:.3}s", started.elapsed().as_secs_f64()),
        Some(Err(e)) => eprintln!("error: {}", crate::error_text(&e)),
        Some(Ok((schema, batches))) => {
            let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
            let mut out = std::io::stdout().lock();
            if let Err(e) = write_table(&mut out, &schema, &batches) {
                eprintln!("error: {e:#}");
            }
            if timing && !schema.fields().is_empty() {
                let _ = writeln!(
                    out,
                    "{rows} row{} in {:.3}s",
                    if rows == 1 { "" } else { "s" },
                    started.elapsed().as_secs_f64()
                );
            } else if timing {
                let _ = writeln!(out, "ok in {:.3}s", started.elapsed().as_secs_f64());
            }
        }
    }
}

/// Prints an elapsed-time line on stderr once a statement has run for a second.
fn progress_line(started: Instant) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if !std::io::stderr().is_terminal() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        let frames = ['|', '/', '-', '\\'];
        let mut i = 0;
        loop {
            eprint!(
                "\r{} running {:.1}s (Ctrl-C cancels)",
                frames[i % 4],
                started.elapsed().as_secs_f64()
            );
            let _ = std::io::stderr().flush();
            i += 1;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
}

fn clear_progress() {
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[2K");
    }
}

/// Handles a meta-command; returns `false` to quit.
async fn meta(
    session: &Session,
    line: &str,
    timing: &mut bool,
    sigint: &mut Signal,
) -> Result<bool> {
    let mut parts = line.split_whitespace();
    let cmd = parts.next().unwrap_or_default();
    let arg = parts.next();
    let sql = match (cmd, arg) {
        ("\\q" | "\\quit", _) => return Ok(false),
        ("\\?" | "\\h" | "\\help", _) => {
            println!("{HELP}");
            return Ok(true);
        }
        ("\\timing", _) => {
            *timing = !*timing;
            println!("timing is {}", if *timing { "on" } else { "off" });
            return Ok(true);
        }
        ("\\refresh", _) => "REFRESH LAKE".to_string(),
        ("\\d", None) => {
            "SELECT table_schema, table_name, table_type FROM information_schema.tables \
             WHERE table_schema NOT IN ('information_schema') ORDER BY 1, 2"
                .to_string()
        }
        ("\\d", Some(name)) => format!("DESCRIBE {name}"),
        ("\\dn", _) => "SELECT schema_name FROM information_schema.schemata ORDER BY 1".to_string(),
        ("\\df", pat) => format!(
            "SELECT DISTINCT routine_name, function_type, description FROM information_schema.routines {} ORDER BY 1",
            pat.map(|p| format!("WHERE routine_name LIKE '{}'", p.replace('\'', "''")))
                .unwrap_or_default()
        ),
        _ => anyhow::bail!("unknown command {cmd}; \\? lists them"),
    };
    run_statement(session, &sql, *timing, sigint).await;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::take_statements;

    #[test]
    fn statements_split_on_semicolons_outside_quotes_and_comments() {
        let mut b = "SELECT ';' AS a; -- x; y\nSELECT 2 /* ; */;\nSELECT".to_string();
        let got = take_statements(&mut b);
        assert_eq!(got, vec!["SELECT ';' AS a", "-- x; y\nSELECT 2 /* ; */"]);
        assert_eq!(b, "\nSELECT");
        let mut b = "  \n".to_string();
        assert!(take_statements(&mut b).is_empty());
        assert!(b.is_empty());
    }
}
