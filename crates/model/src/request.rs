//! The request for Retrieve a Droplet Action: base URL, token and the HTTP request itself.

use std::fmt;
use std::net::IpAddr;

use http::header::{ACCEPT, AUTHORIZATION, HeaderValue, USER_AGENT};
use http::{Method, Request, Uri};

use crate::{ActionId, DropletId};

/// The production API base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.digitalocean.com";

/// A base URL that is not usable for the API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid base URL {url:?}: {reason}")]
pub struct InvalidBaseUrl {
    url: String,
    reason: &'static str,
}

/// A URL as it may be shown in a message or a log: any user info (`user:password@`)
/// before the host is replaced by `***@`, every query value by `***` (names stay, as
/// `?access_token=***`), and any fragment by `#***`, so that neither credentials nor a
/// secret a server put in a URL ever appear.
///
/// ```
/// use droplet_action_model::redact_url;
/// assert_eq!(redact_url("http://user:s3cret@proxy:8080"), "http://***@proxy:8080");
/// assert_eq!(redact_url("socks5://s3cret@[::1]:1080/x"), "socks5://***@[::1]:1080/x");
/// assert_eq!(redact_url("https://api.digitalocean.com"), "https://api.digitalocean.com");
/// assert_eq!(redact_url("user:pw@host:3128"), "***@host:3128");
/// assert_eq!(
///     redact_url("https://x.example/v2?access_token=s3cret&page=2#s3cret"),
///     "https://x.example/v2?access_token=***&page=***#***"
/// );
/// assert_eq!(redact_url("/v2/a?s3cret"), "/v2/a?***");
/// ```
pub fn redact_url(url: &str) -> String {
    redact_url_parts(url)
}

/// A proxy URL as it may be shown: as [`redact_url`], and a proxy URL has no path, query or
/// fragment, so everything between the scheme and the last `@` is user info, however
/// malformed (a password holding `/`, `?` or `#` included).
///
/// ```
/// use droplet_action_model::redact_proxy_url;
/// assert_eq!(redact_proxy_url("http://user:top/secret@proxy:3128"), "http://***@proxy:3128");
/// assert_eq!(redact_proxy_url("http://user:sec?ret@proxy:3128"), "http://***@proxy:3128");
/// assert_eq!(redact_proxy_url("socks5://a:b#c@h:1080"), "socks5://***@h:1080");
/// assert_eq!(redact_proxy_url("http://proxy:3128"), "http://proxy:3128");
/// ```
pub fn redact_proxy_url(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    match url[start..].rfind('@') {
        Some(at) => redact_url_parts(&format!("{}***{}", &url[..start], &url[start + at..])),
        None => redact_url_parts(url),
    }
}

fn redact_url_parts(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let mut out = match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &rest[at..authority_end]),
        None => url[..start + authority_end].to_owned(),
    };
    let tail = &rest[authority_end..];
    let (before_fragment, fragment) = match tail.find('#') {
        Some(hash) => (&tail[..hash], Some(())),
        None => (tail, None),
    };
    match before_fragment.split_once('?') {
        Some((path, query)) => {
            out.push_str(path);
            out.push('?');
            let redacted: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((name, _)) => format!("{name}=***"),
                    None if pair.is_empty() => String::new(),
                    None => "***".to_owned(),
                })
                .collect();
            out.push_str(&redacted.join("&"));
        }
        None => out.push_str(before_fragment),
    }
    if fragment.is_some() {
        out.push_str("#***");
    }
    out
}

/// The port of a URL authority (`[user@]host[:port]`): `Ok(None)` without one, the number
/// when it is one from 1 to 65535, an error otherwise (a URL parser that drops a port it
/// cannot read would send the request to the scheme's default port instead).
///
/// ```
/// use droplet_action_model::parse_port;
/// assert_eq!(parse_port("127.0.0.1:8080"), Ok(Some(8080)));
/// assert_eq!(parse_port("[::1]"), Ok(None));
/// assert_eq!(parse_port("user:pw@[::1]:1080"), Ok(Some(1080)));
/// assert!(parse_port("127.0.0.1:99999").is_err());
/// assert!(parse_port("127.0.0.1:0").is_err());
/// assert!(parse_port("127.0.0.1:").is_err());
/// assert!(parse_port("127.0.0.1:+80").is_err());
/// ```
///
/// # Errors
/// A short reason, for a message.
pub fn parse_port(authority: &str) -> Result<Option<u16>, &'static str> {
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, rest)| rest);
    let after_host = match host_port.rfind(']') {
        Some(end) => &host_port[end + 1..],
        None => host_port,
    };
    let Some((_, port)) = after_host.rsplit_once(':') else {
        return Ok(None);
    };
    match port.parse::<u16>() {
        Ok(number) if number > 0 && port.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(number)),
        _ => Err("the port is not a number from 1 to 65535"),
    }
}

