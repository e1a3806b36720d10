//! Protocol conformance (the compatibility plan's P1–P25) with the Rust Flight SQL client and
//! raw Flight calls.

use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Schema, UInt32Type};
use arrow_flight::flight_service_client::FlightServiceClient;
use arrow_flight::sql::{
    Any, CommandGetDbSchemas, CommandGetPrimaryKeys, CommandGetTables, CommandGetXdbcTypeInfo,
    CommandPreparedStatementQuery, CommandStatementQuery, ProstMessageExt, SqlInfo,
};
use arrow_flight::{Action, FlightDescriptor, HandshakeRequest, Ticket};
use base64::Engine;
use futures::{StreamExt, TryStreamExt};
use prost::Message;
use tonic::Code;
use tonic::transport::Channel;

use crate::server::{Mode, PASSWORD, TOKEN, TestServer, USER, each_mode, query};

/// A raw Flight client and the authorization header value to send, if any.
async fn raw(server: &TestServer) -> (FlightServiceClient<Channel>, Option<String>) {
    let channel = server.channel().await;
    let auth = (server.mode != Mode::Open).then(|| format!("Bearer {TOKEN}"));
    (FlightServiceClient::new(channel), auth)
}

fn with_auth<T>(msg: T, auth: &Option<String>) -> tonic::Request<T> {
    let mut r = tonic::Request::new(msg);
    if let Some(a) = auth {
        r.metadata_mut().insert("authorization", a.parse().unwrap());
    }
    r
}

