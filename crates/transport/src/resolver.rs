//! A name resolver that remembers answers for a bounded time.
//!
//! ureq's default resolver looks the host up on every request and, when a timeout is set,
//! starts a thread for each lookup. A client that calls one API host over and over needs
//! neither: this resolver answers IP literals directly and keeps each DNS answer for
//! [`TTL`], so a changed record is still picked up.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a DNS answer is reused.
pub(crate) const TTL: Duration = Duration::from_secs(30);

/// How many hosts are remembered at once; a client talks to one or two.
const MAX_HOSTS: usize = 16;

#[derive(Debug, Default)]
pub(crate) struct CachingResolver {
    lookup: DefaultResolver,
    cache: Mutex<HashMap<(String, u16), (Instant, ResolvedSocketAddrs)>>,
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let Some(authority) = uri.authority() else {
            return self.lookup.resolve(uri, config, timeout);
        };
        let port = authority
            .port_u16()
            .unwrap_or(if uri.scheme_str() == Some("https") {
                443
            } else {
                80
            });
        let host = authority.host();
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            let mut addrs = self.empty();
            addrs.push(SocketAddr::new(ip, port));
            return Ok(addrs);
        }

        let key = (host.to_ascii_lowercase(), port);
        let now = Instant::now();
        if let Some((expires, addrs)) = self.cache().get(&key)
            && *expires > now
        {
            return Ok(addrs.clone());
        }
        // The lookup runs without the lock held: other threads keep using the cache.
        let addrs = self.lookup.resolve(uri, config, timeout)?;
        let mut cache = self.cache();
        cache.retain(|_, (expires, _)| *expires > now);
        if cache.len() >= MAX_HOSTS {
            cache.clear();
        }
        cache.insert(key, (now + TTL, addrs.clone()));
        Ok(addrs)
    }
}

impl CachingResolver {
    fn cache(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(String, u16), (Instant, ResolvedSocketAddrs)>> {
        // A panic while holding the lock cannot leave the map half-written in a way that
        // matters: every entry is a complete answer.
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
