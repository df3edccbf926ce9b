//! TLS is verified: a server whose certificate no trusted authority signed is refused, and
//! the token is never sent to it; an https URL never falls back to plain HTTP.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use droplet_action_mock::DEFAULT_TOKEN;
use droplet_action_transport::{Client, Error};

/// Serves one TLS connection with a self-signed certificate for `localhost`; returns what
/// the client sent inside TLS, if the handshake completed.
fn self_signed_server() -> (u16, String, std::thread::JoinHandle<Vec<u8>>) {
    self_signed_server_answering(
        b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n".to_vec(),
    )
}

/// The same, answering the first request with `answer`.
fn self_signed_server_answering(
    answer: Vec<u8>,
) -> (u16, String, std::thread::JoinHandle<Vec<u8>>) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let pem = certified.cert.pem();
    let cert = certified.cert.der().clone();
    let key =
        rustls::pki_types::PrivateKeyDer::try_from(certified.signing_key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let connection = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        let mut tls = rustls::StreamOwned::new(connection, tcp);
        let mut received = vec![0u8; 4096];
        match tls.read(&mut received) {
            Ok(n) => {
                let _ = tls.write_all(&answer);
                received.truncate(n);
                received
            }
            Err(_) => Vec::new(),
        }
    });
    (port, pem, server)
}

/// The message, attempts and retryability of a transport error.
fn transport_error(error: &Error) -> (&str, u32, bool) {
    match error {
        Error::Transport {
            message,
            attempts,
            retryable,
        } => (message, *attempts, *retryable),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[test]
fn a_certificate_from_no_trusted_authority_is_refused_before_the_token_is_sent() {
    let (port, _, server) = self_signed_server();
    let client = Client::builder()
        .token("dop_v1_must_not_leak")
        .base_url(format!("https://localhost:{port}"))
        .build()
        .unwrap();
    let error = client.get(3164444, 36804636).unwrap_err();
    let (message, attempts, retryable) = transport_error(&error);
    assert_eq!(
        message,
        "TLS failed: invalid peer certificate: UnknownIssuer"
    );
    assert_eq!((attempts, retryable), (1, false));
    assert!(
        server.join().unwrap().is_empty(),
        "the request went through"
    );
}

#[test]
fn https_is_really_tls_a_plain_http_answer_fails_the_handshake() {
    // A server that answers whatever arrives with plain HTTP, as a misconfigured port would.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut hello = [0u8; 512];
        let received = stream.read(&mut hello).unwrap();
        stream
            .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
            .unwrap();
        // A TLS ClientHello starts with the handshake record type, 0x16.
        hello[..received].first().copied()
    });
    let client = Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(format!("https://127.0.0.1:{port}"))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let error = client.get(3164444, 36804636).unwrap_err();
    assert_eq!(server.join().unwrap(), Some(0x16));
    let (message, attempts, retryable) = transport_error(&error);
    assert_eq!(
        message,
        "TLS failed: received corrupt message of type InvalidContentType"
    );
    assert_eq!((attempts, retryable), (1, false));
    assert_eq!(error.status(), None);
}

#[test]
fn a_ca_file_makes_a_private_authority_trusted() {
    let (port, pem, server) = self_signed_server();
    let dir = std::env::temp_dir().join(format!("droplet-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, pem).unwrap();
    let client = Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(format!("https://localhost:{port}"))
        .ca_file(&ca)
        .max_retries(0)
        .build()
        .unwrap();
    let error = client.get(3164444, 36804636).unwrap_err();
    // The handshake succeeded: the request arrived, and the server's 500 came back.
    assert_eq!(error.status(), Some(500), "{error:?}");
    let received = String::from_utf8(server.join().unwrap()).unwrap();
    assert!(
        received.starts_with("GET /v2/droplets/3164444/actions/36804636 HTTP/1.1\r\n"),
        "{received}"
    );
    assert!(
        received.contains("authorization: Bearer mock-token\r\n"),
        "{received}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_ca_file_that_cannot_be_used_is_refused_at_build() {
    let dir = std::env::temp_dir().join(format!("droplet-bad-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let missing = dir.join("missing.pem");
    let device = std::path::PathBuf::from("/dev/zero");
    for (path, reason) in [
        (&garbage, "holds no certificate".to_owned()),
        (&missing, "cannot read the CA file".to_owned()),
        (&device, "not a regular file".to_owned()),
        (&dir, "not a regular file".to_owned()),
    ] {
        let error = Client::builder()
            .token(DEFAULT_TOKEN)
            .ca_file(path)
            .build()
            .unwrap_err();
        assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
        assert!(error.to_string().contains(&reason), "{error}");
        assert!(
            error.to_string().contains(&path.display().to_string()),
            "{error}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A FIFO, a socket, a symbolic link to a FIFO: refused at once, never waited on (opening a
/// FIFO blocks until a writer comes).
#[test]
fn a_ca_file_that_is_a_fifo_or_a_socket_is_refused_at_once() {
    let dir = std::env::temp_dir().join(format!("droplet-fifo-ca-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("ca.fifo");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let link = dir.join("link.pem");
    std::os::unix::fs::symlink(&fifo, &link).unwrap();
    let socket = dir.join("ca.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    for path in [fifo, link, socket] {
        let (done, outcome) = std::sync::mpsc::channel();
        let checked = path.clone();
        std::thread::spawn(move || {
            let result = Client::builder()
                .token(DEFAULT_TOKEN)
                .ca_file(&checked)
                .build()
                .map(drop);
            let _ = done.send(result);
        });
        let error = outcome
            .recv_timeout(std::time::Duration::from_secs(5))
            .unwrap_or_else(|_| panic!("{} blocked the build", path.display()))
            .unwrap_err();
        assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
        assert!(error.to_string().contains("not a regular file"), "{error}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_redirect_from_https_to_plain_http_is_refused_even_to_loopback() {
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let location = format!(
        "http://127.0.0.1:{}/v2/droplets/3164444/actions/36804636",
        plain.local_addr().unwrap().port()
    );
    let answer = format!(
        "HTTP/1.1 301 Moved Permanently\r\nlocation: {location}\r\ncontent-length: 0\r\n\r\n"
    );
    let (port, pem, server) = self_signed_server_answering(answer.into_bytes());
    let dir = std::env::temp_dir().join(format!("droplet-downgrade-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, pem).unwrap();
    let client = Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(format!("https://localhost:{port}"))
        .ca_file(&ca)
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let error = client.get(3164444, 36804636).unwrap_err();
    let (message, attempts, retryable) = transport_error(&error);
    assert_eq!(
        message,
        format!("refusing to follow a redirect to {location}: it leaves https for plain http")
    );
    assert_eq!((attempts, retryable), (1, false));
    assert!(!server.join().unwrap().is_empty());
    // Nothing ever connected to the plain http listener.
    plain.set_nonblocking(true).unwrap();
    assert!(plain.accept().is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
