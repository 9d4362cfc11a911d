//! Text as lower-case hex digits, for ids that must carry any text through a `:`-separated
//! LSM job id.

/// `text` as two lower-case hex digits per byte.
pub fn hex_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for byte in text.bytes() {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The text [`hex_encode`] made, or `None` for anything that is not hex of UTF-8.
pub fn hex_decode(digits: &str) -> Option<String> {
    // Only hex digits: `u8::from_str_radix` alone would take a leading `+`.
    if !digits.len().is_multiple_of(2) || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes = (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_garbage() {
        for text in ["", "pool1/fs:1", "/jobStatus/42", "é"] {
            assert_eq!(hex_decode(&hex_encode(text)).as_deref(), Some(text));
        }
        assert_eq!(hex_encode("a:"), "613a");
        for bad in ["z", "zz", "abc", "ff", "+1"] {
            assert_eq!(hex_decode(bad), None, "{bad}");
        }
    }
}
