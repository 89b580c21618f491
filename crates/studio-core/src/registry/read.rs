//! The tree's read paths, sized by measurement (DESIGN §4): children by
//! `parent_entity_id` in path-label order with keyset paging, a
//! has-children flag, breadcrumbs from the ids in `path`, subtree counts as
//! a btree range on `path`, and trigram search with capped counts.

use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::model::*;
use crate::error::{CoreError, CoreResult};

/// The most rows one page of children holds.
pub const MAX_PAGE: u32 = 5_000;
/// Search needs this many characters (trigrams).
pub const MIN_SEARCH_CHARS: usize = 3;
/// Search counts are exact up to this many.
pub const SEARCH_COUNT_CAP: i64 = 1_000;

pub(crate) const TREE_SELECT: &str = "
    SELECT e.id, e.parent_entity_id AS parent_id, t.key AS type_key, t.name AS type_name, t.icon,
           COALESCE(v.value #>> '{}', '') AS name, e.path_label,
           EXISTS (SELECT 1 FROM entities c
                   WHERE c.parent_entity_id = e.id AND c.deleted_at IS NULL) AS has_children,
           e.updated_at
    FROM entities e
    JOIN entity_type_definitions t ON t.id = e.entity_type_id
    LEFT JOIN entity_property_values v
           ON v.entity_id = e.id AND v.deleted_at IS NULL
          AND v.property_definition_id = '01900000-0000-7000-8000-000000000002'";

/// The tree row of one entity (live or deleted).
pub async fn tree_node(conn: &mut PgConnection, id: Uuid) -> CoreResult<TreeNode> {
    let sql = format!("{TREE_SELECT} WHERE e.id = $1");
    sqlx::query_as::<_, TreeNode>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(CoreError::NotFound { what: "entity", id })
}

/// The live roots of the registry, in path-label order.
pub async fn list_roots<'e>(db: impl PgExecutor<'e>) -> CoreResult<Vec<TreeNode>> {
    let sql = format!(
        "{TREE_SELECT} WHERE e.parent_entity_id IS NULL AND e.deleted_at IS NULL ORDER BY e.path_label"
    );
    Ok(sqlx::query_as::<_, TreeNode>(sqlx::AssertSqlSafe(sql))
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
            let sql = format!(
                "{TREE_SELECT} WHERE e.parent_entity_id = $1 AND e.deleted_at IS NULL
                 ORDER BY e.path_label LIMIT $2"
            );
            sqlx::query_as::<_, TreeNode>(sqlx::AssertSqlSafe(sql))
                .bind(parent_id)
                .bind(page)
                .fetch_all(&mut *conn)
                .await?
        }
        Some(cursor) => {
            let sql = format!(
                "{TREE_SELECT} WHERE e.parent_entity_id = $1 AND e.deleted_at IS NULL
                   AND e.path_label > $2
                 ORDER BY e.path_label LIMIT $3"
            );
            sqlx::query_as::<_, TreeNode>(sqlx::AssertSqlSafe(sql))
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
    let rows = sqlx::query_as::<_, Crumb>(
        "SELECT e.id, COALESCE(v.value #>> '{}', '') AS name, t.key AS type_key, t.icon
         FROM entities e
         JOIN entity_type_definitions t ON t.id = e.entity_type_id
         LEFT JOIN entity_property_values v
                ON v.entity_id = e.id AND v.deleted_at IS NULL
               AND v.property_definition_id = '01900000-0000-7000-8000-000000000002'
         WHERE e.id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(conn)
    .await?;
    Ok(ids
        .iter()
        .filter_map(|id| rows.iter().find(|c| c.id == *id).cloned())
        .collect())
}

/// Live entities in the subtree of `id`, itself included: a btree range
/// scan on `path` (labels are 32 hex digits, so `path || '0'` bounds the
/// subtree from above).
pub async fn subtree_count(pool: &PgPool, id: Uuid) -> CoreResult<i64> {
    subtree_rows(pool, id, true).await
}

/// Rows in the subtree of `id` (itself included), live only or all.
pub(crate) async fn subtree_rows(pool: &PgPool, id: Uuid, live_only: bool) -> CoreResult<i64> {
    let path: String = sqlx::query_scalar("SELECT path::text FROM entities WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(CoreError::NotFound { what: "entity", id })?;
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM entities
         WHERE path >= $1::ltree AND path < ($1 || '0')::ltree
           AND (NOT $2 OR deleted_at IS NULL)",
    )
    .bind(&path)
    .bind(live_only)
    .fetch_one(pool)
    .await?)
}

/// Live entities whose name or path label contains `text` (at least
/// [`MIN_SEARCH_CHARS`] characters, case-insensitive), best first: exact
/// name, then names starting with the text, then the rest by path label.
/// The count is exact up to [`SEARCH_COUNT_CAP`].
pub async fn search(pool: &PgPool, text: &str, limit: u32) -> CoreResult<SearchResults> {
    let needle = text.trim();
    if needle.chars().count() < MIN_SEARCH_CHARS {
        return Err(CoreError::validation(format!(
            "type at least {MIN_SEARCH_CHARS} characters to search"
        )));
    }
    let query = SearchQuery::new(needle, limit);
    let mut tx = pool.begin().await?;
    // A generic plan of these queries can be 1000x slower than a custom one.
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await?;
    let rows = query.rows(&mut *tx, true).await?;
    tx.commit().await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(SearchResults {
        hits: rows.into_iter().map(|r| r.node).collect(),
        total,
        total_capped: total >= SEARCH_COUNT_CAP,
    })
}

/// The search statement for one text: shared by [`search`] and the
/// benchmark's raw-SQL floor, so both run exactly the same SQL.
pub struct SearchQuery {
    sql: String,
    pattern: String,
    needle: String,
    limit: i64,
}

impl SearchQuery {
    pub fn new(needle: &str, limit: u32) -> Self {
        let limit = i64::from(limit.clamp(1, 200));
        // A plain word matches names; a dotted query ("site.building") matches
        // path labels, which hold every ancestor's slug.
        let (candidates, pattern) = if needle.contains('.') {
            (
                "SELECT e.id, COALESCE(v.value #>> '{}', '') AS name, e.path_label
                 FROM entities e
                 LEFT JOIN entity_property_values v
                        ON v.entity_id = e.id AND v.deleted_at IS NULL
                       AND v.property_definition_id = '01900000-0000-7000-8000-000000000002'
                 WHERE e.path_label ILIKE $1 AND e.deleted_at IS NULL",
                format!(
                    "%{}%",
                    escape_like(&needle.to_lowercase().replace(' ', "_"))
                ),
            )
        } else {
            (
                "SELECT v.entity_id AS id, v.value #>> '{}' AS name, e.path_label
                 FROM entity_property_values v
                 JOIN entities e ON e.id = v.entity_id AND e.deleted_at IS NULL
                 WHERE v.property_definition_id = '01900000-0000-7000-8000-000000000002'
                   AND v.deleted_at IS NULL AND (v.value #>> '{}') ILIKE $1",
                format!("%{}%", escape_like(needle)),
            )
        };
        // One statement: a capped candidate set (name and label included), its
        // size as the count, ranked there, and tree rows built only for the top
        // `limit`: exact name first, then names starting with the text, then
        // the shortest paths.
        let sql = format!(
            "WITH m AS MATERIALIZED ({candidates} LIMIT $2),
                  ranked AS (
                    SELECT id, row_number() OVER (
                             ORDER BY (lower(name) = lower($3)) DESC,
                                      (lower(name) LIKE lower($4)) DESC,
                                      length(path_label), path_label) AS rank
                    FROM m ORDER BY rank LIMIT $5)
             SELECT n.*, (SELECT count(*) FROM m) AS total
             FROM ranked r
             CROSS JOIN LATERAL ({TREE_SELECT} WHERE e.id = r.id) n
             ORDER BY r.rank"
        );
        SearchQuery {
            sql,
            pattern,
            needle: needle.to_string(),
            limit,
        }
    }

    /// Runs it; `prepared` false sends it as a one-off statement.
    pub async fn rows<'e>(
        &self,
        db: impl PgExecutor<'e>,
        prepared: bool,
    ) -> CoreResult<Vec<SearchRow>> {
        Ok(
            sqlx::query_as::<_, SearchRow>(sqlx::AssertSqlSafe(self.sql.clone()))
                .bind(&self.pattern)
                .bind(SEARCH_COUNT_CAP)
                .bind(&self.needle)
                .bind(format!("{}%", escape_like(&self.needle)))
                .bind(self.limit)
                .persistent(prepared)
                .fetch_all(db)
                .await?,
        )
    }
}

/// One search hit and the (capped) number of matches.
#[derive(sqlx::FromRow)]
pub struct SearchRow {
    #[sqlx(flatten)]
    pub node: TreeNode,
    pub total: i64,
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// How many live entities the registry holds.
pub async fn count_live_entities<'e>(db: impl PgExecutor<'e>) -> CoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM entities WHERE deleted_at IS NULL")
            .fetch_one(db)
            .await?,
    )
}
