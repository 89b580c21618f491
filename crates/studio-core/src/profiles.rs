//! Connection profiles: the PostgreSQL servers a person signs in to, kept
//! in the person's configuration directory. A profile says where (host,
//! port, database, TLS) and as whom; never a password, which is asked at
//! each sign-in (and held only in memory while the app runs).
//!
//! The file is `profiles.json` in `$ECO_STUDIO_CONFIG_DIR`, else
//! `${XDG_CONFIG_HOME:-~/.config}/eco-studio`. It is rewritten whole
//! through a temporary file and a rename, so a crash leaves the old file
//! or the new one, never half of one.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, CoreResult, Rule};

/// The environment variable naming the configuration directory.
pub const CONFIG_DIR_ENV: &str = "ECO_STUDIO_CONFIG_DIR";

const FILE_NAME: &str = "profiles.json";
/// Present once the first-run choice was made.
const WELCOME_FILE: &str = "welcome-done";

/// How the connection to the server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    /// TLS when the server offers it, else plain text.
    Prefer,
    /// TLS always; the server's certificate is not checked.
    Require,
    /// TLS always, with the certificate checked against the host name (the
    /// default).
    #[default]
    VerifyFull,
    /// No TLS (a server on this machine or a private network).
    Disable,
}

impl TlsMode {
    fn as_param(self) -> &'static str {
        match self {
            TlsMode::Prefer => "prefer",
            TlsMode::Require => "require",
            TlsMode::VerifyFull => "verify-full",
            TlsMode::Disable => "disable",
        }
    }
}

/// One server to sign in to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionProfile {
    /// What the person calls it ("Production", "Field office").
    pub name: String,
    pub host: String,
    pub port: u16,
    pub database: String,
    /// The person's PostgreSQL role.
    pub user: String,
    #[serde(default)]
    pub tls: TlsMode,
    /// The person allowed plain text to a host that is not this computer
    /// (`disable` or `prefer` there); refused without it.
    #[serde(default)]
    pub allow_plaintext: bool,
    /// The address is a pooler in transaction mode (PgBouncer `pool_mode =
    /// transaction`): each transaction may run on another server
    /// connection (see `db::pooling`).
    #[serde(default)]
    pub transaction_pooler: bool,
    /// A read replica (a hot standby of the server) for browsing, search,
    /// views and dashboards: `host` or `host:port` (this profile's port
    /// when none is given); signed in to with the same role and password.
    #[serde(default)]
    pub replica: Option<String>,
}

/// Whether `host` is this computer (plain text never leaves it).
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.starts_with('/')
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl TlsMode {
    /// The mode a new profile for `host` starts with: verified TLS unless
    /// the host is this computer.
    pub fn default_for(host: &str) -> TlsMode {
        if is_loopback(host) {
            TlsMode::Prefer
        } else {
            TlsMode::VerifyFull
        }
    }

    /// Whether the connection may travel in plain text.
    pub fn may_be_plaintext(self) -> bool {
        matches!(self, TlsMode::Prefer | TlsMode::Disable)
    }
}

