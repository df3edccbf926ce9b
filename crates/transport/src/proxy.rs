//! The proxy URLs a client accepts.

use droplet_action_model::redact_proxy_url;
use ureq::http::Uri;

use crate::Error;

/// Checks a proxy URL as [`ClientBuilder::proxy`](crate::ClientBuilder::proxy) will:
/// `http://`, `socks4://`, `socks4a://`, `socks5://` or `socks5h://` with a host. The error
/// never shows credentials.
///
/// ```
/// use droplet_action_transport::check_proxy;
/// assert!(check_proxy("socks5://127.0.0.1:1080").is_ok());
/// let error = check_proxy("gopher://user:hunter2@proxy:70").unwrap_err();
/// assert!(!error.to_string().contains("hunter2"));
/// ```
///
/// # Errors
/// [`Error::InvalidArgument`] saying what is wrong.
pub fn check_proxy(url: &str) -> Result<(), Error> {
    parse_proxy(url).map(drop)
}

/// The proxy kinds a client speaks.
const PROXY_SCHEMES: [&str; 5] = ["http", "socks4", "socks4a", "socks5", "socks5h"];

/// Checks a proxy URL: one of [`PROXY_SCHEMES`], a host, a port from 1 to 65535 if one is
/// given, nothing after the authority; the error never shows credentials.
pub(crate) fn parse_proxy(url: &str) -> Result<ureq::Proxy, Error> {
    let shown = redact_proxy_url(url);
    let fail = |reason: &str| Error::invalid(format!("invalid proxy {shown}: {reason}"));
    let uri: Uri = url.parse().map_err(|_| fail("not a valid URL"))?;
    let scheme = uri
        .scheme_str()
        .ok_or_else(|| fail("no scheme (http://, socks5://, ...)"))?;
    if !PROXY_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
        return Err(fail(
            "the scheme must be http, socks4, socks4a, socks5 or socks5h",
        ));
    }
    let authority = uri.authority().ok_or_else(|| fail("no host"))?;
    if authority.host().is_empty() {
        return Err(fail("no host"));
    }
    droplet_action_model::parse_port(authority.as_str()).map_err(fail)?;
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err(fail("a proxy URL has no path or query"));
    }
    ureq::Proxy::new(url).map_err(|e| {
        let reason = e.to_string().replace(url, &shown);
        fail(&reason)
    })
}
