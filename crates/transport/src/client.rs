//! The client, its builder, and one call with its retries.

use std::fmt;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use droplet_action_model::{
    ActionId, ActionRequest, BaseUrl, BudgetConfig, DEFAULT_BASE_URL, DEFAULTS, DropletId,
    ErrorResponse, MAX_RESPONSE_HEADER_BYTES, ResponseError, ResponseMeta, RetryAdvice,
    RetryPolicy, Token, UserAgent, budget_wait_allowed, classify, redact_proxy_url, redact_url,
};
use ureq::ResponseExt;
use ureq::http::uri::{Authority, PathAndQuery, Scheme};
use ureq::http::{HeaderMap, HeaderValue, Request, Response, Uri, header};

use crate::budget::{LocalBudget, RequestBudget};
use crate::cancel::{self, CancelToken};
use crate::events::{Events, Level, LogHook, RequestIdSuffix};
use crate::options::{deadline_after, passes};
use crate::resolver::CachingResolver;
use crate::{ActionResponse, CallOptions, Error, ResponseDetails, socket, tls};

/// The environment variables read by [`Client::from_env`], in order of preference.
pub const TOKEN_ENV_VARS: [&str; 2] = ["DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_TOKEN"];
/// The environment variable that overrides the base URL in [`Client::from_env`].
pub const BASE_URL_ENV_VAR: &str = "DIGITALOCEAN_API_URL";

/// The `User-Agent` sent unless another is set.
pub const DEFAULT_USER_AGENT: &str = concat!("droplet-action/", env!("CARGO_PKG_VERSION"));

const MAX_REDIRECTS: u32 = 5;

/// The shortest token taken out of echoed text: a shorter one would blank out ordinary
/// words (real tokens are dozens of characters).
const MIN_SCRUBBED_SECRET: usize = 8;

/// The body limit a client has unless another is set: 4 MiB.
pub const DEFAULT_BODY_LIMIT: u64 = DEFAULTS.body_limit;

/// The buffer a body without `content-length` starts in.
const INITIAL_BODY_CAPACITY: u64 = 8 * 1024;
/// The most reserved ahead of reading, whatever `content-length` says.
const MAX_PRESIZE: u64 = 1024 * 1024;

/// Settings for a [`Client`]. Every setting has a careful default; only the token is required.
///
/// ```
/// use std::time::Duration;
/// use droplet_action_transport::Client;
///
/// let client = Client::builder()
///     .token("dop_v1_example")
///     .timeout(Duration::from_secs(10))
///     .max_retries(3)
///     .build()?;
/// assert_eq!(client.base_url(), "https://api.digitalocean.com");
/// # Ok::<(), droplet_action_transport::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    token: Option<String>,
    base_url: String,
    user_agent: String,
    timeout: Duration,
    connect_timeout: Duration,
    max_retries: u32,
    backoff_base: Duration,
    backoff_max: Duration,
    max_retry_after: Duration,
    body_limit: u64,
    proxy: ProxyChoice,
    allow_insecure_http: bool,
    ca_files: Vec<PathBuf>,
    system_roots: bool,
    events: Events,
    pacing: Pacing,
    /// Made by [`Client::builder_from_env`]: a missing token names the variables.
    from_env: bool,
}

/// How a client paces its requests.
#[derive(Clone, Debug)]
enum Pacing {
    /// DigitalOcean's limits for DigitalOcean's API, none for any other base URL.
    Default,
    /// At most this many requests a minute, with the hourly spread and the slow-down.
    PerMinute(u32),
    /// No pacing at all.
    Off,
    /// A budget of the caller's, maybe shared with other clients.
    Shared(Arc<dyn RequestBudget>),
}

#[derive(Clone)]
enum ProxyChoice {
    None,
    Url(String),
    FromEnv,
}

