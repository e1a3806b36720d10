"""Flight SQL worker: forwards each statement to a ``tarn serve`` over the ADBC driver and
fetches the whole result as an Arrow table.

    python -m side_by_side.flight_worker grpc://127.0.0.1:PORT
"""

import sys

import adbc_driver_flightsql.dbapi as flight_sql
import pyarrow as pa

from side_by_side.worker_loop import serve


def main() -> None:
    with flight_sql.connect(sys.argv[1], autocommit=True) as conn:

        def run(sql: str) -> pa.Table:
            with conn.cursor() as cur:
                cur.execute(sql)
                return cur.fetch_arrow_table()

        serve(run)


if __name__ == "__main__":
    main()