fn descriptor(cmd: &impl ProstMessageExt) -> FlightDescriptor {
    FlightDescriptor::new_cmd(cmd.as_any().encode_to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p01_p03_authentication() {
    let server = TestServer::start(Mode::Auth, &[]);
    let (mut raw, _) = raw(&server).await;
    // Basic handshake: a Bearer token in the response header.
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    let mut req = tonic::Request::new(futures::stream::iter(vec![HandshakeRequest::default()]));
    req.metadata_mut()
        .insert("authorization", basic.parse().unwrap());
    let resp = raw.handshake(req).await.unwrap();
    let bearer = resp
        .metadata()
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(bearer.starts_with("Bearer "), "{bearer}");
    // The issued token works for later calls.
    let ok = raw
        .list_actions(with_auth(arrow_flight::Empty {}, &Some(bearer)))
        .await;
    assert!(ok.is_ok());
    // Wrong password.
    let wrong = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:nope"))
    );
    let mut req = tonic::Request::new(futures::stream::iter(vec![HandshakeRequest::default()]));
    req.metadata_mut()
        .insert("authorization", wrong.parse().unwrap());
    assert_eq!(
        raw.handshake(req).await.unwrap_err().code(),
        Code::Unauthenticated
    );
    // A Bearer handshake (JDBC token=): OK with a valid token, UNAUTHENTICATED otherwise.
    for (token, expect_ok) in [(TOKEN, true), ("wrong", false)] {
        let mut req = tonic::Request::new(futures::stream::iter(vec![HandshakeRequest::default()]));
        req.metadata_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        let r = raw.handshake(req).await;
        assert_eq!(r.is_ok(), expect_ok, "{token}: {r:?}");
        if let Err(e) = r {
            assert_eq!(e.code(), Code::Unauthenticated);
        }
    }
    // Every RPC needs credentials: none, a bad token and flightsql-dbapi's `Bearer None`.
    for auth in [
        None,
        Some("Bearer bad".to_string()),
        Some("Bearer None".to_string()),
    ] {
        let err = raw
            .list_actions(with_auth(arrow_flight::Empty {}, &auth))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::Unauthenticated, "{auth:?}");
        let cmd = CommandStatementQuery {
            query: "SELECT 1".into(),
            transaction_id: None,
        };
        let err = raw
            .get_flight_info(with_auth(descriptor(&cmd), &auth))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::Unauthenticated);
    }
    // Basic on an ordinary call works too (Tableau), and a static token as the password.
    let basic_token = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("x:{TOKEN}"))
    );
    assert!(
        raw.list_actions(with_auth(arrow_flight::Empty {}, &Some(basic_token)))
            .await
            .is_ok()
    );

    // With authentication off, junk credentials are ignored.
    let open = TestServer::start(Mode::Open, &[]);
    let (mut raw, _) = self::raw(&open).await;
    let junk = Some("Bearer None".to_string());
    assert!(
        raw.list_actions(with_auth(arrow_flight::Empty {}, &junk))
            .await
            .is_ok()
    );
    let mut req = tonic::Request::new(futures::stream::iter(vec![HandshakeRequest::default()]));
    req.metadata_mut()
        .insert("authorization", "Basic eDp5".parse().unwrap());
    assert!(raw.handshake(req).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p04_list_actions() {
    let server = TestServer::start(Mode::Open, &[]);
    let (mut raw, auth) = raw(&server).await;
    let actions: Vec<String> = raw
        .list_actions(with_auth(arrow_flight::Empty {}, &auth))
        .await
        .unwrap()
        .into_inner()
        .map(|a| a.unwrap().r#type)
        .collect()
        .await;
    for a in [
        "CreatePreparedStatement",
        "ClosePreparedStatement",
        "SetSessionOptions",
        "GetSessionOptions",
        "CloseSession",
        "CancelFlightInfo",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p05_p06_p24_flight_info_schema_equals_stream_schema() {
    each_mode(&[], |server| async move {
        let mut client = server.client().await;
        for sql in [
            "SELECT * FROM demo.types",
            "SELECT min(id), max(id), count(*) FROM demo.types",
            "SELECT year, name FROM demo.types",
            "SELECT dt, id, kind FROM events ORDER BY id",
            "SELECT NULL AS n, 1 AS one",
            "SELECT * FROM demo.types WHERE false",
            "SELECT * FROM demo.types LIMIT 0",
            "SELECT country, hour FROM web.hits",
            "SELECT tags, amount, ts FROM demo.types",
            "SHOW TABLES",
        ] {
            let (schema, batches) = query(&mut client, sql).await;
            for b in &batches {
                assert_eq!(
                    b.schema().as_ref(),
                    &schema,
                    "{sql}: FlightInfo and DoGet schemas differ"
                );
            }
            // Compatibility mode: no view, dictionary or large types on the wire.
            for f in schema.fields() {
                assert!(
                    !matches!(
                        f.data_type(),
                        DataType::Utf8View
                            | DataType::BinaryView
                            | DataType::Dictionary(..)
                            | DataType::LargeUtf8
                    ),
                    "{sql}: {f:?}"
                );
            }
        }
        // Column metadata for JDBC/ODBC.
        let (schema, _) = query(&mut client, "SELECT id, name, amount FROM demo.types").await;
        let md = schema.field(2).metadata();
        assert_eq!(md["ARROW:FLIGHT:SQL:TYPE_NAME"], "DECIMAL");
        assert_eq!(md["ARROW:FLIGHT:SQL:PRECISION"], "10");
        assert_eq!(md["ARROW:FLIGHT:SQL:SCALE"], "2");
        assert_eq!(md["ARROW:FLIGHT:SQL:TABLE_NAME"], "types");
        assert_eq!(md["ARROW:FLIGHT:SQL:DB_SCHEMA_NAME"], "demo");
        assert_eq!(md["ARROW:FLIGHT:SQL:CATALOG_NAME"], "tarn");
        // Values survive the trip.
        let (_, batches) = query(
            &mut client,
            "SELECT name, amount, bin, tags FROM demo.types ORDER BY id",
        )
        .await;
        let b = &batches[0];
        assert_eq!(b.column(0).as_string::<i32>().value(0), "one");
        assert!(b.column(0).is_null(1));
        assert_eq!(b.column(2).as_binary::<i32>().value(0), b"\x00\x01");
        assert_eq!(b.column(3).as_list::<i32>().value(0).len(), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p07_get_schema_without_running() {
    let server = TestServer::start(Mode::Auth, &[]);
    let mut client = server.client().await;
    let (raw, auth) = raw(&server).await;
    let mut raw = raw;
    let sql = "SELECT id, name FROM demo.types";
    let (expected, _) = query(&mut client, sql).await;
    let cmd = CommandStatementQuery {
        query: sql.into(),
        transaction_id: None,
    };
    let got = raw
        .get_schema(with_auth(descriptor(&cmd), &auth))
        .await
        .unwrap()
        .into_inner();
    let got = Schema::try_from(&got).unwrap();
    assert_eq!(got, expected);
    // The prepared form.
    let prepared = prepare_raw(&mut raw, &auth, sql).await;
    let cmd = CommandPreparedStatementQuery {
        prepared_statement_handle: prepared.prepared_statement_handle,
    };
    let got = Schema::try_from(
        &raw.get_schema(with_auth(descriptor(&cmd), &auth))
            .await
            .unwrap()
            .into_inner(),
    )
    .unwrap();
    assert_eq!(got, expected);
    // A metadata command.
    let cmd = CommandGetDbSchemas {
        catalog: None,
        db_schema_filter_pattern: None,
    };
    let got = Schema::try_from(
        &raw.get_schema(with_auth(descriptor(&cmd), &auth))
            .await
            .unwrap()
            .into_inner(),
    )
    .unwrap();
    assert_eq!(got.field(1).name(), "db_schema_name");
    // GetSchema does not run DDL: a view "created" by it does not exist afterwards.
    let cmd = CommandStatementQuery {
        query: "CREATE VIEW should_not_exist AS SELECT 1".into(),
        transaction_id: None,
    };
    let got = Schema::try_from(
        &raw.get_schema(with_auth(descriptor(&cmd), &auth))
            .await
            .unwrap()
            .into_inner(),
    )
    .unwrap();
    assert!(got.fields().is_empty());
    let err = client
        .execute("SELECT * FROM should_not_exist".into(), None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");
}

/// Prepares `sql` with a raw `CreatePreparedStatement` action.
pub(crate) async fn prepare_raw(
    raw: &mut FlightServiceClient<Channel>,
    auth: &Option<String>,
    sql: &str,
) -> arrow_flight::sql::ActionCreatePreparedStatementResult {
    let req = arrow_flight::sql::ActionCreatePreparedStatementRequest {
        query: sql.into(),
        transaction_id: None,
    };
    let (body, _) = action(
        raw,
        auth,
        "CreatePreparedStatement",
        req.as_any().encode_to_vec(),
        None,
    )
    .await;
    let any = Any::decode(body.as_slice()).unwrap();
    any.unpack()
        .unwrap()
        .expect("an ActionCreatePreparedStatementResult")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p08_p09_prepared_statements_with_parameters() {
    each_mode(&[], |server| async move {
        let mut client = server.client().await;
        // Without parameters, executed twice, closed twice.
        let mut p = client
            .prepare("SELECT count(*) AS n FROM events".into(), None)
            .await
            .unwrap();
        assert_eq!(p.dataset_schema().unwrap().field(0).name(), "n");
        for _ in 0..2 {
            let info = p.execute().await.unwrap();
            let batches: Vec<RecordBatch> = client
                .do_get(info.endpoint[0].ticket.clone().unwrap())
                .await
                .unwrap()
                .try_collect()
                .await
                .unwrap();
            assert_eq!(
                batches[0]
                    .column(0)
                    .as_primitive::<arrow::datatypes::Int64Type>()
                    .value(0),
                6
            );
        }
        p.close().await.unwrap();

        // `?` placeholders, in order, with inferred types.
        let sql = "SELECT id, kind FROM events WHERE id > ? AND kind = ? AND dt <= ? ORDER BY id";
        let mut p = client.prepare(sql.into(), None).await.unwrap();
        let ps = p.parameter_schema().unwrap().clone();
        assert_eq!(ps.fields().len(), 3);
        assert_eq!(ps.field(0).data_type(), &DataType::Int64);
        assert_eq!(ps.field(1).data_type(), &DataType::Utf8View);
        assert_eq!(ps.field(2).data_type(), &DataType::Date32);
        let params = RecordBatch::try_new(
            Arc::new(ps.clone()),
            vec![
                Arc::new(arrow::array::Int64Array::from(vec![1])),
                Arc::new(arrow::array::StringViewArray::from(vec!["close"])),
                Arc::new(arrow::array::Date32Array::from(vec![19724])), // 2024-01-02
            ],
        )
        .unwrap();
        p.set_parameters(params).unwrap();
        let info = p.execute().await.unwrap();
        let batches: Vec<RecordBatch> = client
            .do_get(info.endpoint[0].ticket.clone().unwrap())
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let ids: Vec<i64> = batches
            .iter()
            .flat_map(|b| {
                b.column(0)
                    .as_primitive::<arrow::datatypes::Int64Type>()
                    .values()
                    .to_vec()
            })
            .collect();
        assert_eq!(ids, vec![2, 4]);

        // Ten and more `$n` parameters keep numeric order ($10 after $9).
        let sql = format!(
            "SELECT {} AS s",
            (1..=11)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(" || ',' || ")
        );
        let mut p = client.prepare(sql, None).await.unwrap();
        let ps = p.parameter_schema().unwrap().clone();
        let names: Vec<&str> = ps.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(
            names,
            (1..=11)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
        );
        let cols: Vec<arrow::array::ArrayRef> = (1..=11)
            .map(|i| {
                Arc::new(arrow::array::StringArray::from(vec![format!("v{i}")]))
                    as arrow::array::ArrayRef
            })
            .collect();
        p.set_parameters(RecordBatch::try_new(Arc::new(ps), cols).unwrap())
            .unwrap();
        let info = p.execute().await.unwrap();
        let batches: Vec<RecordBatch> = client
            .do_get(info.endpoint[0].ticket.clone().unwrap())
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            batches[0].column(0).as_string::<i32>().value(0),
            "v1,v2,v3,v4,v5,v6,v7,v8,v9,v10,v11"
        );

        // A wrong number of values is a clear error.
        let mut p = client
            .prepare("SELECT ? + 1 AS x".into(), None)
            .await
            .unwrap();
        let two = RecordBatch::try_from_iter(vec![
            (
                "a",
                Arc::new(arrow::array::Int64Array::from(vec![1])) as arrow::array::ArrayRef,
            ),
            (
                "b",
                Arc::new(arrow::array::Int64Array::from(vec![2])) as arrow::array::ArrayRef,
            ),
        ])
        .unwrap();
        p.set_parameters(two).unwrap();
        let err = match p.execute().await {
            Err(e) => e.to_string(),
            Ok(info) => match client
                .do_get(info.endpoint[0].ticket.clone().unwrap())
                .await
            {
                Err(e) => e.to_string(),
                Ok(s) => s.try_collect::<Vec<_>>().await.unwrap_err().to_string(),
            },
        };
        assert!(err.contains("1 parameter(s) but 2 value(s)"), "{err}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p10_p11_statements_without_rows_and_updates() {
    let server = TestServer::start(Mode::Auth, &[]);
    let mut client = server.client().await;
    // A session (keyed by the token) keeps what DDL creates.
    let p = client
        .prepare(
            "CREATE VIEW recent AS SELECT * FROM events WHERE id > 4".into(),
            None,
        )
        .await
        .unwrap();
    assert!(
        p.dataset_schema().unwrap().fields().is_empty(),
        "no rows: JDBC runs it as an update"
    );
    let mut p = p;
    assert_eq!(p.execute_update().await.unwrap(), 0);
    let (_, batches) = query(&mut client, "SELECT count(*) FROM recent").await;
    assert_eq!(
        batches[0]
            .column(0)
            .as_primitive::<arrow::datatypes::Int64Type>()
            .value(0),
        2
    );
    // SET through the update path, seen by the next query of the session.
    client
        .execute_update("SET datafusion.execution.batch_size = 1234".into(), None)
        .await
        .unwrap();
    let (_, batches) =
        query(&mut client, "SELECT value FROM information_schema.df_settings WHERE name = 'datafusion.execution.batch_size'").await;
    assert_eq!(batches[0].column(0).as_string::<i32>().value(0), "1234");
    // SHOW and EXPLAIN prepare with rows.
    for sql in ["SHOW TABLES", "EXPLAIN SELECT 1"] {
        let p = client.prepare(sql.into(), None).await.unwrap();
        assert!(!p.dataset_schema().unwrap().fields().is_empty(), "{sql}");
    }
    // Writes to lake tables are refused clearly; session tables accept them.
    let err = client
        .execute_update(
            "INSERT INTO events VALUES (1, 'x', DATE '2024-01-01')".into(),
            None,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    client
        .execute_update("CREATE TABLE scratch_t (x BIGINT)".into(), None)
        .await
        .unwrap();
    assert_eq!(
        client
            .execute_update("INSERT INTO scratch_t VALUES (1), (2)".into(), None)
            .await
            .unwrap(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p12_errors_map_to_codes() {
    let server = TestServer::start(Mode::Open, &[]);
    let (mut raw, auth) = raw(&server).await;
    let info = |q: &str| {
        descriptor(&CommandStatementQuery {
            query: q.into(),
            transaction_id: None,
        })
    };
    let code = |r: Result<tonic::Response<arrow_flight::FlightInfo>, tonic::Status>| r.unwrap_err();
    let e = code(raw.get_flight_info(with_auth(info("SELEC 1"), &auth)).await);
    assert_eq!(e.code(), Code::InvalidArgument, "{e}");
    let e = code(
        raw.get_flight_info(with_auth(info("SELECT * FROM nowhere"), &auth))
            .await,
    );
    assert_eq!(e.code(), Code::NotFound, "{e}");
    assert!(e.message().contains("nowhere"), "{e}");
    let e = code(
        raw.get_flight_info(with_auth(info("SELECT * FROM bad.corrupt"), &auth))
            .await,
    );
    assert_eq!(e.code(), Code::FailedPrecondition, "{e}");
    assert!(e.message().contains("part-0.parquet"), "{e}");
    // Paths outside the lake are refused in server mode.
    let e = code(
        raw.get_flight_info(with_auth(
            info("COPY (SELECT 1) TO '/tmp/x.parquet'"),
            &auth,
        ))
        .await,
    );
    assert_eq!(e.code(), Code::PermissionDenied, "{e}");
    let e = code(
        raw.get_flight_info(with_auth(
            info("CREATE EXTERNAL TABLE x STORED AS PARQUET LOCATION '/etc/'"),
            &auth,
        ))
        .await,
    );
    assert_eq!(e.code(), Code::PermissionDenied, "{e}");
    // A ticket that is not ours, and an unknown command.
    let bad = Ticket::new(
        Any {
            type_url: "type.googleapis.com/x.Y".into(),
            value: vec![1, 2].into(),
        }
        .encode_to_vec(),
    );
    let e = raw.do_get(with_auth(bad, &auth)).await.unwrap_err();
    assert!(
        matches!(e.code(), Code::InvalidArgument | Code::Unimplemented),
        "{e}"
    );
    let e = raw
        .do_get(with_auth(Ticket::new(vec![0xff, 0x00, 0x13]), &auth))
        .await
        .unwrap_err();
    assert!(
        matches!(e.code(), Code::InvalidArgument | Code::Internal),
        "{e}"
    );
    let e = code(
        raw.get_flight_info(with_auth(
            FlightDescriptor::new_cmd(b"junk".to_vec()),
            &auth,
        ))
        .await,
    );
    assert_ne!(e.code(), Code::Ok);
    // DoPut without a descriptor.
    let e = raw
        .do_put(with_auth(
            futures::stream::iter(vec![arrow_flight::FlightData::default()]),
            &auth,
        ))
        .await;
    let code = match e {
        Err(s) => s.code(),
        Ok(r) => r.into_inner().next().await.unwrap().unwrap_err().code(),
    };
    assert_eq!(code, Code::InvalidArgument);
    // Messages never carry source locations.
    assert!(!server.log().contains("panicked"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p13_p14_sql_info_and_xdbc_types() {
    let server = TestServer::start(Mode::Open, &[]);
    let mut client = server.client().await;
    let info = client.get_sql_info(vec![]).await.unwrap();
    let batches: Vec<RecordBatch> = client
        .do_get(info.endpoint[0].ticket.clone().unwrap())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let keys: Vec<u32> = batches
        .iter()
        .flat_map(|b| b.column(0).as_primitive::<UInt32Type>().values().to_vec())
        .collect();
    for k in (0..=11).chain(100..=101).chain(500..=576) {
        assert!(keys.contains(&k), "key {k} missing");
    }
    // Union child per key, as the JDBC/ODBC drivers read it (bigint = type id 2).
    let b = &batches[0];
    let values = b
        .column(1)
        .as_any()
        .downcast_ref::<arrow::array::UnionArray>()
        .unwrap();
    for (i, k) in b
        .column(0)
        .as_primitive::<UInt32Type>()
        .values()
        .iter()
        .enumerate()
    {
        if [503, 505, 507, 562].contains(k) {
            assert_eq!(values.type_id(i), 2, "key {k} must be int64");
        }
        if *k == 504 {
            assert_eq!(values.value(i).as_string::<i32>().value(0), "\"");
        }
    }
    // A filter, with an unknown id ignored.
    let info = client
        .get_sql_info(vec![
            SqlInfo::FlightSqlServerName,
            SqlInfo::FlightSqlServerReadOnly,
        ])
        .await
        .unwrap();
    let batches: Vec<RecordBatch> = client
        .do_get(info.endpoint[0].ticket.clone().unwrap())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 2);
    // XdbcTypeInfo: 19 columns, filterable by type.
    let info = client
        .get_xdbc_type_info(CommandGetXdbcTypeInfo { data_type: None })
        .await
        .unwrap();
    let all: Vec<RecordBatch> = client
        .do_get(info.endpoint[0].ticket.clone().unwrap())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all[0].num_columns(), 19);
    assert!(all[0].num_rows() >= 12);
    let info = client
        .get_xdbc_type_info(CommandGetXdbcTypeInfo {
            data_type: Some(12),
        })
        .await
        .unwrap();
    let varchar: Vec<RecordBatch> = client
        .do_get(info.endpoint[0].ticket.clone().unwrap())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(varchar[0].num_rows(), 1);
    assert_eq!(varchar[0].column(0).as_string::<i32>().value(0), "VARCHAR");
}

async fn fetch(
    client: &mut arrow_flight::sql::client::FlightSqlServiceClient<Channel>,
    info: arrow_flight::FlightInfo,
) -> Vec<RecordBatch> {
    let schema = info.clone().try_decode_schema().unwrap();
    let batches: Vec<RecordBatch> = client
        .do_get(info.endpoint[0].ticket.clone().unwrap())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    for b in &batches {
        assert_eq!(b.schema().as_ref(), &schema);
    }
    batches
}

fn strings(batches: &[RecordBatch], col: usize) -> Vec<String> {
    batches
        .iter()
        .flat_map(|b| {
            (0..b.num_rows()).map(move |i| b.column(col).as_string::<i32>().value(i).to_string())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p15_p19_catalog_metadata() {
    each_mode(&[], |server| async move {
        let mut c = server.client().await;
        let info = c.get_catalogs().await.unwrap();
        assert_eq!(strings(&fetch(&mut c, info).await, 0), vec!["tarn"]);
        // Schemas: catalog unset means all; "" means none; patterns with escapes.
        let info = c
            .get_db_schemas(CommandGetDbSchemas {
                catalog: None,
                db_schema_filter_pattern: None,
            })
            .await
            .unwrap();
        let all = strings(&fetch(&mut c, info).await, 1);
        for s in [
            "bad",
            "default",
            "demo",
            "information_schema",
            "other",
            "system",
            "web",
        ] {
            assert!(all.contains(&s.to_string()), "{s} in {all:?}");
        }
        let info = c
            .get_db_schemas(CommandGetDbSchemas {
                catalog: Some("".into()),
                db_schema_filter_pattern: None,
            })
            .await
            .unwrap();
        assert!(strings(&fetch(&mut c, info).await, 1).is_empty());
        let info = c
            .get_db_schemas(CommandGetDbSchemas {
                catalog: Some("tarn".into()),
                db_schema_filter_pattern: Some("d%".into()),
            })
            .await
            .unwrap();
        assert_eq!(
            strings(&fetch(&mut c, info).await, 1),
            vec!["default", "demo"]
        );
        // Tables: types, patterns, escaped underscore, include_schema with metadata.
        let tables = |schema: Option<&str>,
                      table: Option<&str>,
                      types: Vec<&str>,
                      include: bool| CommandGetTables {
            catalog: None,
            db_schema_filter_pattern: schema.map(String::from),
            table_name_filter_pattern: table.map(String::from),
            table_types: types.into_iter().map(String::from).collect(),
            include_schema: include,
        };
        let info = c
            .get_tables(tables(Some("web"), None, vec![], false))
            .await
            .unwrap();
        let b = fetch(&mut c, info).await;
        assert_eq!(b[0].num_columns(), 4);
        assert_eq!(
            strings(&b, 2),
            vec![
                "daily_s3",
                "evolving",
                "hits",
                "shared",
                "visits",
                "visits_v1",
                "visits_v2"
            ]
        );
        assert!(strings(&b, 3).iter().all(|t| t == "TABLE"));
        let info = c
            .get_tables(tables(None, Some("visits\\_v_"), vec!["TABLE"], true))
            .await
            .unwrap();
        let b = fetch(&mut c, info).await;
        assert_eq!(b[0].num_columns(), 5);
        assert_eq!(strings(&b, 2), vec!["visits_v1", "visits_v2"]);
        assert_eq!(b[0].column(2).data_type(), &DataType::Utf8);
        assert_eq!(b[0].column(4).data_type(), &DataType::Binary);
        let ipc = b[0].column(4).as_binary::<i32>().value(1);
        let schema = arrow_flight::IpcMessage(ipc.to_vec().into());
        let schema = Schema::try_from(schema).unwrap();
        let url = schema.field_with_name("url").unwrap();
        assert_eq!(
            url.data_type(),
            &DataType::Utf8,
            "compat types in table schemas too"
        );
        assert_eq!(
            url.metadata()["ARROW:FLIGHT:SQL:REMARKS"],
            "The visited URL."
        );
        assert_eq!(url.metadata()["ARROW:FLIGHT:SQL:TABLE_NAME"], "visits_v2");
        let info = c
            .get_tables(tables(
                Some("information_schema"),
                None,
                vec!["SYSTEM TABLE"],
                false,
            ))
            .await
            .unwrap();
        assert!(strings(&fetch(&mut c, info).await, 2).contains(&"columns".to_string()));
        let info = c
            .get_tables(tables(None, None, vec!["VIEW"], false))
            .await
            .unwrap();
        assert!(strings(&fetch(&mut c, info).await, 2).is_empty());
        // Table types, sorted.
        let info = c.get_table_types().await.unwrap();
        assert_eq!(
            strings(&fetch(&mut c, info).await, 0),
            vec!["SYSTEM TABLE", "TABLE", "VIEW"]
        );
        // Keys: empty, with their schemas.
        let info = c
            .get_primary_keys(CommandGetPrimaryKeys {
                catalog: None,
                db_schema: Some("web".into()),
                table: "hits".into(),
            })
            .await
            .unwrap();
        let schema = info.clone().try_decode_schema().unwrap();
        assert_eq!(schema.fields().len(), 6);
        assert_eq!(schema.field(5).data_type(), &DataType::Int32);
        assert_eq!(
            fetch(&mut c, info)
                .await
                .iter()
                .map(|b| b.num_rows())
                .sum::<usize>(),
            0
        );
    })
    .await;
}

/// Runs a raw action and returns its single result body.
async fn action(
    raw: &mut FlightServiceClient<Channel>,
    auth: &Option<String>,
    kind: &str,
    body: Vec<u8>,
    cookie: Option<&str>,
) -> (Vec<u8>, Option<String>) {
    let mut req = with_auth(
        Action {
            r#type: kind.into(),
            body: body.into(),
        },
        auth,
    );
    if let Some(c) = cookie {
        req.metadata_mut().insert("cookie", c.parse().unwrap());
    }
    let resp = raw
        .do_action(req)
        .await
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
    let set_cookie = resp
        .metadata()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_string());
    let mut results: Vec<arrow_flight::Result> = resp.into_inner().try_collect().await.unwrap();
    (
        results.pop().map(|r| r.body.to_vec()).unwrap_or_default(),
        set_cookie,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p20_session_options() {
    use tarn_proto::flight::{
        CloseSessionRequest, CloseSessionResult, GetSessionOptionsRequest, GetSessionOptionsResult,
        SessionOptionValue, SetSessionOptionsRequest, SetSessionOptionsResult,
        session_option_value::OptionValue,
    };
    let server = TestServer::start(Mode::Open, &[]);
    let (mut raw, auth) = raw(&server).await;
    let s = |v: &str| SessionOptionValue {
        option_value: Some(OptionValue::StringValue(v.into())),
    };
    let req = SetSessionOptionsRequest {
        session_options: [
            ("catalog".to_string(), s("tarn")),
            ("schema".to_string(), s("web")),
            ("nonsense".to_string(), s("1")),
        ]
        .into_iter()
        .collect(),
    };
    let (body, set_cookie) = action(
        &mut raw,
        &auth,
        "SetSessionOptions",
        req.encode_to_vec(),
        None,
    )
    .await;
    let result = SetSessionOptionsResult::decode(body.as_slice()).unwrap();
    assert_eq!(result.errors.len(), 1, "{result:?}");
    assert_eq!(result.errors["nonsense"].value, 1, "INVALID_NAME");
    // The server handed out a session cookie (JDBC sends it back).
    let cookie = set_cookie.expect("a session cookie");
    let (body, _) = action(
        &mut raw,
        &auth,
        "GetSessionOptions",
        GetSessionOptionsRequest {}.encode_to_vec(),
        Some(&cookie),
    )
    .await;
    let got = GetSessionOptionsResult::decode(body.as_slice()).unwrap();
    assert_eq!(got.session_options["schema"], s("web"));
    assert_eq!(got.session_options["catalog"], s("tarn"));
    // An unqualified query in that session resolves in `web`.
    let cmd = CommandStatementQuery {
        query: "SELECT src FROM shared".into(),
        transaction_id: None,
    };
    let mut req = with_auth(descriptor(&cmd), &auth);
    req.metadata_mut().insert("cookie", cookie.parse().unwrap());
    let info = raw.get_flight_info(req).await.unwrap().into_inner();
    let mut req = with_auth(info.endpoint[0].ticket.clone().unwrap(), &auth);
    req.metadata_mut().insert("cookie", cookie.parse().unwrap());
    let batches: Vec<RecordBatch> =
        arrow_flight::decode::FlightRecordBatchStream::new_from_flight_data(
            raw.do_get(req)
                .await
                .unwrap()
                .into_inner()
                .map_err(|e| e.into()),
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(batches[0].column(0).as_string::<i32>().value(0), "web");
    // A bad schema value, then closing the session.
    let req = SetSessionOptionsRequest {
        session_options: [("schema".to_string(), s("nope"))].into_iter().collect(),
    };
    let (body, _) = action(
        &mut raw,
        &auth,
        "SetSessionOptions",
        req.encode_to_vec(),
        Some(&cookie),
    )
    .await;
    assert_eq!(
        SetSessionOptionsResult::decode(body.as_slice())
            .unwrap()
            .errors["schema"]
            .value,
        2,
        "INVALID_VALUE"
    );
    let (body, _) = action(
        &mut raw,
        &auth,
        "CloseSession",
        CloseSessionRequest {}.encode_to_vec(),
        Some(&cookie),
    )
    .await;
    assert_eq!(
        CloseSessionResult::decode(body.as_slice()).unwrap().status,
        1,
        "CLOSED"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p21_large_results_stream_in_bounded_messages() {
    let server = TestServer::start(Mode::Open, &[]);
    let (mut raw, auth) = raw(&server).await;
    let cmd = CommandStatementQuery {
        query: "SELECT * FROM demo.big".into(),
        transaction_id: None,
    };
    let info = raw
        .get_flight_info(with_auth(descriptor(&cmd), &auth))
        .await
        .unwrap()
        .into_inner();
    let mut stream = raw
        .do_get(with_auth(info.endpoint[0].ticket.clone().unwrap(), &auth))
        .await
        .unwrap()
        .into_inner();
    let (mut largest, mut total) = (0usize, 0usize);
    let mut messages = vec![];
    while let Some(m) = stream.next().await {
        let m = m.unwrap();
        largest = largest.max(m.data_body.len() + m.data_header.len());
        total += m.data_body.len();
        messages.push(m);
    }
    assert!(
        total > 4 * 1024 * 1024,
        "the result is larger than gRPC's default 4 MiB limit: {total}"
    );
    assert!(
        largest <= 3 * 1024 * 1024,
        "messages stay near the 2 MiB target: {largest}"
    );
    let batches: Vec<RecordBatch> =
        arrow_flight::decode::FlightRecordBatchStream::new_from_flight_data(futures::stream::iter(
            messages.into_iter().map(Ok),
        ))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 200_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p22_cancellation_stops_the_query() {
    let server = TestServer::start(Mode::Open, &[]);
    let (mut raw, auth) = raw(&server).await;
    // A query that runs for minutes unless stopped.
    let slow = "SELECT count(*) FROM range(0, 1000000000000) a WHERE a.value % 7 = 3";
    let cmd = CommandStatementQuery {
        query: slow.into(),
        transaction_id: None,
    };
    let info = raw
        .get_flight_info(with_auth(descriptor(&cmd), &auth))
        .await
        .unwrap()
        .into_inner();
    // Dropping the stream stops it.
    let stream = raw
        .do_get(with_auth(info.endpoint[0].ticket.clone().unwrap(), &auth))
        .await
        .unwrap()
        .into_inner();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    drop(stream);
    wait_for(&server, "outcome=\"dropped\"").await;
    // CancelFlightInfo stops a running query with an error on its stream.
    let info = raw
        .get_flight_info(with_auth(descriptor(&cmd), &auth))
        .await
        .unwrap()
        .into_inner();
    let mut stream = raw
        .do_get(with_auth(info.endpoint[0].ticket.clone().unwrap(), &auth))
        .await
        .unwrap()
        .into_inner();
    let body = arrow_flight::CancelFlightInfoRequest { info: Some(info) }.encode_to_vec();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (result, _) = action(&mut raw, &auth, "CancelFlightInfo", body, None).await;
    assert_eq!(
        arrow_flight::CancelFlightInfoResult::decode(result.as_slice())
            .unwrap()
            .status,
        1,
        "CANCELLED"
    );
    let mut saw_cancel = false;
    while let Some(m) = stream.next().await {
        if let Err(e) = m {
            assert_eq!(e.code(), Code::Cancelled, "{e}");
            saw_cancel = true;
        }
    }
    assert!(saw_cancel);
}

async fn wait_for(server: &TestServer, needle: &str) {
    for _ in 0..100 {
        if server.log().contains(needle) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the server log never showed {needle}:\n{}", server.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p23_concurrent_clients_and_handles_across_connections() {
    let server = Arc::new(TestServer::start(Mode::Auth, &[]));
    let mut tasks = vec![];
    for i in 0..8i64 {
        let server = Arc::clone(&server);
        tasks.push(tokio::spawn(async move {
            let mut c = server.client().await;
            let (_, batches) = query(&mut c, &format!("SELECT {i} + count(*) FROM events")).await;
            batches[0]
                .column(0)
                .as_primitive::<arrow::datatypes::Int64Type>()
                .value(0)
        }));
    }
    for (i, t) in tasks.into_iter().enumerate() {
        assert_eq!(t.await.unwrap(), i as i64 + 6);
    }
    // A handle prepared on one connection runs on another.
    let mut a = server.client().await;
    let mut p = a
        .prepare("SELECT max(id) FROM events".into(), None)
        .await
        .unwrap();
    let info = p.execute().await.unwrap();
    let mut b = server.client().await;
    let batches: Vec<RecordBatch> = b
        .do_get(info.endpoint[0].ticket.clone().unwrap())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        batches[0]
            .column(0)
            .as_primitive::<arrow::datatypes::Int64Type>()
            .value(0),
        6
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_concurrency_and_timeout() {
    let slow = "SELECT count(*) FROM range(0, 1000000000000) a WHERE a.value % 7 = 3";
    let server = TestServer::start(
        Mode::Open,
        &["--max-concurrent-queries", "1", "--statement-timeout", "1"],
    );
    let (mut raw, auth) = raw(&server).await;
    let cmd = CommandStatementQuery {
        query: slow.into(),
        transaction_id: None,
    };
    let info = raw
        .get_flight_info(with_auth(descriptor(&cmd), &auth))
        .await
        .unwrap()
        .into_inner();
    let mut first = raw
        .do_get(with_auth(info.endpoint[0].ticket.clone().unwrap(), &auth))
        .await
        .unwrap()
        .into_inner();
    // The second concurrent query is refused.
    let second = raw
        .do_get(with_auth(info.endpoint[0].ticket.clone().unwrap(), &auth))
        .await;
    let code = match second {
        Err(e) => e.code(),
        Ok(r) => r.into_inner().next().await.unwrap().unwrap_err().code(),
    };
    assert_eq!(code, Code::ResourceExhausted);
    // The first hits the statement timeout.
    let mut timed_out = false;
    while let Some(m) = first.next().await {
        if let Err(e) = m {
            assert_eq!(e.code(), Code::DeadlineExceeded, "{e}");
            timed_out = true;
        }
    }
    assert!(timed_out);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_service_and_call_logs() {
    let server = TestServer::start(Mode::Open, &[]);
    let mut health = tonic_health::pb::health_client::HealthClient::new(server.channel().await);
    let status = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .status;
    assert_eq!(
        status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );
    let mut client = server.client().await;
    query(&mut client, "SELECT id FROM events").await;
    wait_for(&server, "kind=\"statement\"").await;
    let log = server.log();
    let line = log
        .lines()
        .find(|l| l.contains("kind=\"statement\""))
        .unwrap();
    for field in [
        "query_id=",
        "user=anonymous",
        "rows=6",
        "bytes=",
        "duration_ms=",
        "outcome=\"ok\"",
    ] {
        assert!(line.contains(field), "{field} in {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_running_queries_finish() {
    let server = TestServer::start(Mode::Open, &["--shutdown-timeout", "30"]);
    let (mut raw, auth) = raw(&server).await;
    let cmd = CommandStatementQuery {
        query: "SELECT * FROM demo.big".into(),
        transaction_id: None,
    };
    let info = raw
        .get_flight_info(with_auth(descriptor(&cmd), &auth))
        .await
        .unwrap()
        .into_inner();
    let mut stream = raw
        .do_get(with_auth(info.endpoint[0].ticket.clone().unwrap(), &auth))
        .await
        .unwrap()
        .into_inner();
    // The first message is in flight; now ask the server to stop.
    let first = stream.next().await.unwrap().unwrap();
    let mut messages = vec![first];
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &server.pid().to_string()])
            .status()
            .unwrap()
            .success()
    );
    while let Some(m) = stream.next().await {
        messages.push(m.expect("the running query finishes"));
    }
    let batches: Vec<RecordBatch> =
        arrow_flight::decode::FlightRecordBatchStream::new_from_flight_data(futures::stream::iter(
            messages.into_iter().map(Ok),
        ))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 200_000);
    wait_for(&server, "stopped").await;
    // New connections are refused once it has stopped.
    let again =
        tonic::transport::Endpoint::from_shared(format!("http://127.0.0.1:{}", server.port))
            .unwrap()
            .connect()
            .await;
    assert!(again.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_name_lake_paths_not_server_folders() {
    let server = TestServer::start(Mode::Open, &[]);
    let (mut raw, auth) = raw(&server).await;
    let cmd = CommandStatementQuery {
        query: "SELECT * FROM bad.corrupt".into(),
        transaction_id: None,
    };
    let e = raw
        .get_flight_info(with_auth(descriptor(&cmd), &auth))
        .await
        .unwrap_err();
    assert!(
        e.message().contains(" bad/corrupt/d=2/part-0.parquet"),
        "{}",
        e.message()
    );
    let folder = server.dir.path().to_string_lossy().to_string();
    assert!(!e.message().contains(&folder), "{}", e.message());
}

#[test]
fn without_auth_only_loopback_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tarn"))
        .args([
            "serve",
            "--lake",
            dir.path().to_str().unwrap(),
            "--addr",
            "0.0.0.0:0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refusing to serve 0.0.0.0:0 without authentication"),
        "{err}"
    );
}
