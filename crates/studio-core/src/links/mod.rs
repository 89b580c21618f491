//! Links between entities beyond the tree (seed 000): tags and tag groups,
//! entity groups and their members, and typed relationships.
//!
//! Files: `records` (inputs and outcomes), `tags`, `groups`,
//! `relationships`.

mod groups;
mod records;
mod relationships;
mod tags;

pub use groups::*;
pub use records::*;
pub use relationships::*;
pub use tags::*;
