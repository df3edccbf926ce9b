//! From an HTTP answer (status, headers, body bytes) to an action or a typed error.

use std::fmt;
use std::time::Duration;

use http::{HeaderMap, StatusCode};
use serde::Deserialize;

use crate::headers::request_id_from_headers;
use crate::object::Object;
use crate::{Action, RateLimit, RetryAfter};

/// The most header fields an answer may carry. The transport's HTTP stack (ureq) reads no
/// more than this many, and the sans-IO parse refuses more.
pub const MAX_RESPONSE_HEADERS: usize = 128;

/// The most bytes an answer's header fields may take, names and values with their `: ` and
/// line ends. The transport reads no more than this, and the sans-IO parse refuses more.
pub const MAX_RESPONSE_HEADER_BYTES: usize = 64 * 1024;

/// What every answer carries besides its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseMeta {
    /// The HTTP status code.
    pub status: u16,
    /// The `ratelimit-*` headers, when all three are present.
    pub rate_limit: Option<RateLimit>,
    /// The `x-request-id` header.
    pub request_id: Option<String>,
    /// The `retry-after` header, when present and well formed.
    pub retry_after: Option<RetryAfter>,
}

impl ResponseMeta {
    /// Reads the metadata of an answer.
    pub fn new(status: u16, headers: &HeaderMap) -> Self {
        Self {
            status,
            rate_limit: RateLimit::from_headers(headers),
            request_id: request_id_from_headers(headers),
            retry_after: RetryAfter::from_headers(headers),
        }
    }

    /// How long the server asked the client to wait before the next request, counted from
    /// `now`: `retry-after` when present; else, for a 429 whose rate limit is spent, the
    /// time until `ratelimit-reset`. `None` when the server asked for nothing.
    ///
    /// ```
    /// use std::time::Duration;
    /// use droplet_action_model::ResponseMeta;
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("ratelimit-limit", "5000".parse()?);
    /// headers.insert("ratelimit-remaining", "0".parse()?);
    /// headers.insert("ratelimit-reset", "1700000090".parse()?);
    /// let meta = ResponseMeta::new(429, &headers);
    /// let now = jiff::Timestamp::from_second(1700000000)?;
    /// assert_eq!(meta.server_delay(now), Some(Duration::from_secs(90)));
    /// headers.insert("retry-after", "7".parse()?);
    /// assert_eq!(ResponseMeta::new(429, &headers).server_delay(now), Some(Duration::from_secs(7)));
    /// assert_eq!(ResponseMeta::new(503, &http::HeaderMap::new()).server_delay(now), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn server_delay(&self, now: jiff::Timestamp) -> Option<Duration> {
        if let Some(after) = self.retry_after {
            return Some(after.delay_from(now));
        }
        match self.rate_limit {
            Some(limit) if self.status == 429 && limit.remaining <= 0 => {
                Some(limit.delay_until_reset(now))
            }
            _ => None,
        }
    }
}

/// A successful answer: the action, the metadata, and the body exactly as received (which
/// also holds any field this library does not know).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionResponse {
    /// The parsed action.
    pub action: Action,
    /// Status, rate limit and request id.
    pub meta: ResponseMeta,
    body: Vec<u8>,
}

impl ActionResponse {
    /// The body as received.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Takes the body out, leaving the rest.
    pub fn into_parts(self) -> (Action, ResponseMeta, Vec<u8>) {
        (self.action, self.meta, self.body)
    }
}

/// An answer that did not carry an action, with its metadata and body as received.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct ErrorResponse {
    /// What went wrong.
    pub error: ResponseError,
    /// Status, rate limit, request id and `retry-after`.
    pub meta: ResponseMeta,
    /// The body as received.
    pub body: Vec<u8>,
}

/// Why an answer did not carry an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// The API answered with an error status.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A success status whose body is not a valid action answer.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// An error answer from the API: `{"id", "message", "request_id"}` plus the status, or the
/// status alone when the body is not a JSON error object (an HTML page from a proxy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status code.
    pub status: u16,
    /// The API's error id (`"not_found"`, `"unauthorized"`, ...).
    pub id: Option<String>,
    /// The API's message.
    pub message: Option<String>,
    /// The request id from the body, else from `x-request-id`.
    pub request_id: Option<String>,
}

impl std::error::Error for ApiError {}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(reason) = StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
        {
            write!(f, " {reason}")?;
        }
        match (&self.id, &self.message) {
            (None, None) => f.write_str(" (the body is not a JSON error object)")?,
            (id, message) => {
                if let Some(id) = id {
                    write!(f, ": {id}")?;
                }
                if let Some(message) = message {
                    write!(f, ": {message}")?;
                }
            }
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " (request id {request_id})")?;
        }
        Ok(())
    }
}

