//! HTTPS: a private CA and a leaf certificate made at start, and the front that speaks TLS to
//! clients and plain HTTP to the `tiny_http` listener behind it.
//!
//! `tiny_http` can only serve TLS through an old rustls, so every accepted TLS connection
//! gets a connection of its own to the plain listener, and the front relays between the two:
//! decrypted bytes one way, encrypted the other. The scenarios, counters and hang-ups of the
//! plain listener then work unchanged: when it closes its end, the front sends `close_notify`
//! and closes the client's.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::ServerConnection;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::sockets;

/// How long a client may take to open its TLS session.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a plain HTTP client may take to send its request head before it is answered.
const PLAIN_HEAD_TIMEOUT: Duration = Duration::from_secs(2);
/// The first byte of every TLS record that opens a handshake.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;
/// What a plain HTTP request to the TLS port is answered.
const PLAIN_HTTP_BODY: &str = "{\"id\":\"bad_request\",\"message\":\"This port speaks HTTPS; the request was sent as plain HTTP.\"}";

/// The certificates of one server: a CA made for it alone and a leaf for `127.0.0.1` and
/// `localhost` signed by that CA. The CA's key is dropped once the leaf is signed.
pub(crate) struct Identity {
    pub(crate) ca_pem: String,
    pub(crate) config: Arc<rustls::ServerConfig>,
}

fn other(error: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("making the TLS certificates: {error}"))
}

/// Makes a fresh CA and leaf (ECDSA P-256) and the rustls configuration that serves the leaf.
pub(crate) fn identity() -> io::Result<Identity> {
    let mut ca_params = CertificateParams::default();
    // A name of its own, so that trust stores holding the CAs of several servers (and
    // verifiers that look issuers up by name) tell them apart.
    static MADE: AtomicU64 = AtomicU64::new(0);
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    ca_params.distinguished_name = name(&format!(
        "droplet-action-mock CA {}-{}-{started}",
        std::process::id(),
        MADE.fetch_add(1, Ordering::Relaxed)
    ));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(other)?)
        .map_err(other)?;

    let leaf_key = KeyPair::generate().map_err(other)?;
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .map_err(other)?;
    leaf.distinguished_name = name("droplet-action-mock");
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    // Python's strict verification (3.13 and later) wants the leaf to name its issuer's key.
    leaf.use_authority_key_identifier_extension = true;
    let leaf_cert = leaf.signed_by(&leaf_key, &ca).map_err(other)?;

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(other)?
    .with_no_client_auth()
    .with_single_cert(vec![leaf_cert.der().clone()], key)
    .map_err(other)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Identity {
        ca_pem: pem_certificate(ca.der()),
        config: Arc::new(config),
    })
}

fn name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    name
}

/// A DER certificate as PEM: base64 in lines of 64 characters between the two markers.
pub(crate) fn pem_certificate(der: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in encoded.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A TLS listener that relays each connection to a plain listener. Stops on drop.
pub(crate) struct TlsFront {
    addr: SocketAddr,
    stopped: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl TlsFront {
    /// Binds `127.0.0.1:port` and relays what it accepts to `backend`.
    pub(crate) fn start(
        port: u16,
        backend: SocketAddr,
        config: Arc<rustls::ServerConfig>,
    ) -> io::Result<TlsFront> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let stopped = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(Mutex::new(Vec::new()));
        let acceptor = {
            let stopped = Arc::clone(&stopped);
            let connections = Arc::clone(&connections);
            thread::Builder::new()
                .name("mock-tls-accept".to_owned())
                .spawn(move || accept_loop(&listener, backend, &config, &stopped, &connections))?
        };
        Ok(TlsFront {
            addr,
            stopped,
            acceptor: Some(acceptor),
            connections,
        })
    }

    /// The address clients connect to.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::Relaxed);
        // Wakes the acceptor, which sees the flag and lets the listener go.
        drop(TcpStream::connect(self.addr));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        sockets::close_all(self.addr);
        let connections = std::mem::take(&mut *lock(&self.connections));
        for connection in connections {
            let _ = connection.join();
        }
    }
}

