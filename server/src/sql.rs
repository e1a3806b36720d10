//! The Flight SQL protocol logic over tarn's engine sessions (arrow-flight's
//! `FlightSqlService`); `service.rs` adds what that trait cannot express and the plumbing.
//!
//! * `GetFlightInfo` only plans; the ticket carries the SQL, its namespace and bound
//!   parameters, and `DoGet` plans again and streams. Both compute the same wire schema.
//! * Prepared statements are stateless handles (tarn-proto); DoPut binds parameters into a new
//!   handle and also remembers them under the old one for clients that ignore the new one.
//! * Updates execute for real; the lake itself is read-only, so writes to lake tables fail
//!   with a clear error.

use std::pin::Pin;
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{Schema, SchemaRef};
use arrow::ipc::writer::IpcWriteOptions;
use arrow_flight::decode::FlightRecordBatchStream;
use arrow_flight::encode::FlightDataEncoderBuilder;
use arrow_flight::sql::metadata::{SqlInfoData, XdbcTypeInfoData};
use arrow_flight::sql::server::{FlightSqlService, PeekableFlightDataStream};
use arrow_flight::sql::{
    ActionBeginSavepointRequest, ActionBeginSavepointResult, ActionBeginTransactionRequest,
    ActionBeginTransactionResult, ActionCancelQueryRequest, ActionCancelQueryResult,
    ActionClosePreparedStatementRequest, ActionCreatePreparedStatementRequest,
    ActionCreatePreparedStatementResult, ActionEndSavepointRequest, ActionEndTransactionRequest,
    Any, CommandGetCatalogs, CommandGetCrossReference, CommandGetDbSchemas, CommandGetExportedKeys,
    CommandGetImportedKeys, CommandGetPrimaryKeys, CommandGetSqlInfo, CommandGetTableTypes,
    CommandGetTables, CommandGetXdbcTypeInfo, CommandPreparedStatementQuery,
    CommandPreparedStatementUpdate, CommandStatementIngest, CommandStatementQuery,
    CommandStatementSubstraitPlan, CommandStatementUpdate, DoPutPreparedStatementResult,
    ProstMessageExt, SqlInfo, TicketStatementQuery,
};
use arrow_flight::{
    FlightDescriptor, FlightEndpoint, FlightInfo, HandshakeRequest, HandshakeResponse, IpcMessage,
    SchemaAsIpc, Ticket,
};
use datafusion::logical_expr::LogicalPlan;
use futures::{Stream, TryStreamExt};
use prost::Message;
use tarn_engine::Session;
use tarn_proto::tarn::{PreparedStatementHandle, StatementTicket};
use tonic::metadata::MetadataMap;
use tonic::{Request, Response, Status, Streaming};

use crate::auth::{Auth, Principal};
use crate::limits::{CallLog, Limits, result_stream};
use crate::metadata;
use crate::params;
use crate::recent_plans::RecentPlans;
use crate::sessions::Sessions;
use crate::status::{datafusion_status, engine_status};
use crate::tickets;
use crate::wire::WireTypes;

type DoGetStream =
    Pin<Box<dyn Stream<Item = Result<arrow_flight::FlightData, Status>> + Send + 'static>>;

/// The protocol state shared by every call.
pub(crate) struct FlightSql {
    pub(crate) sessions: Sessions,
    pub(crate) auth: Auth,
    /// Plans made for GetFlightInfo, for the DoGet of their ticket.
    pub(crate) recent: RecentPlans<Planned>,
    pub(crate) limits: Arc<Limits>,
    pub(crate) wire: WireTypes,
    pub(crate) sql_info: SqlInfoData,
    pub(crate) xdbc: XdbcTypeInfoData,
    pub(crate) catalog: String,
}

impl std::fmt::Debug for FlightSql {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlightSql")
            .field("catalog", &self.catalog)
            .field("wire", &self.wire)
            .finish()
    }
}

/// A statement planned for a call, with what is needed to describe and run it.
pub(crate) struct Planned {
    pub(crate) session: Arc<Session>,
    pub(crate) plan: LogicalPlan,
    pub(crate) schema: SchemaRef,
    pub(crate) default_schema: String,
}

