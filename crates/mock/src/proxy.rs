//! Proxies that really forward and record each tunnel, for tests of a client's proxy
//! support: an HTTP CONNECT proxy ([`ConnectProxy`]) and a SOCKS5 proxy ([`Socks5Proxy`]),
//! each on `127.0.0.1` and a free port, with or without credentials.
//!
//! A tunnel is recorded as soon as the target is asked for, with the host and port as the
//! client named them (a name stays a name: nothing is resolved for the record) and the bytes
//! forwarded each way, counted before they are passed on: once a client has read an answer,
//! the counters include it. Both proxies forward to any target the client names, and only
//! `CONNECT`: a `GET http://...` to the HTTP proxy is answered `405`.
//!
//! ```
//! use droplet_action_mock::{MockServer, proxy::ConnectProxy};
//! use std::io::{Read, Write};
//!
//! let server = MockServer::start()?;
//! let proxy = ConnectProxy::start()?;
//! let mut stream = std::net::TcpStream::connect(("127.0.0.1", proxy.port()))?;
//! write!(stream, "CONNECT 127.0.0.1:{0} HTTP/1.1\r\nHost: 127.0.0.1:{0}\r\n\r\n", server.port())?;
//! let mut reply = [0; 39];
//! stream.read_exact(&mut reply)?;
//! assert_eq!(&reply, b"HTTP/1.1 200 Connection established\r\n\r\n");
//! // The stream now reaches the server.
//! let request = "GET /v2/droplets/3164444/actions/36804636 HTTP/1.1\r\nHost: x\r\n\
//!                Authorization: Bearer mock-token\r\nConnection: close\r\n\r\n";
//! stream.write_all(request.as_bytes())?;
//! let mut answer = Vec::new();
//! stream.read_to_end(&mut answer)?;
//! assert!(answer.starts_with(b"HTTP/1.1 200 OK"));
//!
//! let tunnel = &proxy.tunnels()[0];
//! assert_eq!((tunnel.host.as_str(), tunnel.port), ("127.0.0.1", server.port()));
//! assert_eq!(tunnel.bytes_to_target, request.len() as u64);
//! assert_eq!(tunnel.bytes_from_target, answer.len() as u64);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use base64::Engine as _;

/// How long a client may take over its handshake, and the proxy to reach a target.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest CONNECT request head read.
const MAX_HEAD: usize = 16 * 1024;

/// One tunnel a proxy opened, or tried to open, as [`ConnectProxy::tunnels`] and
/// [`Socks5Proxy::tunnels`] report it.
///
/// ```
/// use droplet_action_mock::proxy::{Socks5Proxy, Tunnel};
/// use std::io::{Read, Write};
///
/// let proxy = Socks5Proxy::start()?;
/// let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
/// let mut stream = std::net::TcpStream::connect(("127.0.0.1", proxy.port()))?;
/// stream.write_all(&[5, 1, 0])?;
/// let mut port = closed.to_be_bytes().to_vec();
/// let mut request = vec![5, 1, 0, 3, 9];
/// request.extend_from_slice(b"localhost");
/// request.append(&mut port);
/// stream.write_all(&request)?;
/// let mut replies = [0; 12];
/// stream.read_exact(&mut replies)?;
/// assert_eq!(replies[..4], [5, 0, 5, 5]); // no authentication; then refused
/// assert_eq!(
///     proxy.tunnels(),
///     [Tunnel {
///         host: "localhost".to_owned(),
///         port: closed,
///         username: None,
///         connected: false,
///         bytes_to_target: 0,
///         bytes_from_target: 0,
///         open: false,
///     }]
/// );
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tunnel {
    /// The target host as the client named it: a name (`localhost`), or an IPv4 or IPv6
    /// address (without brackets).
    pub host: String,
    /// The target port.
    pub port: u16,
    /// The user name the client authenticated with, when the proxy wants credentials.
    pub username: Option<String>,
    /// Whether the proxy reached the target; if not, the client was told so and nothing was
    /// forwarded.
    pub connected: bool,
    /// Bytes forwarded from the client to the target, so far.
    pub bytes_to_target: u64,
    /// Bytes forwarded from the target to the client, so far.
    pub bytes_from_target: u64,
    /// Whether bytes may still flow (false once either side has closed and the tunnel ended).
    pub open: bool,
}

