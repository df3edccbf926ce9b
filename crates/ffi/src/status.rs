//! Status numbers. Explicit, in this order, and never reused.

use std::ffi::{CStr, c_char};

/// The outcome of a call. `DROPLET_STATUS_OK` is 0; every other value is a failure.
///
/// What the caller should do:
/// - `OK`: use the result.
/// - `INVALID_ARGUMENT`: fix the call (NULL pointer, id below 1, malformed URL or token);
///   nothing was sent.
/// - `TRANSPORT`: no answer (DNS, refused, reset, TLS); retries were already made, try
///   later.
/// - `TIMEOUT`: no answer in time, or a wait's deadline passed (then `action` holds the
///   last state seen).
/// - `API_ERROR`: the API said no: see `http_status`, `error_id`, `error_message`,
///   `request_id`. 401: check the token; 404: check the ids; 429/5xx: retries were made,
///   try later (see `rate_limit`).
/// - `DECODE`: the answer was not a valid action (or held a string with a NUL byte).
/// - `BODY_TOO_LARGE`: the answer was larger than the body limit.
/// - `ACTION_ERRORED`: a wait ended because the action failed; `action` holds it.
/// - `PANIC`: an internal error was contained; the library stays usable.
/// - `CANCELLED`: the call's `droplet_cancel_token` was cancelled; the client stays usable.
///   After a wait, `action` holds the last state seen, if any.
/// - `RATE_LIMITED`: a wait saw the rate limit spent while the action ran, and the limit
///   resets after the wait's deadline or after the longest pause honoured (60 s):
///   `rate_limit.reset` says when to try again; `action` holds the last state seen.
///
/// Whatever ends a wait, its result holds the last action seen (`action`), the last HTTP
/// status, its polls (`droplet_action_result_polls`) and all its requests (`attempts`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropletStatus {
    /// Success.
    Ok = 0,
    /// An argument was NULL, not UTF-8, or out of range. Nothing was sent.
    InvalidArgument = 1,
    /// No answer: name resolution, connection, TLS, or an invalid HTTP answer.
    Transport = 2,
    /// No answer in time, or a wait's deadline passed.
    Timeout = 3,
    /// The API answered with an error status.
    ApiError = 4,
    /// The answer was not a valid action.
    Decode = 5,
    /// The answer was larger than the body limit.
    BodyTooLarge = 6,
    /// The action finished as `errored` (from `droplet_action_wait`).
    ActionErrored = 7,
    /// An internal error was caught at the boundary.
    Panic = 8,
    /// The call was ended through its `droplet_cancel_token`.
    Cancelled = 9,
    /// A wait ended because the rate limit is spent until after its deadline.
    RateLimited = 10,
}

/// The status of an action, as far as this library knows it.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropletActionStatus {
    /// Absent, or a status this library does not know (see `status_text`).
    Unknown = 0,
    /// `"in-progress"`.
    InProgress = 1,
    /// `"completed"`.
    Completed = 2,
    /// `"errored"`.
    Errored = 3,
}

const STATUS_TEXT: [&CStr; 11] = [
    c"ok",
    c"invalid argument",
    c"transport error",
    c"timeout",
    c"API error",
    c"decode error",
    c"body too large",
    c"action errored",
    c"internal panic",
    c"cancelled",
    c"rate limited",
];

/// A short, static, human-readable name for any status number, unknown ones included
/// (`"unknown status"`). Never NULL; never free it.
#[unsafe(no_mangle)]
pub extern "C" fn droplet_status_str(status: u32) -> *const c_char {
    let text = usize::try_from(status)
        .ok()
        .and_then(|index| STATUS_TEXT.get(index))
        .copied()
        .unwrap_or(c"unknown status");
    text.as_ptr()
}
