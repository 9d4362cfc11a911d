//! LSM URIs (protocol doc §7): `scheme://[user@]host[:port][/path][?k=v&k2=v2][#fragment]`.
//!
//! Parsed the way the reference C parser (`uri_parser.hpp`) does, which is more permissive
//! than a generic URL parser:
//! 1. `://` is required; the scheme is letters, digits, `+`, `.` and `-`, and is kept whole
//!    (`smis+ssl`); [`Uri::plugin_name`] is the part before `+`.
//! 2. The fragment is cut at the last `#`, then the query at the last `?`. The query is split
//!    on `&`, each pair at its first `=`; a key without `=` gets `""`. Keys and values are
//!    percent-decoded (`%2F` → `/`; `+` stays `+`). Empty pieces (`a=1&&b=2`) are skipped.
//! 3. The path starts at the first `/` of what remains and keeps it.
//! 4. The user is what comes before the last `@`.
//! 5. The port is what follows the last `:` if it is all digits (so `fe80::1` without
//!    brackets is read as host `fe80:` port 1, as in C; bracket IPv6 hosts). A port that does
//!    not fit 16 bits is `INVALID_ARGUMENT`.
//! 6. What is left is the host.
//!
//! Decisions beyond the C parser: an IPv6 host in brackets (`[fe80::1]:443`) is stored
//! **without** the brackets (`host = "fe80::1"`, ready for `IpAddr` parsing; see
//! [`Uri::host_for_url`] to put them back). A user part holding `:` (`user:secret@host`) is
//! refused, because passwords never belong in a URI (they go in `plugin_register`'s
//! `password`); error messages never echo the user part.

use std::fmt;
use std::str::FromStr;

use crate::error::{LsmError, Result};

/// A parsed LSM URI. [`Uri::as_str`] (and `Display`) give back the original string, which is
/// what `plugin_register` sends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uri {
    /// The scheme as written, `+proto` included (`smis+ssl`).
    pub scheme: String,
    /// The user before `@`, if any (never empty).
    pub username: Option<String>,
    /// The host, if any (never empty; IPv6 without brackets).
    pub host: Option<String>,
    /// The port, if one was given.
    pub port: Option<u16>,
    /// The path including its leading `/`, or `""`.
    pub path: String,
    /// Query pairs in order, percent-decoded.
    pub query: Vec<(String, String)>,
    /// The fragment after `#`, if any (never empty).
    pub fragment: Option<String>,
    raw: String,
}

impl Uri {
    /// Parses an LSM URI (see the module docs for the rules). Errors are `INVALID_ARGUMENT`.
    pub fn parse(text: &str) -> Result<Uri> {
        if text.is_empty() {
            return Err(LsmError::invalid_argument("the URI is empty"));
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(LsmError::invalid_argument(
                "the URI has no \"://\"; expected scheme://[user@]host[:port][/path][?key=value]",
            ));
        };
        check_scheme(scheme)?;

        let (rest, fragment) = match rest.rfind('#') {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        let (rest, query_text) = match rest.rfind('?') {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        let query = match query_text {
            Some(query_text) => parse_query(query_text)?,
            None => Vec::new(),
        };
        let (authority, path) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, ""),
        };
        let (username, host_port) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };
        if username.is_some_and(|user| user.contains(':')) {
            return Err(LsmError::invalid_argument(
                "the URI's user part contains ':'; a password must not be part of the URI, \
                 give it as the password instead",
            ));
        }
        let (host, port) = split_host_port(host_port)?;

        Ok(Uri {
            scheme: scheme.to_string(),
            username: non_empty(username),
            host: non_empty(host),
            port,
            path: path.to_string(),
            query,
            fragment: non_empty(fragment),
            raw: text.to_string(),
        })
    }

    /// The plugin name: the scheme before any `+` (`smispy+ssl` → `smispy`). The plugin
    /// executable is `<plugin_name>_lsmplugin` and its socket `<socketdir>/<plugin_name>`.
    pub fn plugin_name(&self) -> &str {
        match self.scheme.split_once('+') {
            Some((name, _)) => name,
            None => &self.scheme,
        }
    }

    /// The value of the first query pair with this key (`""` for a bare key).
    pub fn query_param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    }

    /// The original string, exactly as given to [`Uri::parse`].
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The host as it goes into a URL: IPv6 addresses get their brackets back.
    pub fn host_for_url(&self) -> Option<String> {
        self.host.as_ref().map(|host| {
            if host.contains(':') {
                format!("[{host}]")
            } else {
                host.clone()
            }
        })
    }
}

