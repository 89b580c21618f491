//! People and their scopes. A person is a PostgreSQL login role of their
//! own (`users.pg_role`), a member of `eco_studio_people`; a scope gives a
//! person capabilities on one root of the tree. Row-level security in the
//! database enforces both (migration `people_and_row_security`); this module
//! manages them and tells the app what the signed-in person may do, so it
//! can explain a refusal before the database makes it.

mod password;
pub mod security;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;
pub use uuid::Uuid;

use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, Rule};

pub use crate::records::{Capability, Person, Scope};
pub use password::{generate_password, scram_verifier};

/// The group role every person's login role belongs to.
pub const PEOPLE_ROLE: &str = "eco_studio_people";

/// The role the embedded database's first administrator logs in as.
pub const FIRST_ADMIN_ROLE: &str = "eco_admin";

/// How a new person logs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Login {
    /// Create their role with a generated password, returned once.
    NewRoleWithPassword,
    /// Create their role without a password (for servers that authenticate
    /// otherwise: a local socket, peer, certificates).
    NewRoleWithoutPassword,
    /// Link a role that exists already.
    ExistingRole,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewPerson {
    pub role: String,
    pub display_name: String,
    pub email: Option<String>,
    pub login: Login,
    pub is_admin: bool,
}

/// A person just added; `password` is the generated one, shown once and
/// never stored (the server keeps only its SCRAM verifier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AddedPerson {
    pub person: Person,
    pub password: Option<String>,
}

/// The capability named `name` (as stored).
pub fn parse_capability(name: &str) -> CoreResult<Capability> {
    Capability::ALL
        .into_iter()
        .find(|c| c.as_str() == name)
        .ok_or_else(|| {
            CoreError::invalid(
                Some("capabilities"),
                Rule::Choice,
                format!(
                    "unknown capability {name:?}; one of: {}",
                    Capability::ALL.map(Capability::as_str).join(", ")
                ),
            )
        })
}

/// Who this connection is and what they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// `current_user`.
    pub role: String,
    /// The person that role is, if any.
    pub person: Option<Person>,
    /// A superuser or a role that bypasses row-level security: allowed for
    /// maintenance only.
    pub bypasses_security: bool,
    /// Per visible root, what the person holds there.
    pub roots: Vec<RootCapabilities>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RootCapabilities {
    pub root_id: Uuid,
    pub capabilities: Vec<Capability>,
}

impl Session {
    /// Whether the person holds `cap` on `root` (a maintenance role holds
    /// everything).
    pub fn can(&self, root: Uuid, cap: Capability) -> bool {
        self.bypasses_security
            || self
                .roots
                .iter()
                .any(|r| r.root_id == root && r.capabilities.contains(&cap))
    }

    pub fn is_admin(&self) -> bool {
        self.bypasses_security || self.person.as_ref().is_some_and(|p| p.is_admin)
    }
}

const PERSON_COLUMNS: &str = "id, pg_role, display_name, email, is_admin, created_at, deleted_at,
    coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_roles r WHERE r.rolname = users.pg_role), false)
        AS maintenance";

/// Who the connection is: its role, person and capabilities per root.
pub async fn session(pool: &PgPool) -> CoreResult<Session> {
    let mut conn = pool.acquire().await?;
    session_in(&mut conn).await
}

pub async fn session_in(conn: &mut PgConnection) -> CoreResult<Session> {
    let (role, bypasses): (String, bool) = sqlx::query_as(
        "SELECT current_user::text, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(&mut *conn)
    .await?;
    // A role outside eco_studio_people may not even read `users`.
    let member: bool = sqlx::query_scalar("SELECT pg_has_role(current_user, $1, 'MEMBER')")
        .bind(PEOPLE_ROLE)
        .fetch_one(&mut *conn)
        .await?;
    let person: Option<Person> = if member {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM users WHERE pg_role = current_user AND deleted_at IS NULL"
        )))
        .fetch_optional(&mut *conn)
        .await?
    } else {
        None
    };
    let mut roots: Vec<RootCapabilities> = Vec::new();
    if person.is_some() {
        // Every capability's roots in one statement.
        let names: Vec<&str> = Capability::ALL.iter().map(|c| c.as_str()).collect();
        let held: Vec<(String, Uuid)> = sqlx::query_as(
            "SELECT c, unnest(eco_root_ids(current_user, c)) FROM unnest($1::text[]) AS c",
        )
        .bind(&names)
        .fetch_all(&mut *conn)
        .await?;
        for (name, id) in held {
            let cap = parse_capability(&name)?;
            match roots.iter_mut().find(|r| r.root_id == id) {
                Some(r) => r.capabilities.push(cap),
                None => roots.push(RootCapabilities {
                    root_id: id,
                    capabilities: vec![cap],
                }),
            }
        }
        for r in &mut roots {
            r.capabilities.sort();
        }
    }
    Ok(Session {
        role,
        person,
        bypasses_security: bypasses,
        roots,
    })
}

