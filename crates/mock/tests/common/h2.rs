//! An HTTP/2 client (hyper over tokio, rustls for TLS) that says exactly what it offers: h2
//! with prior knowledge on plain HTTP, or over TLS only the ALPN protocols and TLS versions a
//! test chooses.

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper::header::AUTHORIZATION;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::{ProtocolVersion, SupportedProtocolVersion};
use tokio::net::TcpStream;

/// How the client reaches the server.
pub enum Transport<'a> {
    /// Plain TCP, HTTP/2 from the first byte.
    Plain,
    /// TLS to `localhost`, trusting `ca_pem` only, offering `versions` and `alpn`.
    Tls {
        ca_pem: &'a str,
        versions: &'a [&'static SupportedProtocolVersion],
        alpn: &'static [&'static [u8]],
    },
}

/// What the TLS handshake settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    pub alpn: Option<String>,
    pub version: Option<ProtocolVersion>,
}

/// One answer.
#[derive(Debug)]
pub struct H2Answer {
    pub status: u16,
    pub version: hyper::Version,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl H2Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// What one connection gave: the TLS settlement (`None` on plain HTTP), and each request's
/// answer or error.
pub type Outcome = (Option<Negotiated>, Vec<Result<H2Answer, String>>);

/// Opens one connection to `127.0.0.1:port` and, over HTTP/2, GETs each of `paths` in turn
/// with `Authorization: Bearer token`. Each request's outcome, or the error that ended the
/// handshake.
pub fn get(
    port: u16,
    transport: &Transport<'_>,
    token: &str,
    paths: &[&str],
) -> Result<Outcome, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        match transport {
            Transport::Plain => {
                let tcp = TcpStream::connect(("127.0.0.1", port))
                    .await
                    .map_err(|e| format!("connect: {e}"))?;
                let answers = requests(TokioIo::new(tcp), "http", port, token, paths).await?;
                Ok((None, answers))
            }
            Transport::Tls {
                ca_pem,
                versions,
                alpn,
            } => {
                let offer = super::tls::Offer {
                    ca_pem,
                    versions,
                    alpn,
                };
                let tls = super::tls::connect(port, &offer).await?;
                let session = tls.get_ref().1;
                let negotiated = Negotiated {
                    alpn: session
                        .alpn_protocol()
                        .map(|p| String::from_utf8_lossy(p).into_owned()),
                    version: session.protocol_version(),
                };
                let answers = requests(TokioIo::new(tls), "https", port, token, paths).await?;
                Ok((Some(negotiated), answers))
            }
        }
    })
}

async fn requests<T>(
    io: TokioIo<T>,
    scheme: &str,
    port: u16,
    token: &str,
    paths: &[&str],
) -> Result<Vec<Result<H2Answer, String>>, String>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
        .await
        .map_err(|e| format!("HTTP/2 handshake: {e}"))?;
    tokio::spawn(connection);
    let mut answers = Vec::new();
    for path in paths {
        let request = Request::get(format!("{scheme}://localhost:{port}{path}"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .body(Empty::<Bytes>::new())
            .unwrap();
        let answer = async {
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| format!("request: {e}"))?;
            let status = response.status().as_u16();
            let version = response.version();
            let headers = response
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
                .collect();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("status {status}, body: {e}"))?
                .to_bytes()
                .to_vec();
            Ok(H2Answer {
                status,
                version,
                headers,
                body,
            })
        };
        let answer = tokio::time::timeout(Duration::from_secs(30), answer)
            .await
            .unwrap_or_else(|_| Err("no answer in 30 s".to_owned()));
        answers.push(answer);
    }
    Ok(answers)
}
