//! Sans-IO: the request to send and the classification of its answer, for callers that
//! bring their own HTTP stack. The decisions are the ones `droplet_action_get` makes.

use std::ffi::{CString, c_char, c_void};
use std::ptr;

use droplet_action_model::{
    ActionId, ActionRequest, BaseUrl, DropletId, MAX_RESPONSE_HEADER_BYTES, MAX_RESPONSE_HEADERS,
    RetryAdvice, RetryPolicy, Token, unit_from_random,
};
use droplet_action_transport::{
    ActionResponse, DEFAULT_BODY_LIMIT, DEFAULT_USER_AGENT, Error, response_from_parts,
};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::boundary::{ffi_boundary, str_arg};
use crate::client::set_last_error;
use crate::result::{Outcome, droplet_action_result, extra_of, panic_result};
use crate::status::DropletStatus;

/// One HTTP header: NUL-terminated name and value.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct droplet_header {
    /// The header name (`"authorization"`).
    pub name: *const c_char,
    /// The header value.
    pub value: *const c_char,
}

/// An HTTP request to send, built by `droplet_request_build`. Everything in it belongs to
/// the library until `droplet_request_free`.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct droplet_request {
    /// `"GET"`.
    pub method: *const c_char,
    /// The absolute URL.
    pub url: *const c_char,
    /// `headers_len` headers to send, the bearer token among them.
    pub headers: *const droplet_header,
    /// The number of entries in `headers`.
    pub headers_len: usize,
    /// Library-internal: owns the memory of this request. Do not read or change it.
    pub internal: *mut c_void,
}

struct RequestStorage {
    _strings: Vec<CString>,
    headers: Vec<droplet_header>,
}

/// Builds the request `droplet_action_get` would send first: method, absolute URL and
/// headers (`authorization: Bearer <token>`, `accept`, `user-agent`). `base_url` NULL means
/// `https://api.digitalocean.com`. Plain `http` is refused for a host that is not loopback.
/// On success `*out` is filled (free it with `droplet_request_free`); on failure
/// `INVALID_ARGUMENT`, `*out` untouched, and `droplet_last_error_message` says why.
/// The request holds the token: do not log it.
///
/// # Safety
/// `base_url` and `token` are NULL or NUL-terminated strings; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_request_build(
    base_url: *const c_char,
    token: *const c_char,
    droplet_id: i64,
    action_id: i64,
    out: *mut droplet_request,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        if out.is_null() {
            set_last_error("request_build: out is NULL");
            return DropletStatus::InvalidArgument;
        }
        // SAFETY: forwarded from this function's contract.
        match unsafe { build(base_url, token, droplet_id, action_id) } {
            Err(message) => {
                set_last_error(&format!("request_build: {message}"));
                DropletStatus::InvalidArgument
            }
            Ok(request) => {
                // SAFETY: not NULL and writable, by this function's contract.
                unsafe { out.write(request) };
                DropletStatus::Ok
            }
        }
    })
}

/// # Safety
/// As `droplet_request_build`.
unsafe fn build(
    base_url: *const c_char,
    token: *const c_char,
    droplet_id: i64,
    action_id: i64,
) -> Result<droplet_request, String> {
    let base = if base_url.is_null() {
        BaseUrl::default()
    } else {
        // SAFETY: a NUL-terminated string, by the caller's contract.
        let text = unsafe { str_arg(base_url) }.map_err(|_| "base_url is not UTF-8")?;
        BaseUrl::parse(text).map_err(|e| e.to_string())?
    };
    if !base.is_https() && !base.is_loopback() {
        return Err(format!(
            "refusing plain http to {}: the token would travel unencrypted",
            base.host()
        ));
    }
    // SAFETY: NULL or a NUL-terminated string, by the caller's contract.
    let token = unsafe { str_arg(token) }.map_err(|_| "token is NULL or not UTF-8")?;
    let token = Token::new(token).map_err(|e| e.to_string())?;
    let request = ActionRequest::new(
        DropletId::new(droplet_id).map_err(|e| e.to_string())?,
        ActionId::new(action_id).map_err(|e| e.to_string())?,
    );
    let http = request.to_http(&base, &token, &HeaderValue::from_static(DEFAULT_USER_AGENT));
    let cstring = |text: &[u8]| CString::new(text).map_err(|_| "a NUL byte in the request");
    let mut strings = vec![
        cstring(http.method().as_str().as_bytes())?,
        cstring(http.uri().to_string().as_bytes())?,
    ];
    for (name, value) in http.headers() {
        strings.push(cstring(name.as_str().as_bytes())?);
        strings.push(cstring(value.as_bytes())?);
    }
    let headers = strings[2..]
        .chunks(2)
        .map(|pair| droplet_header {
            name: pair[0].as_ptr(),
            value: pair[1].as_ptr(),
        })
        .collect::<Vec<_>>();
    let storage = Box::new(RequestStorage {
        headers,
        _strings: strings,
    });
    let request = droplet_request {
        method: storage._strings[0].as_ptr(),
        url: storage._strings[1].as_ptr(),
        headers: storage.headers.as_ptr(),
        headers_len: storage.headers.len(),
        internal: Box::into_raw(storage).cast(),
    };
    Ok(request)
}