/// An HTTP proxy that serves `CONNECT host:port` tunnels, on `127.0.0.1` and a free port.
/// Stops on drop, closing its tunnels.
///
/// With credentials it wants `Proxy-Authorization: Basic ...` and answers `407` (with
/// `Proxy-Authenticate: Basic realm="droplet-action-mock"`) without them. A target it cannot
/// reach is answered `502`; a request that is not `CONNECT`, `405`; one it cannot parse, `400`.
///
/// ```
/// let proxy = droplet_action_mock::proxy::ConnectProxy::with_credentials("ann", "s3cret")?;
/// assert_eq!(proxy.url(), format!("http://ann:s3cret@127.0.0.1:{}", proxy.port()));
/// assert!(proxy.tunnels().is_empty());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct ConnectProxy {
    core: Core,
}

impl ConnectProxy {
    /// Starts a proxy that wants no credentials.
    pub fn start() -> io::Result<ConnectProxy> {
        Ok(ConnectProxy {
            core: Core::start(None, connect_handshake)?,
        })
    }

    /// Starts a proxy that wants `username` and `password` (Basic).
    pub fn with_credentials(username: &str, password: &str) -> io::Result<ConnectProxy> {
        Ok(ConnectProxy {
            core: Core::start(Some(credentials(username, password)), connect_handshake)?,
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.core.addr.port()
    }

    /// `http://127.0.0.1:PORT`, with `username:password@` before the host when credentials
    /// are wanted (as given: choose ones that need no percent-encoding).
    pub fn url(&self) -> String {
        self.core.url("http")
    }

    /// Every tunnel asked for, in order.
    pub fn tunnels(&self) -> Vec<Tunnel> {
        self.core.state.tunnels()
    }

    /// How many requests were refused for missing or wrong credentials.
    pub fn refused_credentials(&self) -> usize {
        self.core.state.refused_credentials.load(Ordering::SeqCst)
    }
}

/// A SOCKS5 proxy (RFC 1928, `CONNECT` only) on `127.0.0.1` and a free port, wanting no
/// authentication or a user name and password (RFC 1929). Stops on drop, closing its
/// tunnels.
///
/// Targets may be named by IPv4, IPv6 or domain name (`socks5h://` clients send names).
/// A client that offers no method the proxy wants is answered `0xFF`; wrong credentials,
/// status 1; a target it cannot reach, reply 5 (refused) or 4 (unreachable).
///
/// ```
/// use droplet_action_mock::proxy::Socks5Proxy;
/// use std::io::{Read, Write};
///
/// let proxy = Socks5Proxy::start()?;
/// assert_eq!(proxy.url(), format!("socks5://127.0.0.1:{}", proxy.port()));
/// let mut stream = std::net::TcpStream::connect(("127.0.0.1", proxy.port()))?;
/// stream.write_all(&[5, 1, 0])?; // version 5, one method: no authentication
/// let mut choice = [0; 2];
/// stream.read_exact(&mut choice)?;
/// assert_eq!(choice, [5, 0]);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Socks5Proxy {
    core: Core,
}

impl Socks5Proxy {
    /// Starts a proxy that wants no authentication.
    pub fn start() -> io::Result<Socks5Proxy> {
        Ok(Socks5Proxy {
            core: Core::start(None, socks5_handshake)?,
        })
    }

