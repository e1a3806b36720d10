"""The real Flight SQL JDBC driver, when a jar is provided (FLIGHT_SQL_JDBC_JAR); skipped
otherwise (the jar is on Maven Central only). The Rust replay tests cover the same calls."""

import os

import pytest

from conftest import PASSWORD, USER

JAR = os.environ.get("FLIGHT_SQL_JDBC_JAR")
pytestmark = pytest.mark.skipif(not JAR, reason="set FLIGHT_SQL_JDBC_JAR to a flight-sql-jdbc-driver jar")


@pytest.fixture(scope="module")
def jvm():
    import jpype

    if not jpype.isJVMStarted():
        jpype.startJVM("--add-opens=java.base/java.nio=org.apache.arrow.memory.core,ALL-UNNAMED", classpath=[JAR])
    return jpype


def test_jdbc_metadata_query_and_prepared(jvm, auth_server):
    from java.sql import DriverManager

    url = f"jdbc:arrow-flight-sql://127.0.0.1:{auth_server.port}/?useEncryption=false&user={USER}&password={PASSWORD}"
    conn = DriverManager.getConnection(url)
    md = conn.getMetaData()
    tables = md.getTables(None, "telemetry", "%", None)
    names = []
    while tables.next():
        names.append(str(tables.getString("TABLE_NAME")))
    assert "clients_daily" in names
    cols = md.getColumns(None, "telemetry", "clients_daily", "%")
    assert cols.next()
    rs = conn.createStatement().executeQuery("SELECT count(*) FROM telemetry.clients_daily")
    assert rs.next() and rs.getLong(1) > 0
    ps = conn.prepareStatement("SELECT count(*) FROM telemetry.clients_daily WHERE country = ?")
    ps.setString(1, "DE")
    rs = ps.executeQuery()
    assert rs.next()
    conn.close()
