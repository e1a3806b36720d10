"""flightsql-dbapi and its SQLAlchemy dialect (Superset's driver): flightsql.md §6.3."""

import sqlalchemy
from flightsql import FlightSQLClient, connect as dbapi_connect
from sqlalchemy import inspect, text

from conftest import PASSWORD, USER


def test_s1_no_credentials(open_server):
    # The client sends `authorization: Bearer None`; an open server ignores it.
    client = FlightSQLClient(host="127.0.0.1", port=open_server.port, insecure=True)
    info = client.execute("SELECT count(*) AS n FROM clients_daily")
    reader = client.do_get(info.endpoints[0].ticket)
    assert reader.read_all().column("n")[0].as_py() > 0


def test_s1_with_credentials(auth_server):
    client = FlightSQLClient(host="127.0.0.1", port=auth_server.port, insecure=True, user=USER, password=PASSWORD)
    info = client.execute("SELECT 1 AS one")
    assert client.do_get(info.endpoints[0].ticket).read_all().column("one")[0].as_py() == 1


def engine(server, prepared=False):
    url = f"datafusion://{USER}:{PASSWORD}@127.0.0.1:{server.port}?insecure=true"
    if prepared:
        url += "&feature-sqlalchemy-prepared-statements=on"
    return sqlalchemy.create_engine(url)


def test_s2_s4_inspection(auth_server):
    e = engine(auth_server)
    with e.connect():
        pass
    insp = inspect(e)
    assert "telemetry" in insp.get_schema_names()
    tables = insp.get_table_names("telemetry")
    assert "clients_daily" in tables and "clients_last_seen_v1" in tables
    cols = {c["name"]: c for c in insp.get_columns("clients_last_seen", "telemetry")}
    assert "days_seen_bits" in cols
    assert not isinstance(cols["days_seen_bits"]["type"], sqlalchemy.types.NullType)
    assert insp.has_table("clients_daily_v6", "telemetry")


def test_s5_superset_shaped_sql(auth_server):
    e = engine(auth_server)
    with e.connect() as c:
        rows = c.execute(
            text(
                "SELECT DATE_TRUNC('week', submission_date) AS __timestamp, country, COUNT(*) AS count "
                "FROM telemetry.clients_daily WHERE submission_date >= TIMESTAMP '2026-01-01 00:00:00' "
                "AND os = 'Linux' GROUP BY DATE_TRUNC('week', submission_date), country "
                "ORDER BY count DESC LIMIT 1001"
            )
        ).fetchall()
        assert rows
        rows = c.execute(
            text("SELECT DATE_BIN(INTERVAL '1 day', timestamp, TIMESTAMP '1970-01-01') AS t, count(*) FROM telemetry.main_summary GROUP BY 1 LIMIT 5")
        ).fetchall()
        assert rows


def test_s6_prepared_parameters(open_server):
    # DB-API with `?`: the client sends dense-union parameters and keeps the original handle.
    conn = dbapi_connect(FlightSQLClient(host="127.0.0.1", port=open_server.port, insecure=True))
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM telemetry.clients_daily WHERE country = ? AND sample_id < ?", ["DE", 50])
    (with_params,) = cur.fetchone()
    cur.execute("SELECT count(*) FROM telemetry.clients_daily WHERE country = 'DE' AND sample_id < 50")
    assert list(cur.fetchone()) == [with_params]
    e = engine(open_server, prepared=True)
    with e.connect() as c:
        n = c.execute(text("SELECT count(*) FROM telemetry.clients_daily WHERE os = :os"), {"os": "Linux"}).scalar()
        assert n > 0


def test_s7_strings_arrive_as_str(open_server):
    conn = dbapi_connect(FlightSQLClient(host="127.0.0.1", port=open_server.port, insecure=True))
    cur = conn.cursor()
    cur.execute("SELECT client_id, country FROM telemetry.clients_daily LIMIT 2")
    for client_id, country in cur.fetchall():
        assert isinstance(client_id, str) and isinstance(country, str)
