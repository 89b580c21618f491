//! The read model: one row per live entity (`entity_read_model`) with what
//! the tree, the views and search read most: its type, root, parent, name,
//! label, searchable property values, tag ids, ancestor ids, live child and
//! descendant counts, and version. The system of record stays `entities`,
//! `entity_property_values` and `entity_tags`; this module keeps the read
//! model in step with them, inside the transaction of every change (the
//! change pipeline calls it), and can check and rebuild it.
//!
//! Counts are kept by delta (a subtree of k live rows moving away takes k
//! from every old ancestor's count and gives k to every new one), so no
//! change ever counts a tenant's subtree; `check` recomputes everything from
//! the system of record by another route and lists any difference.
//!
//! This module depends on nothing of the crate but `error` and the name
//! property's id.

use serde::Serialize;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use crate::error::CoreResult;
use crate::records::name_property_id;

/// The computed columns of the read-model row of each entity `e` (counts
/// excepted), for `... FROM entities e WHERE <which>`.
// The values are read by entity first (`OFFSET 0` keeps the planner from
// reaching them through the definition's index, which statistics that lag
// behind a large insert in the same transaction make look cheap: 17 s
// instead of 20 ms for 5,000 new entities).
macro_rules! computed_row {
    () => {
        concat!(
            "SELECT e.id AS entity_id,
                    ltree2text(subpath(e.path, 0, 1))::uuid AS root_id,
                    e.parent_entity_id AS parent_id,
                    e.entity_type_id,
                    COALESCE((SELECT n.value #>> '{}'
                              FROM (SELECT property_definition_id, value FROM entity_property_values
                                     WHERE entity_id = e.id AND deleted_at IS NULL OFFSET 0) n
                              WHERE n.property_definition_id = '",
            $crate::records::name_property_id!(),
            "'), '') AS name,
                    e.path_label,
                    COALESCE((SELECT jsonb_object_agg(d.key, v.value)
                              FROM (SELECT property_definition_id, value FROM entity_property_values
                                     WHERE entity_id = e.id AND deleted_at IS NULL OFFSET 0) v
                              JOIN property_definitions d ON d.id = v.property_definition_id
                               AND d.deleted_at IS NULL AND d.is_searchable
                               AND NOT d.is_sensitive AND d.id <> '",
            $crate::records::name_property_id!(),
            "'), '{}') AS properties,
                    COALESCE((SELECT array_agg(t.tag_entity_id ORDER BY t.tag_entity_id)
                              FROM entity_tags t
                              WHERE t.entity_id = e.id AND t.deleted_at IS NULL), '{}') AS tag_ids,
                    string_to_array(subpath(e.path, 0, nlevel(e.path) - 1)::text, '.')::uuid[] AS ancestor_ids,
                    e.updated_at
             FROM entities e"
        )
    };
}

/// The computed columns of every live entity's row (counts excepted), by
/// aggregating values and tags once for the whole registry (hash joins)
/// rather than one look-up per row: for rebuilding and checking everything.
macro_rules! all_rows {
    () => {
        concat!(
            "SELECT e.id AS entity_id,
                    ltree2text(subpath(e.path, 0, 1))::uuid AS root_id,
                    e.parent_entity_id AS parent_id,
                    e.entity_type_id,
                    COALESCE(n.name, '') AS name,
                    e.path_label,
                    COALESCE(p.properties, '{}') AS properties,
                    COALESCE(t.tag_ids, '{}') AS tag_ids,
                    string_to_array(subpath(e.path, 0, nlevel(e.path) - 1)::text, '.')::uuid[] AS ancestor_ids,
                    e.updated_at
             FROM entities e
             LEFT JOIN (SELECT entity_id, value #>> '{}' AS name FROM entity_property_values
                        WHERE deleted_at IS NULL AND property_definition_id = '",
            $crate::records::name_property_id!(),
            "') n ON n.entity_id = e.id
             LEFT JOIN (SELECT v.entity_id, jsonb_object_agg(d.key, v.value) AS properties
                        FROM entity_property_values v
                        JOIN property_definitions d ON d.id = v.property_definition_id
                         AND d.deleted_at IS NULL AND d.is_searchable AND NOT d.is_sensitive
                         AND d.id <> '",
            $crate::records::name_property_id!(),
            "'
                        WHERE v.deleted_at IS NULL GROUP BY v.entity_id) p ON p.entity_id = e.id
             LEFT JOIN (SELECT entity_id, array_agg(tag_entity_id ORDER BY tag_entity_id) AS tag_ids
                        FROM entity_tags WHERE deleted_at IS NULL GROUP BY entity_id) t ON t.entity_id = e.id
             WHERE e.deleted_at IS NULL"
        )
    };
}

/// Adds the rows of the live entities in the subtree of `top` (itself
/// included) that the read model lacks, with their counts, and adds them to
/// the counts of `top`'s ancestors. After a create (one row) or a restore.
pub(crate) async fn add_subtree(conn: &mut PgConnection, top: Uuid) -> CoreResult<i64> {
    let Some(path) = path_of(conn, top).await? else {
        return Ok(0);
    };
    let ids: Vec<Uuid> = sqlx::query_scalar(concat!(
        "INSERT INTO entity_read_model (
            entity_id, root_id, parent_id, entity_type_id, name, path_label, properties,
            tag_ids, ancestor_ids, updated_at, child_count, descendant_count)
         SELECT c.*, 0, 0 FROM (",
        computed_row!(),
        " WHERE e.path >= $1::ltree AND e.path < ($1 || '0')::ltree
            AND e.deleted_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM entity_read_model r WHERE r.entity_id = e.id)) c
         RETURNING entity_id"
    ))
    .bind(&path)
    .fetch_all(&mut *conn)
    .await?;
    let k = ids.len() as i64;
    if k == 0 {
        return Ok(0);
    }
    if k > 1 {
        // Counts inside the added subtree: every live row below an added row
        // was added with it.
        sqlx::query(
            "UPDATE entity_read_model r SET child_count = x.n
             FROM (SELECT parent_id, count(*) AS n FROM entity_read_model
                   WHERE entity_id = ANY($1) GROUP BY parent_id) x
             WHERE r.entity_id = x.parent_id AND r.entity_id = ANY($1)",
        )
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE entity_read_model r SET descendant_count = x.n
             FROM (SELECT a, count(*) AS n FROM entity_read_model, unnest(ancestor_ids) a
                   WHERE entity_id = ANY($1) GROUP BY a) x
             WHERE r.entity_id = x.a AND r.entity_id = ANY($1)",
        )
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "UPDATE entity_read_model r
            SET descendant_count = r.descendant_count + $2,
                child_count = r.child_count + (r.entity_id = t.parent_id)::int
         FROM entity_read_model t
         WHERE t.entity_id = $1 AND r.entity_id = ANY(t.ancestor_ids)",
    )
    .bind(top)
    .bind(k)
    .execute(&mut *conn)
    .await?;
    Ok(k)
}

/// Removes the rows of the subtree of `top` (itself included; after a
/// delete) and takes them from the counts of `top`'s ancestors.
/// Adds rows for entities just created together (any number, parents
/// before children or in the same call), and counts them in their
/// ancestors' child and descendant counts.
pub(crate) async fn add_entities(conn: &mut PgConnection, ids: &[Uuid]) -> CoreResult<()> {
    let added: Vec<Uuid> = sqlx::query_scalar(concat!(
        "INSERT INTO entity_read_model (
            entity_id, root_id, parent_id, entity_type_id, name, path_label, properties,
            tag_ids, ancestor_ids, updated_at, child_count, descendant_count)
         SELECT c.*, 0, 0 FROM (",
        computed_row!(),
        " JOIN unnest($1::uuid[]) AS x(id) ON x.id = e.id
          WHERE e.deleted_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM entity_read_model r WHERE r.entity_id = e.id)) c
         RETURNING entity_id"
    ))
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?;
    if added.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE entity_read_model r SET child_count = r.child_count + x.n
           FROM (SELECT m.parent_id, count(*) AS n
                   FROM unnest($1::uuid[]) AS a(id) JOIN entity_read_model m ON m.entity_id = a.id
                  WHERE m.parent_id IS NOT NULL GROUP BY m.parent_id) x
          WHERE r.entity_id = x.parent_id",
    )
    .bind(&added)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE entity_read_model r SET descendant_count = r.descendant_count + x.n
           FROM (SELECT anc, count(*) AS n
                   FROM unnest($1::uuid[]) AS a(id) JOIN entity_read_model m ON m.entity_id = a.id,
                        unnest(m.ancestor_ids) anc
                  GROUP BY anc) x
          WHERE r.entity_id = x.anc",
    )
    .bind(&added)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn remove_subtree(conn: &mut PgConnection, top: Uuid) -> CoreResult<i64> {
    let row: Option<(Vec<Uuid>, Option<Uuid>)> = sqlx::query_as(
        "SELECT ancestor_ids, parent_id FROM entity_read_model WHERE entity_id = $1",
    )
    .bind(top)
    .fetch_optional(&mut *conn)
    .await?;
    let (Some((ancestors, parent)), Some(path)) = (row, path_of(conn, top).await?) else {
        return Ok(0);
    };
    let k = sqlx::query(
        "DELETE FROM entity_read_model WHERE entity_id = $1
            OR entity_id IN (SELECT e.id FROM entities e
                             WHERE e.path > $2::ltree AND e.path < ($2 || '0')::ltree)",
    )
    .bind(top)
    .bind(&path)
    .execute(&mut *conn)
    .await?
    .rows_affected() as i64;
    shift_counts(conn, &ancestors, parent, -k, -1).await?;
    Ok(k)
}

