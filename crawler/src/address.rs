//! The address guard: which hosts the crawler may talk to at all.
//!
//! Crawled pages name URLs, and a hostile or careless page can point at `http://10.0.0.1/`,
//! `http://169.254.169.254/latest/meta-data` or a host name that resolves to loopback. The guard
//! refuses non-http(s) schemes, IP-literal hosts in non-public ranges (checked on every hop by
//! the fetcher, because the HTTP client connects to literals without resolving them) and, through
//! [`GuardedResolver`], every resolved address in those ranges.
//!
//! `allow_private_addresses = true` lifts the guard for fixture webs; [`AddressGuard::allow_net`]
//! lifts it for one network only, so that tests can serve on loopback while `10.0.0.0/8` stays
//! refused. This module does not decide *whether* a URL may be fetched by robots.txt or rate;
//! that is the politeness gate's job.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use url::{Host, Url};

/// Why the guard refused a URL or an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("scheme {scheme:?} is not http or https")]
    Scheme { scheme: String },
    #[error("url has no host")]
    NoHost,
    #[error("{ip} is a {range} address")]
    NonPublic { ip: IpAddr, range: &'static str },
    #[error("{host} resolves only to refused addresses ({ip} is a {range} address)")]
    ResolvesToNonPublic {
        host: String,
        ip: IpAddr,
        range: &'static str,
    },
    #[error("{host} does not resolve: {message}")]
    Resolve { host: String, message: String },
}

/// An IP network in CIDR notation (`10.0.0.0/8`, `fe80::/10`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// `None` when the prefix is longer than the address.
    pub fn new(addr: IpAddr, prefix: u8) -> Option<IpNet> {
        let bits = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        (prefix <= bits).then_some(IpNet { addr, prefix })
    }

    const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> IpNet {
        IpNet {
            addr: IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
            prefix,
        }
    }

    const fn v6(segments: [u16; 8], prefix: u8) -> IpNet {
        let [a, b, c, d, e, f, g, h] = segments;
        IpNet {
            addr: IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h)),
            prefix,
        }
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(
                u128::from(net.to_bits()),
                u128::from(ip.to_bits()),
                32,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(net.to_bits(), ip.to_bits(), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn prefix_eq(net: u128, ip: u128, bits: u32, prefix: u8) -> bool {
    let host_bits = bits - u32::from(prefix);
    if host_bits >= bits {
        return true;
    }
    (net >> host_bits) == (ip >> host_bits)
}

impl FromStr for IpNet {
    type Err = String;

    fn from_str(text: &str) -> Result<IpNet, String> {
        let (addr, prefix) = text
            .split_once('/')
            .ok_or_else(|| format!("network {text:?} lacks a /prefix"))?;
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("network {text:?}: invalid address"))?;
        let prefix: u8 = prefix
            .parse()
            .map_err(|_| format!("network {text:?}: invalid prefix"))?;
        IpNet::new(addr, prefix).ok_or_else(|| format!("network {text:?}: prefix too long"))
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// Ranges that are not the public internet (IANA special-purpose registries), with the name
/// used in error messages.
const NON_PUBLIC: &[(IpNet, &str)] = &[
    (IpNet::v4(0, 0, 0, 0, 8), "unspecified"),
    (IpNet::v4(10, 0, 0, 0, 8), "private"),
    (IpNet::v4(100, 64, 0, 0, 10), "carrier-grade NAT"),
    (IpNet::v4(127, 0, 0, 0, 8), "loopback"),
    (IpNet::v4(169, 254, 0, 0, 16), "link-local"),
    (IpNet::v4(172, 16, 0, 0, 12), "private"),
    (IpNet::v4(192, 0, 0, 0, 24), "protocol-assignment"),
    (IpNet::v4(192, 0, 2, 0, 24), "documentation"),
    (IpNet::v4(192, 168, 0, 0, 16), "private"),
    (IpNet::v4(198, 18, 0, 0, 15), "benchmarking"),
    (IpNet::v4(198, 51, 100, 0, 24), "documentation"),
    (IpNet::v4(203, 0, 113, 0, 24), "documentation"),
    (IpNet::v4(224, 0, 0, 0, 4), "multicast"),
    (IpNet::v4(240, 0, 0, 0, 4), "reserved"),
    (IpNet::v6([0, 0, 0, 0, 0, 0, 0, 0], 128), "unspecified"),
    (IpNet::v6([0, 0, 0, 0, 0, 0, 0, 1], 128), "loopback"),
    (IpNet::v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64), "discard-only"),
    (
        IpNet::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),
        "documentation",
    ),
    (IpNet::v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7), "unique-local"),
    (IpNet::v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10), "link-local"),
    (IpNet::v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10), "site-local"),
    (IpNet::v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8), "multicast"),
];

/// The range name of a non-public address, looking through IPv6 forms that embed an IPv4
/// address (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`).
pub fn non_public_range(ip: IpAddr) -> Option<&'static str> {
    if let IpAddr::V6(v6) = ip
        && let Some(v4) = embedded_v4(v6)
    {
        return non_public_range(IpAddr::V4(v4));
    }
    NON_PUBLIC
        .iter()
        .find(|(net, _)| net.contains(ip))
        .map(|(_, range)| *range)
}

fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = ip.segments();
    let low = Ipv4Addr::new(
        (s[6] >> 8) as u8,
        (s[6] & 0xff) as u8,
        (s[7] >> 8) as u8,
        (s[7] & 0xff) as u8,
    );
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(low);
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            (s[1] & 0xff) as u8,
            (s[2] >> 8) as u8,
            (s[2] & 0xff) as u8,
        ));
    }
    None
}

/// Decides which addresses and URLs the crawler may contact.
#[derive(Debug, Clone, Default)]
pub struct AddressGuard {
    allow_private: bool,
    allowed_nets: Vec<IpNet>,
}

impl AddressGuard {
    /// `allow_private = true` lets every address through (fixture webs on private ranges).
    pub fn new(allow_private: bool) -> AddressGuard {
        AddressGuard {
            allow_private,
            allowed_nets: Vec::new(),
        }
    }

    /// Lets one network through although it is not public.
    pub fn allow_net(mut self, net: IpNet) -> AddressGuard {
        self.allowed_nets.push(net);
        self
    }

    pub fn check_ip(&self, ip: IpAddr) -> Result<(), AddressError> {
        if self.allow_private || self.allowed_nets.iter().any(|net| net.contains(ip)) {
            return Ok(());
        }
        match non_public_range(ip) {
            Some(range) => Err(AddressError::NonPublic { ip, range }),
            None => Ok(()),
        }
    }

    /// Checks what can be checked without resolving: the scheme and an IP-literal host. Names
    /// are checked after resolution by [`GuardedResolver`].
    pub fn check_url(&self, url: &Url) -> Result<(), AddressError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(AddressError::Scheme {
                scheme: url.scheme().to_owned(),
            });
        }
        match url.host() {
            None => Err(AddressError::NoHost),
            Some(Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip)),
            Some(Host::Domain(_)) => Ok(()),
        }
    }

    /// Keeps the addresses the guard allows; an error naming the first refused one when none
    /// is left.
    pub fn filter(
        &self,
        host: &str,
        addrs: Vec<SocketAddr>,
    ) -> Result<Vec<SocketAddr>, AddressError> {
        let mut kept = Vec::with_capacity(addrs.len());
        let mut first_refusal = None;
        for addr in addrs {
            match self.check_ip(addr.ip()) {
                Ok(()) => kept.push(addr),
                Err(AddressError::NonPublic { ip, range }) => {
                    tracing::debug!(host, %ip, range, "resolved address refused");
                    first_refusal.get_or_insert((ip, range));
                }
                Err(other) => return Err(other),
            }
        }
        if !kept.is_empty() {
            return Ok(kept);
        }
        match first_refusal {
            Some((ip, range)) => Err(AddressError::ResolvesToNonPublic {
                host: host.to_owned(),
                ip,
                range,
            }),
            None => Err(AddressError::Resolve {
                host: host.to_owned(),
                message: "no addresses".to_owned(),
            }),
        }
    }
}

/// A DNS resolver for reqwest that resolves with the system resolver (off the reactor, through
/// tokio) and drops every address the guard refuses, so that a connection is only ever made to
/// an allowed address, whatever the name.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    guard: Arc<AddressGuard>,
}

impl GuardedResolver {
    pub fn new(guard: Arc<AddressGuard>) -> GuardedResolver {
        GuardedResolver { guard }
    }

