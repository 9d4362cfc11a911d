//! Looking for secrets where they must never be: the argv and environment of a process,
//! a log, an error message. What a vendor test greps for: the password, its HTTP Basic
//! value ([`basic_value`]), CHAP secrets, tokens.

/// Standard base64 (RFC 4648, with padding), as in a Basic `Authorization` header.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::new();
    for chunk in bytes.chunks(3) {
        let word = chunk.iter().enumerate().fold(0u32, |word, (i, byte)| {
            word | u32::from(*byte) << (16 - 8 * i)
        });
        for sextet in 0..4 {
            if sextet <= chunk.len() {
                let index = (word >> (18 - 6 * sextet)) & 63;
                text.push(char::from(ALPHABET[index as usize]));
            } else {
                text.push('=');
            }
        }
    }
    text
}

/// The Basic `Authorization` value of `user:password` (without `Basic `).
pub fn basic_value(user: &str, password: &str) -> String {
    base64(format!("{user}:{password}").as_bytes())
}

/// `/proc/<pid>/<file>` (NUL-separated argv or environment) as text, empty once the
/// process is gone.
pub fn proc_text(pid: u32, file: &str) -> String {
    let bytes = std::fs::read(format!("/proc/{pid}/{file}")).unwrap_or_default();
    String::from_utf8_lossy(&bytes).replace('\0', " ")
}

/// Fails the test when `text` (what `what` is) holds any of `secrets` (named by index,
/// so that the failure does not print the secret either).
pub fn assert_no_secret(secrets: &[String], what: &str, text: &str) {
    for (index, secret) in secrets.iter().enumerate() {
        assert!(
            !text.contains(secret.as_str()),
            "{what} holds secret #{index}"
        );
    }
}

/// Fails the test when the argv or environment of running process `pid` holds a secret,
/// or cannot be read.
pub fn assert_no_secret_in_process(secrets: &[String], pid: u32) {
    for file in ["cmdline", "environ"] {
        let text = proc_text(pid, file);
        assert!(
            !text.is_empty(),
            "/proc/{pid}/{file} is empty: is it running?"
        );
        assert_no_secret(secrets, &format!("/proc/{pid}/{file}"), &text);
    }
}

/// Fails the test when the argv of any process below this test process holds a secret.
pub fn assert_no_secret_in_any_argv(secrets: &[String]) {
    for pid in crate::process::descendants(std::process::id()) {
        assert_no_secret(
            secrets,
            &format!("/proc/{pid}/cmdline"),
            &proc_text(pid, "cmdline"),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_is_rfc_4648() {
        assert_eq!(
            super::basic_value("Aladdin", "open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(super::base64(b"ab"), "YWI=");
        assert_eq!(super::base64(b"a"), "YQ==");
    }
}
