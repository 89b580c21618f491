//! Saving views: create, update (rename, describe, change the document),
//! duplicate, delete and restore, each through the change pipeline. A view
//! is personal (its owner's) or shared, and may be pinned to a root (then
//! only those who see the root see it: row-level security). Its document is
//! compiled before it is saved, so a saved view always runs.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::{compile_for, ViewDocument};
use crate::change::{self, Actor, Applied, Change};
use crate::db::{self, Catalog};
use crate::error::{CoreError, CoreResult, Rule};
use crate::records::{CurrentRow, SavedView, VersionedId};

const VIEW_SELECT: &str =
    "SELECT id, key, name, description, view_type, owner_user_id, root_entity_id,
        config, created_at, updated_at, deleted_at FROM admin_saved_views";

/// A new saved view.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewView {
    pub name: String,
    pub key: Option<String>,
    pub description: Option<String>,
    /// Shared with everyone (who sees its root), or the signed-in person's.
    pub shared: bool,
    pub root_id: Option<Uuid>,
    pub document: ViewDocument,
}

/// A change to a saved view, against the version the caller read.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ViewUpdate {
    pub id: Uuid,
    pub expected_updated_at: DateTime<Utc>,
    pub name: String,
    pub description: Option<String>,
    pub document: ViewDocument,
}

fn check_name(name: &str, description: Option<&str>) -> CoreResult<()> {
    let n = name.trim().chars().count();
    if n == 0 || n > 200 {
        return Err(CoreError::invalid(
            Some("name"),
            Rule::Required,
            "a view needs a name of 1 to 200 characters",
        ));
    }
    if description.is_some_and(|d| d.chars().count() > 2_000) {
        return Err(CoreError::invalid(
            Some("description"),
            Rule::TooLong,
            "at most 2,000 characters",
        ));
    }
    Ok(())
}

fn check_key(key: &str) -> CoreResult<()> {
    let ok = !key.is_empty()
        && key.len() <= 64
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(CoreError::invalid(
            Some("key"),
            Rule::Format,
            "a key is 1 to 64 lowercase letters, digits and underscores, starting with a letter",
        ))
    }
}

async fn view_row(conn: &mut PgConnection, id: Uuid, lock: bool) -> CoreResult<SavedView> {
    let sql = format!(
        "{VIEW_SELECT} WHERE id = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CoreError::NotFound {
            what: "saved view",
            id,
        })
}

async fn lock_view(
    conn: &mut PgConnection,
    id: Uuid,
    expected: DateTime<Utc>,
) -> CoreResult<SavedView> {
    let view = view_row(conn, id, true).await?;
    if view.updated_at != expected {
        return Err(CoreError::Conflict {
            message: "this view was changed by someone else since you loaded it".into(),
            current: CurrentRow::SavedView(Box::new(view)),
        });
    }
    Ok(view)
}

/// Refuses a key another live view holds. Creations of one key wait for
/// each other (a transaction-scoped lock on the key), so two cannot both
/// pass this check.
async fn claim_key(conn: &mut PgConnection, key: &str, except: Option<Uuid>) -> CoreResult<()> {
    sqlx::query(
        "SELECT pg_advisory_xact_lock(hashtextextended('admin_saved_views.key:' || $1, 0))",
    )
    .bind(key)
    .execute(&mut *conn)
    .await?;
    let taken: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM admin_saved_views
                         WHERE key = $1 AND deleted_at IS NULL AND id IS DISTINCT FROM $2)",
    )
    .bind(key)
    .bind(except)
    .fetch_one(&mut *conn)
    .await?;
    if taken {
        return Err(CoreError::invalid(
            Some("key"),
            Rule::Unique,
            format!("a view with the key {key:?} exists"),
        ));
    }
    Ok(())
}

/// The owner of a new personal record (the signed-in person), or None for
/// a shared one; a personal record without a signed-in person is refused
/// with `refusal`.
pub(crate) async fn owner_of(
    conn: &mut PgConnection,
    shared: bool,
    refusal: &str,
) -> CoreResult<Option<Uuid>> {
    if shared {
        return Ok(None);
    }
    let me: Option<Uuid> = sqlx::query_scalar("SELECT eco_current_user_id()")
        .fetch_one(&mut *conn)
        .await?;
    me.map(Some)
        .ok_or_else(|| CoreError::invalid(Some("shared"), Rule::State, refusal.to_string()))
}

