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

use http::{HeaderMap, HeaderName, HeaderValue};

/// An answer built from fuzz bytes.
#[derive(Debug)]
pub struct Answer {
    /// The status code: any `u16`, including ones HTTP does not define.
    pub status: u16,
    /// The headers that are valid for the `http` crate, in input order, repeats kept.
    pub headers: HeaderMap,
    /// The value bytes of every header line, valid or not (for the parsers that take text).
    pub raw_values: Vec<Vec<u8>>,
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
pub fn parse_header_block(mut data: &[u8]) -> (HeaderMap, Vec<Vec<u8>>, &[u8]) {
    let mut headers = HeaderMap::new();
    let mut raw_values = Vec::new();
    loop {
        let (line, rest) = next_line(data);
        if line.is_empty() {
            return (headers, raw_values, rest.unwrap_or_default());
        }
        if let Some(colon) = line.iter().position(|&b| b == b':') {
            let name = &line[..colon];
            let value = &line[colon + 1..];
            let value = value.strip_prefix(b" ").unwrap_or(value);
            raw_values.push(value.to_vec());
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
            None => return (headers, raw_values, &[]),
        }
    }
}

impl Answer {
    /// Reads an answer in the format of this module's documentation.
    pub fn parse(data: &[u8]) -> Self {
        let (status_line, rest) = next_line(data);
        let (headers, raw_values, body) = parse_header_block(rest.unwrap_or_default());
        Self {
            status: status_from_line(status_line),
            headers,
            raw_values,
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
}
