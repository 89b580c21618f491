//! Opening the database the studio works on: the embedded local cluster (the
//! default, no configuration) or a server named by a URL. Both the desktop
//! app and the CLI start here, so they agree on every step.

use std::path::PathBuf;

use serde::Serialize;
use sqlx::PgPool;
use studio_localdb::Cluster;

use crate::db::{self, ServerInfo};
use crate::error::{CoreError, CoreResult};

/// The database inside the embedded cluster.
pub const EMBEDDED_DATABASE: &str = "eco_studio";

/// Where the studio's data lives.
#[derive(Debug, Clone)]
pub enum DatabaseTarget {
    /// The private cluster under this root (see `studio_localdb`).
    Embedded { root: PathBuf },
    /// A PostgreSQL server the person pointed at.
    Url(String),
}

impl DatabaseTarget {
    /// `DATABASE_URL` when given, else the embedded cluster at its default
    /// place.
    pub fn from_url_or_default(url: Option<String>) -> Self {
        match url.filter(|u| !u.trim().is_empty()) {
            Some(url) => DatabaseTarget::Url(url),
            None => DatabaseTarget::Embedded {
                root: studio_localdb::default_cluster_root(),
            },
        }
    }

    /// Where it is, safe to show and log (no password).
    pub fn display(&self) -> String {
        match self {
            DatabaseTarget::Embedded { root } => format!("local database in {}", root.display()),
            DatabaseTarget::Url(url) => db::redact_url(url),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum DatabaseKind {
    Embedded,
    External,
}

/// An open, migrated database.
#[derive(Debug, Clone)]
pub struct OpenedDatabase {
    pub pool: PgPool,
    /// A read replica the target names (its URL's `replica` parameter, a
    /// profile's replica host), with this pool as its primary: reads go
    /// there, with read-your-writes (`db::replica`).
    pub reads: Option<std::sync::Arc<db::Replicated>>,
    pub kind: DatabaseKind,
    /// Where it is, safe to show and log (no password).
    pub display: String,
    pub server: ServerInfo,
    /// The embedded cluster was created just now (first run).
    pub cluster_created: bool,
    /// This process started the embedded cluster (rather than reusing one
    /// that was running), so it stops it when it is done.
    pub cluster_started: bool,
    target: DatabaseTarget,
    /// The `application_name` of every connection this opening made (one
    /// of its own), so closing counts only other clients' backends.
    application_name: String,
    /// The embedded cluster's owner URL: only the owner sees every other
    /// client's connections (a person sees their own).
    owner_url: Option<String>,
}

impl OpenedDatabase {
    /// A pool of the schema owner on the embedded database (None on a
    /// server), its connections named like this opening's so closing
    /// counts them as its own: what the app's workflow runner works on.
    pub fn owner_pool(
        &self,
    ) -> Option<impl std::future::Future<Output = CoreResult<PgPool>> + Send + 'static> {
        let url = self.owner_url.clone()?;
        let name = self.application_name.clone();
        Some(async move { db::connect_as(&url, &name).await })
    }
}

/// The steps of opening, reported as they start (for progress display).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenStep {
    StartingLocalServer,
    Connecting,
    Migrating,
}

impl OpenStep {
    pub fn message(self) -> &'static str {
        match self {
            OpenStep::StartingLocalServer => "Starting the local database…",
            OpenStep::Connecting => "Connecting to the database…",
            OpenStep::Migrating => "Updating the database schema…",
        }
    }
}

/// Where a target's database is, once its server runs.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub url: String,
    pub cluster_created: bool,
    pub cluster_started: bool,
}

/// Starts the embedded cluster if that is the target and returns the URL of
/// the studio's database in it.
pub async fn resolve_url(target: &DatabaseTarget) -> CoreResult<Resolved> {
    match target {
        DatabaseTarget::Url(url) => Ok(Resolved {
            url: url.clone(),
            cluster_created: false,
            cluster_started: false,
        }),
        DatabaseTarget::Embedded { root } => {
            let root = root.clone();
            let outcome = tokio::task::spawn_blocking(move || {
                Cluster::persistent(root).and_then(|c| c.ensure_running())
            })
            .await
            .map_err(|e| CoreError::Database(format!("the start-up task failed: {e}")))??;
            Ok(Resolved {
                url: outcome.endpoint.url(EMBEDDED_DATABASE),
                cluster_created: outcome.initialized,
                cluster_started: outcome.started,
            })
        }
    }
}

