//! Sizes on the command line: parsing `--size`/`--strip-size` values the way the reference
//! lsmcli does, and printing sizes for `-H`.
//!
//! Input: a number (`1`, `1.5`, `.5`), optional blanks, then an optional unit. The unit is
//! matched case-insensitively: `B`; `KiB` … `EiB` and the bare letters `K` … `E` are binary
//! (1024ⁿ); `KB` … `EB` are decimal (1000ⁿ). No unit means bytes and then the number must be
//! an integer. A fraction is applied exactly and the result truncated (`1.5GiB` =
//! 1610612736), as the reference's `int(float * unit)` does for every value it can represent.
//!
//! Output (`-H`): the value divided by the largest IEC unit not above it, with exactly two
//! decimals and a space: `1.00 GiB`, `512.00 B`, `0.00 B`.

use std::fmt;

/// Binary units, largest first, as `-H` tries them.
const HUMAN_UNITS: [(&str, u32); 6] = [
    ("EiB", 60),
    ("PiB", 50),
    ("TiB", 40),
    ("GiB", 30),
    ("MiB", 20),
    ("KiB", 10),
];

/// A size argument that is not a positive number of bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeError {
    /// The text as given.
    pub input: String,
}

impl fmt::Display for SizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Incorrect size argument format: '{}'", self.input)
    }
}

impl std::error::Error for SizeError {}

/// The multiplier of a unit, matched the way the reference does (upper-cased, `IB` read as
/// `iB`), or `None` for an unknown unit.
fn unit_multiplier(unit: &str) -> Option<u128> {
    let normalized = unit.to_ascii_uppercase().replace("IB", "iB");
    let binary = |power: u32| Some(1u128 << power);
    let decimal = |power: u32| Some(10u128.pow(power));
    match normalized.as_str() {
        "B" => Some(1),
        "K" | "KiB" => binary(10),
        "M" | "MiB" => binary(20),
        "G" | "GiB" => binary(30),
        "T" | "TiB" => binary(40),
        "P" | "PiB" => binary(50),
        "E" | "EiB" => binary(60),
        "KB" => decimal(3),
        "MB" => decimal(6),
        "GB" => decimal(9),
        "TB" => decimal(12),
        "PB" => decimal(15),
        "EB" => decimal(18),
        _ => None,
    }
}

/// Parses a size in bytes (see the module docs). `0`, an unknown unit, a malformed number or a
/// value above `i64::MAX` is an error.
pub fn parse_size(text: &str) -> Result<i64, SizeError> {
    let error = || SizeError {
        input: text.to_string(),
    };
    let trimmed = text.trim();
    let number_end = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, rest) = trimmed.split_at(number_end);
    let unit = rest.trim_start_matches([' ', '\t']);
    if number.is_empty() || !unit.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(error());
    }
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (number, None),
    };
    if fraction.is_some_and(|f| f.contains('.'))
        || (whole.is_empty() && fraction.is_none_or(str::is_empty))
    {
        return Err(error());
    }
    let multiplier = if unit.is_empty() {
        // No unit: bytes, and the reference's int() refuses a fraction.
        if fraction.is_some() {
            return Err(error());
        }
        1
    } else {
        unit_multiplier(unit).ok_or_else(error)?
    };
    let whole_value: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| error())?
    };
    let mut bytes = whole_value.checked_mul(multiplier).ok_or_else(error)?;
    if let Some(fraction) = fraction.filter(|f| !f.is_empty()) {
        // 19 digits keep `numerator × multiplier` inside u128; later digits move the product
        // by less than 0.12 bytes.
        let digits = &fraction[..fraction.len().min(19)];
        let numerator: u128 = digits.parse().map_err(|_| error())?;
        let denominator = 10u128.pow(u32::try_from(digits.len()).map_err(|_| error())?);
        let part = numerator
            .checked_mul(multiplier)
            .ok_or_else(error)?
            .checked_div(denominator)
            .ok_or_else(error)?;
        bytes = bytes.checked_add(part).ok_or_else(error)?;
    }
    match i64::try_from(bytes) {
        Ok(value) if value > 0 => Ok(value),
        _ => Err(error()),
    }
}

/// A size for `-H`: `1.00 GiB`, `1.50 TiB`, `512.00 B` (see the module docs).
pub fn human_size(bytes: i64) -> String {
    for (unit, power) in HUMAN_UNITS {
        let unit_bytes = 1i64 << power;
        if bytes >= unit_bytes {
            return format!("{:.2} {unit}", bytes as f64 / unit_bytes as f64);
        }
    }
    format!("{:.2} B", bytes as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_spelling_the_reference_accepts() {
        let cases = [
            ("1", 1),
            ("1B", 1),
            ("1b", 1),
            ("1KiB", 1 << 10),
            ("1kib", 1 << 10),
            ("1K", 1 << 10),
            ("1k", 1 << 10),
            ("1KB", 1_000),
            ("1kb", 1_000),
            ("1MiB", 1 << 20),
            ("1M", 1 << 20),
            ("1MB", 1_000_000),
            ("1GiB", 1 << 30),
            ("1g", 1 << 30),
            ("1GB", 1_000_000_000),
            ("1TiB", 1 << 40),
            ("1T", 1 << 40),
            ("1TB", 1_000_000_000_000),
            ("1PiB", 1 << 50),
            ("1p", 1 << 50),
            ("1PB", 1_000_000_000_000_000),
            ("1EiB", 1 << 60),
            ("1e", 1 << 60),
            ("1EB", 1_000_000_000_000_000_000),
            ("100MiB", 104_857_600),
            ("1 GiB", 1 << 30),
            ("1\tGiB", 1 << 30),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_size(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn fractions_are_applied_and_truncated() {
        assert_eq!(parse_size("1.5GiB"), Ok(1_610_612_736));
        assert_eq!(parse_size(".5KiB"), Ok(512));
        assert_eq!(parse_size("1.9KiB"), Ok(1945)); // int(1024 * 1.9) = 1945
        assert_eq!(parse_size("1.1GiB"), Ok(1_181_116_006));
        assert_eq!(parse_size("2."), Err(SizeError { input: "2.".into() }));
        assert_eq!(parse_size("2.GiB"), Ok(2 << 30));
    }

    #[test]
    fn bad_sizes_are_refused() {
        for text in [
            "", "0", "0GiB", "GiB", "1XB", "1.2.3GiB", "-1", "1 G iB", "1.5", ".", "9EiB", "1Gib2",
        ] {
            assert!(parse_size(text).is_err(), "{text:?} should be refused");
        }
        assert_eq!(
            parse_size("12Q").map_err(|e| e.to_string()),
            Err("Incorrect size argument format: '12Q'".to_string())
        );
    }

    #[test]
    fn human_sizes_have_two_decimals_and_the_largest_unit() {
        assert_eq!(human_size(0), "0.00 B");
        assert_eq!(human_size(512), "512.00 B");
        assert_eq!(human_size(1023), "1023.00 B");
        assert_eq!(human_size(1024), "1.00 KiB");
        assert_eq!(human_size(1_048_575), "1024.00 KiB");
        assert_eq!(human_size(1 << 30), "1.00 GiB");
        assert_eq!(human_size(1_610_612_736), "1.50 GiB");
        assert_eq!(human_size(549_755_813_888), "512.00 GiB");
        assert_eq!(human_size(1_649_267_441_664), "1.50 TiB");
        assert_eq!(human_size(2_305_843_009_213_693_952), "2.00 EiB");
        assert_eq!(human_size(-1), "-1.00 B");
    }
}
