//! Locking for structural changes. Every change that rewrites paths or
//! labels (create, rename, move, delete, restore, purge) first takes a
//! transaction-scoped advisory lock per root it touches, in a fixed order,
//! then the rows it changes. Structural changes within one root therefore
//! run one after the other, and a subtree rewrite can never interleave with
//! another; different roots (tenants) do not wait for each other.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::read::tree_node;
use crate::error::{CoreError, CoreResult};
use crate::records::CurrentRow;

/// The lock key of the top level: creating, renaming or moving roots.
pub(crate) const TOP_LEVEL: &str = "-";

/// An entity row read under `FOR UPDATE`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct LockedEntity {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub path: String,
    pub path_label: String,
    pub type_key: String,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl LockedEntity {
    pub fn root_label(&self) -> String {
        first_label(&self.path)
    }
    pub fn depth(&self) -> i32 {
        self.path.split('.').count() as i32
    }
}

pub(crate) fn first_label(path: &str) -> String {
    path.split('.').next().unwrap_or(path).to_string()
}

/// The root label of an entity (unlocked read).
pub(crate) async fn root_label_of(conn: &mut PgConnection, id: Uuid) -> CoreResult<String> {
    let path: Option<String> = sqlx::query_scalar("SELECT path::text FROM entities WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    path.map(|p| first_label(&p))
        .ok_or(CoreError::NotFound { what: "entity", id })
}

/// Takes the advisory locks of these roots (and of the top level when the
/// list is empty), sorted so two transactions never wait on each other in
/// opposite orders.
pub(crate) async fn lock_roots(conn: &mut PgConnection, roots: &[String]) -> CoreResult<()> {
    let mut keys: Vec<&str> = if roots.is_empty() {
        vec![TOP_LEVEL]
    } else {
        roots.iter().map(String::as_str).collect()
    };
    keys.sort_unstable();
    keys.dedup();
    for key in &keys {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('eco.root:' || $1, 0))")
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    require_write(conn, &keys).await
}

/// Refuses a structural change where the session may not make it: `write`
/// on every root it touches, a global administrator for the top level. Row-
/// level security would refuse it too; this says why.
async fn require_write(conn: &mut PgConnection, keys: &[&str]) -> CoreResult<()> {
    let roots: Vec<&str> = keys.iter().copied().filter(|k| *k != TOP_LEVEL).collect();
    let (top_ok, roots_ok): (bool, bool) = sqlx::query_as(
        "SELECT eco_is_admin() OR (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user),
                coalesce(bool_and(eco_has_capability(l::uuid, 'write')), true)
           FROM unnest($1::text[]) AS l",
    )
    .bind(&roots)
    .fetch_one(&mut *conn)
    .await?;
    if keys.contains(&TOP_LEVEL) && !top_ok {
        return Err(CoreError::Forbidden(
            "only a global administrator can create, move or rename roots".into(),
        ));
    }
    if !roots_ok {
        return Err(CoreError::Forbidden(
            "you need the 'write' capability on this root to change it".into(),
        ));
    }
    Ok(())
}

/// The error that makes `db::retrying` start the transaction over: the
/// entity moved to another root between the unlocked read and the lock.
pub(crate) fn moved_concurrently() -> CoreError {
    CoreError::collision("the entity moved to another root")
}

/// Takes the lock of the top level (creating or moving roots) alone.
pub async fn lock_top_level(conn: &mut PgConnection) -> CoreResult<()> {
    lock_roots(conn, &[]).await
}

/// The root locks an entity at `path` needs: its root's, plus the top
/// level's when it is itself a root (root labels share one namespace).
pub(crate) fn roots_for_path(path: &str) -> Vec<String> {
    let root = first_label(path);
    if path.contains('.') {
        vec![root]
    } else {
        vec![root, TOP_LEVEL.to_string()]
    }
}

/// The path of an entity (unlocked read).
pub(crate) async fn path_of(conn: &mut PgConnection, id: Uuid) -> CoreResult<String> {
    sqlx::query_scalar("SELECT path::text FROM entities WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(CoreError::NotFound { what: "entity", id })
}

/// Takes the lock of the entity's root, then row-locks the entity, and
/// starts the transaction over (via `retrying`) if a concurrent move took
/// it to another root in between.
pub(crate) async fn lock_in_root(conn: &mut PgConnection, id: Uuid) -> CoreResult<LockedEntity> {
    let root = root_label_of(conn, id).await?;
    lock_roots(conn, std::slice::from_ref(&root)).await?;
    let entity = locked_entity(conn, id).await?;
    if entity.root_label() != root {
        return Err(moved_concurrently());
    }
    Ok(entity)
}

/// Reads and row-locks one entity.
pub(crate) async fn locked_entity(conn: &mut PgConnection, id: Uuid) -> CoreResult<LockedEntity> {
    sqlx::query_as::<_, LockedEntity>(
        "SELECT e.id, e.parent_entity_id AS parent_id, e.path::text AS path, e.path_label,
                t.key AS type_key, e.updated_at, e.deleted_at
         FROM entities e JOIN entity_type_definitions t ON t.id = e.entity_type_id
         WHERE e.id = $1 FOR UPDATE OF e",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(CoreError::NotFound { what: "entity", id })
}

/// Locks the roots of an entity, then the entity, and checks the version
/// the caller saw. A mismatch is a `Conflict` carrying the current row.
pub(crate) async fn lock_for_change(
    conn: &mut PgConnection,
    id: Uuid,
    expected: DateTime<Utc>,
) -> CoreResult<LockedEntity> {
    let path = path_of(conn, id).await?;
    let roots = roots_for_path(&path);
    lock_roots(conn, &roots).await?;
    let entity = locked_entity(conn, id).await?;
    if roots_for_path(&entity.path) != roots {
        // Moved between the read and the lock: start over.
        return Err(moved_concurrently());
    }
    check_version(conn, &entity, expected).await?;
    Ok(entity)
}

/// Refuses with `Conflict` (carrying the current row) when the entity is not
/// at the version the caller saw.
pub(crate) async fn check_version(
    conn: &mut PgConnection,
    entity: &LockedEntity,
    expected: DateTime<Utc>,
) -> CoreResult<()> {
    if entity.updated_at != expected {
        let current = if entity.deleted_at.is_some() {
            CurrentRow::Missing
        } else {
            CurrentRow::Entity(Box::new(tree_node(conn, entity.id).await?))
        };
        return Err(CoreError::Conflict {
            message: "this entity was changed by someone else since you loaded it".into(),
            current,
        });
    }
    Ok(())
}