fn non_empty(part: Option<&str>) -> Option<String> {
    part.filter(|text| !text.is_empty()).map(str::to_string)
}

fn check_scheme(scheme: &str) -> Result<()> {
    if scheme.is_empty() {
        return Err(LsmError::invalid_argument(
            "the URI has an empty scheme; expected e.g. sim://",
        ));
    }
    if let Some(bad) = scheme
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
    {
        return Err(LsmError::invalid_argument(format!(
            "the URI scheme contains {bad:?}; only letters, digits, '+', '.' and '-' are allowed"
        )));
    }
    Ok(())
}

fn split_host_port(host_port: &str) -> Result<(Option<&str>, Option<u16>)> {
    if let Some(bracketed) = host_port.strip_prefix('[') {
        let Some(close) = bracketed.find(']') else {
            return Err(LsmError::invalid_argument(
                "the URI host starts with '[' but has no closing ']'",
            ));
        };
        let host = &bracketed[..close];
        let after = &bracketed[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(port_text) => parse_port(port_text)?,
            None if after.is_empty() => None,
            None => {
                return Err(LsmError::invalid_argument(
                    "the URI has unexpected text after the bracketed IPv6 host",
                ));
            }
        };
        return Ok((Some(host), port));
    }
    match host_port.rfind(':') {
        Some(at) => {
            let port_text = &host_port[at + 1..];
            if port_text.bytes().all(|b| b.is_ascii_digit()) {
                Ok((Some(&host_port[..at]), parse_port(port_text)?))
            } else {
                Ok((Some(host_port), None))
            }
        }
        None => Ok((Some(host_port), None)),
    }
}

/// `""` is no port (`host:`); digits must fit 16 bits.
fn parse_port(port_text: &str) -> Result<Option<u16>> {
    if port_text.is_empty() {
        return Ok(None);
    }
    if !port_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(LsmError::invalid_argument(format!(
            "the URI port {port_text:?} is not a number"
        )));
    }
    port_text.parse::<u16>().map(Some).map_err(|_| {
        LsmError::invalid_argument(format!(
            "the URI port {port_text} is out of range (0-65535)"
        ))
    })
}

fn parse_query(query_text: &str) -> Result<Vec<(String, String)>> {
    query_text
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            Ok((percent_decode(key)?, percent_decode(value)?))
        })
        .collect()
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits is kept literally.
fn percent_decode(text: &str) -> Result<String> {
    if !text.contains('%') {
        return Ok(text.to_string());
    }
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%' {
            let high = bytes.get(index + 1).and_then(|b| (*b as char).to_digit(16));
            let low = bytes.get(index + 2).and_then(|b| (*b as char).to_digit(16));
            if let (Some(high), Some(low)) = (high, low) {
                // Two hex digits are at most 0xff.
                decoded.push(u8::try_from(high * 16 + low).unwrap_or(u8::MAX));
                index += 3;
                continue;
            }
        }
        decoded.push(byte);
        index += 1;
    }
    String::from_utf8(decoded).map_err(|_| {
        LsmError::invalid_argument(
            "a URI query parameter is not valid UTF-8 after percent-decoding",
        )
    })
}

impl FromStr for Uri {
    type Err = LsmError;

    fn from_str(text: &str) -> Result<Uri> {
        Uri::parse(text)
    }
}

impl TryFrom<&str> for Uri {
    type Error = LsmError;