/// The API's base URL: `http` or `https`, a host, an optional path prefix, and nothing else.
///
/// ```
/// use droplet_action_model::BaseUrl;
/// let url = BaseUrl::parse("http://127.0.0.1:8080/").unwrap();
/// assert_eq!(url.as_str(), "http://127.0.0.1:8080");
/// assert!(url.is_loopback());
/// assert!(!url.is_https());
/// assert!(BaseUrl::parse("ftp://example.com").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl {
    text: String,
    https: bool,
    host: String,
    origin_len: usize,
}

impl BaseUrl {
    /// Parses and checks a base URL. A trailing `/` is dropped.
    ///
    /// # Errors
    /// [`InvalidBaseUrl`] when the URL is malformed, its scheme is not `http`/`https`, it
    /// has no host, or it carries user info, a query or a fragment.
    pub fn parse(url: &str) -> Result<Self, InvalidBaseUrl> {
        let fail = |reason| InvalidBaseUrl {
            url: redact_url(url),
            reason,
        };
        if url.contains('#') {
            return Err(fail("a base URL cannot have a fragment"));
        }
        let uri: Uri = url.parse().map_err(|_| fail("not a valid absolute URL"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            Some(_) => return Err(fail("the scheme must be http or https")),
            None => return Err(fail("not a valid absolute URL")),
        };
        let authority = uri.authority().ok_or_else(|| fail("the URL has no host"))?;
        if authority.as_str().contains('@') {
            return Err(fail("a base URL cannot carry user info"));
        }
        if authority.host().is_empty() {
            return Err(fail("the URL has no host"));
        }
        parse_port(authority.as_str()).map_err(fail)?;
        if uri.query().is_some() {
            return Err(fail("a base URL cannot have a query"));
        }
        let origin = format!("{}://{}", uri.scheme_str().unwrap_or_default(), authority);
        let origin_len = origin.len();
        let text = origin + uri.path().trim_end_matches('/');
        Ok(Self {
            text,
            https,
            host: authority.host().to_ascii_lowercase(),
            origin_len,
        })
    }

    /// The URL, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `scheme://host[:port]`: what a redirect must keep for the token to follow it.
    pub fn origin(&self) -> &str {
        &self.text[..self.origin_len]
    }

    /// The host, lower case (IPv6 addresses keep their brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// Whether the host is `localhost` or a loopback address (127.0.0.0/8, `[::1]`).
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(&self.host)
    }
}

/// Whether a URL's host (IPv6 in brackets or not, any case) is `localhost` or a loopback
/// address (127.0.0.0/8, `::1`): the hosts plain `http` may reach, a redirect's included.
///
/// ```
/// use droplet_action_model::is_loopback_host;
/// assert!(is_loopback_host("LOCALHOST") && is_loopback_host("127.9.9.9") && is_loopback_host("[::1]"));
/// assert!(!is_loopback_host("example.com") && !is_loopback_host("10.0.0.1"));
/// ```
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Default for BaseUrl {
    fn default() -> Self {
        Self::parse(DEFAULT_BASE_URL).expect("the default base URL is valid")
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A `User-Agent` value that cannot be sent: it holds a character outside printable ASCII
/// and the space (a control character, or any non-ASCII one, which servers and proxies
/// answer by dropping the connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the user agent holds {found} at byte {at}: only printable ASCII and spaces are sent")]
pub struct InvalidUserAgent {
    /// What was found: `"a control character"` or `"a non-ASCII character"`.
    pub found: &'static str,
    /// Its byte offset in the value.
    pub at: usize,
}

/// A `User-Agent` header value: printable ASCII and spaces (RFC 9110's field value
/// without its obsolete non-ASCII text).
///
/// ```
/// use droplet_action_model::UserAgent;
/// let agent = UserAgent::new("my-tool/1.2 (ops team)").unwrap();
/// assert_eq!(agent.header().to_str().unwrap(), "my-tool/1.2 (ops team)");
/// assert_eq!(
///     UserAgent::new("caf\u{e9}/1").unwrap_err().to_string(),
///     "the user agent holds a non-ASCII character at byte 3: only printable ASCII and \
///      spaces are sent"
/// );
/// assert_eq!(UserAgent::new("a\tb").unwrap_err().found, "a control character");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAgent {
    header: HeaderValue,
}

impl UserAgent {
    /// Checks `value`.
    ///
    /// # Errors
    /// [`InvalidUserAgent`] for a control or non-ASCII character.
    pub fn new(value: &str) -> Result<Self, InvalidUserAgent> {
        if let Some(at) = value.bytes().position(|b| !(b' '..=b'~').contains(&b)) {
            let found = if value.as_bytes()[at].is_ascii() {
                "a control character"
            } else {
                "a non-ASCII character"
            };
            return Err(InvalidUserAgent { found, at });
        }
        let header = HeaderValue::from_str(value).map_err(|_| InvalidUserAgent {
            found: "a control character",
            at: 0,
        })?;
        Ok(UserAgent { header })
    }

    /// The header value.
    pub fn header(&self) -> &HeaderValue {
        &self.header
    }
}

/// A token that cannot be sent as a bearer credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidToken {
    /// The token is empty.
    #[error("the API token is empty")]
    Empty,
    /// The token holds a character that cannot appear in a header (space, control, non-ASCII).
    #[error("the API token holds a character that is not printable ASCII")]
    BadCharacter,
}

