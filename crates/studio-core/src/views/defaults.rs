//! The view each entity type opens with: a shared saved view a global
//! administrator chose, or, when there is none (or the person cannot see
//! it), a view made from the type's layout: its entities, named and placed,
//! with the first of its searchable properties as columns.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::document::{Column, Filter, SortKey, ViewDocument, ViewType, VIEW_DOCUMENT_VERSION};
use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, Rule};

/// How many of a type's properties its generated view shows as columns.
const GENERATED_COLUMNS: i64 = 6;

/// A type's chosen view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TypeDefaultView {
    pub entity_type_id: Uuid,
    pub saved_view_id: Uuid,
    pub updated_at: DateTime<Utc>,
}

/// Choose (or with `view_id` None, clear) the view a type opens with.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SetTypeDefaultView {
    pub entity_type_id: Uuid,
    pub view_id: Option<Uuid>,
}

/// The chosen views the person can open (a choice of a view they cannot
/// see is left out: they get the generated view).
pub async fn type_default_views(pool: &PgPool) -> CoreResult<Vec<TypeDefaultView>> {
    Ok(sqlx::query_as(
        "SELECT d.entity_type_id, d.saved_view_id, d.updated_at
           FROM entity_type_default_views d
           JOIN admin_saved_views v ON v.id = d.saved_view_id AND v.deleted_at IS NULL
          WHERE d.deleted_at IS NULL
          ORDER BY d.entity_type_id",
    )
    .fetch_all(pool)
    .await?)
}

pub async fn set_type_default_view(
    pool: &PgPool,
    actor: &Actor,
    input: &SetTypeDefaultView,
) -> CoreResult<Applied<Option<TypeDefaultView>>> {
    crate::transaction!(pool, |tx| set_type_default_view_in(tx, actor, input)).await
}

pub async fn set_type_default_view_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &SetTypeDefaultView,
) -> CoreResult<Applied<Option<TypeDefaultView>>> {
    let live_type: Option<bool> =
        sqlx::query_scalar("SELECT deleted_at IS NULL FROM entity_type_definitions WHERE id = $1")
            .bind(input.entity_type_id)
            .fetch_optional(&mut *conn)
            .await?;
    match live_type {
        None => {
            return Err(CoreError::NotFound {
                what: "entity type",
                id: input.entity_type_id,
            })
        }
        Some(false) => return Err(CoreError::state("the entity type is deleted")),
        Some(true) => {}
    }
    // Concurrent choices for one type queue here; the later one wins, and
    // both are in the audit.
    let before: Option<Uuid> = sqlx::query_scalar::<_, Option<Uuid>>(
        "SELECT CASE WHEN deleted_at IS NULL THEN saved_view_id END
           FROM entity_type_default_views WHERE entity_type_id = $1 FOR UPDATE",
    )
    .bind(input.entity_type_id)
    .fetch_optional(&mut *conn)
    .await?
    .flatten();
    if before.is_none() && input.view_id.is_none() {
        return Ok(Applied::unchanged(None));
    }
    let written = match input.view_id {
        Some(view_id) => {
            let view: Option<(Option<Uuid>, bool)> = sqlx::query_as(
                "SELECT owner_user_id, deleted_at IS NULL FROM admin_saved_views WHERE id = $1",
            )
            .bind(view_id)
            .fetch_optional(&mut *conn)
            .await?;
            match view {
                None => {
                    return Err(CoreError::invalid(
                        Some("viewId"),
                        Rule::Reference,
                        "there is no such saved view",
                    ))
                }
                Some((_, false)) => {
                    return Err(CoreError::invalid(
                        Some("viewId"),
                        Rule::State,
                        "the view is deleted",
                    ))
                }
                Some((Some(_), _)) => {
                    return Err(CoreError::invalid(
                        Some("viewId"),
                        Rule::State,
                        "only a shared view can be a type's view: share it first",
                    ))
                }
                Some((None, true)) => {}
            }
            sqlx::query(
                "INSERT INTO entity_type_default_views
                        (id, entity_type_id, saved_view_id, created_at, updated_at)
                 VALUES ($3, $1, $2, clock_timestamp(), clock_timestamp())
                 ON CONFLICT (entity_type_id)
                 DO UPDATE SET saved_view_id = EXCLUDED.saved_view_id,
                               updated_at = EXCLUDED.updated_at, deleted_at = NULL",
            )
            .bind(input.entity_type_id)
            .bind(view_id)
            .bind(Uuid::now_v7())
            .execute(&mut *conn)
            .await?
            .rows_affected()
        }
        None => sqlx::query(
            "UPDATE entity_type_default_views
                SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
              WHERE entity_type_id = $1 AND deleted_at IS NULL",
        )
        .bind(input.entity_type_id)
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    };
    if written == 0 && before.is_some() {
        return Err(CoreError::Forbidden(
            "only a global administrator chooses a type's view".into(),
        ));
    }
    let after: Option<TypeDefaultView> = sqlx::query_as(
        "SELECT entity_type_id, saved_view_id, updated_at FROM entity_type_default_views
          WHERE entity_type_id = $1 AND deleted_at IS NULL",
    )
    .bind(input.entity_type_id)
    .fetch_optional(&mut *conn)
    .await?;
    let change = Change::TypeDefaultViewSet {
        entity_type_id: input.entity_type_id,
        before,
        after: after.as_ref().map(|a| a.saved_view_id),
    };
    change::record(conn, actor, change, after).await
}

/// The view a type opens with when none was chosen: its entities by name,
/// with their path and the first searchable properties of its layout.
pub async fn generated_type_view(pool: &PgPool, entity_type_id: Uuid) -> CoreResult<ViewDocument> {
    let mut conn = pool.acquire().await?;
    let conn = &mut *conn;
    let key: Option<String> = sqlx::query_scalar(
        "SELECT key FROM entity_type_definitions WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(entity_type_id)
    .fetch_optional(&mut *conn)
    .await?;
    let key = key.ok_or(CoreError::NotFound {
        what: "entity type",
        id: entity_type_id,
    })?;
    let properties: Vec<String> = sqlx::query_scalar(
        "SELECT d.key FROM entity_type_properties tp
           JOIN property_definitions d ON d.id = tp.property_definition_id
          WHERE tp.entity_type_id = $1 AND tp.deleted_at IS NULL AND d.deleted_at IS NULL
            AND d.is_searchable AND NOT d.is_sensitive AND d.id <> $2
          ORDER BY tp.display_order, d.key
          LIMIT $3",
    )
    .bind(entity_type_id)
    .bind(crate::records::NAME_PROPERTY_ID)
    .bind(GENERATED_COLUMNS)
    .fetch_all(&mut *conn)
    .await?;
    let mut columns = vec![Column::new("name"), Column::new("pathLabel")];
    columns.extend(
        properties
            .iter()
            .map(|k| Column::new(format!("property:{k}"))),
    );
    columns.push(Column::new("updatedAt"));
    Ok(ViewDocument {
        version: VIEW_DOCUMENT_VERSION,
        filter: Some(Filter::Type(vec![key])),
        columns,
        sort: vec![SortKey {
            field: "name".into(),
            descending: false,
        }],
        group_by: None,
        page_size: 50,
        view_type: ViewType::Table,
    })
}
