//! Export and import on SQLite: tables read in one read transaction, written in one write.

use super::{SqliteStore, latest_version, schema_version};
use crate::store::export::{
    self, Header, Line, Reader, SELF_WRITTEN, Summary, TABLES, Table, Writer,
};
use anyhow::{Context, bail};
use rusqlite::types::{Value as Cell, ValueRef};
use rusqlite::{Connection, TransactionBehavior};
use serde_json::Value;
use std::io::{BufRead, Write};

impl SqliteStore {
    /// Writes the whole database to `out` as it stands at one moment; writers go on meanwhile.
    pub async fn export(&self, out: Box<dyn Write + Send>) -> anyhow::Result<Summary> {
        // A reader of its own, so no pooled reader is held for the whole export.
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = Connection::open_with_flags(
                &path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
            )
            .with_context(|| format!("cannot open {}", path.display()))?;
            conn.busy_timeout(super::BUSY_TIMEOUT)?;
            export(&conn, out)
        })
        .await
        .context("the export task failed")?
    }

    /// Loads an export into this database in one transaction: all of it, or nothing. Refuses a
    /// database that holds data unless `replace`, which deletes everything first.
    pub async fn import(
        &self,
        input: Box<dyn BufRead + Send>,
        replace: bool,
    ) -> anyhow::Result<Summary> {
        let mut conn = self.db.writer.clone().lock_owned().await;
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            prepare_target(&tx, replace, &path.display().to_string())?;
            let summary = import(&tx, input)?;
            tx.commit().context("committing the import failed")?;
            Ok(summary)
        })
        .await
        .context("the import task failed")?
    }
}

fn export(conn: &Connection, out: Box<dyn Write + Send>) -> anyhow::Result<Summary> {
    // One read transaction: every table as of the same moment.
    conn.execute_batch("BEGIN DEFERRED")?;
    let version = schema_version(conn)?;
    if version != latest_version() {
        bail!(
            "the database has schema version {version} and this binary's is {}: run `flagstaff migrate` first",
            latest_version()
        );
    }
    let mut writer = Writer::new(out, &Header::new(version, "sqlite"))?;
    for table in TABLES {
        let mut stmt = conn.prepare(&format!(
            "SELECT * FROM {} ORDER BY {}",
            table.name, table.order_by
        ))?;
        let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let json: Vec<bool> = columns
            .iter()
            .map(|c| table.json.contains(&c.as_str()))
            .collect();
        writer.table(table.name, columns.clone())?;
        let mut rows = stmt.query([])?;
        let mut values = Vec::with_capacity(columns.len());
        while let Some(row) = rows.next()? {
            values.clear();
            for (i, is_json) in json.iter().enumerate() {
                values.push(
                    cell_to_json(row.get_ref(i)?, *is_json)
                        .with_context(|| format!("table {}, column {}", table.name, columns[i]))?,
                );
            }
            writer.row(&values)?;
        }
    }
    conn.execute_batch("COMMIT")?;
    writer.finish()
}

fn cell_to_json(cell: ValueRef<'_>, is_json: bool) -> anyhow::Result<Value> {
    Ok(match cell {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .context("a number that JSON cannot hold")?,
        ValueRef::Text(bytes) => {
            let text = std::str::from_utf8(bytes).context("text that is not UTF-8")?;
            if is_json {
                serde_json::from_str(text).context("a JSON column that does not hold JSON")?
            } else {
                Value::from(text)
            }
        }
        ValueRef::Blob(_) => bail!("a blob, which no Flagstaff column holds"),
    })
}

/// Refuses a database with data unless `replace`; clears what a fresh server writes by itself.
fn prepare_target(conn: &Connection, replace: bool, name: &str) -> anyhow::Result<()> {
    if !replace && let Some(table) = first_table_with_rows(conn)? {
        bail!(
            "the database {name} already holds data (table {table} has rows): import into an empty database, or pass --force to replace everything in it"
        );
    }
    for table in TABLES.iter().rev() {
        conn.execute(&format!("DELETE FROM {}", table.name), [])?;
    }
    Ok(())
}

/// The first table holding rows other than those a fresh server writes by itself, if any;
/// `None` for an empty or a new database.
pub(super) fn first_table_with_rows(conn: &Connection) -> anyhow::Result<Option<&'static str>> {
    for table in TABLES.iter().filter(|t| !SELF_WRITTEN.contains(&t.name)) {
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [table.name],
            |r| r.get(0),
        )?;
        if !exists {
            continue;
        }
        let taken: bool = conn.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {})", table.name),
            [],
            |r| r.get(0),
        )?;
        if taken {
            return Ok(Some(table.name));
        }
    }
    Ok(None)
}

fn import(conn: &Connection, input: Box<dyn BufRead + Send>) -> anyhow::Result<Summary> {
    let (_, mut reader) = Reader::open(input, latest_version())?;
    let mut insert: Option<(rusqlite::Statement<'_>, Table, Vec<String>)> = None;
    while let Some(line) = reader.next_line()? {
        match line {
            Line::Table { table, columns } => {
                check_columns(conn, &table, &columns)?;
                let sql = format!(
                    "INSERT INTO {} ({}) VALUES ({})",
                    table.name,
                    columns.join(", "),
                    (1..=columns.len())
                        .map(|i| format!("?{i}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                insert = Some((conn.prepare(&sql)?, table, columns));
            }
            Line::Row(values) => {
                let Some((stmt, table, columns)) = insert.as_mut() else {
                    bail!("a row before any table");
                };
                let cells = values
                    .into_iter()
                    .map(json_to_cell)
                    .collect::<anyhow::Result<Vec<_>>>()
                    .with_context(|| format!("a row of table {}", table.name))?;
                stmt.execute(rusqlite::params_from_iter(cells))
                    .with_context(|| {
                        format!(
                            "inserting a row of table {} ({}) failed",
                            table.name,
                            columns.join(", ")
                        )
                    })?;
            }
            Line::End(summary) => return Ok(summary),
        }
    }
    bail!("the export ended early")
}

fn check_columns(conn: &Connection, table: &Table, columns: &[String]) -> anyhow::Result<()> {
    let mut stmt = conn.prepare(&format!(
        "SELECT name FROM pragma_table_info('{}')",
        table.name
    ))?;
    let ours = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    export::check_columns(table, ours, columns)
}

fn json_to_cell(value: Value) -> anyhow::Result<Cell> {
    Ok(match value {
        Value::Null => Cell::Null,
        Value::Bool(b) => Cell::Integer(i64::from(b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Cell::Integer(i),
            None => Cell::Real(n.as_f64().context("a number out of range")?),
        },
        Value::String(s) => Cell::Text(s),
        json @ (Value::Array(_) | Value::Object(_)) => Cell::Text(json.to_string()),
    })
}
