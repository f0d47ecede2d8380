//! The `flagstaff` command and its subcommands.

mod data;
mod eval;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::clock::SystemClock;
use crate::config::{Config, Loaded, Sources};

#[derive(Debug, Parser)]
#[command(
    name = "flagstaff",
    version,
    about = "A self-hosted feature-flag server that speaks the Flagsmith API",
    arg_required_else_help = true
)]
pub struct Cli {
    /// Configuration file (TOML). Default: $FLAGSTAFF_CONFIG, else /etc/flagstaff/flagstaff.toml when it exists.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate the database, then serve the API until SIGTERM or SIGINT.
    Serve(ServeArgs),
    /// Bring the database schema up to date, then exit.
    Migrate(DatabaseArgs),
    /// Print the effective configuration (secrets redacted) and report every problem in it.
    CheckConfig(ServeArgs),
    /// Write the whole instance (users, organisations, flags, identities, audit log, …) as JSON
    /// lines, to standard output or a file. Move to PostgreSQL with
    /// `flagstaff export | DATABASE_URL=postgres://… flagstaff import`.
    Export(data::ExportArgs),
    /// Load an export into an empty database, in one transaction: all of it or nothing.
    Import(data::ImportArgs),
    /// Back up the database while the server runs: on SQLite a consistent copy of the file, on
    /// PostgreSQL an export.
    Backup(data::BackupArgs),
    /// Restore a backup (a SQLite copy or an export) into an empty database; stop the server first.
    Restore(data::RestoreArgs),
    /// Replace this binary with a newer signed release: from the update manifest
    /// (update_manifest_url), or from an archive on disk (--from-file) on air-gapped sites.
    SelfUpdate(SelfUpdateArgs),
    /// Create a superuser (asks for the password twice, or reads it with --password-stdin).
    Createsuperuser(CreateSuperuserArgs),
    /// Evaluate flags offline from files (no server, no database) and print the result as JSON.
    Eval(eval::EvalArgs),
    /// Print the OpenAPI document of the API.
    Openapi,
    /// Print the version, git commit and build date of this binary and the schema it expects.
    Version,
    /// Print the manual page (roff), e.g. `flagstaff man | man -l -`.
    Man,
    /// Print a completion script for a shell (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
struct SelfUpdateArgs {
    /// Install this release archive (flagstaff-VERSION-TARGET.tar.gz, signed, under its
    /// original name) instead of asking the manifest.
    #[arg(long, value_name = "ARCHIVE")]
    from_file: Option<PathBuf>,
    /// Only report what would be installed; replace nothing.
    #[arg(long)]
    check: bool,
}

#[derive(Debug, Args)]
struct CreateSuperuserArgs {
    /// The superuser's email address (their login).
    #[arg(long)]
    email: String,
    /// Read the password from the first line of standard input instead of asking.
    #[arg(long)]
    password_stdin: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address and port to listen on, e.g. 127.0.0.1:8000.
    #[arg(long, value_name = "ADDR:PORT")]
    bind: Option<String>,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, Args)]
struct DatabaseArgs {
    /// Database URL (postgres://…, sqlite://PATH); overrides DATABASE_URL.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
}

impl ServeArgs {
    fn flags(&self) -> BTreeMap<String, String> {
        let mut flags = self.database.flags();
        if let Some(bind) = &self.bind {
            flags.insert("bind".into(), bind.clone());
        }
        flags
    }
}

impl DatabaseArgs {
    fn flags(&self) -> BTreeMap<String, String> {
        let mut flags = BTreeMap::new();
        if let Some(url) = &self.database_url {
            flags.insert("database_url".into(), url.clone());
        }
        flags
    }
}

