//! What a server has answered, for tests in this process ([`MockServer::stats`]) and in
//! others (`GET /__mock/stats`).
//!
//! [`MockServer::stats`]: crate::MockServer::stats

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// The path that answers [`Stats`] as JSON, with any token or none. The API has no such path;
/// requests to it are not counted, recorded or rate limited.
///
/// ```
/// use droplet_action_mock::{MockServer, STATS_PATH};
/// use std::io::{Read, Write};
///
/// let server = MockServer::start()?;
/// let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port()))?;
/// write!(stream, "GET {STATS_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
/// let mut answer = String::new();
/// stream.read_to_string(&mut answer)?;
/// assert!(answer.ends_with(r#"{"requests":0,"tokens":{},"too_many_requests":0}"#));
/// # Ok::<(), std::io::Error>(())
/// ```
pub const STATS_PATH: &str = "/__mock/stats";

/// Counters of the API listener since the server started.
///
/// `requests` counts every request to the API (any path but [`STATS_PATH`], any method,
/// any token or none); `too_many_requests` every 429 answered, by the rate limit or by
/// [`scenario::TOO_MANY_REQUESTS_ONCE`](crate::scenario::TOO_MANY_REQUESTS_ONCE). `tokens`
/// splits both by the bearer token the request presented, accepted or not; requests without
/// one are only in the totals.
///
/// ```
/// use droplet_action_mock::{Stats, TokenStats};
///
/// let text = r#"{"requests":3,"too_many_requests":1,
///                "tokens":{"mock-token":{"requests":2,"too_many_requests":1}}}"#;
/// let stats = Stats::from_json(text).unwrap();
/// assert_eq!(stats.requests, 3);
/// assert_eq!(
///     stats.tokens["mock-token"],
///     TokenStats { requests: 2, too_many_requests: 1 }
/// );
/// assert_eq!(Stats::from_json(&stats.to_json()), Some(stats));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests received.
    pub requests: u64,
    /// 429 answers sent.
    pub too_many_requests: u64,
    /// The same two counters per bearer token presented.
    pub tokens: BTreeMap<String, TokenStats>,
}

/// The counters of one bearer token, in [`Stats::tokens`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenStats {
    /// Requests received with this token.
    pub requests: u64,
    /// 429 answers sent to requests with this token.
    pub too_many_requests: u64,
}

impl Stats {
    /// The JSON that [`STATS_PATH`] answers:
    /// `{"requests":N,"too_many_requests":N,"tokens":{"TOKEN":{"requests":N,"too_many_requests":N}}}`.
    pub fn to_json(&self) -> String {
        let tokens: serde_json::Map<String, Value> = self
            .tokens
            .iter()
            .map(|(token, counters)| {
                (
                    token.clone(),
                    json!({
                        "requests": counters.requests,
                        "too_many_requests": counters.too_many_requests,
                    }),
                )
            })
            .collect();
        json!({
            "requests": self.requests,
            "too_many_requests": self.too_many_requests,
            "tokens": tokens,
        })
        .to_string()
    }

    /// Reads what [`Stats::to_json`] wrote; `None` if `text` is not that shape.
    pub fn from_json(text: &str) -> Option<Stats> {
        let value: Value = serde_json::from_str(text).ok()?;
        let tokens = value
            .get("tokens")?
            .as_object()?
            .iter()
            .map(|(token, counters)| Some((token.clone(), token_stats(counters)?)))
            .collect::<Option<BTreeMap<_, _>>>()?;
        Some(Stats {
            requests: value.get("requests")?.as_u64()?,
            too_many_requests: value.get("too_many_requests")?.as_u64()?,
            tokens,
        })
    }

    /// Counts one request presenting `token`.
    pub(crate) fn count_request(&mut self, token: Option<&str>) {
        self.requests += 1;
        if let Some(token) = token {
            self.tokens.entry(token.to_owned()).or_default().requests += 1;
        }
    }

    /// Counts one 429 answered to a request presenting `token`.
    pub(crate) fn count_too_many(&mut self, token: Option<&str>) {
        self.too_many_requests += 1;
        if let Some(token) = token {
            self.tokens
                .entry(token.to_owned())
                .or_default()
                .too_many_requests += 1;
        }
    }
}

fn token_stats(value: &Value) -> Option<TokenStats> {
    Some(TokenStats {
        requests: value.get("requests")?.as_u64()?,
        too_many_requests: value.get("too_many_requests")?.as_u64()?,
    })
}
