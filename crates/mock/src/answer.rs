//! The answers the mock sends: their headers, and their bodies as hyper streams them (whole,
//! generated piece by piece, trickled, or cut short).

use std::future::Future as _;
use std::io::{self, Read};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body::{Body, Frame, SizeHint};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::{Response, StatusCode};
use tokio::time::Sleep;

use crate::body::{self, PaddedBody, Status};
use crate::connection::HangUp;
use crate::state::Meta;

/// An answer as the service gives it to hyper.
pub(crate) type Answer = Response<Payload>;

pub(crate) const JSON: &str = "application/json";
pub(crate) const HTML: &str = "text/html";

/// The size of the pieces a generated body is sent in.
const PIECE: usize = 64 * 1024;

/// The body of an answer.
pub(crate) enum Payload {
    /// Bytes held in memory, sent at once.
    Whole(Option<Bytes>),
    /// A long document generated as it is sent.
    Generated { source: PaddedBody, left: u64 },
    /// Bytes sent in pieces, with a pause before every piece but the first.
    Trickle {
        bytes: Bytes,
        piece: usize,
        interval: Duration,
        pause: Option<Pin<Box<Sleep>>>,
    },
    /// The first bytes of a body whose `content-length` announces more; then the connection
    /// is hung up on (HTTP/1.1), or the stream ends there (HTTP/2, where the stream's end is
    /// explicit: the client finds the body short of its `content-length`).
    Cut {
        start: Option<Bytes>,
        hang_up: Arc<HangUp>,
        end_stream: bool,
    },
}

impl Payload {
    pub(crate) fn whole(bytes: impl Into<Bytes>) -> Payload {
        Payload::Whole(Some(bytes.into()))
    }

    pub(crate) fn generated(source: PaddedBody) -> Payload {
        let left = source.len();
        Payload::Generated { source, left }
    }

    pub(crate) fn trickle(bytes: Vec<u8>, pieces: usize, interval: Duration) -> Payload {
        let piece = bytes.len().div_ceil(pieces.max(1)).max(1);
        Payload::Trickle {
            bytes: bytes.into(),
            piece,
            interval,
            pause: None,
        }
    }

    /// The bytes the body holds (for a cut body, those it sends).
    fn len(&self) -> u64 {
        match self {
            Payload::Whole(bytes) => bytes.as_ref().map_or(0, |b| b.len() as u64),
            Payload::Generated { source, .. } => source.len(),
            Payload::Trickle { bytes, .. } => bytes.len() as u64,
            Payload::Cut { start, .. } => start.as_ref().map_or(0, |b| b.len() as u64),
        }
    }
}

impl Body for Payload {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<io::Result<Frame<Bytes>>>> {
        match self.get_mut() {
            Payload::Whole(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Payload::Generated { source, left } => {
                if *left == 0 {
                    return Poll::Ready(None);
                }
                let len = usize::try_from(*left).map_or(PIECE, |left| left.min(PIECE));
                let mut piece = BytesMut::zeroed(len);
                let read = source.read(&mut piece);
                Poll::Ready(Some(read.map(|n| {
                    *left -= n as u64;
                    piece.truncate(n);
                    Frame::data(piece.freeze())
                })))
            }
            Payload::Trickle {
                bytes,
                piece,
                interval,
                pause,
            } => {
                if bytes.is_empty() {
                    return Poll::Ready(None);
                }
                if let Some(sleep) = pause {
                    ready!(sleep.as_mut().poll(cx));
                }
                // The pause before the next piece starts once this one is handed over; hyper
                // flushes while the body waits, so each piece leaves at once.
                *pause = Some(Box::pin(tokio::time::sleep(*interval)));
                let n = (*piece).min(bytes.len());
                Poll::Ready(Some(Ok(Frame::data(bytes.split_to(n)))))
            }
            Payload::Cut {
                start,
                hang_up,
                end_stream,
            } => {
                if let Some(start) = start.take() {
                    return Poll::Ready(Some(Ok(Frame::data(start))));
                }
                if *end_stream {
                    return Poll::Ready(None);
                }
                // Never woken: the connection is dropped once the start is flushed.
                hang_up.after_flush();
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Payload::Whole(bytes) => bytes.is_none(),
            Payload::Generated { left, .. } => *left == 0,
            Payload::Trickle { bytes, .. } => bytes.is_empty(),
            Payload::Cut {
                start, end_stream, ..
            } => *end_stream && start.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Payload::Cut { .. } => SizeHint::default(),
            _ => SizeHint::with_exact(self.len()),
        }
    }
}

fn header_value(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).expect("header values built here are valid")
}

/// An answer with the headers every answer carries, and a `content-length` of `len`.
pub(crate) fn answer(
    meta: &Meta,
    status: u16,
    content_type: &'static str,
    body: Payload,
    len: u64,
) -> Answer {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).expect("the statuses answered here are valid");
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    headers.insert(
        HeaderName::from_static("ratelimit-limit"),
        HeaderValue::from(meta.limit),
    );
    headers.insert(
        HeaderName::from_static("ratelimit-remaining"),
        HeaderValue::from(meta.remaining),
    );
    headers.insert(
        HeaderName::from_static("ratelimit-reset"),
        HeaderValue::from(meta.reset),
    );
    headers.insert(
        HeaderName::from_static("x-request-id"),
        header_value(&meta.request_id),
    );
    response
}