impl fmt::Debug for ProxyChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Url(url) => write!(f, "Url({:?})", redact_proxy_url(url)),
            Self::FromEnv => f.write_str("FromEnv"),
        }
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            token: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            timeout: DEFAULTS.timeout,
            connect_timeout: DEFAULTS.connect_timeout,
            max_retries: DEFAULTS.max_retries,
            backoff_base: DEFAULTS.backoff_base,
            backoff_max: DEFAULTS.backoff_max,
            max_retry_after: DEFAULTS.max_retry_after,
            body_limit: DEFAULTS.body_limit,
            proxy: ProxyChoice::None,
            allow_insecure_http: false,
            ca_files: Vec::new(),
            system_roots: true,
            events: Events::default(),
            pacing: Pacing::Default,
            from_env: false,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_retries", &self.max_retries)
            .field("body_limit", &self.body_limit)
            .field("proxy", &self.proxy)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("ca_files", &self.ca_files)
            .field("system_roots", &self.system_roots)
            .field("events", &self.events)
            .field("pacing", &self.pacing)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API token, sent as `Authorization: Bearer <token>`. Required.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The API base URL; default `https://api.digitalocean.com`. A path prefix is kept.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The `User-Agent` header; default `droplet-action/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The longest one attempt may take, from connecting to the last byte of the body;
    /// default 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest connecting may take (DNS, TCP, TLS); default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How many times a failed request is sent again (connection errors, 408, 429, 5xx);
    /// default 2.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The bounds of the exponential backoff between retries (full jitter); default 200 ms
    /// doubling up to 5 s.
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_max = max;
        self
    }

    /// The longest `retry-after` honoured; a longer one ends the call with the error, which
    /// carries the wait asked for. Default 60 s.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// The largest body accepted, in bytes; default 4 MiB (the documented answer is under
    /// 1 KiB). Compressed bodies are never requested, so these are the bytes parsed.
    pub fn body_limit(mut self, bytes: u64) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Sends requests through this proxy (`http://`, `socks5://`, ...). No proxy is used
    /// unless one is set here or [`ClientBuilder::proxy_from_env`] is called; the last of
    /// the two called wins.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxyChoice::Url(url.into());
        self
    }

    /// Uses the proxy the environment names for the base URL, read at
    /// [`ClientBuilder::build`] as curl reads it: `https_proxy`, `HTTPS_PROXY`, `all_proxy`,
    /// `ALL_PROXY` (for plain `http`: `http_proxy`, `all_proxy`, `ALL_PROXY`), the first one
    /// set, unless `no_proxy` or `NO_PROXY` lists the host
    /// ([`droplet_action_model::proxy_from_env`] is the rule). A malformed proxy there fails
    /// the build, naming the variable. Replaces a proxy set with [`ClientBuilder::proxy`].
    pub fn proxy_from_env(mut self) -> Self {
        self.proxy = ProxyChoice::FromEnv;
        self
    }

    /// Connects directly, with no proxy (the default): undoes [`ClientBuilder::proxy`] and
    /// [`ClientBuilder::proxy_from_env`].
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxyChoice::None;
        self
    }

    /// Allows a plain `http://` base URL to a host that is not loopback. Off by default:
    /// the token would cross the network in clear text.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Trusts the certificate authorities of this PEM file too, beside the bundled Mozilla
    /// roots and the system's trust store (for a company proxy or a private CA). May be
    /// called more than once; the file is read by [`ClientBuilder::build`].
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_files.push(path.into());
        self
    }

    /// Whether the system's trust store (as `openssl` finds it, honouring `SSL_CERT_FILE`
    /// and `SSL_CERT_DIR`) is trusted beside the bundled Mozilla roots; default true.
    pub fn system_roots(mut self, use_system: bool) -> Self {
        self.system_roots = use_system;
        self
    }

    /// Sends every event at or above `max_level` to `hook` as well as to the `log` facade
    /// (target `droplet_action`): attempts, retries with their reason and pause,
    /// redirects, rate-limit pauses and the outcome, with the request id when there is one.
    /// The token and proxy credentials never appear in a message.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use droplet_action_transport::{Client, Level};
    ///
    /// let server = droplet_action_mock::MockServer::start()?;
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let sink = Arc::clone(&seen);
    /// let client = Client::builder()
    ///     .token("mock-token")
    ///     .base_url(server.base_url())
    ///     .log_hook(Arc::new(move |level, message: &str| {
    ///         sink.lock().unwrap().push(format!("{level}: {message}"))
    ///     }), Level::Debug)
    ///     .build()?;
    /// client.get(3164444, 36804636)?;
    /// let seen = seen.lock().unwrap();
    /// assert!(seen[0].starts_with("DEBUG: GET /v2/droplets/3164444/actions/36804636: attempt 1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn log_hook(mut self, hook: LogHook, max_level: Level) -> Self {
        self.events = Events::with_hook(hook, max_level);
        self
    }

    /// Paces every request of the client, from every thread, to at most `requests` a
    /// minute; it also spreads what remains of the hourly budget (from the `ratelimit-*`
    /// headers) over the time to its reset, and slows down when `429`s or a falling
    /// `ratelimit-remaining` show that others spend the same token. Waiting for a slot is
    /// part of a call's total time, not of one attempt's: a call with a per-call timeout
    /// (or a wait, with its deadline) whose slot is further away fails at once with
    /// [`Error::RateBudget`](crate::Error::RateBudget); a call without one waits for its
    /// slot, cancellably ([`droplet_action_model::budget_wait_allowed`] is the rule). The
    /// default is DigitalOcean's 250 for DigitalOcean's API and no pacing for any other
    /// base URL.
    pub fn requests_per_minute(mut self, requests: u32) -> Self {
        self.pacing = Pacing::PerMinute(requests);
        self
    }

    /// Back to the default pacing: DigitalOcean's 250 requests a minute for DigitalOcean's
    /// API, none for any other base URL.
    pub fn default_pacing(mut self) -> Self {
        self.pacing = Pacing::Default;
        self
    }

    /// Turns pacing off: requests go out as fast as they are made.
    pub fn no_pacing(mut self) -> Self {
        self.pacing = Pacing::Off;
        self
    }

    /// Paces the client's requests through `budget`, which other clients (of this process,
    /// or through a shared store, of others) may use too.
    pub fn budget(mut self, budget: Arc<dyn RequestBudget>) -> Self {
        self.pacing = Pacing::Shared(budget);
        self
    }

    /// Removes a hook set with [`ClientBuilder::log_hook`]; events still go to `log`.
    pub fn no_log_hook(mut self) -> Self {
        self.events = Events::default();
        self
    }

    /// Checks every setting and builds the client. Nothing is sent.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a missing or malformed token, a malformed base URL,
    /// `http://` to a remote host without [`ClientBuilder::allow_insecure_http`], a
    /// malformed proxy or user agent, or a zero timeout.
    pub fn build(self) -> Result<Client, Error> {
        let token = match &self.token {
            Some(token) => Token::new(token).map_err(Error::invalid)?,
            None if self.from_env => {
                return Err(Error::invalid(format!(
                    "no API token: set {} or {}",
                    TOKEN_ENV_VARS[0], TOKEN_ENV_VARS[1]
                )));
            }
            None => return Err(Error::invalid("no API token was given")),
        };
        let base_url = BaseUrl::parse(&self.base_url).map_err(Error::invalid)?;
        if !base_url.is_https() && !base_url.is_loopback() && !self.allow_insecure_http {
            return Err(Error::invalid(format!(
                "refusing plain http to {}: the token would travel unencrypted \
                 (use https, or allow insecure http explicitly)",
                base_url.host()
            )));
        }
        let user_agent = UserAgent::new(&self.user_agent)
            .map_err(Error::invalid)?
            .header()
            .clone();
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::invalid("timeouts must be greater than zero"));
        }
        let proxy = match &self.proxy {
            ProxyChoice::None => None,
            ProxyChoice::FromEnv => {
                match droplet_action_model::proxy_from_env(&base_url, |name| {
                    std::env::var(name).ok()
                }) {
                    Some(found) => Some(parse_proxy(&found.url).map_err(|error| match error {
                        Error::InvalidArgument { message } => {
                            Error::invalid(format!("{}: {message}", found.variable))
                        }
                        other => other,
                    })?),
                    None => None,
                }
            }
            ProxyChoice::Url(url) => Some(parse_proxy(url)?),
        };
        let root_certs = if base_url.is_https() || proxy.is_some() {
            tls::root_certs(self.system_roots, &self.ca_files)?
        } else {
            // Plain http to loopback: no certificate is ever checked, so none is loaded.
            ureq::tls::RootCerts::WebPki
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(self.timeout))
            .timeout_connect(Some(self.connect_timeout))
            .max_response_header_size(MAX_RESPONSE_HEADER_BYTES)
            .proxy(proxy)
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(root_certs)
                    .build(),
            )
            .build();
        let agent = Agents::new(config);
        let budget: Option<Arc<dyn RequestBudget>> = match &self.pacing {
            Pacing::Default if base_url.origin().eq_ignore_ascii_case(DEFAULT_BASE_URL) => {
                Some(Arc::new(LocalBudget::new(BudgetConfig::default())))
            }
            Pacing::Default | Pacing::Off => None,
            Pacing::PerMinute(0) => {
                return Err(Error::invalid("requests_per_minute must be at least 1"));
            }
            Pacing::PerMinute(n) => Some(Arc::new(LocalBudget::per_minute(*n))),
            Pacing::Shared(budget) => Some(Arc::clone(budget)),
        };
        let template = RequestTemplate::new(&base_url, &token, &user_agent);
        Ok(Client {
            inner: Arc::new(Inner {
                agent,
                template,
                origin: base_url.origin().to_owned(),
                base_url,
                token,
                user_agent,
                timeout: self.timeout,
                connect_timeout: self.connect_timeout,
                secret: self.token.clone().unwrap_or_default(),
                policy: RetryPolicy {
                    max_retries: self.max_retries,
                    backoff_base: self.backoff_base,
                    backoff_max: self.backoff_max,
                    max_retry_after: self.max_retry_after,
                },
                body_limit: self.body_limit,
                allow_insecure_http: self.allow_insecure_http,
                events: self.events.for_one_client(),
                budget,
            }),
        })
    }
}

