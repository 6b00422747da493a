//! Calendar dates and times of day as people write them on forms ("2026-11-21", "09:30"), with
//! the arithmetic the forms and the due rules need: a person's age on a given day, days between
//! two dates, month ends (leap years included) and weeks.
//!
//! The core reads no clock: "today" is always passed in.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A date in the proleptic Gregorian calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a date (expected YYYY-MM-DD): {0:?}")]
pub struct BadDate(pub String);

impl Date {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Self { year, month, day })
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// Completed years from `self` (a birth date) to `today`; `None` if `today` is earlier.
    pub fn age_on(self, today: Date) -> Option<u16> {
        if today < self {
            return None;
        }
        let had_birthday = (today.month, today.day) >= (self.month, self.day);
        Some(today.year - self.year - u16::from(!had_birthday))
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn days_since_epoch(self) -> i64 {
        days_from_civil(self)
    }

    /// Days from `earlier` to `self`: positive when `self` is later, 0 on the same day.
    pub fn days_since(self, earlier: Date) -> i64 {
        days_from_civil(self) - days_from_civil(earlier)
    }

    /// The date `days` later (earlier when negative); `None` outside years 1..=9999.
    pub fn add_days(self, days: i64) -> Option<Date> {
        civil_from_days(days_from_civil(self).checked_add(days)?)
    }

    /// The number of days of this date's month (28, 29 in a leap February, 30 or 31).
    pub fn days_in_month(self) -> u8 {
        days_in_month(self.year, self.month)
    }

    /// The first day of this date's month.
    pub fn first_of_month(self) -> Date {
        Date { day: 1, ..self }
    }

    /// The last day of this date's month.
    pub fn last_of_month(self) -> Date {
        Date {
            day: self.days_in_month(),
            ..self
        }
    }

    /// Whether `other` falls in the same calendar month.
    pub fn same_month(self, other: Date) -> bool {
        (self.year, self.month) == (other.year, other.month)
    }

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        Weekday::ALL[(days_from_civil(self) + 3).rem_euclid(7) as usize]
    }

    /// The first day of the week holding this date, for weeks that begin on `first`.
    pub fn week_start(self, first: Weekday) -> Date {
        let back = (self.weekday() as i64 - first as i64).rem_euclid(7);
        self.add_days(-back).unwrap_or(self)
    }

    /// The last day of the week holding this date, for weeks that begin on `first`.
    pub fn week_end(self, first: Weekday) -> Date {
        let start = self.week_start(first);
        start.add_days(6).unwrap_or(start)
    }

    /// The date of a moment given as milliseconds since the Unix epoch, shifted by `offset_minutes`
    /// (Japan: +540). Used by the app with the browser's clock and time zone.
    pub fn from_unix_millis(millis: i64, offset_minutes: i32) -> Option<Self> {
        let days = (millis + i64::from(offset_minutes) * 60_000).div_euclid(86_400_000);
        civil_from_days(days)
    }
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A day of the week (ISO order, Monday first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
}

