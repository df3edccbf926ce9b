//! The HTTP CONNECT proxy's side of a tunnel: reading the request (parsed by `httparse`),
//! checking the credentials, reaching the target and answering.

use std::io::{Read, Write};
use std::net::TcpStream;

use base64::Engine as _;

use super::{Credentials, Established, State, reach};

/// The longest CONNECT request head read.
const MAX_HEAD: usize = 16 * 1024;

/// The parts of a CONNECT request head the proxy looks at.
struct ConnectRequest {
    head_len: usize,
    method: String,
    target: String,
    authorization: Option<String>,
}

/// Reads the request head (parsed by `httparse`); `Err` with the status to answer.
fn read_connect_request(client: &mut TcpStream, buf: &mut Vec<u8>) -> Result<ConnectRequest, u16> {
    let mut chunk = [0; 2048];
    loop {
        let n = client.read(&mut chunk).map_err(|_| 0u16)?;
        if n == 0 {
            return Err(0);
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(buf) {
            Ok(httparse::Status::Complete(head_len)) => {
                let authorization = request
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("proxy-authorization"))
                    .map(|h| String::from_utf8_lossy(h.value).into_owned());
                return Ok(ConnectRequest {
                    head_len,
                    method: request.method.unwrap_or_default().to_owned(),
                    target: request.path.unwrap_or_default().to_owned(),
                    authorization,
                });
            }
            Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => {}
            _ => return Err(400),
        }
    }
}

/// `host:port` or `[v6]:port`, the host without brackets.
fn split_authority(target: &str) -> Option<(String, u16)> {
    let (host, port) = target.rsplit_once(':')?;
    let port = port.parse().ok()?;
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.strip_suffix(']')?,
        None if host.contains(':') => return None,
        None => host,
    };
    (!host.is_empty()).then(|| (host.to_owned(), port))
}

/// The user name of a `Basic` authorization that carries the wanted credentials.
fn basic_user(authorization: Option<&str>, wanted: &Credentials) -> Option<String> {
    let (scheme, encoded) = authorization?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    (user == wanted.username && password == wanted.password).then(|| user.to_owned())
}

fn http_reply(client: &mut TcpStream, status: u16, extra: &str) {
    let reason = match status {
        200 => "Connection established",
        400 => "Bad Request",
        405 => "Method Not Allowed",
        407 => "Proxy Authentication Required",
        _ => "Bad Gateway",
    };
    let text = if status == 200 {
        format!("HTTP/1.1 200 {reason}\r\n\r\n")
    } else {
        format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-length: 0\r\nconnection: close\r\n{extra}\r\n"
        )
    };
    let _ = client.write_all(text.as_bytes());
}

pub(super) fn handshake(state: &State, client: &mut TcpStream) -> Option<Established> {
    let mut buf = Vec::new();
    let request = match read_connect_request(client, &mut buf) {
        Ok(request) => request,
        Err(0) => return None,
        Err(status) => {
            http_reply(client, status, "");
            return None;
        }
    };
    if !request.method.eq_ignore_ascii_case("CONNECT") {
        http_reply(client, 405, "allow: CONNECT\r\n");
        return None;
    }
    let Some((host, port)) = split_authority(&request.target) else {
        http_reply(client, 400, "");
        return None;
    };
    let username = match &state.credentials {
        None => None,
        Some(wanted) => match basic_user(request.authorization.as_deref(), wanted) {
            Some(user) => Some(user),
            None => {
                state.refuse_credentials();
                http_reply(
                    client,
                    407,
                    "proxy-authenticate: Basic realm=\"droplet-action-mock\"\r\n",
                );
                return None;
            }
        },
    };
    match reach(&host, port) {
        Ok(target) => {
            let tunnel = state.record(host, port, username, true);
            http_reply(client, 200, "");
            Some(Established {
                target,
                tunnel,
                early: buf.split_off(request.head_len),
            })
        }
        Err(_) => {
            state.record(host, port, username, false);
            http_reply(client, 502, "");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::credentials;

    #[test]
    fn authorities_split_into_host_and_port() {
        assert_eq!(
            split_authority("127.0.0.1:443"),
            Some(("127.0.0.1".to_owned(), 443))
        );
        assert_eq!(
            split_authority("localhost:8080"),
            Some(("localhost".to_owned(), 8080))
        );
        assert_eq!(split_authority("[::1]:80"), Some(("::1".to_owned(), 80)));
        assert_eq!(split_authority("::1:80"), None);
        assert_eq!(split_authority("localhost"), None);
        assert_eq!(split_authority(":80"), None);
        assert_eq!(split_authority("host:99999"), None);
    }

    #[test]
    fn basic_credentials_must_match_both_parts() {
        let wanted = credentials("ann", "s3cret");
        // "ann:s3cret" and "ann:wrong" in base64.
        assert_eq!(
            basic_user(Some("Basic YW5uOnMzY3JldA=="), &wanted),
            Some("ann".to_owned())
        );
        assert_eq!(
            basic_user(Some("basic  YW5uOnMzY3JldA== "), &wanted),
            Some("ann".to_owned())
        );
        assert_eq!(basic_user(Some("Basic YW5uOndyb25n"), &wanted), None);
        assert_eq!(basic_user(Some("Bearer YW5uOnMzY3JldA=="), &wanted), None);
        assert_eq!(basic_user(Some("Basic !!!"), &wanted), None);
        assert_eq!(basic_user(None, &wanted), None);
    }
}
