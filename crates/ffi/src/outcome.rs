//! What one call produced, and laying it out as a C result.

use std::ffi::c_char;
use std::ptr;

use droplet_action_model::{Action, RateLimit, ResponseMeta, Timestamp};
use droplet_action_transport::{ActionResponse, Error};

use crate::result::{
    Extra, Storage, c_action_status, droplet_action, droplet_action_result, droplet_rate_limit,
    droplet_region, empty_action, empty_region, zeroed_result,
};
use crate::status::DropletStatus;
use crate::text::{
    NUL_FIELD_MESSAGE_ROOM, NulInField, TextOffsets, action_text_len, list_pointers, push_action,
    push_lossy,
};

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