/// The path of `id` as text. The statements over a subtree take it as a
/// value rather than joining the top row: the planner then sees the range
/// and estimates the rows of a small subtree as few (a join leaves it to
/// guess a large share of the table, and a large guess brings JIT
/// compilation, ~12 ms, to a one-row create).
async fn path_of(conn: &mut PgConnection, id: Uuid) -> CoreResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT path::text FROM entities WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

/// Adds `rows` to the descendant counts of `ancestors` and `children` to the
/// child count of `parent`.
async fn shift_counts(
    conn: &mut PgConnection,
    ancestors: &[Uuid],
    parent: Option<Uuid>,
    rows: i64,
    children: i64,
) -> CoreResult<()> {
    if ancestors.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE entity_read_model
            SET descendant_count = descendant_count + $2,
                child_count = child_count + CASE WHEN entity_id = $3 THEN $4 ELSE 0 END
         WHERE entity_id = ANY($1)",
    )
    .bind(ancestors)
    .bind(rows)
    .bind(parent)
    .bind(children)
    .execute(conn)
    .await?;
    Ok(())
}

/// After a move of `top` (its subtree's paths and labels rewritten in
/// `entities`): rewrites the subtree's root, ancestors and labels, and moves
/// its rows from the old ancestors' counts to the new ones'.
pub async fn move_subtree(conn: &mut PgConnection, top: Uuid) -> CoreResult<()> {
    let row: Option<(Vec<Uuid>, Option<Uuid>, i32)> = sqlx::query_as(
        "SELECT ancestor_ids, parent_id, descendant_count FROM entity_read_model WHERE entity_id = $1",
    )
    .bind(top)
    .fetch_optional(&mut *conn)
    .await?;
    let (Some((old_ancestors, old_parent, descendants)), Some(path)) =
        (row, path_of(conn, top).await?)
    else {
        return Ok(());
    };
    let k = i64::from(descendants) + 1;
    sqlx::query(
        "UPDATE entity_read_model r
            SET root_id = ltree2text(subpath(e.path, 0, 1))::uuid,
                parent_id = e.parent_entity_id,
                path_label = e.path_label,
                ancestor_ids = string_to_array(subpath(e.path, 0, nlevel(e.path) - 1)::text, '.')::uuid[],
                updated_at = e.updated_at
         FROM entities e
         WHERE e.path >= $1::ltree AND e.path < ($1 || '0')::ltree
           AND e.deleted_at IS NULL AND r.entity_id = e.id",
    )
    .bind(&path)
    .execute(&mut *conn)
    .await?;
    shift_counts(conn, &old_ancestors, old_parent, -k, -1).await?;
    let (new_ancestors, new_parent): (Vec<Uuid>, Option<Uuid>) = sqlx::query_as(
        "SELECT ancestor_ids, parent_id FROM entity_read_model WHERE entity_id = $1",
    )
    .bind(top)
    .fetch_one(&mut *conn)
    .await?;
    shift_counts(conn, &new_ancestors, new_parent, k, 1).await
}

