//! Replays of the call sequences the JDBC driver (and DBeaver and Tableau through it) and the
//! ODBC driver send, as read from their sources (flightsql.md §2). The real JDBC driver runs
//! in `tests/python` when a jar is supplied.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Int64Type, UInt32Type};
use arrow_flight::flight_service_client::FlightServiceClient;
use arrow_flight::sql::{
    Any, CommandGetCatalogs, CommandGetDbSchemas, CommandGetImportedKeys, CommandGetPrimaryKeys,
    CommandGetSqlInfo, CommandGetTableTypes, CommandGetTables, CommandGetXdbcTypeInfo,
    CommandPreparedStatementQuery, CommandPreparedStatementUpdate, ProstMessageExt,
};
use arrow_flight::{FlightData, FlightDescriptor, HandshakeRequest};
use base64::Engine;
use futures::{StreamExt, TryStreamExt};
use prost::Message;
use tonic::transport::Channel;

use crate::conformance::prepare_raw;
use crate::server::{Mode, PASSWORD, TOKEN, TestServer, USER};

struct Driver {
    raw: FlightServiceClient<Channel>,
    auth: Option<String>,
}

impl Driver {
    fn req<T>(&self, msg: T) -> tonic::Request<T> {
        let mut r = tonic::Request::new(msg);
        if let Some(a) = &self.auth {
            r.metadata_mut().insert("authorization", a.parse().unwrap());
        }
        r
    }

    /// GetFlightInfo then DoGet on every endpoint; checks the schemas agree.
    async fn fetch(&mut self, cmd: &impl ProstMessageExt) -> Vec<RecordBatch> {
        let desc = FlightDescriptor::new_cmd(cmd.as_any().encode_to_vec());
        let info = self
            .raw
            .get_flight_info(self.req(desc))
            .await
            .unwrap()
            .into_inner();
        let schema = info.clone().try_decode_schema().unwrap();
        let mut out = vec![];
        for ep in info.endpoint {
            assert!(ep.location.is_empty(), "endpoints reuse the connection");
            let stream = self
                .raw
                .do_get(self.req(ep.ticket.unwrap()))
                .await
                .unwrap()
                .into_inner();
            let batches: Vec<RecordBatch> =
                arrow_flight::decode::FlightRecordBatchStream::new_from_flight_data(
                    stream.map_err(|e| e.into()),
                )
                .try_collect()
                .await
                .unwrap();
            for b in &batches {
                assert_eq!(b.schema().as_ref(), &schema);
            }
            out.extend(batches);
        }
        out
    }
}