impl ConnectionProfile {
    /// Checks every field; the first bad one is the error.
    pub fn validate(&self) -> CoreResult<()> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(CoreError::invalid(
                Some("name"),
                Rule::Required,
                "a profile needs a name of 1 to 64 characters",
            ));
        }
        if self.host.trim().is_empty()
            || self
                .host
                .chars()
                .any(|c| c.is_whitespace() || "/?#@".contains(c))
        {
            return Err(CoreError::invalid(
                Some("host"),
                Rule::Format,
                "the host is a server name or address, without spaces or a path",
            ));
        }
        if self.port == 0 {
            return Err(CoreError::invalid(
                Some("port"),
                Rule::Range,
                "the port is a number from 1 to 65535",
            ));
        }
        if self.database.trim().is_empty() || self.database.chars().any(char::is_whitespace) {
            return Err(CoreError::invalid(
                Some("database"),
                Rule::Required,
                "the database is a name without spaces",
            ));
        }
        if self.user.trim().is_empty() || self.user.chars().any(char::is_whitespace) {
            return Err(CoreError::invalid(
                Some("user"),
                Rule::Required,
                "the user is the PostgreSQL role you sign in as",
            ));
        }
        if let Some(replica) = self.replica.as_deref().filter(|r| !r.trim().is_empty()) {
            let (host, port) = replica.rsplit_once(':').unwrap_or((replica, ""));
            if host.trim().is_empty()
                || host
                    .chars()
                    .any(|c| c.is_whitespace() || "/?#@".contains(c))
                || (!port.is_empty() && port.parse::<u16>().map_or(true, |p| p == 0))
            {
                return Err(CoreError::invalid(
                    Some("replica"),
                    Rule::Format,
                    "the replica is a server name or address, with an optional :port",
                ));
            }
        }
        if self.tls.may_be_plaintext() && !is_loopback(&self.host) && !self.allow_plaintext {
            return Err(CoreError::invalid(
                Some("tls"),
                Rule::Check,
                "a server on another computer needs TLS (verify-full or require): passwords and \
                 data would cross the network in plain text. Allow plain text explicitly only on \
                 a network you trust.",
            ));
        }
        Ok(())
    }

    /// The URL to connect with, without a password.
    pub fn url(&self) -> CoreResult<String> {
        self.validate()?;
        let mut url = url::Url::parse("postgres://localhost/").expect("a constant URL");
        url.set_host(Some(&self.host)).map_err(|e| {
            CoreError::invalid(Some("host"), Rule::Format, format!("not a host: {e}"))
        })?;
        url.set_port(Some(self.port)).expect("a URL with a host");
        url.set_username(&self.user).expect("a URL with a host");
        url.set_path(&self.database);
        url.query_pairs_mut()
            .append_pair("sslmode", self.tls.as_param());
        if self.transaction_pooler {
            url.query_pairs_mut()
                .append_pair(crate::db::pooling::URL_PARAMETER, "transaction");
        }
        if let Some(replica) = self
            .replica
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            url.query_pairs_mut()
                .append_pair(crate::db::replica::URL_PARAMETER, replica);
        }
        Ok(url.to_string())
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfilesFile {
    #[serde(default)]
    profiles: Vec<ConnectionProfile>,
}

/// The profiles in one configuration directory.
#[derive(Debug, Clone)]
pub struct Profiles {
    dir: PathBuf,
}