/// Checks a proxy URL as [`ClientBuilder::proxy`] will: `http://`, `socks4://`,
/// `socks4a://`, `socks5://` or `socks5h://` with a host. The error never shows credentials.
///
/// ```
/// use droplet_action_transport::check_proxy;
/// assert!(check_proxy("socks5://127.0.0.1:1080").is_ok());
/// let error = check_proxy("gopher://user:hunter2@proxy:70").unwrap_err();
/// assert!(!error.to_string().contains("hunter2"));
/// ```
///
/// # Errors
/// [`Error::InvalidArgument`] saying what is wrong.
pub fn check_proxy(url: &str) -> Result<(), Error> {
    parse_proxy(url).map(drop)
}

/// The proxy kinds a client speaks.
const PROXY_SCHEMES: [&str; 5] = ["http", "socks4", "socks4a", "socks5", "socks5h"];

/// Checks a proxy URL: one of [`PROXY_SCHEMES`], a host, a port from 1 to 65535 if one is
/// given, nothing after the authority; the error never shows credentials.
pub(crate) fn parse_proxy(url: &str) -> Result<ureq::Proxy, Error> {
    let shown = redact_proxy_url(url);
    let fail = |reason: &str| Error::invalid(format!("invalid proxy {shown}: {reason}"));
    let uri: Uri = url.parse().map_err(|_| fail("not a valid URL"))?;
    let scheme = uri
        .scheme_str()
        .ok_or_else(|| fail("no scheme (http://, socks5://, ...)"))?;
    if !PROXY_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
        return Err(fail(
            "the scheme must be http, socks4, socks4a, socks5 or socks5h",
        ));
    }
    let authority = uri.authority().ok_or_else(|| fail("no host"))?;
    if authority.host().is_empty() {
        return Err(fail("no host"));
    }
    droplet_action_model::parse_port(authority.as_str()).map_err(fail)?;
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err(fail("a proxy URL has no path or query"));
    }
    ureq::Proxy::new(url).map_err(|e| {
        let reason = e.to_string().replace(url, &shown);
        fail(&reason)
    })
}

/// A client for Retrieve a Droplet Action.
///
/// Cheap to clone and safe to share between threads: clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    agent: Agents,
    template: Option<RequestTemplate>,
    base_url: BaseUrl,
    origin: String,
    token: Token,
    user_agent: HeaderValue,
    timeout: Duration,
    connect_timeout: Duration,
    policy: RetryPolicy,
    /// The token's text, to take out of anything a server echoes back.
    secret: String,
    body_limit: u64,
    allow_insecure_http: bool,
    events: Events,
    budget: Option<Arc<dyn RequestBudget>>,
}

/// Why [`Client::send_once`] brought back no answer.
#[derive(Debug)]
pub(crate) enum SendFailure {
    /// Nothing was sent: cancelled first, or no budget slot in time.
    Unsent(Error),
    /// The request was sent (or its sending began) and failed.
    Sent(Error),
}

use SendFailure::{Sent, Unsent};

