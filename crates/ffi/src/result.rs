//! The C structs of a result, what a result owns, its accessors, and freeing it as one.
//! A result is laid out from an [`Outcome`] (`outcome.rs`), its strings as `text.rs` writes
//! them.

use std::ffi::{c_char, c_void};
use std::ptr;

use droplet_action_model::{ActionStatus, ResponseMeta};

// The modules that make results take the outcome they lay out from here too.
pub(crate) use crate::outcome::Outcome;
use crate::status::{DropletActionStatus, DropletStatus};

/// A region, as embedded in an action. Strings are NULL when absent.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct droplet_region {
    /// The display name (`"New York 3"`), or NULL.
    pub name: *const c_char,
    /// The slug (`"nyc3"`), or NULL.
    pub slug: *const c_char,
    /// `sizes_len` size slugs; NULL when there are none.
    pub sizes: *const *const c_char,
    /// The number of entries in `sizes`.
    pub sizes_len: usize,
    /// `features_len` feature names; NULL when there are none.
    pub features: *const *const c_char,
    /// The number of entries in `features`.
    pub features_len: usize,
    /// Whether new droplets can be created in the region; meaningful when `has_available`.
    pub available: bool,
    /// Whether `available` was present.
    pub has_available: bool,
}

/// A droplet action. Every field is optional: strings are NULL when absent or null, and
/// each number has a `has_` flag.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct droplet_action {
    /// The action id; meaningful when `has_id`.
    pub id: i64,
    /// Whether `id` was present.
    pub has_id: bool,
    /// The status; `DROPLET_ACTION_STATUS_UNKNOWN` when absent or new (see `status_text`).
    pub status: DropletActionStatus,
    /// The status exactly as sent (`"in-progress"`, ...), or NULL when absent.
    pub status_text: *const c_char,
    /// The kind of action (`"create"`, ...), or NULL.
    pub r#type: *const c_char,
    /// The kind of resource (`"droplet"`, ...), or NULL.
    pub resource_type: *const c_char,
    /// The region slug (`"nyc3"`), or NULL.
    pub region_slug: *const c_char,
    /// The resource id; meaningful when `has_resource_id`.
    pub resource_id: i64,
    /// Whether `resource_id` was present and not null.
    pub has_resource_id: bool,
    /// When the action started, as sent (RFC 3339), or NULL.
    pub started_at: *const c_char,
    /// `started_at` in whole seconds since the Unix epoch; meaningful when `has_started_at`.
    pub started_at_unix: i64,
    /// Whether `started_at` was present.
    pub has_started_at: bool,
    /// When the action ended, as sent (RFC 3339), or NULL while it runs.
    pub completed_at: *const c_char,
    /// `completed_at` in whole seconds since the Unix epoch; meaningful when
    /// `has_completed_at`.
    pub completed_at_unix: i64,
    /// Whether `completed_at` was present and not null.
    pub has_completed_at: bool,
    /// The region, or NULL when absent or null.
    pub region: *const droplet_region,
}

/// The account's rate limit from the `ratelimit-*` headers of the last answer.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct droplet_rate_limit {
    /// Requests allowed in the window.
    pub limit: i64,
    /// Requests left in the window.
    pub remaining: i64,
    /// Unix seconds at which the oldest request expires.
    pub reset: i64,
    /// Whether the three headers were present; the numbers are 0 otherwise.
    pub present: bool,
}

/// Everything a call returns, by value. Free it with `droplet_action_result_free`; every
/// pointer inside stays valid until then and belongs to the library.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct droplet_action_result {
    /// `DROPLET_STATUS_OK`, or why the call failed.
    pub status: DropletStatus,
    /// The HTTP status of the last answer; 0 when no answer came.
    pub http_status: u16,
    /// How many requests were sent (0 when rejected before sending); for a wait, all the
    /// requests of all its polls.
    pub attempts: u32,
    /// The action, set when one was received and parsed: on `OK`, on `ACTION_ERRORED`,
    /// and on a wait's `TIMEOUT` (the last state seen); otherwise NULL.
    pub action: *mut droplet_action,
    /// What went wrong, set whenever `status` is not `OK`; never holds the token (a token a
    /// server echoes back is replaced by `<redacted>` here, in `error_id` and in
    /// `request_id`; `raw_body` stays as received).
    pub error_message: *const c_char,
    /// The API's error id (`"not_found"`, `"unauthorized"`, ...), else NULL.
    pub error_id: *const c_char,
    /// The request id, from the error body or the `x-request-id` header, else NULL.
    pub request_id: *const c_char,
    /// The rate limit of the last answer.
    pub rate_limit: droplet_rate_limit,
    /// The last body received, exactly as received (`raw_body_len` bytes, followed by a
    /// NUL that is not counted), or NULL when none was kept.
    pub raw_body: *const c_char,
    /// The number of bytes in `raw_body`.
    pub raw_body_len: usize,
    /// Library-internal: owns the memory of this result. Do not read or change it.
    pub internal: *mut c_void,
}

