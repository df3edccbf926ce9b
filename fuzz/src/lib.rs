//! What the fuzz targets share: turning fuzz bytes into an HTTP answer.
//!
//! The input format is close to an HTTP/1.1 answer, so that seeds stay readable and the
//! dictionary's tokens land where they matter:
//!
//! ```text
//! 429                      <- status: the digits of the first line, folded into a u16
//! retry-after: 120         <- header lines `name:value` (one space after the colon dropped)
//! ratelimit-remaining: 0
//!                          <- an empty line ends the headers
//! {"id":"too_many_requests"}   <- the body: every byte after that line, as is
//! ```
//!
//! Lines end in `\n` (a `\r` before it is dropped). A header line whose name or value the
//! `http` crate refuses is skipped, as an HTTP stack would never hand it over.

use std::sync::Once;

use http::{HeaderMap, HeaderName, HeaderValue};

/// A marker the dictionaries and seeds put into tokens and URL credentials: a message
/// that shows a token or credentials holding it has leaked a secret.
pub const SECRET: &str = "s3cr3t";

/// Makes every panic abort the process, so that the fuzzer sees it, including one that the
/// C boundary would catch and turn into `DROPLET_STATUS_PANIC` (or swallow, in a function
/// that returns nothing). The library installs its own quiet panic hook on its first call;
/// that call is made here, then the hook is replaced.
pub fn abort_on_every_panic() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: a builder just made, freed once.
        unsafe { droplet_action::droplet_client_builder_free(droplet_action::droplet_client_builder_new()) };
        std::panic::set_hook(Box::new(|info| {
            eprintln!("{info}\n{}", std::backtrace::Backtrace::force_capture());
            std::process::abort();
        }));
    });
}

/// Points the system trust store at an empty file, once, before any thread starts. A
/// client for an https URL loads the system's certificates at build (hundreds of files);
/// with this, it loads none and keeps the bundled roots, and a build takes microseconds
/// instead of milliseconds. Nothing else about the build changes.
pub fn empty_system_trust_store() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: called from the fuzz target before the library starts any thread, and
        // nothing else reads or writes the environment at the same time.
        unsafe {
            std::env::set_var("SSL_CERT_FILE", "/dev/null");
            std::env::remove_var("SSL_CERT_DIR");
        }
    });
}

/// Where the user info of a URL lies, as RFC 3986 reads it: after `://` (or from the
/// start), up to the last `@` before the first `/`, `?` or `#`.
pub fn userinfo_range(url: &str) -> std::ops::Range<usize> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    authority
        .rfind('@')
        .map_or(start..start, |at| start..start + at)
}

/// What was handed to the library, to tell whether a message shows a secret: the marker
/// [`SECRET`] in a message is a leak when only a secret (a token, a URL's user info) held
/// it, and no text that may be shown (a host, a path, a user agent) did.
#[derive(Debug, Default)]
pub struct Secrets {
    in_secret: bool,
    in_public: bool,
}

impl Secrets {
    /// A token: secret as a whole.
    pub fn token(&mut self, token: &str) {
        self.in_secret |= token.contains(SECRET);
    }

    /// A URL: its user info is secret, the rest may be shown (its host in lower case, as
    /// a parsed URL shows it).
    pub fn url(&mut self, url: &str) {
        let info = userinfo_range(url);
        self.in_secret |= url[info.clone()].contains(SECRET);
        let shown = |part: &str| part.to_ascii_lowercase().contains(SECRET) || part.contains(SECRET);
        self.in_public |= shown(&url[..info.start]) || shown(&url[info.end..]);
    }

    /// Text that may be shown.
    pub fn public(&mut self, text: &str) {
        self.in_public |= text.contains(SECRET);
    }

    /// Fails when `message` shows a secret.
    pub fn check(&self, message: &str) {
        if self.in_secret && !self.in_public {
            assert!(
                !message.contains(SECRET),
                "the message {message:?} shows a secret"
            );
        }
    }
}

/// An answer built from fuzz bytes.
#[derive(Debug)]
pub struct Answer {
    /// The status code: any `u16`, including ones HTTP does not define.
    pub status: u16,
    /// The headers that are valid for the `http` crate, in input order, repeats kept.
    pub headers: HeaderMap,
    /// The value bytes of every header line, valid or not (for the parsers that take text).
    pub raw_values: Vec<Vec<u8>>,
    /// The name and value bytes of every line with a colon, valid or not.
    pub raw_headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
}

