//! The C entry points that take caller strings: `droplet_client_builder_set_token`,
//! `_set_base_url`, `_set_proxy` and `_set_user_agent`, then `droplet_client_builder_build`
//! and `droplet_client_free`. Only clients are built: nothing is ever sent.
//!
//! Input: records separated by NUL bytes, exactly the C strings a caller could pass (any
//! bytes but NUL, UTF-8 or not). A record's first byte picks the call, the rest is its
//! string:
//!
//! | byte | call |
//! |---|---|
//! | `t` `u` `p` `a` | set the token, base URL, proxy, user agent to the rest |
//! | `T` `U` `P` `A` | the same calls with a NULL string |
//! | `i` | `set_allow_insecure_http`, true when the rest is non-empty |
//! | `b` | build now (then free the client) and start a new builder |
//! | other | ignored |
//!
//! The builder is built at the end. Every call must answer `OK` or `INVALID_ARGUMENT`,
//! never `PANIC`; a setter must refuse exactly what the documentation says it refuses and
//! leave the builder as it was; a build without a proxy must succeed exactly when a token
//! was accepted and the base URL is https, loopback, or allowed to be plain http.
#![no_main]

use std::ffi::{CString, c_char};
use std::ptr;

use droplet_action::{
    DropletStatus, droplet_client_builder, droplet_client_builder_build,
    droplet_client_builder_new, droplet_client_builder_set_allow_insecure_http,
    droplet_client_builder_set_base_url, droplet_client_builder_set_proxy,
    droplet_client_builder_set_token, droplet_client_builder_set_user_agent, droplet_client_free,
};
use droplet_action_model::{BaseUrl, DEFAULT_BASE_URL, Token};
use libfuzzer_sys::fuzz_target;

type Setter = unsafe extern "C" fn(*mut droplet_client_builder, *const c_char) -> DropletStatus;

/// What the builder should hold, as far as these calls can tell.
struct Expected {
    token: bool,
    base_url: BaseUrl,
    insecure_http: bool,
    proxy: bool,
}

impl Expected {
    fn new() -> Self {
        Self {
            token: false,
            base_url: BaseUrl::parse(DEFAULT_BASE_URL).unwrap(),
            insecure_http: false,
            proxy: false,
        }
    }

    fn buildable(&self) -> bool {
        self.token
            && (self.base_url.is_https() || self.base_url.is_loopback() || self.insecure_http)
    }
}

/// Builds, checks and frees; leaves a fresh builder behind.
fn build(builder: &mut *mut droplet_client_builder, expected: &mut Expected) {
    let mut client = ptr::null_mut();
    // SAFETY: a live builder, handed over and never used again; `client` is writable.
    let status = unsafe { droplet_client_builder_build(*builder, &mut client) };
    match status {
        DropletStatus::Ok => assert!(!client.is_null()),
        DropletStatus::InvalidArgument => assert!(client.is_null()),
        other => panic!("droplet_client_builder_build answered {other:?}"),
    }
    // A proxy URL is checked by the HTTP stack at build time only.
    if !expected.proxy {
        assert_eq!(
            status == DropletStatus::Ok,
            expected.buildable(),
            "token set: {}, base URL {:?}, insecure http allowed: {}",
            expected.token,
            expected.base_url.as_str(),
            expected.insecure_http,
        );
    }
    // SAFETY: NULL or the client just built, freed once.
    unsafe { droplet_client_free(client) };
    *builder = droplet_client_builder_new();
    assert!(!builder.is_null());
    *expected = Expected::new();
}

fuzz_target!(|data: &[u8]| {
    let mut builder = droplet_client_builder_new();
    assert!(!builder.is_null());
    let mut expected = Expected::new();
    for record in data.split(|&b| b == 0) {
        let Some((&op, rest)) = record.split_first() else {
            continue;
        };
        let text = std::str::from_utf8(rest).ok();
        let (setter, accepted): (Setter, bool) = match op.to_ascii_lowercase() {
            b't' => {
                let ok = text.is_some_and(|t| Token::new(t).is_ok());
                (droplet_client_builder_set_token, ok)
            }
            b'u' => {
                let ok = text.is_some_and(|t| BaseUrl::parse(t).is_ok());
                (droplet_client_builder_set_base_url, ok)
            }
            b'a' => {
                let ok = text.is_some_and(|t| !t.bytes().any(|c| c.is_ascii_control()));
                (droplet_client_builder_set_user_agent, ok)
            }
            b'p' => (droplet_client_builder_set_proxy, text.is_some()),
            b'i' => {
                // SAFETY: a live builder.
                let status = unsafe {
                    droplet_client_builder_set_allow_insecure_http(builder, !rest.is_empty())
                };
                assert_eq!(status, DropletStatus::Ok);
                expected.insecure_http = !rest.is_empty();
                continue;
            }
            b'b' => {
                build(&mut builder, &mut expected);
                continue;
            }
            _ => continue,
        };
        let null = op.is_ascii_uppercase();
        let accepted = accepted && !null;
        let string = CString::new(rest).expect("a record holds no NUL");
        let arg = if null { ptr::null() } else { string.as_ptr() };
        // SAFETY: a live builder, and NULL or a NUL-terminated string that outlives the call.
        let status = unsafe { setter(builder, arg) };
        let want = if accepted {
            DropletStatus::Ok
        } else {
            DropletStatus::InvalidArgument
        };
        assert_eq!(
            status,
            want,
            "call {:?} with {:?}",
            op as char,
            String::from_utf8_lossy(rest)
        );
        if accepted {
            match op {
                b't' => expected.token = true,
                b'u' => expected.base_url = BaseUrl::parse(text.unwrap()).unwrap(),
                b'p' => expected.proxy = true,
                _ => {}
            }
        }
    }
    build(&mut builder, &mut expected);
    // SAFETY: the fresh builder `build` left behind, not used again.
    unsafe { droplet_action::droplet_client_builder_free(builder) };
});
