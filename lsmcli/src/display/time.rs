//! Snapshot time stamps: Unix seconds shown as local time `YYYY-MM-DD HH:MM:SS`, as the
//! reference's `datetime.fromtimestamp()` prints them (the `TZ` variable is honoured).

unsafe extern "C" {
    /// POSIX `tzset()`: reads `TZ` (the libc crate does not declare it).
    fn tzset();
}

/// `epoch` seconds in the local time zone, `YYYY-MM-DD HH:MM:SS`; the plain number when the
/// C library cannot convert it.
pub fn local_timestamp(epoch: i64) -> String {
    // time_t is i64 on 64-bit Linux (the conversion cannot fail there) and narrower elsewhere.
    #[allow(irrefutable_let_patterns)]
    let Ok(seconds) = libc::time_t::try_from(epoch) else {
        return epoch.to_string();
    };
    // SAFETY: `tm` is a plain C struct for which all-zero bytes are a valid value; tzset and
    // localtime_r only read the environment and write into `tm`, which outlives the call.
    let converted = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        tzset();
        if libc::localtime_r(&seconds, &mut tm).is_null() {
            None
        } else {
            Some(tm)
        }
    };
    match converted {
        Some(tm) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            i64::from(tm.tm_year) + 1900,
            tm.tm_mon + 1,
            tm.tm_mday,
            tm.tm_hour,
            tm.tm_min,
            tm.tm_sec
        ),
        None => epoch.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_date_and_time() {
        let text = local_timestamp(1_700_000_000);
        assert_eq!(text.len(), 19, "{text}");
        assert_eq!(&text[4..5], "-");
        assert_eq!(&text[10..11], " ");
        assert_eq!(&text[13..14], ":");
    }
}