/// A cancelled call's error, after `attempts` requests.
pub(crate) fn cancelled(attempts: u32) -> Error {
    Error::Cancelled {
        attempts,
        polls: 0,
        last: None,
        last_error: None,
    }
}

/// The client's HTTP agent, and a second one for a process forked from the one that built
/// it: a child process never sends on the connections it inherited, which its parent may be
/// using at the same moment (two processes on one socket cross their answers or hang).
struct Agents {
    agent: ureq::Agent,
    /// The process that built `agent`.
    pid: u32,
    /// The agent of a forked process (and that process's id), built on its first request.
    /// The inherited connections stay open in the child, unused, until the client is freed.
    forked: std::sync::Mutex<Option<(u32, ureq::Agent)>>,
}

impl Agents {
    fn new(config: ureq::config::Config) -> Self {
        Agents {
            agent: Self::build(config),
            pid: std::process::id(),
            forked: std::sync::Mutex::new(None),
        }
    }

    fn build(config: ureq::config::Config) -> ureq::Agent {
        ureq::Agent::with_parts(config, socket::connector(), CachingResolver::default())
    }

    /// The agent of the calling process.
    fn get(&self) -> std::borrow::Cow<'_, ureq::Agent> {
        let pid = std::process::id();
        if pid == self.pid {
            return std::borrow::Cow::Borrowed(&self.agent);
        }
        let mut forked = self.forked.lock().unwrap_or_else(|e| e.into_inner());
        match &*forked {
            Some((owner, agent)) if *owner == pid => std::borrow::Cow::Owned(agent.clone()),
            _ => {
                let agent = Self::build(self.agent.config().clone());
                *forked = Some((pid, agent.clone()));
                std::borrow::Cow::Owned(agent)
            }
        }
    }
}

/// What every request of a client shares, taken apart once from the request
/// [`ActionRequest::to_http`] makes: the base URL's scheme, authority and path, and the
/// headers. A request is then these parts and the ids, without formatting and parsing the
/// whole URL or building the headers again for every call.
struct RequestTemplate {
    scheme: Scheme,
    authority: Authority,
    /// The base URL's path, before `/v2/droplets/...` (empty for a bare origin).
    prefix: String,
    headers: HeaderMap,
}

/// The ids of the request the template is taken from: any valid ones do.
const TEMPLATE_IDS: (i64, i64) = (1, 1);

impl RequestTemplate {
    /// `None` if the request of `to_http` does not take apart as expected; the client then
    /// uses `to_http` for every request.
    fn new(base_url: &BaseUrl, token: &Token, user_agent: &HeaderValue) -> Option<Self> {
        let sample = action_request(TEMPLATE_IDS.0, TEMPLATE_IDS.1)
            .ok()?
            .to_http(base_url, token, user_agent);
        let uri = sample.uri();
        let path = uri.path_and_query()?.as_str();
        let prefix = path.strip_suffix(&Self::path_after_prefix(TEMPLATE_IDS.0, TEMPLATE_IDS.1))?;
        let template = Self {
            scheme: uri.scheme()?.clone(),
            authority: uri.authority()?.clone(),
            prefix: prefix.to_owned(),
            headers: sample.headers().clone(),
        };
        // Made from the template, the sample request is the same request.
        let remade = template.request(TEMPLATE_IDS.0, TEMPLATE_IDS.1)?;
        let same = remade.method() == sample.method()
            && remade.uri() == sample.uri()
            && remade.version() == sample.version()
            && remade.headers() == sample.headers();
        same.then_some(template)
    }

    fn path_after_prefix(droplet_id: i64, action_id: i64) -> String {
        let mut path = String::with_capacity(48);
        Self::push_path(&mut path, droplet_id, action_id);
        path
    }

    /// `/v2/droplets/{droplet_id}/actions/{action_id}`, as `ActionRequest::path` writes it.
    fn push_path(path: &mut String, droplet_id: i64, action_id: i64) {
        path.push_str("/v2/droplets/");
        push_decimal(path, droplet_id);
        path.push_str("/actions/");
        push_decimal(path, action_id);
    }

    /// The request for these ids: the same one `ActionRequest::to_http` makes.
    fn request(&self, droplet_id: i64, action_id: i64) -> Option<Request<()>> {
        let mut path = String::with_capacity(self.prefix.len() + 48);
        path.push_str(&self.prefix);
        Self::push_path(&mut path, droplet_id, action_id);
        let mut parts = ureq::http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(PathAndQuery::try_from(path).ok()?);
        let mut request = Request::new(());
        *request.method_mut() = ActionRequest::METHOD;
        *request.uri_mut() = Uri::from_parts(parts).ok()?;
        *request.headers_mut() = self.headers.clone();
        Some(request)
    }
}

