"""The ADBC Flight SQL driver (Go, from PyPI) against tarn serve: flightsql.md §6.2."""

import warnings

import adbc_driver_flightsql
import adbc_driver_flightsql.dbapi as flight_sql
import adbc_driver_manager
import polars as pl
import pyarrow as pa
import pytest

from conftest import PASSWORD, TOKEN, USER, basic_header


def connect(server, autocommit=True, **extra):
    kwargs = dict(extra)
    if server.mode != "open":
        kwargs.setdefault("username", USER)
        kwargs.setdefault("password", PASSWORD)
    if server.mode == "tls":
        kwargs[adbc_driver_flightsql.DatabaseOptions.TLS_ROOT_CERTS.value] = server.ca
    return flight_sql.connect(server.uri, db_kwargs=kwargs, autocommit=autocommit)


def test_a1_connect_modes(server):
    # autocommit=False (the DB-API default): at most a warning, never an error.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with connect(server, autocommit=False) as conn:
            with conn.cursor() as cur:
                cur.execute("SELECT 1 AS one")
                assert cur.fetchall() == [(1,)]
    if server.mode != "open":
        # A raw authorization header instead of user/password.
        kwargs = {adbc_driver_flightsql.DatabaseOptions.AUTHORIZATION_HEADER.value: f"Bearer {TOKEN}"}
        if server.mode == "tls":
            kwargs[adbc_driver_flightsql.DatabaseOptions.TLS_ROOT_CERTS.value] = server.ca
        with flight_sql.connect(server.uri, db_kwargs=kwargs, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute("SELECT 2")
            assert cur.fetchone() == (2,)
        # Wrong credentials fail cleanly.
        with pytest.raises(adbc_driver_manager.Error):
            with connect(server, password="wrong") as conn, conn.cursor() as cur:
                cur.execute("SELECT 1")


def test_a2_a5_queries_and_schemas(server):
    with connect(server) as conn, conn.cursor() as cur:
        cur.execute("SELECT submission_date, count(*) AS n FROM clients_daily GROUP BY 1 ORDER BY 1")
        t = cur.fetch_arrow_table()
        assert t.num_rows == 14
        assert t.schema.field("submission_date").type == pa.date32()
        # Aggregates, min/max over Parquet statistics, partition columns, count(*): no
        # "inconsistent schema" from the driver.
        for sql in [
            "SELECT min(active_hours_sum), max(active_hours_sum), count(*) FROM clients_daily",
            "SELECT country, os, normalized_channel FROM clients_daily LIMIT 5",
            "SELECT submission_date_s3, sample_id, count(*) FROM main_summary GROUP BY 1, 2",
            "SELECT * FROM clients_last_seen WHERE false",
            "SELECT active_addons, experiments FROM clients_daily LIMIT 3",
        ]:
            cur.execute(sql)
            cur.fetch_arrow_table()
        cur.execute("SELECT client_id, country FROM clients_daily ORDER BY client_id LIMIT 3")
        df = cur.fetch_df()
        assert list(df.columns) == ["client_id", "country"]
        assert isinstance(df["client_id"][0], str)


def test_a4_parameters(open_server):
    with connect(open_server) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM clients_daily WHERE submission_date = ?", ("2026-01-03",))
        (n,) = cur.fetchone()
        cur.execute("SELECT count(*) FROM clients_daily WHERE submission_date = DATE '2026-01-03'")
        assert cur.fetchone() == (n,)
        cur.execute("SELECT ? AS x, ? AS y", (7, None))
        assert cur.fetchone() == ("7", None)
        cur.execute("SELECT sample_id FROM clients_daily WHERE sample_id = ? LIMIT 1", (13,))
        assert all(r[0] == 13 for r in cur.fetchall())


def test_a6_a9_metadata(server):
    with connect(server) as conn:
        info = conn.adbc_get_info()
        assert info["vendor_name"] == "tarn"
        assert info["vendor_version"]
        assert info["vendor_arrow_version"] == "1.3"

        objects = conn.adbc_get_objects(depth="all").read_all().to_pylist()
        catalogs = {o["catalog_name"] for o in objects}
        assert "tarn" in catalogs
        tarn = next(o for o in objects if o["catalog_name"] == "tarn")
        schemas = {s["db_schema_name"]: s for s in tarn["catalog_db_schemas"]}
        tables = {t["table_name"]: t for t in schemas["telemetry"]["db_schema_tables"]}
        assert "clients_daily" in tables
        cols = {c["column_name"] for c in tables["clients_daily"]["table_columns"]}
        assert {"client_id", "submission_date"} <= cols
        filtered = conn.adbc_get_objects(depth="tables", db_schema_filter="tele%", table_name_filter="clients\\_daily%").read_all().to_pylist()
        names = {t["table_name"] for o in filtered for s in o["catalog_db_schemas"] or [] for t in s["db_schema_tables"] or []}
        assert names == {"clients_daily", "clients_daily_v6", "clients_daily_hll", "clients_daily_hll_v1"}
        # An exact table schema, though `_` is a wildcard and lookalikes exist.
        schema = conn.adbc_get_table_schema("clients_daily", db_schema_filter="telemetry")
        assert "client_id" in schema.names
        assert conn.adbc_get_table_types() == ["SYSTEM TABLE", "TABLE", "VIEW"]


def test_a10_execute_schema(open_server):
    with connect(open_server) as conn, conn.cursor() as cur:
        schema = cur.adbc_execute_schema("SELECT client_id, active_hours_sum FROM clients_daily")
        assert schema.names == ["client_id", "active_hours_sum"]
        assert schema.field("client_id").type == pa.string()


def test_a11_current_catalog_and_schema(auth_server):
    with connect(auth_server) as conn:
        assert conn.adbc_current_catalog == "tarn"
        conn.adbc_current_db_schema = "telemetry"
        assert conn.adbc_current_db_schema == "telemetry"


def test_a12_ingest_is_refused(open_server):
    with connect(open_server) as conn, conn.cursor() as cur:
        with pytest.raises(adbc_driver_manager.Error):
            cur.adbc_ingest("new_table", pa.table({"x": [1, 2]}), mode="create")


def test_a13_large_result(open_server):
    with connect(open_server) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM main_summary")
        (n,) = cur.fetchone()
        cur.execute("SELECT * FROM main_summary")
        t = cur.fetch_arrow_table()
        assert t.num_rows == n > 1000
        assert t.nbytes > 500_000


def test_a14_a15_close_and_polars(open_server):
    conn = connect(open_server)
    df = pl.read_database("SELECT country, count(*) AS n FROM clients_daily GROUP BY 1 ORDER BY n DESC", connection=conn)
    assert df.columns == ["country", "n"]
    assert df["n"][0] >= df["n"][-1]
    conn.close()


def test_errors_are_readable(open_server):
    with connect(open_server) as conn, conn.cursor() as cur:
        with pytest.raises(adbc_driver_manager.Error) as e:
            cur.execute("SELECT * FROM no_such_table")
        assert "no_such_table" in str(e.value)
        with pytest.raises(adbc_driver_manager.Error) as e:
            cur.execute("COPY (SELECT 1) TO '/tmp/out.parquet'")
        assert "refused" in str(e.value)
