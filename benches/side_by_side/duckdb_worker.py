"""DuckDB worker: each lake table is a view over ``read_parquet(…, hive_partitioning=true)``
named as in tarn (``telemetry.clients_daily``). Partition key types are given explicitly,
because DuckDB's own inference reads YYYYMMDD folders as BIGINT where tarn keeps VARCHAR.

    python -m side_by_side.duckdb_worker LAKE
"""

import sys
from pathlib import Path

import duckdb
import pyarrow as pa

from side_by_side.lake_tables import discover
from side_by_side.worker_loop import serve


def connect(lake: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory database with one view per lake table."""
    con = duckdb.connect()
    for table in discover(lake):
        types = ", ".join(f"'{key}': '{kind}'" for key, kind in table.partition_keys)
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {table.namespace}")
        con.execute(
            f"CREATE VIEW {table.qualified} AS SELECT * FROM read_parquet("
            f"'{table.folder}/**/*.parquet', hive_partitioning = true, hive_types = {{{types}}})"
        )
    return con


def main() -> None:
    con = connect(Path(sys.argv[1]))

    def run(sql: str) -> pa.Table:
        # `sql` (a relation), not `execute` (DB-API), which copies the rows once more.
        relation = con.sql(sql)
        return relation.to_arrow_table() if relation is not None else pa.table({})

    serve(run)


if __name__ == "__main__":
    main()