/// Whom an opening connects as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A person, for normal work: on the embedded database its first
    /// administrator; on a server the URL's role, which must be a person's
    /// (not a superuser, not bypassing row-level security).
    Person,
    /// The schema owner, for maintenance (migrations, bulk loads, rebuilds,
    /// benchmarks, managing people from the command line).
    Maintenance,
    /// This role, after the owner has migrated (benchmarks and checks run
    /// as a particular person). The server must admit the role without a
    /// password in the URL (the embedded one does, over its private socket).
    Role(String),
    /// A person signing in with their own role and password. On a server
    /// they replace the URL's; on the embedded database the owner migrates
    /// first and the person's connection goes over TCP, where the password
    /// is checked. Refused like [`Identity::Person`] for a role that is not
    /// a person's or bypasses row-level security.
    SignIn { role: String, password: Password },
}

/// A password held in memory for one sign-in; it never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn new(password: impl Into<String>) -> Self {
        Password(password.into())
    }

    /// The password itself, to hand to the connection and nowhere else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(hidden)")
    }
}

/// Opens the target for a person's normal work (see [`Identity::Person`]).
pub async fn open(
    target: &DatabaseTarget,
    progress: impl FnMut(OpenStep),
) -> CoreResult<OpenedDatabase> {
    open_as(target, Identity::Person, progress).await
}

/// Opens the target: starts the local cluster when needed, creates the
/// database if missing, applies pending migrations as the owner, and
/// connects as `identity`.
pub async fn open_as(
    target: &DatabaseTarget,
    identity: Identity,
    mut progress: impl FnMut(OpenStep),
) -> CoreResult<OpenedDatabase> {
    let kind = match target {
        DatabaseTarget::Embedded { .. } => {
            progress(OpenStep::StartingLocalServer);
            DatabaseKind::Embedded
        }
        DatabaseTarget::Url(_) => DatabaseKind::External,
    };
    let resolved = resolve_url(target).await?;
    let url = resolved.url;
    progress(OpenStep::Connecting);
    let application_name = opening_name();
    if kind == DatabaseKind::Embedded {
        db::ensure_database(&url, &application_name).await?;
    }
    let mut reads = None;
    let pool = match (kind, &identity) {
        (DatabaseKind::External, Identity::Person) => {
            let pool = db::connect_as(&url, &application_name).await?;
            check_person(&pool).await?;
            reads = db::connect_replica(&url, &application_name, replica_options(), &pool).await?;
            pool
        }
        (DatabaseKind::External, Identity::SignIn { role, password }) => {
            let signed_in = db::with_credentials(&url, role, password.expose())?;
            let pool = db::connect_as(&signed_in, &application_name).await?;
            check_person(&pool).await?;
            reads = db::connect_replica(&signed_in, &application_name, replica_options(), &pool)
                .await?;
            pool
        }
        _ => {
            let owner = db::connect_as(&url, &application_name).await?;
            progress(OpenStep::Migrating);
            db::migrate(&owner).await?;
            rebuild_read_model_if_needed(&owner).await?;
            match &identity {
                Identity::Maintenance => owner,
                Identity::Role(role) => {
                    owner.close().await;
                    db::connect_as(&db::with_user(&url, role)?, &application_name).await?
                }
                Identity::Person => {
                    let actor = crate::Actor::new(None, crate::Source::Startup);
                    let admin =
                        crate::people::ensure_first_admin(&owner, &actor, "Administrator").await?;
                    owner.close().await;
                    db::connect_as(&db::with_user(&url, &admin)?, &application_name).await?
                }
                Identity::SignIn { role, password } => {
                    owner.close().await;
                    let local = db::over_local_tcp(&url)?;
                    let signed_in = db::with_credentials(&local, role, password.expose())?;
                    let pool = db::connect_as(&signed_in, &application_name).await?;
                    check_person(&pool).await?;
                    pool
                }
            }
        }
    };
    let server = db::server_info(&pool).await?;
    let display = target.display();
    Ok(OpenedDatabase {
        pool,
        reads: reads.map(std::sync::Arc::new),
        kind,
        display,
        server,
        cluster_created: resolved.cluster_created,
        cluster_started: resolved.cluster_started,
        target: target.clone(),
        application_name,
        owner_url: (kind == DatabaseKind::Embedded).then_some(url),
    })
}

