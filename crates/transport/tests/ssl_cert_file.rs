//! `SSL_CERT_FILE` names the system's trust store, as for curl and Python: a client trusts
//! a private authority listed there without any CA setting of its own. (Its own test
//! binary: it sets a variable of the whole process.)

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

use droplet_action_transport::Client;

#[test]
fn ssl_cert_file_is_honoured_as_the_system_store() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let dir = std::env::temp_dir().join(format!("droplet-ssl-cert-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("bundle.pem");
    std::fs::write(&bundle, certified.cert.pem()).unwrap();
    let key =
        rustls::pki_types::PrivateKeyDer::try_from(certified.signing_key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key)
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let connection = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        let mut tls = rustls::StreamOwned::new(connection, tcp);
        let mut received = vec![0u8; 4096];
        let n = tls.read(&mut received).unwrap_or(0);
        let _ = tls.write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n");
        n
    });
    // SAFETY: this test binary runs this one test; no other thread reads the environment.
    unsafe { std::env::set_var("SSL_CERT_FILE", &bundle) };
    let client = Client::builder()
        .token("mock-token")
        .base_url(format!("https://localhost:{port}"))
        .max_retries(0)
        .build()
        .unwrap();
    let error = client.get(1, 2).unwrap_err();
    assert_eq!(error.status(), Some(503), "{error:?}");
    assert!(server.join().unwrap() > 0);
    std::fs::remove_dir_all(&dir).unwrap();
}
