//! The settings of a client, their defaults, how it paces its requests, and building it.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use droplet_action_model::{
    BaseUrl, BudgetConfig, DEFAULT_BASE_URL, DEFAULTS, MAX_RESPONSE_HEADER_BYTES, RetryPolicy,
    Token, UserAgent, redact_proxy_url,
};

use crate::budget::{LocalBudget, RequestBudget};
use crate::client::{Agents, Client, Inner};
use crate::events::{Events, Level, LogHook};
use crate::proxy::parse_proxy;
use crate::template::RequestTemplate;
use crate::{Error, tls};

/// The environment variables read by [`Client::from_env`], in order of preference.
pub const TOKEN_ENV_VARS: [&str; 2] = ["DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_TOKEN"];
/// The environment variable that overrides the base URL in [`Client::from_env`].
pub const BASE_URL_ENV_VAR: &str = "DIGITALOCEAN_API_URL";

/// The `User-Agent` sent unless another is set.
pub const DEFAULT_USER_AGENT: &str = concat!("droplet-action/", env!("CARGO_PKG_VERSION"));

/// The body limit a client has unless another is set: 4 MiB.
pub const DEFAULT_BODY_LIMIT: u64 = DEFAULTS.body_limit;

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
    pub(crate) from_env: bool,
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
