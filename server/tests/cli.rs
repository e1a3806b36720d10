//! The `tarn` command as users run it: demo, query in every format, errors, and the shell.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn tarn() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tarn"))
}

fn run(args: &[&str]) -> Output {
    tarn().args(args).output().expect("tarn runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A small demo lake, written once per test that needs it.
fn demo(dir: &Path) {
    let out = run(&[
        "demo",
        "--dir",
        dir.to_str().unwrap(),
        "--clients",
        "300",
        "--days",
        "30",
        "--seed",
        "7",
    ]);
    assert!(out.status.success(), "demo failed: {}", text(&out.stderr));
}

#[test]
fn demo_lake_has_the_three_tables_and_consistent_bits() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let lake = dir.path().to_str().unwrap();
    let out = run(&[
        "query",
        "--lake",
        lake,
        "--format",
        "csv",
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'telemetry' ORDER BY 1",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "table_name\nclient_count_daily\nclient_count_daily_v2\nclients_daily\nclients_daily_hll\nclients_daily_hll_v1\nclients_daily_v6\nclients_last_seen\nclients_last_seen_v1\nmain_summary\nmain_summary_v4\n"
    );
    // bits28.md §3.3: the clients seen today in clients_last_seen are exactly today's
    // clients_daily clients (Mozilla's data-quality check), on every day.
    let out = run(&[
        "query",
        "--lake",
        lake,
        "--schema",
        "telemetry",
        "--format",
        "csv",
        "SELECT count(*) FROM (
           SELECT submission_date, count(*) AS n FROM clients_last_seen WHERE days_seen_bits & 1 = 1 GROUP BY 1) ls
         JOIN (SELECT submission_date, count(DISTINCT client_id) AS n FROM clients_daily GROUP BY 1) cd
           USING (submission_date)
         WHERE ls.n = cd.n",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "count(*)\n30\n");
    // Every row of clients_last_seen is inside the window, and bits stay within 28.
    let out = run(&[
        "query",
        "--lake",
        lake,
        "--format",
        "csv",
        "SELECT count(*) FROM telemetry.clients_last_seen WHERE days_seen_bits <= 0 OR days_seen_bits >= 268435456",
    ]);
    assert_eq!(text(&out.stdout), "count(*)\n0\n", "{}", text(&out.stderr));
    // The same seed writes the same lake.
    let again = tempfile::tempdir().unwrap();
    demo(again.path());
    let a = std::fs::read(
        dir.path()
            .join("telemetry/clients_daily/v6/submission_date=2026-01-05/part-00000.parquet"),
    )
    .unwrap();
    let b = std::fs::read(
        again
            .path()
            .join("telemetry/clients_daily/v6/submission_date=2026-01-05/part-00000.parquet"),
    )
    .unwrap();
    assert_eq!(a, b);
    // An existing demo is not overwritten.
    let out = run(&["demo", "--dir", dir.path().to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("already exists"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn query_formats() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().to_str().unwrap();
    let sql = "SELECT * FROM (VALUES (1, 'a', NULL), (2, 'b,c', 3.5)) AS t(id, s, x) ORDER BY id";
    let out = run(&["query", "--lake", lake, "--format", "ndjson", sql]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "{\"id\":1,\"s\":\"a\"}\n{\"id\":2,\"s\":\"b,c\",\"x\":3.5}\n"
    );

    let out = run(&["query", "--lake", lake, "--format", "csv", sql]);
    assert_eq!(text(&out.stdout), "id,s,x\n1,a,\n2,\"b,c\",3.5\n");

    let out = run(&["query", "--lake", lake, "--format", "json", sql]);
    assert_eq!(
        text(&out.stdout),
        "[{\"id\":1,\"s\":\"a\"},{\"id\":2,\"s\":\"b,c\",\"x\":3.5}]\n"
    );

    let out = run(&[
        "query",
        "--lake",
        lake,
        "--format",
        "json",
        "SELECT 1 AS a WHERE false",
    ]);
    assert_eq!(text(&out.stdout), "[]\n");

    let out = run(&["query", "--lake", lake, sql]);
    let table = text(&out.stdout);
    assert!(table.contains("| id | s   | x    |"), "{table}");
    assert!(table.contains("| 1  | a   | NULL |"), "{table}");

    let file = dir.path().join("out.parquet");
    let out = run(&[
        "query",
        "--lake",
        lake,
        "--format",
        "parquet",
        "--output",
        file.to_str().unwrap(),
        sql,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        std::fs::File::open(&file).unwrap(),
    )
    .unwrap()
    .build()
    .unwrap();
    let batches: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 2);
    assert_eq!(batches[0].schema().field(1).name(), "s");

    // The statement can come from stdin.
    let mut child = tarn()
        .args(["query", "--lake", lake, "--format", "csv", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"SELECT 40 + 2 AS answer")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(text(&out.stdout), "answer\n42\n");
}

#[test]
fn query_errors_exit_non_zero_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().to_str().unwrap();
    let out = run(&["query", "--lake", lake, "SELEC 1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("error: SQL error: ParserError"),
        "{}",
        text(&out.stderr)
    );

    let out = run(&["query", "--lake", lake, "SELECT * FROM nowhere"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("table 'tarn.default.nowhere' not found"),
        "{}",
        text(&out.stderr)
    );

    let out = run(&["query", "--lake", "/no/such/dir", "SELECT 1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("/no/such/dir"),
        "{}",
        text(&out.stderr)
    );

    let out = run(&[
        "query",
        "--lake",
        lake,
        "--memory-limit",
        "lots",
        "SELECT 1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--memory-limit"),
        "{}",
        text(&out.stderr)
    );

    let out = run(&["query", "--lake", lake, "--format", "parquet", "SELECT 1"]);
    // stdout is a pipe here, so parquet to stdout is allowed.
    assert!(out.status.success());
    assert_eq!(&out.stdout[..4], b"PAR1");
}

#[test]
fn batch_answers_each_json_line() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().to_str().unwrap();
    let mut child = tarn()
        .args(["batch", "--lake", lake])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tarn batch starts");
    let requests = concat!(
        r#"{"sql": "SELECT v, CAST(v AS VARCHAR) AS s, NULL AS n FROM (VALUES (2), (1)) t(v) ORDER BY v", "result": true}"#,
        "\n",
        r#"{"sql": "SELECT * FROM range(1000)"}"#,
        "\n\n",
        r#"{"sql": "SELEC 1"}"#,
        "\n",
        r#"{"query": "SELECT 1"}"#,
        "\n",
    );
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(requests.as_bytes())
        .expect("requests written");
    let out = child
        .wait_with_output()
        .expect("tarn batch ends with stdin");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let answers: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each answer is one JSON line"))
        .collect();
    assert_eq!(answers.len(), 4, "{answers:?}");
    assert_eq!(answers[0]["ok"], true, "{}", answers[0]);
    assert_eq!(answers[0]["rows"], 2);
    assert!(
        answers[0]["elapsed_ms"]
            .as_f64()
            .is_some_and(|ms| ms >= 0.0)
    );
    assert_eq!(
        answers[0]["result"],
        serde_json::json!([[1, "1", null], [2, "2", null]])
    );
    assert_eq!(answers[1]["ok"], true, "{}", answers[1]);
    assert_eq!(answers[1]["rows"], 1000);
    assert!(answers[1].get("result").is_none(), "{}", answers[1]);
    assert_eq!(answers[2]["ok"], false);
    assert!(
        answers[2]["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("SQL error: ParserError")),
        "{}",
        answers[2]
    );
    assert!(
        answers[3]["error"]
            .as_str()
            .is_some_and(|e| e.contains("invalid request line: unknown field `query`")),
        "{}",
        answers[3]
    );
}

#[test]
fn shell_runs_statements_meta_commands_and_cancels() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let mut child = tarn()
        .args([
            "shell",
            "--lake",
            dir.path().to_str().unwrap(),
            "--schema",
            "telemetry",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"\\d\nSELECT count(*)\n  AS n FROM clients_daily\n WHERE submission_date = DATE '2026-01-03';\n\\d clients_last_seen\nSELEC 1;\n")
        .unwrap();
    // A statement that runs for a long time, then Ctrl-C (SIGINT) while it runs.
    stdin
        .write_all(b"SELECT count(*) FROM range(0, 100000000000) a WHERE a.value % 7 = 3;\n")
        .unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    stdin
        .write_all(b"SELECT 'still here' AS status;\n\\q\n")
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("clients_last_seen_v1"),
        "\\d lists tables: {stdout}"
    );
    assert!(stdout.contains("| n "), "{stdout}");
    assert!(
        stdout.contains("days_seen_bits"),
        "\\d NAME describes: {stdout}"
    );
    assert!(stderr.contains("error: SQL error: ParserError"), "{stderr}");
    assert!(stderr.contains("cancelled after"), "{stderr}");
    assert!(
        stdout.contains("still here"),
        "the shell survives Ctrl-C: {stdout}"
    );
}
