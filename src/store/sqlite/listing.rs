//! Filtered lists read a page at a time, with the total across pages (DRF's `count`).

use super::rows::{all, one};
use crate::domain::{Page, PageRequest};
use crate::store::Result;
use crate::store::rows::Columns;
use rusqlite::Connection;
use rusqlite::params_from_iter;
use rusqlite::types::Value;

/// The conditions a list is narrowed by, and the values of their placeholders in order.
pub(super) type Listing = crate::store::listing::Listing<Value>;

impl Listing {
    /// Takes a value and returns the placeholder to write where it goes.
    pub fn arg(&mut self, value: impl Into<Value>) -> &'static str {
        self.args.push(value.into());
        "?"
    }

    /// One page of `SELECT {columns} FROM {from}` in `order`, with the total.
    pub fn page<T>(
        mut self,
        conn: &Connection,
        (columns, from): (&str, &str),
        order: &str,
        page: PageRequest,
        map: impl Fn(&dyn Columns) -> Result<T>,
    ) -> Result<Page<T>> {
        let filter = self.clause();
        let total: i64 = one(
            conn,
            &format!("SELECT COUNT(*) FROM {from} {filter}"),
            params_from_iter(self.args.iter()),
            |r| r.get(0),
        )?;
        self.args.push((page.page_size as i64).into());
        self.args.push((page.offset() as i64).into());
        let items = all(
            conn,
            &format!("SELECT {columns} FROM {from} {filter} ORDER BY {order} LIMIT ? OFFSET ?"),
            params_from_iter(self.args.iter()),
            map,
        )?;
        Ok(Page {
            items,
            total: total as u64,
        })
    }
}
