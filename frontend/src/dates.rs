//! Dates for people: Unix seconds as `YYYY-MM-DD` (UTC), without a date library.

/// `YYYY-MM-DD` in UTC for Unix seconds (proleptic Gregorian calendar).
#[must_use]
pub fn ymd(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD HH:MM UTC` for Unix seconds.
#[must_use]
pub fn ymd_hm(secs: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    format!("{} {:02}:{:02} UTC", ymd(secs), rem / 3600, (rem % 3600) / 60)
}

/// Days since 1970-01-01 to (year, month, day); H. Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (y, u32::try_from(m).unwrap_or(1), u32::try_from(d).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(ymd(0), "1970-01-01");
        assert_eq!(ymd(951_782_400), "2000-02-29");
        assert_eq!(ymd(1_798_761_599), "2026-12-31");
        assert_eq!(ymd(-1), "1969-12-31");
        assert_eq!(ymd_hm(1_798_761_599), "2026-12-31 23:59 UTC");
    }
}
