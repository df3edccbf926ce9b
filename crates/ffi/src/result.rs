//! The C structs of a result, built from the transport's answer or error, and freed as one.

use std::ffi::{c_char, c_void};
use std::ptr;

use droplet_action_model::{Action, ActionStatus, RateLimit, ResponseMeta, Timestamp};
use droplet_action_transport::{ActionResponse, Error};

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
    action: droplet_action,
    region: droplet_region,
    /// Read through accessor functions: data the published struct has no field for.
    pub(crate) extra: Extra,
    /// The raw body and a NUL after it: the answer's own buffer when the result was made
    /// from an answer it may keep (a copy otherwise), so that the body is never copied
    /// on the way and `text` stays small.
    body: Vec<u8>,
    /// Every string, each NUL-terminated.
    text: Vec<u8>,
    /// The pointers of `region.sizes` followed by those of `region.features`.
    lists: Vec<*const c_char>,
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

/// Offsets into `Storage::text` of every string a result holds. The strings of a list
/// follow one another, each with its NUL, from the list's offset.
#[derive(Default)]
struct TextOffsets {
    status_text: Option<usize>,
    kind: Option<usize>,
    resource_type: Option<usize>,
    region_slug: Option<usize>,
    started_at: Option<usize>,
    completed_at: Option<usize>,
    region_name: Option<usize>,
    region_slug_inner: Option<usize>,
    sizes: usize,
    features: usize,
    error_message: Option<usize>,
    error_id: Option<usize>,
    request_id: Option<usize>,
}

/// Room for the message that replaces an action with a NUL byte in a field.
const NUL_FIELD_MESSAGE_ROOM: usize = 96;

/// A string field of the action that holds a NUL byte and cannot cross as a C string.
struct NulInField(&'static str);

fn push_text(text: &mut Vec<u8>, value: &str) -> usize {
    let offset = text.len();
    text.extend_from_slice(value.as_bytes());
    text.push(0);
    offset
}

fn push_field(
    text: &mut Vec<u8>,
    value: Option<&str>,
    field: &'static str,
) -> Result<Option<usize>, NulInField> {
    match value {
        Some(value) if value.as_bytes().contains(&0) => Err(NulInField(field)),
        Some(value) => Ok(Some(push_text(text, value))),
        None => Ok(None),
    }
}

/// Diagnostic text (messages, ids from an error body) may not hold a NUL either; there a
/// visible escape replaces it rather than failing the whole result.
fn push_lossy(text: &mut Vec<u8>, value: Option<&str>) -> Option<usize> {
    let value = value?;
    if value.as_bytes().contains(&0) {
        Some(push_text(text, &value.replace('\0', "\\0")))
    } else {
        Some(push_text(text, value))
    }
}

/// Pushes every string of a list, one after the other; returns where the first one starts.
fn push_list(
    text: &mut Vec<u8>,
    values: Option<&Vec<String>>,
    field: &'static str,
) -> Result<usize, NulInField> {
    let start = text.len();
    for value in values.map_or(&[][..], Vec::as_slice) {
        push_field(text, Some(value), field)?;
    }
    Ok(start)
}

/// The bytes `push_action` writes for an action: every string and its NUL.
fn action_text_len(action: &Action) -> usize {
    let field = |value: Option<&str>| value.map_or(0, |v| v.len() + 1);
    let list = |values: Option<&Vec<String>>| {
        values.map_or(0, |values| values.iter().map(|v| v.len() + 1).sum())
    };
    let region = action.region.as_ref().map_or(0, |region| {
        field(region.name.as_deref())
            + field(region.slug.as_deref())
            + list(region.sizes.as_ref())
            + list(region.features.as_ref())
    });
    field(action.status.as_ref().map(ActionStatus::as_str))
        + field(action.kind.as_deref())
        + field(action.resource_type.as_deref())
        + field(action.region_slug.as_deref())
        + field(action.started_at.as_ref().map(Timestamp::as_str))
        + field(action.completed_at.as_ref().map(Timestamp::as_str))
        + region
}

/// The pointers to the strings of a list that `push_list` wrote from `start`.
fn list_pointers(
    base: *const u8,
    start: usize,
    values: Option<&Vec<String>>,
    out: &mut Vec<*const c_char>,
) {
    let mut offset = start;
    for value in values.map_or(&[][..], Vec::as_slice) {
        // SAFETY: `push_list` wrote these strings from `start` on, each followed by its
        // NUL, into the buffer `base` points to, which is not written to any more.
        out.push(unsafe { base.add(offset) }.cast());
        offset += value.len() + 1;
    }
}

fn push_action(
    text: &mut Vec<u8>,
    offsets: &mut TextOffsets,
    action: &Action,
) -> Result<(), NulInField> {
    offsets.status_text = push_field(
        text,
        action.status.as_ref().map(ActionStatus::as_str),
        "action.status",
    )?;
    offsets.kind = push_field(text, action.kind.as_deref(), "action.type")?;
    offsets.resource_type = push_field(
        text,
        action.resource_type.as_deref(),
        "action.resource_type",
    )?;
    offsets.region_slug = push_field(text, action.region_slug.as_deref(), "action.region_slug")?;
    offsets.started_at = push_field(
        text,
        action.started_at.as_ref().map(Timestamp::as_str),
        "action.started_at",
    )?;
    offsets.completed_at = push_field(
        text,
        action.completed_at.as_ref().map(Timestamp::as_str),
        "action.completed_at",
    )?;
    if let Some(region) = &action.region {
        offsets.region_name = push_field(text, region.name.as_deref(), "action.region.name")?;
        offsets.region_slug_inner = push_field(text, region.slug.as_deref(), "action.region.slug")?;
        offsets.sizes = push_list(text, region.sizes.as_ref(), "action.region.sizes")?;
        offsets.features = push_list(text, region.features.as_ref(), "action.region.features")?;
    }
    Ok(())
}

/// What one call produced, in the shape the C result needs, borrowed from the answer or
/// error it came from.
pub(crate) struct Outcome<'a> {
    status: DropletStatus,
    http_status: u16,
    attempts: u32,
    action: Option<&'a Action>,
    error_message: Option<String>,
    error_id: Option<&'a str>,
    request_id: Option<&'a str>,
    rate_limit: Option<RateLimit>,
    body: Option<&'a [u8]>,
    /// The body's buffer itself, when the caller gives it up: used instead of a copy.
    owned_body: Option<Vec<u8>>,
    polls: u32,
    retryable: bool,
    meta: Option<&'a ResponseMeta>,
}