    fn try_from(text: &str) -> Result<Uri> {
        Uri::parse(text)
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorNumber;

    fn invalid(text: &str) -> bool {
        Uri::parse(text).is_err_and(|e| e.code == ErrorNumber::INVALID_ARGUMENT)
    }

    #[test]
    fn tester_c_full_example() -> Result<()> {
        let uri = Uri::parse("sim://user@host:123/path/?namespace=root/uber")?;
        assert_eq!(uri.scheme, "sim");
        assert_eq!(uri.username.as_deref(), Some("user"));
        assert_eq!(uri.host.as_deref(), Some("host"));
        assert_eq!(uri.port, Some(123));
        assert_eq!(uri.path, "/path/");
        assert_eq!(uri.query_param("namespace"), Some("root/uber"));
        assert_eq!(uri.fragment, None);
        assert_eq!(
            uri.as_str(),
            "sim://user@host:123/path/?namespace=root/uber"
        );
        Ok(())
    }

    #[test]
    fn scheme_with_proto_is_kept_whole() -> Result<()> {
        let uri = Uri::parse("smis+ssl://user@host:8080")?;
        assert_eq!(uri.scheme, "smis+ssl");
        assert_eq!(uri.plugin_name(), "smis");
        assert_eq!(uri.username.as_deref(), Some("user"));
        assert_eq!(uri.host.as_deref(), Some("host"));
        assert_eq!(uri.port, Some(8080));
        assert_eq!(uri.path, "");
        Ok(())
    }

    #[test]
    fn scheme_only_is_valid() -> Result<()> {
        let uri = Uri::parse("localraid://")?;
        assert_eq!(uri.scheme, "localraid");
        assert_eq!(uri.plugin_name(), "localraid");
        assert_eq!(uri.username, None);
        assert_eq!(uri.host, None);
        assert_eq!(uri.port, None);
        assert_eq!(uri.path, "");
        assert!(uri.query.is_empty());
        Ok(())
    }

    #[test]
    fn invalid_uris() {
        assert!(invalid(""));
        assert!(invalid("wat:/is@this"));
        assert!(invalid("targetd//root@na-sim"));
        assert!(invalid("://host"));
        assert!(invalid("si m://host"));
        assert!(invalid("sim://host:70000"));
        assert!(invalid("ontap://[fe80::1"));
        assert!(invalid("ontap://[fe80::1]x"));
    }

    #[test]
    fn password_in_uri_is_refused_without_echoing_it() {
        let error = Uri::parse("ontap://admin:s3cret@filer");
        assert!(error.is_err_and(|e| !e.message.contains("s3cret")));
    }

    #[test]
    fn statefile_query_without_host() -> Result<()> {
        let uri = Uri::parse("sim://?statefile=/tmp/x")?;
        assert_eq!(uri.host, None);
        assert_eq!(uri.path, "");
        assert_eq!(uri.query_param("statefile"), Some("/tmp/x"));
        Ok(())
    }

    #[test]
    fn bracketed_ipv6_host() -> Result<()> {
        let uri = Uri::parse("ontap+ssl://admin@[fe80::1]:443")?;
        assert_eq!(uri.plugin_name(), "ontap");
        assert_eq!(uri.username.as_deref(), Some("admin"));
        assert_eq!(uri.host.as_deref(), Some("fe80::1"));
        assert_eq!(uri.host_for_url().as_deref(), Some("[fe80::1]"));
        assert_eq!(uri.port, Some(443));

        let no_port = Uri::parse("ontap://[::1]/x")?;
        assert_eq!(no_port.host.as_deref(), Some("::1"));
        assert_eq!(no_port.port, None);
        assert_eq!(no_port.path, "/x");
        Ok(())
    }

    #[test]
    fn non_digit_port_stays_in_host() -> Result<()> {
        let uri = Uri::parse("x://host:abc")?;
        assert_eq!(uri.host.as_deref(), Some("host:abc"));
        assert_eq!(uri.port, None);
        Ok(())
    }

    #[test]
    fn query_and_fragment_rules() -> Result<()> {
        let uri = Uri::parse(
            "smispy+ssl://u@h/p?namespace=root%2Femc&no_ssl_verify=yes&flag&a=b=c#frag",
        )?;
        assert_eq!(uri.query_param("namespace"), Some("root/emc"));
        assert_eq!(uri.query_param("no_ssl_verify"), Some("yes"));
        assert_eq!(uri.query_param("flag"), Some(""));
        assert_eq!(uri.query_param("a"), Some("b=c"));
        assert_eq!(uri.query_param("missing"), None);
        assert_eq!(uri.fragment.as_deref(), Some("frag"));
        assert_eq!(uri.path, "/p");

        // The query is cut at the last '?'.
        let two = Uri::parse("sim://h/a?b?c=1")?;
        assert_eq!(two.path, "/a?b");
        assert_eq!(two.query_param("c"), Some("1"));

        // A stray '%' is kept; invalid UTF-8 after decoding is refused.
        let stray = Uri::parse("sim://?x=100%&y=%zz")?;
        assert_eq!(stray.query_param("x"), Some("100%"));
        assert_eq!(stray.query_param("y"), Some("%zz"));
        assert!(invalid("sim://?x=%ff"));
        Ok(())
    }

    #[test]
    fn display_and_from_str_round_trip() -> Result<()> {
        let text = "nstor://admin@10.0.0.5:8443/?no_ssl_verify=yes";
        let uri: Uri = text.parse()?;
        assert_eq!(uri.to_string(), text);
        assert_eq!(uri.host.as_deref(), Some("10.0.0.5"));
        Ok(())
    }
}
