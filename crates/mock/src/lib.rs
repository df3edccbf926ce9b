//! A real HTTP server (HTTP/1.1 and HTTP/2) on loopback that plays DigitalOcean's
//! **Retrieve a Droplet Action** (`GET /v2/droplets/{droplet_id}/actions/{action_id}`) and its
//! failures.
//!
//! ```
//! use droplet_action_mock::{MockServer, DEFAULT_TOKEN, scenario};
//! use std::io::{Read, Write};
//!
//! let server = MockServer::start()?;
//! assert!(server.base_url().starts_with("http://127.0.0.1:"));
//!
//! // Any HTTP client works; here a bare socket, to show what goes over the wire.
//! let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port()))?;
//! write!(
//!     stream,
//!     "GET /v2/droplets/{}/actions/{} HTTP/1.1\r\nHost: localhost\r\n\
//!      Authorization: Bearer {DEFAULT_TOKEN}\r\nConnection: close\r\n\r\n",
//!     scenario::DOCUMENTED_DROPLET,
//!     scenario::DOCUMENTED_ACTION,
//! )?;
//! let mut answer = String::new();
//! stream.read_to_string(&mut answer)?;
//! assert!(answer.starts_with("HTTP/1.1 200"));
//! assert!(answer.ends_with(droplet_action_model::DOCUMENTED_ACTION_JSON));
//! assert_eq!(server.hits(scenario::DOCUMENTED_DROPLET, scenario::DOCUMENTED_ACTION), 1);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # What it checks
//! In this order:
//! 1. `Authorization: Bearer <token>` ([`DEFAULT_TOKEN`] unless the builder says otherwise):
//!    missing or wrong gives 401 `unauthorized`.
//! 2. The method: anything but `GET` gives 405 `method_not_allowed` (with `allow: GET`).
//! 3. The path: anything but `/v2/droplets/{id}/actions/{id}` with decimal ids from 1 to
//!    `i64::MAX` gives 404 `not_found`. A query string is ignored.
//!
//! Then the ids choose a [`scenario`]. Every answer carries `content-type`
//! (`application/json` but for the HTML pages), `ratelimit-limit: 5000`,
//! `ratelimit-remaining` (4999 on the first answer, one less on each, never below 0),
//! `ratelimit-reset` (start time plus an hour, as a Unix time) and a uuid-like
//! `x-request-id`, which error bodies repeat as `request_id`.
//!
//! # Modes
//! - [`MockServerBuilder::tls`]: HTTPS with a certificate from a CA made at start
//!   ([`MockServer::ca_pem`]).
//! - [`MockServerBuilder::rate_limit`]: DigitalOcean's rolling windows per token, with 429
//!   and `retry-after` past them; [`MockServerBuilder::time_scale`] makes time run faster.
//! - [`MockServer::stats`] and `GET /__mock/stats` ([`STATS_PATH`]) count requests and 429s.
//! - [`proxy`]: HTTP CONNECT and SOCKS5 proxies that record their tunnels.
//!
//! # How it serves
//! [`hyper`] serves every connection as a task of a multi-threaded [`tokio`] runtime that the
//! server owns: HTTP/1.1 kept alive, or HTTP/2 (by ALPN over TLS, with prior knowledge on
//! plain HTTP). A connection holds no thread, so any number of clients may keep theirs open
//! and each is served as its requests come; slow answers wait on timers. Dropping the
//! [`MockServer`] stops the runtime, which closes its listeners and connections.
//!
//! # Not in scope
//! No other API endpoint, and only loopback (`127.0.0.1`).

mod answer;
mod body;
mod connection;
mod play;
pub mod proxy;
mod ratelimit;
mod routing;
pub mod scenario;
mod server;
mod state;
mod stats;
mod tls;

use std::io;

pub use ratelimit::RateLimit;
pub use stats::{STATS_PATH, Stats, TokenStats};

/// The bearer token a server accepts unless [`MockServerBuilder::token`] says otherwise.
pub const DEFAULT_TOKEN: &str = "mock-token";

