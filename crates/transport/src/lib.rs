//! A blocking client for DigitalOcean's **Retrieve a Droplet Action**
//! (`GET /v2/droplets/{droplet_id}/actions/{action_id}`), on ureq.
//!
//! ```
//! use droplet_action_mock::MockServer;
//! use droplet_action_transport::Client;
//! use droplet_action_model::ActionStatus;
//!
//! // A local server that plays the API; point `base_url` at the real one in production.
//! let server = MockServer::start()?;
//! let client = Client::builder()
//!     .token(droplet_action_mock::DEFAULT_TOKEN)
//!     .base_url(server.base_url())
//!     .build()?;
//! let answer = client.get(3164444, 36804636)?;
//! assert_eq!(answer.action.id, Some(36804636));
//! assert_eq!(answer.action.status, Some(ActionStatus::Completed));
//! assert_eq!(answer.status(), 200);
//! assert_eq!(answer.attempts, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What it does
//! - One [`Client`], cheap to clone and shared between threads, keeps connections alive.
//! - Retries connection errors, 408, 429 and 5xx with exponential backoff and full jitter,
//!   honouring `retry-after` up to a cap; never retries other 4xx.
//! - Every answer and every error carries the HTTP status, rate limit, request id, number
//!   of attempts and the raw body ([`ActionResponse`], [`Error`]).
//! - [`Client::wait`] polls until `completed`, reports `errored` as an
//!   error, and keeps an overall deadline.
//!
//! # What it does not do
//! - No async: use `droplet-action-model` with your own runtime.
//! - No compressed answers (never requested, so the body cap counts the bytes parsed).
//! - No proxy from the environment unless asked ([`ClientBuilder::proxy_from_env`]).
//! - No plain `http://` to a remote host unless asked
//!   ([`ClientBuilder::allow_insecure_http`]); TLS is always verified.
//! - The token never goes to another origin on a redirect, and never appears in `Debug`,
//!   `Display` or error messages.
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

mod budget;
mod cancel;
mod client;
mod deprecated;
mod error;
mod events;
mod options;
mod resolver;
mod response;
mod socket;
mod tls;
mod wait;

pub use budget::{LocalBudget, RequestBudget, Taken};
pub use cancel::CancelToken;
pub use client::{
    BASE_URL_ENV_VAR, Client, ClientBuilder, DEFAULT_BODY_LIMIT, DEFAULT_USER_AGENT,
    TOKEN_ENV_VARS, check_proxy, response_from_parts,
};
#[allow(deprecated)]
pub use deprecated::{ActionAnswer, answer_from_parts};
pub use error::{Error, ResponseDetails};
pub use events::{LOG_TARGET, Level, LogHook};
pub use options::CallOptions;
pub use response::ActionResponse;
pub use tls::check_ca_file;
pub use wait::{PollEvent, PollHook, WaitOptions, Waiter};

pub use droplet_action_model as model;

/// The Rust examples of the repository's README, run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

/// The examples of this crate's own README, run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadmeDoctests;