impl Profiles {
    /// The person's configuration directory (see the module's doc).
    pub fn default_location() -> Self {
        if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|v| !v.is_empty()) {
            return Profiles::at(PathBuf::from(dir));
        }
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
            .unwrap_or_else(|| PathBuf::from("."));
        Profiles::at(base.join("eco-studio"))
    }

    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Profiles { dir: dir.into() }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// The configuration directory itself (other per-person settings of the
    /// app live next to the profiles).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every profile, in the order they were added (none when the file does
    /// not exist yet).
    pub fn list(&self) -> CoreResult<Vec<ConnectionProfile>> {
        Ok(self.read()?.profiles)
    }

    /// The profile called `name`.
    pub fn get(&self, name: &str) -> CoreResult<ConnectionProfile> {
        self.list()?
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| {
                CoreError::invalid(
                    Some("profile"),
                    Rule::Reference,
                    format!("there is no connection profile called {name:?}"),
                )
            })
    }

    /// Adds `profile`, or replaces the one called `replacing` (its old
    /// name, when it is renamed). Names are unique.
    pub fn save(&self, profile: &ConnectionProfile, replacing: Option<&str>) -> CoreResult<()> {
        profile.validate()?;
        let mut profile = profile.clone();
        profile.name = profile.name.trim().to_string();
        let mut file = self.read()?;
        if file
            .profiles
            .iter()
            .any(|p| p.name == profile.name && Some(p.name.as_str()) != replacing)
        {
            return Err(CoreError::invalid(
                Some("name"),
                Rule::Unique,
                format!("a profile called {:?} already exists", profile.name),
            ));
        }
        match replacing {
            Some(old) => {
                let slot = file
                    .profiles
                    .iter_mut()
                    .find(|p| p.name == old)
                    .ok_or_else(|| {
                        CoreError::invalid(
                            Some("profile"),
                            Rule::Reference,
                            format!("there is no connection profile called {old:?}"),
                        )
                    })?;
                *slot = profile;
            }
            None => file.profiles.push(profile),
        }
        self.write(&file)
    }

    /// Whether the person has made the first-run choice (this computer's
    /// database or a server) on this computer.
    pub fn welcome_done(&self) -> bool {
        self.dir.join(WELCOME_FILE).exists()
    }

    /// Records that the first-run choice was made.
    pub fn finish_welcome(&self) -> CoreResult<()> {
        std::fs::create_dir_all(&self.dir).map_err(|e| io_error(&self.dir, e))?;
        let path = self.dir.join(WELCOME_FILE);
        write_private(&path, b"chosen\n").map_err(|e| io_error(&path, e))
    }

    /// Removes the profile called `name`.
    pub fn remove(&self, name: &str) -> CoreResult<()> {
        let mut file = self.read()?;
        let before = file.profiles.len();
        file.profiles.retain(|p| p.name != name);
        if file.profiles.len() == before {
            return Err(CoreError::invalid(
                Some("profile"),
                Rule::Reference,
                format!("there is no connection profile called {name:?}"),
            ));
        }
        self.write(&file)
    }

    fn read(&self) -> CoreResult<ProfilesFile> {
        let path = self.path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                CoreError::invalid(
                    Some("profiles"),
                    Rule::Format,
                    format!("{} is not a profiles file: {e}", path.display()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ProfilesFile::default()),
            Err(e) => Err(io_error(&path, e)),
        }
    }

    fn write(&self, file: &ProfilesFile) -> CoreResult<()> {
        std::fs::create_dir_all(&self.dir).map_err(|e| io_error(&self.dir, e))?;
        let path = self.path();
        let temp = self
            .dir
            .join(format!(".{FILE_NAME}.{}", std::process::id()));
        let bytes = serde_json::to_vec_pretty(file).expect("profiles serialize");
        write_private(&temp, &bytes).map_err(|e| io_error(&temp, e))?;
        std::fs::rename(&temp, &path).map_err(|e| io_error(&path, e))
    }
}

/// Writes `bytes` to a new file only its owner can read, and flushes it.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

fn io_error(path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Unavailable(format!("{}: {e}", path.display()))
}

/// Where connection profiles' passwords are kept: the OS keychain, which
/// the app and the CLI provide (studio-core links no keychain). Never a
/// file.
pub trait PasswordStore: Send + Sync {
    fn save(&self, profile: &str, password: &crate::vault::SecretText) -> CoreResult<()>;
    fn load(&self, profile: &str) -> CoreResult<Option<crate::vault::SecretText>>;
    fn forget(&self, profile: &str) -> CoreResult<()>;
}

/// The extensions the schema needs in the database.
pub const REQUIRED_EXTENSIONS: [&str; 4] = ["ltree", "pgcrypto", "pg_trgm", "btree_gin"];

/// What a successful connection test found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionReport {
    pub server_version: String,
    pub role: String,
    /// Whether the connection is encrypted.
    pub tls: bool,
    /// Whether the role is a person's here (signing in needs it).
    pub is_person: bool,
    /// Whether the role is a superuser or bypasses row-level security
    /// (signing in refuses it).
    pub bypasses_security: bool,
    /// `current`, `missing`, `older` or `newer` than this Eco Studio.
    pub schema: String,
}

fn connection(problem: crate::error::ConnectionProblem, message: impl Into<String>) -> CoreError {
    CoreError::Connection {
        problem,
        message: message.into(),
    }
}