/// A running mock: two listeners on `127.0.0.1` (the API, and the other origin that
/// [`scenario::REDIRECT_OTHER_ORIGIN`] redirects to). Stops on drop.
///
/// ```
/// let server = droplet_action_mock::MockServer::builder().token("t0k3n").start()?;
/// assert_eq!(server.base_url(), format!("http://127.0.0.1:{}", server.port()));
/// assert!(server.requests().is_empty());
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct MockServer {
    running: server::Running,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts a server on a free port that accepts [`DEFAULT_TOKEN`].
    pub fn start() -> io::Result<MockServer> {
        MockServer::builder().start()
    }

    /// A builder to choose the token and port.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT` in TLS mode, without a trailing
    /// slash.
    pub fn base_url(&self) -> String {
        format!("{}://127.0.0.1:{}", self.running.scheme(), self.port())
    }

    /// In TLS mode, the certificate of the CA that signed the server's certificate, as PEM:
    /// give it to a client as its trusted root. `None` without TLS.
    ///
    /// The CA is made at start for this server alone, and its key is dropped once the
    /// server's certificate (for `127.0.0.1` and `localhost`) is signed.
    ///
    /// ```
    /// use droplet_action_mock::MockServer;
    ///
    /// let server = MockServer::builder().tls().start()?;
    /// assert_eq!(server.base_url(), format!("https://127.0.0.1:{}", server.port()));
    /// let pem = server.ca_pem().unwrap();
    /// assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    /// assert!(pem.ends_with("-----END CERTIFICATE-----\n"));
    /// assert_eq!(MockServer::start()?.ca_pem(), None);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn ca_pem(&self) -> Option<&str> {
        self.running.ca_pem()
    }

    /// The counters of the API since the server started, as `GET /__mock/stats` answers
    /// them.
    ///
    /// ```
    /// use droplet_action_mock::{MockServer, RateLimit};
    /// use std::io::{Read, Write};
    ///
    /// let server = MockServer::builder().rate_limit(RateLimit::DIGITALOCEAN).start()?;
    /// let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port()))?;
    /// stream.write_all(b"GET /v2/droplets/1/actions/2 HTTP/1.1\r\nHost: x\r\n\
    ///                    Authorization: Bearer mock-token\r\nConnection: close\r\n\r\n")?;
    /// stream.read_to_end(&mut Vec::new())?;
    /// let stats = server.stats();
    /// assert_eq!(stats.requests, 1);
    /// assert_eq!(stats.too_many_requests, 0);
    /// assert_eq!(stats.tokens["mock-token"].requests, 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn stats(&self) -> Stats {
        self.running.shared.stats()
    }

    /// The port the API listens on.
    pub fn port(&self) -> u16 {
        self.running.public_main().port()
    }

    /// The port of the other origin that [`scenario::REDIRECT_OTHER_ORIGIN`] redirects to
    /// (reached as `http://localhost:PORT`, or `https://localhost:PORT` in TLS mode).
    pub fn redirect_target_port(&self) -> u16 {
        self.running.public_target().port()
    }

    /// Every request the API received, in order (empty if recording was turned off with
    /// [`MockServerBuilder::record_requests`]).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.running.shared.requests()
    }

    /// How many requests the API received for `/v2/droplets/{droplet_id}/actions/{action_id}`,
    /// whatever their method or token.
    pub fn hits(&self, droplet_id: i64, action_id: i64) -> usize {
        self.running.shared.hits(droplet_id, action_id)
    }

    /// Every request the other origin of [`scenario::REDIRECT_OTHER_ORIGIN`] received, in
    /// order.
    pub fn redirect_target_requests(&self) -> Vec<RecordedRequest> {
        self.running.shared.target_requests()
    }
}

/// Chooses how a [`MockServer`] starts.
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    config: server::Config,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder {
            config: server::Config {
                tokens: vec![DEFAULT_TOKEN.to_owned()],
                port: 0,
                record: true,
                tls: false,
                rate_limit: None,
                time_scale: 1.0,
            },
        }
    }
}

impl MockServerBuilder {
    /// The bearer token to accept (default [`DEFAULT_TOKEN`]), instead of every token
    /// accepted so far.
    pub fn token(mut self, token: &str) -> Self {
        self.config.tokens = vec![token.to_owned()];
        self
    }

