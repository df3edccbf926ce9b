//! The sans-IO pair makes the decisions `droplet_action_get` makes: every mock scenario is
//! fetched once by the library's client and once by another HTTP client that sends what
//! `droplet_request_build` describes and hands the answer to `droplet_response_parse`;
//! the two results agree field by field, and so does `droplet_retry_advice`.

use std::ffi::{CStr, CString, c_char};
use std::io::Read;
use std::time::Duration;

use droplet_action::{
    DropletStatus, droplet_action_get, droplet_action_result, droplet_action_result_free,
    droplet_client_builder_build, droplet_client_builder_new, droplet_client_builder_set_base_url,
    droplet_client_builder_set_max_retries, droplet_client_builder_set_token, droplet_client_free,
    droplet_header, droplet_request, droplet_request_build, droplet_request_free,
    droplet_response_parse, droplet_retry_advice,
};
use droplet_action_mock::{MockServer, scenario};

/// Every scenario of the mock, as (droplet id, action id).
fn scenarios() -> Vec<(i64, i64)> {
    let d = 11;
    vec![
        (scenario::DOCUMENTED_DROPLET, scenario::DOCUMENTED_ACTION),
        (d, scenario::IN_PROGRESS_THEN_COMPLETED_FIRST),
        (d, scenario::IN_PROGRESS_THEN_ERRORED_FIRST),
        (d, scenario::REDIRECT_OTHER_ORIGIN),
        (d, scenario::REDIRECT_SAME_ORIGIN),
        (d, scenario::ALWAYS_UNAUTHORIZED),
        (d, scenario::TOO_MANY_REQUESTS_ONCE),
        (d, scenario::SERVER_ERROR_TWICE),
        (d, scenario::BAD_GATEWAY_HTML),
        (d, scenario::SERVICE_UNAVAILABLE_TWICE),
        (d, scenario::ALWAYS_SERVER_ERROR),
        (d, scenario::MALFORMED_JSON),
        (d, scenario::UNKNOWN_FIELDS),
        (d, scenario::NULL_FIELDS),
        (d, scenario::HUGE_IDS),
        (d, scenario::EMPTY_ACTION),
        (d, scenario::EMBEDDED_NUL),
        (d, scenario::HTML_OK),
        (d, scenario::FRACTIONAL_TIMESTAMPS),
        (d, scenario::LARGE_BODY),
        (d, scenario::GZIP_BOMB),
        (50, scenario::SLOW_ANSWER),
        (d, scenario::SLOW_BODY),
        (d, scenario::TRUNCATED_BODY),
        (d, scenario::CLOSE_WITHOUT_ANSWER),
        (d, 900404),
    ]
}

fn text(ptr: *const c_char) -> Option<String> {
    (!ptr.is_null()).then(|| {
        // SAFETY: a NUL-terminated string inside a live result or request.
        unsafe { CStr::from_ptr(ptr) }
            .to_string_lossy()
            .into_owned()
    })
}

