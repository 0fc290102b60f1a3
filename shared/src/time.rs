//! Calendar formatting for Unix times, without a clock: the core is handed
//! `now` and only ever turns times into words.

/// A Unix time as a UTC calendar date and time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Unix seconds as a UTC date and time (proleptic Gregorian calendar;
/// Howard Hinnant's `civil_from_days`).
#[must_use]
pub fn civil(secs: i64) -> Civil {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    // All four fit: 1 <= m <= 12, 1 <= d <= 31, 0 <= rem < 86400.
    let small = |v: i64| u32::try_from(v).unwrap_or(0);
    Civil {
        year: yoe + era * 400 + i64::from(m <= 2),
        month: small(m),
        day: small(d),
        hour: small(rem / 3600),
        minute: small(rem % 3600 / 60),
        second: small(rem % 60),
    }
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS UTC`.
#[must_use]
pub fn format_utc(secs: i64) -> String {
    let c = civil(secs);
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", c.year, c.month, c.day, c.hour, c.minute, c.second)
}

#[cfg(test)]
mod tests {
    use super::format_utc;

    #[test]
    fn dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(format_utc(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(format_utc(1_795_000_000), "2026-11-18 11:06:40 UTC");
        assert_eq!(format_utc(1_893_456_000), "2030-01-01 00:00:00 UTC");
    }
}