    /// Resolves `host` (port 0: the client puts the URL's port in) and filters the result.
    pub async fn resolve_host(&self, host: &str) -> Result<Vec<SocketAddr>, AddressError> {
        let resolved =
            tokio::net::lookup_host((host, 0))
                .await
                .map_err(|error| AddressError::Resolve {
                    host: host.to_owned(),
                    message: error.to_string(),
                })?;
        self.guard.filter(host, resolved.collect())
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let resolver = self.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = resolver.resolve_host(&host).await?;
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(guard: &AddressGuard, ip: &str, expected: Option<&str>) {
        let ip: IpAddr = ip.parse().unwrap();
        let got = match guard.check_ip(ip) {
            Ok(()) => None,
            Err(AddressError::NonPublic { range, .. }) => Some(range),
            Err(other) => panic!("{ip}: unexpected {other}"),
        };
        assert_eq!(got, expected, "{ip}");
    }

    #[test]
    fn refuses_every_non_public_range() {
        let guard = AddressGuard::new(false);
        check(&guard, "10.0.0.1", Some("private"));
        check(&guard, "172.16.0.1", Some("private"));
        check(&guard, "172.31.255.255", Some("private"));
        check(&guard, "192.168.1.1", Some("private"));
        check(&guard, "127.0.0.1", Some("loopback"));
        check(&guard, "127.255.0.9", Some("loopback"));
        check(&guard, "169.254.169.254", Some("link-local"));
        check(&guard, "100.64.0.1", Some("carrier-grade NAT"));
        check(&guard, "100.127.255.254", Some("carrier-grade NAT"));
        check(&guard, "0.0.0.0", Some("unspecified"));
        check(&guard, "192.0.2.7", Some("documentation"));
        check(&guard, "198.51.100.7", Some("documentation"));
        check(&guard, "203.0.113.7", Some("documentation"));
        check(&guard, "224.0.0.251", Some("multicast"));
        check(&guard, "255.255.255.255", Some("reserved"));
        check(&guard, "::", Some("unspecified"));
        check(&guard, "::1", Some("loopback"));
        check(&guard, "fe80::1", Some("link-local"));
        check(&guard, "fd12:3456::1", Some("unique-local"));
        check(&guard, "ff02::1", Some("multicast"));
        check(&guard, "2001:db8::1", Some("documentation"));
        check(&guard, "::ffff:10.1.2.3", Some("private"));
        check(&guard, "::ffff:127.0.0.1", Some("loopback"));
        check(&guard, "64:ff9b::a9fe:a9fe", Some("link-local"));
        check(&guard, "2002:0a00:0001::1", Some("private"));
    }

    #[test]
    fn lets_public_addresses_through() {
        let guard = AddressGuard::new(false);
        for ip in [
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "8.8.8.8",
            "2a00:1450:4001::1",
            "::ffff:93.184.216.34",
        ] {
            check(&guard, ip, None);
        }
    }

    #[test]
    fn allow_private_lets_everything_through() {
        let guard = AddressGuard::new(true);
        check(&guard, "10.0.0.1", None);
        check(&guard, "127.0.0.1", None);
    }

    #[test]
    fn an_allowed_net_opens_only_that_net() {
        let guard = AddressGuard::new(false).allow_net("127.0.0.0/8".parse().unwrap());
        check(&guard, "127.0.0.1", None);
        check(&guard, "10.0.0.1", Some("private"));
        check(&guard, "169.254.169.254", Some("link-local"));
        check(&guard, "::1", Some("loopback"));
    }

    #[test]
    fn urls_are_checked_by_scheme_and_literal_host() {
        let guard = AddressGuard::new(false);
        let refused = |url: &str| guard.check_url(&Url::parse(url).unwrap()).err();
        assert_eq!(refused("https://example.org/"), None);
        assert_eq!(refused("http://93.184.216.34/x"), None);
        assert!(matches!(
            refused("ftp://example.org/"),
            Some(AddressError::Scheme { .. })
        ));
        assert!(matches!(
            refused("file:///etc/passwd"),
            Some(AddressError::Scheme { .. })
        ));
        assert!(matches!(
            refused("http://169.254.169.254/latest/meta-data"),
            Some(AddressError::NonPublic {
                range: "link-local",
                ..
            })
        ));
        assert!(matches!(
            refused("http://[::1]:8080/"),
            Some(AddressError::NonPublic {
                range: "loopback",
                ..
            })
        ));
        // The url crate reads decimal and hex spellings as the IPv4 address they denote.
        assert!(matches!(
            refused("http://2130706433/"),
            Some(AddressError::NonPublic {
                range: "loopback",
                ..
            })
        ));
        assert!(matches!(
            refused("http://0x0a000001/"),
            Some(AddressError::NonPublic {
                range: "private",
                ..
            })
        ));
    }

    #[test]
    fn filter_keeps_allowed_and_names_the_refusal() {
        let guard = AddressGuard::new(false);
        let addrs = vec![
            "10.0.0.5:0".parse().unwrap(),
            "93.184.216.34:0".parse().unwrap(),
        ];
        let kept = guard.filter("mixed.example", addrs).unwrap();
        assert_eq!(kept, vec!["93.184.216.34:0".parse::<SocketAddr>().unwrap()]);

        let error = guard
            .filter("intranet.example", vec!["10.0.0.5:0".parse().unwrap()])
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "intranet.example resolves only to refused addresses (10.0.0.5 is a private address)"
        );
    }

    #[tokio::test]
    async fn resolver_refuses_a_name_that_resolves_to_loopback() {
        // `localhost` resolves from the hosts file, without the network.
        let resolver = GuardedResolver::new(Arc::new(AddressGuard::new(false)));
        let error = resolver.resolve_host("localhost").await.unwrap_err();
        assert!(
            matches!(
                error,
                AddressError::ResolvesToNonPublic {
                    range: "loopback",
                    ..
                }
            ),
            "{error}"
        );

        let open = GuardedResolver::new(Arc::new(
            AddressGuard::new(false).allow_net("127.0.0.0/8".parse().unwrap()),
        ));
        let addrs = open.resolve_host("localhost").await.unwrap();
        assert!(
            addrs.iter().all(|addr| addr.ip().is_loopback()),
            "{addrs:?}"
        );
    }

    #[test]
    fn networks_parse_and_contain() {
        let net: IpNet = "192.168.0.0/16".parse().unwrap();
        assert!(net.contains("192.168.44.1".parse().unwrap()));
        assert!(!net.contains("192.169.0.1".parse().unwrap()));
        assert!(!net.contains("::1".parse().unwrap()));
        let all: IpNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<IpNet>().is_err());
        assert!("10.0.0.0".parse::<IpNet>().is_err());
        assert_eq!(net.to_string(), "192.168.0.0/16");
    }
}
