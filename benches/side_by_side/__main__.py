"""Side-by-side benchmark of tarn, tarn over Flight SQL, DuckDB and datafusion-python on a
demo lake, plus the cold-start and Flight throughput cases. ``benches/run.sh`` installs what
it needs and calls this.

    python -m side_by_side --scale small|medium [--runs N] [--engines tarn,duckdb,...]
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from side_by_side import cold_start, demo_lake, engines, report, runner, suite

BENCHES = Path(__file__).resolve().parent.parent
CASES = ("suite", "cold-start", "flight-throughput")


def default_tarn() -> Path:
    """The release build if there is one, else the debug build."""
    target = Path.home() / ".cache" / "tarn" / "target"
    release = target / "release" / "tarn"
    return release if release.exists() else target / "debug" / "tarn"


def _names(text: str, allowed: tuple[str, ...]) -> list[str]:
    names = [n for n in text.split(",") if n]
    unknown = set(names) - set(allowed)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown {', '.join(sorted(unknown))}; choose from {', '.join(allowed)}")
    return names


def arguments() -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="benches/run.sh", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", choices=sorted(demo_lake.SCALES), required=True)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per query and engine (default 5)")
    ap.add_argument("--engines", type=lambda t: _names(t, engines.ENGINES), default=list(engines.ENGINES))
    ap.add_argument("--cases", type=lambda t: _names(t, CASES), default=list(CASES))
    ap.add_argument("--queries", type=lambda t: [n for n in t.split(",") if n], help="only these suite queries")
    ap.add_argument("--tarn", type=Path, default=default_tarn(), help="tarn binary (default: release, else debug)")
    ap.add_argument(
        "--lake", type=Path, help="an existing demo lake (default: benches/lakes/<scale>, written if absent)"
    )
    ap.add_argument("--timeout", type=float, default=600, help="seconds one statement may take")
    ap.add_argument("--flight-rows", type=int, help="rows of the Flight throughput case (default: its own)")
    ap.add_argument("--out", type=Path, default=BENCHES / "results")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    args.tarn = args.tarn.resolve()
    if not args.tarn.exists():
        ap.error(f"no tarn binary at {args.tarn}: build one with `cargo build --release --workspace --bins`")
    return args


def _flight_throughput(tarn: Path, rows: int | None) -> dict[str, Any]:
    argv = [sys.executable, str(BENCHES / "flight_throughput.py"), "--tarn", str(tarn)]
    if rows:
        argv += ["--rows", str(rows)]
    done = subprocess.run(argv, check=False, stdout=sys.stderr)
    written = BENCHES / "results" / "flight_throughput.json"
    if done.returncode != 0 or not written.exists():
        return {}
    throughput: dict[str, Any] = json.loads(written.read_text())
    return throughput


def main() -> None:
    args = arguments()
    args.out.mkdir(parents=True, exist_ok=True)
    logs = args.out / f"logs-{args.scale}"
    logs.mkdir(exist_ok=True)
    lake = (args.lake or demo_lake.ensure(BENCHES / "lakes" / args.scale, args.scale, args.tarn)).resolve()
    result: dict[str, Any] = {
        "scale": args.scale,
        "lake": str(lake),
        "lake_bytes": demo_lake.size_bytes(lake),
        "runs": args.runs,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "engines": args.engines,
        "machine": report.machine(),
        "versions": report.versions(args.tarn),
        "queries": [],
        "peak_memory_bytes": dict.fromkeys(args.engines, 0),
        "unavailable": {},
    }
    if "suite" in args.cases:
        pool = runner.Pool(args.engines, lake, args.tarn, logs, args.timeout)
        try:
            result["queries"] = runner.run(suite.load(args.queries), pool, args.runs)
        finally:
            pool.close()
        result["peak_memory_bytes"] = pool.peak_bytes
        result["unavailable"] = pool.unavailable
    result["summary"] = report.summary(result["queries"], [e for e in args.engines if e not in result["unavailable"]])
    if "cold-start" in args.cases:
        cold_lake = cold_start.ensure_lake(BENCHES / "lakes" / "coldstart")
        result["cold_start"] = cold_start.run(cold_lake, args.tarn, args.runs)
    if "flight-throughput" in args.cases:
        result["flight_throughput"] = _flight_throughput(args.tarn, args.flight_rows)
    (args.out / f"{args.scale}.json").write_text(json.dumps(result, indent=2) + "\n")
    text = report.markdown(result)
    (args.out / f"{args.scale}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