impl<'a> Outcome<'a> {
    /// A failure before any request: only the status and the message.
    pub(crate) fn rejected(status: DropletStatus, message: String) -> Self {
        Self {
            status,
            http_status: 0,
            attempts: 0,
            action: None,
            error_message: Some(message),
            error_id: None,
            request_id: None,
            rate_limit: None,
            body: None,
            owned_body: None,
            polls: 0,
            retryable: false,
            meta: None,
        }
    }

    pub(crate) fn from_answer(answer: &'a ActionResponse) -> Self {
        Self {
            status: DropletStatus::Ok,
            http_status: answer.meta.status,
            attempts: answer.attempts,
            action: Some(&answer.action),
            error_message: None,
            error_id: None,
            request_id: answer.meta.request_id.as_deref(),
            rate_limit: answer.meta.rate_limit,
            body: Some(&answer.body),
            owned_body: None,
            polls: answer.polls,
            retryable: false,
            meta: Some(&answer.meta),
        }
    }

    /// The outcome of a successful answer whose body buffer is handed over: the result
    /// keeps that buffer for `raw_body` instead of copying it (`answer.body` is left
    /// empty; the answer is otherwise read as by [`Outcome::from_answer`]).
    pub(crate) fn from_answer_taking_body(answer: &'a mut ActionResponse) -> Self {
        let body = std::mem::take(&mut answer.body);
        let answer = &*answer;
        Self {
            body: None,
            owned_body: Some(body),
            ..Self::from_answer(answer)
        }
    }