    /// Starts a proxy that wants `username` and `password` (RFC 1929).
    pub fn with_credentials(username: &str, password: &str) -> io::Result<Socks5Proxy> {
        Ok(Socks5Proxy {
            core: Core::start(Some(credentials(username, password)), socks5_handshake)?,
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.core.addr.port()
    }

    /// `socks5://127.0.0.1:PORT`, with `username:password@` before the host when
    /// credentials are wanted (as given: choose ones that need no percent-encoding).
    pub fn url(&self) -> String {
        self.core.url("socks5")
    }

    /// Every tunnel asked for, in order.
    pub fn tunnels(&self) -> Vec<Tunnel> {
        self.core.state.tunnels()
    }

    /// How many handshakes were refused for missing or wrong credentials (including a
    /// client that did not offer the user name and password method).
    pub fn refused_credentials(&self) -> usize {
        self.core.state.refused_credentials.load(Ordering::SeqCst)
    }
}

#[derive(Debug, Clone)]
struct Credentials {
    username: String,
    password: String,
}

fn credentials(username: &str, password: &str) -> Credentials {
    Credentials {
        username: username.to_owned(),
        password: password.to_owned(),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A tunnel as it runs.
#[derive(Debug)]
struct TunnelState {
    host: String,
    port: u16,
    username: Option<String>,
    connected: bool,
    to_target: AtomicU64,
    from_target: AtomicU64,
    open: AtomicBool,
}

impl TunnelState {
    fn snapshot(&self) -> Tunnel {
        Tunnel {
            host: self.host.clone(),
            port: self.port,
            username: self.username.clone(),
            connected: self.connected,
            bytes_to_target: self.to_target.load(Ordering::SeqCst),
            bytes_from_target: self.from_target.load(Ordering::SeqCst),
            open: self.open.load(Ordering::SeqCst),
        }
    }
}

/// What both proxies share: the record and the sockets to close when stopping.
#[derive(Debug, Default)]
struct State {
    credentials: Option<Credentials>,
    stopped: AtomicBool,
    tunnels: Mutex<Vec<Arc<TunnelState>>>,
    refused_credentials: AtomicUsize,
    next_socket: AtomicU64,
    sockets: Mutex<HashMap<u64, TcpStream>>,
    connections: Mutex<Vec<JoinHandle<()>>>,
}

impl State {
    fn tunnels(&self) -> Vec<Tunnel> {
        lock(&self.tunnels).iter().map(|t| t.snapshot()).collect()
    }

    fn record(
        &self,
        host: String,
        port: u16,
        username: Option<String>,
        connected: bool,
    ) -> Arc<TunnelState> {
        let tunnel = Arc::new(TunnelState {
            host,
            port,
            username,
            connected,
            to_target: AtomicU64::new(0),
            from_target: AtomicU64::new(0),
            open: AtomicBool::new(connected),
        });
        lock(&self.tunnels).push(Arc::clone(&tunnel));
        tunnel
    }

    fn refuse_credentials(&self) {
        self.refused_credentials.fetch_add(1, Ordering::SeqCst);
    }

    /// Keeps a duplicate of `stream` to shut down when stopping; the key forgets it.
    fn track(&self, stream: &TcpStream) -> Option<u64> {
        let duplicate = stream.try_clone().ok()?;
        let key = self.next_socket.fetch_add(1, Ordering::Relaxed);
        lock(&self.sockets).insert(key, duplicate);
        Some(key)
    }

    fn forget(&self, key: Option<u64>) {
        if let Some(key) = key {
            lock(&self.sockets).remove(&key);
        }
    }
}

/// A handshake: reads the client's request, answers it, and on success gives the target's
/// connection, the tunnel's record and any bytes the client sent past its request.
type Handshake = fn(&State, &mut TcpStream) -> Option<Established>;

struct Established {
    target: TcpStream,
    tunnel: Arc<TunnelState>,
    early: Vec<u8>,
}

/// The listener, its acceptor and the state.
#[derive(Debug)]
struct Core {
    addr: SocketAddr,
    state: Arc<State>,
    acceptor: Option<JoinHandle<()>>,
}

impl Core {
    fn start(credentials: Option<Credentials>, handshake: Handshake) -> io::Result<Core> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            credentials,
            ..State::default()
        });
        let acceptor = {
            let state = Arc::clone(&state);
            thread::Builder::new()
                .name("mock-proxy-accept".to_owned())
                .spawn(move || accept_loop(&listener, &state, handshake))?
        };
        Ok(Core {
            addr,
            state,
            acceptor: Some(acceptor),
        })
    }

    fn url(&self, scheme: &str) -> String {
        match &self.state.credentials {
            Some(c) => format!("{scheme}://{}:{}@{}", c.username, c.password, self.addr),
            None => format!("{scheme}://{}", self.addr),
        }
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        self.state.stopped.store(true, Ordering::SeqCst);
        // Wakes the acceptor, which sees the flag and lets the listener go.
        drop(TcpStream::connect(self.addr));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        for stream in lock(&self.state.sockets).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        let connections = std::mem::take(&mut *lock(&self.state.connections));
        for connection in connections {
            let _ = connection.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, state: &Arc<State>, handshake: Handshake) {
    for client in listener.incoming() {
        if state.stopped.load(Ordering::SeqCst) {
            break;
        }
        let Ok(client) = client else {
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        let state_in = Arc::clone(state);
        let mut connections = lock(&state.connections);
        connections.retain(|c| !c.is_finished());
        if let Ok(connection) = thread::Builder::new()
            .name("mock-proxy".to_owned())
            .spawn(move || serve(&state_in, client, handshake))
        {
            connections.push(connection);
        }
    }
}

fn serve(state: &State, mut client: TcpStream, handshake: Handshake) {
    let client_key = state.track(&client);
    let _ = client.set_nodelay(true);
    let _ = client.set_read_timeout(Some(HANDSHAKE_TIMEOUT));
    if let Some(established) = handshake(state, &mut client) {
        let _ = client.set_read_timeout(None);
        let target_key = state.track(&established.target);
        relay(client, established);
        state.forget(target_key);
    }
    state.forget(client_key);
}

/// Copies both ways until both sides are done, counting what passes.
fn relay(client: TcpStream, established: Established) {
    let Established {
        target,
        tunnel,
        early,
    } = established;
    let _ = target.set_nodelay(true);
    thread::scope(|scope| {
        scope.spawn(|| pump(&target, &client, &tunnel.from_target));
        tunnel
            .to_target
            .fetch_add(early.len() as u64, Ordering::SeqCst);
        if (&target).write_all(&early).is_ok() {
            pump(&client, &target, &tunnel.to_target);
        } else {
            let _ = target.shutdown(Shutdown::Both);
            let _ = client.shutdown(Shutdown::Both);
        }
    });
    tunnel.open.store(false, Ordering::SeqCst);
}

/// Copies `from` to `to`, counting each piece before it is written. A clean end of stream
/// is passed on as a half close; an error closes both.
fn pump(from: &TcpStream, to: &TcpStream, counter: &AtomicU64) {
    let (mut reader, mut writer) = (from, to);
    let mut buf = vec![0; 16 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => {
                let _ = to.shutdown(Shutdown::Write);
                return;
            }
            Ok(n) => {
                counter.fetch_add(n as u64, Ordering::SeqCst);
                if writer.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

/// Connects to `host:port` (a name is resolved here), trying each address in turn. When
/// all fail, a refusal is reported before any other error, so that `localhost` on a machine
/// without IPv6 reads as refused, as it is on 127.0.0.1.
fn reach(host: &str, port: u16) -> io::Result<TcpStream> {
    let mut failure = io::Error::new(io::ErrorKind::NotFound, "the host has no address");
    for addr in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, HANDSHAKE_TIMEOUT) {
            Ok(stream) => return Ok(stream),
            Err(e) if failure.kind() != io::ErrorKind::ConnectionRefused => failure = e,
            Err(_) => {}
        }
    }
    Err(failure)
}

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

fn connect_handshake(state: &State, client: &mut TcpStream) -> Option<Established> {
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

fn socks5_handshake(state: &State, client: &mut TcpStream) -> Option<Established> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
