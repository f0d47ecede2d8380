//! The export format: the whole instance as JSON lines, the same from both backends.
//
// ```text
// {"flagstaff_export":1,"schema_version":6,"flagstaff_version":"0.2.0","exported_at":"…","backend":"sqlite"}
// {"table":"users","columns":["id","uuid",…]}
// [1,"6f1c…",…]
// …
// {"end":{"tables":34,"rows":1234}}
// ```
//
// Values are canonical whatever the backend: booleans as 0 and 1, timestamps as RFC 3339 text in
// UTC with microseconds, days as `YYYY-MM-DD`, JSON columns as JSON. So an export of an imported
// database repeats the original's rows line for line. Rows are read and written one at a time:
// a million identities never sit in memory together.

use super::postgres::PostgresStore;
use super::sqlite::SqliteStore;
use super::{ConnectOptions, DatabaseUrl};
use crate::clock::Clock;
use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{BufRead, Write};
use std::sync::Arc;

/// The version of this format; an importer refuses any other.
pub const FORMAT: u32 = 1;

pub use super::tables::{SELF_WRITTEN, TABLES, Table};

/// The text form of timestamps in the export (and in SQLite).
pub const TIMESTAMP_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// The first line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Header {
    pub flagstaff_export: u32,
    pub schema_version: i64,
    pub flagstaff_version: String,
    pub exported_at: String,
    pub backend: String,
}

impl Header {
    pub fn new(schema_version: i64, backend: &str) -> Header {
        Header {
            flagstaff_export: FORMAT,
            schema_version,
            flagstaff_version: env!("CARGO_PKG_VERSION").into(),
            exported_at: chrono::Utc::now().format(TIMESTAMP_FORMAT).to_string(),
            backend: backend.into(),
        }
    }
}

/// How much an export or an import moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub tables: usize,
    pub rows: u64,
}

#[derive(Serialize, Deserialize)]
struct Section<'a> {
    table: &'a str,
    columns: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct End {
    end: Summary,
}

/// Writes an export, line by line.
pub struct Writer<W: Write> {
    out: W,
    summary: Summary,
}

impl<W: Write> Writer<W> {
    pub fn new(mut out: W, header: &Header) -> anyhow::Result<Self> {
        serde_json::to_writer(&mut out, header)?;
        out.write_all(b"\n")?;
        Ok(Writer {
            out,
            summary: Summary::default(),
        })
    }

    /// Starts the rows of `table`, whose columns come in this order.
    pub fn table(&mut self, table: &str, columns: Vec<String>) -> anyhow::Result<()> {
        serde_json::to_writer(&mut self.out, &Section { table, columns })?;
        self.out.write_all(b"\n")?;
        self.summary.tables += 1;
        Ok(())
    }

    pub fn row(&mut self, values: &[Value]) -> anyhow::Result<()> {
        serde_json::to_writer(&mut self.out, values)?;
        self.out.write_all(b"\n")?;
        self.summary.rows += 1;
        Ok(())
    }

    /// Writes the closing line (an import refuses a file without it) and flushes.
    pub fn finish(mut self) -> anyhow::Result<Summary> {
        serde_json::to_writer(&mut self.out, &End { end: self.summary })?;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        Ok(self.summary)
    }
}

/// One line of an export after the header.
#[derive(Debug, PartialEq)]
pub enum Line {
    Table { table: Table, columns: Vec<String> },
    Row(Vec<Value>),
    End(Summary),
}

/// Reads an export, checking as it goes that tables come in order, that every row has as many
/// values as its table has columns and that the closing line's counts agree.
pub struct Reader<R: BufRead> {
    input: R,
    line: u64,
    buffer: String,
    next_table: usize,
    columns: usize,
    seen: Summary,
    ended: bool,
}

