//! Not part of the API. The statements and lock rules the core runs, for
//! the measuring code in `studio-bench` (the raw-SQL floors of `bench` and
//! the bulk generator), so it runs the very same SQL and follows the same
//! rules instead of keeping copies.

pub use crate::properties::{pane_fields_sql, PANE_ENTITY_SQL, PANE_GROUPS_SQL};
pub use crate::read_model::{move_subtree as read_model_moved, refresh_values};
pub use crate::registry::locks::lock_top_level;
pub use crate::registry::sql::{
    BY_NAME, BY_PATH_LABEL, CHILDREN_AFTER_SQL, CHILDREN_FIRST_SQL, CRUMBS_SQL, MOVE_CHUNK_SQL,
    MOVE_REPARENT_SQL, ROOTS_SQL, SUBTREE_COUNT_SQL, SUBTREE_SIZE_SQL, TREE_NODE_SQL, TREE_SELECT,
};
pub use crate::registry::{SearchQuery, SearchRow};
