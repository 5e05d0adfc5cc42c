//! Settings: defaults, then an optional TOML file, then `CIVIQUE_*` environment variables.

use std::fmt;
use std::path::{Path, PathBuf};

use civique_api::SiteInput;
use serde::Deserialize;

use crate::domain::site::check_site;

#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Socket address to bind; port 0 picks a free port.
    pub listen: String,
    /// `sqlite://PATH` (the file is created if missing) or `postgres://USER@HOST/DB`.
    pub database_url: String,
    /// Bearer token of the admin API, for every site; when unset, only sites' API tokens
    /// (made in the console) open it.
    pub admin_token: Option<String>,
    /// Bearer token of `/metrics`; open to anyone who reaches it when unset.
    pub metrics_token: Option<String>,
    /// `text` (the default, for people) or `json` (one object a line, for log collectors).
    pub log_format: LogFormat,
    /// `full` (the default): an acknowledged write survives a power cut. `normal`: it
    /// survives a crash of the endpoint, not of the machine, and writes are faster.
    pub durability: Durability,
    /// Widget files to serve instead of those built into the binary (`cargo xtask build`'s
    /// `pkg/`, while working on the widgets).
    pub assets_dir: Option<PathBuf>,
    /// Sites created or updated at start.
    pub sites: Vec<SiteInput>,
    /// `[comments]`: edit window and posting rate limits.
    pub comments: CommentConfig,
    /// `[proposals]`: posting rate limits of proposal boxes.
    pub proposals: ProposalConfig,
    /// `[connections]`: timeouts and caps that keep one client from holding the endpoint.
    pub connections: ConnectionConfig,
    /// `[participation]`: how fast one network may bring new participants.
    pub participation: ParticipationConfig,
    /// `[email]`: the SMTP server that carries the one-time codes of verified addresses;
    /// without it, no widget can take part at the `email` level.
    pub email: Option<EmailConfig>,
    /// `[retention]`: how often the personal data of widgets past their site's retention
    /// period is looked for and erased.
    pub retention: RetentionConfig,
}

/// The scheduled erasure of personal data (each site sets its own period,
/// `retention_months`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Seconds between two runs (at least 1), the first a minute after start, or sooner
    /// when runs are closer.
    pub every_secs: u64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self { every_secs: 3_600 }
    }
}

/// Outgoing e-mail (one-time codes).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// `smtp://HOST:PORT` (plain, for a relay on the same machine), `smtp://HOST:587?tls=required`
    /// (STARTTLS) or `smtps://USER:PASSWORD@HOST:465` (TLS); `CIVIQUE_SMTP_URL` overrides it,
    /// which keeps the password out of the file.
    pub smtp_url: String,
    /// The sender, e.g. `Mairie de Saint-Exemple <participation@saint-exemple.fr>`.
    pub from: String,
}

impl fmt::Debug for EmailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailConfig")
            .field("smtp_url", &redact_password(&self.smtp_url))
            .field("from", &self.from)
            .finish()
    }
}

/// How fast new participants may arrive from one network.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ParticipationConfig {
    /// Participants a site has never seen (a token that never voted, supported, marked,
    /// reported or posted there) one network (an IPv4 /24 or an IPv6 /56) may bring a
    /// minute, with as many at once (0: unlimited). Ballot stuffing needs a fresh token per
    /// ballot, so this bounds it; a resident who already took part is never counted again.
    /// Before a council meeting whose audience votes on the hall's Wi-Fi, raise it to the
    /// audience's size.
    pub newcomers_per_network_per_minute: u32,
    /// How hard the proof of work is that a device new to a site solves before its first
    /// vote, support, mark, report or post: the puzzle's secret number is below this, so a
    /// device computes about half as many SHA-256 hashes (0: no proof, the widget's own
    /// tokens are taken as they are; at most 10,000,000). The endpoint also issues at most
    /// `newcomers_per_network_per_minute` device tokens a minute to one network.
    pub proof_of_work_max_number: u64,
}

/// The default difficulty of the proof of work: well under a second on a mid-range phone
/// (README, "Participation levels").
pub const DEFAULT_PROOF_OF_WORK_MAX_NUMBER: u64 = 8_000;

impl Default for ParticipationConfig {
    fn default() -> Self {
        Self {
            newcomers_per_network_per_minute: 4,
            proof_of_work_max_number: DEFAULT_PROOF_OF_WORK_MAX_NUMBER,
        }
    }
}

