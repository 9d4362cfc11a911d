//! Object ids as URL path segments.

/// The percent-encoding of `id` as one URL path segment: everything but unreserved
/// characters is encoded, so `/` is `%2F` and `@` `%40`. An id that comes from a user (an
/// LSM id in a call) goes into a path only this way, so it can never name another path.
pub fn path_segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for byte in id.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_one_segment() {
        assert_eq!(path_segment("pool1/vg1/v1"), "pool1%2Fvg1%2Fv1");
        assert_eq!(path_segment("pool1/fs@snap-1"), "pool1%2Ffs%40snap-1");
        assert_eq!(path_segment("../x"), "..%2Fx");
        assert_eq!(path_segment("sv_12"), "sv_12");
        assert_eq!(path_segment("é"), "%C3%A9");
    }
}