/// An API token. Its `Debug` never shows it, and the header it makes is marked sensitive.
///
/// ```
/// use droplet_action_model::Token;
/// let token = Token::new("dop_v1_secret").unwrap();
/// assert_eq!(format!("{token:?}"), "Token(<redacted>)");
/// assert!(Token::new("").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    authorization: HeaderValue,
}

impl Token {
    /// Checks that the token is non-empty printable ASCII without spaces.
    ///
    /// # Errors
    /// [`InvalidToken`] otherwise. The error never contains the token.
    pub fn new(token: &str) -> Result<Self, InvalidToken> {
        if token.is_empty() {
            return Err(InvalidToken::Empty);
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidToken::BadCharacter);
        }
        let mut authorization = HeaderValue::try_from(format!("Bearer {token}"))
            .map_err(|_| InvalidToken::BadCharacter)?;
        authorization.set_sensitive(true);
        Ok(Self { authorization })
    }

    /// The `Authorization` header value, `Bearer <token>`, marked sensitive.
    pub fn authorization(&self) -> &HeaderValue {
        &self.authorization
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Retrieve a Droplet Action: `GET /v2/droplets/{droplet_id}/actions/{action_id}`.
///
/// ```
/// use droplet_action_model::{ActionId, ActionRequest, BaseUrl, DropletId, Token};
/// let request = ActionRequest::new(DropletId::new(3164444)?, ActionId::new(36804636)?);
/// assert_eq!(request.path(), "/v2/droplets/3164444/actions/36804636");
/// let http = request.to_http(
///     &BaseUrl::default(),
///     &Token::new("secret")?,
///     &http::HeaderValue::from_static("example/1.0"),
/// );
/// assert_eq!(http.method(), http::Method::GET);
/// assert_eq!(
///     http.uri(),
///     "https://api.digitalocean.com/v2/droplets/3164444/actions/36804636"
/// );
/// assert_eq!(http.headers()["authorization"], "Bearer secret");
/// assert_eq!(http.headers()["accept"], "application/json");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ActionRequest {
    /// The droplet the action belongs to.
    pub droplet_id: DropletId,
    /// The action to retrieve.
    pub action_id: ActionId,
}

/// `GET /v2/droplets/{droplet_id}/actions/{action_id}`: the request line as logs show it,
/// written without allocating.
///
/// ```
/// use droplet_action_model::{ActionId, ActionRequest, DropletId};
/// let request = ActionRequest::new(DropletId::new(3164444)?, ActionId::new(36804636)?);
/// assert_eq!(request.to_string(), "GET /v2/droplets/3164444/actions/36804636");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl fmt::Display for ActionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GET /v2/droplets/{}/actions/{}",
            self.droplet_id, self.action_id
        )
    }
}

impl ActionRequest {
    /// The HTTP method of the operation.
    pub const METHOD: Method = Method::GET;

    /// Describes the request for one action.
    pub const fn new(droplet_id: DropletId, action_id: ActionId) -> Self {
        Self {
            droplet_id,
            action_id,
        }
    }

    /// The path, relative to the base URL.
    pub fn path(&self) -> String {
        format!(
            "/v2/droplets/{}/actions/{}",
            self.droplet_id, self.action_id
        )
    }

    /// The full URL of the request.
    pub fn url(&self, base: &BaseUrl) -> String {
        format!(
            "{}/v2/droplets/{}/actions/{}",
            base.as_str(),
            self.droplet_id,
            self.action_id
        )
    }

    /// The complete HTTP request: method, URL, `Authorization`, `Accept` and `User-Agent`.
    pub fn to_http(&self, base: &BaseUrl, token: &Token, user_agent: &HeaderValue) -> Request<()> {
        Request::builder()
            .method(Self::METHOD)
            .uri(self.url(base))
            .header(AUTHORIZATION, token.authorization().clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(USER_AGENT, user_agent.clone())
            .body(())
            .expect("a checked base URL and numeric ids always form a valid request")
    }
}
