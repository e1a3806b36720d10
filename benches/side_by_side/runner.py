"""Running the suite: per query, a warm-up of every engine whose answers are compared, then
timed runs with the engines in a rotating order."""

import statistics
import sys
from pathlib import Path
from typing import Any

from side_by_side import engines
from side_by_side.compare import difference
from side_by_side.suite import Query
from side_by_side.worker import Worker


class Pool:
    """The engines' workers, started lazily and restarted after a crash or a timeout."""

    def __init__(self, names: list[str], lake: Path, tarn: Path, logs: Path, timeout_s: float) -> None:
        self.names = names
        self.lake, self.tarn, self.logs, self.timeout_s = lake, tarn, logs, timeout_s
        self.workers: dict[str, Worker] = {}
        self.unavailable: dict[str, str] = {}
        self.peak_bytes = dict.fromkeys(names, 0)

    def ask(self, engine: str, sql: str, result: bool) -> dict[str, Any]:
        """The engine's answer to one statement; ``{"ok": false, ...}`` if it could not run it."""
        if engine in self.unavailable:
            return {"ok": False, "error": f"unavailable: {self.unavailable[engine]}"}
        worker = self.workers.get(engine)
        if worker is None or not worker.alive:
            try:
                worker = self.workers[engine] = engines.start(engine, self.lake, self.tarn, self.logs)
            except (engines.Unavailable, OSError) as err:
                self.unavailable[engine] = str(err)
                return {"ok": False, "error": f"unavailable: {err}"}
        answer = worker.ask(sql, result, self.timeout_s)
        self.peak_bytes[engine] = max(self.peak_bytes[engine], worker.peak_bytes)
        return answer

    def close(self) -> None:
        for worker in self.workers.values():
            worker.stop()


def _checked(
    query: Query, answers: dict[str, dict[str, Any]], exact: dict[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """Per engine: status ok / mismatch / error against the exact answer when the query has
    one, else against the reference engine's rows."""
    ok = [e for e, a in answers.items() if a.get("ok")]
    reference = engines.REFERENCE if engines.REFERENCE in ok else (ok[0] if ok else None)
    expected_by = "the exact answer" if exact and exact.get("ok") else reference
    checked = {}
    for engine, answer in answers.items():
        if not answer.get("ok"):
            checked[engine] = {"status": "error", "detail": answer.get("error", "no answer")}
            continue
        assert reference is not None
        expected = exact["result"] if exact and exact.get("ok") else answers[reference]["result"]
        diff = difference(expected, answer["result"], query.tolerance)
        status = "ok" if diff is None else "mismatch"
        detail = None if diff is None else f"against {expected_by}: {diff}"
        checked[engine] = {"status": status, "detail": detail, "rows": answer["rows"], "runs_ms": []}
    return checked


def run(queries: list[Query], pool: Pool, runs: int) -> list[dict[str, Any]]:
    """Per query, per engine: status, detail, rows, runs_ms and median_ms."""
    results = []
    for query in queries:
        answers = {e: pool.ask(e, query.sql(e), result=True) for e in pool.names}
        # The exact query is plain SQL: the reference engine runs it, else the first one.
        exact_by = engines.REFERENCE if engines.REFERENCE in pool.names else pool.names[0]
        exact = pool.ask(exact_by, query.exact, result=True) if query.exact else None
        if exact is not None and not exact.get("ok"):
            print(f"{query.name}: exact answer failed: {exact.get('error')}", file=sys.stderr)
        checked = _checked(query, answers, exact)
        timed = [e for e in pool.names if checked[e]["status"] != "error"]
        for i in range(runs if timed else 0):
            shift = i % len(timed)
            for engine in timed[shift:] + timed[:shift]:
                answer = pool.ask(engine, query.sql(engine), result=False)
                if answer.get("ok"):
                    checked[engine]["runs_ms"].append(answer["elapsed_ms"])
                else:
                    checked[engine]["detail"] = f"timed run failed: {answer.get('error')}"
        for result in checked.values():
            if result.get("runs_ms"):
                result["median_ms"] = statistics.median(result["runs_ms"])
        results.append({"query": query.name, "engines": checked})
        cells = ", ".join(
            f"{e} {r['median_ms']:.1f} ms" if "median_ms" in r else f"{e} {r['status']}" for e, r in checked.items()
        )
        print(f"{query.name}: {cells}", file=sys.stderr, flush=True)
    return results
