//! Properties: the typed values of entities (seed 000: ordinary editable
//! data is a property, not a column). Groups and definitions with their
//! rules, which properties each entity type shows, and the values.
//!
//! Every entity's display name is the system property `name`, created by the
//! second migration; its id is written here once and every statement that
//! reads names is built from it (a test checks the migrations agree).
//!
//! Files: `kinds` (value types, rules, checking values), `records` (inputs
//! and outcomes), `definitions` (groups and definitions), `layouts` (a
//! type's properties), `values` (the pane, setting and clearing values,
//! restoring a past state).

mod definitions;
mod kinds;
mod layouts;
mod records;
mod values;

pub use definitions::*;
pub use kinds::*;
pub use layouts::*;
pub use records::*;
pub use values::*;

pub use crate::records::{NAME_PROPERTY_ID, NAME_PROPERTY_KEY};
