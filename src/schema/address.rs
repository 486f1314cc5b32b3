//! Addresses as the schema writes them: an IP is normalised text (IPv4 dotted, IPv6
//! compressed, IPv4-mapped IPv6 as IPv4), a host name is checked before it is taken for one.
//! Every parser and the event writer use these, so one address is spelled one way everywhere.

use std::net::{IpAddr, Ipv6Addr};

/// An IP address as text → normalised: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes IPv4,
/// brackets and an IPv6 zone (`%eth0`) are dropped. `None` if it is not an address.
pub fn normalize_ip(text: &str) -> Option<IpAddr> {
    if let Some(v4) = parse_ipv4(text.as_bytes()) {
        return Some(IpAddr::V4(v4));
    }
    if !text.contains(':') {
        return None;
    }
    let text = text
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(text);
    let text = text.split_once('%').map_or(text, |(address, _zone)| address);
    match text.parse::<IpAddr>().ok()? {
        IpAddr::V6(v6) => Some(unmap(v6)),
        v4 => Some(v4),
    }
}

/// Dotted-quad IPv4, strictly (no leading zeros, as the standard parser): the common case,
/// parsed an octet at a time without the general parser's cost.
fn parse_ipv4(bytes: &[u8]) -> Option<std::net::Ipv4Addr> {
    if !(7..=15).contains(&bytes.len()) {
        return None;
    }
    let mut octets = [0u8; 4];
    let mut rest = bytes;
    for (index, octet) in octets.iter_mut().enumerate() {
        let (value, used) = parse_octet(rest)?;
        *octet = value;
        rest = rest.get(used..)?;
        if index < 3 {
            rest = rest.strip_prefix(b".")?;
        }
    }
    rest.is_empty().then(|| std::net::Ipv4Addr::from(octets))
}

/// One decimal octet at the start of `bytes`: its value and how many digits it took.
fn parse_octet(bytes: &[u8]) -> Option<(u8, usize)> {
    let digit = |at: usize| bytes.get(at).map(|b| b.wrapping_sub(b'0')).filter(|d| *d < 10);
    let first = digit(0)?;
    let Some(second) = digit(1) else {
        return Some((first, 1));
    };
    if first == 0 {
        return None;
    }
    let Some(third) = digit(2) else {
        return Some((first * 10 + second, 2));
    };
    let value = u16::from(first) * 100 + u16::from(second) * 10 + u16::from(third);
    if digit(3).is_some() {
        return None;
    }
    Some((u8::try_from(value).ok()?, 3))
}

fn unmap(v6: Ipv6Addr) -> IpAddr {
    match v6.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(v6),
    }
}

/// Whether text can be a DNS host name (letters, digits, `-`, `_`, `.`; not all digits).
pub fn looks_like_hostname(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        && text.bytes().any(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_normalisation() {
        assert_eq!(normalize_ip("::ffff:1.2.3.4"), "1.2.3.4".parse().ok());
        assert_eq!(normalize_ip("2001:DB8:0:0::1"), "2001:db8::1".parse().ok());
        assert_eq!(
            normalize_ip("[fe80::1%eth0]").map(|ip| ip.to_string()),
            Some("fe80::1".to_string())
        );
        assert_eq!(normalize_ip("192.030.0.6"), None);
        for text in [
            "0.0.0.0",
            "255.255.255.255",
            "10.0.0.1",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            "01.2.3.4",
            "1..2.3",
            "1.2.3.",
            "a.b.c.d",
            "1.2.3.04",
            "1.2.3.255",
            "1.2.3.2555",
            "1.2.300.4",
            "9.99.199.249",
            "1.2.3.4 ",
            "+1.2.3.4",
        ] {
            assert_eq!(normalize_ip(text), text.parse().ok(), "{text}");
        }
        assert_eq!(normalize_ip("example.com"), None);
    }

    #[test]
    fn ipv4_fast_path_agrees_with_the_standard_parser() {
        const OCTETS: [&str; 17] = [
            "0", "00", "1", "01", "10", "99", "100", "199", "200", "249", "250", "255", "256", "300", "999", "1000", "",
        ];
        for a in OCTETS {
            for b in OCTETS {
                for c in OCTETS {
                    for d in OCTETS {
                        let text = format!("{a}.{b}.{c}.{d}");
                        let expected = text.parse::<std::net::Ipv4Addr>().ok();
                        assert_eq!(parse_ipv4(text.as_bytes()), expected, "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn hostnames() {
        assert!(looks_like_hostname("example.com"));
        assert!(looks_like_hostname("ip-10-77-20-248"));
        assert!(!looks_like_hostname("192.030.0.6"));
        assert!(!looks_like_hostname("a b"));
        assert!(!looks_like_hostname(""));
    }
}
