//! Tickets and prepared-statement handles: tarn's own protobuf messages inside the Flight SQL
//! envelopes. They carry the SQL, the namespace it resolves in and bound parameters, so any
//! connection (or a restarted server) can run them.

use arrow_flight::Ticket;
use arrow_flight::sql::{Any, ProstMessageExt, TicketStatementQuery};
use prost::Message;
use tarn_proto::tarn::{PreparedStatementHandle, StatementTicket};
use tonic::Status;

/// Wraps a statement ticket as Flight SQL expects: `Any(TicketStatementQuery{handle})`.
pub(crate) fn statement_ticket(t: &StatementTicket) -> Ticket {
    let query = TicketStatementQuery {
        statement_handle: t.encode_to_vec().into(),
    };
    Ticket::new(query.as_any().encode_to_vec())
}

/// Reads tarn's ticket back out of a `TicketStatementQuery`.
///
/// # Errors
/// `InvalidArgument` when the handle is not one of tarn's tickets.
pub(crate) fn decode_statement_ticket(q: &TicketStatementQuery) -> Result<StatementTicket, Status> {
    StatementTicket::decode(q.statement_handle.as_ref())
        .map_err(|e| Status::invalid_argument(format!("malformed statement ticket: {e}")))
}

/// Encodes a prepared statement handle.
pub(crate) fn encode_handle(h: &PreparedStatementHandle) -> bytes::Bytes {
    h.encode_to_vec().into()
}

/// Decodes a prepared statement handle.
///
/// # Errors
/// `InvalidArgument` when the bytes are not one of tarn's handles.
pub(crate) fn decode_handle(bytes: &[u8]) -> Result<PreparedStatementHandle, Status> {
    let h = PreparedStatementHandle::decode(bytes).map_err(|e| {
        Status::invalid_argument(format!("malformed prepared statement handle: {e}"))
    })?;
    if h.id.is_empty() {
        return Err(Status::invalid_argument(
            "malformed prepared statement handle: it has no id",
        ));
    }
    Ok(h)
}

/// A ticket for a metadata command: the command itself, `Any`-wrapped (DBeaver needs this form).
pub(crate) fn command_ticket(cmd: &impl ProstMessageExt) -> Ticket {
    Ticket::new(cmd.as_any().encode_to_vec())
}

/// Unpacks an `Any` of a known type, naming the expected message on failure.
pub(crate) fn unpack<M: ProstMessageExt + Default>(any: &Any, what: &str) -> Result<M, Status> {
    any.unpack::<M>()
        .map_err(|e| Status::invalid_argument(format!("cannot decode {what}: {e}")))?
        .ok_or_else(|| Status::invalid_argument(format!("expected {what}, got {}", any.type_url)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_round_trip() {
        let t = StatementTicket {
            sql: "SELECT $1".into(),
            default_schema: "web".into(),
            parameters: vec![1, 2, 3],
            query_id: "q1".into(),
        };
        let ticket = statement_ticket(&t);
        let any = Any::decode(ticket.ticket.as_ref()).unwrap();
        let q: TicketStatementQuery = unpack(&any, "TicketStatementQuery").unwrap();
        assert_eq!(decode_statement_ticket(&q).unwrap(), t);
    }

    #[test]
    fn garbage_is_invalid_argument() {
        let err = decode_handle(b"\xff\xff").unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
        let err = decode_handle(&[]).unwrap_err();
        assert!(err.message().contains("no id"), "{}", err.message());
    }
}
