//! The gRPC face of the server: every Flight RPC authenticates here, then goes to the Flight
//! SQL logic (`sql.rs`), except what arrow-flight's blanket `FlightService` cannot route:
//! `GetSchema`, `PollFlightInfo`, the session-option actions, `CancelFlightInfo`, and a
//! `CreatePreparedStatement` answer that carries `is_update`.

use std::pin::Pin;
use std::sync::Arc;

use arrow::ipc::writer::IpcWriteOptions;
use arrow_flight::flight_service_server::FlightService;
use arrow_flight::sql::{ActionCreatePreparedStatementRequest, Any, ProstMessageExt};
use arrow_flight::{
    Action, ActionType, CancelFlightInfoRequest, CancelFlightInfoResult, CancelStatus, Criteria,
    Empty, FlightData, FlightDescriptor, FlightInfo, HandshakeRequest, HandshakeResponse, PollInfo,
    PutResult, SchemaAsIpc, SchemaResult, Ticket,
};
use futures::{Stream, StreamExt};
use prost::Message;
use tarn_proto::flight::{
    CloseSessionRequest, CloseSessionResult, GetSessionOptionsRequest, GetSessionOptionsResult,
    SessionOptionValue, SetSessionOptionsRequest, SetSessionOptionsResult, close_session_result,
    session_option_value, set_session_options_result,
};
use tonic::{Request, Response, Status, Streaming};

use crate::auth::Principal;
use crate::sessions::{SESSION_COOKIE, Sessions};
use crate::sql::FlightSql;

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

const SET_SESSION_OPTIONS: &str = "SetSessionOptions";
const GET_SESSION_OPTIONS: &str = "GetSessionOptions";
const CLOSE_SESSION: &str = "CloseSession";
const CANCEL_FLIGHT_INFO: &str = "CancelFlightInfo";
const CREATE_PREPARED_STATEMENT: &str = "CreatePreparedStatement";

/// tarn's Flight service.
#[derive(Debug, Clone)]
pub(crate) struct TarnFlightService {
    inner: Arc<FlightSql>,
}

impl TarnFlightService {
    pub(crate) fn new(inner: Arc<FlightSql>) -> Self {
        Self { inner }
    }

    /// Authenticates a call and records who made it for the Flight SQL handlers.
    fn admit<T>(&self, request: &mut Request<T>) -> Result<Principal, Status> {
        let p = self.inner.auth.authenticate(request.metadata())?;
        request.extensions_mut().insert(p.clone());
        Ok(p)
    }

