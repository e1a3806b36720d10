"""Flight throughput: a 10-million-row result streamed to the ADBC Flight SQL driver on
loopback, next to the same query run in process (`tarn query --format discard`).

    .venv/bin/python benches/flight_throughput.py [--tarn PATH] [--rows N] [--runs K]

Use a release build (`cargo build --release --workspace --bins`; default PATH is
$CARGO_TARGET_DIR/release/tarn). Prints a Markdown table and writes
benches/results/flight_throughput.json.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import adbc_driver_flightsql.dbapi as flight_sql


def default_tarn() -> str:
    target = os.environ.get("CARGO_TARGET_DIR", str(Path.home() / ".cache/tarn/target"))
    return str(Path(target) / "release" / "tarn")


def query(rows: int) -> str:
    # Four columns of common types: ~ 30 bytes per row on the wire.
    return (
        f"SELECT value AS id, value % 1000 AS bucket, value * 0.5 AS amount, "
        f"concat('client-', value % 100000) AS label FROM range({rows})"
    )


def in_process(tarn: str, lake: str, sql: str) -> tuple[float, int]:
    started = time.perf_counter()
    out = subprocess.run([tarn, "query", "--lake", lake, "--format", "discard", sql], capture_output=True, check=True)
    elapsed = time.perf_counter() - started
    rows = int(out.stderr.decode().split()[0])
    return elapsed, rows


def over_flight(uri: str, sql: str) -> tuple[float, int, int]:
    with flight_sql.connect(uri, autocommit=True) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        cur.execute(sql)
        table = cur.fetch_arrow_table()
        elapsed = time.perf_counter() - started
        return elapsed, table.num_rows, table.nbytes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tarn", default=default_tarn())
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    lake = tempfile.mkdtemp(prefix="tarn-bench-lake-")
    sql = query(args.rows)
    server = subprocess.Popen(
        [args.tarn, "serve", "--lake", lake, "--addr", "127.0.0.1:0", "--stop-on-stdin-eof"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    uri = "grpc://" + server.stdout.readline().decode().strip().rsplit("//", 1)[1]
    try:
        in_process(args.tarn, lake, sql)  # warm-up
        over_flight(uri, sql)
        local, flight, nbytes = [], [], 0
        for _ in range(args.runs):  # alternate the two
            t, rows = in_process(args.tarn, lake, sql)
            assert rows == args.rows, rows
            local.append(t)
            t, rows, nbytes = over_flight(uri, sql)
            assert rows == args.rows, rows
            flight.append(t)
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    result = {
        "rows": args.rows,
        "arrow_bytes": nbytes,
        "in_process_s": statistics.median(local),
        "flight_adbc_s": statistics.median(flight),
        "machine": f"{platform.machine()} {os.cpu_count()} cpus, {platform.platform()}",
    }
    result["flight_over_in_process"] = result["flight_adbc_s"] / result["in_process_s"]
    print("| path | median s | rows/s | MB/s |\n|---|---|---|---|")
    for name, key in [("in process", "in_process_s"), ("Flight SQL → ADBC", "flight_adbc_s")]:
        t = result[key]
        print(f"| {name} | {t:.3f} | {args.rows / t:,.0f} | {nbytes / 1e6 / t:,.1f} |")
    print(f"\nFlight / in process: {result['flight_over_in_process']:.2f}×  ({result['machine']})")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "flight_throughput.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