/// Refuses a change unless the session holds `cap` on the root of `entity`,
/// saying which capability is missing (the database would refuse it too,
/// with less to say). An entity the session cannot see is not found.
pub(crate) async fn require_on_entity(
    conn: &mut PgConnection,
    entity: Uuid,
    cap: Capability,
) -> CoreResult<()> {
    let allowed: Option<bool> = sqlx::query_scalar(
        "SELECT eco_has_capability(subpath(path, 0, 1)::text::uuid, $2) FROM entities WHERE id = $1",
    )
    .bind(entity)
    .bind(cap.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    match allowed {
        None => Err(CoreError::NotFound {
            what: "entity",
            id: entity,
        }),
        Some(true) => Ok(()),
        Some(false) => Err(CoreError::Forbidden(format!(
            "you need the '{}' capability on this root to do that",
            cap.as_str()
        ))),
    }
}

/// Every person, deactivated ones included (they stay in the history).
pub async fn list_people(pool: &PgPool) -> CoreResult<Vec<Person>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS} FROM users ORDER BY deleted_at NULLS FIRST, display_name, id"
    )))
    .fetch_all(pool)
    .await?)
}

fn check_new_person(input: &NewPerson) -> CoreResult<()> {
    let role = input.role.as_str();
    let valid = !role.is_empty()
        && role.len() <= 63
        && role
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !role.starts_with(|c: char| c.is_ascii_digit())
        && !role.starts_with("pg_");
    if !valid {
        return Err(CoreError::invalid(
            Some("role"),
            Rule::Format,
            "a role name is 1 to 63 lowercase letters, digits and underscores, not starting with a digit or pg_",
        ));
    }
    if role == PEOPLE_ROLE {
        return Err(CoreError::invalid(
            Some("role"),
            Rule::Format,
            "that is the group role of all people",
        ));
    }
    if input.display_name.trim().is_empty() {
        return Err(CoreError::invalid(
            Some("displayName"),
            Rule::Required,
            "a person needs a name",
        ));
    }
    if input.display_name.chars().count() > 200 {
        return Err(CoreError::invalid(
            Some("displayName"),
            Rule::TooLong,
            "a name has at most 200 characters",
        ));
    }
    if let Some(email) = input.email.as_deref().map(str::trim) {
        if !email.is_empty() && (!email.contains('@') || email.len() > 320) {
            return Err(CoreError::invalid(
                Some("email"),
                Rule::Format,
                "an email address has the form name@domain",
            ));
        }
    }
    Ok(())
}

/// Adds a person: creates or links their login role and makes it one of
/// eco_studio_people. Needs a global administrator (or a maintenance role).
#[instrument(skip_all, fields(role = %input.role))]
pub async fn add_person(
    pool: &PgPool,
    actor: &Actor,
    input: &NewPerson,
) -> CoreResult<Applied<AddedPerson>> {
    check_new_person(input)?;
    crate::transaction!(pool, |tx| add_person_in(tx, actor, input)).await
}

