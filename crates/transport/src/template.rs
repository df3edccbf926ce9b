//! The request a client sends, made from parts taken apart once.

use droplet_action_model::{ActionRequest, BaseUrl, Token};
use ureq::http::uri::{Authority, PathAndQuery, Scheme};
use ureq::http::{HeaderMap, HeaderValue, Request, Uri};

use crate::client::action_request;

/// What every request of a client shares, taken apart once from the request
/// [`ActionRequest::to_http`] makes: the base URL's scheme, authority and path, and the
/// headers. A request is then these parts and the ids, without formatting and parsing the
/// whole URL or building the headers again for every call.
pub(crate) struct RequestTemplate {
    scheme: Scheme,
    authority: Authority,
    /// The base URL's path, before `/v2/droplets/...` (empty for a bare origin).
    prefix: String,
    headers: HeaderMap,
}

/// The ids of the request the template is taken from: any valid ones do.
const TEMPLATE_IDS: (i64, i64) = (1, 1);

impl RequestTemplate {
    /// `None` if the request of `to_http` does not take apart as expected; the client then
    /// uses `to_http` for every request.
    pub(crate) fn new(base_url: &BaseUrl, token: &Token, user_agent: &HeaderValue) -> Option<Self> {
        let sample = action_request(TEMPLATE_IDS.0, TEMPLATE_IDS.1)
            .ok()?
            .to_http(base_url, token, user_agent);
        let uri = sample.uri();
        let path = uri.path_and_query()?.as_str();
        let prefix = path.strip_suffix(&Self::path_after_prefix(TEMPLATE_IDS.0, TEMPLATE_IDS.1))?;
        let template = Self {
            scheme: uri.scheme()?.clone(),
            authority: uri.authority()?.clone(),
            prefix: prefix.to_owned(),
            headers: sample.headers().clone(),
        };
        // Made from the template, the sample request is the same request.
        let remade = template.request(TEMPLATE_IDS.0, TEMPLATE_IDS.1)?;
        let same = remade.method() == sample.method()
            && remade.uri() == sample.uri()
            && remade.version() == sample.version()
            && remade.headers() == sample.headers();
        same.then_some(template)
    }

    fn path_after_prefix(droplet_id: i64, action_id: i64) -> String {
        let mut path = String::with_capacity(48);
        Self::push_path(&mut path, droplet_id, action_id);
        path
    }

    /// `/v2/droplets/{droplet_id}/actions/{action_id}`, as `ActionRequest::path` writes it.
    fn push_path(path: &mut String, droplet_id: i64, action_id: i64) {
        path.push_str("/v2/droplets/");
        push_decimal(path, droplet_id);
        path.push_str("/actions/");
        push_decimal(path, action_id);
    }

    /// The request for these ids: the same one `ActionRequest::to_http` makes.
    pub(crate) fn request(&self, droplet_id: i64, action_id: i64) -> Option<Request<()>> {
        let mut path = String::with_capacity(self.prefix.len() + 48);
        path.push_str(&self.prefix);
        Self::push_path(&mut path, droplet_id, action_id);
        let mut parts = ureq::http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(PathAndQuery::try_from(path).ok()?);
        let mut request = Request::new(());
        *request.method_mut() = ActionRequest::METHOD;
        *request.uri_mut() = Uri::from_parts(parts).ok()?;
        *request.headers_mut() = self.headers.clone();
        Some(request)
    }
}

/// Appends a number in decimal, as `Display` writes it.
fn push_decimal(text: &mut String, value: i64) {
    let mut digits = [0u8; 20];
    let mut left = value.unsigned_abs();
    let mut start = digits.len();
    loop {
        start -= 1;
        // A digit: always below 10.
        digits[start] = b'0' + (left % 10) as u8;
        left /= 10;
        if left == 0 {
            break;
        }
    }
    if value < 0 {
        text.push('-');
    }
    // ASCII digits: always UTF-8.
    text.push_str(std::str::from_utf8(&digits[start..]).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::push_decimal;
    use crate::Client;
    use crate::client::action_request;

    #[test]
    fn the_request_template_makes_the_request_to_http_makes() {
        let bases = [
            "https://api.digitalocean.com",
            "https://API.DigitalOcean.com/",
            "http://127.0.0.1:8080",
            "http://[::1]:9000/prefix",
            "https://example.com/a/b/",
            "http://localhost",
        ];
        for base in bases {
            let client = Client::builder()
                .token("dop_v1_template")
                .base_url(base)
                .user_agent("template-test/1.0")
                .build()
                .unwrap();
            let inner = &client.inner;
            let template = inner.template.as_ref().expect(base);
            for (droplet_id, action_id) in [(1, 1), (3164444, 36804636), (i64::MAX, 10), (9, 99)] {
                let expected = action_request(droplet_id, action_id).unwrap().to_http(
                    &inner.base_url,
                    &inner.token,
                    &inner.user_agent,
                );
                let made = template.request(droplet_id, action_id).unwrap();
                assert_eq!(made.method(), expected.method(), "{base}");
                assert_eq!(made.uri(), expected.uri(), "{base}");
                assert_eq!(made.uri().to_string(), expected.uri().to_string(), "{base}");
                assert_eq!(made.version(), expected.version(), "{base}");
                let headers = |r: &ureq::http::Request<()>| {
                    r.headers()
                        .iter()
                        .map(|(name, value)| (name.clone(), value.clone()))
                        .collect::<Vec<_>>()
                };
                assert_eq!(headers(&made), headers(&expected), "{base}");
            }
        }
    }

    #[test]
    fn decimals_are_written_as_display_writes_them() {
        for value in [
            0,
            1,
            9,
            10,
            99,
            100,
            3164444,
            36804636,
            i64::MAX,
            -1,
            -10,
            i64::MIN,
        ] {
            let mut text = String::from("x");
            push_decimal(&mut text, value);
            assert_eq!(text, format!("x{value}"));
        }
    }
}
