//! `Columns`: reading a column the same way from a SQLite or a PostgreSQL row.
//
// Reading a column the same way from a SQLite or a PostgreSQL row, so each mapper is written once.
//
// A backend implements [`Columns`] for its row type (`sqlite/rows.rs`, `postgres/rows.rs`);
// the mappers in `store/<area>.rs` take `&dyn Columns` and read with `row.get(i)`, the
// column's Rust type choosing the conversion ([`Cell`]).

use crate::domain::Timestamp;
use crate::store::{Result, StoreError};
use chrono::NaiveDate;
use serde_json::Value;

/// The columns of one result row, read by position. `None` is SQL NULL.
pub trait Columns {
    fn int(&self, i: usize) -> Result<Option<i64>>;
    fn real(&self, i: usize) -> Result<Option<f64>>;
    fn text(&self, i: usize) -> Result<Option<String>>;
    fn boolean(&self, i: usize) -> Result<Option<bool>>;
    fn time(&self, i: usize) -> Result<Option<Timestamp>>;
    /// A calendar day: a date in PostgreSQL, `YYYY-MM-DD` text in SQLite.
    fn day(&self, i: usize) -> Result<Option<NaiveDate>>;
    fn json(&self, i: usize) -> Result<Option<Value>>;
    /// A list of integers: an array in PostgreSQL, a JSON array in SQLite.
    fn ints(&self, i: usize) -> Result<Option<Vec<i64>>>;
    /// The column's name, for error messages.
    fn name(&self, i: usize) -> String;
}

impl dyn Columns + '_ {
    /// Column `i` as a `T`; a NULL is an error unless `T` is an `Option`.
    pub fn get<T: Cell>(&self, i: usize) -> Result<T> {
        T::read(self, i)
    }
}

/// A Rust type a column converts into.
pub trait Cell: Sized {
    /// The value, `None` for NULL.
    fn read_nullable(row: &dyn Columns, i: usize) -> Result<Option<Self>>;

    fn read(row: &dyn Columns, i: usize) -> Result<Self> {
        Self::read_nullable(row, i)?
            .ok_or_else(|| StoreError::Other(format!("column {} is NULL", row.name(i))))
    }
}

impl<T: Cell> Cell for Option<T> {
    fn read_nullable(row: &dyn Columns, i: usize) -> Result<Option<Self>> {
        Ok(Some(T::read_nullable(row, i)?))
    }
}

impl Cell for NaiveDate {
    fn read_nullable(row: &dyn Columns, i: usize) -> Result<Option<Self>> {
        row.day(i)
    }
}

impl Cell for i64 {
    fn read_nullable(row: &dyn Columns, i: usize) -> Result<Option<Self>> {
        row.int(i)
    }
}

impl Cell for i32 {
    fn read_nullable(row: &dyn Columns, i: usize) -> Result<Option<Self>> {
        row.int(i)?
            .map(|n| {
                i32::try_from(n).map_err(|_| {
                    StoreError::Other(format!("column {} holds {n}, beyond 32 bits", row.name(i)))
                })
            })
            .transpose()
    }
}

impl Cell for u32 {
    fn read_nullable(row: &dyn Columns, i: usize) -> Result<Option<Self>> {
        row.int(i)?
            .map(|n| {
                u32::try_from(n).map_err(|_| {
                    StoreError::Other(format!("column {} holds {n}, not a u32", row.name(i)))
                })
            })
            .transpose()
    }
}

impl Cell for f64 {
    fn read_nullable(row: &dyn Columns, i: usize) -> Result<Option<Self>> {
        row.real(i)
    }
}

impl Cell for String {
    fn read_nullable(row: &dyn Columns, i: usize) -> Result<Option<Self>> {
        row.text(i)
    }
}

impl Cell for bool {
    fn read_nullable(row: &dyn Columns, i: usize) -> Result<Option<Self>> {
        row.boolean(i)
    }
}

impl Cell for Timestamp {
    fn read_nullable(row: &dyn Columns, i: usize) -> Result<Option<Self>> {
        row.time(i)
    }
}

impl Cell for Vec<i64> {
    fn read_nullable(row: &dyn Columns, i: usize) -> Result<Option<Self>> {
        row.ints(i)
    }
}

impl Cell for Value {
    fn read_nullable(row: &dyn Columns, i: usize) -> Result<Option<Self>> {
        row.json(i)
    }
}

/// `NotFound` when an UPDATE or DELETE touched no row.
pub fn exactly_one(changed: u64) -> Result<()> {
    if changed == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// A `LIKE` pattern matching `needle` anywhere, with its wildcards escaped (use `ESCAPE '\'`).
pub fn contains_pattern(needle: &str) -> String {
    let escaped = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}