/// Frees what a request owns and zeroes it, so a second call on the same struct does
/// nothing. Accepts NULL.
///
/// # Safety
/// `request` is NULL or points to a request filled by `droplet_request_build` (or already
/// freed by this function), not changed by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_request_free(request: *mut droplet_request) {
    ffi_boundary!((), {
        // SAFETY: NULL or a request, by this function's contract.
        let Some(request) = (unsafe { request.as_mut() }) else {
            return;
        };
        let internal = std::mem::replace(&mut request.internal, ptr::null_mut());
        if !internal.is_null() {
            // SAFETY: made by `Box::into_raw` in `build`, replaced by NULL above: freed once.
            drop(unsafe { Box::from_raw(internal.cast::<RequestStorage>()) });
        }
        request.method = ptr::null();
        request.url = ptr::null();
        request.headers = ptr::null();
        request.headers_len = 0;
    })
}

/// Classifies an answer received by the caller's own HTTP stack exactly as
/// `droplet_action_get` classifies one it received: `OK` with the action, `API_ERROR`
/// (with `error_id`, `request_id`, `rate_limit`), `DECODE`, or `BODY_TOO_LARGE` above the
/// default 4 MiB limit. `attempts` is 0. Header names are matched without regard to case;
/// a header whose name or value is not valid HTTP is ignored. `DECODE` for more than 128
/// header fields or more than 64 KiB of them (names, values, `: ` and line ends), as the
/// transport reads no more. `INVALID_ARGUMENT` when
/// `headers` is NULL with `headers_len` > 0, a name or value is NULL, or `body` is NULL
/// with `body_len` > 0. Free the result with `droplet_action_result_free`.
///
/// # Safety
/// `headers` is NULL or points to `headers_len` headers of NUL-terminated strings; `body`
/// is NULL or points to `body_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_response_parse(
    http_status: u16,
    headers: *const droplet_header,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
) -> droplet_action_result {
    ffi_boundary!(panic_result(), {
        // SAFETY: forwarded from this function's contract.
        match unsafe { read_response(http_status, headers, headers_len, body, body_len) } {
            Read::Answer(Ok(answer)) => Outcome::from_answer(&answer).into_result(),
            Read::Answer(Err(error)) => Outcome::from_error(&error).into_result(),
            Read::Refused(status, message) => Outcome::rejected(status, message).into_result(),
        }
    })
}

/// What a caller's answer holds, read as the transport reads one. Short-lived and moved
/// once: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Read {
    /// The answer: an action, or the error it stands for.
    Answer(Result<ActionResponse, Error>),
    /// Refused: `INVALID_ARGUMENT` for the caller's pointers, `DECODE` beyond the limits.
    Refused(DropletStatus, String),
}

