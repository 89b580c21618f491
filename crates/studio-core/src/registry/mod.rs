//! The registry: entity types, entities in the ltree hierarchy, the tree's
//! read paths, search, moves, deletion, restore and purge, and history.
//!
//! Every mutation takes the `updated_at` the caller saw and refuses with
//! [`CoreError::Conflict`](crate::CoreError::Conflict) (carrying the current
//! row) when it changed. Every mutation has a transaction form (`*_in`,
//! taking `&mut PgConnection`) and a pool form that runs it in a transaction
//! of its own, retried on collisions (`db::transaction`); both return an
//! [`Applied`](crate::change::Applied) whose changes went through the change
//! pipeline (`change::record`) in the same transaction.
//!
//! Files: `records` (inputs and outcomes), `labels` (slug and label rules),
//! `locks` (root, then row locks; version checks), `entities` (create,
//! rename, delete), `moves`, `trash` (restore, purge), `types` (entity
//! types), `read` (tree rows, children, breadcrumbs, counts), `search`,
//! `history`, `sql` (statements shared with the benchmark floors).

mod entities;
mod history;
pub mod labels;
pub(crate) mod locks;
pub(crate) use locks::{lock_roots as lock_roots_for_import, TOP_LEVEL as TOP_LEVEL_LOCK};
mod moves;
mod read;
mod records;
mod search;
pub(crate) mod sql;
mod trash;
mod types;

pub use entities::*;
pub use history::*;
pub use moves::*;
pub use read::*;
pub use records::*;
pub use search::*;
pub use trash::*;
pub use types::*;
