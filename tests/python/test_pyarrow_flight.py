"""Raw pyarrow.flight calls: authentication, tickets, negative cases."""

import pyarrow as pa
import pyarrow.flight as flight
import pytest
from flightsql import flightsql_pb2
from google.protobuf import any_pb2

from conftest import PASSWORD, USER


def command(msg) -> bytes:
    a = any_pb2.Any()
    a.Pack(msg)
    return a.SerializeToString()


def test_basic_token_and_query(auth_server):
    client = flight.FlightClient(f"grpc://127.0.0.1:{auth_server.port}")
    header = client.authenticate_basic_token(USER, PASSWORD)
    assert header[0] == b"authorization" and header[1].startswith(b"Bearer ")
    options = flight.FlightCallOptions(headers=[header])
    cmd = flightsql_pb2.CommandStatementQuery(query="SELECT count(*) AS n FROM telemetry.clients_daily")
    info = client.get_flight_info(flight.FlightDescriptor.for_command(command(cmd)), options)
    table = client.do_get(info.endpoints[0].ticket, options).read_all()
    assert table.schema == info.schema
    assert table.column("n")[0].as_py() > 0
    # GetSchema.
    schema = client.get_schema(flight.FlightDescriptor.for_command(command(cmd)), options).schema
    assert schema == info.schema


def test_unauthenticated_calls_are_refused(auth_server):
    client = flight.FlightClient(f"grpc://127.0.0.1:{auth_server.port}")
    with pytest.raises(flight.FlightUnauthenticatedError):
        list(client.list_actions())
    with pytest.raises(flight.FlightUnauthenticatedError):
        client.authenticate_basic_token(USER, "nope")


def test_malformed_requests(open_server):
    client = flight.FlightClient(f"grpc://127.0.0.1:{open_server.port}")
    with pytest.raises(pa.ArrowInvalid, match="malformed Flight SQL command"):
        client.get_flight_info(flight.FlightDescriptor.for_command(b"not protobuf"))
    with pytest.raises((pa.ArrowInvalid, flight.FlightError)):
        client.do_get(flight.Ticket(b"\x00\x01junk")).read_all()
    # The server is still healthy afterwards.
    cmd = flightsql_pb2.CommandStatementQuery(query="SELECT 1 AS one")
    info = client.get_flight_info(flight.FlightDescriptor.for_command(command(cmd)))
    assert client.do_get(info.endpoints[0].ticket).read_all().column("one")[0].as_py() == 1


def test_early_close_cancels(open_server):
    client = flight.FlightClient(f"grpc://127.0.0.1:{open_server.port}")
    cmd = flightsql_pb2.CommandStatementQuery(query="SELECT * FROM telemetry.main_summary, telemetry.clients_daily")
    info = client.get_flight_info(flight.FlightDescriptor.for_command(command(cmd)))
    reader = client.do_get(info.endpoints[0].ticket)
    reader.read_chunk()
    reader.cancel()