/// The `application_name` of one opening's connections: the studio's,
/// with a short id of its own.
fn opening_name() -> String {
    format!(
        "{} {}",
        db::APPLICATION_NAME,
        &uuid::Uuid::now_v7().simple().to_string()[20..]
    )
}

/// The role a person's opening of a server signs in as, known without
/// reaching it: the sign-in's role, else the URL's (or the default user
/// the URL implies). None for the embedded database and for maintenance.
pub fn person_role(target: &DatabaseTarget, identity: &Identity) -> CoreResult<Option<String>> {
    let DatabaseTarget::Url(url) = target else {
        return Ok(None);
    };
    match identity {
        Identity::SignIn { role, .. } => Ok(Some(role.clone())),
        Identity::Person => Ok(Some(db::parse_url(url)?.get_username().to_string())),
        Identity::Maintenance | Identity::Role(_) => Ok(None),
    }
}

/// A server that cannot be reached now, "opened" for work from the offline
/// cache: its pool connects on first use (when the server answers again),
/// nothing is checked or migrated, and no replica is used. The caller
/// opens it properly ([`open_as`]) once the server answers, and replaces
/// this one.
pub fn open_unreached(target: &DatabaseTarget, identity: &Identity) -> CoreResult<OpenedDatabase> {
    let DatabaseTarget::Url(url) = target else {
        return Err(CoreError::invalid(
            None,
            crate::Rule::State,
            "this computer's database is always reachable: it is opened, not worked around",
        ));
    };
    let url = match identity {
        Identity::Person => url.clone(),
        Identity::SignIn { role, password } => db::with_credentials(url, role, password.expose())?,
        Identity::Maintenance | Identity::Role(_) => {
            return Err(CoreError::invalid(
                None,
                crate::Rule::State,
                "only a person's work can start from the offline cache",
            ))
        }
    };
    let application_name = opening_name();
    let opts = db::parse_url(&url)?;
    let server = ServerInfo {
        version: "not reached".into(),
        database: opts.get_database().unwrap_or_default().to_string(),
        user: opts.get_username().to_string(),
    };
    let pool = db::connect_lazy_as(&url, &application_name)?;
    Ok(OpenedDatabase {
        pool,
        reads: None,
        kind: DatabaseKind::External,
        display: target.display(),
        server,
        cluster_created: false,
        cluster_started: false,
        target: target.clone(),
        application_name,
        owner_url: None,
    })
}

/// How long a read after the person's own write waits for the replica
/// (`ECO_REPLICA_WAIT_MS`, default 100) before it reads from the primary.
fn replica_options() -> db::ReplicaOptions {
    let mut options = db::ReplicaOptions::default();
    if let Some(ms) = std::env::var("ECO_REPLICA_WAIT_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        options.max_wait = std::time::Duration::from_millis(ms);
    }
    options
}

/// A person's connection to a server: refused for a role that bypasses
/// row-level security or is nobody's, and until the schema is current.
async fn check_person(pool: &PgPool) -> CoreResult<()> {
    let session = crate::people::session(pool).await?;
    if session.bypasses_security {
        return Err(CoreError::Forbidden(format!(
            "{} is a superuser or bypasses row-level security, so the database could not keep \
             anyone out of a tenant: sign in as a person's role. Such a role may only run \
             maintenance (eco-studio migrate, seed, user, scope).",
            session.role
        )));
    }
    if session.person.is_none() {
        return Err(CoreError::Forbidden(format!(
            "the role {} is not a person's in this database: an administrator can add it with \
             `eco-studio user add --link {}`",
            session.role, session.role
        )));
    }
    let applied: Option<i64> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await
            .map_err(|_| {
                CoreError::Migration(
            "this database has no Eco Studio schema yet: its owner runs `eco-studio migrate` first"
                .into(),
        )
            })?;
    let latest = db::MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    match applied {
        Some(v) if v > latest => Err(CoreError::Migration(format!(
            "this database has schema version {v}, which is newer than this Eco Studio knows: \
             update Eco Studio to open it"
        ))),
        Some(v) if v == latest => Ok(()),
        _ => Err(CoreError::Migration(
            "this database's schema is older than this Eco Studio: its owner runs \
             `eco-studio migrate` first"
                .into(),
        )),
    }
}

