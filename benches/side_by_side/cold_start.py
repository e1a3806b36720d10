"""The cold-start case: a lake of 10,000 one-file partitions (``coldstart.events``, written
with pyarrow once and cached); the time from process start to the answer of a one-partition
query, for ``tarn query`` and for a ``python -c`` DuckDB script, and the Parquet files and
bytes each process reads (counted with strace)."""

import datetime
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

PARTITIONS = 10_000
ROWS_PER_FILE = 100
FIRST_DAY = datetime.date(2000, 1, 1)
TARGET_DAY = FIRST_DAY + datetime.timedelta(days=PARTITIONS // 2)
_SYSCALL = re.compile(r"^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+)")
_FD_PATH = re.compile(r"^\d+<([^>]*)>")
_READS = {"read", "pread64", "readv", "preadv", "preadv2"}


def ensure_lake(root: Path) -> Path:
    """Write the lake at ``root`` unless a complete one is there already."""
    if (root / "_complete").exists():
        return root
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    print(f"writing the cold-start lake ({PARTITIONS:,} partitions) to {root}", file=sys.stderr, flush=True)
    for day in range(PARTITIONS):
        date = FIRST_DAY + datetime.timedelta(days=day)
        folder = partial / "coldstart" / "events" / f"submission_date={date.isoformat()}"
        folder.mkdir(parents=True)
        ids = pa.array(range(day * ROWS_PER_FILE, (day + 1) * ROWS_PER_FILE), pa.int64())
        table = pa.table({"event_id": ids, "kind": pa.array([f"kind-{i % 7}" for i in range(ROWS_PER_FILE)])})
        pq.write_table(table, folder / "part-0.parquet")
    shutil.rmtree(root, ignore_errors=True)
    partial.rename(root)
    (root / "_complete").touch()
    return root


def commands(lake: Path, tarn: Path) -> dict[str, list[str]]:
    """The one-partition count, as each tool's user would run it from a shell."""
    where = f"submission_date = DATE '{TARGET_DAY.isoformat()}'"
    tarn_sql = f"SELECT count(*) AS n FROM coldstart.events WHERE {where}"
    files = f"{lake}/coldstart/events/**/*.parquet"
    duckdb_sql = f"SELECT count(*) FROM read_parquet('{files}', hive_partitioning = true) WHERE {where}"
    return {
        "tarn": [str(tarn), "query", "--lake", str(lake), "--format", "csv", tarn_sql],
        "duckdb": [sys.executable, "-c", f'import duckdb; print(duckdb.sql("{duckdb_sql}").fetchall()[0][0])'],
    }


def _timed(argv: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run(argv, check=False, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if out.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {out.stderr.strip()[-500:]}")
    return elapsed, out.stdout.split()[-1]


def _joined_strace_lines(log: Path) -> list[str]:
    """Lines of an ``strace -f`` log with each "<unfinished ...>" call joined to its end."""
    pending: dict[str, str] = {}
    lines = []
    for line in log.read_text(errors="replace").splitlines():
        pid = line.split(" ", 1)[0]
        if line.endswith("<unfinished ...>"):
            pending[pid] = line.removesuffix("<unfinished ...>")
        elif "resumed>" in line and pid in pending:
            lines.append(pending.pop(pid) + line.split("resumed>", 1)[1])
        else:
            lines.append(line)
    return lines


def file_reads(argv: list[str]) -> dict[str, int]:
    """Parquet files opened, bytes read from them, directories opened and bytes read from any
    file by ``argv`` and its threads, from an strace log."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "strace.log"
        trace = "trace=openat,read,pread64,readv,preadv,preadv2"
        subprocess.run(
            ["strace", "-f", "-y", "-qq", "-o", str(log), "-e", trace, *argv], capture_output=True, check=True
        )
        counts = {"parquet_files_opened": 0, "parquet_bytes_read": 0, "directories_opened": 0, "bytes_read": 0}
        for line in _joined_strace_lines(log):
            match = _SYSCALL.match(line)
            if not match or int(match.group(4)) < 0:
                continue
            call, args, returned = match.group(2), match.group(3), int(match.group(4))
            if call == "openat":
                counts["parquet_files_opened"] += '.parquet"' in args
                counts["directories_opened"] += "O_DIRECTORY" in args
            elif call in _READS:
                counts["bytes_read"] += returned
                path = _FD_PATH.match(args)
                if path and path.group(1).endswith(".parquet"):
                    counts["parquet_bytes_read"] += returned
    return counts


def run(lake: Path, tarn: Path, runs: int) -> dict[str, Any]:
    """Per tool: median seconds from process start to the answer, the answer, and its reads."""
    result: dict[str, Any] = {"partitions": PARTITIONS, "query_day": TARGET_DAY.isoformat(), "tools": {}}
    argvs = commands(lake, tarn)
    times: dict[str, list[float]] = {tool: [] for tool in argvs}
    for tool, argv in argvs.items():
        try:
            _timed(argv)  # warm-up: the page cache holds the lake for every timed run
        except RuntimeError as err:
            result["tools"][tool] = {"error": str(err)}
    live = [tool for tool in argvs if tool not in result["tools"]]
    for _ in range(runs):
        for tool in list(live):
            try:
                elapsed, answer = _timed(argvs[tool])
            except RuntimeError as err:
                result["tools"][tool] = {"error": str(err)}
                live.remove(tool)
                continue
            times[tool].append(elapsed)
            result["tools"][tool] = {"answer": answer}
    for tool in live:
        entry = result["tools"][tool]
        entry["median_s"] = statistics.median(times[tool])
        entry["runs_s"] = times[tool]
        entry["correct"] = entry["answer"] == str(ROWS_PER_FILE)
        if shutil.which("strace"):
            entry.update(file_reads(argvs[tool]))
    return result
