//! `droplet_response_parse` reads no more header fields, nor header bytes, than the
//! transport does: beyond them it answers `DECODE`, never a panic.

use std::ffi::{CStr, CString, c_char};

use droplet_action::{
    DropletStatus, droplet_action_result, droplet_action_result_free, droplet_header,
    droplet_response_parse,
};
use droplet_action_model::{
    DOCUMENTED_ACTION_JSON, MAX_RESPONSE_HEADER_BYTES, MAX_RESPONSE_HEADERS,
};

fn text(ptr: *const c_char) -> Option<String> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: a NUL-terminated string of a live result.
    let text = unsafe { CStr::from_ptr(ptr) };
    Some(text.to_string_lossy().into_owned())
}

/// Parses the documented body with these headers; returns the status and the message.
fn parse(headers: &[(CString, CString)]) -> (DropletStatus, Option<String>) {
    let raw: Vec<droplet_header> = headers
        .iter()
        .map(|(name, value)| droplet_header {
            name: name.as_ptr(),
            value: value.as_ptr(),
        })
        .collect();
    let body = DOCUMENTED_ACTION_JSON.as_bytes();
    // SAFETY: `raw` points to live NUL-terminated strings; `body` to its bytes.
    let mut result: droplet_action_result =
        unsafe { droplet_response_parse(200, raw.as_ptr(), raw.len(), body.as_ptr(), body.len()) };
    let outcome = (result.status, text(result.error_message));
    // SAFETY: a result of this library, freed once.
    unsafe { droplet_action_result_free(&mut result) };
    outcome
}

fn headers(count: usize, value_len: usize) -> Vec<(CString, CString)> {
    (0..count)
        .map(|i| {
            (
                CString::new(format!("x-h{i}")).unwrap(),
                CString::new("v".repeat(value_len)).unwrap(),
            )
        })
        .collect()
}

#[test]
fn as_many_header_fields_as_the_transport_reads_are_parsed() {
    assert_eq!(MAX_RESPONSE_HEADERS, 128);
    assert_eq!(
        parse(&headers(MAX_RESPONSE_HEADERS, 8)),
        (DropletStatus::Ok, None)
    );
}

#[test]
fn more_header_fields_than_the_transport_reads_are_a_decode_error() {
    for count in [MAX_RESPONSE_HEADERS + 1, 24_577, 100_000] {
        assert_eq!(
            parse(&headers(count, 1)),
            (
                DropletStatus::Decode,
                Some(format!(
                    "the answer has {count} header fields, more than the 128 accepted"
                ))
            )
        );
    }
}

#[test]
fn more_header_bytes_than_the_transport_reads_are_a_decode_error() {
    assert_eq!(MAX_RESPONSE_HEADER_BYTES, 65_536);
    // Two fields of 32 KiB values: within the count, beyond the bytes.
    let expected = (
        DropletStatus::Decode,
        Some("the answer's header fields take more than the 65536 bytes accepted".to_owned()),
    );
    assert_eq!(parse(&headers(2, 32 * 1024)), expected);
    assert_eq!(parse(&headers(1, 70_000)), expected);
    // Just within: one field of 65,536 bytes in all.
    let name = "x-h0".len();
    assert_eq!(
        parse(&headers(1, MAX_RESPONSE_HEADER_BYTES - name - 4)),
        (DropletStatus::Ok, None)
    );
}
