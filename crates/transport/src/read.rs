//! Reading one answer: its body within the limit, then its classification; ureq's errors
//! in this crate's terms.

use std::io::{self, Read};
use std::time::Duration;

use droplet_action_model::{ErrorResponse, ResponseError, ResponseMeta, classify};
use ureq::http::{Response, header};

use crate::client::Client;
use crate::{ActionResponse, Error, ResponseDetails};

/// The buffer a body without `content-length` starts in.
const INITIAL_BODY_CAPACITY: u64 = 8 * 1024;
/// The most reserved ahead of reading, whatever `content-length` says.
const MAX_PRESIZE: u64 = 1024 * 1024;

impl Client {
    pub(crate) fn read_answer(
        &self,
        response: Response<ureq::Body>,
        timeout: Duration,
    ) -> Result<ActionResponse, Error> {
        let limit = self.inner.body_limit;
        let (parts, body) = response.into_parts();
        let status = parts.status.as_u16();
        // The body goes into one buffer of the announced size (the documented answer is
        // one read), not one grown by doubling from empty.
        let announced = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        // One byte more than announced: reading to the end then needs no second buffer
        // for its last, empty read, and a C result can keep this buffer and put its NUL
        // after the body without moving it.
        let capacity = announced
            .map_or(INITIAL_BODY_CAPACITY, |length| length.saturating_add(1))
            .min(limit.saturating_add(1))
            .min(MAX_PRESIZE);
        let mut buffer = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        let body = body
            .into_with_config()
            .limit(limit)
            .reader()
            .read_to_end(&mut buffer)
            .map(|_| buffer)
            .map_err(|error| match ureq::Error::from(error) {
                ureq::Error::BodyExceedsLimit(_) => Error::BodyTooLarge {
                    limit,
                    details: Box::new(ResponseDetails {
                        meta: ResponseMeta::new(status, &parts.headers),
                        attempts: 0,
                        body: Vec::new(),
                    }),
                },
                other => map_ureq_error(other, timeout, self.inner.connect_timeout),
            })?;
        response_from_parts(status, &parts.headers, body)
    }
}

/// Classifies one HTTP answer exactly as [`Client::get`] does once it has
/// read it: the action, or the API, decode error. For callers that do their own I/O;
/// `attempts` is 0 in what it returns.
///
/// ```
/// use droplet_action_transport::{Error, response_from_parts};
/// let headers = http::HeaderMap::new();
/// let body = br#"{"id":"not_found","message":"The resource you were accessing could not be found."}"#;
/// let error = response_from_parts(404, &headers, body.to_vec()).unwrap_err();
/// assert!(matches!(error, Error::Api { .. }));
/// assert_eq!(error.status(), Some(404));
/// ```
///
/// # Errors
/// [`Error::Api`] for an error status, [`Error::Decode`] for a success status whose body
/// is not an action.
pub fn response_from_parts(
    status: u16,
    headers: &http::HeaderMap,
    body: Vec<u8>,
) -> Result<ActionResponse, Error> {
    match classify(status, headers, body) {
        Ok(answer) => {
            let (action, meta, body) = answer.into_parts();
            Ok(ActionResponse {
                action,
                meta,
                attempts: 0,
                polls: 0,
                body,
            })
        }
        Err(ErrorResponse { error, meta, body }) => {
            let details = Box::new(ResponseDetails {
                meta,
                attempts: 0,
                body,
            });
            Err(match error {
                ResponseError::Api(error) => Error::Api { error, details },
                ResponseError::Decode(error) => Error::Decode { error, details },
            })
        }
    }
}

/// Whether `error` came before anything of the request was written: no name, no
/// connection, no TLS session.
pub(crate) fn before_write(error: &ureq::Error) -> bool {
    match error {
        ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect)
        | ureq::Error::ConnectionFailed
        | ureq::Error::HostNotFound
        | ureq::Error::Tls(_) => true,
        ureq::Error::Io(io) => io.kind() == io::ErrorKind::ConnectionRefused,
        _ => false,
    }
}

pub(crate) fn map_ureq_error(error: ureq::Error, timeout: Duration, connect: Duration) -> Error {
    let (message, retryable) = match error {
        // The connect timeout is the limit that ran out when it is the shorter one.
        ureq::Error::Timeout(ureq::Timeout::Connect) => {
            return Error::Timeout {
                timeout: timeout.min(connect),
                attempts: 0,
            };
        }
        ureq::Error::Timeout(_) => {
            return Error::Timeout {
                timeout,
                attempts: 0,
            };
        }
        ureq::Error::Io(ref io) if io.kind() == io::ErrorKind::TimedOut => {
            return Error::Timeout {
                timeout,
                attempts: 0,
            };
        }
        // rustls reports a failed handshake or a corrupt record as invalid data: the peer
        // does not speak TLS as it should, and asking again will not change that.
        ureq::Error::Io(io) if io.kind() == io::ErrorKind::InvalidData => {
            (format!("TLS failed: {io}"), false)
        }
        ureq::Error::Io(io) => (format!("connection failed: {io}"), true),
        ureq::Error::ConnectionFailed => ("connection failed".to_owned(), true),
        ureq::Error::HostNotFound => ("the host name was not found".to_owned(), false),
        ureq::Error::Tls(reason) => (format!("TLS failed: {reason}"), false),
        ureq::Error::Protocol(e) => (format!("the answer is not valid HTTP: {e}"), true),
        other => (other.to_string(), false),
    };
    Error::Transport {
        message,
        attempts: 0,
        retryable,
    }
}
