//! The proxy the environment names for a base URL, chosen as curl chooses it.
//!
//! The environment is an argument (a function from a variable's name to its value), so the
//! rule is a pure function: the transport passes `std::env::var`, tests pass a table.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::BaseUrl;

/// A proxy taken from the environment: the variable that named it and its value (a URL,
/// `http://` assumed when it names no scheme, as curl does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvProxy {
    /// The variable read, such as `"https_proxy"` or `"ALL_PROXY"`.
    pub variable: &'static str,
    /// The proxy URL, with a scheme.
    pub url: String,
}

/// The variables that may name a proxy for an `https` base URL, in the order they are read.
pub const HTTPS_PROXY_VARIABLES: [&str; 4] =
    ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];
/// The variables that may name a proxy for a plain `http` base URL, in the order they are
/// read. Upper-case `HTTP_PROXY` is not one of them: a CGI program receives a request's
/// `Proxy:` header under that name (curl ignores it for the same reason).
pub const HTTP_PROXY_VARIABLES: [&str; 3] = ["http_proxy", "all_proxy", "ALL_PROXY"];
/// The variables that list hosts to reach without a proxy, in the order they are read.
pub const NO_PROXY_VARIABLES: [&str; 2] = ["no_proxy", "NO_PROXY"];

/// The proxy the environment names for `base_url`, or `None` to connect directly, as curl
/// decides: `no_proxy` (else `NO_PROXY`) first, which [`no_proxy_matches`] reads; then the
/// first set, non-empty variable of [`HTTPS_PROXY_VARIABLES`] (or, for plain `http`,
/// [`HTTP_PROXY_VARIABLES`]). An empty variable counts as unset.
///
/// ```
/// use droplet_action_model::{BaseUrl, EnvProxy, proxy_from_env};
///
/// let env = |name: &str| match name {
///     "HTTPS_PROXY" => Some("proxy.corp:3128".to_owned()),
///     "NO_PROXY" => Some("localhost, .internal".to_owned()),
///     _ => None,
/// };
/// let api = BaseUrl::parse("https://api.digitalocean.com").unwrap();
/// assert_eq!(
///     proxy_from_env(&api, env),
///     Some(EnvProxy { variable: "HTTPS_PROXY", url: "http://proxy.corp:3128".to_owned() })
/// );
/// let inside = BaseUrl::parse("https://api.do.internal").unwrap();
/// assert_eq!(proxy_from_env(&inside, env), None);
/// ```
pub fn proxy_from_env(
    base_url: &BaseUrl,
    var: impl Fn(&str) -> Option<String>,
) -> Option<EnvProxy> {
    let set = |name: &str| var(name).filter(|value| !value.trim().is_empty());
    if let Some(no_proxy) = NO_PROXY_VARIABLES.iter().find_map(|name| set(name))
        && no_proxy_matches(&no_proxy, base_url.host())
    {
        return None;
    }
    let candidates: &[&'static str] = if base_url.is_https() {
        &HTTPS_PROXY_VARIABLES
    } else {
        &HTTP_PROXY_VARIABLES
    };
    candidates.iter().find_map(|&variable| {
        let value = set(variable)?;
        let value = value.trim();
        let url = if value.contains("://") {
            value.to_owned()
        } else {
            format!("http://{value}")
        };
        Some(EnvProxy { variable, url })
    })
}

