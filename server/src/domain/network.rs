//! A resident's network, as limits see it: an IPv4 /24 or an IPv6 /56, named by a keyed
//! hash that changes every day. No address is ever stored or logged; what limits keep is
//! this hash, which nobody can turn back into a network without the key, and which says
//! nothing about the same network on another day.

use std::net::IpAddr;

use sha2::{Digest, Sha256};

/// An IPv4 /24 or an IPv6 /56 (an IPv4-mapped IPv6 address counts as IPv4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Network {
    V4([u8; 3]),
    V6([u8; 7]),
}

impl Network {
    pub fn of(address: IpAddr) -> Self {
        match address.to_canonical() {
            IpAddr::V4(v4) => {
                let [a, b, c, _] = v4.octets();
                Network::V4([a, b, c])
            }
            IpAddr::V6(v6) => {
                let octets = v6.octets();
                let mut prefix = [0; 7];
                prefix.copy_from_slice(&octets[..7]);
                Network::V6(prefix)
            }
        }
    }

    /// This network's name on `day` (e.g. `2026-12-01`) under `secret`: 32 hex digits.
    pub fn keyed(&self, secret: &str, day: &str) -> String {
        let mut hash = Sha256::new();
        hash.update(secret.as_bytes());
        hash.update([0]);
        hash.update(day.as_bytes());
        match self {
            Network::V4(prefix) => {
                hash.update([4]);
                hash.update(prefix);
            }
            Network::V6(prefix) => {
                hash.update([6]);
                hash.update(prefix);
            }
        }
        hash.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> Network {
        Network::of(text.parse().unwrap())
    }

    #[test]
    fn networks_are_slash_24_and_slash_56() {
        assert_eq!(net("192.0.2.1"), net("192.0.2.254"));
        assert_ne!(net("192.0.2.1"), net("192.0.3.1"));
        assert_eq!(net("::ffff:192.0.2.7"), net("192.0.2.1"));
        assert_eq!(net("2001:db8:0:ab00::1"), net("2001:db8:0:abff:1::9"));
        assert_ne!(net("2001:db8:0:ab00::1"), net("2001:db8:0:ac00::1"));
    }

    #[test]
    fn names_change_with_the_key_and_the_day() {
        let n = net("192.0.2.1");
        let name = n.keyed("secret", "2026-12-01");
        assert_eq!(name.len(), 32);
        assert_eq!(name, net("192.0.2.99").keyed("secret", "2026-12-01"));
        assert_ne!(name, n.keyed("secret", "2026-12-02"));
        assert_ne!(name, n.keyed("other", "2026-12-01"));
        assert_ne!(name, net("192.0.3.1").keyed("secret", "2026-12-01"));
        assert!(!name.contains("192"));
    }
}