/// Appends a number in decimal, as `Display` writes it.
fn push_decimal(text: &mut String, value: i64) {
    let mut digits = [0u8; 20];
    let mut left = value.unsigned_abs();
    let mut start = digits.len();
    loop {
        start -= 1;
        // A digit: always below 10.
        digits[start] = b'0' + (left % 10) as u8;
        left /= 10;
        if left == 0 {
            break;
        }
    }
    if value < 0 {
        text.push('-');
    }
    // ASCII digits: always UTF-8.
    text.push_str(std::str::from_utf8(&digits[start..]).unwrap_or_default());
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("token", &"<redacted>")
            .field("timeout", &self.inner.timeout)
            .field("max_retries", &self.inner.policy.max_retries)
            .field("body_limit", &self.inner.body_limit)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with the default settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A builder configured from the environment: the token from
    /// `DIGITALOCEAN_ACCESS_TOKEN`, else `DIGITALOCEAN_TOKEN`; the base URL from
    /// `DIGITALOCEAN_API_URL` when set.
    pub fn builder_from_env() -> ClientBuilder {
        let mut builder = ClientBuilder {
            from_env: true,
            ..ClientBuilder::default()
        };
        if let Some(token) = TOKEN_ENV_VARS
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        {
            builder = builder.token(token);
        }
        if let Some(url) = std::env::var(BASE_URL_ENV_VAR)
            .ok()
            .filter(|v| !v.is_empty())
        {
            builder = builder.base_url(url);
        }
        builder
    }

    /// A client configured from the environment (see [`Client::builder_from_env`]).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when no token is set or a setting is malformed.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder_from_env().build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.base_url.as_str()
    }

    /// Retrieves one action: `GET /v2/droplets/{droplet_id}/actions/{action_id}`.
    ///
    /// Connection failures, timeouts, 408, 429 and 5xx are retried up to the configured
    /// number of times, honouring `retry-after` (and, on a 429, the rate limit's reset).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an id below 1, before anything is sent; otherwise the
    /// error of the last attempt.
    pub fn get(&self, droplet_id: i64, action_id: i64) -> Result<ActionResponse, Error> {
        let request = action_request(droplet_id, action_id)?;
        self.execute(&request, None, None)
    }

    /// [`Client::get`] with per-call options: a cancel token, and a limit
    /// on the whole call, retries included.
    ///
    /// ```
    /// use std::time::Duration;
    /// use droplet_action_transport::{CallOptions, CancelToken, Client, Error};
    ///
    /// let server = droplet_action_mock::MockServer::start()?;
    /// let client = Client::builder().token("mock-token").base_url(server.base_url()).build()?;
    /// let token = CancelToken::new();
    /// token.cancel();
    /// let options = CallOptions::new().cancel(&token).timeout(Duration::from_secs(5));
    /// let error = client.get_with_options(3164444, 36804636, &options).unwrap_err();
    /// assert!(matches!(error, Error::Cancelled { attempts: 0, .. }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Client::get`], plus [`Error::Cancelled`]; when the overall
    /// timeout leaves no room for another attempt or pause, the last error.
    pub fn get_with_options(
        &self,
        droplet_id: i64,
        action_id: i64,
        options: &CallOptions,
    ) -> Result<ActionResponse, Error> {
        let request = action_request(droplet_id, action_id)?;
        let deadline = options
            .timeout
            .and_then(|timeout| deadline_after(Instant::now(), timeout));
        self.execute(&request, deadline, options.cancel.as_ref())
    }

    /// Changes the most verbose level the client's [`ClientBuilder::log_hook`] gets, for
    /// the events that follow, from every thread (`None`: none). Events sent through the
    /// `log` facade follow its own filter. No effect on a client without a hook.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use droplet_action_transport::{Client, Level};
    ///
    /// let server = droplet_action_mock::MockServer::start()?;
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let sink = Arc::clone(&seen);
    /// let client = Client::builder()
    ///     .token("mock-token")
    ///     .base_url(server.base_url())
    ///     .log_hook(Arc::new(move |level, _: &str| sink.lock().unwrap().push(level)), Level::Warn)
    ///     .build()?;
    /// client.get(3164444, 36804636)?;
    /// assert_eq!(seen.lock().unwrap().len(), 0);
    /// client.set_log_level(Some(Level::Debug));
    /// assert_eq!(client.log_level(), Some(Level::Debug));
    /// client.get(3164444, 36804636)?;
    /// assert_eq!(*seen.lock().unwrap(), [Level::Debug, Level::Debug]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_log_level(&self, max_level: Option<Level>) {
        self.inner.events.set_hook_level(max_level);
    }

    /// The most verbose level the client's log hook gets; `None` without a hook or with it
    /// turned off.
    pub fn log_level(&self) -> Option<Level> {
        self.inner.events.hook_level()
    }

    /// Where this client's events go.
    pub(crate) fn events(&self) -> &Events {
        &self.inner.events
    }

    /// The client's retry policy.
    pub(crate) fn policy(&self) -> RetryPolicy {
        self.inner.policy
    }

    /// One call with its retries; with a deadline, no attempt or pause goes past it.
    pub(crate) fn execute(
        &self,
        request: &ActionRequest,
        deadline: Option<Instant>,
        cancel: Option<&CancelToken>,
    ) -> Result<ActionResponse, Error> {
        let inner = &self.inner;
        let events = &inner.events;
        let _attached = cancel::Attached::new(cancel);
        let mut attempts = 0;
        loop {
            if deadline.is_some_and(|deadline| deadline <= Instant::now()) {
                return Err(Error::Timeout {
                    timeout: Duration::ZERO,
                    attempts,
                });
            }
            let time_left =
                deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
            let mut error = match self.send_once(
                request,
                attempts + 1,
                budget_wait_allowed(time_left),
                deadline,
                cancel,
            ) {
                Ok(answer) => return Ok(answer),
                Err(Unsent(error)) => return Err(error),
                Err(Sent(error)) => error,
            };
            attempts += 1;
            if cancel.is_some_and(CancelToken::is_cancelled) {
                return Err(cancelled(attempts));
            }
            let server_delay = error
                .details()
                .and_then(|d| d.meta.server_delay(jiff::Timestamp::now()));
            let advice = inner.policy.advise(
                attempts,
                error.is_retryable(),
                server_delay,
                fastrand::f64(),
            );
            let pause = match advice {
                RetryAdvice::RetryAfter(pause) if !passes(deadline, pause) => pause,
                RetryAdvice::RetryAfter(pause) => {
                    events.emit(
                        Level::Warn,
                        format_args!(
                            "{request}: giving up after {attempts} attempt(s): {error}; the next \
                             attempt in {pause:?} would pass the call's time limit"
                        ),
                    );
                    return Err(error);
                }
                RetryAdvice::WaitTooLong(asked) => {
                    events.emit(
                        Level::Warn,
                        format_args!(
                            "{}: giving up: {error}; the server asks to wait {asked:?}, \
                             more than the {:?} allowed{}",
                            request,
                            inner.policy.max_retry_after,
                            RequestIdSuffix(unshown_request_id(&error))
                        ),
                    );
                    return Err(error);
                }
                RetryAdvice::NotRetryable | RetryAdvice::RetriesExhausted => {
                    events.emit(
                        Level::Warn,
                        format_args!(
                            "{}: failed after {attempts} attempt(s): {error}{}",
                            request,
                            RequestIdSuffix(unshown_request_id(&error))
                        ),
                    );
                    return Err(error);
                }
            };
            error.set_attempts(attempts);
            events.emit(
                Level::Info,
                format_args!(
                    "{}: retrying in {pause:?} after attempt {attempts}: {error}{}",
                    request,
                    RequestIdSuffix(unshown_request_id(&error))
                ),
            );
            if cancel::sleep(pause, cancel).is_err() {
                return Err(cancelled(attempts));
            }
        }
    }

    /// One request, number `attempt` of its call: a slot of the request budget (waiting at
    /// most `allowed` for it, cancellably), the request, and what its answer teaches the
    /// budget. The answer's `attempts` is `attempt`. The token never leaves in a message.
    /// The caller has attached `cancel` to the thread.
    pub(crate) fn send_once(
        &self,
        request: &ActionRequest,
        attempt: u32,
        allowed: Duration,
        deadline: Option<Instant>,
        cancel: Option<&CancelToken>,
    ) -> Result<ActionResponse, SendFailure> {
        let inner = &self.inner;
        let events = &inner.events;
        if cancel.is_some_and(CancelToken::is_cancelled) {
            return Err(Unsent(cancelled(attempt - 1)));
        }
        let mut taken = None;
        if let Some(budget) = &inner.budget {
            // A budget that puts its slot further than allowed is held to it: the slot goes
            // back, and the call is refused as if the budget had refused it.
            let taken_or_needed = budget.try_take(allowed).and_then(|slot| {
                if slot.delay > allowed {
                    budget.give_back(&slot);
                    Err(slot.delay)
                } else {
                    Ok(slot)
                }
            });
            match taken_or_needed {
                Ok(slot) => {
                    if !slot.delay.is_zero() {
                        let delay = slot.delay;
                        events.emit(
                            Level::Debug,
                            format_args!("{request}: waiting {delay:?} for the request budget"),
                        );
                        if cancel::sleep(delay, cancel).is_err() {
                            // Nothing was sent: the slot goes back to the budget.
                            budget.give_back(&slot);
                            return Err(Unsent(cancelled(attempt - 1)));
                        }
                    }
                    taken = Some(slot);
                }
                Err(needed) => {
                    events.emit(
                        Level::Warn,
                        format_args!(
                            "{request}: the request budget has no slot for {needed:?}, \
                             longer than the {allowed:?} the call allows"
                        ),
                    );
                    return Err(Unsent(Error::RateBudget {
                        needed,
                        allowed,
                        attempts: attempt - 1,
                    }));
                }
            }
        }
        // The attempt's time: what is left once the budget's wait is over.
        let timeout = deadline.map_or(inner.timeout, |deadline| {
            deadline
                .saturating_duration_since(Instant::now())
                .min(inner.timeout)
                .max(Duration::from_millis(1))
        });
        events.emit(Level::Debug, format_args!("{request}: attempt {attempt}"));
        let mut unsent = false;
        let mut outcome = self.attempt(request, timeout, &mut unsent);
        if unsent
            && outcome.is_err()
            && let (Some(budget), Some(slot)) = (&inner.budget, &taken)
        {
            // The request never left (no connection): its slot goes back to the budget.
            budget.give_back(slot);
        }
        // A server (or a proxy before it) may echo the token back: it never leaves
        // through a message, an error id or a request id.
        if inner.secret.len() >= MIN_SCRUBBED_SECRET {
            match &mut outcome {
                Ok(answer) => {
                    if let Some(id) = &mut answer.meta.request_id
                        && id.contains(inner.secret.as_str())
                    {
                        *id = id.replace(inner.secret.as_str(), "<redacted>");
                    }
                }
                Err(error) => error.scrub(&inner.secret),
            }
        }
        if let Some(budget) = &inner.budget {
            match &outcome {
                Ok(answer) => budget.observe(&answer.meta),
                Err(error) => {
                    if let Some(details) = error.details() {
                        budget.observe(&details.meta);
                    }
                }
            }
        }
        match outcome {
            Ok(mut answer) => {
                answer.attempts = attempt;
                events.emit(
                    Level::Debug,
                    format_args!(
                        "{}: {} after {attempt} attempt(s){}",
                        request,
                        answer.meta.status,
                        RequestIdSuffix(answer.request_id())
                    ),
                );
                Ok(answer)
            }
            Err(mut error) => {
                if cancel.is_some_and(CancelToken::is_cancelled) {
                    return Err(Sent(cancelled(attempt)));
                }
                error.set_attempts(attempt);
                Err(Sent(error))
            }
        }
    }

    /// One request, following redirects; the token only goes to the base URL's origin.
    /// `unsent` is set when it failed before its request was written (no connection could
    /// be made), so that nothing reached the server.
    fn attempt(
        &self,
        request: &ActionRequest,
        timeout: Duration,
        unsent: &mut bool,
    ) -> Result<ActionResponse, Error> {
        let inner = &self.inner;
        let started = Instant::now();
        let mut http_request = inner
            .template
            .as_ref()
            .and_then(|t| t.request(request.droplet_id.get(), request.action_id.get()))
            .unwrap_or_else(|| request.to_http(&inner.base_url, &inner.token, &inner.user_agent));
        let agent = inner.agent.get();
        let mut redirects = 0;
        loop {
            // The agent's own timeout serves the common case; a shorter one (a wait's
            // deadline, or the time left after a redirect) is set on the request.
            let left = timeout.saturating_sub(started.elapsed());
            if timeout != inner.timeout || redirects > 0 {
                http_request = agent
                    .configure_request(http_request)
                    .timeout_global(Some(left.max(Duration::from_millis(1))))
                    .build();
            }
            let response = agent.run(http_request).map_err(|e| {
                *unsent = redirects == 0 && before_write(&e);
                map_ureq_error(e, timeout, inner.connect_timeout)
            })?;
            if response.status().is_redirection()
                && redirects < MAX_REDIRECTS
                && let Some(next) = self.redirected(request, response.get_uri(), &response)?
            {
                redirects += 1;
                http_request = next;
                continue;
            }
            return self.read_answer(response, timeout);
        }
    }

    /// The request to send after a redirect, or `None` when the answer has no `Location`.
    fn redirected(
        &self,
        request: &ActionRequest,
        previous: &Uri,
        response: &Response<ureq::Body>,
    ) -> Result<Option<Request<()>>, Error> {
        let Some(location) = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
        else {
            return Ok(None);
        };
        let target = if location.starts_with('/') {
            let origin = format!(
                "{}://{}",
                previous.scheme_str().unwrap_or("https"),
                previous.authority().map(|a| a.as_str()).unwrap_or_default()
            );
            format!("{origin}{location}")
        } else {
            location.to_owned()
        };
        let uri: Uri = target.parse().map_err(|_| Error::Transport {
            message: format!(
                "the server redirected to an invalid location {:?}",
                redact_url(location)
            ),
            attempts: 0,
            retryable: false,
        })?;
        let inner = &self.inner;
        let refuse = |why: &str| Error::Transport {
            message: format!(
                "refusing to follow a redirect to {}: {why}",
                redact_url(&uri.to_string())
            ),
            attempts: 0,
            retryable: false,
        };
        let to_https = uri.scheme_str() == Some("https");
        if previous.scheme_str() == Some("https") && !to_https {
            return Err(refuse("it leaves https for plain http"));
        }
        if !to_https {
            let host = uri.host().unwrap_or_default();
            let plain_ok = inner.allow_insecure_http || is_loopback_host(host);
            if !plain_ok {
                return Err(refuse(
                    "plain http to a host that is not loopback (allow insecure http explicitly)",
                ));
            }
        }
        inner.events.emit(
            Level::Debug,
            format_args!(
                "{}: redirected to {}",
                request,
                redact_url(&uri.to_string())
            ),
        );
        let same_origin = match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(authority)) => {
                let origin = format!("{scheme}://{authority}");
                origin.eq_ignore_ascii_case(&self.inner.origin)
            }
            _ => false,
        };
        // The same request as the first one, headers and all, sent to the new location;
        // the token stays behind when that location is another origin.
        let mut next = request.to_http(&inner.base_url, &inner.token, &inner.user_agent);
        *next.uri_mut() = uri;
        if !same_origin {
            next.headers_mut().remove(header::AUTHORIZATION);
        }
        Ok(Some(next))
    }

    fn read_answer(
        &self,
        response: Response<ureq::Body>,
        timeout: Duration,
    ) -> Result<ActionResponse, Error> {
        let limit = self.inner.body_limit;
        let (parts, body) = response.into_parts();
        let status = parts.status.as_u16();
        // The body goes into one buffer of the announced size (the documented answer is
        // one read), not one grown by doubling from empty.
        let announced = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        // One byte more than announced: reading to the end then needs no second buffer
        // for its last, empty read, and a C result can keep this buffer and put its NUL
        // after the body without moving it.
        let capacity = announced
            .map_or(INITIAL_BODY_CAPACITY, |length| length.saturating_add(1))
            .min(limit.saturating_add(1))
            .min(MAX_PRESIZE);
        let mut buffer = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        let body = body
            .into_with_config()
            .limit(limit)
            .reader()
            .read_to_end(&mut buffer)
            .map(|_| buffer)
            .map_err(|error| match ureq::Error::from(error) {
                ureq::Error::BodyExceedsLimit(_) => Error::BodyTooLarge {
                    limit,
                    details: Box::new(ResponseDetails {
                        meta: ResponseMeta::new(status, &parts.headers),
                        attempts: 0,
                        body: Vec::new(),
                    }),
                },
                other => map_ureq_error(other, timeout, self.inner.connect_timeout),
            })?;
        response_from_parts(status, &parts.headers, body)
    }
}

