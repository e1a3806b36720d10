"""The worker protocol, shared by the Python engine workers.

A worker reads one JSON object per line on stdin, ``{"sql": "...", "result": bool}``, and
answers each with one JSON line on stdout: ``{"ok": true, "rows": N, "elapsed_ms": F}`` plus
``"result": [[...], ...]`` when the request asked for it, or ``{"ok": false, "error": "..."}``.
``elapsed_ms`` runs from receiving the SQL to holding the whole result as Arrow in memory.
``tarn batch`` speaks the same protocol natively.
"""

import base64
import datetime
import decimal
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import pyarrow as pa


def json_value(value: Any) -> Any:
    """Map a value from ``pyarrow.Table.to_pylist`` to one JSON can carry unambiguously."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return value


def table_rows(table: pa.Table) -> list[list[Any]]:
    """Rows of ``table`` as lists of JSON values, in column order."""
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [[json_value(col[r]) for col in columns] for r in range(table.num_rows)]


def serve(run: Callable[[str], pa.Table]) -> None:
    """Answer requests from stdin with ``run`` until stdin closes; errors never end the loop."""
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            started = time.perf_counter()
            table = run(request["sql"])
            elapsed_ms = (time.perf_counter() - started) * 1000
            answer: dict[str, Any] = {"ok": True, "rows": table.num_rows, "elapsed_ms": elapsed_ms}
            if request.get("result"):
                answer["result"] = table_rows(table)
        except Exception as err:  # noqa: BLE001 - any engine error is an answer, not a crash
            answer = {"ok": False, "error": f"{type(err).__name__}: {err}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
