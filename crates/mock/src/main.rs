//! `droplet-action-mock`: serves the mock API on loopback until SIGTERM or SIGINT.

use std::io::Write;
use std::process::ExitCode;

use droplet_action_mock::{DEFAULT_TOKEN, MockServer, scenario};

const USAGE: &str = "\
Usage: droplet-action-mock [--port PORT] [--token TOKEN]

Serves DigitalOcean's Retrieve a Droplet Action (GET /v2/droplets/{droplet_id}/actions/{action_id})
and its failures on 127.0.0.1, until SIGTERM or SIGINT. The first line on standard output is
`listening on http://127.0.0.1:PORT`.

Options:
  --port PORT     port to listen on (default 0: a free one)
  --token TOKEN   bearer token to accept (default mock-token)
  --help          print this help
";

struct Options {
    port: u16,
    token: String,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options {
        port: 0,
        token: DEFAULT_TOKEN.to_owned(),
    };
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" | "--token" => {
                let value = inline
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{name} needs a value"))?;
                if name == "--port" {
                    options.port = value.parse().map_err(|_| {
                        format!("--port wants a number from 0 to 65535, not {value:?}")
                    })?;
                } else {
                    options.token = value;
                }
            }
            _ => return Err(format!("unknown argument {name:?}")),
        }
    }
    Ok(Some(options))
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!(
                "{USAGE}\nScenarios (chosen by the ids in the path):\n{}",
                scenario::TABLE
            );
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("droplet-action-mock: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match serve(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("droplet-action-mock: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The server of the binary: it records nothing, so its memory stays flat however long it
/// serves.
fn start(options: &Options) -> std::io::Result<MockServer> {
    MockServer::builder()
        .port(options.port)
        .token(&options.token)
        .record_requests(false)
        .start()
}

#[cfg(unix)]
fn serve(options: &Options) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    // Registered before the line is printed, so a signal sent right after it is caught.
    let mut signals = Signals::new([SIGTERM, SIGINT])?;
    let server = start(options)?;
    announce(&server)?;
    let _ = signals.forever().next();
    drop(server);
    Ok(())
}

#[cfg(not(unix))]
fn serve(options: &Options) -> std::io::Result<()> {
    let server = start(options)?;
    announce(&server)?;
    loop {
        std::thread::park();
    }
}

fn announce(server: &MockServer) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on {}", server.base_url())?;
    stdout.flush()
}
