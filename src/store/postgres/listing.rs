//! Filtered lists read a page at a time, with the total across pages (DRF's `count`).

use crate::domain::{Page, PageRequest};
use crate::store::Result;
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

/// The conditions a list is narrowed by, and the values of their placeholders in order.
#[derive(Default)]
pub(super) struct Listing {
    filters: Vec<String>,
    args: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl std::fmt::Debug for Listing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listing")
            .field("filters", &self.filters)
            .finish_non_exhaustive()
    }
}

impl Listing {
    /// Takes a value and returns the placeholder to write where it goes.
    pub fn arg(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.args.push(Box::new(value));
        format!("${}", self.args.len())
    }

    /// Adds a condition; all must hold.
    pub fn filter(&mut self, condition: impl Into<String>) {
        self.filters.push(condition.into());
    }

    /// One page of `SELECT {columns} FROM {from}` in `order`, with the total.
    pub async fn page(
        self,
        client: &impl GenericClient,
        (columns, from): (&str, &str),
        order: &str,
        page: PageRequest,
    ) -> Result<Page<Row>> {
        let filter = if self.filters.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.filters.join(" AND "))
        };
        let mut params: Vec<&(dyn ToSql + Sync)> = self
            .args
            .iter()
            .map(|a| a.as_ref() as &(dyn ToSql + Sync))
            .collect();
        let total: i64 = client
            .query_one(&format!("SELECT COUNT(*) FROM {from} {filter}"), &params)
            .await?
            .try_get(0)?;
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
            items: client.query(&sql, &params).await?,
            total: total as u64,
        })
    }
}
