//! A TLS client (rustls over tokio) that offers exactly the TLS versions and ALPN protocols a
//! test chooses, and trusts only the mock's CA.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{RootCertStore, SupportedProtocolVersion};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// What the client offers.
pub struct Offer<'a> {
    pub ca_pem: &'a str,
    pub versions: &'a [&'static SupportedProtocolVersion],
    pub alpn: &'static [&'static [u8]],
}

/// Opens a TLS session with `localhost` on `127.0.0.1:port`.
pub async fn connect(port: u16, offer: &Offer<'_>) -> Result<TlsStream<TcpStream>, String> {
    let tcp = TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let ca =
        ureq::tls::Certificate::from_pem(offer.ca_pem.as_bytes()).map_err(|e| e.to_string())?;
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(ca.der().to_vec()))
        .map_err(|e| e.to_string())?;
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(offer.versions)
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = offer.alpn.iter().map(|p| p.to_vec()).collect();
    TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .map_err(|e| format!("TLS handshake: {e}"))
}

/// Sends `bytes` over a fresh TLS session (TLS 1.3, offering the ALPN protocols `alpn`), then
/// reads until the server ends it: everything read, or the error that ended the reading (a
/// server that closes without `close_notify` is one) with what was read before it.
pub fn exchange(
    port: u16,
    ca_pem: &str,
    alpn: &'static [&'static [u8]],
    bytes: &[u8],
) -> Result<Vec<u8>, (String, Vec<u8>)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let offer = Offer {
            ca_pem,
            versions: &[&rustls::version::TLS13],
            alpn,
        };
        let mut tls = connect(port, &offer).await.map_err(|e| (e, Vec::new()))?;
        tls.write_all(bytes)
            .await
            .map_err(|e| (e.to_string(), Vec::new()))?;
        let mut read = Vec::new();
        match tls.read_to_end(&mut read).await {
            Ok(_) => Ok(read),
            Err(e) => Err((e.to_string(), read)),
        }
    })
}