    pub(crate) fn from_error(error: &'a Error) -> Self {
        let status = status_of(error);
        let error_message = Some(error.to_string());
        match error {
            Error::ActionErrored { answer } => Self {
                status,
                error_message,
                ..Self::from_answer(answer)
            },
            Error::WaitEnded {
                error: cause, last, ..
            } => Self {
                action: last.as_deref().map(|answer| &answer.action),
                polls: error.polls(),
                attempts: error.attempts(),
                ..Self::from_error(cause)
            },
            Error::RateLimited {
                last: Some(answer), ..
            } => Self {
                status,
                error_message,
                attempts: error.attempts(),
                polls: error.polls(),
                retryable: false,
                ..Self::from_answer(answer)
            },
            Error::DeadlineExceeded {
                last, last_error, ..
            }
            | Error::Cancelled {
                last, last_error, ..
            } => {
                // The numbers and body of the last poll, the action of the last answer.
                let last_poll = match (last_error, last) {
                    (Some(inner), _) => Self::from_error(inner),
                    (None, Some(answer)) => Self::from_answer(answer),
                    (None, None) => Self::rejected(status, String::new()),
                };
                Self {
                    status,
                    error_message,
                    action: last.as_deref().map(|answer| &answer.action),
                    polls: error.polls(),
                    attempts: error.attempts(),
                    retryable: false,
                    ..last_poll
                }
            }
            _ => Self {
                status,
                http_status: error.status().unwrap_or(0),
                attempts: error.attempts(),
                action: None,
                error_message,
                error_id: match error {
                    Error::Api { error: api, .. } => api.id.as_deref(),
                    _ => None,
                },
                request_id: error.request_id(),
                rate_limit: error.rate_limit(),
                body: error
                    .details()
                    .map(|details| details.body.as_slice())
                    .filter(|body| !body.is_empty()),
                owned_body: None,
                polls: error.polls(),
                retryable: error.is_retryable(),
                meta: error.details().map(|details| &details.meta),
            },
        }
    }

    /// Lays the outcome out in one allocation the C result points into.
    pub(crate) fn into_result(self) -> droplet_action_result {
        // The body, followed by a NUL, in a buffer of its own: the answer's when it was
        // handed over (read with room for the NUL, so it does not move), else a copy.
        let body = match (self.owned_body, self.body) {
            (Some(mut body), _) => {
                body.push(0);
                Some(body)
            }
            (None, Some(borrowed)) => {
                let mut body = Vec::with_capacity(borrowed.len() + 1);
                body.extend_from_slice(borrowed);
                body.push(0);
                Some(body)
            }
            (None, None) => None,
        };
        let body_len = body.as_ref().map_or(0, |body| body.len() - 1);
        let has_body = body.is_some();
        // One buffer holds every string, sized before anything is written so that it never
        // moves. NUL bytes escaped in diagnostic text take one more byte each, which the
        // buffer may grow for: no pointer is taken before it is complete.
        let diagnostics = [
            self.error_message.as_deref(),
            self.error_id,
            self.request_id,
        ];
        let capacity = self.action.map_or(0, action_text_len)
            + diagnostics
                .iter()
                .flatten()
                .map(|v| v.len() + 1)
                .sum::<usize>()
            + NUL_FIELD_MESSAGE_ROOM;
        let mut text = Vec::with_capacity(capacity);
        let mut offsets = TextOffsets::default();
        let mut status = self.status;
        let mut error_message = self.error_message;
        let mut action = self.action;
        if let Some(parsed) = action
            && let Err(NulInField(field)) = push_action(&mut text, &mut offsets, parsed)
        {
            text.clear();
            offsets = TextOffsets::default();
            status = DropletStatus::Decode;
            error_message = Some(format!(
                "the field {field} holds a NUL byte and cannot be passed as a C string"
            ));
            action = None;
        }
        offsets.error_message = push_lossy(&mut text, error_message.as_deref());
        offsets.error_id = push_lossy(&mut text, self.error_id);
        offsets.request_id = push_lossy(&mut text, self.request_id);

        let mut storage = Box::new(Storage {
            action: empty_action(),
            region: empty_region(),
            extra: Extra {
                polls: self.polls,
                retryable: self.retryable,
                meta: self.meta.cloned(),
            },
            body: body.unwrap_or_default(),
            text,
            lists: Vec::with_capacity(action.and_then(|a| a.region.as_ref()).map_or(0, |r| {
                r.sizes.as_ref().map_or(0, Vec::len) + r.features.as_ref().map_or(0, Vec::len)
            })),
        });
        let base = storage.text.as_ptr();
        let at = |offset: Option<usize>| -> *const c_char {
            // SAFETY: every offset was returned by `push_text` for this very buffer, which
            // is not written to any more, so it lies within its allocation.
            offset.map_or(ptr::null(), |o| unsafe { base.add(o) }.cast())
        };

        if let Some(action) = action {
            if let Some(region) = &action.region {
                list_pointers(
                    base,
                    offsets.sizes,
                    region.sizes.as_ref(),
                    &mut storage.lists,
                );
                let sizes_len = storage.lists.len();
                list_pointers(
                    base,
                    offsets.features,
                    region.features.as_ref(),
                    &mut storage.lists,
                );
                let features_len = storage.lists.len() - sizes_len;
                let lists = storage.lists.as_ptr();
                storage.region = droplet_region {
                    name: at(offsets.region_name),
                    slug: at(offsets.region_slug_inner),
                    sizes: if sizes_len == 0 { ptr::null() } else { lists },
                    sizes_len,
                    features: if features_len == 0 {
                        ptr::null()
                    } else {
                        // SAFETY: `lists` holds sizes_len + features_len pointers.
                        unsafe { lists.add(sizes_len) }
                    },
                    features_len,
                    available: region.available.unwrap_or(false),
                    has_available: region.available.is_some(),
                };
            }
            storage.action = droplet_action {
                id: action.id.unwrap_or(0),
                has_id: action.id.is_some(),
                status: c_action_status(action.status.as_ref()),
                status_text: at(offsets.status_text),
                r#type: at(offsets.kind),
                resource_type: at(offsets.resource_type),
                region_slug: at(offsets.region_slug),
                resource_id: action.resource_id.unwrap_or(0),
                has_resource_id: action.resource_id.is_some(),
                started_at: at(offsets.started_at),
                started_at_unix: action
                    .started_at
                    .as_ref()
                    .map_or(0, Timestamp::unix_seconds),
                has_started_at: action.started_at.is_some(),
                completed_at: at(offsets.completed_at),
                completed_at_unix: action
                    .completed_at
                    .as_ref()
                    .map_or(0, Timestamp::unix_seconds),
                has_completed_at: action.completed_at.is_some(),
                // Set below, once the storage has its final address.
                region: ptr::null(),
            };
        }
        let raw_body = if has_body {
            storage.body.as_ptr().cast()
        } else {
            ptr::null()
        };
        let rate_limit = match self.rate_limit {
            Some(RateLimit {
                limit,
                remaining,
                reset,
            }) => droplet_rate_limit {
                limit,
                remaining,
                reset,
                present: true,
            },
            None => zeroed_result().rate_limit,
        };
        let has_region = action.is_some_and(|a| a.region.is_some());
        let storage = Box::into_raw(storage);
        let action_ptr = if action.is_some() {
            // SAFETY: `storage` comes from `Box::into_raw` just above: valid, aligned, and
            // owned by this result until `droplet_action_result_free`.
            unsafe {
                if has_region {
                    (*storage).action.region = &raw const (*storage).region;
                }
                &raw mut (*storage).action
            }
        } else {
            ptr::null_mut()
        };
        droplet_action_result {
            status,
            http_status: self.http_status,
            attempts: self.attempts,
            action: action_ptr,
            error_message: at(offsets.error_message),
            error_id: at(offsets.error_id),
            request_id: at(offsets.request_id),
            rate_limit,
            raw_body,
            raw_body_len: body_len,
            internal: storage.cast(),
        }
    }
}

