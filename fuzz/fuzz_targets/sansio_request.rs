//! `droplet_request_build` and `droplet_request_free`: the request a binding with its own
//! HTTP stack sends, from caller strings and ids.
//!
//! Input: 17 bytes that `arbitrary` turns into the two ids (any `i64`) and a byte of flags
//! (bit 0: `base_url` NULL, bit 1: `token` NULL, bit 2: `out` NULL), then the base URL, a
//! NUL byte, and the token (up to the next NUL), any bytes, UTF-8 or not.
//!
//! The call must succeed exactly when the base URL (the default when NULL) is valid and
//! https or loopback, the token is valid and both ids are at least 1; then the request must
//! be the one the model builds (method, URL, headers), and freeing it twice must be safe.
//! On failure `out` is untouched and `droplet_last_error_message` says why, without the
//! token or the URL's credentials. No panic may happen, not even one the boundary catches.
#![no_main]

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use arbitrary::{Arbitrary, Unstructured};
use droplet_action::{
    DropletStatus, droplet_last_error_message, droplet_request, droplet_request_build,
    droplet_request_free,
};
use droplet_action_fuzz::{Secrets, abort_on_every_panic};
use droplet_action_model::{ActionId, ActionRequest, BaseUrl, DropletId, Token};
use droplet_action_transport::DEFAULT_USER_AGENT;
use http::HeaderValue;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Call {
    droplet_id: i64,
    action_id: i64,
    flags: u8,
}

/// A request no call has filled: every field is checked to be untouched after a failure.
fn untouched() -> droplet_request {
    droplet_request {
        method: ptr::null(),
        url: ptr::null(),
        headers: ptr::null(),
        headers_len: usize::MAX,
        internal: ptr::null_mut(),
    }
}

/// Reads a C string of the request.
///
/// # Safety
/// `ptr` points at a NUL-terminated string of a live request.
unsafe fn text<'a>(ptr: *const c_char) -> &'a str {
    assert!(!ptr.is_null());
    // SAFETY: by this function's contract.
    unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .expect("C strings are UTF-8")
}

fuzz_target!(|data: &[u8]| {
    abort_on_every_panic();
    let mut input = Unstructured::new(data);
    let Ok(call) = Call::arbitrary(&mut input) else {
        return;
    };
    let rest = input.take_rest();
    let (base_bytes, token_bytes) = match rest.iter().position(|&b| b == 0) {
        Some(nul) => {
            let token = &rest[nul + 1..];
            let end = token.iter().position(|&b| b == 0).unwrap_or(token.len());
            (&rest[..nul], &token[..end])
        }
        None => (rest, &[][..]),
    };
    let base_c = CString::new(base_bytes).unwrap();
    let token_c = CString::new(token_bytes).unwrap();
    let base_null = call.flags & 1 != 0;
    let token_null = call.flags & 2 != 0;
    let out_null = call.flags & 4 != 0;

    let mut secrets = Secrets::default();
    if !base_null {
        secrets.url(&String::from_utf8_lossy(base_bytes));
    }
    if !token_null {
        secrets.token(&String::from_utf8_lossy(token_bytes));
    }
    let expected = (|| {
        if out_null {
            return None;
        }
        let base = if base_null {
            BaseUrl::default()
        } else {
            BaseUrl::parse(std::str::from_utf8(base_bytes).ok()?).ok()?
        };
        if !base.is_https() && !base.is_loopback() {
            return None;
        }
        let token = if token_null {
            return None;
        } else {
            Token::new(std::str::from_utf8(token_bytes).ok()?).ok()?
        };
        let request = ActionRequest::new(
            DropletId::new(call.droplet_id).ok()?,
            ActionId::new(call.action_id).ok()?,
        );
        Some(request.to_http(&base, &token, &HeaderValue::from_static(DEFAULT_USER_AGENT)))
    })();

    let mut out = untouched();
    let out_ptr: *mut droplet_request = if out_null { ptr::null_mut() } else { &mut out };
    // SAFETY: NULL or NUL-terminated strings that outlive the call; `out_ptr` NULL or
    // writable.
    let status = unsafe {
        droplet_request_build(
            if base_null {
                ptr::null()
            } else {
                base_c.as_ptr()
            },
            if token_null {
                ptr::null()
            } else {
                token_c.as_ptr()
            },
            call.droplet_id,
            call.action_id,
            out_ptr,
        )
    };
    match (status, expected) {
        (DropletStatus::Ok, Some(expected)) => {
            // SAFETY: a request just filled, read before it is freed.
            unsafe {
                assert_eq!(text(out.method), expected.method().as_str());
                assert_eq!(text(out.url), expected.uri().to_string());
                assert!(!out.internal.is_null());
                let headers = std::slice::from_raw_parts(out.headers, out.headers_len);
                let got: Vec<(&str, &[u8])> = headers
                    .iter()
                    .map(|h| (text(h.name), CStr::from_ptr(h.value).to_bytes()))
                    .collect();
                let want: Vec<(&str, &[u8])> = expected
                    .headers()
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.as_bytes()))
                    .collect();
                assert_eq!(got, want);
                droplet_request_free(&mut out);
                assert!(out.method.is_null() && out.url.is_null() && out.headers.is_null());
                assert_eq!(out.headers_len, 0);
                assert!(out.internal.is_null());
                // A second free does nothing, as the header promises; so does NULL.
                droplet_request_free(&mut out);
                droplet_request_free(ptr::null_mut());
            }
        }
        (DropletStatus::InvalidArgument, None) => {
            let fresh = untouched();
            assert!(out.method == fresh.method && out.url == fresh.url);
            assert!(out.headers == fresh.headers && out.headers_len == fresh.headers_len);
            assert!(out.internal == fresh.internal);
            // SAFETY: never NULL; valid until the next builder call on this thread.
            let message = unsafe { CStr::from_ptr(droplet_last_error_message()) }
                .to_str()
                .expect("the message is UTF-8");
            assert!(message.starts_with("request_build: "), "{message:?}");
            secrets.check(message);
        }
        (status, expected) => panic!(
            "droplet_request_build answered {status:?}, expected {}",
            if expected.is_some() {
                "OK"
            } else {
                "INVALID_ARGUMENT"
            }
        ),
    }
});
