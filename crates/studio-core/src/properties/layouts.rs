//! Which properties an entity type shows, in which order, and which it
//! requires (`entity_type_properties`): a Device shows its fields and a Site
//! its own. The system property `name` is every type's and is not listed.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::records::*;
use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, Rule};
use crate::records::{CurrentRow, LayoutEntry};

/// The layout of an entity type (live properties only, in order).
#[instrument(skip_all, fields(%entity_type_id))]
pub async fn type_layout(pool: &PgPool, entity_type_id: Uuid) -> CoreResult<TypeLayout> {
    let mut conn = pool.acquire().await?;
    type_layout_in(&mut conn, entity_type_id).await
}

/// [`type_layout`] on the caller's connection.
pub async fn type_layout_in(
    conn: &mut PgConnection,
    entity_type_id: Uuid,
) -> CoreResult<TypeLayout> {
    let updated_at: DateTime<Utc> =
        sqlx::query_scalar("SELECT updated_at FROM entity_type_definitions WHERE id = $1")
            .bind(entity_type_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(CoreError::NotFound {
                what: "entity type",
                id: entity_type_id,
            })?;
    Ok(TypeLayout {
        entity_type_id,
        updated_at,
        entries: entries_of(conn, entity_type_id).await?,
    })
}

async fn entries_of(conn: &mut PgConnection, entity_type_id: Uuid) -> CoreResult<Vec<LayoutEntry>> {
    let rows: Vec<(Uuid, bool)> = sqlx::query_as(
        "SELECT p.property_definition_id, p.is_required
         FROM entity_type_properties p
         JOIN property_definitions d ON d.id = p.property_definition_id AND d.deleted_at IS NULL
         WHERE p.entity_type_id = $1 AND p.deleted_at IS NULL
         ORDER BY p.display_order, d.name",
    )
    .bind(entity_type_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(definition_id, is_required)| LayoutEntry {
            definition_id,
            is_required,
        })
        .collect())
}

/// Replaces a type's layout with `entries`, in their order.
#[instrument(skip_all, fields(entity_type_id = %input.entity_type_id))]
pub async fn set_type_layout(
    pool: &PgPool,
    actor: &Actor,
    input: &TypeLayoutUpdate,
) -> CoreResult<Applied<TypeLayout>> {
    crate::transaction!(pool, |tx| set_type_layout_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn set_type_layout_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &TypeLayoutUpdate,
) -> CoreResult<Applied<TypeLayout>> {
    let ty = {
        sqlx::query("SELECT 1 FROM entity_type_definitions WHERE id = $1 FOR UPDATE")
            .bind(input.entity_type_id)
            .execute(&mut *conn)
            .await?;
        crate::registry::get_entity_type(conn, input.entity_type_id).await?
    };
    if ty.updated_at != input.expected_updated_at {
        return Err(CoreError::Conflict {
            message: "this type was changed by someone else since you loaded it".into(),
            current: CurrentRow::EntityType(Box::new(ty)),
        });
    }
    if ty.deleted_at.is_some() {
        return Err(CoreError::state(
            "a deleted type has no layout to edit; restore it first",
        ));
    }
    let ids: Vec<Uuid> = input.entries.iter().map(|e| e.definition_id).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != ids.len() {
        return Err(CoreError::invalid(
            Some("entries"),
            Rule::Unique,
            "a property can appear once in a layout",
        ));
    }
    // FOR SHARE: the properties cannot be deleted until we commit.
    let usable: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM property_definitions
         WHERE id = ANY($1) AND deleted_at IS NULL AND id <> $2 FOR SHARE",
    )
    .bind(&ids)
    .bind(crate::records::NAME_PROPERTY_ID)
    .fetch_all(&mut *conn)
    .await?;
    if let Some(bad) = ids.iter().find(|id| !usable.contains(id)) {
        return Err(CoreError::invalid(
            Some("entries"),
            Rule::Reference,
            format!("property {bad} does not exist, is deleted, or is the system name"),
        ));
    }
    let before = entries_of(conn, input.entity_type_id).await?;
    // Rows no longer in the layout are soft-deleted; the others are set to
    // their new place (inserted when new).
    sqlx::query(
        "UPDATE entity_type_properties SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
         WHERE entity_type_id = $1 AND deleted_at IS NULL AND NOT (property_definition_id = ANY($2))",
    )
    .bind(input.entity_type_id)
    .bind(&ids)
    .execute(&mut *conn)
    .await?;
    let required: Vec<bool> = input.entries.iter().map(|e| e.is_required).collect();
    sqlx::query(
        "UPDATE entity_type_properties p
            SET display_order = o.n - 1, is_required = o.req, updated_at = clock_timestamp()
         FROM unnest($2::uuid[], $3::bool[]) WITH ORDINALITY AS o(def, req, n)
         WHERE p.entity_type_id = $1 AND p.deleted_at IS NULL AND p.property_definition_id = o.def",
    )
    .bind(input.entity_type_id)
    .bind(&ids)
    .bind(&required)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO entity_type_properties
            (id, entity_type_id, property_definition_id, display_order, is_required, created_at, updated_at)
         SELECT gen_random_uuid(), $1, o.def, o.n - 1, o.req, now(), now()
         FROM unnest($2::uuid[], $3::bool[]) WITH ORDINALITY AS o(def, req, n)
         WHERE NOT EXISTS (SELECT 1 FROM entity_type_properties p
                           WHERE p.entity_type_id = $1 AND p.property_definition_id = o.def
                             AND p.deleted_at IS NULL)",
    )
    .bind(input.entity_type_id)
    .bind(&ids)
    .bind(&required)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE entity_type_definitions SET updated_at = clock_timestamp() WHERE id = $1")
        .bind(input.entity_type_id)
        .execute(&mut *conn)
        .await?;
    let layout = type_layout_in(conn, input.entity_type_id).await?;
    let change = Change::TypeLayoutChanged {
        entity_type_id: input.entity_type_id,
        before,
        after: layout.entries.clone(),
    };
    change::record(conn, actor, change, layout).await
}