/// Client backends connected to the server that are not this opening's
/// (its connections, live or still exiting, carry `ours` as their name).
async fn other_clients(pool: &PgPool, ours: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity
         WHERE backend_type = 'client backend' AND application_name IS DISTINCT FROM $1",
    )
    .bind(ours)
    .fetch_one(pool)
    .await
    .unwrap_or(i64::MAX)
}

/// A database migrated from before the read model gets it built once.
async fn rebuild_read_model_if_needed(pool: &PgPool) -> CoreResult<()> {
    let mut tx = pool.begin().await?;
    if crate::read_model::needs_rebuild(&mut tx).await? {
        let rows = crate::read_model::rebuild(&mut tx).await?;
        tracing::info!("built the read model: {rows} entities");
    }
    tx.commit().await?;
    Ok(())
}

/// Closes the pool and, when this process started the embedded cluster and
/// no other client (another window, the CLI) is connected, stops it.
/// Returns true when it stopped the cluster.
pub async fn close(opened: OpenedDatabase) -> CoreResult<bool> {
    // Any client backend not named as ours belongs to someone else (another
    // window, the CLI, psql); ours include the connections this opening
    // closed a moment ago whose backends may still be exiting.
    let others = match &opened.owner_url {
        Some(url) if opened.cluster_started => {
            match db::connect_as(url, &opened.application_name).await {
                Ok(owner) => {
                    let n = other_clients(&owner, &opened.application_name).await;
                    owner.close().await;
                    n
                }
                Err(_) => i64::MAX,
            }
        }
        _ => other_clients(&opened.pool, &opened.application_name).await,
    };
    opened.pool.close().await;
    if let Some(reads) = &opened.reads {
        reads.replica().close().await;
    }
    let DatabaseTarget::Embedded { root } = &opened.target else {
        return Ok(false);
    };
    if !opened.cluster_started || others > 0 {
        return Ok(false);
    }
    let root = root.clone();
    let stopped =
        tokio::task::spawn_blocking(move || Cluster::persistent(root).and_then(|c| c.stop()))
            .await
            .map_err(|e| CoreError::Database(format!("the shutdown task failed: {e}")))??;
    Ok(stopped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_of_a_start_is_known_without_the_server() {
        let target = DatabaseTarget::Url("postgres://field@db.example:5432/eco_studio".into());
        assert_eq!(
            person_role(&target, &Identity::Person).unwrap().as_deref(),
            Some("field")
        );
        let signing_in = Identity::SignIn {
            role: "ana".into(),
            password: Password::new("secret"),
        };
        assert_eq!(
            person_role(&target, &signing_in).unwrap().as_deref(),
            Some("ana")
        );
        assert_eq!(person_role(&target, &Identity::Maintenance).unwrap(), None);
        let embedded = DatabaseTarget::Embedded {
            root: PathBuf::from("/tmp/eco"),
        };
        assert_eq!(person_role(&embedded, &Identity::Person).unwrap(), None);
    }

    #[tokio::test]
    async fn a_server_that_does_not_answer_opens_lazily_and_shows_no_password() {
        // Port 9 on the loopback: nothing listens there.
        let target = DatabaseTarget::Url("postgres://field@127.0.0.1:9/eco_studio".into());
        let identity = Identity::SignIn {
            role: "ana".into(),
            password: Password::new("hunter2-canary"),
        };
        let opened = open_unreached(&target, &identity).expect("opened without the server");
        assert_eq!(opened.kind, DatabaseKind::External);
        assert_eq!(opened.server.user, "ana");
        assert!(
            opened.reads.is_none(),
            "no replica until the server is opened"
        );
        assert!(!format!("{opened:?}").contains("hunter2-canary"));
        assert!(!opened.display.contains("hunter2-canary"));
        assert_eq!(
            opened.pool.size(),
            0,
            "no connection is tried until the pool is used"
        );
        // This computer's database is never worked around.
        let embedded = DatabaseTarget::Embedded {
            root: PathBuf::from("/tmp/eco"),
        };
        assert!(open_unreached(&embedded, &Identity::Person).is_err());
    }
}
