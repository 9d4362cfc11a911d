//! Checks on names that end up in paths, tool arguments or config files.
//!
//! Object names given by LSM clients become subvolume names, file names, LV
//! names and parts of IQNs. They are never passed to a shell, but a `/`, a
//! `..`, a leading `-` (read as an option by tools) or a quote (which would
//! break a ganesha config block) must still be refused up front with a clear
//! `INVALID_ARGUMENT`.

use crate::error::{Error, Result};

/// Longest accepted object name (LVM's limit is 127; btrfs allows 255).
pub const MAX_OBJECT_NAME_LEN: usize = 127;

/// Accepts names made of ASCII letters, digits and `_ - . + :`, 1 to
/// [`MAX_OBJECT_NAME_LEN`] characters, not starting with `-` or `.`.
///
/// `what` names the argument in the error ("volume name").
pub fn check_object_name(what: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::InvalidArgument(format!("{what} is empty")));
    }
    if name.len() > MAX_OBJECT_NAME_LEN {
        return Err(Error::InvalidArgument(format!(
            "{what} is longer than {MAX_OBJECT_NAME_LEN} characters"
        )));
    }
    if name.starts_with('-') || name.starts_with('.') {
        return Err(Error::InvalidArgument(format!(
            "{what} {name:?} must not start with '-' or '.'"
        )));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_-.+:".contains(*c)))
    {
        return Err(Error::InvalidArgument(format!(
            "{what} {name:?} contains {bad:?}; only letters, digits and _ - . + : are allowed"
        )));
    }
    Ok(())
}

/// Accepts iSCSI names (`iqn.`, `eui.` or `naa.` forms) made of letters,
/// digits and `. - : _`, up to 223 bytes (RFC 3720).
pub fn check_iscsi_name(what: &str, name: &str) -> Result<()> {
    let lower = name.to_ascii_lowercase();
    let known_form = ["iqn.", "eui.", "naa."]
        .iter()
        .any(|prefix| lower.starts_with(prefix));
    if !known_form {
        return Err(Error::InvalidArgument(format!(
            "{what} {name:?} is not an iSCSI name (iqn., eui. or naa.)"
        )));
    }
    if name.len() > 223 {
        return Err(Error::InvalidArgument(format!(
            "{what} is longer than 223 bytes"
        )));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || ".-:_".contains(*c)))
    {
        return Err(Error::InvalidArgument(format!(
            "{what} {name:?} contains {bad:?}"
        )));
    }
    Ok(())
}

/// Accepts an NFS client specification for ganesha: a host name, an IP
/// address, a CIDR network or a wildcard (`*`, `?`), with no space, quote,
/// comma or other character that would break a config block.
pub fn check_nfs_client(what: &str, client: &str) -> Result<()> {
    if client.is_empty() || client.len() > 255 {
        return Err(Error::InvalidArgument(format!(
            "{what} {client:?} must be 1 to 255 characters"
        )));
    }
    if client.starts_with('-') {
        return Err(Error::InvalidArgument(format!(
            "{what} {client:?} must not start with '-'"
        )));
    }
    if let Some(bad) = client
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || ".-:/*?_[]@".contains(*c)))
    {
        return Err(Error::InvalidArgument(format!(
            "{what} {client:?} contains {bad:?}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsm_core::ErrorNumber;

    #[test]
    fn ordinary_names_pass() {
        for name in ["vol1", "my_fs-2.snap", "a:b+c", "X"] {
            check_object_name("name", name).unwrap();
        }
    }

    #[test]
    fn dangerous_names_are_refused_as_invalid_argument() {
        for name in [
            "", "a/b", "..", ".hidden", "-rf", "a b", "x;rm", "$(id)", "`x`", "a|b", "a\"b",
            "a\nb", "é",
        ] {
            let error = check_object_name("volume name", name).unwrap_err();
            assert_eq!(
                error.lsm_error_number(),
                ErrorNumber::INVALID_ARGUMENT,
                "{name:?}"
            );
            assert!(error.to_string().contains("volume name"));
        }
        let long = "a".repeat(MAX_OBJECT_NAME_LEN + 1);
        assert!(check_object_name("n", &long).is_err());
    }

    #[test]
    fn iscsi_names() {
        check_iscsi_name("iqn", "iqn.2024-01.org.example:host1").unwrap();
        check_iscsi_name("iqn", "eui.02004567A425678D").unwrap();
        assert!(check_iscsi_name("iqn", "host1").is_err());
        assert!(check_iscsi_name("iqn", "iqn.2024-01.org.example:a b").is_err());
        assert!(check_iscsi_name("iqn", "iqn.x;reboot").is_err());
    }

    #[test]
    fn nfs_clients() {
        for client in [
            "127.0.0.1",
            "10.0.0.0/8",
            "*.example.com",
            "host-1",
            "[::1]",
            "fe80::1",
        ] {
            check_nfs_client("host", client).unwrap();
        }
        for client in ["", "a b", "a,b", "a\"b", "a}b", "-x", "a;b"] {
            assert!(check_nfs_client("host", client).is_err(), "{client:?}");
        }
    }
}
