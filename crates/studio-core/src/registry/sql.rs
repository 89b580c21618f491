//! The registry's shared statements: the tree row select, breadcrumbs,
//! subtree counts, search candidates and the move's rewrites. The
//! operations run them, and the benchmark's raw-SQL floors (studio-bench,
//! through `studio_core::internals`) run the very same text.

use crate::records::name_join;

/// The select of a [`TreeNode`](crate::records::TreeNode) from
/// `entities e`, to which a statement adds its WHERE. A macro, so the
/// statements below are assembled at compile time.
macro_rules! tree_select {
    () => {
        concat!(
            "SELECT e.id, e.parent_entity_id AS parent_id, t.key AS type_key, t.name AS type_name,
                    t.icon, COALESCE(v.value #>> '{}', '') AS name, e.path_label,
                    EXISTS (SELECT 1 FROM entities c
                            WHERE c.parent_entity_id = e.id AND c.deleted_at IS NULL) AS has_children,
                    e.updated_at
             FROM entities e
             JOIN entity_type_definitions t ON t.id = e.entity_type_id
             ",
            name_join!()
        )
    };
}

/// The tree-row select, for statements built at run time (search).
pub const TREE_SELECT: &str = tree_select!();

/// The tree row of entity `$1` (live or deleted).
pub const TREE_NODE_SQL: &str = concat!(tree_select!(), " WHERE e.id = $1");

/// The select of a [`TreeNode`](crate::records::TreeNode) from the read
/// model `r` (live entities only): name and child count are stored on the
/// row, so a page of children needs no per-row lookups.
macro_rules! read_model_select {
    () => {
        "SELECT r.entity_id AS id, r.parent_id, t.key AS type_key, t.name AS type_name, t.icon,
                r.name, r.path_label, r.child_count > 0 AS has_children, r.updated_at
         FROM entity_read_model r
         JOIN entity_type_definitions t ON t.id = r.entity_type_id"
    };
}

/// The live roots, in path-label order.
pub const ROOTS_SQL: &str = concat!(
    read_model_select!(),
    " WHERE r.parent_id IS NULL ORDER BY r.path_label"
);

/// The first `$2` live children of `$1` in path-label order. (Two
/// statements rather than `($2 IS NULL OR label > $2)`: each lets the
/// `(parent_id, path_label)` index return the rows in order, so no sort,
/// and the LIMIT stops the scan.)
pub const CHILDREN_FIRST_SQL: &str = concat!(
    read_model_select!(),
    " WHERE r.parent_id = $1 ORDER BY r.path_label LIMIT $2"
);

/// The next `$3` live children of `$1` after the label `$2`.
pub const CHILDREN_AFTER_SQL: &str = concat!(
    read_model_select!(),
    " WHERE r.parent_id = $1 AND r.path_label > $2 ORDER BY r.path_label LIMIT $3"
);

/// The live entities in the subtree of `$1` (itself included), from the
/// maintained count; no row for an entity that is not live.
pub const SUBTREE_SIZE_SQL: &str =
    "SELECT descendant_count + 1 FROM entity_read_model WHERE entity_id = $1";

/// The breadcrumb statement: the crumbs of the ids in `$1` (unordered).
pub const CRUMBS_SQL: &str = concat!(
    "SELECT e.id, COALESCE(v.value #>> '{}', '') AS name, t.key AS type_key, t.icon
     FROM entities e
     JOIN entity_type_definitions t ON t.id = e.entity_type_id
     ",
    name_join!(),
    "
     WHERE e.id = ANY($1)"
);

/// A subtree's row count as a btree range on `path` (`$1` the root's path,
/// `$2` true to count live rows only).
pub const SUBTREE_COUNT_SQL: &str = "SELECT count(*) FROM entities
     WHERE path >= $1::ltree AND path < ($1 || '0')::ltree
       AND (NOT $2 OR deleted_at IS NULL)";

/// Candidates of a dotted query: live path labels holding the pattern `$1`
/// (at most `$2`), among the entities the current role sees. A function:
/// ILIKE is not LEAKPROOF, so under row-level security a plain statement
/// could not use the trigram index (see the migration
/// `indexes_under_row_security`).
pub const BY_PATH_LABEL: &str =
    "SELECT c.id, c.name, c.path_label FROM eco_search_labels(current_user, $1, $2) c";

/// Candidates of a word: live names holding the pattern `$1` (at most `$2`),
/// from the read model, among the entities the current role sees.
pub const BY_NAME: &str =
    "SELECT c.id, c.name, c.path_label FROM eco_search_names(current_user, $1, $2) c";

/// The statement that rewrites one chunk of a moved subtree: `$1` the old
/// path, `$2` the new path, `$3` the new label, `$4` the old depth, `$5` the
/// old label's length, `$6` the chunk size. Shared with the benchmark's floor.
pub const MOVE_CHUNK_SQL: &str = "UPDATE entities
     SET path = CASE WHEN nlevel(path) = $4 THEN $2::ltree
                     ELSE $2::ltree || subpath(path, $4) END,
         path_label = $3 || substr(path_label, $5 + 1)
     WHERE id IN (SELECT id FROM entities
                  WHERE path >= $1::ltree AND path < ($1 || '0')::ltree
                  LIMIT $6)";

/// The re-parenting statement that ends a move: `$1` the entity, `$2` its
/// new parent.
pub const MOVE_REPARENT_SQL: &str =
    "UPDATE entities SET parent_entity_id = $2, updated_at = clock_timestamp() WHERE id = $1";
