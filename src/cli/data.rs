//! `flagstaff export`, `import`, `backup` and `restore`: the instance's data in and out.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use super::{DatabaseArgs, runtime, with_config};
use crate::clock::SystemClock;

#[derive(Debug, Args)]
pub(super) struct ExportArgs {
    /// Write to this file (created readable by its owner only) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub(super) struct ImportArgs {
    /// Read this file instead of standard input.
    #[arg(long, short, value_name = "FILE")]
    input: Option<PathBuf>,
    /// Replace everything the database holds (otherwise a database with data is refused).
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub(super) struct BackupArgs {
    /// The file to write; it must not exist yet.
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub(super) struct RestoreArgs {
    /// The backup to restore (made by `flagstaff backup` or `flagstaff export`).
    #[arg(long, short, value_name = "FILE")]
    input: PathBuf,
    /// Replace everything the database holds (otherwise a database with data is refused).
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

/// Writes the whole instance as JSON lines.
pub(super) fn export(config_flag: Option<PathBuf>, args: ExportArgs) -> ExitCode {
    with_config(config_flag, args.database.flags(), |config| {
        let out: Box<dyn std::io::Write + Send> = match &args.output {
            Some(path) => Box::new(std::io::BufWriter::new(
                crate::store::backup::create_private(path)?,
            )),
            None => Box::new(std::io::BufWriter::new(std::io::stdout())),
        };
        let summary = runtime()?.block_on(crate::store::export::export(
            &config.database,
            &crate::app::connect_options(&config),
            Arc::new(SystemClock),
            out,
        ));
        if summary.is_err()
            && let Some(path) = &args.output
        {
            let _ = std::fs::remove_file(path);
        }
        let summary = summary?;
        // Standard output may carry the export itself.
        eprintln!(
            "exported {} rows of {} tables",
            summary.rows, summary.tables
        );
        Ok(())
    })
}

/// Reads an export into the database.
pub(super) fn import(config_flag: Option<PathBuf>, args: ImportArgs) -> ExitCode {
    with_config(config_flag, args.database.flags(), |config| {
        let input: Box<dyn std::io::BufRead + Send> = match &args.input {
            Some(path) => Box::new(std::io::BufReader::new(
                std::fs::File::open(path)
                    .with_context(|| format!("cannot open {}", path.display()))?,
            )),
            None => Box::new(std::io::BufReader::new(std::io::stdin())),
        };
        let summary = runtime()?.block_on(crate::store::export::import(
            &config.database,
            &crate::app::connect_options(&config),
            Arc::new(SystemClock),
            input,
            args.force,
        ))?;
        println!(
            "imported {} rows of {} tables into {}",
            summary.rows,
            summary.tables,
            config.database.redacted()
        );
        Ok(())
    })
}

/// Copies the database (SQLite) or exports it (PostgreSQL).
pub(super) fn backup(config_flag: Option<PathBuf>, args: BackupArgs) -> ExitCode {
    with_config(config_flag, args.database.flags(), |config| {
        let outcome = runtime()?.block_on(crate::store::backup::backup(
            &config.database,
            &crate::app::connect_options(&config),
            Arc::new(SystemClock),
            &args.output,
        ))?;
        println!("backed up {} to {}", outcome, args.output.display());
        Ok(())
    })
}

/// Restores a backup or an export.
pub(super) fn restore(config_flag: Option<PathBuf>, args: RestoreArgs) -> ExitCode {
    with_config(config_flag, args.database.flags(), |config| {
        let outcome = runtime()?.block_on(crate::store::backup::restore(
            &config.database,
            &crate::app::connect_options(&config),
            Arc::new(SystemClock),
            &args.input,
            args.force,
        ))?;
        println!("restored {} into {}", outcome, config.database.redacted());
        Ok(())
    })
}