/// Runs the command line and maps the outcome to an exit code: 0 success, 1 failure, 2 bad
/// configuration or usage.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config_flag = cli.config;
    match cli.command {
        Command::Version => {
            println!(
                "flagstaff {}\ncommit: {}\nbuilt: {}\nschema version: {}\nupdates signed by: {}",
                env!("CARGO_PKG_VERSION"),
                env!("FLAGSTAFF_GIT_COMMIT"),
                env!("FLAGSTAFF_BUILD_DATE"),
                crate::store::latest_schema_version(),
                crate::update::UPDATE_KEY_NAME
            );
            ExitCode::SUCCESS
        }
        Command::Man => {
            let page = clap_mangen::Man::new(Cli::command());
            printed(
                "the manual page",
                page.render(&mut std::io::stdout().lock()),
            )
        }
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "flagstaff", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Openapi => {
            let document = crate::api::openapi_json();
            printed(
                "the OpenAPI document",
                std::io::stdout().lock().write_all(document.as_bytes()),
            )
        }
        Command::CheckConfig(args) => check_config(config_flag, args.flags()),
        Command::Eval(args) => eval::run(args),
        Command::Createsuperuser(args) => {
            let password = match read_password(args.password_stdin) {
                Ok(password) => password,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            with_config(config_flag, args.database.flags(), |config| {
                let user = runtime()?.block_on(crate::app::create_superuser(
                    config,
                    Arc::new(SystemClock),
                    &args.email,
                    &password,
                ))?;
                println!("created superuser {} (id {})", user.email, user.id);
                Ok(())
            })
        }
        Command::Export(args) => data::export(config_flag, args),
        Command::Import(args) => data::import(config_flag, args),
        Command::Backup(args) => data::backup(config_flag, args),
        Command::Restore(args) => data::restore(config_flag, args),
        Command::SelfUpdate(args) => with_config(config_flag, BTreeMap::new(), |config| {
            let request = crate::update::Request {
                from_file: args.from_file,
                check: args.check,
                manifest_url: config.update_manifest_url,
            };
            println!("{}", crate::update::run(&request)?);
            Ok(())
        }),
        Command::Serve(args) => with_config(config_flag, args.flags(), |config| {
            runtime()?.block_on(crate::app::serve(config, Arc::new(SystemClock)))
        }),
        Command::Migrate(args) => with_config(config_flag, args.flags(), |config| {
            let report = runtime()?.block_on(crate::app::migrate(config, Arc::new(SystemClock)))?;
            if report.applied.is_empty() {
                println!("the schema is up to date (version {})", report.version);
            } else {
                println!(
                    "applied {} (schema version {})",
                    report.applied.join(", "),
                    report.version
                );
            }
            Ok(())
        }),
    }
}

fn load(config_flag: Option<PathBuf>, flags: BTreeMap<String, String>) -> Result<Loaded, ExitCode> {
    Config::load(&Sources::from_process(config_flag, flags)).map_err(|problems| {
        match problems.as_slice() {
            [one] => eprintln!("error: {one}"),
            many => {
                eprintln!("error: the configuration has {} problems:", many.len());
                for problem in many {
                    eprintln!("  - {problem}");
                }
            }
        }
        ExitCode::from(2)
    })
}

fn check_config(config_flag: Option<PathBuf>, flags: BTreeMap<String, String>) -> ExitCode {
    match load(config_flag, flags) {
        Ok(loaded) => {
            print!("{}", loaded.report());
            println!("# no problems found");
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// Loads the configuration, starts logging and runs `body`; an error becomes one line on stderr.
fn with_config(
    config_flag: Option<PathBuf>,
    flags: BTreeMap<String, String>,
    body: impl FnOnce(Config) -> anyhow::Result<()>,
) -> ExitCode {
    let loaded = match load(config_flag, flags) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let config = loaded.config;
    crate::logging::init(
        &config.log_level,
        config.log_format,
        config.log_database_queries,
    );
    match body(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The password from stdin, or asked twice on the terminal without echo.
fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_string());
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("no terminal to ask for the password on; pass it with --password-stdin");
    }
    let first = rpassword::prompt_password("Password: ")?;
    let second = rpassword::prompt_password("Password (again): ")?;
    if first != second {
        anyhow::bail!("the two passwords differ");
    }
    Ok(first)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// How a command that prints ends: quietly when the reader has all it wanted (`| head`, say).
fn printed(what: &str, written: std::io::Result<()>) -> ExitCode {
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flagstaff: writing {what} failed: {e}");
            ExitCode::FAILURE
        }
    }
}