/// The fields of a result that must agree, with the serving port's request-id prefix
/// (which differs between two servers) replaced.
fn fields(r: &droplet_action_result) -> Vec<String> {
    let prefix = text(r.request_id).map(|id| id.chars().take(8).collect::<String>());
    let norm = |value: Option<String>| {
        let value = value.unwrap_or_else(|| "NULL".to_owned());
        match &prefix {
            Some(prefix) if prefix.len() == 8 => value.replace(prefix.as_str(), "PORT"),
            _ => value,
        }
    };
    let body = (!r.raw_body.is_null()).then(|| {
        // SAFETY: `raw_body_len` bytes inside a live result.
        let bytes = unsafe { std::slice::from_raw_parts(r.raw_body.cast::<u8>(), r.raw_body_len) };
        String::from_utf8_lossy(bytes).into_owned()
    });
    let mut out = vec![
        format!("status {:?}", r.status),
        format!("http {}", r.http_status),
        format!("message {}", norm(text(r.error_message))),
        format!("error id {}", norm(text(r.error_id))),
        format!("request id {}", norm(text(r.request_id))),
        format!(
            "rate limit {} {} {}",
            r.rate_limit.present, r.rate_limit.limit, r.rate_limit.remaining
        ),
        format!("body {} {}", r.raw_body_len, norm(body).len()),
    ];
    // SAFETY: NULL or the action of a live result.
    if let Some(a) = unsafe { r.action.as_ref() } {
        out.push(format!(
            "action {} {} {:?} {} {} {} {} {} {} {}",
            a.id,
            a.has_id,
            a.status,
            norm(text(a.status_text)),
            norm(text(a.r#type)),
            norm(text(a.resource_type)),
            norm(text(a.region_slug)),
            a.resource_id,
            norm(text(a.started_at)),
            norm(text(a.completed_at)),
        ));
        // SAFETY: NULL or the region of a live action.
        if let Some(region) = unsafe { a.region.as_ref() } {
            out.push(format!(
                "region {} {} {} {} {}",
                norm(text(region.slug)),
                norm(text(region.name)),
                region.sizes_len,
                region.features_len,
                region.available
            ));
        }
    }
    for attempt in 1..=3 {
        let mut delay = u64::MAX;
        // SAFETY: a live result and a writable u64.
        let retry = unsafe { droplet_retry_advice(r, attempt, 2, 1 << 62, &mut delay) };
        out.push(format!(
            "advice {attempt}: {retry} {}",
            if retry { delay } else { 0 }
        ));
    }
    out
}

/// The library's own client, one attempt.
fn through_the_client(server: &MockServer, droplet: i64, action: i64) -> droplet_action_result {
    let url = CString::new(server.base_url()).unwrap();
    let builder = droplet_client_builder_new();
    let mut client = std::ptr::null_mut();
    // SAFETY: a live builder and live CStrings; the client is freed below.
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
        assert_eq!(
            droplet_client_builder_build(builder, &mut client),
            DropletStatus::Ok
        );
        let result = droplet_action_get(client, droplet, action);
        droplet_client_free(client);
        result
    }
}

/// Another HTTP client (ureq, used directly) sends what `droplet_request_build` describes,
/// follows redirects as the library does (the token only to the same origin), and hands
/// the answer to `droplet_response_parse`. `None` when no answer came.
fn through_sans_io(
    server: &MockServer,
    droplet: i64,
    action: i64,
) -> Option<droplet_action_result> {
    let base = CString::new(server.base_url()).unwrap();
    let mut request = droplet_request {
        method: std::ptr::null(),
        url: std::ptr::null(),
        headers: std::ptr::null(),
        headers_len: 0,
        internal: std::ptr::null_mut(),
    };
    // SAFETY: live CStrings and a writable request, freed below.
    let status = unsafe {
        droplet_request_build(
            base.as_ptr(),
            c"mock-token".as_ptr(),
            droplet,
            action,
            &mut request,
        )
    };
    assert_eq!(status, DropletStatus::Ok);
    let url = text(request.url).unwrap();
    // SAFETY: `headers_len` headers inside a live request.
    let headers: Vec<(String, String)> =
        unsafe { std::slice::from_raw_parts(request.headers, request.headers_len) }
            .iter()
            .map(|h| (text(h.name).unwrap(), text(h.value).unwrap()))
            .collect();
    // SAFETY: the request built above, freed once.
    unsafe { droplet_request_free(&mut request) };

    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(30)))
            .build(),
    );
    let origin = server.base_url();
    let mut target = url;
    for _ in 0..5 {
        let mut call = agent.get(&target);
        for (name, value) in &headers {
            if name == "authorization" && !target.starts_with(&origin) {
                continue;
            }
            call = call.header(name, value);
        }
        let response = call.call().ok()?;
        if response.status().is_redirection()
            && let Some(location) = response.headers().get("location")
        {
            let location = location.to_str().unwrap();
            target = if location.starts_with('/') {
                format!("{origin}{location}")
            } else {
                location.to_owned()
            };
            continue;
        }
        let status = response.status().as_u16();
        let names: Vec<(CString, CString)> = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    CString::new(name.as_str()).unwrap(),
                    CString::new(value.as_bytes()).unwrap(),
                )
            })
            .collect();
        let mut body = Vec::new();
        response
            .into_body()
            .into_with_config()
            .limit(64 * 1024 * 1024)
            .reader()
            .read_to_end(&mut body)
            .ok()?;
        let pairs: Vec<droplet_header> = names
            .iter()
            .map(|(name, value)| droplet_header {
                name: name.as_ptr(),
                value: value.as_ptr(),
            })
            .collect();
        // SAFETY: live header strings and body for the duration of the call.
        return Some(unsafe {
            droplet_response_parse(
                status,
                pairs.as_ptr(),
                pairs.len(),
                body.as_ptr(),
                body.len(),
            )
        });
    }
    None
}

#[test]
fn every_scenario_is_classified_alike_by_the_client_and_by_the_sans_io_pair() {
    let mut compared = 0;
    for (droplet, action) in scenarios() {
        let (server_a, server_b) = (MockServer::start().unwrap(), MockServer::start().unwrap());
        let mut client_result = through_the_client(&server_a, droplet, action);
        match through_sans_io(&server_b, droplet, action) {
            Some(mut parsed) => {
                let left = fields(&client_result);
                let right = fields(&parsed);
                // The attempt count is the client's own (the sans-IO parse reports 0).
                assert_eq!(client_result.attempts, 1, "{droplet}/{action}");
                assert_eq!(parsed.attempts, 0, "{droplet}/{action}");
                assert_eq!(left, right, "scenario {droplet}/{action}");
                compared += 1;
                // SAFETY: a result from the library, freed once.
                unsafe { droplet_action_result_free(&mut parsed) };
            }
            None => {
                // No answer to parse: the client saw none either.
                assert!(
                    matches!(
                        client_result.status,
                        DropletStatus::Transport | DropletStatus::Timeout
                    ),
                    "{droplet}/{action}: {:?}",
                    client_result.status
                );
            }
        }
        // SAFETY: a result from the library, freed once.
        unsafe { droplet_action_result_free(&mut client_result) };
    }
    assert_eq!(compared, 24);
}
