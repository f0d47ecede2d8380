//! The `flagstaff` command and its subcommands.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{ArgGroup, Args, CommandFactory, Parser, Subcommand};

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
    Export(ExportArgs),
    /// Load an export into an empty database, in one transaction: all of it or nothing.
    Import(ImportArgs),
    /// Back up the database while the server runs: on SQLite a consistent copy of the file, on
    /// PostgreSQL an export.
    Backup(BackupArgs),
    /// Restore a backup (a SQLite copy or an export) into an empty database; stop the server first.
    Restore(RestoreArgs),
    /// Replace this binary with a newer signed release: from the update manifest
    /// (update_manifest_url), or from an archive on disk (--from-file) on air-gapped sites.
    SelfUpdate(SelfUpdateArgs),
    /// Create a superuser (asks for the password twice, or reads it with --password-stdin).
    Createsuperuser(CreateSuperuserArgs),
    /// Evaluate flags offline from files (no server, no database) and print the result as JSON.
    Eval(EvalArgs),
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
struct ExportArgs {
    /// Write to this file (created readable by its owner only) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, Args)]
struct ImportArgs {
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
struct BackupArgs {
    /// The file to write; it must not exist yet.
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, Args)]
struct RestoreArgs {
    /// The backup to restore (made by `flagstaff backup` or `flagstaff export`).
    #[arg(long, short, value_name = "FILE")]
    input: PathBuf,
    /// Replace everything the database holds (otherwise a database with data is refused).
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    database: DatabaseArgs,
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
#[command(group(ArgGroup::new("input").required(true).args(["context", "batch", "document"])))]
struct EvalArgs {
    /// An evaluation context (a test-vector file, or a bare context): prints the engine's
    /// result, `{"flags": {...}, "segments": [...]}`.
    #[arg(long, value_name = "FILE")]
    context: Option<PathBuf>,
    /// Every .json and .jsonc context file in a folder: prints their results keyed by file name.
    #[arg(long, value_name = "DIR")]
    batch: Option<PathBuf>,
    /// An environment document (as GET /api/v1/environment-document/ serves it): prints the
    /// environment's flags as GET /api/v1/flags/ would, or with --identifier the identity's
    /// traits and flags as GET /api/v1/identities/ would.
    #[arg(long, value_name = "FILE")]
    document: Option<PathBuf>,
    /// The identity to evaluate the document for; identity overrides in the document apply.
    #[arg(long, requires = "document")]
    identifier: Option<String>,
    /// The identity's hashing key (an imported identity's id, say). Default: the composite key
    /// `<environment key>_<identifier>`.
    #[arg(long, value_name = "KEY", requires = "identifier")]
    identity_key: Option<String>,
    /// Traits as a JSON object, e.g. '{"plan": "pro", "age": 42}'; laid over the traits the
    /// document stores for the identity.
    #[arg(long, value_name = "JSON", requires = "identifier")]
    traits: Option<String>,
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
            match page.render(&mut std::io::stdout().lock()) {
                Ok(()) => ExitCode::SUCCESS,
                // The reader has all it wanted (`| head`, say).
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("flagstaff: writing the manual page failed: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "flagstaff", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Openapi => {
            print!("{}", crate::api::openapi_json());
            ExitCode::SUCCESS
        }
        Command::CheckConfig(args) => check_config(config_flag, args.flags()),
        Command::Eval(args) => {
            use std::io::Write;
            let printed = eval(args).and_then(|output| {
                match writeln!(std::io::stdout().lock(), "{output}") {
                    // The reader has all it wanted (`| head`, say).
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                    written => written.map_err(|e| format!("cannot write the result: {e}")),
                }
            });
            match printed {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
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
        Command::Export(args) => with_config(config_flag, args.database.flags(), |config| {
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
        }),
        Command::Import(args) => with_config(config_flag, args.database.flags(), |config| {
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
        }),
        Command::Backup(args) => with_config(config_flag, args.database.flags(), |config| {
            let outcome = runtime()?.block_on(crate::store::backup::backup(
                &config.database,
                &crate::app::connect_options(&config),
                Arc::new(SystemClock),
                &args.output,
            ))?;
            println!("backed up {} to {}", outcome, args.output.display());
            Ok(())
        }),
        Command::Restore(args) => with_config(config_flag, args.database.flags(), |config| {
            let outcome = runtime()?.block_on(crate::store::backup::restore(
                &config.database,
                &crate::app::connect_options(&config),
                Arc::new(SystemClock),
                &args.input,
                args.force,
            ))?;
            println!("restored {} into {}", outcome, config.database.redacted());
            Ok(())
        }),
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

/// The JSON `flagstaff eval` prints, or the one-line reason it cannot.
fn eval(args: EvalArgs) -> Result<String, String> {
    use crate::eval::{DocumentQuery, evaluate_batch, evaluate_context, evaluate_document};
    // Serialised from the typed results, which keep the context's feature order.
    let output = if let Some(file) = &args.context {
        serde_json::to_string_pretty(&evaluate_context(file).map_err(|e| e.to_string())?)
    } else if let Some(dir) = &args.batch {
        serde_json::to_string_pretty(&evaluate_batch(dir).map_err(|e| e.to_string())?)
    } else if let Some(file) = &args.document {
        let traits = match &args.traits {
            Some(text) => parse_traits(text)?,
            None => Default::default(),
        };
        let query = DocumentQuery {
            identifier: args.identifier,
            identity_key: args.identity_key,
            traits,
        };
        serde_json::to_string_pretty(&evaluate_document(file, &query).map_err(|e| e.to_string())?)
    } else {
        return Err("give --context, --batch or --document".into());
    };
    output.map_err(|e| e.to_string())
}

fn parse_traits(text: &str) -> Result<indexmap::IndexMap<String, serde_json::Value>, String> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| format!("--traits is not a JSON object of trait values: {e}"))
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
