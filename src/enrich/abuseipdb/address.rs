//! Which addresses are worth asking a reputation service about: public unicast ones. Private,
//! loopback, link-local, documentation, shared (CGNAT), benchmarking, multicast and reserved
//! ranges say nothing about an attacker on the internet, and asking about them would spend
//! the quota and tell a third party about our own network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `address` is a public unicast address.
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(address: Ipv4Addr) -> bool {
    let [a, b, c, _] = address.octets();
    !(address.is_private()
        || address.is_loopback()
        || address.is_link_local()
        || address.is_broadcast()
        || address.is_documentation()
        || address.is_unspecified()
        || address.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(address: Ipv6Addr) -> bool {
    let segments = address.segments();
    let global_unicast = (segments[0] & 0xe000) == 0x2000;
    let documentation = segments[0] == 0x2001 && segments[1] == 0x0db8;
    let benchmarking = segments[0] == 0x2001 && segments[1] == 0x0002 && segments[2] == 0;
    let nat64_local = segments[0] == 0x0064 && segments[1] == 0xff9b && segments[2] == 1;
    global_unicast && !documentation && !benchmarking && !nat64_local
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_unicast_addresses_are_looked_up() {
        for public in ["8.8.8.8", "45.33.32.156", "2a00:1450:4001::1", "::ffff:1.1.1.1"] {
            assert!(is_public(public.parse().expect("address")), "{public}");
        }
        for private in [
            "10.0.0.5",
            "192.168.1.10",
            "172.16.0.1",
            "127.0.0.1",
            "169.254.1.1",
            "203.0.113.47",
            "198.51.100.22",
            "192.0.2.1",
            "100.64.0.1",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "2001:db8::1",
            "::ffff:10.0.0.1",
            "ff02::1",
        ] {
            assert!(!is_public(private.parse().expect("address")), "{private}");
        }
    }
}
