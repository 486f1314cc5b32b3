//! An address or a network (`10.0.0.0/8`, `2001:db8::/32`), for allowlists.

use std::net::IpAddr;
use std::str::FromStr;

/// A network in CIDR notation; a bare address is a network of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    /// Whether `address` (`source.ip` text) lies in this network; IPv4-mapped IPv6 counts as
    /// the IPv4 address it is.
    pub fn contains(&self, address: &str) -> bool {
        let Ok(address) = address.parse::<IpAddr>() else {
            return false;
        };
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        match (self.base, address) {
            (IpAddr::V4(base), IpAddr::V4(address)) => {
                masked(u128::from(u32::from(base)), 32, self.prefix)
                    == masked(u128::from(u32::from(address)), 32, self.prefix)
            }
            (IpAddr::V6(base), IpAddr::V6(address)) => {
                masked(u128::from(base), 128, self.prefix) == masked(u128::from(address), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn masked(bits: u128, width: u32, prefix: u8) -> u128 {
    let prefix = u32::from(prefix).min(width);
    if prefix == 0 {
        return 0;
    }
    bits >> (width - prefix)
}

impl FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let base: IpAddr = address
            .trim()
            .parse()
            .map_err(|_| format!("not an IP address or network: {text}"))?;
        let width = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|bits| u32::from(*bits) <= width)
                .ok_or_else(|| format!("bad prefix length in {text}"))?,
            None => width as u8,
        };
        Ok(Network { base, prefix })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_and_addresses() {
        let office: Network = "10.20.0.0/16".parse().expect("network");
        assert!(office.contains("10.20.3.4") && office.contains("::ffff:10.20.0.1"));
        assert!(!office.contains("10.21.0.1") && !office.contains("2001:db8::1") && !office.contains("x"));
        let host: Network = "192.0.2.5".parse().expect("address");
        assert!(host.contains("192.0.2.5") && !host.contains("192.0.2.6"));
        let v6: Network = "2001:db8::/32".parse().expect("v6");
        assert!(v6.contains("2001:db8:ffff::1") && !v6.contains("2001:db9::1"));
        let everything: Network = "0.0.0.0/0".parse().expect("all");
        assert!(everything.contains("203.0.113.1"));
        for bad in ["10.0.0.0/33", "nope", "10.0.0.0/x", "::/129"] {
            assert!(bad.parse::<Network>().is_err(), "{bad}");
        }
    }
}
