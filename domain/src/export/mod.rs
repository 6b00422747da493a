//! Export and import of one client's records: a versioned JSON bundle that another device can
//! import, and a CSV that Excel opens for reading and printing.
//!
//! Both are pure functions of their inputs. The caller reads and saves the files and picks the
//! language; nothing here knows the clock or the time zone, which is why the CSV carries creation
//! times as raw milliseconds rather than as dates.

mod activity;
mod csv;
mod format;
mod json;

pub use activity::activity_csv;
pub use csv::{answer_text, audit_csv, japan_time, to_csv};
pub use format::{Bundle, FORMAT, ImportError, KIND, Lang};
pub use json::{from_json, to_json};

#[cfg(test)]
mod tests;
