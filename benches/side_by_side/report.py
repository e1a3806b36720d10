"""The report: the machine, the versions of every engine, and the Markdown table and JSON file
of a run."""

import importlib.metadata
import math
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from side_by_side.engines import REFERENCE


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM and OS of this machine."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or platform.machine(),
    )
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")
    )
    os_release = Path("/etc/os-release")
    pretty = (
        next(
            (
                line.split("=", 1)[1].strip('"')
                for line in os_release.read_text().splitlines()
                if line.startswith("PRETTY_NAME=")
            ),
            platform.system(),
        )
        if os_release.exists()
        else platform.system()
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 2**20, 1),
        "os": f"{pretty}, Linux {platform.release()}",
    }


def versions(tarn: Path) -> dict[str, str]:
    """Versions of tarn (with its build profile) and of the Python packages of the other engines."""
    probe = subprocess.run([str(tarn), "--version"], check=False, capture_output=True, text=True)
    found = {"tarn": f"{probe.stdout.strip().removeprefix('tarn ') or 'unknown'} ({tarn.parent.name} build)"}
    found["python"] = platform.python_version()
    for package in ("duckdb", "datafusion", "pyarrow", "adbc-driver-flightsql"):
        found[package] = importlib.metadata.version(package)
    return found


def summary(queries: list[dict[str, Any]], engines: list[str]) -> dict[str, Any]:
    """Geometric means of the medians over the queries that every engine answered correctly,
    and each engine's ratio to the reference engine there."""
    common = [
        q
        for q in queries
        if all(q["engines"][e].get("status") == "ok" and "median_ms" in q["engines"][e] for e in engines)
    ]
    geomean = {
        e: math.exp(sum(math.log(max(q["engines"][e]["median_ms"], 1e-3)) for q in common) / len(common))
        if common
        else None
        for e in engines
    }
    reference = geomean.get(REFERENCE)
    ratio = {e: (g / reference if g and reference else None) for e, g in geomean.items()}
    return {"queries_in_geomean": [q["query"] for q in common], "geomean_ms": geomean, "geomean_ratio_to_duckdb": ratio}


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB" if n else "–"


def _cell(result: dict[str, Any], reference_ms: float | None, unavailable: bool) -> str:
    if unavailable:
        return "unavailable"
    if "median_ms" not in result:
        return str(result.get("status", "error"))
    text = f"{result['median_ms']:,.1f}"
    if reference_ms:
        text += f" ({result['median_ms'] / reference_ms:.2f}×)"
    if result["status"] != "ok":
        text += f" **{result['status']}**"
    return text


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: the suite table, the cold-start and Flight throughput cases, notes."""
    lines = [f"# Side-by-side benchmark, scale {report['scale']}", ""]
    if report["queries"]:
        lines += _suite_lines(report)
    if report.get("cold_start"):
        lines += ["", *_cold_start_lines(report["cold_start"])]
    if report.get("flight_throughput"):
        ft = report["flight_throughput"]
        lines += [
            "",
            f"## Flight throughput ({ft['rows']:,} rows)",
            "",
            (
                f"In process {ft['in_process_s']:.3f} s, Flight SQL → ADBC {ft['flight_adbc_s']:.3f} s: "
                f"{ft['flight_over_in_process']:.2f}× ({ft['arrow_bytes'] / 1e6:,.0f} MB of Arrow)."
            ),
        ]
    m = report["machine"]
    lines += ["", "## Machine", "", f"{m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['os']}.", ""]
    lines += [f"* {name} {version}" for name, version in report["versions"].items()]
    return "\n".join(lines) + "\n"


def _suite_lines(report: dict[str, Any]) -> list[str]:
    engines = report["engines"]
    lines = [
        (
            f"Lake: `{report['lake']}` ({report['lake_bytes'] / 1e6:,.0f} MB). Median of {report['runs']} runs after a "
            f"warm-up, in ms (ratio to {REFERENCE}); engines alternate in a rotating order."
        ),
        "",
        "| query | " + " | ".join(engines) + " |",
        "|---|" + "---:|" * len(engines),
    ]
    for query in report["queries"]:
        reference = query["engines"].get(REFERENCE, {}).get("median_ms")
        lines.append(
            f"| {query['query']} | "
            + " | ".join(_cell(query["engines"][e], reference, e in report["unavailable"]) for e in engines)
            + " |"
        )
    summary = report["summary"]
    geo = [
        f"{summary['geomean_ms'][e]:,.1f} ({summary['geomean_ratio_to_duckdb'][e]:.2f}×)"
        if summary["geomean_ms"].get(e) and summary["geomean_ratio_to_duckdb"].get(e)
        else "–"
        for e in engines
    ]
    lines.append(f"| **geometric mean** ({len(summary['queries_in_geomean'])} queries) | " + " | ".join(geo) + " |")
    lines.append(
        "| **peak memory** (VmHWM) | " + " | ".join(_mib(report["peak_memory_bytes"][e]) for e in engines) + " |"
    )
    notes = [
        f"* {q['query']}, {e}: {r['status']}: {' '.join(r['detail'].split())}"
        for q in report["queries"]
        for e, r in q["engines"].items()
        if r.get("detail") and e not in report["unavailable"]
    ]
    notes += [f"* {e} unavailable: {why}" for e, why in report["unavailable"].items()]
    if notes:
        lines += ["", "Errors and mismatches:", "", *notes]
    lines += [
        "",
        (
            "Peak memory is the worker process's (for tarn-flight, the server's). Python workers include "
            "the interpreter and pyarrow (~100 MiB)."
        ),
    ]
    return lines


def _cold_start_lines(cold: dict[str, Any]) -> list[str]:
    lines = [
        f"## Cold start ({cold['partitions']:,} partitions, one queried)",
        "",
        (
            "Process start to answer (DuckDB's includes starting Python and importing duckdb, as a "
            "`python -c` script does); files and bytes from strace."
        ),
        "",
        "| tool | median s | answer | Parquet files opened | Parquet bytes read | directories opened | bytes read (all files) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for tool, r in cold["tools"].items():
        if "error" in r:
            lines.append(f"| {tool} | error: {r['error'][:200]} | | | | | |")
            continue
        answer = r["answer"] + ("" if r["correct"] else " **wrong**")
        counts = [
            f"{r[k]:,}" if k in r else "–"
            for k in ("parquet_files_opened", "parquet_bytes_read", "directories_opened", "bytes_read")
        ]
        lines.append(f"| {tool} | {r['median_s']:.3f} | {answer} | " + " | ".join(counts) + " |")
    return lines
