"""The query suite: ``benches/suite/<query>/tarn.sql``, plus ``duckdb.sql`` or
``datafusion.sql`` where that engine needs another spelling, or ``portable.sql`` where both
need the same one (no tarn functions). An approximate query may add ``exact.sql``: its exact
answer, which the reference engine computes once and every engine's estimate is checked against
(rather than against another estimate). A ``-- tolerance: R`` line sets
the relative tolerance of the query's numbers (approximate distinct counts)."""

import re
from dataclasses import dataclass
from pathlib import Path

SUITE = Path(__file__).resolve().parent.parent / "suite"
FLOAT_TOLERANCE = 1e-6
_TOLERANCE = re.compile(r"^--\s*tolerance:\s*([0-9.]+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Query:
    """One query of the suite: its text for each engine, and how closely answers must agree."""

    name: str
    sql_by_engine: dict[str, str]
    tolerance: float

    @property
    def exact(self) -> str | None:
        """The exact answer's query, for approximate queries that have one."""
        return self.sql_by_engine.get("exact")

    def sql(self, engine: str) -> str:
        """The text `engine` runs: its own variant, else the portable one (engines other
        than tarn's), else tarn's."""
        if engine in self.sql_by_engine:
            return self.sql_by_engine[engine]
        if not engine.startswith("tarn") and "portable" in self.sql_by_engine:
            return self.sql_by_engine["portable"]
        return self.sql_by_engine["tarn"]


def load(names: list[str] | None = None) -> list[Query]:
    """Every query of the suite in name order, or only those named."""
    queries = []
    for folder in sorted(p for p in SUITE.iterdir() if p.is_dir()):
        if names and folder.name not in names:
            continue
        texts = {f.stem: f.read_text() for f in folder.glob("*.sql")}
        match = _TOLERANCE.search(texts["tarn"])
        tolerance = float(match.group(1)) if match else FLOAT_TOLERANCE
        queries.append(Query(folder.name, texts, tolerance))
    if names and len(queries) != len(set(names)):
        unknown = set(names) - {q.name for q in queries}
        raise SystemExit(f"unknown queries: {', '.join(sorted(unknown))}")
    return queries
