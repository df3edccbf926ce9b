//! The C library against the mock's HTTPS mode: with `droplet_client_builder_set_ca_file`
//! it gets the documented action; without it the handshake fails as a TLS error before any
//! token is sent; plain http to the TLS port fails cleanly and the server goes on.

use std::ffi::{CStr, CString};

use droplet_action::{
    DropletStatus, droplet_action_get, droplet_action_result_free, droplet_client,
    droplet_client_builder_build, droplet_client_builder_new, droplet_client_builder_set_base_url,
    droplet_client_builder_set_ca_file, droplet_client_builder_set_max_retries,
    droplet_client_builder_set_token, droplet_client_free,
};
use droplet_action_mock::MockServer;

fn client(base_url: &str, ca_file: Option<&CStr>) -> *mut droplet_client {
    let url = CString::new(base_url).unwrap();
    let builder = droplet_client_builder_new();
    let mut client = std::ptr::null_mut();
    // SAFETY: a live builder and live strings; the builder is consumed by build.
    unsafe {
        assert_eq!(
            droplet_client_builder_set_token(builder, c"mock-token".as_ptr()),
            DropletStatus::Ok
        );
        assert_eq!(
            droplet_client_builder_set_base_url(builder, url.as_ptr()),
            DropletStatus::Ok
        );
        assert_eq!(
            droplet_client_builder_set_max_retries(builder, 0),
            DropletStatus::Ok
        );
        if let Some(ca) = ca_file {
            assert_eq!(
                droplet_client_builder_set_ca_file(builder, ca.as_ptr()),
                DropletStatus::Ok
            );
        }
        assert_eq!(
            droplet_client_builder_build(builder, &mut client),
            DropletStatus::Ok
        );
    }
    client
}

fn text(ptr: *const std::ffi::c_char) -> String {
    assert!(!ptr.is_null());
    // SAFETY: a NUL-terminated string inside a live result.
    unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_owned()
}

#[test]
fn the_c_library_trusts_the_mocks_ca_from_a_file_and_only_then() {
    let server = MockServer::builder().tls().start().unwrap();
    let dir = std::env::temp_dir().join(format!("droplet-ffi-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("mock-ca.pem");
    std::fs::write(&ca, server.ca_pem().unwrap()).unwrap();
    let ca = CString::new(ca.to_str().unwrap()).unwrap();

    // With the CA file: the documented action, over HTTPS.
    let trusted = client(&server.base_url(), Some(&ca));
    // SAFETY: a live client; the result is freed once.
    unsafe {
        let mut result = droplet_action_get(trusted, 3164444, 36804636);
        assert_eq!(result.status, DropletStatus::Ok);
        assert_eq!((*result.action).id, 36804636);
        assert_eq!(text((*result.action).r#type), "create");
        droplet_action_result_free(&mut result);
        droplet_client_free(trusted);
    }
    assert_eq!(server.stats().requests, 1);

    // Without it: a TLS error, and no request (so no token) reached the server.
    let untrusted = client(&server.base_url(), None);
    // SAFETY: a live client; the result is freed once.
    unsafe {
        let mut result = droplet_action_get(untrusted, 3164444, 36804636);
        assert_eq!(result.status, DropletStatus::Transport);
        assert_eq!(result.http_status, 0);
        assert_eq!(
            text(result.error_message),
            "transport error after 1 attempt(s): TLS failed: invalid peer certificate: UnknownIssuer"
        );
        droplet_action_result_free(&mut result);
        droplet_client_free(untrusted);
    }
    assert_eq!(server.stats().requests, 1);

    // Plain http to the TLS port: the server answers 400 and goes on serving.
    let plain_url = server.base_url().replacen("https://", "http://", 1);
    let plain = client(&plain_url, None);
    // SAFETY: a live client; the result is freed once.
    unsafe {
        let mut result = droplet_action_get(plain, 3164444, 36804636);
        assert_eq!(result.status, DropletStatus::ApiError);
        assert_eq!(result.http_status, 400);
        assert_eq!(text(result.error_id), "bad_request");
        droplet_action_result_free(&mut result);
        droplet_client_free(plain);
    }
    let again = client(&server.base_url(), Some(&ca));
    // SAFETY: a live client; the result is freed once.
    unsafe {
        let mut result = droplet_action_get(again, 3164444, 36804636);
        assert_eq!(result.status, DropletStatus::Ok);
        droplet_action_result_free(&mut result);
        droplet_client_free(again);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
