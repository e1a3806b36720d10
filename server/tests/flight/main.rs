//! The Flight SQL server as clients use it: `tarn serve` started on 127.0.0.1 by the tests,
//! exercised with arrow-flight's Rust `FlightSqlServiceClient` and raw Flight calls — the
//! protocol conformance scenarios, and replays of what the JDBC, DBeaver, Tableau and ODBC
//! drivers send. Each scenario runs in plaintext, with authentication, and with TLS.

mod conformance;
mod replay;
mod server;
mod tls;