/// Howard Hinnant's `days_from_civil`: a calendar date to days since 1970-01-01.
fn days_from_civil(date: Date) -> i64 {
    let (m, d) = (i64::from(date.month), i64::from(date.day));
    let y = i64::from(date.year) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a calendar date.
fn civil_from_days(days: i64) -> Option<Date> {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Date::new(
        u16::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
    )
}

impl FromStr for Date {
    type Err = BadDate;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadDate(s.to_owned());
        let mut parts = s.split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let number = |p: &str| p.parse::<u16>().map_err(|_| bad());
        let (y, m, d) = (number(y)?, number(m)?, number(d)?);
        Date::new(
            y,
            u8::try_from(m).map_err(|_| bad())?,
            u8::try_from(d).map_err(|_| bad())?,
        )
        .ok_or_else(bad)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A time of day, "HH:MM" on a 24-hour clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay {
    hour: u8,
    minute: u8,
}

impl TimeOfDay {
    pub fn new(hour: u8, minute: u8) -> Option<Self> {
        (hour < 24 && minute < 60).then_some(Self { hour, minute })
    }
}

impl FromStr for TimeOfDay {
    type Err = BadDate;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadDate(s.to_owned());
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(bad());
        }
        let (h, m) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        TimeOfDay::new(h, m).ok_or_else(bad)
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn dates_parse_and_print_as_iso_and_reject_what_is_not_a_day() {
        for good in [
            "2026-11-21",
            "2024-02-29",
            "2000-02-29",
            "0001-01-01",
            "9999-12-31",
        ] {
            assert_eq!(d(good).to_string(), good);
        }
        for bad in [
            "2025-02-29",
            "1900-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-1-1",
            "",
            "2026/11/21",
            "2026-11-21-1",
            "２０２６-11-21",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn age_counts_completed_years_including_leap_day_birthdays() {
        for (birth, today, age) in [
            ("1990-04-01", "2026-03-31", Some(35)),
            ("1990-04-01", "2026-04-01", Some(36)),
            ("2004-02-29", "2026-02-28", Some(21)),
            ("2004-02-29", "2026-03-01", Some(22)),
            ("2026-11-21", "2026-11-21", Some(0)),
            ("2026-11-22", "2026-11-21", None),
        ] {
            assert_eq!(d(birth).age_on(d(today)), age, "{birth} on {today}");
        }
    }

    #[test]
    fn the_day_of_a_moment_depends_on_the_time_zone() {
        // 2026-11-20T15:30:00Z is already the 21st in Japan (UTC+9).
        let millis = 1_795_188_600_000;
        assert_eq!(Date::from_unix_millis(millis, 0), Some(d("2026-11-20")));
        assert_eq!(Date::from_unix_millis(millis, 540), Some(d("2026-11-21")));
        assert_eq!(Date::from_unix_millis(0, 0), Some(d("1970-01-01")));
        assert_eq!(Date::from_unix_millis(-1, 0), Some(d("1969-12-31")));
    }

    #[test]
    fn days_between_and_adding_days_cross_month_ends_and_leap_days() {
        for (from, days, to) in [
            ("2026-01-31", 1, "2026-02-01"),
            ("2026-02-28", 1, "2026-03-01"),
            ("2028-02-28", 1, "2028-02-29"),
            ("2028-02-29", 1, "2028-03-01"),
            ("2100-02-28", 1, "2100-03-01"),
            ("2000-02-28", 1, "2000-02-29"),
            ("2026-12-31", 1, "2027-01-01"),
            ("2026-03-01", -1, "2026-02-28"),
            ("2024-03-01", -1, "2024-02-29"),
            ("2026-01-01", 365, "2027-01-01"),
            ("2028-01-01", 366, "2029-01-01"),
            ("1970-01-01", 0, "1970-01-01"),
        ] {
            assert_eq!(d(from).add_days(days), Some(d(to)), "{from} + {days}");
            assert_eq!(d(to).days_since(d(from)), days, "{to} - {from}");
        }
        assert_eq!(d("1970-01-01").days_since_epoch(), 0);
        assert_eq!(d("9999-12-31").add_days(1), None);
        assert_eq!(d("0001-01-01").add_days(-1), None);
    }

    #[test]
    fn month_ends_know_leap_years() {
        for (day, first, last, days) in [
            ("2026-01-15", "2026-01-01", "2026-01-31", 31),
            ("2026-02-10", "2026-02-01", "2026-02-28", 28),
            ("2028-02-10", "2028-02-01", "2028-02-29", 29),
            ("2100-02-10", "2100-02-01", "2100-02-28", 28),
            ("2000-02-10", "2000-02-01", "2000-02-29", 29),
            ("2026-04-30", "2026-04-01", "2026-04-30", 30),
            ("2026-12-01", "2026-12-01", "2026-12-31", 31),
        ] {
            assert_eq!(d(day).first_of_month(), d(first), "{day}");
            assert_eq!(d(day).last_of_month(), d(last), "{day}");
            assert_eq!(d(day).days_in_month(), days, "{day}");
        }
        assert!(d("2026-01-31").same_month(d("2026-01-01")));
        assert!(!d("2026-01-31").same_month(d("2026-02-01")));
        assert!(!d("2026-01-31").same_month(d("2027-01-31")));
    }

    #[test]
    fn weeks_begin_on_the_day_asked() {
        // 2026-12-05 is a Saturday; 2028-02-29 a Tuesday; 1970-01-01 a Thursday.
        assert_eq!(d("2026-12-05").weekday(), Weekday::Saturday);
        assert_eq!(d("2028-02-29").weekday(), Weekday::Tuesday);
        assert_eq!(d("1970-01-01").weekday(), Weekday::Thursday);
        for (day, first, start, end) in [
            ("2026-12-05", Weekday::Monday, "2026-11-30", "2026-12-06"),
            ("2026-12-05", Weekday::Sunday, "2026-11-29", "2026-12-05"),
            ("2026-11-30", Weekday::Monday, "2026-11-30", "2026-12-06"),
            ("2028-03-01", Weekday::Monday, "2028-02-28", "2028-03-05"),
        ] {
            assert_eq!(d(day).week_start(first), d(start), "{day} {first:?}");
            assert_eq!(d(day).week_end(first), d(end), "{day} {first:?}");
        }
    }

    #[test]
    fn times_of_day_are_24_hour_hh_mm() {
        assert_eq!("09:05".parse::<TimeOfDay>().unwrap().to_string(), "09:05");
        for bad in ["24:00", "9:05", "09:60", "0905", ""] {
            assert!(bad.parse::<TimeOfDay>().is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_serialize_as_iso_strings() {
        assert_eq!(
            serde_json::to_string(&d("2026-11-21")).unwrap(),
            "\"2026-11-21\""
        );
        assert!(serde_json::from_str::<Date>("\"2026-02-30\"").is_err());
    }
}
