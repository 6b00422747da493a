//! A calendar month, as a report names it (`YYYY-MM`): the leaf the report's parts and its
//! summary of the month's notes both use.

use crate::date::Date;
use std::fmt;
use std::str::FromStr;

/// A calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: u16,
    month: u8,
}

impl Month {
    pub fn new(year: u16, month: u8) -> Option<Month> {
        Date::new(year, month, 1).map(Month::of)
    }

    /// The month `date` falls in.
    pub fn of(date: Date) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn first(self) -> Date {
        Date::new(self.year, self.month, 1).expect("a month's first day exists")
    }

    pub fn last(self) -> Date {
        self.first().last_of_month()
    }

    pub fn contains(self, date: Date) -> bool {
        Month::of(date) == self
    }

    /// The month before.
    pub fn previous(self) -> Option<Month> {
        self.first().add_days(-1).map(Month::of)
    }

    /// The month after.
    pub fn next(self) -> Option<Month> {
        self.last().add_days(1).map(Month::of)
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("not a month (expected YYYY-MM): {s:?}");
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year = y.parse::<u16>().map_err(|_| bad())?;
        let month = m.parse::<u8>().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }
}
