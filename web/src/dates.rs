//! Dates for people: Unix seconds as `YYYY-MM-DD` (UTC), over the core's
//! calendar conversion (`geleit::time::civil`).

use geleit::time::civil;

/// `YYYY-MM-DD` in UTC for Unix seconds (proleptic Gregorian calendar).
#[must_use]
pub fn ymd(secs: i64) -> String {
    let c = civil(secs);
    format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
}

/// `YYYY-MM-DD HH:MM UTC` for Unix seconds.
#[must_use]
pub fn ymd_hm(secs: i64) -> String {
    let c = civil(secs);
    format!("{} {:02}:{:02} UTC", ymd(secs), c.hour, c.minute)
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
