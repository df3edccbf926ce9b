//! A real HTTP/1.1 server on loopback that plays DigitalOcean's **Retrieve a Droplet Action**
//! (`GET /v2/droplets/{droplet_id}/actions/{action_id}`) and its failures.
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
//! # How it serves
//! Worker threads take requests from [`tiny_http`]; connections are kept alive; slow and
//! large answers run on threads of their own so that they hold no worker. Dropping the
//! [`MockServer`] stops its threads and closes its listeners and connections.
//!
//! # Not in scope
//! No TLS, no other endpoint, and only loopback (`127.0.0.1`).

mod body;
pub mod scenario;
mod server;
mod sockets;

use std::io;

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

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    /// The port the API listens on.
    pub fn port(&self) -> u16 {
        self.running.main_addr().port()
    }

    /// The port of the other origin that [`scenario::REDIRECT_OTHER_ORIGIN`] redirects to
    /// (reached as `http://localhost:PORT`).
    pub fn redirect_target_port(&self) -> u16 {
        self.running.target_addr().port()
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
    token: String,
    port: u16,
    record: bool,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder {
            token: DEFAULT_TOKEN.to_owned(),
            port: 0,
            record: true,
        }
    }
}

impl MockServerBuilder {
    /// The bearer token to accept (default [`DEFAULT_TOKEN`]).
    pub fn token(mut self, token: &str) -> Self {
        token.clone_into(&mut self.token);
        self
    }

    /// The port to listen on (default 0: a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Whether to keep every request for [`MockServer::requests`] (default `true`). A
    /// long-running server under a benchmark turns it off so that memory stays flat.
    pub fn record_requests(mut self, record: bool) -> Self {
        self.record = record;
        self
    }

    /// Binds the listeners and starts serving.
    pub fn start(self) -> io::Result<MockServer> {
        Ok(MockServer {
            running: server::start(&self.token, self.port, self.record)?,
        })
    }
}

/// A request as the mock received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The request target as sent, query included, e.g. `/v2/droplets/1/actions/2`.
    pub path: String,
    /// The headers in the order received, names as sent.
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