/// How long a client may take and how many connections it may hold.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionConfig {
    /// A request's headers must arrive within this many milliseconds of the connection
    /// being ready for them; an idle kept-alive connection is closed after as long.
    pub header_timeout_ms: u64,
    /// A request's body must arrive within this many milliseconds (else 408).
    pub body_timeout_ms: u64,
    /// Open connections at most (0: the open-file limit, less a reserve for the database
    /// and the log). Connections over the cap are closed at once.
    pub max_connections: usize,
    /// Open connections at most from one network (an IPv4 /24 or an IPv6 /56; 0:
    /// unlimited). A town hall's Wi-Fi puts hundreds of phones behind one address: keep it
    /// well above their number of streams.
    pub per_network: usize,
    /// Addresses of the reverse proxies in front of the endpoint: every connection of theirs
    /// carries many residents, so the per-network cap does not count them (the proxy sets
    /// its own). Loopback by default.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The header a trusted proxy names the client in (`x-forwarded-for`, `x-real-ip`):
    /// per-network limits then key on the client, not the proxy. Unset: the connection's
    /// address.
    #[serde(deserialize_with = "header_name")]
    pub client_ip_header: Option<axum::http::HeaderName>,
}

/// A header name, lower case.
fn header_name<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<axum::http::HeaderName>, D::Error> {
    let name: Option<String> = Option::deserialize(deserializer)?;
    name.map(|name| {
        axum::http::HeaderName::try_from(name.to_ascii_lowercase())
            .map_err(serde::de::Error::custom)
    })
    .transpose()
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        Self {
            header_timeout_ms: 10_000,
            body_timeout_ms: 10_000,
            max_connections: 0,
            per_network: 4_096,
            trusted_proxies: vec![
                std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::Ipv6Addr::LOCALHOST.into(),
            ],
            client_ip_header: None,
        }
    }
}

/// How the endpoint writes its log (to standard error).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// What an acknowledged write survives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// Flushed to disk before it is acknowledged (SQLite `synchronous = FULL`; PostgreSQL's
    /// `synchronous_commit` as the server sets it).
    #[default]
    Full,
    /// Handed to the operating system (SQLite `synchronous = NORMAL`; PostgreSQL
    /// `synchronous_commit = off`): a power cut may lose the last moments.
    Normal,
}

/// How long authors may change their comments and how fast comments may be posted.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommentConfig {
    /// Authors may edit or delete a comment for this many seconds after posting it.
    pub edit_window_secs: u64,
    /// Comments per minute one participant may post in one thread (0: unlimited).
    pub participant_per_minute: u32,
    /// Comments per minute a whole site may receive (0: unlimited).
    pub site_per_minute: u32,
}

impl Default for CommentConfig {
    fn default() -> Self {
        Self {
            edit_window_secs: 15 * 60,
            participant_per_minute: 5,
            site_per_minute: 120,
        }
    }
}

/// How fast proposals (and questions) may be submitted.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProposalConfig {
    /// Proposals per minute one participant may submit in one box (0: unlimited).
    pub participant_per_minute: u32,
    /// Proposals per minute a whole site may receive (0: unlimited).
    pub site_per_minute: u32,
}

impl Default for ProposalConfig {
    fn default() -> Self {
        Self {
            participant_per_minute: 3,
            site_per_minute: 30,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("invalid site in configuration: {0}")]
    Site(String),
    #[error("retention.every_secs must be at least 1")]
    Retention,
    #[error("log format must be text or json, got {0:?}")]
    LogFormat(String),
    #[error("durability must be full or normal, got {0:?}")]
    Durability(String),
    #[error(
        "{0} is too easy to guess: use at least {MIN_TOKEN_LEN} characters with at least \
         {MIN_TOKEN_DISTINCT} different ones (for example `openssl rand -hex 32`)"
    )]
    WeakToken(&'static str),
    #[error(
        "participation.proof_of_work_max_number must be at most {limit}, got {0}",
        limit = crate::domain::device::MAX_NUMBER_LIMIT
    )]
    ProofOfWork(u64),
    #[error("invalid [email] settings: {0}")]
    Email(String),
}

/// The shortest staff or metrics token the endpoint starts with.
pub const MIN_TOKEN_LEN: usize = 24;
/// The fewest different characters such a token holds ("aaaa…" is not a secret).
pub const MIN_TOKEN_DISTINCT: usize = 10;

/// Refuses a token that a guess or a short brute force could find.
fn check_token(name: &'static str, token: Option<&str>) -> Result<(), ConfigError> {
    let Some(token) = token else {
        return Ok(());
    };
    let distinct: std::collections::HashSet<char> = token.chars().collect();
    if token.chars().count() < MIN_TOKEN_LEN || distinct.len() < MIN_TOKEN_DISTINCT {
        return Err(ConfigError::WeakToken(name));
    }
    Ok(())
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8787".to_owned(),
            database_url: "sqlite://civique.db".to_owned(),
            admin_token: None,
            metrics_token: None,
            log_format: LogFormat::Text,
            durability: Durability::Full,
            assets_dir: None,
            sites: Vec::new(),
            comments: CommentConfig::default(),
            proposals: ProposalConfig::default(),
            connections: ConnectionConfig::default(),
            participation: ParticipationConfig::default(),
            email: None,
            retention: RetentionConfig::default(),
        }
    }
}

