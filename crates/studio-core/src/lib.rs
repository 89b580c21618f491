//! Eco Studio's domain and PostgreSQL data layer.
//!
//! Invariants:
//! - This crate is the only one that talks to PostgreSQL; the desktop shell
//!   and the CLI parse input, call a function here and shape the result.
//! - Every mutation writes its `audit_events` row in the same transaction.
//! - Nothing here knows about windows, webviews or keychains, so all of it is
//!   testable against a plain database.

pub mod audit;
pub mod bench;
pub mod db;
pub mod demo;
pub mod error;
pub mod generate;
pub mod registry;
pub mod slug;
pub mod startup;
#[cfg(feature = "testing")]
pub mod testing;

pub use audit::Actor;
pub use error::{CoreError, CoreResult};
