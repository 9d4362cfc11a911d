//! Host names and addresses accepted by `fs-export --root-host/--rw-host/--ro-host`, checked
//! on the command line as the reference does: an IPv4 address, an IPv6 address, or a DNS host
//! name (labels of 1–63 letters, digits and `-`, not starting or ending with `-`; not digits
//! and dots only; a trailing `.` allowed).

use std::net::{Ipv4Addr, Ipv6Addr};

/// True for an IPv4 address, an IPv6 address or a valid host name.
pub fn is_valid_network_name(text: &str) -> bool {
    if text.parse::<Ipv4Addr>().is_ok() || text.parse::<Ipv6Addr>().is_ok() {
        return true;
    }
    if text.is_empty() || text.len() > 255 {
        return false;
    }
    if text.chars().all(|c| c.is_ascii_digit() || c == '.') {
        // Digits only would be confused with an address.
        return false;
    }
    let name = text.strip_suffix('.').unwrap_or(text);
    name.split('.').all(is_valid_label)
}

fn is_valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_names() {
        for good in [
            "192.168.0.1",
            "10.0.0.2",
            "::1",
            "2001:470:1f09:efe:a64e:31ff::1",
            "host1",
            "nfs-client.example.com",
            "example.com.",
        ] {
            assert!(is_valid_network_name(good), "{good}");
        }
        for bad in [
            "",
            "256.1.1.1",
            "1.2.3",
            "bad host",
            "-lead.example.com",
            "trail-.example.com",
            "a..b",
            "under_score",
            "192.168.0.1/24",
        ] {
            assert!(!is_valid_network_name(bad), "{bad}");
        }
    }
}