/// Everything a result points into, freed at once.
pub(crate) struct Storage {
    pub(crate) action: droplet_action,
    pub(crate) region: droplet_region,
    /// Read through accessor functions: data the published struct has no field for.
    pub(crate) extra: Extra,
    /// The raw body and a NUL after it: the answer's own buffer when the result was made
    /// from an answer it may keep (a copy otherwise), so that the body is never copied
    /// on the way and `text` stays small.
    pub(crate) body: Vec<u8>,
    /// Every string, each NUL-terminated.
    pub(crate) text: Vec<u8>,
    /// The pointers of `region.sizes` followed by those of `region.features`.
    pub(crate) lists: Vec<*const c_char>,
}

/// Per-result data read through accessors (`droplet_action_result_polls`, ...).
#[derive(Debug, Clone, Default)]
pub(crate) struct Extra {
    /// How many polls a wait made.
    pub(crate) polls: u32,
    /// Whether the failure is worth another attempt.
    pub(crate) retryable: bool,
    /// Status and headers of the last answer, for the retry advice.
    pub(crate) meta: Option<ResponseMeta>,
}

pub(crate) fn empty_region() -> droplet_region {
    droplet_region {
        name: ptr::null(),
        slug: ptr::null(),
        sizes: ptr::null(),
        sizes_len: 0,
        features: ptr::null(),
        features_len: 0,
        available: false,
        has_available: false,
    }
}

pub(crate) fn empty_action() -> droplet_action {
    droplet_action {
        id: 0,
        has_id: false,
        status: DropletActionStatus::Unknown,
        status_text: ptr::null(),
        r#type: ptr::null(),
        resource_type: ptr::null(),
        region_slug: ptr::null(),
        resource_id: 0,
        has_resource_id: false,
        started_at: ptr::null(),
        started_at_unix: 0,
        has_started_at: false,
        completed_at: ptr::null(),
        completed_at_unix: 0,
        has_completed_at: false,
        region: ptr::null(),
    }
}

/// The result returned when a panic was caught, with the panic's message (which goes
/// nowhere else: not to the process's standard error).
pub(crate) fn panic_result() -> droplet_action_result {
    let message = format!(
        "internal error: a panic was caught at the library boundary: {}",
        crate::boundary::last_panic_message()
    );
    std::panic::catch_unwind(|| Outcome::rejected(DropletStatus::Panic, message).into_result())
        .unwrap_or_else(|_| droplet_action_result {
            status: DropletStatus::Panic,
            error_message: c"internal error: a panic was caught at the library boundary".as_ptr(),
            ..zeroed_result()
        })
}

/// The accessor data of a result, when it has any.
///
/// # Safety
/// `result` is NULL or points to a result returned by this library, not changed by the
/// caller, and not freed yet (a freed one reads as having none).
pub(crate) unsafe fn extra_of<'a>(result: *const droplet_action_result) -> Option<&'a Extra> {
    // SAFETY: NULL or a live result, by this function's contract.
    let result = unsafe { result.as_ref() }?;
    let storage = result.internal.cast::<Storage>().cast_const();
    // SAFETY: `internal` is NULL or the live `Storage` this result owns.
    unsafe { storage.as_ref() }.map(|storage| &storage.extra)
}

/// How many polls the wait that made this result sent (0 for a get, a sans-IO parse, a
/// NULL or freed result).
///
/// # Safety
/// `result` is NULL or points to a result returned by this library that was not changed
/// by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_action_result_polls(result: *const droplet_action_result) -> u32 {
    crate::boundary::ffi_boundary!(0, {
        // SAFETY: forwarded from this function's contract.
        unsafe { extra_of(result) }.map_or(0, |extra| extra.polls)
    })
}

pub(crate) fn zeroed_result() -> droplet_action_result {
    droplet_action_result {
        status: DropletStatus::Ok,
        http_status: 0,
        attempts: 0,
        action: ptr::null_mut(),
        error_message: ptr::null(),
        error_id: ptr::null(),
        request_id: ptr::null(),
        rate_limit: droplet_rate_limit {
            limit: 0,
            remaining: 0,
            reset: 0,
            present: false,
        },
        raw_body: ptr::null(),
        raw_body_len: 0,
        internal: ptr::null_mut(),
    }
}

/// Frees everything a result owns and zeroes it, so a second call does nothing.
/// Accepts NULL.
///
/// # Safety
/// `result` is NULL or points to a `droplet_action_result` returned by this library (or
/// one already freed by this function), not changed by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_action_result_free(result: *mut droplet_action_result) {
    crate::boundary::ffi_boundary!((), {
        if result.is_null() {
            return;
        }
        // SAFETY: not NULL, and points to a result by this function's contract.
        let result = unsafe { &mut *result };
        let internal = std::mem::replace(&mut result.internal, ptr::null_mut());
        if !internal.is_null() {
            // SAFETY: `internal` came from `Box::into_raw` of a `Storage` in `into_result`
            // and was replaced by NULL above, so it is freed exactly once.
            drop(unsafe { Box::from_raw(internal.cast::<Storage>()) });
        }
        *result = zeroed_result();
    })
}

/// The C form of an action's status: `UNKNOWN` when absent or not one of the three.
pub(crate) fn c_action_status(status: Option<&ActionStatus>) -> DropletActionStatus {
    match status {
        Some(ActionStatus::InProgress) => DropletActionStatus::InProgress,
        Some(ActionStatus::Completed) => DropletActionStatus::Completed,
        Some(ActionStatus::Errored) => DropletActionStatus::Errored,
        Some(ActionStatus::Unknown(_)) | None => DropletActionStatus::Unknown,
    }
}
