//! The SOCKS5 proxy's side of a tunnel (RFC 1928, `CONNECT` only, with RFC 1929's user name
//! and password): the method choice, the credentials, the target and the reply.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};

use super::{Credentials, Established, State, reach};

const SOCKS_VERSION: u8 = 5;
const NO_AUTHENTICATION: u8 = 0;
const USERNAME_PASSWORD: u8 = 2;
const NO_ACCEPTABLE_METHOD: u8 = 0xff;

fn read_bytes(client: &mut TcpStream, len: usize) -> Option<Vec<u8>> {
    let mut bytes = vec![0; len];
    client.read_exact(&mut bytes).ok()?;
    Some(bytes)
}

fn read_u8(client: &mut TcpStream) -> Option<u8> {
    let mut byte = [0; 1];
    client.read_exact(&mut byte).ok()?;
    Some(byte[0])
}

/// A SOCKS5 reply: version, status, reserved, then the bound address and port.
fn socks_reply(client: &mut TcpStream, status: u8, bound: Option<SocketAddr>) {
    let mut reply = vec![SOCKS_VERSION, status, 0];
    match bound.unwrap_or_else(|| SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0))) {
        SocketAddr::V4(v4) => {
            reply.push(1);
            reply.extend_from_slice(&v4.ip().octets());
            reply.extend_from_slice(&v4.port().to_be_bytes());
        }
        SocketAddr::V6(v6) => {
            reply.push(4);
            reply.extend_from_slice(&v6.ip().octets());
            reply.extend_from_slice(&v6.port().to_be_bytes());
        }
    }
    let _ = client.write_all(&reply);
}

/// RFC 1929: version 1, user name and password, each after its length; answered 0 (good)
/// or 1 (refused).
fn socks_authenticate(client: &mut TcpStream, wanted: &Credentials) -> Option<String> {
    let version = read_u8(client)?;
    let user_len = read_u8(client)?;
    let user = read_bytes(client, usize::from(user_len))?;
    let password_len = read_u8(client)?;
    let password = read_bytes(client, usize::from(password_len))?;
    let good = version == 1
        && user == wanted.username.as_bytes()
        && password == wanted.password.as_bytes();
    let _ = client.write_all(&[1, u8::from(!good)]);
    good.then(|| wanted.username.clone())
}

pub(super) fn handshake(state: &State, client: &mut TcpStream) -> Option<Established> {
    if read_u8(client)? != SOCKS_VERSION {
        return None;
    }
    let count = read_u8(client)?;
    let methods = read_bytes(client, usize::from(count))?;
    let wanted = match state.credentials {
        Some(_) => USERNAME_PASSWORD,
        None => NO_AUTHENTICATION,
    };
    if !methods.contains(&wanted) {
        if wanted == USERNAME_PASSWORD {
            state.refuse_credentials();
        }
        let _ = client.write_all(&[SOCKS_VERSION, NO_ACCEPTABLE_METHOD]);
        return None;
    }
    client.write_all(&[SOCKS_VERSION, wanted]).ok()?;
    let username = match &state.credentials {
        None => None,
        Some(credentials) => match socks_authenticate(client, credentials) {
            Some(user) => Some(user),
            None => {
                state.refuse_credentials();
                return None;
            }
        },
    };
    let request = read_bytes(client, 4)?;
    if request[0] != SOCKS_VERSION {
        return None;
    }
    let host = match request[3] {
        1 => {
            let octets: [u8; 4] = read_bytes(client, 4)?.try_into().ok()?;
            Ipv4Addr::from(octets).to_string()
        }
        3 => {
            let len = read_u8(client)?;
            String::from_utf8_lossy(&read_bytes(client, usize::from(len))?).into_owned()
        }
        4 => {
            let octets: [u8; 16] = read_bytes(client, 16)?.try_into().ok()?;
            Ipv6Addr::from(octets).to_string()
        }
        _ => {
            // Address type not supported.
            socks_reply(client, 8, None);
            return None;
        }
    };
    let port_bytes = read_bytes(client, 2)?;
    let port = u16::from_be_bytes([port_bytes[0], port_bytes[1]]);
    if request[1] != 1 {
        // Command not supported: only CONNECT.
        socks_reply(client, 7, None);
        return None;
    }
    match reach(&host, port) {
        Ok(target) => {
            let tunnel = state.record(host, port, username, true);
            socks_reply(client, 0, target.local_addr().ok());
            Some(Established {
                target,
                tunnel,
                early: Vec::new(),
            })
        }
        Err(e) => {
            state.record(host, port, username, false);
            let status = if e.kind() == io::ErrorKind::ConnectionRefused {
                5
            } else {
                4
            };
            socks_reply(client, status, None);
            None
        }
    }
}
