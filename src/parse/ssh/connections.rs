//! sshd runs one process per connection, so its pid ties the lines of one connection
//! together: `Connection from H port P` names the peer, later lines (`Disconnecting: Too
//! many authentication failures`, kex errors) often do not. This table remembers the peer
//! per (host, pid) so those events still carry `source.ip`.
//!
//! Bounded and small, so that it stays in the CPU cache on a log of millions of connections:
//! two generations of at most 4,096 connections each. A connection not seen while two
//! generations filled up is forgotten; at that point it has outlived sshd's login grace time
//! on any server that is not taking thousands of new connections a minute.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;

const GENERATION: usize = 4096;

type Table = HashMap<(u64, u32), Connection, BuildHasherDefault<KeyHasher>>;

/// What is known about one sshd connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Connection {
    /// The peer, once a line named it.
    pub peer: Option<(IpAddr, Option<u16>)>,
    /// A failure was logged without a peer (e.g. a banner error before `Connection closed`).
    pub failed_without_peer: bool,
    /// The connection authenticated.
    pub authenticated: bool,
}

/// Connections by (logging host, sshd pid).
#[derive(Debug, Default)]
pub struct Connections {
    current: Table,
    previous: Table,
}

/// The keys are a host hash and a pid, not attacker-chosen strings: a multiply-mix is
/// enough, and far cheaper than SipHash on this per-line path.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Connections {
    /// The entry for a connection, created empty if unknown.
    pub fn entry(&mut self, host: Option<&str>, pid: u32) -> &mut Connection {
        let key = (host_key(host), pid);
        if !self.current.contains_key(&key) {
            let known = self.previous.remove(&key).unwrap_or_default();
            if self.current.len() >= GENERATION {
                // The older generation goes; the tables keep their memory.
                std::mem::swap(&mut self.current, &mut self.previous);
                self.current.clear();
            }
            self.current.insert(key, known);
        }
        self.current.entry(key).or_default()
    }

    /// Forgets a connection that has ended (its pid will be reused).
    pub fn close(&mut self, host: Option<&str>, pid: u32) -> Option<Connection> {
        let key = (host_key(host), pid);
        self.current.remove(&key).or_else(|| self.previous.remove(&key))
    }
}

/// FNV-1a: tiny and good enough to tell a handful of host names apart.
fn host_key(host: Option<&str>) -> u64 {
    crate::text::fnv1a(host.unwrap_or("").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_host_and_pid_and_bounded() {
        let mut connections = Connections::default();
        let ip: IpAddr = "192.0.2.1".parse().expect("ip");
        connections.entry(Some("a"), 7).peer = Some((ip, Some(22)));
        assert_eq!(connections.entry(Some("b"), 7).peer, None);
        assert_eq!(
            connections.close(Some("a"), 7).and_then(|c| c.peer),
            Some((ip, Some(22)))
        );
        assert_eq!(connections.entry(Some("a"), 7).peer, None);
        // A connection survives one generation change, not two.
        connections.entry(None, 1).peer = Some((ip, None));
        for pid in 1000..(1000 + GENERATION as u32) {
            connections.entry(None, pid);
        }
        assert_eq!(
            connections.entry(None, 1).peer,
            Some((ip, None)),
            "kept across one generation"
        );
        for pid in 10_000..(10_000 + 2 * GENERATION as u32) {
            connections.entry(None, pid);
        }
        assert_eq!(connections.entry(None, 1).peer, None, "forgotten after two");
        assert!(connections.current.len() + connections.previous.len() <= 2 * GENERATION);
    }
}
