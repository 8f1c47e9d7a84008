//! The command line of CONTRACT.md. Paths default to `./data/...`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "vindwerk",
    version,
    about = "Vacancy search engine of the Netherlands"
)]
pub struct Cli {
    /// Log format: human-readable text, or one JSON object per line for cron and log shippers.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// More detail in the log (-v debug, -vv trace); `RUST_LOG` overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the built-in fixture web on loopback, crawl it, index it and serve search.
    Demo(DemoArgs),
    /// One crawl round over every source into the store.
    Crawl(CrawlArgs),
    /// Normalise, deduplicate and bring the search index up to date with the store.
    Index(IndexArgs),
    /// Crawl, then index: the one line for cron.
    Ingest(IngestArgs),
    /// Serve the HTTP search API and the web pages.
    Serve(ServeArgs),
    /// Write the deduplicated vacancies to standard output.
    Export(ExportArgs),
    /// Validate a sources file and print every problem with its place.
    CheckConfig(CheckConfigArgs),
    /// Manage portal accounts (e.g. the first operator).
    #[command(subcommand)]
    User(UserCommand),
    /// Manage the organisations whose internal labour market (sources with
    /// `audience = "org:<slug>"`) their members see.
    #[command(subcommand)]
    Organisation(OrganisationCommand),
    /// Print the messages for people waiting in the outbox (password reset links), and mark
    /// them delivered: their text is then gone from the store. With --send, mail them instead.
    Outbox(OutboxArgs),
}

#[derive(Debug, Args)]
pub struct OutboxArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Only show the messages; leave them waiting.
    #[arg(long)]
    pub peek: bool,
    /// One JSON object per message instead of text.
    #[arg(long)]
    pub json: bool,
    /// Send the waiting messages that are due by the SMTP relay of --portal-config's [mail]
    /// instead of printing them (`vindwerk serve --portal-config` does this by itself).
    #[arg(long, requires = "portal_config", conflicts_with_all = ["peek", "json"])]
    pub send: bool,
    #[command(flatten)]
    pub portal: PortalConfigArg,
}

#[derive(Debug, Args)]
pub struct PortalConfigArg {
    /// The portal's settings (`portal.toml`): the site's public address and mail by SMTP.
    #[arg(long = "portal-config", value_name = "FILE")]
    pub portal_config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account; its password is read from the first line of standard input.
    Add(UserAddArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The account's email address (how its holder signs in).
    #[arg(long)]
    pub email: String,
    /// The name shown in the portal (default: the email address).
    #[arg(long)]
    pub name: Option<String>,
    /// A role of the account; repeat for several.
    #[arg(long = "role", value_enum, required = true)]
    pub roles: Vec<RoleArg>,
}

#[derive(Debug, Subcommand)]
pub enum OrganisationCommand {
    /// Add an organisation (or rename it) and make an account its administrator, who then
    /// adds its members on the organisation's page.
    Add(OrganisationAddArgs),
    /// Print every organisation with its members.
    List(OrganisationListArgs),
}

#[derive(Debug, Args)]
pub struct OrganisationAddArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// As in `audience = "org:<slug>"`: lower-case letters, digits and dashes.
    pub slug: String,
    /// The name members see, e.g. "Gemeente Utrecht".
    #[arg(long)]
    pub name: String,
    /// The email address of an existing account that administers the organisation; repeat
    /// for several.
    #[arg(long = "admin", value_name = "EMAIL")]
    pub admins: Vec<String>,
}

#[derive(Debug, Args)]
pub struct OrganisationListArgs {
    #[command(flatten)]
    pub db: DbArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Seeker,
    Circle,
    Coach,
    Operator,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to serve search on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Seed of the generated fixture world.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Number of vacancies in the fixture world.
    #[arg(long, default_value_t = 600)]
    pub vacancies: usize,
    /// Directory for the demo's store and index (a temporary directory when omitted).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub portal: PortalConfigArg,
}

#[derive(Debug, Args)]
pub struct SourcesArg {
    /// The sources file.
    #[arg(long, default_value = "sources.toml")]
    pub sources: PathBuf,
}

#[derive(Debug, Args)]
pub struct DbArg {
    /// The SQLite store.
    #[arg(long, default_value = "data/vindwerk.db")]
    pub db: PathBuf,
}

#[derive(Debug, Args)]
pub struct IndexDirArg {
    /// The search index directory.
    #[arg(long, default_value = "data/index")]
    pub index: PathBuf,
}

#[derive(Debug, Args)]
pub struct CrawlArgs {
    #[command(flatten)]
    pub sources: SourcesArg,
    #[command(flatten)]
    pub db: DbArg,
    /// Exit 1 when any source failed.
    #[arg(long)]
    pub strict: bool,
    /// Print the run summary as one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The round's clock (RFC 3339): postings are seen at this time and closing dates are
    /// compared with it. For replays and tests; the current time when omitted.
    #[arg(long, value_name = "TIME")]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub index: IndexDirArg,
    /// Rebuild the whole index instead of updating what changed.
    #[arg(long)]
    pub full: bool,
    #[command(flatten)]
    pub settle: SettleArg,
    /// The run's clock (RFC 3339), from which vacancies settle. For replays and tests; the
    /// current time when omitted.
    #[arg(long, value_name = "TIME")]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Args)]
pub struct SettleArg {
    /// Days after its last posting expired that a vacancy is settled: kept, searchable and
    /// exported as it is, but no longer read and deduplicated again by each index run.
    #[arg(long, value_name = "DAYS", default_value_t = crate::commands::SETTLE_AFTER_DAYS,
          value_parser = clap::value_parser!(i64).range(0..=36_500))]
    pub settle_after_days: i64,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub crawl: CrawlArgs,
    #[command(flatten)]
    pub index: IndexDirArg,
    #[command(flatten)]
    pub settle: SettleArg,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub index: IndexDirArg,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Mark the portal's cookies Secure: set this when users reach the server over TLS (a
    /// reverse proxy in front).
    #[arg(long)]
    pub secure_cookies: bool,
    #[command(flatten)]
    pub portal: PortalConfigArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Jsonl,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    Active,
    Expired,
    All,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
    #[arg(long, value_enum, default_value_t = StatusFilter::All)]
    pub status: StatusFilter,
}

#[derive(Debug, Args)]
pub struct CheckConfigArgs {
    #[command(flatten)]
    pub sources: SourcesArg,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn paths_default_to_the_data_directory() {
        let cli = Cli::parse_from(["vindwerk", "export"]);
        let Command::Export(args) = cli.command else {
            panic!("export parsed as another command")
        };
        assert_eq!(args.db.db, PathBuf::from("data/vindwerk.db"));
        assert_eq!(args.format, ExportFormat::Jsonl);
        assert_eq!(args.status, StatusFilter::All);
    }
}
