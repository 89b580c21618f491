//! The tree's read paths, sized by measurement (BENCHMARKS.md): children by
//! `parent_entity_id` in path-label order with keyset paging, a
//! has-children flag, breadcrumbs from the ids in `path`, and subtree counts
//! as a btree range on `path`.

use sqlx::{PgConnection, PgExecutor, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::records::*;
use super::sql::{
    CHILDREN_AFTER_SQL, CHILDREN_FIRST_SQL, CRUMBS_SQL, ROOTS_SQL, SUBTREE_COUNT_SQL,
    SUBTREE_SIZE_SQL, TREE_NODE_SQL,
};
use crate::error::{CoreError, CoreResult};
use crate::records::TreeNode;

/// The most rows one page of children holds.
pub const MAX_PAGE: u32 = 5_000;

/// The tree row of one entity (live or deleted).
pub async fn tree_node(conn: &mut PgConnection, id: Uuid) -> CoreResult<TreeNode> {
    sqlx::query_as::<_, TreeNode>(TREE_NODE_SQL)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(CoreError::NotFound { what: "entity", id })
}

/// The live roots of the registry, in path-label order.
#[instrument(skip_all)]
pub async fn list_roots<'e>(db: impl PgExecutor<'e>) -> CoreResult<Vec<TreeNode>> {
    Ok(sqlx::query_as::<_, TreeNode>(ROOTS_SQL)
        .fetch_all(db)
        .await?)
}

/// All live children of a live entity, in path-label order (for small
/// nodes and tests; the browser pages with [`children_page`]).
pub async fn list_children(pool: &PgPool, parent_id: Uuid) -> CoreResult<Vec<TreeNode>> {
    let mut nodes = Vec::new();
    let mut after = None;
    loop {
        let page = children_page(pool, parent_id, after.as_deref(), MAX_PAGE).await?;
        nodes.extend(page.nodes);
        match page.next_cursor {
            Some(c) => after = Some(c),
            None => return Ok(nodes),
        }
    }
}

/// One page of the live children of a live entity, after the cursor (a
/// `path_label`), at most `limit` (capped at [`MAX_PAGE`]).
#[instrument(skip_all)]
pub async fn children_page(
    pool: &PgPool,
    parent_id: Uuid,
    after: Option<&str>,
    limit: u32,
) -> CoreResult<ChildPage> {
    let limit = limit.clamp(1, MAX_PAGE);
    let mut conn = pool.acquire().await?;
    // Two statements rather than `($2 IS NULL OR label > $2)`: each lets the
    // (parent_entity_id, path_label) index return the rows in order, so no
    // sort and the LIMIT stops the scan.
    let page = i64::from(limit) + 1;
    let mut nodes = match after {
        None => {
            sqlx::query_as::<_, TreeNode>(CHILDREN_FIRST_SQL)
                .bind(parent_id)
                .bind(page)
                .fetch_all(&mut *conn)
                .await?
        }
        Some(cursor) => {
            sqlx::query_as::<_, TreeNode>(CHILDREN_AFTER_SQL)
                .bind(parent_id)
                .bind(cursor)
                .bind(page)
                .fetch_all(&mut *conn)
                .await?
        }
    };
    if nodes.is_empty() && after.is_none() {
        let live: Option<bool> =
            sqlx::query_scalar("SELECT deleted_at IS NULL FROM entities WHERE id = $1")
                .bind(parent_id)
                .fetch_optional(&mut *conn)
                .await?;
        if live != Some(true) {
            return Err(CoreError::NotFound {
                what: "entity",
                id: parent_id,
            });
        }
    }
    let next_cursor = if nodes.len() > limit as usize {
        nodes.truncate(limit as usize);
        nodes.last().map(|n| n.path_label.clone())
    } else {
        None
    };
    Ok(ChildPage { nodes, next_cursor })
}

/// An entity with its breadcrumb.
#[instrument(skip_all)]
pub async fn get_entity(pool: &PgPool, id: Uuid) -> CoreResult<EntityDetail> {
    let mut conn = pool.acquire().await?;
    let node = tree_node(&mut conn, id).await?;
    let (path, created_at, deleted_at): (String, _, _) =
        sqlx::query_as("SELECT path::text, created_at, deleted_at FROM entities WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let breadcrumb = crumbs_of_path(&mut conn, &path).await?;
    Ok(EntityDetail {
        node,
        created_at,
        deleted_at,
        breadcrumb,
    })
}

/// The ancestors of an entity, root first.
#[instrument(skip_all)]
pub async fn breadcrumb(pool: &PgPool, id: Uuid) -> CoreResult<Vec<Crumb>> {
    let mut conn = pool.acquire().await?;
    let path: String = sqlx::query_scalar("SELECT path::text FROM entities WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CoreError::NotFound { what: "entity", id })?;
    crumbs_of_path(&mut conn, &path).await
}

/// Ancestors from the ids in the path's labels: primary-key lookups, no
/// tree walk.
async fn crumbs_of_path(conn: &mut PgConnection, path: &str) -> CoreResult<Vec<Crumb>> {
    let mut ids: Vec<Uuid> = path
        .split('.')
        .filter_map(|label| Uuid::try_parse(label).ok())
        .collect();
    ids.pop(); // the entity itself
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query_as::<_, Crumb>(CRUMBS_SQL)
        .bind(&ids)
        .fetch_all(conn)
        .await?;
    Ok(ids
        .iter()
        .filter_map(|id| rows.iter().find(|c| c.id == *id).cloned())
        .collect())
}

/// Live entities in the subtree of `id`, itself included: the count the read
/// model maintains (no count at query time, whatever the subtree's size).
#[instrument(skip_all)]
pub async fn subtree_count(pool: &PgPool, id: Uuid) -> CoreResult<i64> {
    // A live entity's count is maintained on its read-model row; an entity
    // that is not live has none and is counted (it has no live subtree).
    let maintained: Option<i32> = sqlx::query_scalar(SUBTREE_SIZE_SQL)
        .bind(id)
        .fetch_optional(pool)
        .await?;
    match maintained {
        Some(n) => Ok(i64::from(n)),
        None => subtree_rows(pool, id, true).await,
    }
}

/// Rows in the subtree of `id` (itself included), live only or all: a
/// btree range scan on `path` (labels are 32 hex digits, so `path || '0'`
/// bounds the subtree from above).
pub(crate) async fn subtree_rows(pool: &PgPool, id: Uuid, live_only: bool) -> CoreResult<i64> {
    let path: String = sqlx::query_scalar("SELECT path::text FROM entities WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(CoreError::NotFound { what: "entity", id })?;
    Ok(sqlx::query_scalar(SUBTREE_COUNT_SQL)
        .bind(&path)
        .bind(live_only)
        .fetch_one(pool)
        .await?)
}

/// How many live entities the registry holds.
pub async fn count_live_entities<'e>(db: impl PgExecutor<'e>) -> CoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM entities WHERE deleted_at IS NULL")
            .fetch_one(db)
            .await?,
    )
}
