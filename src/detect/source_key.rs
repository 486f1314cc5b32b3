//! The key attacks are counted by: the source address, IPv6 per network (an attacker owns a
//! whole /64 and rotates through it), IPv4-mapped IPv6 as the IPv4 it is.

use super::settings::{Setting, SettingKind};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `--ipv6-prefix`: an attacker owns a /64, so that is the default unit.
pub static IPV6_PREFIX: Setting = Setting {
    name: "ipv6-prefix",
    value_name: "BITS",
    help: "IPv6 sources are counted per network of this prefix length (128: per address)",
    kind: SettingKind::Count {
        default: 64,
        min: 1,
        max: 128,
    },
};

/// A source address, or the IPv6 network it is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct SourceKey {
    address: IpAddr,
    prefix: u8,
}

impl SourceKey {
    /// The key of `text` (`source.ip`), with IPv6 counted per `/ipv6_prefix`.
    pub fn new(text: &str, ipv6_prefix: u8) -> Option<Self> {
        let address: IpAddr = text.parse().ok()?;
        Some(match address {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => SourceKey {
                    address: IpAddr::V4(v4),
                    prefix: 32,
                },
                None => {
                    let prefix = ipv6_prefix.clamp(1, 128);
                    let mask = u128::MAX << (128 - u32::from(prefix));
                    SourceKey {
                        address: IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask)),
                        prefix,
                    }
                }
            },
            v4 => SourceKey {
                address: v4,
                prefix: 32,
            },
        })
    }
}

impl fmt::Display for SourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.address {
            IpAddr::V4(v4) => write_ipv4(v4, f),
            IpAddr::V6(v6) if self.prefix < 128 => write!(f, "{v6}/{}", self.prefix),
            address => write!(f, "{address}"),
        }
    }
}

/// `203.0.113.7`, written digit by digit: an alert names its source three times, and the
/// standard formatter goes through the padding machinery for every octet.
fn write_ipv4(address: Ipv4Addr, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut text = [0u8; 15];
    let mut len = 0;
    let mut push = |byte: u8| {
        if let Some(slot) = text.get_mut(len) {
            *slot = byte;
            len += 1;
        }
    };
    for (index, octet) in address.octets().into_iter().enumerate() {
        if index > 0 {
            push(b'.');
        }
        if octet >= 100 {
            push(b'0' + octet / 100);
        }
        if octet >= 10 {
            push(b'0' + octet / 10 % 10);
        }
        push(b'0' + octet % 10);
    }
    f.write_str(std::str::from_utf8(&text[..len]).map_err(|_| fmt::Error)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_per_network_ipv4_as_is() {
        let key = |text| SourceKey::new(text, 64).map(|key| key.to_string());
        assert_eq!(key("203.0.113.7").as_deref(), Some("203.0.113.7"));
        assert_eq!(key("::ffff:203.0.113.7").as_deref(), Some("203.0.113.7"));
        assert_eq!(key("2001:db8:1:2:3:4:5:6").as_deref(), Some("2001:db8:1:2::/64"));
        assert_eq!(
            SourceKey::new("2001:db8:1:2::9", 64),
            SourceKey::new("2001:db8:1:2:ff::1", 64)
        );
        assert_eq!(
            SourceKey::new("2001:db8::1", 128).map(|key| key.to_string()).as_deref(),
            Some("2001:db8::1")
        );
        assert_eq!(key("example.com"), None);
    }

    proptest::proptest! {
        #[test]
        fn ipv4_is_written_as_the_standard_library_writes_it(bits: u32) {
            let address = Ipv4Addr::from(bits);
            let key = SourceKey::new(&address.to_string(), 64);
            proptest::prop_assert_eq!(key.map(|key| key.to_string()), Some(address.to_string()));
        }
    }
}