/// Splits `data` into lines, each without its `\n` and a `\r` before it.
fn next_line(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    match data.iter().position(|&b| b == b'\n') {
        Some(end) => {
            let line = &data[..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            (line, Some(&data[end + 1..]))
        }
        None => (data, None),
    }
}

/// The digits of `line` folded into a `u16` (wrapping), every other byte ignored: "404" is
/// 404, and every `u16` can be reached.
pub fn status_from_line(line: &[u8]) -> u16 {
    line.iter()
        .filter(|b| b.is_ascii_digit())
        .fold(0u16, |status, &digit| {
            status
                .wrapping_mul(10)
                .wrapping_add(u16::from(digit - b'0'))
        })
}

/// Reads header lines until an empty line or the end; returns the headers, the raw values
/// and whatever follows the empty line.
pub fn parse_header_block(data: &[u8]) -> (HeaderMap, Vec<Vec<u8>>, &[u8]) {
    let (headers, raw_headers, raw_values, rest) = parse_header_lines(data);
    drop(raw_headers);
    (headers, raw_values, rest)
}

/// [`parse_header_block`], with the name and value bytes of every line with a colon.
#[expect(clippy::type_complexity, reason = "a private helper's four outputs")]
fn parse_header_lines(
    mut data: &[u8],
) -> (HeaderMap, Vec<(Vec<u8>, Vec<u8>)>, Vec<Vec<u8>>, &[u8]) {
    let mut headers = HeaderMap::new();
    let mut raw_headers = Vec::new();
    let mut raw_values = Vec::new();
    loop {
        let (line, rest) = next_line(data);
        if line.is_empty() {
            return (headers, raw_headers, raw_values, rest.unwrap_or_default());
        }
        if let Some(colon) = line.iter().position(|&b| b == b':') {
            let name = &line[..colon];
            let value = &line[colon + 1..];
            let value = value.strip_prefix(b" ").unwrap_or(value);
            raw_values.push(value.to_vec());
            raw_headers.push((name.to_vec(), value.to_vec()));
            if let (Ok(name), Ok(value)) =
                (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
            {
                headers.append(name, value);
            }
        } else {
            raw_values.push(line.to_vec());
        }
        match rest {
            Some(rest) => data = rest,
            None => return (headers, raw_headers, raw_values, &[]),
        }
    }
}

impl Answer {
    /// Reads an answer in the format of this module's documentation.
    pub fn parse(data: &[u8]) -> Self {
        let (status_line, rest) = next_line(data);
        let (headers, raw_headers, raw_values, body) = parse_header_lines(rest.unwrap_or_default());
        Self {
            status: status_from_line(status_line),
            headers,
            raw_values,
            raw_headers,
            body: body.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_answer() {
        let answer =
            Answer::parse(b"429\r\nRetry-After: 120\nbad name: x\nx-request-id:  r1\n\n{}\n");
        assert_eq!(answer.status, 429);
        assert_eq!(answer.headers.len(), 2);
        assert_eq!(answer.headers["retry-after"], "120");
        assert_eq!(answer.headers["x-request-id"], " r1");
        assert_eq!(answer.raw_values.len(), 3);
        assert_eq!(answer.body, b"{}\n");
    }

    #[test]
    fn every_status_is_reachable() {
        assert_eq!(status_from_line(b"65535"), u16::MAX);
        assert_eq!(status_from_line(b"65536"), 0);
        assert_eq!(status_from_line(b""), 0);
        assert_eq!(status_from_line(b"HTTP/1.1 200 OK"), 11_200);
    }

    #[test]
    fn user_info_is_read_as_rfc_3986_does() {
        fn info(url: &str) -> &str {
            &url[userinfo_range(url)]
        }
        assert_eq!(info("http://user:s3cr3t@proxy:3128/a@b"), "user:s3cr3t");
        assert_eq!(info("user:pw@host"), "user:pw");
        assert_eq!(info("https://host/x@y"), "");
        assert_eq!(info("https://a@b@host?q@r"), "a@b");
    }

    #[test]
    fn only_a_marker_that_no_public_text_holds_is_a_leak() {
        let mut secrets = Secrets::default();
        secrets.url("http://user:s3cr3t@proxy:3128");
        secrets.check("invalid proxy http://***@proxy:3128");
        let shown = std::panic::catch_unwind(|| secrets.check("bad user:s3cr3t"));
        assert!(shown.is_err());
        secrets.public("s3cr3t-agent/1.0");
        secrets.check("bad user:s3cr3t");
    }
}