/// After a rename: the name and version of `top` and the labels of its
/// subtree.
pub(crate) async fn rename_subtree(
    conn: &mut PgConnection,
    top: Uuid,
    labels_changed: bool,
) -> CoreResult<()> {
    sqlx::query(concat!(
        "UPDATE entity_read_model r
            SET name = COALESCE((SELECT n.value #>> '{}' FROM entity_property_values n
                                 WHERE n.entity_id = e.id AND n.deleted_at IS NULL
                                   AND n.property_definition_id = '",
        name_property_id!(),
        "'), ''),
                path_label = e.path_label, updated_at = e.updated_at
         FROM entities e WHERE e.id = $1 AND r.entity_id = e.id"
    ))
    .bind(top)
    .execute(&mut *conn)
    .await?;
    if labels_changed {
        if let Some(path) = path_of(conn, top).await? {
            sqlx::query(
                "UPDATE entity_read_model r SET path_label = e.path_label
                 FROM entities e
                 WHERE e.path > $1::ltree AND e.path < ($1 || '0')::ltree
                   AND e.deleted_at IS NULL AND r.entity_id = e.id AND r.path_label <> e.path_label",
            )
            .bind(&path)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Recomputes the property values, tag ids and version of these entities
/// (after their values or tags changed).
pub async fn refresh_values(conn: &mut PgConnection, ids: &[Uuid]) -> CoreResult<()> {
    sqlx::query(concat!(
        "UPDATE entity_read_model r
            SET properties = c.properties, tag_ids = c.tag_ids, updated_at = c.updated_at
         FROM (",
        computed_row!(),
        " WHERE e.id = ANY($1)) c
         WHERE r.entity_id = c.entity_id"
    ))
    .bind(ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// Recomputes the property values of every entity holding a value of this
/// property (after it was deleted, restored, or made sensitive or not
/// searchable).
pub(crate) async fn refresh_property(conn: &mut PgConnection, definition: Uuid) -> CoreResult<()> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT DISTINCT entity_id FROM entity_property_values WHERE property_definition_id = $1",
    )
    .bind(definition)
    .fetch_all(&mut *conn)
    .await?;
    for chunk in ids.chunks(10_000) {
        refresh_values(conn, chunk).await?;
    }
    Ok(())
}

/// Rebuilds the whole read model from the system of record, in one
/// transaction (a savepoint when the caller's connection is in one). Returns
/// the rows written.
pub async fn rebuild(conn: &mut PgConnection) -> CoreResult<u64> {
    let mut tx = conn.begin().await?;
    let rows = rebuild_in(&mut tx).await?;
    tx.commit().await?;
    Ok(rows)
}

async fn rebuild_in(conn: &mut PgConnection) -> CoreResult<u64> {
    sqlx::query("LOCK TABLE entity_read_model IN EXCLUSIVE MODE")
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM entity_read_model")
        .execute(&mut *conn)
        .await?;
    // The aggregates below hash a row per entity: memory for them rather
    // than batches spilled to disk (until the transaction ends).
    sqlx::query("SET LOCAL work_mem = '256MB'")
        .execute(&mut *conn)
        .await?;
    // One pass: the rows and their counts together (the counts from the
    // rows' own parents and ancestors), so no row is written twice.
    let rows = sqlx::query(concat!(
        "WITH c AS (",
        all_rows!(),
        "),
         children AS (SELECT parent_id AS id, count(*) AS n FROM c
                      WHERE parent_id IS NOT NULL GROUP BY 1),
         descendants AS (SELECT a AS id, count(*) AS n FROM c, unnest(c.ancestor_ids) a GROUP BY 1)
         INSERT INTO entity_read_model (
            entity_id, root_id, parent_id, entity_type_id, name, path_label, properties,
            tag_ids, ancestor_ids, updated_at, child_count, descendant_count)
         SELECT c.*, COALESCE(ch.n, 0), COALESCE(de.n, 0)
         FROM c LEFT JOIN children ch ON ch.id = c.entity_id
                LEFT JOIN descendants de ON de.id = c.entity_id"
    ))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(rows)
}

/// True when the read model is empty while live entities exist: a database
/// migrated from before the read model, to rebuild once.
pub async fn needs_rebuild(conn: &mut PgConnection) -> CoreResult<bool> {
    Ok(sqlx::query_scalar(
        "SELECT NOT EXISTS (SELECT 1 FROM entity_read_model)
            AND EXISTS (SELECT 1 FROM entities WHERE deleted_at IS NULL)",
    )
    .fetch_one(conn)
    .await?)
}

/// One difference between the read model and the system of record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Discrepancy {
    pub entity_id: Uuid,
    /// `missing` (no row for a live entity), `extra` (a row for an entity
    /// that is not live), or the name of the first column that differs.
    pub problem: String,
}

/// Compares every row with one recomputed from the system of record (the
/// counts by another route than the deltas the changes apply: from the
/// paths of all live entities). Lists at most `limit` differences.
pub async fn check(conn: &mut PgConnection, limit: u32) -> CoreResult<Vec<Discrepancy>> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as(concat!(
        "WITH c AS (",
        all_rows!(),
        "),
         children AS (SELECT parent_entity_id AS id, count(*) AS n FROM entities
                      WHERE deleted_at IS NULL AND parent_entity_id IS NOT NULL GROUP BY 1),
         descendants AS (SELECT ltree2text(subpath(e.path, i, 1))::uuid AS id, count(*) AS n
                         FROM entities e, generate_series(0, nlevel(e.path) - 2) i
                         WHERE e.deleted_at IS NULL GROUP BY 1),
         expected AS (SELECT c.*, COALESCE(ch.n, 0)::int AS child_count,
                             COALESCE(de.n, 0)::int AS descendant_count
                      FROM c LEFT JOIN children ch ON ch.id = c.entity_id
                             LEFT JOIN descendants de ON de.id = c.entity_id)
         SELECT COALESCE(x.entity_id, r.entity_id),
                CASE WHEN r.entity_id IS NULL THEN 'missing'
                     WHEN x.entity_id IS NULL THEN 'extra'
                     WHEN r.root_id <> x.root_id THEN 'root_id'
                     WHEN r.parent_id IS DISTINCT FROM x.parent_id THEN 'parent_id'
                     WHEN r.entity_type_id <> x.entity_type_id THEN 'entity_type_id'
                     WHEN r.name <> x.name THEN 'name'
                     WHEN r.path_label <> x.path_label THEN 'path_label'
                     WHEN r.properties <> x.properties THEN 'properties'
                     WHEN r.tag_ids <> x.tag_ids THEN 'tag_ids'
                     WHEN r.ancestor_ids <> x.ancestor_ids THEN 'ancestor_ids'
                     WHEN r.child_count <> x.child_count THEN 'child_count'
                     WHEN r.descendant_count <> x.descendant_count THEN 'descendant_count'
                     WHEN r.updated_at <> x.updated_at THEN 'updated_at'
                END AS problem
         FROM expected x FULL JOIN entity_read_model r ON r.entity_id = x.entity_id
         WHERE r.entity_id IS NULL OR x.entity_id IS NULL
            OR (r.root_id, r.parent_id, r.entity_type_id, r.name, r.path_label, r.properties,
                r.tag_ids, r.ancestor_ids, r.child_count, r.descendant_count, r.updated_at)
               IS DISTINCT FROM
               (x.root_id, x.parent_id, x.entity_type_id, x.name, x.path_label, x.properties,
                x.tag_ids, x.ancestor_ids, x.child_count, x.descendant_count, x.updated_at)
         ORDER BY 1
         LIMIT $1"
    ))
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(entity_id, problem)| Discrepancy { entity_id, problem })
        .collect())
}

#[cfg(test)]
mod tests {
    /// The stored columns, in the order of `computed_row!` plus the counts.
    const COLUMNS: &str =
        "entity_id, root_id, parent_id, entity_type_id, name, path_label, properties,
         tag_ids, ancestor_ids, updated_at, child_count, descendant_count";

    #[test]
    fn the_columns_list_matches_the_computed_row() {
        let computed = computed_row!();
        for column in COLUMNS.split(',').map(str::trim) {
            if column.ends_with("_count") {
                continue;
            }
            assert!(
                computed.contains(&format!("AS {column}"))
                    || computed.contains(&format!("e.{column}")),
                "{column} is computed"
            );
        }
    }
}