    /// Accepts `token` too, beside those already accepted: with a rate limit, each token has
    /// windows of its own.
    ///
    /// ```
    /// let server = droplet_action_mock::MockServer::builder()
    ///     .token("first")
    ///     .also_accept("second")
    ///     .start()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn also_accept(mut self, token: &str) -> Self {
        self.config.tokens.push(token.to_owned());
        self
    }

    /// Serves HTTPS instead of HTTP (both listeners: the API and the redirect target), with
    /// a certificate for `127.0.0.1` and `localhost` signed by a CA made at start; see
    /// [`MockServer::ca_pem`]. TLS 1.2 and 1.3, ALPN `h2` and `http/1.1`. A plain HTTP request
    /// to the port is answered `400` with `connection: close`.
    ///
    /// ```
    /// let server = droplet_action_mock::MockServer::builder().tls().start()?;
    /// assert!(server.base_url().starts_with("https://127.0.0.1:"));
    /// assert!(server.ca_pem().is_some());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn tls(mut self) -> Self {
        self.config.tls = true;
        self
    }

    /// Plays a rate limit per bearer token: `limit.per_minute` requests in any rolling minute
    /// and `limit.per_hour` in any rolling hour, each request counting for an hour after it
    /// was made. Past either, the answer is 429 `too_many_requests` with `retry-after`, and
    /// the refused request is not counted. Every answer then carries `ratelimit-limit`
    /// (`per_hour`), `ratelimit-remaining` (what is left of the hour) and `ratelimit-reset`
    /// (when the oldest request of the hour expires).
    ///
    /// ```
    /// use droplet_action_mock::{MockServer, RateLimit};
    ///
    /// let server = MockServer::builder()
    ///     .rate_limit(RateLimit { per_minute: 2, per_hour: 10 })
    ///     .time_scale(60.0) // a minute lasts a second
    ///     .start()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.config.rate_limit = Some(limit);
        self
    }

    /// How much faster than real time the mock's clock runs (default 1; from 0.001 to
    /// 1,000,000): at 60 an hour lasts a minute. It scales the rate limit's windows and the
    /// timed scenarios ([`scenario::completes_after_seconds`]). The seconds the server
    /// announces are real ones: `retry-after` is the real wait, rounded up, and
    /// `ratelimit-reset` the real Unix time at which the oldest request expires, rounded up.
    ///
    /// ```
    /// use droplet_action_mock::MockServer;
    ///
    /// // An hour of mock time in a real second.
    /// let server = MockServer::builder().time_scale(3600.0).start()?;
    /// let refused = MockServer::builder().time_scale(0.0).start().unwrap_err();
    /// assert_eq!(refused.kind(), std::io::ErrorKind::InvalidInput);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn time_scale(mut self, scale: f64) -> Self {
        self.config.time_scale = scale;
        self
    }

    /// The port to listen on (default 0: a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
        self
    }

    /// Whether to keep every request for [`MockServer::requests`] (default `true`). A
    /// long-running server under a benchmark turns it off so that memory stays flat.
    pub fn record_requests(mut self, record: bool) -> Self {
        self.config.record = record;
        self
    }

    /// Binds the listeners and starts serving. Fails with `InvalidInput` for a time scale
    /// out of range or a rate limit of 0.
    pub fn start(self) -> io::Result<MockServer> {
        Ok(MockServer {
            running: server::start(&self.config)?,
        })
    }
}

/// A request as the mock received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The path of the request target, query included, e.g. `/v2/droplets/1/actions/2?x=1`
    /// (over HTTP/2, or for a target in absolute form, without the scheme and host).
    pub path: String,
    /// The headers in the order received (several of one name together, where the first
    /// came), names in lower case as hyper gives them.
    pub headers: Vec<(String, String)>,
}

impl RecordedRequest {
    /// The first value of header `name`, compared without regard to case.
    ///
    /// ```
    /// let request = droplet_action_mock::RecordedRequest {
    ///     method: "GET".into(),
    ///     path: "/".into(),
    ///     headers: vec![("Authorization".into(), "Bearer x".into())],
    /// };
    /// assert_eq!(request.header("authorization"), Some("Bearer x"));
    /// assert_eq!(request.header("accept"), None);
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The examples of this crate's README, run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadmeDoctests;
