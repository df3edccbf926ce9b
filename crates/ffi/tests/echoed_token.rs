//! The header's promise that `error_message` never holds the token, and the log
//! callback's that no message does, hold even when a server echoes the token back.

use std::ffi::{CStr, CString, c_char, c_void};
use std::sync::Mutex;

use droplet_action::{
    DropletStatus, droplet_action_get, droplet_action_result_free, droplet_client_builder_build,
    droplet_client_builder_new, droplet_client_builder_set_base_url,
    droplet_client_builder_set_log_callback, droplet_client_builder_set_token, droplet_client_free,
};

const TOKEN: &str = "dop_v1_echoed_secret";

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

unsafe extern "C" fn collect(_: *mut c_void, _: u32, message: *const c_char) {
    // SAFETY: a NUL-terminated message valid during the call.
    let message = unsafe { CStr::from_ptr(message) };
    LINES
        .lock()
        .unwrap()
        .push(message.to_string_lossy().into_owned());
}

fn text(ptr: *const c_char) -> String {
    assert!(!ptr.is_null());
    // SAFETY: a NUL-terminated string inside a live result.
    unsafe { CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn an_echoed_token_never_reaches_the_result_text_or_the_log() {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = CString::new(format!("http://{}", server.server_addr().to_ip().unwrap())).unwrap();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let body =
                format!(r#"{{"id":"not_found {TOKEN}","message":"bad token Bearer {TOKEN}"}}"#);
            let echo =
                tiny_http::Header::from_bytes("x-request-id", format!("Bearer {TOKEN}")).unwrap();
            let _ = request.respond(
                tiny_http::Response::from_string(body)
                    .with_status_code(404)
                    .with_header(echo),
            );
        }
    });
    let token = CString::new(TOKEN).unwrap();
    let builder = droplet_client_builder_new();
    let mut client = std::ptr::null_mut();
    // SAFETY: live strings and a live builder; the client and result are freed once.
    unsafe {
        assert_eq!(
            droplet_client_builder_set_token(builder, token.as_ptr()),
            DropletStatus::Ok
        );
        assert_eq!(
            droplet_client_builder_set_base_url(builder, url.as_ptr()),
            DropletStatus::Ok
        );
        assert_eq!(
            droplet_client_builder_set_log_callback(
                builder,
                Some(collect),
                std::ptr::null_mut(),
                4
            ),
            DropletStatus::Ok
        );
        assert_eq!(
            droplet_client_builder_build(builder, &mut client),
            DropletStatus::Ok
        );
        let mut result = droplet_action_get(client, 1, 2);
        assert_eq!(result.status, DropletStatus::ApiError);
        assert_eq!(text(result.error_id), "not_found <redacted>");
        assert_eq!(text(result.request_id), "Bearer <redacted>");
        let message = text(result.error_message);
        assert!(message.contains("bad token Bearer <redacted>"), "{message}");
        assert!(!message.contains(TOKEN), "{message}");
        droplet_action_result_free(&mut result);
        droplet_client_free(client);
    }
    let lines = LINES.lock().unwrap();
    assert_eq!(lines.len(), 2, "{lines:?}");
    for line in lines.iter() {
        assert!(!line.contains(TOKEN), "{line}");
    }
}