/// Lays out the C result of a successful answer exactly as `droplet_action_get` does; free
/// it with `droplet_action_result_free`. For the benchmarks, which time this step alone;
/// not part of the C API.
#[doc(hidden)]
pub fn result_from_answer(answer: &ActionResponse) -> droplet_action_result {
    Outcome::from_answer(answer).into_result()
}

fn status_of(error: &Error) -> DropletStatus {
    match error {
        Error::InvalidArgument { .. } => DropletStatus::InvalidArgument,
        Error::Transport { .. } => DropletStatus::Transport,
        Error::Timeout { .. } | Error::DeadlineExceeded { .. } | Error::RateBudget { .. } => {
            DropletStatus::Timeout
        }
        Error::Api { .. } => DropletStatus::ApiError,
        Error::Decode { .. } => DropletStatus::Decode,
        Error::BodyTooLarge { .. } => DropletStatus::BodyTooLarge,
        Error::ActionErrored { .. } => DropletStatus::ActionErrored,
        Error::Cancelled { .. } => DropletStatus::Cancelled,
        Error::RateLimited { .. } => DropletStatus::RateLimited,
        Error::WaitEnded { error, .. } => status_of(error),
        _ => DropletStatus::Panic,
    }
}

fn empty_region() -> droplet_region {
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

fn empty_action() -> droplet_action {
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
