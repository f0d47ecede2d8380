//! Filtered lists read a page at a time, with the total across pages (DRF's `count`).

use super::rows::{Conn, all, one};
use crate::domain::{Page, PageRequest};
use crate::store::Result;
use crate::store::rows::Columns;
use tokio_postgres::types::ToSql;

/// The conditions a list is narrowed by, and the values of their placeholders in order.
pub(super) type Listing = crate::store::listing::Listing<Box<dyn ToSql + Sync + Send>>;

impl Listing {
    /// Takes a value and returns the placeholder to write where it goes.
    pub fn arg(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.args.push(Box::new(value));
        format!("${}", self.args.len())
    }

    /// One page of `SELECT {columns} FROM {from}` in `order`, with the total.
    pub async fn page<T>(
        self,
        client: &impl Conn,
        (columns, from): (&str, &str),
        order: &str,
        page: PageRequest,
        map: impl Fn(&dyn Columns) -> Result<T>,
    ) -> Result<Page<T>> {
        let filter = self.clause();
        let mut params: Vec<&(dyn ToSql + Sync)> = self
            .args
            .iter()
            .map(|a| a.as_ref() as &(dyn ToSql + Sync))
            .collect();
        let count = format!("SELECT COUNT(*) FROM {from} {filter}");
        let total: i64 = one(client, &count, &params, |r| r.get(0)).await?;
        let (limit, offset) = (page.page_size as i64, page.offset() as i64);
        let n = params.len();
        params.push(&limit);
        params.push(&offset);
        let sql = format!(
            "SELECT {columns} FROM {from} {filter} ORDER BY {order} LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        Ok(Page {
            items: all(client, &sql, &params, map).await?,
            total: total as u64,
        })
    }
}
