//! Cancellation tokens and per-call options.

use std::ffi::{CString, c_char, c_void};
use std::mem::offset_of;
use std::sync::Arc;
use std::time::Duration;

use droplet_action_transport::{CancelToken, PollEvent, PollHook};

use crate::result::c_action_status;
use crate::status::DropletActionStatus;

use crate::boundary::ffi_boundary;

/// A cancellation token (`droplet_cancel_token`). Cancel it from any thread, or from a
/// signal handler, to end every call that holds it with `DROPLET_STATUS_CANCELLED` within
/// about 20 ms. Once cancelled it stays cancelled: make a new one for new calls.
#[allow(non_camel_case_types)]
pub struct droplet_cancel {
    token: CancelToken,
}

/// A cancellation token: the name to use (`droplet_cancel` is the same type).
#[allow(non_camel_case_types)]
pub type droplet_cancel_token = droplet_cancel;

/// Creates a cancellation token that is not cancelled. Free it with `droplet_cancel_token_free`
/// once no call that holds it is running. Returns NULL only if memory runs out.
#[unsafe(no_mangle)]
pub extern "C" fn droplet_cancel_token_new() -> *mut droplet_cancel_token {
    ffi_boundary!(std::ptr::null_mut(), {
        Box::into_raw(Box::new(droplet_cancel {
            token: CancelToken::new(),
        }))
    })
}

/// Cancels the token: every call holding it ends with `DROPLET_STATUS_CANCELLED` within
/// about 20 ms, wherever it is (connecting, waiting for an answer, backing off, sleeping
/// between polls, waiting for the request budget); calls that start with it end at once.
/// Two steps are not interrupted: name resolution, and a wait for an answer through a
/// SOCKS proxy (both end at the call's timeout at the latest). Thread-safe and
/// async-signal-safe (one atomic store; no lock, no allocation). Does nothing for NULL.
///
/// # Safety
/// `cancel` is NULL or a live token from `droplet_cancel_token_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_cancel_token_cancel(cancel: *const droplet_cancel_token) {
    // No panic boundary: nothing here can panic, and a boundary's bookkeeping is not
    // async-signal-safe.
    // SAFETY: NULL or a live token, by this function's contract.
    if let Some(cancel) = unsafe { cancel.as_ref() } {
        cancel.token.cancel();
    }
}

/// Whether the token was cancelled. False for NULL. Thread-safe and async-signal-safe.
///
/// # Safety
/// `cancel` is NULL or a live token from `droplet_cancel_token_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_cancel_token_is_cancelled(
    cancel: *const droplet_cancel_token,
) -> bool {
    // SAFETY: NULL or a live token, by this function's contract.
    unsafe { cancel.as_ref() }.is_some_and(|cancel| cancel.token.is_cancelled())
}

/// Frees a token. Accepts NULL. No call holding it may be running, and it may not be
/// cancelled afterwards (a signal handler included): the pointer is gone.
///
/// # Safety
/// `cancel` is NULL or a live token from `droplet_cancel_token_new`, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_cancel_token_free(cancel: *mut droplet_cancel_token) {
    ffi_boundary!((), {
        if !cancel.is_null() {
            // SAFETY: a live token handed back by the caller, freed once.
            drop(unsafe { Box::from_raw(cancel) });
        }
    })
}

/// Options for one call. Zeroed fields mean "the client's setting"; set `size` to
/// `sizeof(droplet_call_options)` so that a later, larger version of this struct can tell
/// what the caller knows about. A caller compiled against the first version (without
/// `on_poll`) keeps working: its smaller `size` says so. Later versions append fields:
/// initialize it by field name (`{.size = sizeof(droplet_call_options), .timeout_ms = 5000}`)
/// or from `{0}`, so that your code compiles unchanged, warning-free, against them.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct droplet_call_options {
    /// `sizeof(droplet_call_options)` as the caller compiled it.
    pub size: usize,
    /// A token that ends the call when cancelled, or NULL: not cancellable. The token must
    /// live until the call returns.
    pub cancel: *const droplet_cancel_token,
    /// A get: the longest the whole call may take, retries and pauses included (0: each
    /// attempt has the client's timeout). A wait: its deadline (0: 600000, ten minutes).
    pub timeout_ms: u32,
    /// Waits only: the pause between polls (0: 3000).
    pub poll_interval_ms: u32,
    /// Waits only: a function called after each request, or NULL: none (see
    /// `droplet_poll_callback`). Ignored by a get.
    pub on_poll: droplet_poll_callback,
    /// Handed to `on_poll` as is; the library never reads it.
    pub on_poll_userdata: *mut c_void,
}

/// What a wait reports after each request, to `droplet_call_options.on_poll`: the
/// response's action status, or the failure a retry answers. Valid only during the
/// callback (copy what you keep).
#[repr(C)]
#[derive(Debug)]
#[allow(non_camel_case_types)]
pub struct droplet_poll_event {
    /// `sizeof(droplet_poll_event)` as this library fills it: a later version may add
    /// fields after the last, never before.
    pub size: usize,
    /// The droplet.
    pub droplet_id: i64,
    /// The action.
    pub action_id: i64,
    /// The action's status in the response (`UNKNOWN` when absent or not one of the three).
    pub status: DropletActionStatus,
    /// The status as sent, NUL-terminated; NULL when absent.
    pub status_text: *const c_char,
    /// The response's HTTP status; 0 when none came (the connection failed or the request
    /// timed out).
    pub http_status: u16,
    /// Time since the wait started, in ms.
    pub elapsed_ms: u64,
    /// Polls so far, this one included.
    pub polls: u32,
    /// Requests so far (retries included).
    pub requests: u32,
    /// Whether the wait goes on: then the next poll is due in `next_poll_in_ms`.
    pub more: bool,
    /// Time until the next poll, in ms (0 when `more` is false).
    pub next_poll_in_ms: u64,
}

