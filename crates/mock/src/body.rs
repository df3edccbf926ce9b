//! The bodies the scenarios answer with, all built with `serde_json`.

use std::io::{self, Read};
use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::scenario;

/// `started_at` of every generated action (the documented example's).
pub(crate) const STARTED_AT: &str = "2020-11-14T16:29:21Z";
/// `completed_at` of every generated finished action (the documented example's).
pub(crate) const COMPLETED_AT: &str = "2020-11-14T16:30:06Z";

/// The status of a generated action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    InProgress,
    Completed,
    Errored,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::InProgress => "in-progress",
            Status::Completed => "completed",
            Status::Errored => "errored",
        }
    }
}

/// The region object of the documented example.
pub(crate) fn region() -> Value {
    json!({
        "available": true,
        "features": [
            "private_networking", "backups", "ipv6", "metadata",
            "install_agent", "storage", "image_transfer"
        ],
        "name": "New York 3",
        "sizes": [
            "s-1vcpu-1gb", "s-1vcpu-2gb", "s-1vcpu-3gb", "s-2vcpu-2gb", "s-3vcpu-1gb",
            "s-2vcpu-4gb", "s-4vcpu-8gb", "s-6vcpu-16gb", "s-8vcpu-32gb", "s-12vcpu-48gb",
            "s-16vcpu-64gb", "s-20vcpu-96gb", "s-24vcpu-128gb", "s-32vcpu-192g"
        ],
        "slug": "nyc3"
    })
}

/// The action object (without the `{"action": ...}` envelope) for `action_id` on
/// `droplet_id` with `status`.
pub(crate) fn action_object(droplet_id: i64, action_id: i64, status: Status) -> Value {
    let completed_at = match status {
        Status::InProgress => Value::Null,
        Status::Completed | Status::Errored => Value::from(COMPLETED_AT),
    };
    json!({
        "id": action_id,
        "status": status.as_str(),
        "type": "create",
        "started_at": STARTED_AT,
        "completed_at": completed_at,
        "resource_id": droplet_id,
        "resource_type": "droplet",
        "region": region(),
        "region_slug": "nyc3"
    })
}

/// `{"action": ...}` for `action_id` on `droplet_id` with `status`, serialized.
pub(crate) fn action(droplet_id: i64, action_id: i64, status: Status) -> Vec<u8> {
    envelope(action_object(droplet_id, action_id, status))
}

/// `{"action": object}`, serialized.
pub(crate) fn envelope(object: Value) -> Vec<u8> {
    json!({ "action": object }).to_string().into_bytes()
}

/// An error body as in the spec: `{"id", "message", "request_id"}`.
pub(crate) fn error(id: &str, message: &str, request_id: &str) -> Vec<u8> {
    json!({ "id": id, "message": message, "request_id": request_id })
        .to_string()
        .into_bytes()
}

/// The malformed body of [`scenario::MALFORMED_JSON`]: a completed action cut in half.
pub(crate) fn malformed(droplet_id: i64, action_id: i64) -> Vec<u8> {
    let mut whole = action(droplet_id, action_id, Status::Completed);
    whole.truncate(whole.len() / 2);
    whole
}

/// The body of [`scenario::UNKNOWN_FIELDS`].
pub(crate) fn unknown_fields(droplet_id: i64, action_id: i64) -> Vec<u8> {
    let mut region = region();
    region["data_center_generation"] = json!(7);
    region["extras"] = json!({ "tier": "gold", "zones": ["a", "b", { "depth": [1, 2] }] });
    let mut action = action_object(droplet_id, action_id, Status::Completed);
    action["status"] = json!("paused");
    action["type"] = json!("teleport");
    action["region"] = region;
    action["progress"] = json!(42.5);
    action["actor"] = json!({ "kind": "user", "uuid": "e2f7c8a1", "roles": [{ "name": "owner" }] });
    action["tags"] = json!(["x", ["nested", null], { "k": true }]);
    json!({
        "action": action,
        "links": { "pages": {} },
        "meta": { "total": 1, "cursor": null },
        "warnings": [{ "code": "deprecated", "fields": ["region_slug"] }]
    })
    .to_string()
    .into_bytes()
}

/// The body of [`scenario::NULL_FIELDS`].
pub(crate) fn null_fields(droplet_id: i64, action_id: i64) -> Vec<u8> {
    let mut action = action_object(droplet_id, action_id, Status::InProgress);
    action["completed_at"] = Value::Null;
    action["resource_id"] = Value::Null;
    action["region_slug"] = Value::Null;
    action["region"] = Value::Null;
    envelope(action)
}

