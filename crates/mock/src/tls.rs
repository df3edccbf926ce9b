//! HTTPS: a private CA and a leaf certificate made at start, and the TLS side of accepting a
//! connection (TLS 1.2 and 1.3, ALPN `h2` and `http/1.1`), with the answer to a client that
//! speaks plain HTTP to the TLS port.

use std::convert::Infallible;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hyper::StatusCode;
use hyper::header::{CONNECTION, HeaderValue};
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::answer;

/// How long a client may take to open its TLS session.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a plain HTTP client may take to send its request head before it is let go.
const PLAIN_HEAD_TIMEOUT: Duration = Duration::from_secs(2);
/// The first byte of every TLS record that opens a handshake.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;
/// Why a plain HTTP request to the TLS port is refused.
const PLAIN_HTTP_REFUSED: &str = "This port speaks HTTPS; the request was sent as plain HTTP.";

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
    // h2 first: a client that offers both gets HTTP/2, as from the real API.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
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

/// What came of accepting a connection on a TLS port.
pub(crate) enum Accepted {
    /// A TLS session, handshake done.
    Tls(Box<TlsStream<TcpStream>>),
    /// A client that spoke something else first: see [`refuse_plain_http`].
    NotTls(TcpStream),
    /// The client left, or took too long.
    Gone,
}

/// Looks at the first byte the client sends, and if it opens a TLS handshake, completes it.
pub(crate) async fn accept(stream: TcpStream, acceptor: &TlsAcceptor) -> Accepted {
    let mut first = [0; 1];
    match timeout(HANDSHAKE_TIMEOUT, stream.peek(&mut first)).await {
        Ok(Ok(1)) if first[0] == TLS_HANDSHAKE_RECORD => {}
        Ok(Ok(1)) => return Accepted::NotTls(stream),
        _ => return Accepted::Gone,
    }
    match timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => Accepted::Tls(Box::new(tls)),
        _ => Accepted::Gone,
    }
}

/// Answers a plain HTTP request on the TLS port with a 400 and `connection: close`, as nginx
/// does; hyper answers what it cannot parse with a bare 400 and closes too.
pub(crate) async fn refuse_plain_http(stream: TcpStream) {
    let service = service_fn(|_request| async {
        let body = serde_json::json!({ "id": "bad_request", "message": PLAIN_HTTP_REFUSED });
        let mut answer = answer::bare_json(StatusCode::BAD_REQUEST, body.to_string());
        answer
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        Ok::<_, Infallible>(answer)
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(PLAIN_HEAD_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service);
    let _ = timeout(HANDSHAKE_TIMEOUT, connection).await;
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
