//! The recording proxies: they forward for real, and record each tunnel.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{curl, get_with, temp_file};
use droplet_action_mock::proxy::{ConnectProxy, Socks5Proxy, Tunnel};
use droplet_action_mock::{DEFAULT_TOKEN, MockServer};
use droplet_action_model::DOCUMENTED_ACTION_JSON;

const DOCUMENTED_PATH: &str = "/v2/droplets/3164444/actions/36804636";

fn open(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    stream.read_to_end(&mut all).unwrap();
    all
}

/// A request for the documented action that asks the server to close after answering.
fn closing_request() -> String {
    format!(
        "GET {DOCUMENTED_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Authorization: Bearer {DEFAULT_TOKEN}\r\nConnection: close\r\n\r\n"
    )
}

/// The tunnels once every one has ended (at most 5 seconds).
fn ended(tunnels: impl Fn() -> Vec<Tunnel>) -> Vec<Tunnel> {
    let started = Instant::now();
    loop {
        let now = tunnels();
        if now.iter().all(|t| !t.open) || started.elapsed() > Duration::from_secs(5) {
            return now;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

/// Sends `CONNECT target` and reads the proxy's whole answer head.
fn http_connect(proxy: u16, target: &str, extra: &str) -> (TcpStream, String) {
    let mut stream = open(proxy);
    write!(
        stream,
        "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n{extra}\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).unwrap() == 0 {
            break;
        }
        head.push(byte[0]);
    }
    (stream, String::from_utf8(head).unwrap())
}

#[test]
fn connect_proxy_counts_the_exact_bytes_each_way() {
    let server = MockServer::start().unwrap();
    let proxy = ConnectProxy::start().unwrap();
    let (mut stream, reply) =
        http_connect(proxy.port(), &format!("127.0.0.1:{}", server.port()), "");
    assert_eq!(reply, "HTTP/1.1 200 Connection established\r\n\r\n");
    let request = closing_request();
    stream.write_all(request.as_bytes()).unwrap();
    let answer = read_to_close(&mut stream);
    assert!(answer.starts_with(b"HTTP/1.1 200 OK\r\n"));
    assert!(answer.ends_with(DOCUMENTED_ACTION_JSON.as_bytes()));
    // The server closed; the tunnel ends once the client has too.
    drop(stream);
    assert_eq!(
        ended(|| proxy.tunnels()),
        [Tunnel {
            host: "127.0.0.1".to_owned(),
            port: server.port(),
            username: None,
            connected: true,
            bytes_to_target: request.len() as u64,
            bytes_from_target: answer.len() as u64,
            open: false,
        }]
    );
    assert_eq!(server.hits(3164444, 36804636), 1);
}

#[test]
fn bytes_sent_with_the_connect_request_are_forwarded_and_counted() {
    let server = MockServer::start().unwrap();
    let proxy = ConnectProxy::start().unwrap();
    let mut stream = open(proxy.port());
    let request = closing_request();
    // The client does not wait for the proxy's 200 before sending its request.
    write!(
        stream,
        "CONNECT 127.0.0.1:{0} HTTP/1.1\r\nHost: 127.0.0.1:{0}\r\n\r\n{request}",
        server.port()
    )
    .unwrap();
    let all = String::from_utf8(read_to_close(&mut stream)).unwrap();
    let answer = all
        .strip_prefix("HTTP/1.1 200 Connection established\r\n\r\n")
        .unwrap();
    assert!(answer.ends_with(DOCUMENTED_ACTION_JSON));
    drop(stream);
    let tunnels = ended(|| proxy.tunnels());
    assert!(!tunnels[0].open);
    assert_eq!(tunnels[0].bytes_to_target, request.len() as u64);
    assert_eq!(tunnels[0].bytes_from_target, answer.len() as u64);
}

#[test]
fn ureq_through_the_connect_proxy_reaches_the_mock() {
    let server = MockServer::start().unwrap();
    let proxy = ConnectProxy::start().unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .proxy(Some(ureq::Proxy::new(&proxy.url()).unwrap()))
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let target = format!("{}{DOCUMENTED_PATH}", server.base_url());
    for _ in 0..3 {
        let answer = get_with(&agent, &target, Some(DEFAULT_TOKEN));
        assert_eq!(answer.body, DOCUMENTED_ACTION_JSON.as_bytes());
    }
    // One tunnel, kept alive for the three requests.
    let tunnels = proxy.tunnels();
    assert_eq!(tunnels.len(), 1);
    assert_eq!(
        (
            tunnels[0].host.as_str(),
            tunnels[0].port,
            tunnels[0].connected
        ),
        ("127.0.0.1", server.port(), true)
    );
    assert!(tunnels[0].bytes_from_target > 3 * DOCUMENTED_ACTION_JSON.len() as u64);
    assert_eq!(server.hits(3164444, 36804636), 3);
}

#[test]
fn curl_through_the_connect_proxy_reaches_the_tls_mock_by_name() {
    let server = MockServer::builder().tls().start().unwrap();
    let proxy = ConnectProxy::start().unwrap();
    let ca = temp_file("proxy-ca.pem", server.ca_pem().unwrap());
    let run = curl(&[
        "--proxy",
        &proxy.url(),
        "--cacert",
        ca.to_str().unwrap(),
        &format!("https://localhost:{}{DOCUMENTED_PATH}", server.port()),
        "-H",
        "Authorization: Bearer mock-token",
    ]);
    assert_eq!((run.code, run.status), (0, 200), "{}", run.stderr);
    assert_eq!(run.body, DOCUMENTED_ACTION_JSON.as_bytes());
    let tunnels = ended(|| proxy.tunnels());
    assert_eq!(tunnels.len(), 1);
    assert_eq!(
        (tunnels[0].host.as_str(), tunnels[0].port),
        ("localhost", server.port())
    );
    // TLS records are larger than the plain text they carry.
    assert!(tunnels[0].bytes_from_target > DOCUMENTED_ACTION_JSON.len() as u64);
    let _ = std::fs::remove_file(ca);
}

#[test]
fn connect_proxy_with_credentials_answers_407_without_them() {
    let server = MockServer::start().unwrap();
    let proxy = ConnectProxy::with_credentials("ann", "s3cret").unwrap();
    let target = format!("127.0.0.1:{}", server.port());
    let (_, reply) = http_connect(proxy.port(), &target, "");
    assert_eq!(
        reply,
        "HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\
         connection: close\r\nproxy-authenticate: Basic realm=\"droplet-action-mock\"\r\n\r\n"
    );
    // "ann:wrong" in base64.
    let (_, reply) = http_connect(
        proxy.port(),
        &target,
        "Proxy-Authorization: Basic YW5uOndyb25n\r\n",
    );
    assert!(reply.starts_with("HTTP/1.1 407 "), "{reply}");
    assert_eq!(proxy.refused_credentials(), 2);
    assert!(proxy.tunnels().is_empty());

    let run = curl(&[
        "--proxy",
        &proxy.url(),
        "--proxytunnel",
        &format!("http://{target}{DOCUMENTED_PATH}"),
        "-H",
        "Authorization: Bearer mock-token",
    ]);
    assert_eq!((run.code, run.status), (0, 200), "{}", run.stderr);
    assert_eq!(run.body, DOCUMENTED_ACTION_JSON.as_bytes());
    let tunnels = proxy.tunnels();
    assert_eq!(tunnels.len(), 1);
    assert_eq!(tunnels[0].username.as_deref(), Some("ann"));
    assert_eq!(proxy.refused_credentials(), 2);
}

#[test]
fn connect_proxy_answers_other_methods_405_and_garbage_400() {
    let proxy = ConnectProxy::start().unwrap();
    let mut stream = open(proxy.port());
    stream
        .write_all(b"GET http://127.0.0.1:1/ HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n")
        .unwrap();
    assert_eq!(
        String::from_utf8(read_to_close(&mut stream)).unwrap(),
        "HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\nconnection: close\r\n\
         allow: CONNECT\r\n\r\n"
    );
    let mut stream = open(proxy.port());
    stream.write_all(b"\x01\x02 nonsense\r\n\r\n").unwrap();
    assert_eq!(
        String::from_utf8(read_to_close(&mut stream)).unwrap(),
        "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
    let (_, reply) = http_connect(proxy.port(), "no-port-here", "");
    assert!(reply.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{reply}");
    assert!(proxy.tunnels().is_empty());
}

#[test]
fn connect_proxy_answers_502_for_a_target_it_cannot_reach() {
    let proxy = ConnectProxy::start().unwrap();
    let port = closed_port();
    let (mut stream, reply) = http_connect(proxy.port(), &format!("127.0.0.1:{port}"), "");
    assert_eq!(
        reply,
        "HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
    assert!(read_to_close(&mut stream).is_empty());
    assert_eq!(
        proxy.tunnels(),
        [Tunnel {
            host: "127.0.0.1".to_owned(),
            port,
            username: None,
            connected: false,
            bytes_to_target: 0,
            bytes_from_target: 0,
            open: false,
        }]
    );
}

/// A SOCKS5 client: greets with `methods`, authenticates when the proxy asks, then asks to
/// connect to `address` (ATYP byte first) and `port`. Returns the stream and the reply.
fn socks5(
    proxy: u16,
    credentials: Option<(&str, &str)>,
    command: u8,
    address: &[u8],
    port: u16,
) -> (TcpStream, Vec<u8>) {
    let mut stream = open(proxy);
    let method = if credentials.is_some() { 2 } else { 0 };
    stream.write_all(&[5, 1, method]).unwrap();
    let mut choice = [0; 2];
    stream.read_exact(&mut choice).unwrap();
    assert_eq!(choice, [5, method]);
    if let Some((user, password)) = credentials {
        let mut auth = vec![1, user.len() as u8];
        auth.extend_from_slice(user.as_bytes());
        auth.push(password.len() as u8);
        auth.extend_from_slice(password.as_bytes());
        stream.write_all(&auth).unwrap();
        let mut status = [0; 2];
        stream.read_exact(&mut status).unwrap();
        assert_eq!(status, [1, 0]);
    }
    let mut request = vec![5, command, 0];
    request.extend_from_slice(address);
    request.extend_from_slice(&port.to_be_bytes());
    stream.write_all(&request).unwrap();
    let mut reply = vec![0; 10];
    stream.read_exact(&mut reply).unwrap();
    (stream, reply)
}

const LOOPBACK: [u8; 5] = [1, 127, 0, 0, 1];

#[test]
fn socks5_proxy_counts_the_exact_bytes_each_way() {
    let server = MockServer::start().unwrap();
    let proxy = Socks5Proxy::start().unwrap();
    let (mut stream, reply) = socks5(proxy.port(), None, 1, &LOOPBACK, server.port());
    // Succeeded, bound to an IPv4 address on loopback.
    assert_eq!(reply[..5], [5, 0, 0, 1, 127]);
    let request = closing_request();
    stream.write_all(request.as_bytes()).unwrap();
    let answer = read_to_close(&mut stream);
    assert!(answer.ends_with(DOCUMENTED_ACTION_JSON.as_bytes()));
    // The server closed; the tunnel ends once the client has too.
    drop(stream);
    assert_eq!(
        ended(|| proxy.tunnels()),
        [Tunnel {
            host: "127.0.0.1".to_owned(),
            port: server.port(),
            username: None,
            connected: true,
            bytes_to_target: request.len() as u64,
            bytes_from_target: answer.len() as u64,
            open: false,
        }]
    );
}

#[test]
fn curl_socks5h_sends_the_name_and_socks5_the_address() {
    let server = MockServer::start().unwrap();
    let proxy = Socks5Proxy::start().unwrap();
    for (scheme, host) in [("socks5h", "localhost"), ("socks5", "127.0.0.1")] {
        let run = curl(&[
            "--proxy",
            &format!("{scheme}://127.0.0.1:{}", proxy.port()),
            &format!("http://{host}:{}{DOCUMENTED_PATH}", server.port()),
            "-H",
            "Authorization: Bearer mock-token",
        ]);
        assert_eq!((run.code, run.status), (0, 200), "{}", run.stderr);
        assert_eq!(run.body, DOCUMENTED_ACTION_JSON.as_bytes());
    }
    let tunnels = ended(|| proxy.tunnels());
    let targets: Vec<_> = tunnels
        .iter()
        .map(|t| (t.host.as_str(), t.port, t.connected))
        .collect();
    assert_eq!(
        targets,
        [
            ("localhost", server.port(), true),
            ("127.0.0.1", server.port(), true)
        ]
    );
}

#[test]
fn socks5_proxy_with_credentials_wants_rfc1929() {
    let server = MockServer::builder().tls().start().unwrap();
    let proxy = Socks5Proxy::with_credentials("ann", "s3cret").unwrap();
    assert_eq!(
        proxy.url(),
        format!("socks5://ann:s3cret@127.0.0.1:{}", proxy.port())
    );
    let ca = temp_file("socks-ca.pem", server.ca_pem().unwrap());
    let url = format!("https://localhost:{}{DOCUMENTED_PATH}", server.port());
    let good = curl(&[
        "--proxy",
        &proxy.url().replace("socks5://", "socks5h://"),
        "--cacert",
        ca.to_str().unwrap(),
        &url,
        "-H",
        "Authorization: Bearer mock-token",
    ]);
    assert_eq!((good.code, good.status), (0, 200), "{}", good.stderr);
    assert_eq!(good.body, DOCUMENTED_ACTION_JSON.as_bytes());
    let bad = curl(&[
        "--proxy",
        &format!("socks5h://ann:wrong@127.0.0.1:{}", proxy.port()),
        "--cacert",
        ca.to_str().unwrap(),
        &url,
    ]);
    // 97: the proxy handshake failed.
    assert_eq!((bad.code, bad.status), (97, 0), "{}", bad.stderr);
    // A client that offers no authentication is told no method is acceptable.
    let mut stream = open(proxy.port());
    stream.write_all(&[5, 1, 0]).unwrap();
    assert_eq!(read_to_close(&mut stream), [5, 0xff]);
    assert_eq!(proxy.refused_credentials(), 2);
    let tunnels = ended(|| proxy.tunnels());
    assert_eq!(tunnels.len(), 1);
    assert_eq!(tunnels[0].host, "localhost");
    assert_eq!(tunnels[0].username.as_deref(), Some("ann"));
    let _ = std::fs::remove_file(ca);
}

#[test]
fn socks5_proxy_refuses_bind_and_reports_unreachable_targets() {
    let proxy = Socks5Proxy::start().unwrap();
    // BIND (2): command not supported (7), nothing recorded.
    let (_, reply) = socks5(proxy.port(), None, 2, &LOOPBACK, 80);
    assert_eq!(reply, [5, 7, 0, 1, 0, 0, 0, 0, 0, 0]);
    assert!(proxy.tunnels().is_empty());
    // A closed port: connection refused (5), recorded as not connected.
    let port = closed_port();
    let (_, reply) = socks5(proxy.port(), None, 1, &LOOPBACK, port);
    assert_eq!(reply, [5, 5, 0, 1, 0, 0, 0, 0, 0, 0]);
    let mut name = vec![3, 9];
    name.extend_from_slice(b"localhost");
    let (_, reply) = socks5(proxy.port(), None, 1, &name, port);
    assert_eq!(reply[1], 5);
    let targets: Vec<_> = proxy
        .tunnels()
        .into_iter()
        .map(|t| (t.host, t.port, t.connected))
        .collect();
    assert_eq!(
        targets,
        [
            ("127.0.0.1".to_owned(), port, false),
            ("localhost".to_owned(), port, false)
        ]
    );
}

#[test]
fn socks5_records_an_ipv6_target_without_brackets() {
    let proxy = Socks5Proxy::start().unwrap();
    let mut address = vec![4];
    address.extend_from_slice(&std::net::Ipv6Addr::LOCALHOST.octets());
    let (_, reply) = socks5(proxy.port(), None, 1, &address, closed_port());
    // Refused (5), or unreachable (4) where IPv6 is off; never success.
    assert_ne!(reply[1], 0);
    let tunnels = proxy.tunnels();
    assert_eq!(tunnels[0].host, "::1");
    assert!(!tunnels[0].connected);
}

#[test]
fn a_tunnel_stays_open_while_both_sides_are() {
    let server = MockServer::start().unwrap();
    let proxy = ConnectProxy::start().unwrap();
    let (mut stream, _) = http_connect(proxy.port(), &format!("127.0.0.1:{}", server.port()), "");
    // A kept-alive request: the server does not close after answering.
    let request = closing_request().replace("Connection: close\r\n", "");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = vec![0; 1];
    stream.read_exact(&mut answer).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert!(proxy.tunnels()[0].open);
    drop(stream);
    assert!(!ended(|| proxy.tunnels())[0].open);
}

#[test]
fn dropping_a_proxy_closes_its_tunnels_and_port() {
    let server = MockServer::start().unwrap();
    let proxy = Socks5Proxy::start().unwrap();
    let port = proxy.port();
    let (mut stream, reply) = socks5(port, None, 1, &LOOPBACK, server.port());
    assert_eq!(reply[1], 0);
    let started = Instant::now();
    drop(proxy);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(read_to_close(&mut stream).is_empty());
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}