fn ipc_schema(schema: &Schema) -> Result<bytes::Bytes, Status> {
    let IpcMessage(bytes) = SchemaAsIpc::new(schema, &IpcWriteOptions::default())
        .try_into()
        .map_err(|e: arrow::error::ArrowError| {
            Status::internal(format!("cannot encode a schema: {e}"))
        })?;
    Ok(bytes)
}

fn new_id() -> Vec<u8> {
    let mut id = vec![0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut id);
    id
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl FlightSql {
    /// Who made the call: the service wrapper authenticates every call and records it.
    pub(crate) fn principal<T>(&self, request: &Request<T>) -> Result<Principal, Status> {
        match request.extensions().get::<Principal>() {
            Some(p) => Ok(p.clone()),
            None => self.auth.authenticate(request.metadata()),
        }
    }

    /// The engine session of a call.
    pub(crate) fn session_of(
        &self,
        principal: &Principal,
        md: &MetadataMap,
    ) -> Result<Arc<Session>, Status> {
        let key = Sessions::key(principal.token.as_deref(), md);
        self.sessions.get(key.as_deref())
    }

    /// Plans `sql` in the caller's session, or in a fresh one resolving in `default_schema`
    /// when that differs from the session's (a ticket planned elsewhere).
    pub(crate) async fn plan(
        &self,
        principal: &Principal,
        md: &MetadataMap,
        sql: &str,
        default_schema: Option<&str>,
        parameters: Option<&RecordBatch>,
    ) -> Result<Planned, Status> {
        let mut session = self.session_of(principal, md)?;
        if let Some(ns) = default_schema
            && !ns.is_empty()
            && session.default_schema() != ns
        {
            session = self.sessions.ephemeral()?;
            let use_ns = format!("USE \"{}\"", ns.replace('"', "\"\""));
            session.plan(&use_ns).await.map_err(|e| engine_status(&e))?;
        }
        let plan = session.plan(sql).await.map_err(|e| engine_status(&e))?;
        // Bound values decide the types of the result (`SELECT ? AS x`), so the wire schema
        // is computed after binding.
        let plan = match parameters {
            Some(p) => bind(plan, Some(p), 0)?,
            None => plan,
        };
        let default_schema = session.default_schema();
        let schema = if produces_rows(&plan) {
            self.wire
                .schema(plan.schema(), &self.catalog, &default_schema)
        } else {
            Arc::new(Schema::empty())
        };
        Ok(Planned {
            session,
            plan,
            schema,
            default_schema,
        })
    }

    fn flight_info(
        &self,
        schema: &Schema,
        ticket: Ticket,
        ordered: bool,
    ) -> Result<FlightInfo, Status> {
        let info = FlightInfo::new()
            .try_with_schema(schema)
            .map_err(|e| Status::internal(format!("cannot encode a schema: {e}")))?
            .with_endpoint(FlightEndpoint::new().with_ticket(ticket))
            .with_total_records(-1)
            .with_total_bytes(-1)
            .with_ordered(ordered);
        Ok(info)
    }

    /// A metadata command's FlightInfo: its result schema, and the command as the ticket.
    fn metadata_info(
        &self,
        schema: &Schema,
        cmd: &impl ProstMessageExt,
        descriptor: FlightDescriptor,
    ) -> Result<Response<FlightInfo>, Status> {
        let info = self
            .flight_info(schema, tickets::command_ticket(cmd), false)?
            .with_descriptor(descriptor);
        Ok(Response::new(info))
    }

    /// Runs a planned statement and streams it as Flight data.
    pub(crate) async fn run(
        &self,
        planned: Planned,
        mut log: CallLog,
    ) -> Result<Response<DoGetStream>, Status> {
        let permit = self.limits.admit()?;
        let rows = produces_rows(&planned.plan);
        // Placeholders left unbound are an error here.
        let plan = bind(planned.plan, None, 0)?;
        let df = planned
            .session
            .execute_plan(plan)
            .await
            .map_err(|e| engine_status(&e))?;
        let stream = if rows {
            planned
                .session
                .stream(df)
                .await
                .map_err(|e| engine_status(&e))?
        } else {
            // Run it for its effect; the result (a DML count) is not a row set.
            df.collect().await.map_err(|e| datafusion_status(&e))?;
            Box::pin(
                datafusion::physical_plan::stream::RecordBatchStreamAdapter::new(
                    Arc::clone(&planned.schema),
                    futures::stream::empty(),
                ),
            )
        };
        log.outcome = "running";
        let batches = result_stream(
            stream,
            Arc::clone(&planned.schema),
            Arc::clone(&self.limits),
            permit,
            log,
        );
        let flight = FlightDataEncoderBuilder::new()
            .with_schema(planned.schema)
            .build(batches)
            .map_err(|e| match e {
                arrow_flight::error::FlightError::Tonic(s) => *s,
                other => Status::internal(format!("cannot encode results: {other}")),
            });
        Ok(Response::new(Box::pin(flight)))
    }

    /// Executes a statement that returns no rows (or ignores them) and returns its count.
    pub(crate) async fn update(
        &self,
        principal: &Principal,
        md: &MetadataMap,
        sql: &str,
        default_schema: Option<&str>,
        parameters: Option<RecordBatch>,
    ) -> Result<i64, Status> {
        let _log = CallLog::new(hex(&new_id()), "update", &principal.name);
        let rows = parameters.as_ref().map_or(1, |p| p.num_rows().max(1));
        let mut total = 0i64;
        for row in 0..rows {
            let planned = self.plan(principal, md, sql, default_schema, None).await?;
            let is_dml = matches!(planned.plan, LogicalPlan::Dml(_));
            let plan = bind(planned.plan, parameters.as_ref(), row)?;
            let df = planned
                .session
                .execute_plan(plan)
                .await
                .map_err(|e| engine_status(&e))?;
            let batches = df.collect().await.map_err(|e| datafusion_status(&e))?;
            if is_dml {
                total += count_of(&batches);
            }
        }
        Ok(total)
    }
}

/// Whether a statement returns rows to show; DDL, DML, `SET` and `COPY` return none (JDBC runs
/// them as updates, and DML's count is reported as the update count).
pub(crate) fn produces_rows(plan: &LogicalPlan) -> bool {
    !matches!(
        plan,
        LogicalPlan::Ddl(_)
            | LogicalPlan::Dml(_)
            | LogicalPlan::Statement(_)
            | LogicalPlan::Copy(_)
    )
}

/// Binds row `row` of `parameters` (if any) to the plan's placeholders.
fn bind(
    plan: LogicalPlan,
    parameters: Option<&RecordBatch>,
    row: usize,
) -> Result<LogicalPlan, Status> {
    let param_schema = params::parameter_schema(&plan)?;
    match parameters {
        None if param_schema.fields().is_empty() => Ok(plan),
        None => Err(Status::invalid_argument(format!(
            "the statement has {} parameter(s) but none were bound",
            param_schema.fields().len()
        ))),
        Some(batch) => {
            let values = params::row_values(batch, row, &param_schema)?;
            plan.with_param_values(values)
                .map_err(|e| datafusion_status(&e))
        }
    }
}

/// The row count a DML statement reports.
fn count_of(batches: &[RecordBatch]) -> i64 {
    batches
        .first()
        .filter(|b| b.num_columns() == 1 && b.num_rows() == 1)
        .and_then(|b| {
            b.column(0)
                .as_any()
                .downcast_ref::<arrow::array::UInt64Array>()
        })
        .map_or(-1, |a| a.value(0) as i64)
}

/// Reads all parameter rows a client sent with DoPut.
async fn read_parameters(stream: PeekableFlightDataStream) -> Result<Option<RecordBatch>, Status> {
    // The first message may carry only the descriptor (no schema, no data).
    let data = stream
        .try_filter(|m| futures::future::ready(!m.data_header.is_empty()))
        .map_err(|s| arrow_flight::error::FlightError::Tonic(Box::new(s)));
    let batches: Vec<RecordBatch> = FlightRecordBatchStream::new_from_flight_data(data)
        .try_collect()
        .await
        .map_err(|e| Status::invalid_argument(format!("cannot read the bound parameters: {e}")))?;
    let Some(first) = batches.first() else {
        return Ok(None);
    };
    let schema = first.schema();
    arrow::compute::concat_batches(&schema, &batches)
        .map(Some)
        .map_err(|e| Status::invalid_argument(format!("bound parameter batches disagree: {e}")))
}

/// The parameters of a handle: bound in it, or remembered from an earlier DoPut.
fn handle_parameters(
    sessions: &Sessions,
    h: &PreparedStatementHandle,
) -> Result<Option<RecordBatch>, Status> {
    if !h.parameters.is_empty() {
        return params::decode_rows(&h.parameters);
    }
    match sessions.bound(&h.id) {
        Some(rows) => params::decode_rows(&rows),
        None => Ok(None),
    }
}

#[tonic::async_trait]
impl FlightSqlService for FlightSql {
    type FlightService = FlightSql;

    async fn do_handshake(
        &self,
        request: Request<Streaming<HandshakeRequest>>,
    ) -> Result<
        Response<Pin<Box<dyn Stream<Item = Result<HandshakeResponse, Status>> + Send>>>,
        Status,
    > {
        let token = self.auth.handshake(request.metadata())?;
        let payload = token.clone().unwrap_or_default().into_bytes();
        let out = futures::stream::iter(vec![Ok(HandshakeResponse {
            protocol_version: 0,
            payload: payload.into(),
        })]);
        let mut response: Response<
            Pin<Box<dyn Stream<Item = Result<HandshakeResponse, Status>> + Send>>,
        > = Response::new(Box::pin(out));
        if let Some(t) = token {
            let value = format!("Bearer {t}")
                .parse()
                .map_err(|_| Status::internal("cannot encode the session token header"))?;
            response.metadata_mut().insert("authorization", value);
        }
        Ok(response)
    }

    async fn get_flight_info_statement(
        &self,
        query: CommandStatementQuery,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let principal = self.principal(&request)?;
        let query_id = hex(&new_id());
        let _log = CallLog::new(&query_id, "plan_statement", &principal.name);
        let planned = self
            .plan(&principal, request.metadata(), &query.query, None, None)
            .await?;
        let ticket = StatementTicket {
            sql: query.query,
            default_schema: planned.default_schema.clone(),
            parameters: vec![],
            query_id,
        };
        let ordered = matches!(planned.plan, LogicalPlan::Sort(_));
        let info = self
            .flight_info(&planned.schema, tickets::statement_ticket(&ticket), ordered)?
            .with_descriptor(request.into_inner());
        self.recent.put(&ticket.query_id, &principal.name, planned);
        Ok(Response::new(info))
    }

    async fn get_flight_info_prepared_statement(
        &self,
        cmd: CommandPreparedStatementQuery,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let principal = self.principal(&request)?;
        let handle = tickets::decode_handle(&cmd.prepared_statement_handle)?;
        let parameters = handle_parameters(&self.sessions, &handle)?;
        if parameters.as_ref().is_some_and(|p| p.num_rows() > 1) {
            return Err(Status::invalid_argument(
                "a query runs with one row of parameters; bind a single row (executemany is for updates)",
            ));
        }
        let query_id = hex(&new_id());
        let _log = CallLog::new(&query_id, "plan_prepared", &principal.name);
        let planned = self
            .plan(
                &principal,
                request.metadata(),
                &handle.sql,
                Some(&handle.default_schema),
                parameters.as_ref(),
            )
            .await?;
        let ticket = StatementTicket {
            sql: handle.sql,
            default_schema: planned.default_schema.clone(),
            parameters: parameters
                .as_ref()
                .map(params::encode_rows)
                .transpose()?
                .unwrap_or_default(),
            query_id,
        };
        let ordered = matches!(planned.plan, LogicalPlan::Sort(_));
        let info = self
            .flight_info(&planned.schema, tickets::statement_ticket(&ticket), ordered)?
            .with_descriptor(request.into_inner());
        self.recent.put(&ticket.query_id, &principal.name, planned);
        Ok(Response::new(info))
    }

    async fn get_flight_info_substrait_plan(
        &self,
        _query: CommandStatementSubstraitPlan,
        _request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        Err(Status::unimplemented(
            "Substrait plans are not supported; send SQL",
        ))
    }

    async fn get_flight_info_catalogs(
        &self,
        query: CommandGetCatalogs,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.into_builder().schema();
        self.metadata_info(&schema, &query, request.into_inner())
    }

    async fn get_flight_info_schemas(
        &self,
        query: CommandGetDbSchemas,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.clone().into_builder().schema();
        self.metadata_info(&schema, &query, request.into_inner())
    }

    async fn get_flight_info_tables(
        &self,
        query: CommandGetTables,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.clone().into_builder().schema();
        self.metadata_info(&schema, &query, request.into_inner())
    }

    async fn get_flight_info_table_types(
        &self,
        query: CommandGetTableTypes,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.into_builder().schema();
        self.metadata_info(&schema, &query, request.into_inner())
    }

    async fn get_flight_info_sql_info(
        &self,
        query: CommandGetSqlInfo,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.clone().into_builder(&self.sql_info).schema();
        self.metadata_info(&schema, &query, request.into_inner())
    }

    async fn get_flight_info_primary_keys(
        &self,
        query: CommandGetPrimaryKeys,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.metadata_info(&metadata::PRIMARY_KEYS, &query, request.into_inner())
    }

    async fn get_flight_info_exported_keys(
        &self,
        query: CommandGetExportedKeys,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.metadata_info(&metadata::FOREIGN_KEYS, &query, request.into_inner())
    }

    async fn get_flight_info_imported_keys(
        &self,
        query: CommandGetImportedKeys,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.metadata_info(&metadata::FOREIGN_KEYS, &query, request.into_inner())
    }

    async fn get_flight_info_cross_reference(
        &self,
        query: CommandGetCrossReference,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.metadata_info(&metadata::FOREIGN_KEYS, &query, request.into_inner())
    }

    async fn get_flight_info_xdbc_type_info(
        &self,
        query: CommandGetXdbcTypeInfo,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.into_builder(&self.xdbc).schema();
        self.metadata_info(&schema, &query, request.into_inner())
    }

    async fn do_get_statement(
        &self,
        ticket: TicketStatementQuery,
        request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        let principal = self.principal(&request)?;
        let t = tickets::decode_statement_ticket(&ticket)?;
        let log = CallLog::new(&t.query_id, "statement", &principal.name);
        let parameters = params::decode_rows(&t.parameters)?;
        let planned = match self.recent.take(&t.query_id, &principal.name) {
            Some(planned) => planned,
            None => {
                self.plan(
                    &principal,
                    request.metadata(),
                    &t.sql,
                    Some(&t.default_schema),
                    parameters.as_ref(),
                )
                .await?
            }
        };
        self.run(planned, log).await
    }

    async fn do_get_prepared_statement(
        &self,
        query: CommandPreparedStatementQuery,
        request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        let principal = self.principal(&request)?;
        let handle = tickets::decode_handle(&query.prepared_statement_handle)?;
        let parameters = handle_parameters(&self.sessions, &handle)?;
        let log = CallLog::new(hex(&handle.id), "prepared", &principal.name);
        let planned = self
            .plan(
                &principal,
                request.metadata(),
                &handle.sql,
                Some(&handle.default_schema),
                parameters.as_ref(),
            )
            .await?;
        self.run(planned, log).await
    }

    async fn do_get_catalogs(
        &self,
        query: CommandGetCatalogs,
        _request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        let schema = query.into_builder().schema();
        batch_response("get_catalogs", schema, metadata::catalogs(&self.catalog)?)
    }

    async fn do_get_schemas(
        &self,
        query: CommandGetDbSchemas,
        request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        let principal = self.principal(&request)?;
        let session = self.session_of(&principal, request.metadata())?;
        session
            .lake()
            .ensure_fresh()
            .await
            .map_err(|e| engine_status(&e))?;
        let schema = query.clone().into_builder().schema();
        batch_response(
            "get_schemas",
            schema,
            metadata::db_schemas(&session, &self.catalog, query)?,
        )
    }

    async fn do_get_tables(
        &self,
        query: CommandGetTables,
        request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        let principal = self.principal(&request)?;
        let session = self.session_of(&principal, request.metadata())?;
        session
            .lake()
            .ensure_fresh()
            .await
            .map_err(|e| engine_status(&e))?;
        let schema = query.clone().into_builder().schema();
        let batch = metadata::tables(&session, &self.catalog, self.wire, query).await?;
        batch_response("get_tables", schema, batch)
    }

    async fn do_get_table_types(
        &self,
        query: CommandGetTableTypes,
        _request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        batch_response(
            "get_table_types",
            query.into_builder().schema(),
            metadata::table_types()?,
        )
    }

    async fn do_get_sql_info(
        &self,
        query: CommandGetSqlInfo,
        _request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        let builder = query.into_builder(&self.sql_info);
        let schema = builder.schema();
        let batch = builder
            .build()
            .map_err(|e| Status::internal(format!("cannot build SqlInfo: {e}")))?;
        batch_response("get_sql_info", schema, batch)
    }

    async fn do_get_primary_keys(
        &self,
        _query: CommandGetPrimaryKeys,
        _request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        batch_response(
            "get_primary_keys",
            Arc::clone(&metadata::PRIMARY_KEYS),
            metadata::empty(&metadata::PRIMARY_KEYS),
        )
    }

    async fn do_get_exported_keys(
        &self,
        _query: CommandGetExportedKeys,
        _request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        batch_response(
            "get_exported_keys",
            Arc::clone(&metadata::FOREIGN_KEYS),
            metadata::empty(&metadata::FOREIGN_KEYS),
        )
    }

    async fn do_get_imported_keys(
        &self,
        _query: CommandGetImportedKeys,
        _request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        batch_response(
            "get_imported_keys",
            Arc::clone(&metadata::FOREIGN_KEYS),
            metadata::empty(&metadata::FOREIGN_KEYS),
        )
    }

    async fn do_get_cross_reference(
        &self,
        _query: CommandGetCrossReference,
        _request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        batch_response(
            "get_cross_reference",
            Arc::clone(&metadata::FOREIGN_KEYS),
            metadata::empty(&metadata::FOREIGN_KEYS),
        )
    }

    async fn do_get_xdbc_type_info(
        &self,
        query: CommandGetXdbcTypeInfo,
        _request: Request<Ticket>,
    ) -> Result<Response<DoGetStream>, Status> {
        let builder = query.into_builder(&self.xdbc);
        let schema = builder.schema();
        let batch = builder
            .build()
            .map_err(|e| Status::internal(format!("cannot build XdbcTypeInfo: {e}")))?;
        batch_response("get_xdbc_type_info", schema, batch)
    }

    async fn do_get_fallback(
        &self,
        _request: Request<Ticket>,
        message: Any,
    ) -> Result<Response<DoGetStream>, Status> {
        Err(Status::invalid_argument(format!(
            "unknown ticket type {}; tickets come from GetFlightInfo",
            message.type_url
        )))
    }

    async fn do_put_statement_update(
        &self,
        cmd: CommandStatementUpdate,
        request: Request<PeekableFlightDataStream>,
    ) -> Result<i64, Status> {
        let principal = self.principal(&request)?;
        let md = request.metadata().clone();
        self.update(&principal, &md, &cmd.query, None, None).await
    }

    async fn do_put_statement_ingest(
        &self,
        _cmd: CommandStatementIngest,
        _request: Request<PeekableFlightDataStream>,
    ) -> Result<i64, Status> {
        Err(Status::unimplemented(
            "bulk ingest is not supported: the lake is read-only",
        ))
    }

    async fn do_put_prepared_statement_query(
        &self,
        query: CommandPreparedStatementQuery,
        request: Request<PeekableFlightDataStream>,
    ) -> Result<DoPutPreparedStatementResult, Status> {
        self.principal(&request)?;
        let mut handle = tickets::decode_handle(&query.prepared_statement_handle)?;
        let parameters = read_parameters(request.into_inner()).await?;
        let rows = match &parameters {
            Some(batch) => params::encode_rows(batch)?,
            None => vec![],
        };
        self.sessions.bind(&handle.id, rows.clone());
        handle.parameters = rows;
        Ok(DoPutPreparedStatementResult {
            prepared_statement_handle: Some(tickets::encode_handle(&handle)),
        })
    }

    async fn do_put_prepared_statement_update(
        &self,
        query: CommandPreparedStatementUpdate,
        request: Request<PeekableFlightDataStream>,
    ) -> Result<i64, Status> {
        let principal = self.principal(&request)?;
        let handle = tickets::decode_handle(&query.prepared_statement_handle)?;
        let md = request.metadata().clone();
        let sent = read_parameters(request.into_inner()).await?;
        let parameters = match sent {
            Some(p) => Some(p),
            None => handle_parameters(&self.sessions, &handle)?,
        };
        self.update(
            &principal,
            &md,
            &handle.sql,
            Some(&handle.default_schema),
            parameters,
        )
        .await
    }

    async fn do_put_substrait_plan(
        &self,
        _query: CommandStatementSubstraitPlan,
        _request: Request<PeekableFlightDataStream>,
    ) -> Result<i64, Status> {
        Err(Status::unimplemented(
            "Substrait plans are not supported; send SQL",
        ))
    }

    async fn do_action_create_prepared_statement(
        &self,
        query: ActionCreatePreparedStatementRequest,
        request: Request<arrow_flight::Action>,
    ) -> Result<ActionCreatePreparedStatementResult, Status> {
        let principal = self.principal(&request)?;
        let prepared = self
            .prepare(&principal, request.metadata(), &query.query)
            .await?;
        Ok(ActionCreatePreparedStatementResult {
            prepared_statement_handle: prepared.prepared_statement_handle.into(),
            dataset_schema: prepared.dataset_schema.into(),
            parameter_schema: prepared.parameter_schema.into(),
        })
    }

    async fn do_action_close_prepared_statement(
        &self,
        query: ActionClosePreparedStatementRequest,
        request: Request<arrow_flight::Action>,
    ) -> Result<(), Status> {
        self.principal(&request)?;
        // Closing twice, or a handle of another server, is fine: handles hold no resources.
        if let Ok(handle) = tickets::decode_handle(&query.prepared_statement_handle) {
            self.sessions.unbind(&handle.id);
        }
        Ok(())
    }

    async fn do_action_begin_transaction(
        &self,
        _query: ActionBeginTransactionRequest,
        _request: Request<arrow_flight::Action>,
    ) -> Result<ActionBeginTransactionResult, Status> {
        Err(Status::unimplemented(
            "transactions are not supported (FLIGHT_SQL_SERVER_TRANSACTION = 0)",
        ))
    }

    async fn do_action_end_transaction(
        &self,
        _query: ActionEndTransactionRequest,
        _request: Request<arrow_flight::Action>,
    ) -> Result<(), Status> {
        Err(Status::unimplemented(
            "transactions are not supported (FLIGHT_SQL_SERVER_TRANSACTION = 0)",
        ))
    }

    async fn do_action_begin_savepoint(
        &self,
        _query: ActionBeginSavepointRequest,
        _request: Request<arrow_flight::Action>,
    ) -> Result<ActionBeginSavepointResult, Status> {
        Err(Status::unimplemented("savepoints are not supported"))
    }

    async fn do_action_end_savepoint(
        &self,
        _query: ActionEndSavepointRequest,
        _request: Request<arrow_flight::Action>,
    ) -> Result<(), Status> {
        Err(Status::unimplemented("savepoints are not supported"))
    }

    async fn do_action_cancel_query(
        &self,
        query: ActionCancelQueryRequest,
        request: Request<arrow_flight::Action>,
    ) -> Result<ActionCancelQueryResult, Status> {
        self.principal(&request)?;
        let info = FlightInfo::decode(query.info.as_ref())
            .map_err(|e| Status::invalid_argument(format!("malformed FlightInfo: {e}")))?;
        let cancelled = self.cancel(&info);
        Ok(ActionCancelQueryResult {
            // CancelResult: 1 CANCELLED, 3 NOT_CANCELLABLE (the enum is not re-exported).
            result: if cancelled { 1 } else { 3 },
        })
    }

    async fn do_put_error_callback(
        &self,
        _request: Request<PeekableFlightDataStream>,
        error: arrow_flight::sql::server::DoPutError,
    ) -> Result<
        Response<<Self as arrow_flight::flight_service_server::FlightService>::DoPutStream>,
        Status,
    > {
        Err(Status::invalid_argument(format!(
            "DoPut needs a FlightDescriptor with a Flight SQL command: {error}"
        )))
    }

    async fn register_sql_info(&self, _id: i32, _result: &SqlInfo) {}
}

/// A prepared statement's description, with `is_update` (field 4) for newer JDBC drivers.
pub(crate) type PreparedResult = tarn_proto::flight::sql::ActionCreatePreparedStatementResult;

impl FlightSql {
    /// Plans a statement for `CreatePreparedStatement`: its handle, result schema (empty for
    /// statements without rows, which JDBC then runs as updates) and parameter schema.
    pub(crate) async fn prepare(
        &self,
        principal: &Principal,
        md: &MetadataMap,
        sql: &str,
    ) -> Result<PreparedResult, Status> {
        let planned = self.plan(principal, md, sql, None, None).await?;
        let param_schema = params::parameter_schema(&planned.plan)?;
        let is_update = planned.schema.fields().is_empty();
        let handle = PreparedStatementHandle {
            id: new_id(),
            sql: sql.to_string(),
            default_schema: planned.default_schema.clone(),
            parameters: vec![],
        };
        Ok(PreparedResult {
            prepared_statement_handle: tickets::encode_handle(&handle).to_vec(),
            dataset_schema: if is_update {
                vec![]
            } else {
                ipc_schema(&planned.schema)?.to_vec()
            },
            parameter_schema: ipc_schema(&param_schema)?.to_vec(),
            is_update: Some(is_update),
        })
    }

    /// Cancels the queries of a FlightInfo's tickets; returns whether any was running.
    pub(crate) fn cancel(&self, info: &FlightInfo) -> bool {
        let mut any = false;
        for endpoint in &info.endpoint {
            let Some(ticket) = &endpoint.ticket else {
                continue;
            };
            let Ok(msg) = Any::decode(ticket.ticket.as_ref()) else {
                continue;
            };
            let Ok(Some(q)) = msg.unpack::<TicketStatementQuery>() else {
                continue;
            };
            if let Ok(t) = tickets::decode_statement_ticket(&q) {
                any |= self.limits.cancel(&t.query_id);
            }
        }
        any
    }

    /// The schema of a command without running it (`GetSchema`).
    pub(crate) async fn schema_of(
        &self,
        principal: &Principal,
        md: &MetadataMap,
        any: Any,
    ) -> Result<SchemaRef, Status> {
        use arrow_flight::sql::Command;
        let cmd = Command::try_from(any)
            .map_err(|e| Status::invalid_argument(format!("unknown command: {e}")))?;
        Ok(match cmd {
            Command::CommandStatementQuery(q) => {
                self.plan(principal, md, &q.query, None, None).await?.schema
            }
            Command::CommandPreparedStatementQuery(q) => {
                let h = tickets::decode_handle(&q.prepared_statement_handle)?;
                let bound = handle_parameters(&self.sessions, &h)?;
                self.plan(
                    principal,
                    md,
                    &h.sql,
                    Some(&h.default_schema),
                    bound.as_ref(),
                )
                .await?
                .schema
            }
            Command::CommandGetCatalogs(q) => q.into_builder().schema(),
            Command::CommandGetDbSchemas(q) => q.into_builder().schema(),
            Command::CommandGetTables(q) => q.into_builder().schema(),
            Command::CommandGetTableTypes(q) => q.into_builder().schema(),
            Command::CommandGetSqlInfo(q) => q.into_builder(&self.sql_info).schema(),
            Command::CommandGetXdbcTypeInfo(q) => q.into_builder(&self.xdbc).schema(),
            Command::CommandGetPrimaryKeys(_) => Arc::clone(&metadata::PRIMARY_KEYS),
            Command::CommandGetExportedKeys(_)
            | Command::CommandGetImportedKeys(_)
            | Command::CommandGetCrossReference(_) => Arc::clone(&metadata::FOREIGN_KEYS),
            other => {
                return Err(Status::invalid_argument(format!(
                    "GetSchema does not apply to {}",
                    other.type_url()
                )));
            }
        })
    }
}

/// A single-batch result with its declared schema.
fn batch_response(
    kind: &'static str,
    schema: SchemaRef,
    batch: RecordBatch,
) -> Result<Response<DoGetStream>, Status> {
    let mut log = CallLog::new(hex(&new_id()), kind, "-");
    log.rows = batch.num_rows() as u64;
    log.bytes = batch.get_array_memory_size() as u64;
    log.outcome = "ok";
    let stream = FlightDataEncoderBuilder::new()
        .with_schema(schema)
        .build(futures::stream::iter(vec![Ok(batch)]))
        .map_err(|e| Status::internal(format!("cannot encode a metadata result: {e}")));
    Ok(Response::new(Box::pin(stream)))
}
