//! The C side of a call on the documented example: laying out and freeing the C result,
//! next to parsing the same body (the step it must cost less than), and a full
//! `droplet_action_get` against the mock server on a kept-alive connection.
//!
//! Run with `cargo bench -p droplet-action-ffi --bench result`.

use std::ffi::CString;

use droplet_action::{
    DropletStatus, droplet_action_get, droplet_action_result_free, droplet_client_builder_build,
    droplet_client_builder_new, droplet_client_builder_set_base_url,
    droplet_client_builder_set_token, droplet_client_free, result_from_answer,
};
use droplet_action_mock::MockServer;
use droplet_action_mock::scenario::{DOCUMENTED_ACTION, DOCUMENTED_DROPLET};
use droplet_action_model::{DOCUMENTED_ACTION_JSON, ResponseMeta, parse_action};
use droplet_action_transport::ActionResponse;

fn main() {
    divan::main();
}

/// Parsing the documented body into an `Action`: the reference for the next one.
#[divan::bench]
fn parse_body() -> droplet_action_model::Action {
    parse_action(divan::black_box(DOCUMENTED_ACTION_JSON.as_bytes())).unwrap()
}

/// Laying out the C result of the documented answer (body copy, strings, region lists)
/// and freeing it.
#[divan::bench]
fn build_and_free_result(bencher: divan::Bencher<'_, '_>) {
    let body = DOCUMENTED_ACTION_JSON.as_bytes().to_vec();
    let answer = ActionResponse {
        action: parse_action(&body).unwrap(),
        meta: ResponseMeta {
            status: 200,
            rate_limit: None,
            request_id: Some("0fe9b1d0-4f4b-4a1e-9a53-6f1c2b9d7e31".to_owned()),
            retry_after: None,
        },
        attempts: 1,
        polls: 0,
        body,
    };
    bencher.bench_local(|| {
        let mut result = result_from_answer(divan::black_box(&answer));
        // SAFETY: a result from this library, freed once.
        unsafe { droplet_action_result_free(&mut result) };
        result.status
    });
}

/// `droplet_action_get` on one client against the mock server: request, answer, parse
/// and C result, freed each time.
#[divan::bench(sample_count = 100, sample_size = 20)]
fn get_keep_alive(bencher: divan::Bencher<'_, '_>) {
    let server = MockServer::start().expect("the mock server starts");
    let url = CString::new(server.base_url()).unwrap();
    let token = CString::new(droplet_action_mock::DEFAULT_TOKEN).unwrap();
    let mut client = std::ptr::null_mut();
    let builder = droplet_client_builder_new();
    // SAFETY: the builder comes from this library and the strings are live CStrings.
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
            droplet_client_builder_build(builder, &mut client),
            DropletStatus::Ok
        );
    }
    bencher.bench_local(|| {
        // SAFETY: a live client; the result is freed once.
        unsafe {
            let mut result = droplet_action_get(client, DOCUMENTED_DROPLET, DOCUMENTED_ACTION);
            assert_eq!(result.status, DropletStatus::Ok);
            assert_eq!((*result.action).id, DOCUMENTED_ACTION);
            droplet_action_result_free(&mut result);
        }
    });
    // SAFETY: the live client, not used again.
    unsafe { droplet_client_free(client) };
}