pub async fn add_person_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &NewPerson,
) -> CoreResult<Applied<AddedPerson>> {
    check_new_person(input)?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
            .bind(&input.role)
            .fetch_one(&mut *conn)
            .await?;
    let linked: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE pg_role = $1 AND deleted_at IS NULL)",
    )
    .bind(&input.role)
    .fetch_one(&mut *conn)
    .await?;
    if linked {
        return Err(CoreError::invalid(
            Some("role"),
            Rule::Unique,
            format!("the role {} already belongs to a person", input.role),
        ));
    }
    let (create, password) = match input.login {
        Login::NewRoleWithPassword | Login::NewRoleWithoutPassword if exists => {
            return Err(CoreError::invalid(
                Some("role"),
                Rule::Unique,
                format!(
                    "a role named {} exists already; link it instead",
                    input.role
                ),
            ));
        }
        Login::ExistingRole if !exists => {
            return Err(CoreError::invalid(
                Some("role"),
                Rule::Reference,
                format!("there is no role named {}", input.role),
            ));
        }
        Login::NewRoleWithPassword => (true, Some(generate_password())),
        Login::NewRoleWithoutPassword => (true, None),
        Login::ExistingRole => {
            let bypasses: bool = sqlx::query_scalar(
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = $1",
            )
            .bind(&input.role)
            .fetch_one(&mut *conn)
            .await?;
            if bypasses {
                return Err(CoreError::invalid(
                    Some("role"),
                    Rule::Check,
                    format!(
                        "{} is a superuser or bypasses row-level security: a person's role must not",
                        input.role
                    ),
                ));
            }
            (false, None)
        }
    };
    let verifier = password.as_deref().map(scram_verifier);
    let id: Uuid = sqlx::query_scalar("SELECT eco_add_person($1, $2, $3, $4, $5, $6)")
        .bind(&input.role)
        .bind(input.display_name.trim())
        .bind(
            input
                .email
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty()),
        )
        .bind(create)
        .bind(verifier)
        .bind(input.is_admin)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| refused(e, "only a global administrator can add people"))?;
    let person = person_in(conn, id).await?;
    change::record(
        conn,
        actor,
        Change::PersonAdded {
            person: person.clone(),
        },
        AddedPerson { person, password },
    )
    .await
}

/// A refusal by one of the people functions: insufficient privilege becomes
/// `Forbidden` with `message`.
fn refused(e: sqlx::Error, message: &str) -> CoreError {
    match CoreError::from(e) {
        CoreError::Forbidden(_) => CoreError::Forbidden(message.into()),
        other => other,
    }
}

async fn person_in(conn: &mut PgConnection, id: Uuid) -> CoreResult<Person> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS} FROM users WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CoreError::NotFound { what: "person", id })
}

/// Deactivates a person: their role can no longer log in; their history
/// stays. Nobody can deactivate themselves.
#[instrument(skip_all, fields(%id))]
pub async fn deactivate_person(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Applied<Person>> {
    crate::transaction!(pool, |tx| deactivate_person_in(tx, actor, id)).await
}

pub async fn deactivate_person_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Applied<Person>> {
    let person = person_in(conn, id).await?;
    if person.deleted_at.is_some() {
        return Err(CoreError::state("this person is deactivated already"));
    }
    let me: Option<String> = sqlx::query_scalar("SELECT session_user::text")
        .fetch_optional(&mut *conn)
        .await?;
    if person.pg_role.is_some() && person.pg_role == me {
        return Err(CoreError::Forbidden(
            "you cannot deactivate yourself".into(),
        ));
    }
    sqlx::query("SELECT eco_deactivate_person($1)")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(|e| refused(e, "only a global administrator can deactivate people"))?;
    let after = person_in(conn, id).await?;
    change::record(
        conn,
        actor,
        Change::PersonDeactivated {
            person: after.clone(),
        },
        after,
    )
    .await
}

// ------------------------------------------------------------------ scopes

#[derive(sqlx::FromRow)]
struct ScopeRow {
    id: Uuid,
    user_id: Uuid,
    root_entity_id: Uuid,
    root_name: Option<String>,
    root_label: Option<String>,
    capabilities: sqlx::types::Json<Vec<String>>,
    updated_at: DateTime<Utc>,
}

impl ScopeRow {
    fn into_scope(self) -> Scope {
        let mut caps: Vec<Capability> = self
            .capabilities
            .0
            .iter()
            .filter_map(|c| parse_capability(c).ok())
            .collect();
        caps.sort();
        caps.dedup();
        Scope {
            id: self.id,
            user_id: self.user_id,
            root_id: self.root_entity_id,
            root_name: self.root_name,
            root_label: self.root_label,
            capabilities: caps,
            updated_at: self.updated_at,
        }
    }
}

const SCOPE_SELECT: &str = "SELECT s.id, s.user_id, s.root_entity_id, r.name AS root_name,
        e.path_label AS root_label, s.capabilities, s.updated_at
   FROM user_root_entity_scopes s
   LEFT JOIN entities e ON e.id = s.root_entity_id
   LEFT JOIN entity_read_model r ON r.entity_id = s.root_entity_id";

/// The live scopes the session sees (its own; all on roots it administers),
/// of one person or of everyone.
pub async fn list_scopes(pool: &PgPool, user_id: Option<Uuid>) -> CoreResult<Vec<Scope>> {
    let rows: Vec<ScopeRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SCOPE_SELECT} WHERE s.deleted_at IS NULL AND ($1::uuid IS NULL OR s.user_id = $1)
         ORDER BY s.user_id, e.path_label NULLS LAST, s.id"
    )))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(ScopeRow::into_scope).collect())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct GrantScope {
    pub user_id: Uuid,
    pub root_id: Uuid,
    /// The capabilities the person will hold on the root (replacing what
    /// they held there). At least one.
    pub capabilities: Vec<Capability>,
}

