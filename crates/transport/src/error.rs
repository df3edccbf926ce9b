//! The one error type of the client.

use std::time::Duration;

use droplet_action_model::{ApiError, DecodeError, RateLimit, ResponseMeta};

use crate::ActionResponse;

/// What came back with an answer that was not a usable action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseDetails {
    /// Status, rate limit, request id and `retry-after`.
    pub meta: ResponseMeta,
    /// How many requests were sent.
    pub attempts: u32,
    /// The body as received (empty when it was too large to keep).
    pub body: Vec<u8>,
}

/// Everything that can go wrong when retrieving or waiting for an action.
///
/// Messages never contain the API token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was rejected before any request was sent: an id below 1, a malformed
    /// base URL, an empty token, plain `http` to a remote host.
    #[error("invalid argument: {message}")]
    InvalidArgument {
        /// What was wrong.
        message: String,
    },
    /// No answer: the host was not found, the connection was refused or reset, TLS failed,
    /// or the answer was not valid HTTP.
    #[error("transport error after {attempts} attempt(s): {message}")]
    Transport {
        /// What failed.
        message: String,
        /// How many requests were sent.
        attempts: u32,
        /// Whether the failure was on the connection and worth another attempt.
        retryable: bool,
    },
    /// An attempt took longer than the timeout.
    #[error("no complete answer within {timeout:?} (attempt {attempts})")]
    Timeout {
        /// The time allowed.
        timeout: Duration,
        /// How many requests were sent.
        attempts: u32,
    },
    /// The API answered with an error status.
    #[error("{error}")]
    Api {
        /// Status, error id, message and request id.
        error: ApiError,
        /// What else came with the answer.
        details: Box<ResponseDetails>,
    },
    /// A success status whose body is not a valid action answer.
    #[error("{error}")]
    Decode {
        /// What was wrong, and where.
        error: DecodeError,
        /// What else came with the answer.
        details: Box<ResponseDetails>,
    },
    /// The body was larger than the configured cap.
    #[error("the answer body is larger than the {limit}-byte limit")]
    BodyTooLarge {
        /// The cap, in bytes.
        limit: u64,
        /// What else came with the answer (the body is not kept).
        details: Box<ResponseDetails>,
    },
    /// Waiting ended because the action finished as `errored`.
    #[error("action {} ended with status errored", .answer.action.id.unwrap_or_default())]
    ActionErrored {
        /// The answer that reported it.
        answer: Box<ActionResponse>,
    },
    /// The client's request budget had no slot within the time the call allows: nothing
    /// more was sent.
    #[error(
        "the request budget has no slot for {needed:?}, longer than the {allowed:?} the call allows (after {attempts} attempt(s))"
    )]
    RateBudget {
        /// How long the next slot is away.
        needed: Duration,
        /// How long the call could still wait.
        allowed: Duration,
        /// How many requests were sent before.
        attempts: u32,
    },
    /// The call was cancelled through its [`CancelToken`](crate::CancelToken).
    #[error("the call was cancelled after {attempts} attempt(s)")]
    Cancelled {
        /// How many requests were sent (by a wait: in all its polls).
        attempts: u32,
        /// How many polls a wait made (0 for a get).
        polls: u32,
        /// The last state a wait saw, if any answer came.
        last: Option<Box<ActionResponse>>,
        /// A wait's last failure, if its last request failed.
        last_error: Option<Box<Error>>,
    },
    /// A wait saw the rate limit spent (`ratelimit-remaining: 0`) while the action ran,
    /// and the limit resets after the wait's deadline or after the longest pause the client
    /// honours: asking again before then would only be refused. `last` holds the answer,
    /// with its rate limit (`ratelimit-reset`).
    #[error(
        "the rate limit is spent and resets in {reset_in:?}, past the wait's deadline or \
         longest pause{}",
        last_status(.last)
    )]
    RateLimited {
        /// How long until the limit resets.
        reset_in: Duration,
        /// How many polls the wait made.
        polls: u32,
        /// How many requests it sent.
        requests: u32,
        /// The last state seen: the answer that showed the spent limit.
        last: Option<Box<ActionResponse>>,
    },
    /// A wait ended because of `error` (an answer no retry cures, such as 401 or 404, a
    /// server's pause past the deadline, or no budget slot in time), with what the wait
    /// had seen by then. Its message is `error`'s; [`Error::cause`] gives `error`.
    #[error("{error}")]
    WaitEnded {
        /// What ended the wait.
        error: Box<Error>,
        /// How many polls the wait made.
        polls: u32,
        /// How many requests it sent.
        requests: u32,
        /// The last state seen, if any answer came.
        last: Option<Box<ActionResponse>>,
    },
    /// Waiting ended because the deadline passed before the action finished.
    #[error("the action did not finish within {waited:?}{}", last_status(.last))]
    DeadlineExceeded {
        /// How long the wait lasted.
        waited: Duration,
        /// How many polls the wait made.
        polls: u32,
        /// How many requests it sent.
        requests: u32,
        /// The last state seen, if any answer came.
        last: Option<Box<ActionResponse>>,
        /// The last failure, if the last poll failed.
        last_error: Option<Box<Error>>,
    },
}

