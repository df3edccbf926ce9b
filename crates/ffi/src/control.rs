//! Cancellation tokens and per-call options.

use std::time::Duration;

use droplet_action_transport::CancelToken;

use crate::boundary::ffi_boundary;

/// A cancellation token. Trigger it from any thread, or from a signal handler, to end
/// every call that holds it with `DROPLET_STATUS_CANCELLED` within about 20 ms.
/// Once triggered it stays triggered: make a new one for new calls.
#[allow(non_camel_case_types)]
pub struct droplet_cancel {
    token: CancelToken,
}

/// Creates a cancellation token that is not triggered. Free it with `droplet_cancel_free`
/// once no call that holds it is running. Returns NULL only if memory runs out.
#[unsafe(no_mangle)]
pub extern "C" fn droplet_cancel_new() -> *mut droplet_cancel {
    ffi_boundary!(std::ptr::null_mut(), {
        Box::into_raw(Box::new(droplet_cancel {
            token: CancelToken::new(),
        }))
    })
}

/// Triggers the token: every call holding it ends with `DROPLET_STATUS_CANCELLED` within
/// about 20 ms, wherever it is (connecting, waiting for an answer, backing off, sleeping
/// between polls, waiting for the request budget); calls that start with it end at once.
/// Two steps are not interrupted: name resolution, and a wait for an answer through a
/// SOCKS proxy (both end at the call's timeout at the latest). Thread-safe and
/// async-signal-safe (one atomic store; no lock, no allocation). Does nothing for NULL.
///
/// # Safety
/// `cancel` is NULL or a live token from `droplet_cancel_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_cancel_trigger(cancel: *const droplet_cancel) {
    // No panic boundary: nothing here can panic, and a boundary's bookkeeping is not
    // async-signal-safe.
    // SAFETY: NULL or a live token, by this function's contract.
    if let Some(cancel) = unsafe { cancel.as_ref() } {
        cancel.token.cancel();
    }
}

/// Whether the token was triggered. False for NULL. Thread-safe and async-signal-safe.
///
/// # Safety
/// `cancel` is NULL or a live token from `droplet_cancel_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_cancel_is_triggered(cancel: *const droplet_cancel) -> bool {
    // SAFETY: NULL or a live token, by this function's contract.
    unsafe { cancel.as_ref() }.is_some_and(|cancel| cancel.token.is_cancelled())
}

/// Frees a token. Accepts NULL. No call holding it may be running, and it may not be
/// triggered afterwards (a signal handler included): the pointer is gone.
///
/// # Safety
/// `cancel` is NULL or a live token from `droplet_cancel_new`, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_cancel_free(cancel: *mut droplet_cancel) {
    ffi_boundary!((), {
        if !cancel.is_null() {
            // SAFETY: a live token handed back by the caller, freed once.
            drop(unsafe { Box::from_raw(cancel) });
        }
    })
}

/// Options for one call. Zeroed fields mean "the client's setting"; set `size` to
/// `sizeof(droplet_call_options)` so that a later, larger version of this struct can tell
/// what the caller knows about.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct droplet_call_options {
    /// `sizeof(droplet_call_options)` as the caller compiled it.
    pub size: usize,
    /// A token that ends the call when triggered, or NULL: not cancellable. The token must
    /// live until the call returns.
    pub cancel: *const droplet_cancel,
    /// A get: the longest the whole call may take, retries and pauses included (0: each
    /// attempt has the client's timeout). A wait: its deadline (0: 600000, ten minutes).
    pub timeout_ms: u32,
    /// Waits only: the pause between polls (0: 3000).
    pub poll_interval_ms: u32,
}

/// What the library read from a caller's `droplet_call_options`.
#[derive(Debug, Default, Clone)]
pub(crate) struct CallOptions {
    pub(crate) cancel: Option<CancelToken>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) poll_interval: Option<Duration>,
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
    let known = std::mem::size_of::<droplet_call_options>();
    if size < known {
        return Err(format!(
            "invalid argument: droplet_call_options.size is {size}, less than the {known} \
             bytes of its first version (set it to sizeof(droplet_call_options))"
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
    // SAFETY: at least `known` readable bytes laid out as `droplet_call_options`.
    let options = unsafe { &*options };
    // SAFETY: NULL or a live token, by this function's contract.
    let cancel = unsafe { options.cancel.as_ref() }.map(|cancel| cancel.token.clone());
    let ms = |value: u32| (value > 0).then(|| Duration::from_millis(u64::from(value)));
    Ok(CallOptions {
        cancel,
        timeout: ms(options.timeout_ms),
        poll_interval: ms(options.poll_interval_ms),
    })
}