/// Reads a caller's answer: status, headers and body, within the transport's limits.
///
/// # Safety
/// As `droplet_response_parse`.
pub(crate) unsafe fn read_response(
    http_status: u16,
    headers: *const droplet_header,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
) -> Read {
    let rejected =
        |message: &str| Read::Refused(DropletStatus::InvalidArgument, message.to_owned());
    if headers.is_null() && headers_len > 0 {
        return rejected("invalid argument: headers is NULL");
    }
    if body.is_null() && body_len > 0 {
        return rejected("invalid argument: body is NULL");
    }
    // The transport reads no more headers, nor header bytes, than these.
    if headers_len > MAX_RESPONSE_HEADERS {
        return Read::Refused(
            DropletStatus::Decode,
            format!(
                "the answer has {headers_len} header fields, more than the \
                     {MAX_RESPONSE_HEADERS} accepted"
            ),
        );
    }
    let pairs = if headers_len == 0 {
        &[][..]
    } else {
        // SAFETY: `headers_len` headers, by this function's contract.
        unsafe { std::slice::from_raw_parts(headers, headers_len) }
    };
    let mut map = HeaderMap::with_capacity(pairs.len());
    let mut header_bytes = 0usize;
    for pair in pairs {
        if pair.name.is_null() || pair.value.is_null() {
            return rejected("invalid argument: a header name or value is NULL");
        }
        // SAFETY: NUL-terminated strings, by this function's contract.
        let (name, value) = unsafe {
            (
                std::ffi::CStr::from_ptr(pair.name),
                std::ffi::CStr::from_ptr(pair.value),
            )
        };
        // Each field as sent: the name, ": ", the value and its line end.
        header_bytes = header_bytes
            .saturating_add(name.to_bytes().len())
            .saturating_add(value.to_bytes().len())
            .saturating_add(4);
        if header_bytes > MAX_RESPONSE_HEADER_BYTES {
            return Read::Refused(
                DropletStatus::Decode,
                format!(
                    "the answer's header fields take more than the \
                         {MAX_RESPONSE_HEADER_BYTES} bytes accepted"
                ),
            );
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.to_bytes()),
            HeaderValue::from_bytes(value.to_bytes()),
        ) {
            map.append(name, value);
        }
    }
    let body = if body_len == 0 {
        &[][..]
    } else {
        // SAFETY: `body_len` readable bytes, by this function's contract.
        unsafe { std::slice::from_raw_parts(body, body_len) }
    };
    if u64::try_from(body.len()).unwrap_or(u64::MAX) > DEFAULT_BODY_LIMIT {
        let error = droplet_action_transport::Error::BodyTooLarge {
            limit: DEFAULT_BODY_LIMIT,
            details: Box::new(droplet_action_transport::ResponseDetails {
                meta: droplet_action_model::ResponseMeta::new(http_status, &map),
                attempts: 0,
                body: Vec::new(),
            }),
        };
        return Read::Answer(Err(error));
    }
    Read::Answer(response_from_parts(http_status, &map, body.to_vec()))
}

/// The retry policy as data: whether the request that gave `result` (attempt number
/// `attempt`, from 1) should be sent again, and after how long. True, with
/// `*delay_ms_out` set, for a connection failure, timeout, 408, 429 or 5xx while
/// `attempt <= max_retries`: the delay is what the server asked for (`retry-after`, or a
/// spent rate limit's reset on a 429), else a backoff from 200 ms doubling to 5 s with full
/// jitter drawn from `random` (any 64-bit random number). False, `*delay_ms_out`
/// untouched, for success, any other status, exhausted retries, a server asking for more
/// than 60 s, or NULL `result`/`delay_ms_out`. The same rules as `droplet_action_get`
/// with the default settings and `max_retries`.
///
/// # Safety
/// `result` is NULL or a result from this library, not freed; `delay_ms_out` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_retry_advice(
    result: *const droplet_action_result,
    attempt: u32,
    max_retries: u32,
    random: u64,
    delay_ms_out: *mut u64,
) -> bool {
    ffi_boundary!(false, {
        if delay_ms_out.is_null() {
            return false;
        }
        // SAFETY: forwarded from this function's contract.
        let Some(extra) = (unsafe { extra_of(result) }) else {
            return false;
        };
        let policy = RetryPolicy {
            max_retries,
            ..RetryPolicy::default()
        };
        let server_delay = extra
            .meta
            .as_ref()
            .and_then(|meta| meta.server_delay(jiff::Timestamp::now()));
        match policy.advise(
            attempt.max(1),
            extra.retryable,
            server_delay,
            unit_from_random(random),
        ) {
            RetryAdvice::RetryAfter(delay) => {
                let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
                // SAFETY: not NULL and writable, by this function's contract.
                unsafe { delay_ms_out.write(ms) };
                true
            }
            _ => false,
        }
    })
}