/// Connects once with `profile` and `password` and says what it found:
/// a wrong password, an unreachable host, a TLS mismatch and missing
/// extensions are typed errors ([`crate::error::ConnectionProblem`]);
/// nothing is saved or changed.
pub async fn test_connection(
    profile: &ConnectionProfile,
    password: &crate::vault::SecretText,
) -> CoreResult<ConnectionReport> {
    use crate::error::ConnectionProblem as P;
    use sqlx::Connection;
    let url = crate::db::with_credentials(&profile.url()?, &profile.user, password.expose())?;
    let options = crate::db::parse_url(&url)?.application_name(crate::db::APPLICATION_NAME);
    let connect = sqlx::PgConnection::connect_with(&options);
    let mut conn = match tokio::time::timeout(std::time::Duration::from_secs(10), connect).await {
        Err(_) => {
            return Err(connection(
                P::Unreachable,
                format!(
                    "{}:{} did not answer within 10 seconds",
                    profile.host, profile.port
                ),
            ))
        }
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => {
            let code = e
                .as_database_error()
                .and_then(|d| d.code())
                .map(|c| c.into_owned());
            return Err(match (&e, code.as_deref()) {
                (_, Some("28P01" | "28000")) => connection(
                    P::WrongPassword,
                    format!(
                        "the server refused {} with this password (or does not admit the role)",
                        profile.user
                    ),
                ),
                (sqlx::Error::Tls(t), _) => connection(
                    P::TlsMismatch,
                    format!(
                        "TLS mode {} does not match the server: {t}",
                        profile.tls.as_param()
                    ),
                ),
                (sqlx::Error::Io(io), _) => connection(
                    P::Unreachable,
                    format!("cannot reach {}:{}: {io}", profile.host, profile.port),
                ),
                (_, Some("3D000")) => connection(
                    P::Unreachable,
                    format!("the server has no database {}", profile.database),
                ),
                _ => CoreError::Unavailable(crate::db::redact_url(&e.to_string())),
            });
        }
    };
    // One transaction for every question, so that a pooler in transaction
    // mode keeps them on one server connection.
    let mut tx = conn.begin().await?;
    let missing: Vec<String> = sqlx::query_scalar(
        "SELECT x FROM unnest($1::text[]) AS x
         WHERE NOT EXISTS (SELECT 1 FROM pg_extension e WHERE e.extname = x) ORDER BY x",
    )
    .bind(&REQUIRED_EXTENSIONS[..])
    .fetch_all(&mut *tx)
    .await?;
    if !missing.is_empty() {
        drop(tx);
        let _ = conn.close().await;
        return Err(connection(
            P::MissingExtensions,
            format!(
                "the database lacks the extensions {}: its owner installs them (eco-studio migrate does)",
                missing.join(", ")
            ),
        ));
    }
    let (server_version, role, tls, bypasses_security): (String, String, bool, bool) =
        sqlx::query_as(
            "SELECT split_part(current_setting('server_version'), ' ', 1), current_user::text,
                    coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false),
                    (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user)",
        )
        .fetch_one(&mut *tx)
        .await?;
    let schema_version: Option<i64> = sqlx::query_scalar(
        "SELECT CASE WHEN to_regclass('_sqlx_migrations') IS NULL THEN NULL
                ELSE (SELECT max(version) FROM _sqlx_migrations WHERE success) END",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap_or(None);
    let latest = crate::db::MIGRATOR
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    let schema = match schema_version {
        None => "missing",
        Some(v) if v == latest => "current",
        Some(v) if v < latest => "older",
        Some(_) => "newer",
    };
    let is_person: bool = if schema_version.is_some() {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM users WHERE pg_role = current_user AND deleted_at IS NULL)",
        )
        .fetch_one(&mut *tx)
        .await
        .unwrap_or(false)
    } else {
        false
    };
    tx.rollback().await.ok();
    let _ = conn.close().await;
    Ok(ConnectionReport {
        server_version,
        role,
        tls,
        is_person,
        bypasses_security,
        schema: schema.to_string(),
    })
}