/// Refuses a pin to anything but a live root (`refusal` names the record).
pub(crate) async fn check_pinned_root(
    conn: &mut PgConnection,
    root: Uuid,
    refusal: &str,
) -> CoreResult<()> {
    let is_root: Option<bool> = sqlx::query_scalar(
        "SELECT parent_entity_id IS NULL FROM entities WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(root)
    .fetch_optional(&mut *conn)
    .await?;
    match is_root {
        Some(true) => Ok(()),
        Some(false) => Err(CoreError::invalid(
            Some("rootId"),
            Rule::State,
            refusal.to_string(),
        )),
        None => Err(CoreError::NotFound {
            what: "entity",
            id: root,
        }),
    }
}

#[instrument(skip_all)]
pub async fn create_view(
    pool: &PgPool,
    actor: &Actor,
    input: &NewView,
) -> CoreResult<Applied<SavedView>> {
    crate::transaction!(pool, |tx| create_view_in(tx, actor, input)).await
}

pub async fn create_view_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &NewView,
) -> CoreResult<Applied<SavedView>> {
    check_name(&input.name, input.description.as_deref())?;
    compile_for(conn, &input.document).await?;
    if let Some(key) = &input.key {
        check_key(key)?;
        claim_key(conn, key, None).await?;
    }
    let owner = owner_of(
        conn,
        input.shared,
        "a personal view needs a signed-in person: save it shared",
    )
    .await?;
    if let Some(root) = input.root_id {
        check_pinned_root(conn, root, "a view is pinned to a root").await?;
    }
    let id = Uuid::now_v7();
    let config = serde_json::to_value(&input.document).expect("a document serialises");
    sqlx::query(
        "INSERT INTO admin_saved_views (id, owner_user_id, root_entity_id, key, name, description,
                                        view_type, config, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now())",
    )
    .bind(id)
    .bind(owner)
    .bind(input.root_id)
    .bind(&input.key)
    .bind(input.name.trim())
    .bind(&input.description)
    .bind(view_type(&input.document))
    .bind(&config)
    .execute(&mut *conn)
    .await?;
    let view = view_row(conn, id, false).await?;
    change::record(
        conn,
        actor,
        Change::SavedViewCreated { view: view.clone() },
        view,
    )
    .await
}

fn view_type(doc: &ViewDocument) -> &'static str {
    match doc.view_type {
        super::ViewType::Table => "table",
        super::ViewType::Board => "board",
        super::ViewType::Tree => "tree",
    }
}

#[instrument(skip_all, fields(id = %input.id))]
pub async fn update_view(
    pool: &PgPool,
    actor: &Actor,
    input: &ViewUpdate,
) -> CoreResult<Applied<SavedView>> {
    crate::transaction!(pool, |tx| update_view_in(tx, actor, input)).await
}

pub async fn update_view_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &ViewUpdate,
) -> CoreResult<Applied<SavedView>> {
    check_name(&input.name, input.description.as_deref())?;
    compile_for(conn, &input.document).await?;
    let before = lock_view(conn, input.id, input.expected_updated_at).await?;
    if before.deleted_at.is_some() {
        return Err(CoreError::state("the view is deleted: restore it first"));
    }
    let config = serde_json::to_value(&input.document).expect("a document serialises");
    let changed = sqlx::query(
        "UPDATE admin_saved_views SET name = $2, description = $3, view_type = $4, config = $5,
                updated_at = clock_timestamp() WHERE id = $1",
    )
    .bind(input.id)
    .bind(input.name.trim())
    .bind(&input.description)
    .bind(view_type(&input.document))
    .bind(&config)
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() == 0 {
        // Row-level security let the person read it but not change it.
        return Err(CoreError::Forbidden("you may not change this view".into()));
    }
    let after = view_row(conn, input.id, false).await?;
    let change = Change::SavedViewUpdated {
        before: Box::new(before),
        after: Box::new(after.clone()),
    };
    change::record(conn, actor, change, after).await
}

/// A copy of a view, personal unless `shared`, named "<name> (copy)",
/// without a key.
pub async fn duplicate_view(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    shared: bool,
) -> CoreResult<Applied<SavedView>> {
    crate::transaction!(pool, |tx| duplicate_view_in(tx, actor, id, shared)).await
}

pub async fn duplicate_view_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    shared: bool,
) -> CoreResult<Applied<SavedView>> {
    let source = view_row(conn, id, false).await?;
    let document = super::parse_document(&source.config.to_string())?;
    let input = NewView {
        name: format!("{} (copy)", source.name),
        key: None,
        description: source.description.clone(),
        shared,
        root_id: source.root_entity_id,
        document,
    };
    create_view_in(conn, actor, &input).await
}

#[instrument(skip_all, fields(id = %input.id))]
pub async fn delete_view(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<SavedView>> {
    crate::transaction!(pool, |tx| set_view_deleted(tx, actor, input, true)).await
}

#[instrument(skip_all, fields(id = %input.id))]
pub async fn restore_view(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<SavedView>> {
    crate::transaction!(pool, |tx| set_view_deleted(tx, actor, input, false)).await
}

async fn set_view_deleted(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &VersionedId,
    deleted: bool,
) -> CoreResult<Applied<SavedView>> {
    let before = lock_view(conn, input.id, input.expected_updated_at).await?;
    if before.deleted_at.is_some() == deleted {
        return Err(CoreError::state(if deleted {
            "the view is already deleted"
        } else {
            "the view is not deleted"
        }));
    }
    if !deleted {
        if let Some(key) = &before.key {
            claim_key(conn, key, Some(before.id)).await?;
        }
    }
    db::set_deleted(conn, Catalog::SavedViews, input.id, deleted).await?;
    let after = view_row(conn, input.id, false).await?;
    if after.deleted_at.is_some() != deleted {
        return Err(CoreError::Forbidden("you may not change this view".into()));
    }
    let change = if deleted {
        Change::SavedViewDeleted {
            view: after.clone(),
        }
    } else {
        Change::SavedViewRestored {
            view: after.clone(),
        }
    };
    change::record(conn, actor, change, after).await
}
