//! Export and import on PostgreSQL: rows streamed from one snapshot, loaded in one transaction.

use super::Tx;
use super::{PostgresStore, latest_version, schema_version};
use crate::store::export::{
    self, Header, Line, Reader, SELF_WRITTEN, Summary, TABLES, TIMESTAMP_FORMAT, Table, Writer,
};
use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::{StreamExt, pin_mut};
use serde_json::Value;
use std::io::{BufRead, Write};
use tokio_postgres::Row;
use tokio_postgres::types::{ToSql, Type};

/// Rows sent to the server per INSERT.
const BATCH: usize = 500;

impl PostgresStore {
    /// Writes the whole database to `out` as one snapshot sees it; writers go on meanwhile.
    pub async fn export(&self, out: Box<dyn Write + Send>) -> anyhow::Result<Summary> {
        let mut client = self.client().await?;
        let version = schema_version(&client).await?;
        if version != latest_version() {
            bail!(
                "the database has schema version {version} and this binary's is {}: run `flagstaff migrate` first",
                latest_version()
            );
        }
        let tx = super::read_snapshot(&mut client).await?;
        let mut writer = Writer::new(out, &Header::new(version, "postgres"))?;
        for table in TABLES {
            let stmt = tx
                .prepare(&format!(
                    "SELECT * FROM {} ORDER BY {}",
                    table.name, table.order_by
                ))
                .await?;
            let columns: Vec<String> = stmt.columns().iter().map(|c| c.name().into()).collect();
            writer.table(table.name, columns.clone())?;
            let rows = tx.query_raw(&stmt, no_params()).await?;
            pin_mut!(rows);
            let mut values = Vec::with_capacity(columns.len());
            while let Some(row) = rows.next().await {
                let row = row?;
                values.clear();
                for (i, column) in columns.iter().enumerate() {
                    values.push(
                        cell_to_json(&row, i)
                            .with_context(|| format!("table {}, column {column}", table.name))?,
                    );
                }
                writer.row(&values)?;
            }
        }
        tx.commit().await?;
        writer.finish()
    }

    /// Loads an export into this database in one transaction: all of it, or nothing. Refuses a
    /// database that holds data unless `replace`, which deletes everything first.
    pub async fn import(
        &self,
        input: Box<dyn BufRead + Send>,
        replace: bool,
    ) -> anyhow::Result<Summary> {
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        if !replace {
            for table in TABLES.iter().filter(|t| !SELF_WRITTEN.contains(&t.name)) {
                let row = tx
                    .query_one(
                        &format!("SELECT EXISTS (SELECT 1 FROM {})", table.name),
                        &[],
                    )
                    .await?;
                if row.get::<_, bool>(0) {
                    bail!(
                        "the PostgreSQL database already holds data (table {} has rows): import into an empty database, or pass --force to replace everything in it",
                        table.name
                    );
                }
            }
        }
        let all: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        tx.batch_execute(&format!("TRUNCATE {}", all.join(", ")))
            .await?;
        // The reader works on blocking I/O; an import is a command of its own, so reading on
        // this thread between batches holds up nothing else.
        let (_, mut reader) = Reader::open(input, latest_version())?;
        let mut current: Option<(Table, Vec<String>)> = None;
        let mut batch: Vec<Value> = Vec::with_capacity(BATCH);
        let summary = loop {
            let Some(line) = reader.next_line()? else {
                bail!("the export ended early");
            };
            match line {
                Line::Table { table, columns } => {
                    if let Some((done, names)) = current.take() {
                        insert(&tx, &done, &names, &mut batch).await?;
                    }
                    check_columns(&tx, &table, &columns).await?;
                    current = Some((table, columns));
                }
                Line::Row(values) => {
                    let Some((table, names)) = current.as_ref() else {
                        bail!("a row before any table");
                    };
                    let object: serde_json::Map<String, Value> =
                        names.iter().cloned().zip(values).collect();
                    batch.push(Value::Object(object));
                    if batch.len() == BATCH {
                        insert(&tx, table, names, &mut batch).await?;
                    }
                }
                Line::End(summary) => {
                    if let Some((done, names)) = current.take() {
                        insert(&tx, &done, &names, &mut batch).await?;
                    }
                    break summary;
                }
            }
        };
        // Identity columns go on after the highest imported id.
        for table in TABLES.iter().filter(|t| t.order_by == "id") {
            tx.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {0}",
                    table.name
                ),
                &[],
            )
            .await?;
        }
        self.commit(tx)
            .await
            .context("committing the import failed")?;
        Ok(summary)
    }
}

fn no_params() -> impl ExactSizeIterator<Item = &'static (dyn ToSql + Sync)> {
    std::iter::empty()
}

/// Inserts the batched rows (JSON objects keyed by column); PostgreSQL reads each value as its
/// column's type (`json_populate_recordset`), so 0 and 1 become booleans and text timestamps.
async fn insert(
    tx: &deadpool_postgres::Transaction<'_>,
    table: &Table,
    columns: &[String],
    batch: &mut Vec<Value>,
) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let list = columns.join(", ");
    let sql = format!(
        "INSERT INTO {0} ({1}) SELECT {1} FROM json_populate_recordset(NULL::{0}, $1::json)",
        table.name, list
    );
    let rows = Value::Array(std::mem::take(batch));
    tx.execute(&sql, &[&rows])
        .await
        .with_context(|| format!("inserting rows of table {} failed", table.name))?;
    Ok(())
}

async fn check_columns(
    tx: &deadpool_postgres::Transaction<'_>,
    table: &Table,
    columns: &[String],
) -> anyhow::Result<()> {
    let stmt = tx
        .prepare(&format!("SELECT * FROM {} LIMIT 0", table.name))
        .await?;
    let ours = stmt.columns().iter().map(|c| c.name().into()).collect();
    export::check_columns(table, ours, columns)
}

/// A column's value in the export's canonical form (see `store::export`).
fn cell_to_json(row: &Row, i: usize) -> anyhow::Result<Value> {
    let ty = row.columns()[i].type_().clone();
    let value = match ty {
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)?
            .map(|b| Value::from(i64::from(b))),
        Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map(Value::from),
        Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map(Value::from),
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Value::from),
        Type::FLOAT4 => row
            .try_get::<_, Option<f32>>(i)?
            .map(|f| float(f64::from(f)))
            .transpose()?,
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map(float).transpose()?,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
            row.try_get::<_, Option<String>>(i)?.map(Value::from)
        }
        Type::TIMESTAMPTZ => row
            .try_get::<_, Option<DateTime<Utc>>>(i)?
            .map(|t| Value::from(t.format(TIMESTAMP_FORMAT).to_string())),
        Type::DATE => row
            .try_get::<_, Option<NaiveDate>>(i)?
            .map(|d| Value::from(d.format("%Y-%m-%d").to_string())),
        Type::JSON | Type::JSONB => row.try_get::<_, Option<Value>>(i)?,
        other => bail!("a column of type {other}, which the export does not know"),
    };
    Ok(value.unwrap_or(Value::Null))
}

fn float(f: f64) -> anyhow::Result<Value> {
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .context("a number that JSON cannot hold")
}
