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

mod connect;
mod socks5;

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How long a client may take over its handshake, and the proxy to reach a target.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

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
            core: Core::start(None, connect::handshake)?,
        })
    }

    /// Starts a proxy that wants `username` and `password` (Basic).
    pub fn with_credentials(username: &str, password: &str) -> io::Result<ConnectProxy> {
        Ok(ConnectProxy {
            core: Core::start(Some(credentials(username, password)), connect::handshake)?,
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
            core: Core::start(None, socks5::handshake)?,
        })
    }

    /// Starts a proxy that wants `username` and `password` (RFC 1929).
    pub fn with_credentials(username: &str, password: &str) -> io::Result<Socks5Proxy> {
        Ok(Socks5Proxy {
            core: Core::start(Some(credentials(username, password)), socks5::handshake)?,
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