/// A body that is not a valid `{"action": {...}}` answer: what was wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid action answer{}: {message} at line {line}, column {column}", path_suffix(.path))]
pub struct DecodeError {
    /// What was wrong, as the JSON parser says it.
    pub message: String,
    /// Where in the document (`action.started_at`), when known.
    pub path: Option<String>,
    /// The 1-based line of the error (0 for an empty body).
    pub line: usize,
    /// The column of the error.
    pub column: usize,
}

fn path_suffix(path: &Option<String>) -> String {
    match path {
        Some(path) => format!(" at `{path}`"),
        None => String::new(),
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(deserialize_with = "crate::object::required")]
    action: Action,
}

#[derive(Deserialize)]
struct ErrorBody {
    id: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
}

/// Parses a `{"action": {...}}` body. Unknown fields are ignored at every level.
///
/// ```
/// use droplet_action_model::{parse_action, ActionStatus, DOCUMENTED_ACTION_JSON};
/// let action = parse_action(DOCUMENTED_ACTION_JSON.as_bytes()).unwrap();
/// assert_eq!(action.status, Some(ActionStatus::Completed));
/// let error = parse_action(br#"{"action": {"id": "7"}}"#).unwrap_err();
/// assert_eq!(error.path.as_deref(), Some("action.id"));
/// ```
///
/// # Errors
/// [`DecodeError`] when the body is not JSON, has no `action` object, or a field has the
/// wrong type.
pub fn parse_action(body: &[u8]) -> Result<Action, DecodeError> {
    // Checking the whole body as UTF-8 at once is much cheaper than serde_json checking
    // every string on its own when it reads bytes; when the body is not UTF-8, or does not
    // parse, the byte parser runs instead and reports the error exactly as it always has.
    if let Ok(text) = std::str::from_utf8(body)
        && let Ok(envelope) = serde_json::from_str::<Object<Envelope>>(text)
    {
        return Ok(envelope.0.action);
    }
    match serde_json::from_slice::<Object<Envelope>>(body) {
        Ok(envelope) => Ok(envelope.0.action),
        // The failure path parses again to learn where it failed, so the hot path does not
        // pay for tracking it.
        Err(error) => Err(describe_failure(body, error)),
    }
}

fn describe_failure(body: &[u8], error: serde_json::Error) -> DecodeError {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let path = match serde_path_to_error::deserialize::<_, Object<Envelope>>(&mut deserializer) {
        Err(tracked) => {
            let path = tracked.path().to_string();
            (path != ".").then_some(path)
        }
        Ok(_) => None,
    };
    DecodeError {
        message: strip_position(&error),
        path,
        line: error.line(),
        column: error.column(),
    }
}

/// serde_json appends " at line L column C" to its messages; the position is kept apart.
fn strip_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Classifies an answer to Retrieve a Droplet Action.
///
/// A 2xx status must carry a valid action; any other status is an [`ApiError`], with the
/// body's `id`, `message` and `request_id` when it is a JSON error object.
///
/// ```
/// use droplet_action_model::{classify, ResponseError};
/// let headers = http::HeaderMap::new();
/// let body = br#"{"id":"not_found","message":"The resource you requested could not be found."}"#;
/// let answer = classify(404, &headers, body.to_vec()).unwrap_err();
/// match answer.error {
///     ResponseError::Api(api) => {
///         assert_eq!(api.status, 404);
///         assert_eq!(api.id.as_deref(), Some("not_found"));
///     }
///     other => panic!("unexpected {other:?}"),
/// }
/// ```
///
/// # Errors
/// An [`ErrorResponse`] holding the [`ResponseError`], the metadata and the body.
#[expect(
    clippy::result_large_err,
    reason = "an error answer carries its body and metadata by value, like a success does"
)]
pub fn classify(
    status: u16,
    headers: &HeaderMap,
    body: Vec<u8>,
) -> Result<ActionResponse, ErrorResponse> {
    let meta = ResponseMeta::new(status, headers);
    if (200..300).contains(&status) {
        return match parse_action(&body) {
            Ok(action) => Ok(ActionResponse { action, meta, body }),
            Err(decode) => Err(ErrorResponse {
                error: decode.into(),
                meta,
                body,
            }),
        };
    }
    let parsed = serde_json::from_slice::<ErrorBody>(&body).ok();
    let (id, message, body_request_id) = match parsed {
        Some(e) => (e.id, e.message, e.request_id),
        None => (None, None, None),
    };
    let api = ApiError {
        status,
        id,
        message,
        request_id: body_request_id.or_else(|| meta.request_id.clone()),
    };
    Err(ErrorResponse {
        error: api.into(),
        meta,
        body,
    })
}
