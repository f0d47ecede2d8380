//! SQLite rows read through `Columns`, and the read and write helpers its area files use.

use crate::domain::Timestamp;
use crate::store::rows::Columns;
use crate::store::{Result, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::types::{Type, ValueRef};
use rusqlite::{Connection, Params, Row};
use serde_json::Value;

pub use crate::store::rows::{contains_pattern, exactly_one};

impl Columns for Row<'_> {
    fn int(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.get(i)?)
    }

    fn real(&self, i: usize) -> Result<Option<f64>> {
        Ok(self.get(i)?)
    }

    fn text(&self, i: usize) -> Result<Option<String>> {
        Ok(self.get(i)?)
    }

    fn boolean(&self, i: usize) -> Result<Option<bool>> {
        Ok(self.get(i)?)
    }

    fn time(&self, i: usize) -> Result<Option<Timestamp>> {
        Ok(get_opt_ts(self, i)?)
    }

    fn day(&self, i: usize) -> Result<Option<chrono::NaiveDate>> {
        let Some(text) = self.text(i)? else {
            return Ok(None);
        };
        chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(Some)
            .map_err(|e| StoreError::Other(format!("column {}: {text:?}: {e}", self.name(i))))
    }

    fn json(&self, i: usize) -> Result<Option<Value>> {
        match self.get_ref(i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(text) => serde_json::from_slice(text)
                .map(Some)
                .map_err(|e| StoreError::Other(format!("column {}: {e}", self.name(i)))),
            _ => Err(StoreError::Other(format!(
                "column {} is not JSON text",
                self.name(i)
            ))),
        }
    }

    fn ints(&self, i: usize) -> Result<Option<Vec<i64>>> {
        self.json(i)?
            .map(|list| {
                serde_json::from_value(list)
                    .map_err(|e| StoreError::Other(format!("column {}: {e}", self.name(i))))
            })
            .transpose()
    }

    fn name(&self, i: usize) -> String {
        self.as_ref()
            .column_name(i)
            .map_or_else(|_| format!("#{i}"), str::to_string)
    }
}

/// Every row `sql` answers, each read by `map`.
pub fn all<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    map: impl Fn(&dyn Columns) -> Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(map(row)?);
    }
    Ok(out)
}

/// The first row `sql` answers, if any, read by `map`.
pub fn opt<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    map: impl Fn(&dyn Columns) -> Result<T>,
) -> Result<Option<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    rows.next()?.map(|row| map(row)).transpose()
}

/// The row `sql` answers, read by `map`; `NotFound` when there is none.
pub fn one<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    map: impl Fn(&dyn Columns) -> Result<T>,
) -> Result<T> {
    opt(conn, sql, params, map)?.ok_or(StoreError::NotFound)
}

/// Whether `sql` answers any row.
pub fn exists(conn: &Connection, sql: &str, params: impl Params) -> Result<bool> {
    Ok(conn.prepare_cached(sql)?.exists(params)?)
}

/// Runs a statement; the number of rows it changed.
pub fn exec(conn: &Connection, sql: &str, params: impl Params) -> Result<u64> {
    Ok(conn.prepare_cached(sql)?.execute(params)? as u64)
}

/// The id of the row of `table` with that uuid; `NotFound` when there is none.
pub fn id_by_uuid(conn: &Connection, table: &str, uuid: &str) -> Result<i64> {
    one(
        conn,
        &format!("SELECT id FROM {table} WHERE uuid = ?"),
        [uuid],
        |r| r.get(0),
    )
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

/// Reads a nullable timestamp column.
pub fn get_opt_ts(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Timestamp>> {
    row.get::<_, Option<String>>(idx)?
        .map(|text| parse_ts(idx, &text))
        .transpose()
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
