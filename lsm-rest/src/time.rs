//! Timestamps as arrays write them.

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` as seconds since the epoch.
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
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60)
        }
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    // Days from the civil date (proleptic Gregorian), March-based year.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
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
}