/// The body of [`scenario::HUGE_IDS`].
pub(crate) fn huge_ids(droplet_id: i64, action_id: i64) -> Vec<u8> {
    let mut action = action_object(droplet_id, action_id, Status::Completed);
    action["id"] = json!(i64::MAX);
    action["resource_id"] = json!(i64::MAX - 1);
    envelope(action)
}

/// The body of [`scenario::EMBEDDED_NUL`].
pub(crate) fn embedded_nul(droplet_id: i64, action_id: i64) -> Vec<u8> {
    let mut action = action_object(droplet_id, action_id, Status::Completed);
    action["type"] = json!("cre\u{0}ate");
    envelope(action)
}

/// The body of [`scenario::FRACTIONAL_TIMESTAMPS`].
pub(crate) fn fractional_timestamps(droplet_id: i64, action_id: i64) -> Vec<u8> {
    let mut action = action_object(droplet_id, action_id, Status::Completed);
    action["started_at"] = json!("2020-11-14T17:29:21.123456+01:00");
    action["completed_at"] = json!("2020-11-14T16:30:06.5Z");
    envelope(action)
}

/// An HTML page with `title` as title and heading.
pub(crate) fn html(title: &str) -> Vec<u8> {
    format!(
        "<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center></body></html>\n"
    )
    .into_bytes()
}

/// A completed action with a `padding` string of `total_len` bytes in all: the bytes before
/// the padding's content, and the bytes after it.
fn padded_parts(droplet_id: i64, action_id: i64, total_len: u64) -> (Vec<u8>, u64, Vec<u8>) {
    const MARK: &str = "@PADDING@";
    let mut action = action_object(droplet_id, action_id, Status::Completed);
    action["padding"] = json!(MARK);
    let whole = envelope(action);
    let quoted = format!("\"{MARK}\"");
    let at = whole
        .windows(quoted.len())
        .position(|w| w == quoted.as_bytes())
        .expect("the mark is in the serialized action");
    let head = whole[..=at].to_vec();
    let tail = whole[at + quoted.len() - 1..].to_vec();
    let fill = total_len - (head.len() + tail.len()) as u64;
    (head, fill, tail)
}

/// A reader that yields `head`, then `fill` bytes of `x`, then `tail`: a long JSON document
/// that is never held in memory.
#[derive(Debug)]
pub(crate) struct PaddedBody {
    head: Vec<u8>,
    fill: u64,
    tail: Vec<u8>,
    pos: u64,
}

impl PaddedBody {
    /// A completed action whose serialized form is exactly `total_len` bytes.
    pub(crate) fn new(droplet_id: i64, action_id: i64, total_len: u64) -> PaddedBody {
        let (head, fill, tail) = padded_parts(droplet_id, action_id, total_len);
        PaddedBody {
            head,
            fill,
            tail,
            pos: 0,
        }
    }

    /// The total length in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.head.len() as u64 + self.fill + self.tail.len() as u64
    }
}

impl Read for PaddedBody {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let head_len = self.head.len() as u64;
        let fill_end = head_len + self.fill;
        let n = if self.pos < head_len {
            let from = &self.head[self.pos as usize..];
            let n = from.len().min(buf.len());
            buf[..n].copy_from_slice(&from[..n]);
            n
        } else if self.pos < fill_end {
            let n = ((fill_end - self.pos) as usize).min(buf.len());
            buf[..n].fill(b'x');
            n
        } else {
            let from = &self.tail[((self.pos - fill_end) as usize).min(self.tail.len())..];
            let n = from.len().min(buf.len());
            buf[..n].copy_from_slice(&from[..n]);
            n
        };
        self.pos += n as u64;
        Ok(n)
    }
}

/// The gzip body of [`scenario::GZIP_BOMB`], compressed once per process.
pub(crate) fn gzip_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let mut source = PaddedBody::new(1, scenario::GZIP_BOMB, scenario::GZIP_BOMB_DECODED_LEN);
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        io::copy(&mut source, &mut encoder).expect("writing to a Vec cannot fail");
        encoder.finish().expect("writing to a Vec cannot fail")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_body_is_exactly_as_long_as_asked_and_valid_json() {
        let mut body = PaddedBody::new(7, 900700, 4096);
        assert_eq!(body.len(), 4096);
        let mut bytes = Vec::new();
        body.read_to_end(&mut bytes).unwrap();
        assert_eq!(bytes.len(), 4096);
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(value["action"]["id"], 900700);
        assert_eq!(value["action"]["resource_id"], 7);
    }

    #[test]
    fn malformed_body_does_not_parse() {
        let body = malformed(1, 900600);
        assert!(serde_json::from_slice::<Value>(&body).is_err());
    }
}