/// Gives a person capabilities on a root (replacing those of their live
/// scope there, if any). Needs `admin` on the root or a global
/// administrator.
#[instrument(skip_all, fields(user = %input.user_id, root = %input.root_id))]
pub async fn grant_scope(
    pool: &PgPool,
    actor: &Actor,
    input: &GrantScope,
) -> CoreResult<Applied<Scope>> {
    crate::transaction!(pool, |tx| grant_scope_in(tx, actor, input)).await
}

pub async fn grant_scope_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &GrantScope,
) -> CoreResult<Applied<Scope>> {
    let caps: BTreeSet<Capability> = input.capabilities.iter().copied().collect();
    if caps.is_empty() {
        return Err(CoreError::invalid(
            Some("capabilities"),
            Rule::Required,
            "a scope needs at least one capability (revoke it to take everything away)",
        ));
    }
    let person = person_in(conn, input.user_id).await?;
    if person.deleted_at.is_some() {
        return Err(CoreError::state("this person is deactivated"));
    }
    let root: Option<(Option<Uuid>, Option<DateTime<Utc>>)> =
        sqlx::query_as("SELECT parent_entity_id, deleted_at FROM entities WHERE id = $1")
            .bind(input.root_id)
            .fetch_optional(&mut *conn)
            .await?;
    match root {
        None => {
            return Err(CoreError::NotFound {
                what: "entity",
                id: input.root_id,
            })
        }
        Some((Some(_), _)) => {
            return Err(CoreError::invalid(
                Some("rootId"),
                Rule::Check,
                "a scope is held on a root of the tree (an entity without a parent)",
            ))
        }
        Some((None, Some(_))) => {
            return Err(CoreError::state("this root is deleted"));
        }
        Some((None, None)) => {}
    }
    let may: bool = sqlx::query_scalar("SELECT eco_has_capability($1, 'admin')")
        .bind(input.root_id)
        .fetch_one(&mut *conn)
        .await?;
    if !may {
        return Err(CoreError::Forbidden(
            "you need the 'admin' capability on this root to manage its scopes".into(),
        ));
    }
    let names: Vec<&str> = caps.iter().map(|c| c.as_str()).collect();
    let before: Option<ScopeRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SCOPE_SELECT} WHERE s.user_id = $1 AND s.root_entity_id = $2 AND s.deleted_at IS NULL
         ORDER BY s.created_at LIMIT 1 FOR UPDATE OF s"
    )))
    .bind(input.user_id)
    .bind(input.root_id)
    .fetch_optional(&mut *conn)
    .await?;
    let before = before.map(ScopeRow::into_scope);
    let id = match &before {
        Some(b) => {
            sqlx::query(
                "UPDATE user_root_entity_scopes SET capabilities = to_jsonb($2::text[]), updated_at = now()
                  WHERE id = $1",
            )
            .bind(b.id)
            .bind(&names)
            .execute(&mut *conn)
            .await?;
            b.id
        }
        None => {
            let id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO user_root_entity_scopes (id, user_id, root_entity_id, capabilities, created_at, updated_at)
                 VALUES ($1, $2, $3, to_jsonb($4::text[]), now(), now())",
            )
            .bind(id)
            .bind(input.user_id)
            .bind(input.root_id)
            .bind(&names)
            .execute(&mut *conn)
            .await?;
            id
        }
    };
    let after = scope_in(conn, id).await?;
    change::record(
        conn,
        actor,
        Change::ScopeGranted {
            before,
            after: after.clone(),
        },
        after,
    )
    .await
}

async fn scope_in(conn: &mut PgConnection, id: Uuid) -> CoreResult<Scope> {
    let row: Option<ScopeRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SCOPE_SELECT} WHERE s.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(ScopeRow::into_scope)
        .ok_or(CoreError::NotFound { what: "scope", id })
}

