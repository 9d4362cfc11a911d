//! Timestamps as arrays write them.

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` as seconds since the epoch; `None` for
/// anything else, out-of-range fields (a second beyond 60, an offset beyond 23:59) and a
/// year so far off that its seconds do not fit an `i64`.
pub fn iso8601_to_epoch(time: &str) -> Option<i64> {
    let (date, rest) = time.split_once('T')?;
    let mut date_parts = date.splitn(3, '-');
    let year: i64 = date_parts.next()?.parse().ok()?;
    let month: i64 = date_parts.next()?.parse().ok()?;
    let day: i64 = date_parts.next()?.parse().ok()?;
    let zone_at = rest.find(['Z', '+', '-']).unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(zone_at);
    let clock = clock.split('.').next()?;
    let mut clock_parts = clock.splitn(3, ':');
    let hour: i64 = clock_parts.next()?.parse().ok()?;
    let minute: i64 = clock_parts.next()?.parse().ok()?;
    let second: i64 = clock_parts.next()?.parse().ok()?;
    let offset = match zone {
        "" | "Z" => 0,
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (h, m) = zone[1..].split_once(':').unwrap_or((&zone[1..], "0"));
            let (h, m) = (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?);
            if !(0..=23).contains(&h) || !(0..=59).contains(&m) {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    // Days from the civil date (proleptic Gregorian), March-based year.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    // Every field but the year is bounded above; the year is any i64 the text holds, so
    // what grows with it is checked.
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era
        .checked_mul(146_097)?
        .checked_add(day_of_era - 719_468)?;
    days.checked_mul(86_400)?
        .checked_add(hour * 3600 + minute * 60 + second - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_times_with_offsets_and_fractions() {
        assert_eq!(iso8601_to_epoch("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            iso8601_to_epoch("2019-03-13T17:05:00+00:00"),
            Some(1_552_496_700)
        );
        assert_eq!(
            iso8601_to_epoch("2019-03-13T13:05:00.123-04:00"),
            Some(1_552_496_700)
        );
        assert_eq!(
            iso8601_to_epoch("2000-02-29T12:00:00+05:30"),
            Some(951_805_800)
        );
        assert_eq!(iso8601_to_epoch("yesterday"), None);
        assert_eq!(iso8601_to_epoch("2019-13-01T00:00:00Z"), None);
    }

    /// Found while adding the `rest_emc` fuzz target (a seed whose Unity snap has this
    /// `creationTime` crashes it): a huge year, second or offset overflowed the arithmetic,
    /// a panic with overflow checks on.
    #[test]
    fn huge_fields_are_refused_not_overflowed() {
        for text in [
            "99999999999999999-12-04T19:10:59.320Z",
            "9223372036854775807-01-01T00:00:00Z",
            "2026-12-04T19:10:9223372036854775807Z",
            "2026-12-04T19:10:61Z",
            "2026-12-04T19:10:59+9223372036854775807:00",
            "2026-12-04T19:10:59-01:9223372036854775807",
            "2026-12-04T19:10:59+24:00",
        ] {
            assert_eq!(iso8601_to_epoch(text), None, "{text}");
        }
        // The largest years whose seconds still fit are read.
        assert_eq!(
            iso8601_to_epoch("292277026596-12-04T15:30:07Z"),
            Some(i64::MAX)
        );
        assert_eq!(iso8601_to_epoch("292277026596-12-04T15:30:08Z"), None);
        assert_eq!(iso8601_to_epoch("1970-01-01T00:00:60Z"), Some(60));
    }
}
