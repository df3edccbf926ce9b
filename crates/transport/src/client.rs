//! The client: its shared parts, its constructors and its calls.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use droplet_action_model::{ActionId, ActionRequest, BaseUrl, DropletId, RetryPolicy, Token};
use ureq::http::HeaderValue;

use crate::budget::RequestBudget;
use crate::builder::{BASE_URL_ENV_VAR, ClientBuilder, TOKEN_ENV_VARS};
use crate::events::{Events, Level};
use crate::options::deadline_after;
use crate::resolver::CachingResolver;
use crate::template::RequestTemplate;
use crate::{ActionResponse, CallOptions, Error, socket};

/// A client for Retrieve a Droplet Action.
///
/// Cheap to clone and safe to share between threads: clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) agent: Agents,
    pub(crate) template: Option<RequestTemplate>,
    pub(crate) base_url: BaseUrl,
    pub(crate) origin: String,
    pub(crate) token: Token,
    pub(crate) user_agent: HeaderValue,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) policy: RetryPolicy,
    /// The token's text, to take out of anything a server echoes back.
    pub(crate) secret: String,
    pub(crate) body_limit: u64,
    pub(crate) allow_insecure_http: bool,
    pub(crate) events: Events,
    pub(crate) budget: Option<Arc<dyn RequestBudget>>,
}

/// The client's HTTP agent, and a second one for a process forked from the one that built
/// it: a child process never sends on the connections it inherited, which its parent may be
/// using at the same moment (two processes on one socket cross their answers or hang).
pub(crate) struct Agents {
    agent: ureq::Agent,
    /// The process that built `agent`.
    pid: u32,
    /// The agent of a forked process (and that process's id), built on its first request.
    /// The inherited connections stay open in the child, unused, until the client is freed.
    forked: std::sync::Mutex<Option<(u32, ureq::Agent)>>,
}

impl Agents {
    pub(crate) fn new(config: ureq::config::Config) -> Self {
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
    pub(crate) fn get(&self) -> std::borrow::Cow<'_, ureq::Agent> {
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
        let mut builder = ClientBuilder::default();
        builder.from_env = true;
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
}

pub(crate) fn action_request(droplet_id: i64, action_id: i64) -> Result<ActionRequest, Error> {
    Ok(ActionRequest::new(
        DropletId::new(droplet_id).map_err(Error::invalid)?,
        ActionId::new(action_id).map_err(Error::invalid)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::Client;

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