/// Whether `host` (a name, an IPv4 address, or an IPv6 address with or without brackets)
/// is to be reached without a proxy according to `no_proxy`, read as curl reads it:
///
/// - `*` alone (the whole value) matches every host;
/// - entries are separated by commas and spaces;
/// - a name matches itself and every name below it (`example.com` matches `example.com`
///   and `www.example.com`, not `notexample.com`), ignoring case, a leading dot
///   (`.example.com` is `example.com`) and trailing dots;
/// - an IP address matches that address, and `address/bits` a network (`10.0.0.0/8`,
///   `fd00::/8`; `/0` is the address alone, as curl reads it); an address entry never
///   matches a name, nor a name entry an address. (curl 7.88 matches IPv6 entries less
///   often than this; later curls as this does.)
///
/// ```
/// use droplet_action_model::no_proxy_matches;
/// assert!(no_proxy_matches("*", "anything.example"));
/// assert!(no_proxy_matches("example.com", "api.EXAMPLE.com."));
/// assert!(no_proxy_matches(".example.com", "example.com"));
/// assert!(!no_proxy_matches("example.com", "notexample.com"));
/// assert!(no_proxy_matches("10.0.0.0/8, ::1", "10.1.2.3"));
/// assert!(no_proxy_matches("10.0.0.0/8, ::1", "[::1]"));
/// assert!(!no_proxy_matches("127.0.0.1", "localhost"));
/// ```
pub fn no_proxy_matches(no_proxy: &str, host: &str) -> bool {
    // Only `*` itself, as curl reads it: not ` * `, not `*` in a list.
    if no_proxy == "*" {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let address = bare.parse::<IpAddr>().ok();
    let name = bare.trim_end_matches('.');
    no_proxy
        .split([',', ' ', '\t'])
        .filter(|entry| !entry.is_empty())
        .any(|entry| match address {
            Some(address) => address_matches(entry, address),
            None => name_matches(entry, name),
        })
}

fn name_matches(entry: &str, name: &str) -> bool {
    let entry = entry.trim_end_matches('.');
    let entry = entry.strip_prefix('.').unwrap_or(entry);
    if entry.is_empty() || name.len() < entry.len() {
        return false;
    }
    let split = name.len() - entry.len();
    name.is_char_boundary(split)
        && name[split..].eq_ignore_ascii_case(entry)
        && (split == 0 || name.as_bytes()[split - 1] == b'.')
}

fn address_matches(entry: &str, address: IpAddr) -> bool {
    let entry = entry
        .strip_prefix('[')
        .map(|e| e.replacen(']', "", 1))
        .unwrap_or_else(|| entry.to_owned());
    let (network, bits) = match entry.split_once('/') {
        Some((network, bits)) => match bits.parse::<u32>() {
            Ok(bits) => (network, Some(bits)),
            Err(_) => return false,
        },
        None => (entry.as_str(), None),
    };
    match (network.parse::<IpAddr>(), address) {
        (Ok(IpAddr::V4(network)), IpAddr::V4(address)) => {
            // As curl: `/0` is no network of everything, but the address itself.
            prefix_matches_v4(network, address, bits.filter(|b| *b > 0).unwrap_or(32))
        }
        (Ok(IpAddr::V6(network)), IpAddr::V6(address)) => {
            prefix_matches_v6(network, address, bits.filter(|b| *b > 0).unwrap_or(128))
        }
        _ => false,
    }
}

fn prefix_matches_v4(network: Ipv4Addr, address: Ipv4Addr, bits: u32) -> bool {
    if bits > 32 {
        return false;
    }
    let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
    u32::from(network) & mask == u32::from(address) & mask
}

fn prefix_matches_v6(network: Ipv6Addr, address: Ipv6Addr, bits: u32) -> bool {
    if bits > 128 {
        return false;
    }
    let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
    u128::from(network) & mask == u128::from(address) & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn chosen(base: &str, pairs: &[(&str, &str)]) -> Option<(&'static str, String)> {
        proxy_from_env(&BaseUrl::parse(base).unwrap(), env(pairs)).map(|p| (p.variable, p.url))
    }

    #[test]
    fn https_reads_the_scheme_variable_before_all_proxy_lower_case_first() {
        let all = [
            ("ALL_PROXY", "socks5h://all-upper:1080"),
            ("all_proxy", "http://all-lower:1"),
            ("HTTPS_PROXY", "http://https-upper:2"),
            ("https_proxy", "http://https-lower:3"),
        ];
        let api = "https://api.digitalocean.com";
        assert_eq!(
            chosen(api, &all),
            Some(("https_proxy", "http://https-lower:3".into()))
        );
        assert_eq!(
            chosen(api, &all[..3]),
            Some(("HTTPS_PROXY", "http://https-upper:2".into()))
        );
        assert_eq!(
            chosen(api, &all[..2]),
            Some(("all_proxy", "http://all-lower:1".into()))
        );
        assert_eq!(
            chosen(api, &all[..1]),
            Some(("ALL_PROXY", "socks5h://all-upper:1080".into()))
        );
        assert_eq!(chosen(api, &[]), None);
    }

    #[test]
    fn plain_http_never_reads_upper_case_http_proxy() {
        let base = "http://127.0.0.1:8080";
        assert_eq!(chosen(base, &[("HTTP_PROXY", "http://cgi:1")]), None);
        assert_eq!(
            chosen(
                base,
                &[("HTTP_PROXY", "http://cgi:1"), ("http_proxy", "p:2")]
            ),
            Some(("http_proxy", "http://p:2".into()))
        );
        assert_eq!(chosen(base, &[("HTTPS_PROXY", "http://s:3")]), None);
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let api = "https://api.digitalocean.com";
        assert_eq!(
            chosen(api, &[("https_proxy", " "), ("ALL_PROXY", "http://a:1")]),
            Some(("ALL_PROXY", "http://a:1".into()))
        );
        // An empty lower-case no_proxy does not hide the upper-case one.
        assert_eq!(
            chosen(
                api,
                &[
                    ("no_proxy", ""),
                    ("NO_PROXY", "*"),
                    ("ALL_PROXY", "http://a:1")
                ]
            ),
            None
        );
        // The lower-case one wins when both are set.
        assert_eq!(
            chosen(
                api,
                &[
                    ("no_proxy", "other.com"),
                    ("NO_PROXY", "*"),
                    ("ALL_PROXY", "http://a:1")
                ]
            ),
            Some(("ALL_PROXY", "http://a:1".into()))
        );
    }

    #[test]
    fn names_match_themselves_and_below_them() {
        let cases = [
            ("example.com", "example.com", true),
            ("example.com", "www.example.com", true),
            ("example.com", "notexample.com", false),
            (".example.com", "example.com", true),
            (".example.com", "a.b.example.com", true),
            ("example.com.", "www.example.com", true),
            ("EXAMPLE.com", "www.Example.COM", true),
            ("www.example.com", "example.com", false),
            ("localhost", "localhost", true),
            ("localhost", "127.0.0.1", false),
            ("other.com, example.com", "api.example.com", true),
            ("other.com,\texample.com", "api.example.com", true),
            ("other.com  example.com", "api.example.com", true),
            ("*", "x", true),
            (" * ", "x", false),
            ("*, other.com", "x", false),
            ("example.com:443", "example.com", false),
            (".", "example.com", false),
            ("", "example.com", false),
            ("é.com", "xé.com", false),
            ("é.com", "x.é.com", true),
        ];
        for (no_proxy, host, expected) in cases {
            assert_eq!(
                no_proxy_matches(no_proxy, host),
                expected,
                "{no_proxy:?} {host:?}"
            );
        }
    }

    #[test]
    fn addresses_match_exactly_or_by_network() {
        let cases = [
            ("127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1", "127.0.0.2", false),
            ("127.0.0.0/8", "127.200.0.1", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("192.168.1.0/24", "192.168.1.255", true),
            ("192.168.1.0/24", "192.168.2.1", false),
            ("0.0.0.0/0", "8.8.8.8", false),
            ("8.8.8.8/0", "8.8.8.8", true),
            ("1.2.3.4/33", "1.2.3.4", false),
            ("1.2.3.4/x", "1.2.3.4", false),
            ("::1", "[::1]", true),
            ("[::1]", "[::1]", true),
            ("::1", "::1", true),
            ("fd00::/8", "[fd12:3456::1]", true),
            ("fd00::/8", "[fe80::1]", false),
            ("::/0", "[2001:db8::1]", false),
            ("::1/129", "[::1]", false),
            ("127.0.0.1", "[::1]", false),
            ("::ffff:127.0.0.1", "127.0.0.1", false),
            ("localhost", "127.0.0.1", false),
            ("127.0.0.1", "localhost", false),
        ];
        for (no_proxy, host, expected) in cases {
            assert_eq!(
                no_proxy_matches(no_proxy, host),
                expected,
                "{no_proxy:?} {host:?}"
            );
        }
    }

    #[test]
    fn no_proxy_keeps_a_base_url_off_the_proxy() {
        let pairs = [("no_proxy", "127.0.0.0/8"), ("http_proxy", "http://p:1")];
        assert_eq!(chosen("http://127.0.0.1:9", &pairs), None);
        assert_eq!(
            chosen("http://localhost:9", &pairs),
            Some(("http_proxy", "http://p:1".into()))
        );
        let v6 = [("no_proxy", "::1"), ("http_proxy", "http://p:1")];
        assert_eq!(chosen("http://[::1]:9", &v6), None);
    }
}