/// Takes a scope away (soft delete, kept for history).
#[instrument(skip_all, fields(%id))]
pub async fn revoke_scope(pool: &PgPool, actor: &Actor, id: Uuid) -> CoreResult<Applied<Scope>> {
    crate::transaction!(pool, |tx| revoke_scope_in(tx, actor, id)).await
}

pub async fn revoke_scope_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Applied<Scope>> {
    let scope = scope_in(conn, id).await?;
    let may: bool = sqlx::query_scalar("SELECT eco_has_capability($1, 'admin')")
        .bind(scope.root_id)
        .fetch_one(&mut *conn)
        .await?;
    if !may {
        return Err(CoreError::Forbidden(
            "you need the 'admin' capability on this root to manage its scopes".into(),
        ));
    }
    let done = sqlx::query(
        "UPDATE user_root_entity_scopes SET deleted_at = now(), updated_at = now()
          WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(CoreError::state("this scope is revoked already"));
    }
    change::record(
        conn,
        actor,
        Change::ScopeRevoked {
            scope: scope.clone(),
        },
        scope,
    )
    .await
}

/// Makes sure the embedded database has its first administrator: the role
/// [`FIRST_ADMIN_ROLE`] (no password: the embedded server admits local
/// socket connections of its owner only) and the person it is. Run as the
/// owner. Returns the role name.
pub async fn ensure_first_admin(
    pool: &PgPool,
    actor: &Actor,
    display_name: &str,
) -> CoreResult<String> {
    let mut tx = pool.begin().await?;
    // Two windows starting at once: one adds the person.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('eco_studio.first_admin'))")
        .execute(&mut *tx)
        .await?;
    let linked: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE pg_role = $1 AND deleted_at IS NULL)",
    )
    .bind(FIRST_ADMIN_ROLE)
    .fetch_one(&mut *tx)
    .await?;
    if !linked {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
                .bind(FIRST_ADMIN_ROLE)
                .fetch_one(&mut *tx)
                .await?;
        let _added = add_person_in(
            &mut tx,
            actor,
            &NewPerson {
                role: FIRST_ADMIN_ROLE.into(),
                display_name: display_name.into(),
                email: None,
                login: if exists {
                    Login::ExistingRole
                } else {
                    Login::NewRoleWithoutPassword
                },
                is_admin: true,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(FIRST_ADMIN_ROLE.into())
}

/// The active person who logs in as `role`.
pub async fn person_by_role(pool: &PgPool, role: &str) -> CoreResult<Option<Person>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS} FROM users WHERE pg_role = $1 AND deleted_at IS NULL"
    )))
    .bind(role)
    .fetch_optional(pool)
    .await?)
}

/// The live root with this path label (or id, as text).
pub async fn root_by_label(pool: &PgPool, label: &str) -> CoreResult<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM entities
          WHERE (path_label = $1 OR id::text = $1) AND parent_entity_id IS NULL AND deleted_at IS NULL",
    )
    .bind(label)
    .fetch_optional(pool)
    .await?)
}

/// A read-only pool that sees what the person `id` sees ("view as"), for a
/// global administrator, without the person's password: each connection
/// logs in as the administrator (from `pool`'s options) and becomes the
/// person's role. Returns the person and the pool.
pub async fn view_as(pool: &PgPool, id: Uuid) -> CoreResult<(Person, PgPool)> {
    if crate::db::pooling::is_pooled(pool) {
        // Each viewing connection takes the person's role for its session.
        return Err(crate::db::pooling::needs_session(
            "viewing as another person",
        ));
    }
    let mut conn = pool.acquire().await?;
    let person = person_in(&mut conn, id).await?;
    if person.deleted_at.is_some() {
        return Err(CoreError::state("this person is deactivated"));
    }
    let role: String = sqlx::query_scalar("SELECT eco_allow_view_as($1)::text")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| refused(e, "only a global administrator can view as another person"))?;
    drop(conn);
    // The role name was checked when the person was added (lowercase
    // letters, digits, underscores); quoted all the same.
    let set_role = format!("SET ROLE \"{}\"", role.replace('"', "\"\""));
    let options = pool.connect_options().as_ref().clone();
    let viewing = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .after_connect(move |conn, _meta| {
            let set_role = set_role.clone();
            Box::pin(async move {
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "{set_role}; SET default_transaction_read_only = on"
                )))
                .execute(&mut *conn)
                .await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(|e| CoreError::Unavailable(e.to_string()))?;
    Ok((person, viewing))
}