/// Classifies one HTTP answer exactly as [`Client::get`] does once it has
/// read it: the action, or the API, decode error. For callers that do their own I/O;
/// `attempts` is 0 in what it returns.
///
/// ```
/// use droplet_action_transport::{Error, response_from_parts};
/// let headers = http::HeaderMap::new();
/// let body = br#"{"id":"not_found","message":"The resource you were accessing could not be found."}"#;
/// let error = response_from_parts(404, &headers, body.to_vec()).unwrap_err();
/// assert!(matches!(error, Error::Api { .. }));
/// assert_eq!(error.status(), Some(404));
/// ```
///
/// # Errors
/// [`Error::Api`] for an error status, [`Error::Decode`] for a success status whose body
/// is not an action.
pub fn response_from_parts(
    status: u16,
    headers: &http::HeaderMap,
    body: Vec<u8>,
) -> Result<ActionResponse, Error> {
    match classify(status, headers, body) {
        Ok(answer) => {
            let (action, meta, body) = answer.into_parts();
            Ok(ActionResponse {
                action,
                meta,
                attempts: 0,
                polls: 0,
                body,
            })
        }
        Err(ErrorResponse { error, meta, body }) => {
            let details = Box::new(ResponseDetails {
                meta,
                attempts: 0,
                body,
            });
            Err(match error {
                ResponseError::Api(error) => Error::Api { error, details },
                ResponseError::Decode(error) => Error::Decode { error, details },
            })
        }
    }
}