    fn one<T: Send + 'static>(item: T) -> BoxStream<T> {
        Box::pin(futures::stream::iter(vec![Ok(item)]))
    }

    async fn set_session_options(
        &self,
        principal: &Principal,
        request: &Request<Action>,
    ) -> Result<Response<BoxStream<arrow_flight::Result>>, Status> {
        let req =
            SetSessionOptionsRequest::decode(request.get_ref().body.as_ref()).map_err(|e| {
                Status::invalid_argument(format!("malformed SetSessionOptionsRequest: {e}"))
            })?;
        // A client without a token or cookie gets a session cookie (JDBC keeps cookies).
        let existing = Sessions::key(principal.token.as_deref(), request.metadata());
        let (key, new_cookie) = match existing {
            Some(k) => (k, None),
            None => {
                let id = hex_id();
                (format!("cookie:{id}"), Some(id))
            }
        };
        let session = self.inner.sessions.get(Some(&key))?;
        let mut errors = std::collections::BTreeMap::new();
        for (name, value) in req.session_options {
            let text = match value.option_value {
                Some(session_option_value::OptionValue::StringValue(s)) => Some(s),
                Some(session_option_value::OptionValue::BoolValue(b)) => Some(b.to_string()),
                Some(session_option_value::OptionValue::Int64Value(i)) => Some(i.to_string()),
                Some(session_option_value::OptionValue::DoubleValue(d)) => Some(d.to_string()),
                Some(session_option_value::OptionValue::StringListValue(_)) | None => None,
            };
            let error = match (name.as_str(), text) {
                (_, None) => Some(set_session_options_result::ErrorValue::InvalidValue),
                ("catalog", Some(c)) if c == self.inner.catalog => None,
                ("catalog", Some(_)) => Some(set_session_options_result::ErrorValue::InvalidValue),
                ("schema", Some(s)) => {
                    let stmt = format!("USE \"{}\"", s.replace('"', "\"\""));
                    session
                        .plan(&stmt)
                        .await
                        .err()
                        .map(|_| set_session_options_result::ErrorValue::InvalidValue)
                }
                (n, Some(v)) if n.starts_with("datafusion.") => {
                    let stmt = format!("SET {n} = '{}'", v.replace('\'', "''"));
                    match session.sql(&stmt).await {
                        Ok(_) => None,
                        Err(_) => Some(set_session_options_result::ErrorValue::InvalidValue),
                    }
                }
                _ => Some(set_session_options_result::ErrorValue::InvalidName),
            };
            if let Some(e) = error {
                errors.insert(name, set_session_options_result::Error { value: e as i32 });
            }
        }
        let body = SetSessionOptionsResult { errors }.encode_to_vec();
        let mut response = Response::new(Self::one(arrow_flight::Result { body: body.into() }));
        if let Some(id) = new_cookie {
            let value = format!("{SESSION_COOKIE}={id}")
                .parse()
                .map_err(|_| Status::internal("cannot encode the session cookie"))?;
            response.metadata_mut().insert("set-cookie", value);
        }
        Ok(response)
    }

    fn get_session_options(
        &self,
        principal: &Principal,
        request: &Request<Action>,
    ) -> Result<Response<BoxStream<arrow_flight::Result>>, Status> {
        GetSessionOptionsRequest::decode(request.get_ref().body.as_ref()).map_err(|e| {
            Status::invalid_argument(format!("malformed GetSessionOptionsRequest: {e}"))
        })?;
        let key = Sessions::key(principal.token.as_deref(), request.metadata());
        let schema = match key.as_deref().filter(|k| self.inner.sessions.exists(k)) {
            Some(k) => self.inner.sessions.get(Some(k))?.default_schema(),
            None => self.inner.sessions.lake().config().default_schema.clone(),
        };
        let string = |s: String| SessionOptionValue {
            option_value: Some(session_option_value::OptionValue::StringValue(s)),
        };
        let mut options = std::collections::BTreeMap::new();
        options.insert("catalog".to_string(), string(self.inner.catalog.clone()));
        options.insert("schema".to_string(), string(schema));
        let body = GetSessionOptionsResult {
            session_options: options,
        }
        .encode_to_vec();
        Ok(Response::new(Self::one(arrow_flight::Result {
            body: body.into(),
        })))
    }

    fn close_session(
        &self,
        principal: &Principal,
        request: &Request<Action>,
    ) -> Result<Response<BoxStream<arrow_flight::Result>>, Status> {
        CloseSessionRequest::decode(request.get_ref().body.as_ref())
            .map_err(|e| Status::invalid_argument(format!("malformed CloseSessionRequest: {e}")))?;
        if let Some(key) = Sessions::key(principal.token.as_deref(), request.metadata()) {
            self.inner.sessions.close(&key);
        }
        let body = CloseSessionResult {
            status: close_session_result::Status::Closed as i32,
        }
        .encode_to_vec();
        Ok(Response::new(Self::one(arrow_flight::Result {
            body: body.into(),
        })))
    }

    fn cancel_flight_info(
        &self,
        request: &Request<Action>,
    ) -> Result<Response<BoxStream<arrow_flight::Result>>, Status> {
        let req =
            CancelFlightInfoRequest::decode(request.get_ref().body.as_ref()).map_err(|e| {
                Status::invalid_argument(format!("malformed CancelFlightInfoRequest: {e}"))
            })?;
        let info = req
            .info
            .ok_or_else(|| Status::invalid_argument("CancelFlightInfoRequest has no FlightInfo"))?;
        let status = if self.inner.cancel(&info) {
            CancelStatus::Cancelled
        } else {
            CancelStatus::NotCancellable
        };
        let body = CancelFlightInfoResult {
            status: status as i32,
        }
        .encode_to_vec();
        Ok(Response::new(Self::one(arrow_flight::Result {
            body: body.into(),
        })))
    }

    async fn create_prepared_statement(
        &self,
        principal: &Principal,
        request: &Request<Action>,
    ) -> Result<Response<BoxStream<arrow_flight::Result>>, Status> {
        let any = Any::decode(request.get_ref().body.as_ref()).map_err(|e| {
            Status::invalid_argument(format!("malformed CreatePreparedStatement body: {e}"))
        })?;
        let req: ActionCreatePreparedStatementRequest =
            crate::tickets::unpack(&any, "ActionCreatePreparedStatementRequest")?;
        let result = self
            .inner
            .prepare(principal, request.metadata(), &req.query)
            .await?;
        // Packed under the Flight SQL type name, so every client decodes it as the standard
        // message (older ones ignore field 4).
        let any = Any {
            type_url: arrow_flight::sql::ActionCreatePreparedStatementResult::type_url()
                .to_string(),
            value: result.encode_to_vec().into(),
        };
        Ok(Response::new(Self::one(arrow_flight::Result {
            body: any.encode_to_vec().into(),
        })))
    }
}

/// Rejects bytes that are not a protobuf `Any` with a readable message (arrow-flight's own
/// dispatch would answer with the decoder's debug output).
fn check_any(bytes: &[u8]) -> Result<(), Status> {
    Any::decode(bytes)
        .map(|_| ())
        .map_err(|e| Status::invalid_argument(format!("malformed Flight SQL command: {e}")))
}

fn hex_id() -> String {
    let mut id = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut id);
    id.iter().map(|b| format!("{b:02x}")).collect()
}

#[tonic::async_trait]
impl FlightService for TarnFlightService {
    type HandshakeStream = BoxStream<HandshakeResponse>;
    type ListFlightsStream = BoxStream<FlightInfo>;
    type DoGetStream = BoxStream<FlightData>;
    type DoPutStream = BoxStream<PutResult>;
    type DoActionStream = BoxStream<arrow_flight::Result>;
    type ListActionsStream = BoxStream<ActionType>;
    type DoExchangeStream = BoxStream<FlightData>;