/// A C function that receives each poll of a wait: `userdata` as given in the options and
/// the poll's event, valid only during the call. It runs on the thread that waits (the
/// caller of `droplet_action_wait_with_options` or `droplet_action_wait_many`, or of
/// `droplet_waiter_feed` or `droplet_waiter_send` for a sans-IO waiter), after each
/// request that was sent, before the wait goes on: a slow callback delays the next poll.
#[allow(non_camel_case_types)]
pub type droplet_poll_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, event: *const droplet_poll_event)>;

/// The caller's poll callback and its pointer.
#[derive(Clone, Copy)]
struct PollTarget {
    callback: unsafe extern "C" fn(userdata: *mut c_void, event: *const droplet_poll_event),
    userdata: *mut c_void,
}

// SAFETY: the caller promises, by the options' contract, that the callback may be called
// with `userdata` on the thread that waits; the library never dereferences `userdata`.
unsafe impl Send for PollTarget {}
// SAFETY: as above.
unsafe impl Sync for PollTarget {}

impl PollTarget {
    fn call(&self, event: &PollEvent) {
        let text = event
            .status
            .as_ref()
            .and_then(|status| CString::new(status.as_str()).ok());
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let out = droplet_poll_event {
            size: std::mem::size_of::<droplet_poll_event>(),
            droplet_id: event.droplet_id,
            action_id: event.action_id,
            status: c_action_status(event.status.as_ref()),
            status_text: text.as_ref().map_or(std::ptr::null(), |t| t.as_ptr()),
            http_status: event.http_status.unwrap_or(0),
            elapsed_ms: ms(event.elapsed),
            polls: event.polls,
            requests: event.requests,
            more: event.next_poll_in.is_some(),
            next_poll_in_ms: event.next_poll_in.map_or(0, ms),
        };
        // SAFETY: a function the caller gave for this call, with its own pointer.
        unsafe { (self.callback)(self.userdata, &out) };
    }
}

/// What the library read from a caller's `droplet_call_options`.
#[derive(Default, Clone)]
pub(crate) struct CallOptions {
    pub(crate) cancel: Option<CancelToken>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) poll_interval: Option<Duration>,
    pub(crate) on_poll: Option<PollHook>,
}

/// Reads a caller's options: NULL means none; a `size` smaller than the first version of
/// the struct, or bytes past the fields this library knows that are not zero (a newer
/// caller asking for something this library cannot do), are refused.
///
/// # Safety
/// `options` is NULL or points to `size` readable bytes whose first fields follow
/// `droplet_call_options`, and its `cancel` is NULL or a live token.
pub(crate) unsafe fn read_options(
    options: *const droplet_call_options,
) -> Result<CallOptions, String> {
    if options.is_null() {
        return Ok(CallOptions::default());
    }
    // SAFETY: not NULL; the caller's struct starts with `size`, by this function's contract.
    let size = unsafe { options.cast::<usize>().read_unaligned() };
    // The first version ended after `poll_interval_ms`, padded to the pointer's alignment.
    let first = (offset_of!(droplet_call_options, poll_interval_ms) + 4)
        .next_multiple_of(std::mem::align_of::<droplet_call_options>());
    let known = std::mem::size_of::<droplet_call_options>();
    if size < known && size != first {
        return Err(format!(
            "invalid argument: droplet_call_options.size is {size}, neither the {first} \
             bytes of its first version nor at least the {known} of this one (set it to \
             sizeof(droplet_call_options))"
        ));
    }
    if size > known {
        // SAFETY: the caller's struct has `size` readable bytes.
        let tail =
            unsafe { std::slice::from_raw_parts(options.cast::<u8>().add(known), size - known) };
        if tail.iter().any(|&byte| byte != 0) {
            return Err(
                "invalid argument: droplet_call_options holds settings this version of the \
                 library does not know"
                    .to_owned(),
            );
        }
    }
    // The fields the caller's version has; the rest read as zero.
    let mut read = droplet_call_options {
        size,
        cancel: std::ptr::null(),
        timeout_ms: 0,
        poll_interval_ms: 0,
        on_poll: None,
        on_poll_userdata: std::ptr::null_mut(),
    };
    // SAFETY: `size.min(known)` readable bytes laid out as the start of
    // `droplet_call_options`, copied into one; every prefix of zero or more of its fields
    // is a valid value (NULL pointers, None, zero).
    unsafe {
        std::ptr::copy_nonoverlapping(
            options.cast::<u8>(),
            (&raw mut read).cast::<u8>(),
            size.min(known),
        );
    }
    // SAFETY: NULL or a live token, by this function's contract.
    let cancel = unsafe { read.cancel.as_ref() }.map(|cancel| cancel.token.clone());
    let ms = |value: u32| (value > 0).then(|| Duration::from_millis(u64::from(value)));
    let on_poll = read.on_poll.map(|callback| {
        let target = PollTarget {
            callback,
            userdata: read.on_poll_userdata,
        };
        Arc::new(move |event: &PollEvent| target.call(event)) as PollHook
    });
    Ok(CallOptions {
        cancel,
        timeout: ms(read.timeout_ms),
        poll_interval: ms(read.poll_interval_ms),
        on_poll,
    })
}
