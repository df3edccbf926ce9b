//! Retrieves one droplet action and prints it as JSON.
//!
//! ```sh
//! cargo run --example get_action -- 3164444 36804636          # one call
//! cargo run --example get_action -- 3164444 36804636 --wait   # until it finishes
//! cargo run --example get_action -- 7 900103 --wait --poll-interval 0.5
//! ```
//!
//! While it waits, it shows each poll on standard error: one live line (status, time
//! elapsed, polls) when that is a terminal, a plain line per request otherwise.
//!
//! With `DIGITALOCEAN_ACCESS_TOKEN` (or `DIGITALOCEAN_TOKEN`) set, it calls the API at
//! `DIGITALOCEAN_API_URL` (default `https://api.digitalocean.com`). With no token, it starts
//! the bundled mock server on 127.0.0.1 and calls that instead.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use droplet_action_mock::{DEFAULT_TOKEN, MockServer};
use droplet_action_transport::{Client, Error, PollEvent, WaitOptions, model::Action};

const USAGE: &str = "usage: get_action <droplet_id> <action_id> [--wait [--poll-interval SECONDS]]";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut wait = false;
    let mut poll_interval = Duration::from_secs(2);
    let mut ids = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--wait" => wait = true,
            "--poll-interval" => {
                match args
                    .next()
                    .and_then(|s| Duration::try_from_secs_f64(s.parse().ok()?).ok())
                {
                    Some(interval) => poll_interval = interval,
                    None => {
                        eprintln!("{USAGE}");
                        return ExitCode::from(2);
                    }
                }
            }
            _ => ids.push(arg),
        }
    }
    let (Some(droplet_id), Some(action_id), 2) = (
        ids.first().and_then(|s| s.parse::<i64>().ok()),
        ids.get(1).and_then(|s| s.parse::<i64>().ok()),
        ids.len(),
    ) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };

    let has_token = Client::builder_from_env().build().is_ok();
    // Kept alive until the end of main when it is used.
    let mut mock = None;
    let client = if has_token {
        Client::from_env()
    } else {
        let server = match MockServer::start() {
            Ok(server) => server,
            Err(error) => {
                eprintln!("cannot start the mock server: {error}");
                return ExitCode::FAILURE;
            }
        };
        eprintln!(
            "no DIGITALOCEAN_ACCESS_TOKEN set: using the bundled mock server at {}",
            server.base_url()
        );
        let client = Client::builder()
            .token(DEFAULT_TOKEN)
            .base_url(server.base_url())
            .build();
        mock = Some(server);
        client
    };
    let client = match client {
        Ok(client) => client,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };

    let result = if wait {
        let live = std::io::stderr().is_terminal();
        let options = WaitOptions::new(Duration::from_secs(600))
            .poll_interval(poll_interval)
            .on_poll(Arc::new(move |event| show_progress(event, live)));
        let result = client.wait(droplet_id, action_id, options);
        if live {
            eprintln!();
        }
        result
    } else {
        client.get(droplet_id, action_id)
    };
    drop(mock);
    match result {
        Ok(answer) => {
            print_action(&answer.action);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            if let Error::ActionErrored { answer } = &error {
                print_action(&answer.action);
            }
            if let Some(request_id) = error.request_id() {
                eprintln!("request id: {request_id}");
            }
            ExitCode::FAILURE
        }
    }
}

/// One poll, on standard error: the live line rewritten in place on a terminal, else a
/// line of its own.
fn show_progress(event: &PollEvent, live: bool) {
    let status = match (&event.status, event.http_status) {
        (Some(status), _) => status.as_str().to_owned(),
        (None, Some(http)) => format!("HTTP {http}"),
        (None, None) => "no response".to_owned(),
    };
    let next = event
        .next_poll_in
        .map(|next| format!(", next in {:.1}s", next.as_secs_f64()))
        .unwrap_or_default();
    let line = format!(
        "{status}: {:.1}s elapsed, {} polls, {} requests{next}",
        event.elapsed.as_secs_f64(),
        event.polls,
        event.requests
    );
    let mut stderr = std::io::stderr().lock();
    // A failed write to standard error is no reason to stop waiting.
    let _ = if live {
        write!(stderr, "\r\x1b[2K{line}").and_then(|()| stderr.flush())
    } else {
        writeln!(stderr, "{line}")
    };
}

fn print_action(action: &Action) {
    let json = serde_json::json!({ "action": action });
    println!(
        "{}",
        serde_json::to_string_pretty(&json).expect("an action always serializes")
    );
}
