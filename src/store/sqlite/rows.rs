//! Column conversions shared by the SQLite area files.

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::types::Type;
use rusqlite::{Connection, Row};

use crate::domain::Timestamp;
use crate::store::{Result, StoreError};

/// `NotFound` when an UPDATE or DELETE touched no row.
pub fn exactly_one(changed: usize) -> Result<()> {
    if changed == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// The id of the row of `table` with that uuid; `NotFound` when there is none.
pub fn id_by_uuid(conn: &Connection, table: &str, uuid: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(&format!("SELECT id FROM {table} WHERE uuid = ?"))?
        .query_row([uuid], |r| r.get(0))?)
}

/// Timestamps are stored as fixed-width RFC 3339 text so that they sort as text.
pub fn ts(t: Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn opt_ts(t: Option<Timestamp>) -> Option<String> {
    t.map(ts)
}

fn parse_ts(idx: usize, text: &str) -> rusqlite::Result<Timestamp> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.fZ")
        .map(|n| DateTime::<Utc>::from_naive_utc_and_offset(n, Utc))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

/// Reads a timestamp column.
pub fn get_ts(row: &Row<'_>, idx: usize) -> rusqlite::Result<Timestamp> {
    parse_ts(idx, &row.get::<_, String>(idx)?)
}

/// Reads a nullable timestamp column.
pub fn get_opt_ts(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Timestamp>> {
    row.get::<_, Option<String>>(idx)?
        .map(|text| parse_ts(idx, &text))
        .transpose()
}

/// `LIKE` pattern matching `needle` anywhere, with its wildcards escaped (use `ESCAPE '\'`).
pub fn contains_pattern(needle: &str) -> String {
    let escaped = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_round_trip_and_sort_as_text() {
        let a = Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
        let b = a + chrono::TimeDelta::microseconds(1);
        assert_eq!(parse_ts(0, &ts(a)).unwrap(), a);
        assert!(ts(a) < ts(b));
        assert_eq!(ts(a), "2024-05-01T10:00:00.000000Z");
    }
}