impl<R: BufRead> Reader<R> {
    /// Reads and checks the header: the format and the schema version this binary writes.
    pub fn open(mut input: R, schema_version: i64) -> anyhow::Result<(Header, Self)> {
        let mut first = String::new();
        input
            .read_line(&mut first)
            .context("cannot read the export")?;
        if first.trim().is_empty() {
            bail!("the export is empty");
        }
        let header: Header = serde_json::from_str(first.trim_end()).map_err(|_| {
            anyhow::anyhow!(
                "this is not a Flagstaff export (its first line is not an export header)"
            )
        })?;
        if header.flagstaff_export != FORMAT {
            bail!(
                "the export is in format {} and this binary reads format {FORMAT}",
                header.flagstaff_export
            );
        }
        if header.schema_version > schema_version {
            bail!(
                "the export was made by a newer Flagstaff ({}, schema version {}); this binary knows schema versions up to {schema_version}: import it with Flagstaff {} or later",
                header.flagstaff_version,
                header.schema_version,
                header.flagstaff_version
            );
        }
        if header.schema_version < schema_version {
            bail!(
                "the export has schema version {} (Flagstaff {}) and this binary's is {schema_version}: import it with Flagstaff {}, run `flagstaff migrate` with this binary, then export again",
                header.schema_version,
                header.flagstaff_version,
                header.flagstaff_version
            );
        }
        let reader = Reader {
            input,
            line: 1,
            buffer: String::new(),
            next_table: 0,
            columns: 0,
            seen: Summary::default(),
            ended: false,
        };
        Ok((header, reader))
    }

    /// The next line, or `None` after the closing line.
    pub fn next_line(&mut self) -> anyhow::Result<Option<Line>> {
        if self.ended {
            return Ok(None);
        }
        self.buffer.clear();
        let read = self
            .input
            .read_line(&mut self.buffer)
            .with_context(|| format!("cannot read line {} of the export", self.line + 1))?;
        self.line += 1;
        if read == 0 {
            bail!(
                "the export ends at line {} without its closing line: it is truncated (nothing was imported)",
                self.line - 1
            );
        }
        let line = self.line;
        let text = self.buffer.trim_end();
        if text.starts_with('[') {
            if self.seen.tables == 0 {
                bail!("line {line}: a row before any table");
            }
            let values: Vec<Value> = serde_json::from_str(text)
                .with_context(|| format!("line {line}: the row is not valid JSON"))?;
            if values.len() != self.columns {
                bail!(
                    "line {line}: the row has {} values and its table {} columns",
                    values.len(),
                    self.columns
                );
            }
            self.seen.rows += 1;
            return Ok(Some(Line::Row(values)));
        }
        if let Ok(End { end }) = serde_json::from_str::<End>(text) {
            if end != self.seen {
                bail!(
                    "line {line}: the closing line counts {} tables and {} rows, the file holds {} and {}",
                    end.tables,
                    end.rows,
                    self.seen.tables,
                    self.seen.rows
                );
            }
            if self.next_table != TABLES.len() {
                bail!(
                    "line {line}: the export ends before table {}",
                    TABLES[self.next_table].name
                );
            }
            self.ended = true;
            return Ok(Some(Line::End(end)));
        }
        let section: Section<'_> = serde_json::from_str(text)
            .with_context(|| format!("line {line}: neither a row, a table nor the closing line"))?;
        let Some(expected) = TABLES.get(self.next_table) else {
            bail!("line {line}: table {} after the last table", section.table);
        };
        if section.table != expected.name {
            bail!(
                "line {line}: table {} where {} was expected",
                section.table,
                expected.name
            );
        }
        self.next_table += 1;
        self.seen.tables += 1;
        self.columns = section.columns.len();
        Ok(Some(Line::Table {
            table: *expected,
            columns: section.columns,
        }))
    }
}

/// Refuses an export whose columns for `table` are not the database's (`ours`), in any order.
pub fn check_columns(
    table: &Table,
    mut ours: Vec<String>,
    theirs: &[String],
) -> anyhow::Result<()> {
    let mut theirs = theirs.to_vec();
    ours.sort();
    theirs.sort();
    if ours != theirs {
        bail!(
            "table {}: the export has columns {} and this database {}",
            table.name,
            theirs.join(", "),
            ours.join(", ")
        );
    }
    Ok(())
}

/// `flagstaff export`: brings the schema up to date (as `serve` would), then writes the whole
/// database to `out`.
pub async fn export(
    url: &DatabaseUrl,
    options: &ConnectOptions,
    clock: Arc<dyn Clock>,
    out: Box<dyn Write + Send>,
) -> anyhow::Result<Summary> {
    match url {
        DatabaseUrl::Sqlite(path) => open_existing(path, options, clock).await?.export(out).await,
        DatabaseUrl::Postgres(url) => {
            let store = PostgresStore::open(url, options, clock).await?;
            store.migrate().await?;
            store.export(out).await
        }
    }
}