fn last_status(last: &Option<Box<ActionResponse>>) -> String {
    match last.as_ref().and_then(|a| a.action.status.as_ref()) {
        Some(status) => format!(" (last status: {status})"),
        None => String::new(),
    }
}

impl Error {
    pub(crate) fn invalid(message: impl ToString) -> Self {
        Self::InvalidArgument {
            message: message.to_string(),
        }
    }

    /// What ended the call: the error a wait ended with ([`Error::WaitEnded`]), else this
    /// error itself.
    pub fn cause(&self) -> &Error {
        match self {
            Self::WaitEnded { error, .. } => error.cause(),
            other => other,
        }
    }

    /// The last action state a wait saw before it ended this way, if any.
    pub fn last_seen(&self) -> Option<&ActionResponse> {
        match self {
            Self::ActionErrored { answer } => Some(answer),
            Self::Cancelled { last, .. }
            | Self::DeadlineExceeded { last, .. }
            | Self::RateLimited { last, .. }
            | Self::WaitEnded { last, .. } => last.as_deref(),
            _ => None,
        }
    }

    /// Whether sending the same request again may succeed: connection failures, timeouts
    /// (the request is a GET, safe to repeat), 408, 429 and 5xx.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::WaitEnded { error, .. } => error.is_retryable(),
            Self::Transport { retryable, .. } => *retryable,
            Self::Timeout { .. } => true,
            Self::Api { error, .. } => droplet_action_model::is_retryable_status(error.status),
            _ => false,
        }
    }

    /// The HTTP status of the answer, when one came.
    pub fn status(&self) -> Option<u16> {
        self.details()
            .map(|d| d.meta.status)
            .or_else(|| match self {
                Self::WaitEnded { error, .. } => error.status(),
                Self::ActionErrored { answer } => Some(answer.meta.status),
                Self::RateLimited { last: Some(a), .. } => Some(a.meta.status),
                Self::Cancelled {
                    last_error: Some(error),
                    ..
                } => error.status(),
                Self::Cancelled { last: Some(a), .. } => Some(a.meta.status),
                Self::DeadlineExceeded {
                    last_error: Some(error),
                    ..
                } => error.status(),
                Self::DeadlineExceeded { last: Some(a), .. } => Some(a.meta.status),
                _ => None,
            })
    }

    /// The details of the answer, for API, decode and body-size errors.
    pub fn details(&self) -> Option<&ResponseDetails> {
        match self {
            Self::Api { details, .. }
            | Self::Decode { details, .. }
            | Self::BodyTooLarge { details, .. } => Some(details),
            Self::WaitEnded { error, .. } => error.details(),
            _ => None,
        }
    }

    /// The rate limit reported with the answer, when one came.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        match self {
            Self::ActionErrored { answer } => answer.meta.rate_limit,
            Self::RateLimited { last: Some(a), .. } => a.meta.rate_limit,
            _ => self.details().and_then(|d| d.meta.rate_limit),
        }
    }

    /// The request id: the API error's, else the `x-request-id` header.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api { error, details } => error
                .request_id
                .as_deref()
                .or(details.meta.request_id.as_deref()),
            Self::ActionErrored { answer } => answer.request_id(),
            Self::WaitEnded { error, .. } => error.request_id(),
            Self::RateLimited { last: Some(a), .. } => a.request_id(),
            _ => self.details().and_then(|d| d.meta.request_id.as_deref()),
        }
    }

    /// How many requests were sent (0 when the call was rejected before sending); for a
    /// wait that ended, all the requests of all its polls.
    pub fn attempts(&self) -> u32 {
        match self {
            Self::InvalidArgument { .. } => 0,
            Self::DeadlineExceeded { requests, .. }
            | Self::RateLimited { requests, .. }
            | Self::WaitEnded { requests, .. } => *requests,
            Self::Transport { attempts, .. }
            | Self::Timeout { attempts, .. }
            | Self::Cancelled { attempts, .. }
            | Self::RateBudget { attempts, .. } => *attempts,
            Self::ActionErrored { answer } => answer.attempts,
            Self::Api { details, .. }
            | Self::Decode { details, .. }
            | Self::BodyTooLarge { details, .. } => details.attempts,
        }
    }

    pub(crate) fn set_attempts(&mut self, count: u32) {
        match self {
            Self::Transport { attempts, .. }
            | Self::Timeout { attempts, .. }
            | Self::Cancelled { attempts, .. }
            | Self::RateBudget { attempts, .. } => *attempts = count,
            Self::Api { details, .. }
            | Self::Decode { details, .. }
            | Self::BodyTooLarge { details, .. } => details.attempts = count,
            _ => {}
        }
    }

    /// Replaces `secret` wherever the server could have echoed it into this error's text:
    /// messages, error ids, request ids. (The raw body stays as received.)
    pub(crate) fn scrub(&mut self, secret: &str) {
        fn clean(text: &mut String, secret: &str) {
            if text.contains(secret) {
                *text = text.replace(secret, "<redacted>");
            }
        }
        fn clean_opt(text: &mut Option<String>, secret: &str) {
            if let Some(text) = text {
                clean(text, secret);
            }
        }
        match self {
            Self::Transport { message, .. } | Self::InvalidArgument { message } => {
                clean(message, secret)
            }
            Self::Api { error, details } => {
                clean_opt(&mut error.id, secret);
                clean_opt(&mut error.message, secret);
                clean_opt(&mut error.request_id, secret);
                clean_opt(&mut details.meta.request_id, secret);
            }
            Self::Decode { error, details } => {
                clean(&mut error.message, secret);
                clean_opt(&mut error.path, secret);
                clean_opt(&mut details.meta.request_id, secret);
            }
            Self::BodyTooLarge { details, .. } => {
                clean_opt(&mut details.meta.request_id, secret);
            }
            _ => {}
        }
    }

    /// How many polls a wait made before it ended this way (0 for a get).
    pub fn polls(&self) -> u32 {
        match self {
            Self::ActionErrored { answer } => answer.polls,
            Self::DeadlineExceeded { polls, .. }
            | Self::Cancelled { polls, .. }
            | Self::RateLimited { polls, .. }
            | Self::WaitEnded { polls, .. } => *polls,
            _ => 0,
        }
    }

    /// How long the server asked to wait before the next request (`retry-after`).
    pub fn retry_after(&self) -> Option<droplet_action_model::RetryAfter> {
        self.details().and_then(|d| d.meta.retry_after)
    }
}