    async fn handshake(
        &self,
        request: Request<Streaming<HandshakeRequest>>,
    ) -> Result<Response<Self::HandshakeStream>, Status> {
        FlightService::handshake(self.inner.as_ref(), request).await
    }

    async fn list_flights(
        &self,
        mut request: Request<Criteria>,
    ) -> Result<Response<Self::ListFlightsStream>, Status> {
        self.admit(&mut request)?;
        Err(Status::unimplemented(
            "ListFlights is not supported; send Flight SQL commands",
        ))
    }

    async fn get_flight_info(
        &self,
        mut request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.admit(&mut request)?;
        check_any(&request.get_ref().cmd)?;
        FlightService::get_flight_info(self.inner.as_ref(), request).await
    }

    async fn poll_flight_info(
        &self,
        mut request: Request<FlightDescriptor>,
    ) -> Result<Response<PollInfo>, Status> {
        self.admit(&mut request)?;
        // Planning is quick: the first poll already has the complete FlightInfo.
        let info = FlightService::get_flight_info(self.inner.as_ref(), request)
            .await?
            .into_inner();
        Ok(Response::new(PollInfo {
            info: Some(info),
            flight_descriptor: None,
            progress: Some(1.0),
            expiration_time: None,
        }))
    }

    async fn get_schema(
        &self,
        mut request: Request<FlightDescriptor>,
    ) -> Result<Response<SchemaResult>, Status> {
        let principal = self.admit(&mut request)?;
        let any = Any::decode(request.get_ref().cmd.as_ref())
            .map_err(|e| Status::invalid_argument(format!("malformed command: {e}")))?;
        let schema = self
            .inner
            .schema_of(&principal, request.metadata(), any)
            .await?;
        let result = SchemaResult::try_from(SchemaAsIpc::new(&schema, &IpcWriteOptions::default()))
            .map_err(|e| Status::internal(format!("cannot encode a schema: {e}")))?;
        Ok(Response::new(result))
    }

    async fn do_get(
        &self,
        mut request: Request<Ticket>,
    ) -> Result<Response<Self::DoGetStream>, Status> {
        self.admit(&mut request)?;
        check_any(&request.get_ref().ticket)?;
        FlightService::do_get(self.inner.as_ref(), request).await
    }

    async fn do_put(
        &self,
        mut request: Request<Streaming<FlightData>>,
    ) -> Result<Response<Self::DoPutStream>, Status> {
        self.admit(&mut request)?;
        FlightService::do_put(self.inner.as_ref(), request).await
    }

    async fn do_exchange(
        &self,
        mut request: Request<Streaming<FlightData>>,
    ) -> Result<Response<Self::DoExchangeStream>, Status> {
        self.admit(&mut request)?;
        Err(Status::unimplemented("DoExchange is not supported"))
    }

    async fn do_action(
        &self,
        mut request: Request<Action>,
    ) -> Result<Response<Self::DoActionStream>, Status> {
        let principal = self.admit(&mut request)?;
        match request.get_ref().r#type.as_str() {
            SET_SESSION_OPTIONS => self.set_session_options(&principal, &request).await,
            GET_SESSION_OPTIONS => self.get_session_options(&principal, &request),
            CLOSE_SESSION => self.close_session(&principal, &request),
            CANCEL_FLIGHT_INFO => self.cancel_flight_info(&request),
            CREATE_PREPARED_STATEMENT => self.create_prepared_statement(&principal, &request).await,
            _ => FlightService::do_action(self.inner.as_ref(), request).await,
        }
    }

    async fn list_actions(
        &self,
        mut request: Request<Empty>,
    ) -> Result<Response<Self::ListActionsStream>, Status> {
        self.admit(&mut request)?;
        let standard: Vec<Result<ActionType, Status>> =
            FlightService::list_actions(self.inner.as_ref(), request)
                .await?
                .into_inner()
                .collect::<Vec<_>>()
                .await;
        let extra = [
            (
                SET_SESSION_OPTIONS,
                "Sets session options (catalog, schema, datafusion.*). Request: SetSessionOptionsRequest. Result: SetSessionOptionsResult",
            ),
            (
                GET_SESSION_OPTIONS,
                "Returns the session options. Request: GetSessionOptionsRequest. Result: GetSessionOptionsResult",
            ),
            (
                CLOSE_SESSION,
                "Closes the session. Request: CloseSessionRequest. Result: CloseSessionResult",
            ),
            (
                CANCEL_FLIGHT_INFO,
                "Cancels the running queries of a FlightInfo. Request: CancelFlightInfoRequest. Result: CancelFlightInfoResult",
            ),
        ];
        let mut all = standard;
        for (t, d) in extra {
            all.push(Ok(ActionType {
                r#type: t.to_string(),
                description: d.to_string(),
            }));
        }
        Ok(Response::new(Box::pin(futures::stream::iter(all))))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn session_ids_are_hex() {
        let id = super::hex_id();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