pub(crate) fn action_request(droplet_id: i64, action_id: i64) -> Result<ActionRequest, Error> {
    Ok(ActionRequest::new(
        DropletId::new(droplet_id).map_err(Error::invalid)?,
        ActionId::new(action_id).map_err(Error::invalid)?,
    ))
}

/// The request id of an error when its message does not show it already.
fn unshown_request_id(error: &Error) -> Option<&str> {
    match error {
        Error::Api { .. } => None,
        other => other.request_id(),
    }
}

/// Whether a URL host is `localhost` or a loopback address.
fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `error` came before anything of the request was written: no name, no
/// connection, no TLS session.
fn before_write(error: &ureq::Error) -> bool {
    match error {
        ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect)
        | ureq::Error::ConnectionFailed
        | ureq::Error::HostNotFound
        | ureq::Error::Tls(_) => true,
        ureq::Error::Io(io) => io.kind() == io::ErrorKind::ConnectionRefused,
        _ => false,
    }
}

fn map_ureq_error(error: ureq::Error, timeout: Duration, connect: Duration) -> Error {
    let (message, retryable) = match error {
        // The connect timeout is the limit that ran out when it is the shorter one.
        ureq::Error::Timeout(ureq::Timeout::Connect) => {
            return Error::Timeout {
                timeout: timeout.min(connect),
                attempts: 0,
            };
        }
        ureq::Error::Timeout(_) => {
            return Error::Timeout {
                timeout,
                attempts: 0,
            };
        }
        ureq::Error::Io(ref io) if io.kind() == io::ErrorKind::TimedOut => {
            return Error::Timeout {
                timeout,
                attempts: 0,
            };
        }
        // rustls reports a failed handshake or a corrupt record as invalid data: the peer
        // does not speak TLS as it should, and asking again will not change that.
        ureq::Error::Io(io) if io.kind() == io::ErrorKind::InvalidData => {
            (format!("TLS failed: {io}"), false)
        }
        ureq::Error::Io(io) => (format!("connection failed: {io}"), true),
        ureq::Error::ConnectionFailed => ("connection failed".to_owned(), true),
        ureq::Error::HostNotFound => ("the host name was not found".to_owned(), false),
        ureq::Error::Tls(reason) => (format!("TLS failed: {reason}"), false),
        ureq::Error::Protocol(e) => (format!("the answer is not valid HTTP: {e}"), true),
        other => (other.to_string(), false),
    };
    Error::Transport {
        message,
        attempts: 0,
        retryable,
    }
}