/// J1: user/password — a Basic handshake, then the Bearer from the response header.
async fn jdbc_connect(server: &TestServer) -> Driver {
    let mut raw = FlightServiceClient::new(server.channel().await);
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    let mut req = tonic::Request::new(futures::stream::iter(vec![HandshakeRequest::default()]));
    req.metadata_mut()
        .insert("authorization", basic.parse().unwrap());
    let resp = raw.handshake(req).await.unwrap();
    let auth = resp
        .metadata()
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_string());
    assert!(auth.is_some(), "the Bearer token comes back in a header");
    Driver { raw, auth }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jdbc_dbeaver_and_tableau() {
    for mode in [Mode::Auth, Mode::Tls] {
        let server = TestServer::start(mode, &[]);
        let mut d = jdbc_connect(&server).await;
        // J2: token= also handshakes, with the Bearer token.
        let mut raw = FlightServiceClient::new(server.channel().await);
        let mut req = tonic::Request::new(futures::stream::iter(vec![HandshakeRequest::default()]));
        req.metadata_mut()
            .insert("authorization", format!("Bearer {TOKEN}").parse().unwrap());
        assert!(raw.handshake(req).await.is_ok());

        // J3: DatabaseMetaData reads GetSqlInfo(all) with Java typing.
        let info = d.fetch(&CommandGetSqlInfo { info: vec![] }).await;
        let keys = info[0].column(0).as_primitive::<UInt32Type>();
        let values = info[0]
            .column(1)
            .as_any()
            .downcast_ref::<arrow::array::UnionArray>()
            .unwrap();
        for (i, k) in keys.values().iter().enumerate() {
            let expected = match k {
                562 | 503 | 505 | 507 | 541..=555 | 557..=561 => Some(2), // Long
                522 | 525 | 526 | 528 | 533..=535 | 538 | 540 | 564 | 567..=571 => Some(3), // Integer bitmask
                508..=512 => Some(4), // List<String>
                _ => None,
            };
            if let Some(t) = expected {
                assert_eq!(values.type_id(i), t, "key {k}");
            }
        }

        // J4: Statement.executeQuery goes through a prepared statement.
        let p = prepare_raw(
            &mut d.raw,
            &d.auth,
            "SELECT id, kind FROM events ORDER BY id",
        )
        .await;
        assert!(
            !p.dataset_schema.is_empty(),
            "a query prepares with a dataset schema"
        );
        let rows = d
            .fetch(&CommandPreparedStatementQuery {
                prepared_statement_handle: p.prepared_statement_handle.clone(),
            })
            .await;
        assert_eq!(rows.iter().map(|b| b.num_rows()).sum::<usize>(), 6);
        let close = arrow_flight::sql::ActionClosePreparedStatementRequest {
            prepared_statement_handle: p.prepared_statement_handle,
        };
        let req = d.req(arrow_flight::Action {
            r#type: "ClosePreparedStatement".into(),
            body: close.as_any().encode_to_vec().into(),
        });
        assert!(d.raw.do_action(req).await.is_ok());

        // J5: SET via execute: an empty dataset schema, then DoPut(CommandPreparedStatementUpdate).
        let p = prepare_raw(
            &mut d.raw,
            &d.auth,
            "SET datafusion.execution.batch_size = 2048",
        )
        .await;
        assert!(p.dataset_schema.is_empty());
        let cmd = CommandPreparedStatementUpdate {
            prepared_statement_handle: p.prepared_statement_handle,
        };
        let desc = FlightDescriptor::new_cmd(cmd.as_any().encode_to_vec());
        let put = d.req(futures::stream::iter(vec![FlightData {
            flight_descriptor: Some(desc),
            ..Default::default()
        }]));
        let mut results = d.raw.do_put(put).await.unwrap().into_inner();
        let r = results.next().await.unwrap().unwrap();
        let count = arrow_flight::sql::DoPutUpdateResult::decode(r.app_metadata.as_ref())
            .unwrap()
            .record_count;
        assert_eq!(count, 0);

        // J7: DBeaver browses catalog → schemas → tables → columns → keys.
        let cats = d.fetch(&CommandGetCatalogs {}).await;
        assert_eq!(cats[0].column(0).as_string::<i32>().value(0), "tarn");
        let schemas = d
            .fetch(&CommandGetDbSchemas {
                catalog: Some("tarn".into()),
                db_schema_filter_pattern: None,
            })
            .await;
        assert!(schemas[0].num_rows() >= 6);
        let tables = d
            .fetch(&CommandGetTables {
                catalog: Some("tarn".into()),
                db_schema_filter_pattern: Some("web".into()),
                table_name_filter_pattern: None,
                table_types: vec!["TABLE".into(), "VIEW".into()],
                include_schema: false,
            })
            .await;
        assert!(tables[0].num_rows() >= 7);
        let columns = d
            .fetch(&CommandGetTables {
                catalog: Some("tarn".into()),
                db_schema_filter_pattern: Some("web".into()),
                table_name_filter_pattern: Some("hits".into()),
                table_types: vec![],
                include_schema: true,
            })
            .await;
        assert_eq!(columns[0].num_rows(), 1);
        let pk = d
            .fetch(&CommandGetPrimaryKeys {
                catalog: Some("tarn".into()),
                db_schema: Some("web".into()),
                table: "hits".into(),
            })
            .await;
        assert_eq!(pk.iter().map(|b| b.num_rows()).sum::<usize>(), 0);
        let fk = d
            .fetch(&CommandGetImportedKeys {
                catalog: Some("tarn".into()),
                db_schema: Some("web".into()),
                table: "hits".into(),
            })
            .await;
        assert_eq!(fk.iter().map(|b| b.num_rows()).sum::<usize>(), 0);

        // J9: Tableau-shaped SQL.
        for sql in [
            "SELECT * FROM (SELECT id, kind FROM events) \"Custom SQL Query\" WHERE (0 = 1)",
            "SELECT \"t\".\"kind\" AS \"kind\" FROM \"tarn\".\"default\".\"events\" \"t\" LIMIT 10000",
            "SELECT \"my.events\".\"id\" FROM \"default\".\"events\" \"my.events\" GROUP BY 1",
            "SELECT CAST(\"events\".\"dt\" AS DATE) AS \"dt\", COUNT(*) FROM \"events\" GROUP BY 1",
        ] {
            let p = prepare_raw(&mut d.raw, &d.auth, sql).await;
            d.fetch(&CommandPreparedStatementQuery {
                prepared_statement_handle: p.prepared_statement_handle,
            })
            .await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odbc_get_info_types_and_tables() {
    let server = TestServer::start(Mode::Auth, &[]);
    let mut d = jdbc_connect(&server).await;
    // O1: SQLGetInfo — 503/505/507/562 bigint, SQL_SUPPORTS_CONVERT present, catalog term set.
    let info = d
        .fetch(&CommandGetSqlInfo {
            info: vec![503, 505, 507, 562, 517, 531],
        })
        .await;
    let values = info[0]
        .column(1)
        .as_any()
        .downcast_ref::<arrow::array::UnionArray>()
        .unwrap();
    let keys = info[0].column(0).as_primitive::<UInt32Type>();
    for (i, k) in keys.values().iter().enumerate() {
        match k {
            503 | 505 | 507 | 562 => assert_eq!(values.type_id(i), 2, "key {k}"),
            517 => assert_eq!(values.type_id(i), 5, "SQL_SUPPORTS_CONVERT is a map"),
            531 => assert_eq!(values.value(i).as_string::<i32>().value(0), "catalog"),
            _ => {}
        }
    }
    assert_eq!(keys.len(), 6);
    // O2: SQLGetTypeInfo.
    let types = d.fetch(&CommandGetXdbcTypeInfo { data_type: None }).await;
    let names: Vec<&str> = (0..types[0].num_rows())
        .map(|i| types[0].column(0).as_string::<i32>().value(i))
        .collect();
    for t in [
        "VARCHAR",
        "BIGINT",
        "DOUBLE",
        "DECIMAL",
        "DATE",
        "TIMESTAMP",
        "BOOLEAN",
    ] {
        assert!(names.contains(&t), "{t} in {names:?}");
    }
    // O3: SQLTables special cases.
    let cats = d.fetch(&CommandGetCatalogs {}).await;
    assert_eq!(cats[0].num_rows(), 1);
    let schemas = d
        .fetch(&CommandGetDbSchemas {
            catalog: None,
            db_schema_filter_pattern: Some("%".into()),
        })
        .await;
    assert!(schemas[0].num_rows() > 1);
    let table_types = d.fetch(&CommandGetTableTypes {}).await;
    assert_eq!(table_types[0].num_rows(), 3);
    // SQLExecDirect: a plain statement query.
    let rows = d
        .fetch(&arrow_flight::sql::CommandStatementQuery {
            query: "SELECT count(*) FROM web.hits".into(),
            transaction_id: None,
        })
        .await;
    assert_eq!(rows[0].column(0).as_primitive::<Int64Type>().value(0), 4);
    let _ = Any::default();
}
