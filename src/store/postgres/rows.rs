//! PostgreSQL rows read through `Columns`, and the read and write helpers its area files use.

use super::Tx;
use crate::domain::Timestamp;
use crate::store::rows::Columns;
use crate::store::{Result, StoreError};
use deadpool_postgres::{GenericClient, Object, Transaction};
use serde_json::Value;
use tokio_postgres::Row;
use tokio_postgres::types::{ToSql, Type};

pub use crate::store::rows::{contains_pattern, exactly_one};

/// Parameters of one statement, as tokio-postgres takes them.
pub type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// What statements run on: a pooled connection, a transaction, or a write transaction.
pub trait Conn: Sync {
    type Client: GenericClient;
    fn client(&self) -> &Self::Client;
}

impl Conn for Object {
    type Client = Object;
    fn client(&self) -> &Object {
        self
    }
}

impl<'c> Conn for Transaction<'c> {
    type Client = Transaction<'c>;
    fn client(&self) -> &Transaction<'c> {
        self
    }
}

impl<'c> Conn for Tx<'c> {
    type Client = Transaction<'c>;
    fn client(&self) -> &Transaction<'c> {
        self
    }
}

impl Columns for Row {
    fn int(&self, i: usize) -> Result<Option<i64>> {
        Ok(match *self.columns()[i].type_() {
            Type::INT2 => self.try_get::<_, Option<i16>>(i)?.map(i64::from),
            Type::INT4 => self.try_get::<_, Option<i32>>(i)?.map(i64::from),
            _ => self.try_get(i)?,
        })
    }

    fn real(&self, i: usize) -> Result<Option<f64>> {
        Ok(match *self.columns()[i].type_() {
            Type::FLOAT4 => self.try_get::<_, Option<f32>>(i)?.map(f64::from),
            _ => self.try_get(i)?,
        })
    }

    fn text(&self, i: usize) -> Result<Option<String>> {
        Ok(self.try_get(i)?)
    }

    fn boolean(&self, i: usize) -> Result<Option<bool>> {
        Ok(self.try_get(i)?)
    }

    fn time(&self, i: usize) -> Result<Option<Timestamp>> {
        Ok(self.try_get(i)?)
    }

    fn day(&self, i: usize) -> Result<Option<chrono::NaiveDate>> {
        Ok(self.try_get(i)?)
    }

    fn json(&self, i: usize) -> Result<Option<Value>> {
        Ok(self.try_get(i)?)
    }

    fn ints(&self, i: usize) -> Result<Option<Vec<i64>>> {
        Ok(self.try_get(i)?)
    }

    fn name(&self, i: usize) -> String {
        self.columns()
            .get(i)
            .map_or_else(|| format!("#{i}"), |c| c.name().to_string())
    }
}

/// Every row `sql` answers, each read by `map`.
pub async fn all<T>(
    conn: &impl Conn,
    sql: &str,
    params: Params<'_>,
    map: impl Fn(&dyn Columns) -> Result<T>,
) -> Result<Vec<T>> {
    let client = conn.client();
    let stmt = client.prepare_cached(sql).await?;
    client
        .query(&stmt, params)
        .await?
        .iter()
        .map(|row| map(row))
        .collect()
}

/// The first row `sql` answers, if any, read by `map`.
pub async fn opt<T>(
    conn: &impl Conn,
    sql: &str,
    params: Params<'_>,
    map: impl Fn(&dyn Columns) -> Result<T>,
) -> Result<Option<T>> {
    let client = conn.client();
    let stmt = client.prepare_cached(sql).await?;
    client
        .query_opt(&stmt, params)
        .await?
        .map(|row| map(&row))
        .transpose()
}

/// The row `sql` answers, read by `map`; `NotFound` when there is none.
pub async fn one<T>(
    conn: &impl Conn,
    sql: &str,
    params: Params<'_>,
    map: impl Fn(&dyn Columns) -> Result<T>,
) -> Result<T> {
    opt(conn, sql, params, map)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Whether `sql` answers any row.
pub async fn exists(conn: &impl Conn, sql: &str, params: Params<'_>) -> Result<bool> {
    Ok(opt(conn, sql, params, |_| Ok(())).await?.is_some())
}

/// Runs a statement; the number of rows it changed.
pub async fn exec(conn: &impl Conn, sql: &str, params: Params<'_>) -> Result<u64> {
    let client = conn.client();
    let stmt = client.prepare_cached(sql).await?;
    Ok(client.execute(&stmt, params).await?)
}

/// The id of the row of `table` with that uuid; `NotFound` when there is none.
pub async fn id_by_uuid(conn: &impl Conn, table: &str, uuid: &str) -> Result<i64> {
    one(
        conn,
        &format!("SELECT id FROM {table} WHERE uuid = $1"),
        &[&uuid],
        |r| r.get(0),
    )
    .await
}