#[cfg(test)]
mod tests {
    use super::{Client, action_request, push_decimal};

    #[test]
    fn the_request_template_makes_the_request_to_http_makes() {
        let bases = [
            "https://api.digitalocean.com",
            "https://API.DigitalOcean.com/",
            "http://127.0.0.1:8080",
            "http://[::1]:9000/prefix",
            "https://example.com/a/b/",
            "http://localhost",
        ];
        for base in bases {
            let client = Client::builder()
                .token("dop_v1_template")
                .base_url(base)
                .user_agent("template-test/1.0")
                .build()
                .unwrap();
            let inner = &client.inner;
            let template = inner.template.as_ref().expect(base);
            for (droplet_id, action_id) in [(1, 1), (3164444, 36804636), (i64::MAX, 10), (9, 99)] {
                let expected = action_request(droplet_id, action_id).unwrap().to_http(
                    &inner.base_url,
                    &inner.token,
                    &inner.user_agent,
                );
                let made = template.request(droplet_id, action_id).unwrap();
                assert_eq!(made.method(), expected.method(), "{base}");
                assert_eq!(made.uri(), expected.uri(), "{base}");
                assert_eq!(made.uri().to_string(), expected.uri().to_string(), "{base}");
                assert_eq!(made.version(), expected.version(), "{base}");
                let headers = |r: &ureq::http::Request<()>| {
                    r.headers()
                        .iter()
                        .map(|(name, value)| (name.clone(), value.clone()))
                        .collect::<Vec<_>>()
                };
                assert_eq!(headers(&made), headers(&expected), "{base}");
            }
        }
    }

    #[test]
    fn decimals_are_written_as_display_writes_them() {
        for value in [
            0,
            1,
            9,
            10,
            99,
            100,
            3164444,
            36804636,
            i64::MAX,
            -1,
            -10,
            i64::MIN,
        ] {
            let mut text = String::from("x");
            push_decimal(&mut text, value);
            assert_eq!(text, format!("x{value}"));
        }
    }

    fn paced(base_url: &str) -> bool {
        let client = Client::builder()
            .token("t")
            .base_url(base_url)
            .build()
            .unwrap();
        client.inner.budget.is_some()
    }

    #[test]
    fn only_digitaloceans_api_is_paced_by_default() {
        assert!(paced("https://api.digitalocean.com"));
        assert!(paced("https://API.digitalocean.com/"));
        assert!(!paced("http://127.0.0.1:8080"));
        assert!(!paced("https://proxy.example.com"));
        let explicit = Client::builder()
            .token("t")
            .base_url("http://127.0.0.1:8080")
            .requests_per_minute(100)
            .build()
            .unwrap();
        assert!(explicit.inner.budget.is_some());
        let off = Client::builder().token("t").no_pacing().build().unwrap();
        assert!(off.inner.budget.is_none());
    }
}