/// Adds header `name` (lower case) with `value`.
pub(crate) fn with_header(mut response: Answer, name: &'static str, value: &str) -> Answer {
    response
        .headers_mut()
        .insert(HeaderName::from_static(name), header_value(value));
    response
}

pub(crate) fn bytes(meta: &Meta, status: u16, content_type: &'static str, body: Vec<u8>) -> Answer {
    let len = body.len() as u64;
    answer(meta, status, content_type, Payload::whole(body), len)
}

pub(crate) fn json(meta: &Meta, status: u16, body: Vec<u8>) -> Answer {
    bytes(meta, status, JSON, body)
}

pub(crate) fn error(meta: &Meta, status: u16, id: &str, message: &str) -> Answer {
    json(meta, status, body::error(id, message, &meta.request_id))
}

pub(crate) fn unauthorized(meta: &Meta) -> Answer {
    error(meta, 401, "unauthorized", "Unable to authenticate you.")
}

pub(crate) fn not_found(meta: &Meta) -> Answer {
    error(
        meta,
        404,
        "not_found",
        "The resource you requested could not be found.",
    )
}

pub(crate) fn method_not_allowed(meta: &Meta) -> Answer {
    with_header(
        error(
            meta,
            405,
            "method_not_allowed",
            "The method is not allowed for the requested resource; use GET.",
        ),
        "allow",
        "GET",
    )
}

pub(crate) fn too_many_requests(meta: &Meta, retry_after: u64) -> Answer {
    with_header(
        error(meta, 429, "too_many_requests", "API rate limit exceeded."),
        "retry-after",
        &retry_after.to_string(),
    )
}

pub(crate) fn server_error(meta: &Meta) -> Answer {
    error(meta, 500, "server_error", "Unexpected server-side error")
}

pub(crate) fn completed(meta: &Meta, droplet_id: i64, action_id: i64) -> Answer {
    json(
        meta,
        200,
        body::action(droplet_id, action_id, Status::Completed),
    )
}

/// A JSON answer without the rate limit and request id (the stats, the refusal of plain
/// HTTP on the TLS port).
pub(crate) fn bare_json(status: StatusCode, body: impl Into<Bytes>) -> Answer {
    let body = body.into();
    let len = body.len() as u64;
    let mut response = Response::new(Payload::whole(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(mut payload: Payload) -> Vec<u8> {
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut out = Vec::new();
        while let Poll::Ready(Some(frame)) = Pin::new(&mut payload).poll_frame(&mut cx) {
            out.extend_from_slice(frame.unwrap().data_ref().unwrap());
        }
        out
    }

    #[test]
    fn a_generated_body_is_sent_whole_in_pieces() {
        let payload = Payload::generated(PaddedBody::new(3, 900700, 200_000));
        assert_eq!(payload.size_hint().exact(), Some(200_000));
        let bytes = collect(payload);
        assert_eq!(bytes.len(), 200_000);
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(value["action"]["resource_id"], 3);
    }

    #[test]
    fn a_whole_body_is_one_frame() {
        let payload = Payload::whole(b"{}".to_vec());
        assert_eq!(payload.size_hint().exact(), Some(2));
        assert_eq!(collect(payload), b"{}");
    }
}
