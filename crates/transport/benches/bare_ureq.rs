//! The floor of the stack: N sequential plain ureq GETs on one agent that read the body
//! and do not parse it, checking only that the id is in it. Driven by `benches/run.sh`;
//! see `common/mod.rs` for the command line.

mod common;

fn main() {
    let args = common::args();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!(
        "{}/v2/droplets/{}/actions/{}",
        args.base_url, args.droplet_id, args.action_id
    );
    let authorization = format!("Bearer {}", common::TOKEN);
    let id = args.action_id.to_string();
    let start = common::now();
    for call in 0..args.calls {
        let mut response = agent
            .get(&url)
            .header("authorization", &authorization)
            .header("accept", "application/json")
            .call()
            .unwrap_or_else(|e| panic!("call {call}: {e}"));
        assert_eq!(response.status(), 200, "call {call}");
        let body = response
            .body_mut()
            .read_to_vec()
            .unwrap_or_else(|e| panic!("call {call}: {e}"));
        assert!(
            body.windows(id.len()).any(|w| w == id.as_bytes()),
            "call {call}: the id is not in the body"
        );
    }
    common::report(args.calls, start);
}