impl Config {
    /// Reads the TOML file at `path` (if any), then the process environment.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let text = path
            .map(|path| {
                std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })
            })
            .transpose()?;
        Self::from_sources(text.as_deref(), |name| std::env::var(name).ok())
    }

    /// Builds the config from TOML text and an environment lookup (empty values count as unset).
    pub fn from_sources(
        toml_text: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut config: Self = match toml_text {
            Some(text) => toml::from_str(text)?,
            None => Self::default(),
        };
        let var = |name: &str| env(name).filter(|value| !value.is_empty());
        if let Some(listen) = var("CIVIQUE_LISTEN") {
            config.listen = listen;
        }
        if let Some(url) = var("CIVIQUE_DATABASE_URL").or_else(|| var("DATABASE_URL")) {
            config.database_url = url;
        }
        if let Some(token) = var("CIVIQUE_ADMIN_TOKEN") {
            config.admin_token = Some(token);
        }
        if let Some(token) = var("CIVIQUE_METRICS_TOKEN") {
            config.metrics_token = Some(token);
        }
        if let Some(durability) = var("CIVIQUE_DURABILITY") {
            config.durability = match durability.as_str() {
                "full" => Durability::Full,
                "normal" => Durability::Normal,
                other => return Err(ConfigError::Durability(other.to_owned())),
            };
        }
        if let Some(format) = var("CIVIQUE_LOG_FORMAT") {
            config.log_format = match format.as_str() {
                "json" => LogFormat::Json,
                "text" => LogFormat::Text,
                other => return Err(ConfigError::LogFormat(other.to_owned())),
            };
        }
        if let Some(dir) = var("CIVIQUE_ASSETS_DIR") {
            config.assets_dir = Some(PathBuf::from(dir));
        }
        if let Some(url) = var("CIVIQUE_SMTP_URL") {
            match &mut config.email {
                Some(email) => email.smtp_url = url,
                None => {
                    return Err(ConfigError::Email(
                        "CIVIQUE_SMTP_URL is set but [email] (its `from`) is not".to_owned(),
                    ))
                }
            }
        }
        if let Some(email) = &config.email {
            crate::mail::Mailer::new(email).map_err(ConfigError::Email)?;
        }
        check_token("admin_token", config.admin_token.as_deref())?;
        check_token("metrics_token", config.metrics_token.as_deref())?;
        for site in &config.sites {
            check_site(site).map_err(ConfigError::Site)?;
        }
        let work = config.participation.proof_of_work_max_number;
        if work > crate::domain::device::MAX_NUMBER_LIMIT {
            return Err(ConfigError::ProofOfWork(work));
        }
        if config.retention.every_secs == 0 {
            return Err(ConfigError::Retention);
        }
        Ok(config)
    }
}

impl Config {
    /// What failed when the database cannot be opened, for error messages.
    pub fn opening(&self) -> String {
        format!(
            "opening {} (is the database running, reachable and writable?)",
            self.database_for_display()
        )
    }

    /// The database URL with any password hidden, for messages and logs.
    pub fn database_for_display(&self) -> String {
        redact_password(&self.database_url)
    }
}

/// `scheme://user:secret@host/…` → `scheme://user:[redacted]@host/…`.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].find(':') {
            Some(colon) => format!("{scheme}://{}:[redacted]{}", &rest[..colon], &rest[at..]),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &self.database_for_display())
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "[redacted]"),
            )
            .field("log_format", &self.log_format)
            .field("durability", &self.durability)
            .field("assets_dir", &self.assets_dir)
            .field("sites", &self.sites)
            .field("comments", &self.comments)
            .field("proposals", &self.proposals)
            .field("connections", &self.connections)
            .field("participation", &self.participation)
            .field("email", &self.email)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_admin_token() {
        let config = Config {
            admin_token: Some("s3cret-admin".into()),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret-admin"));
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn database_passwords_are_hidden() {
        assert_eq!(
            redact_password("postgres://civique:s3cret@db.example:5432/civique"),
            "postgres://civique:[redacted]@db.example:5432/civique"
        );
        assert_eq!(
            redact_password("postgres://postgres@127.0.0.1/civique"),
            "postgres://postgres@127.0.0.1/civique"
        );
        assert_eq!(
            redact_password("sqlite://civique.db"),
            "sqlite://civique.db"
        );
    }
}
