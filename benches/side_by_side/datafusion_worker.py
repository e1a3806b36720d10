"""datafusion-python worker: each lake table is a listing table named as in tarn
(``telemetry.clients_daily``), with its partition keys typed by tarn's rule.

    python -m side_by_side.datafusion_worker LAKE
"""

import sys
from pathlib import Path

import pyarrow as pa
from datafusion import SessionContext

from side_by_side.lake_tables import discover
from side_by_side.worker_loop import serve

_ARROW_TYPES = {"BIGINT": pa.int64(), "DATE": pa.date32(), "VARCHAR": pa.string()}


def context(lake: Path) -> SessionContext:
    """A session with one listing table per lake table."""
    ctx = SessionContext()
    for table in discover(lake):
        ctx.sql(f"CREATE SCHEMA IF NOT EXISTS {table.namespace}").collect()
        ctx.register_listing_table(
            table.qualified,
            str(table.folder) + "/",
            table_partition_cols=[(key, _ARROW_TYPES[kind]) for key, kind in table.partition_keys],
            file_extension=".parquet",
        )
    return ctx


def main() -> None:
    ctx = context(Path(sys.argv[1]))

    def run(sql: str) -> pa.Table:
        return ctx.sql(sql).to_arrow_table()

    serve(run)


if __name__ == "__main__":
    main()