/// `flagstaff import`: brings the schema up to date, then loads an export in one transaction.
/// Refuses a database that holds data unless `replace`.
pub async fn import(
    url: &DatabaseUrl,
    options: &ConnectOptions,
    clock: Arc<dyn Clock>,
    input: Box<dyn BufRead + Send>,
    replace: bool,
) -> anyhow::Result<Summary> {
    match url {
        DatabaseUrl::Sqlite(path) => {
            let store = SqliteStore::open(path, options, clock).await?;
            store.migrate().await?;
            store.import(input, replace).await
        }
        DatabaseUrl::Postgres(url) => {
            let store = PostgresStore::open(url, options, clock).await?;
            store.migrate().await?;
            store.import(input, replace).await
        }
    }
}

/// The SQLite database at `path`, migrated; refused when there is no file (a mistyped path
/// would otherwise give a new, empty database).
pub(super) async fn open_existing(
    path: &std::path::Path,
    options: &ConnectOptions,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<SqliteStore> {
    if !path.exists() {
        bail!("there is no database at {}", path.display());
    }
    let store = SqliteStore::open(path, options, clock).await?;
    store.migrate().await?;
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export_of(rows: &[(&str, Vec<Vec<Value>>)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut writer = Writer::new(&mut out, &Header::new(6, "sqlite")).unwrap();
        for table in TABLES {
            writer
                .table(table.name, vec!["a".into(), "b".into()])
                .unwrap();
            if let Some((_, values)) = rows.iter().find(|(name, _)| *name == table.name) {
                for row in values {
                    writer.row(row).unwrap();
                }
            }
        }
        writer.finish().unwrap();
        out
    }

    fn read_all(bytes: &[u8], schema: i64) -> anyhow::Result<Vec<Line>> {
        let (_, mut reader) = Reader::open(bytes, schema)?;
        let mut lines = Vec::new();
        while let Some(line) = reader.next_line()? {
            lines.push(line);
        }
        Ok(lines)
    }

    #[test]
    fn what_the_writer_writes_the_reader_reads() {
        let bytes = export_of(&[("users", vec![vec![Value::from(1), Value::from("x")]])]);
        let lines = read_all(&bytes, 6).unwrap();
        assert_eq!(lines.len(), TABLES.len() + 2);
        assert_eq!(lines[1], Line::Row(vec![Value::from(1), Value::from("x")]));
        assert_eq!(
            lines.last(),
            Some(&Line::End(Summary {
                tables: TABLES.len(),
                rows: 1
            }))
        );
    }

    #[test]
    fn a_truncated_export_is_refused() {
        let bytes = export_of(&[("users", vec![vec![Value::from(1), Value::from("x")]])]);
        let text = String::from_utf8(bytes).unwrap();
        let cut: String = text.lines().take(5).map(|l| format!("{l}\n")).collect();
        let error = read_all(cut.as_bytes(), 6).unwrap_err().to_string();
        assert!(error.contains("truncated"), "{error}");
    }

    #[test]
    fn a_row_of_the_wrong_width_is_refused_with_its_line() {
        let text = String::from_utf8(export_of(&[])).unwrap();
        let broken = text.replacen(
            "{\"table\":\"users\",\"columns\":[\"a\",\"b\"]}\n",
            "{\"table\":\"users\",\"columns\":[\"a\",\"b\"]}\n[1]\n",
            1,
        );
        let error = read_all(broken.as_bytes(), 6).unwrap_err().to_string();
        assert!(error.starts_with("line 3:"), "{error}");
    }

    #[test]
    fn schema_versions_other_than_ours_are_refused_saying_which() {
        let bytes = export_of(&[]);
        let newer = read_all(&bytes, 5).unwrap_err().to_string();
        assert!(
            newer.contains("newer") && newer.contains("up to 5"),
            "{newer}"
        );
        let older = read_all(&bytes, 7).unwrap_err().to_string();
        assert!(
            older.contains("schema version 6") && older.contains("7"),
            "{older}"
        );
    }

    #[test]
    fn tables_out_of_order_are_refused() {
        let text = String::from_utf8(export_of(&[])).unwrap();
        let swapped = text.replacen("\"table\":\"users\"", "\"table\":\"projects\"", 1);
        let error = read_all(swapped.as_bytes(), 6).unwrap_err().to_string();
        assert!(error.contains("where users was expected"), "{error}");
    }

    #[test]
    fn something_else_is_not_taken_for_an_export() {
        let error = read_all(b"hello\n", 6).unwrap_err().to_string();
        assert!(error.contains("not a Flagstaff export"), "{error}");
        assert!(crate::store::backup::is_sqlite_file(
            b"SQLite format 3\0rest"
        ));
        assert!(!crate::store::backup::is_sqlite_file(
            b"{\"flagstaff_export\":1}"
        ));
    }
}