fn accept_loop(
    listener: &TcpListener,
    backend: SocketAddr,
    config: &Arc<rustls::ServerConfig>,
    stopped: &AtomicBool,
    connections: &Mutex<Vec<JoinHandle<()>>>,
) {
    for client in listener.incoming() {
        if stopped.load(Ordering::Relaxed) {
            break;
        }
        let Ok(client) = client else {
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        let config = Arc::clone(config);
        let mut connections = lock(connections);
        connections.retain(|c| !c.is_finished());
        // Should no thread be available, the connection is dropped and the client sees it close.
        if let Ok(connection) = thread::Builder::new()
            .name("mock-tls".to_owned())
            .spawn(move || serve(client, backend, config))
        {
            connections.push(connection);
        }
    }
}

/// One client: the handshake, then the relay until either side closes.
fn serve(client: TcpStream, backend: SocketAddr, config: Arc<rustls::ServerConfig>) {
    let _ = client.set_nodelay(true);
    let _ = client.set_read_timeout(Some(HANDSHAKE_TIMEOUT));
    let mut first = [0; 1];
    match client.peek(&mut first) {
        Ok(1) if first[0] == TLS_HANDSHAKE_RECORD => {}
        Ok(1) => return refuse_plain_http(client),
        _ => return,
    }
    let Ok(mut session) = ServerConnection::new(config) else {
        return;
    };
    if session.complete_io(&mut &client).is_err() {
        return;
    }
    let _ = client.set_read_timeout(None);
    let Ok(backend) = TcpStream::connect(backend) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let _ = backend.set_nodelay(true);
    session.set_buffer_limit(None);
    let relay = Relay {
        session: Mutex::new(session),
        client_writes: Mutex::new(()),
        client,
        backend,
    };
    thread::scope(|scope| {
        scope.spawn(|| relay.backend_to_client());
        relay.client_to_backend();
    });
}

/// Answers a plain HTTP request on the TLS port with a 400, as nginx does, then closes.
fn refuse_plain_http(mut client: TcpStream) {
    // The head is read first: closing with unread bytes would reset the connection and the
    // client might lose the answer.
    let _ = client.set_read_timeout(Some(PLAIN_HEAD_TIMEOUT));
    let mut head = Vec::new();
    let mut buf = [0; 1024];
    while head.len() < 16 * 1024 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match client.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let answer = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{PLAIN_HTTP_BODY}",
        PLAIN_HTTP_BODY.len()
    );
    if client.write_all(answer.as_bytes()).is_ok() {
        let _ = client.shutdown(Shutdown::Write);
        while matches!(client.read(&mut buf), Ok(n) if n > 0) {}
    }
}

/// The two halves of one relayed connection.
struct Relay {
    session: Mutex<ServerConnection>,
    /// Held while writing to the client, so that records from both halves keep their order;
    /// taken before the session lock is let go.
    client_writes: Mutex<()>,
    client: TcpStream,
    backend: TcpStream,
}

impl Relay {
    /// Decrypts what the client sends and passes it on. Ends at the client's end of stream or
    /// `close_notify`, which is passed on as a half close.
    fn client_to_backend(&self) {
        let mut buf = vec![0; 16 * 1024];
        let mut plain = Vec::new();
        let mut tls = Vec::new();
        // The read that ended the handshake may have brought the first request with it.
        let closed = drain_plaintext(&mut lock(&self.session), &mut plain);
        if (&self.backend).write_all(&plain).is_err() || closed {
            let _ = self.backend.shutdown(Shutdown::Write);
            return;
        }
        plain.clear();
        loop {
            let n = match (&self.client).read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let mut session = lock(&self.session);
            let mut input = &buf[..n];
            let mut closed = false;
            let mut failed = false;
            while !input.is_empty() && !failed {
                if session.read_tls(&mut input).is_err() {
                    failed = true;
                    break;
                }
                match session.process_new_packets() {
                    Ok(state) => closed |= state.peer_has_closed(),
                    Err(_) => failed = true,
                }
                closed |= drain_plaintext(&mut session, &mut plain);
            }
            while session.wants_write() && session.write_tls(&mut tls).is_ok() {}
            // Alerts and key updates only; most reads answer nothing.
            if tls.is_empty() {
                drop(session);
            } else {
                let writes = lock(&self.client_writes);
                drop(session);
                let _ = (&self.client).write_all(&tls);
                drop(writes);
                tls.clear();
            }
            if failed {
                let _ = self.client.shutdown(Shutdown::Both);
                break;
            }
            if (&self.backend).write_all(&plain).is_err() {
                break;
            }
            plain.clear();
            if closed {
                break;
            }
        }
        let _ = self.backend.shutdown(Shutdown::Write);
    }

    /// Encrypts what the plain listener answers. At its end of stream, sends `close_notify`
    /// and closes the client's connection.
    fn backend_to_client(&self) {
        let mut buf = vec![0; 16 * 1024];
        let mut tls = Vec::new();
        loop {
            let n = match (&self.backend).read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let mut session = lock(&self.session);
            if session.writer().write_all(&buf[..n]).is_err() {
                break;
            }
            while session.wants_write() && session.write_tls(&mut tls).is_ok() {}
            let writes = lock(&self.client_writes);
            drop(session);
            let sent = (&self.client).write_all(&tls);
            drop(writes);
            tls.clear();
            if sent.is_err() {
                break;
            }
        }
        let mut session = lock(&self.session);
        session.send_close_notify();
        while session.wants_write() && session.write_tls(&mut tls).is_ok() {}
        drop(session);
        let writes = lock(&self.client_writes);
        let _ = (&self.client).write_all(&tls);
        drop(writes);
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.backend.shutdown(Shutdown::Both);
    }
}

/// Moves the decrypted bytes into `plain`; true once the client has sent `close_notify`.
fn drain_plaintext(session: &mut ServerConnection, plain: &mut Vec<u8>) -> bool {
    let mut buf = [0; 4096];
    loop {
        match session.reader().read(&mut buf) {
            Ok(0) => return true,
            Ok(n) => plain.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return false,
            Err(_) => return true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pem_certificate;

    #[test]
    fn pem_wraps_base64_at_64_characters() {
        let pem = pem_certificate(&[0xff; 60]);
        let lines: Vec<&str> = pem.lines().collect();
        assert_eq!(lines[0], "-----BEGIN CERTIFICATE-----");
        assert_eq!(lines[1], "/".repeat(64));
        assert_eq!(lines[2], "/".repeat(16));
        assert_eq!(lines[3], "-----END CERTIFICATE-----");
        assert_eq!(lines.len(), 4);
        assert!(pem.ends_with("-----\n"));
    }
}
