//! TLS and mutual TLS.

use arrow::array::AsArray;
use arrow::datatypes::Int64Type;
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint, Identity};

use crate::server::{Mode, TestServer, certificates, query};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_clients_with_the_ca_connect_and_plaintext_fails_cleanly() {
    let server = TestServer::start(Mode::Tls, &[]);
    let mut client = server.client().await;
    let (_, batches) = query(&mut client, "SELECT count(*) FROM events").await;
    assert_eq!(batches[0].column(0).as_primitive::<Int64Type>().value(0), 6);
    // A plaintext client cannot talk to the TLS server.
    let plain = Endpoint::from_shared(format!("http://127.0.0.1:{}", server.port)).unwrap();
    let result = match plain.connect().await {
        Err(_) => Err(()),
        Ok(ch) => {
            let mut c = arrow_flight::sql::client::FlightSqlServiceClient::new(ch);
            c.get_catalogs().await.map(|_| ()).map_err(|_| ())
        }
    };
    assert!(result.is_err());
    // A client that does not trust the CA is refused.
    let other = tempfile::tempdir().unwrap();
    let (other_ca, _, _) = certificates(other.path());
    let untrusted = Endpoint::from_shared(format!("https://localhost:{}", server.port))
        .unwrap()
        .tls_config(
            ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(std::fs::read(other_ca).unwrap()))
                .domain_name("localhost"),
        )
        .unwrap();
    let refused = match untrusted.connect().await {
        Err(_) => true,
        Ok(ch) => arrow_flight::sql::client::FlightSqlServiceClient::new(ch)
            .get_catalogs()
            .await
            .is_err(),
    };
    assert!(refused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_requires_a_client_certificate() {
    // The server's own certificate doubles as a client certificate signed by the CA.
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(dir.path());
    let server = TestServer::start(Mode::Tls, &["--tls-client-ca", ca.to_str().unwrap()]);
    let server_ca = std::fs::read(server.dir.path().join("ca.pem")).unwrap();
    let endpoint = |identity: Option<Identity>| {
        let mut tls = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(server_ca.clone()))
            .domain_name("localhost");
        if let Some(id) = identity {
            tls = tls.identity(id);
        }
        Endpoint::from_shared(format!("https://localhost:{}", server.port))
            .unwrap()
            .tls_config(tls)
            .unwrap()
    };
    // Without a client certificate: refused.
    let refused = match endpoint(None).connect().await {
        Err(_) => true,
        Ok(ch) => arrow_flight::sql::client::FlightSqlServiceClient::new(ch)
            .get_catalogs()
            .await
            .is_err(),
    };
    assert!(refused);
    // With one signed by the configured CA: accepted.
    let id = Identity::from_pem(std::fs::read(cert).unwrap(), std::fs::read(key).unwrap());
    let ch = endpoint(Some(id)).connect().await.unwrap();
    let mut c = arrow_flight::sql::client::FlightSqlServiceClient::new(ch);
    c.handshake(crate::server::USER, crate::server::PASSWORD)
        .await
        .unwrap();
    assert!(c.get_catalogs().await.is_ok());
}
