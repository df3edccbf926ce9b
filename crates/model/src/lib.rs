//! Types, parsing and protocol rules for DigitalOcean's **Retrieve a Droplet Action**
//! (`GET /v2/droplets/{droplet_id}/actions/{action_id}`), with no I/O.
//!
//! ```
//! use droplet_action_model::{classify, ActionStatus, DOCUMENTED_ACTION_JSON};
//!
//! let mut headers = http::HeaderMap::new();
//! headers.insert("ratelimit-remaining", "4816".parse()?);
//! let answer = classify(200, &headers, DOCUMENTED_ACTION_JSON.as_bytes().to_vec())?;
//! let action = &answer.action;
//! assert_eq!(action.id, Some(36804636));
//! assert_eq!(action.status, Some(ActionStatus::Completed));
//! assert_eq!(action.kind.as_deref(), Some("create"));
//! assert_eq!(action.started_at.as_ref().unwrap().unix_seconds(), 1605371361);
//! assert_eq!(action.region.as_ref().unwrap().slug.as_deref(), Some("nyc3"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # In scope
//! - The action, its region and status ([`Action`], [`Region`], [`ActionStatus`]), with every
//!   field optional and unknown statuses kept as text.
//! - Validated ids ([`DropletId`], [`ActionId`]), the base URL and token, and the HTTP
//!   request for the operation ([`ActionRequest`]).
//! - Classifying an answer ([`classify`]) into an action, an [`ApiError`] or a
//!   [`DecodeError`], and reading [`RateLimit`], [`RetryAfter`] and `x-request-id`.
//! - The retry rules ([`is_retryable_status`], [`backoff_delay`]).
//!
//! # Not in scope
//! This crate opens no socket, reads no clock, spawns no thread and draws no random number:
//! time and randomness are passed in. Sending the request is the job of
//! `droplet-action-transport` (blocking, on ureq) or of any runtime that uses this crate.
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

mod action;
mod budget;
mod headers;
mod id;
mod object;
mod proxy;
mod request;
mod response;
mod retry;
mod timestamp;
mod wait;

pub use action::{Action, ActionStatus, Region};
pub use budget::{Budget, BudgetConfig, Slowdown, SlowdownReason, budget_wait_allowed};
pub use headers::{RateLimit, RetryAfter, request_id_from_headers};
pub use id::{ActionId, DropletId, InvalidId};
pub use proxy::{
    EnvProxy, HTTP_PROXY_VARIABLES, HTTPS_PROXY_VARIABLES, NO_PROXY_VARIABLES, no_proxy_matches,
    proxy_from_env,
};
pub use request::{
    ActionRequest, BaseUrl, DEFAULT_BASE_URL, InvalidBaseUrl, InvalidToken, InvalidUserAgent,
    Token, UserAgent, is_loopback_host, parse_port, redact_proxy_url, redact_url,
};
pub use response::{
    ActionResponse, ApiError, DecodeError, ErrorResponse, MAX_RESPONSE_HEADER_BYTES,
    MAX_RESPONSE_HEADERS, ResponseError, ResponseMeta, classify, parse_action,
};
pub use retry::{RetryAdvice, RetryPolicy, backoff_delay, is_retryable_status, unit_from_random};
pub use timestamp::{InvalidTimestamp, Timestamp};
pub use wait::{DEFAULTS, Defaults, Observation, Wait, WaitConfig, WaitEnd, WaitStep};

/// The example answer of the API reference for droplet 3164444, action 36804636, byte for
/// byte. Tests, benchmarks and the mock server use it.
pub const DOCUMENTED_ACTION_JSON: &str = include_str!("documented_action.json");

/// The examples of this crate's README, run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadmeDoctests;
