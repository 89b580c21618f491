//! Eco Studio's measuring tools, used by `eco-studio seed generate` and
//! `eco-studio bench`: a generator of large, realistic registries and the
//! benchmark suite that times the core's operations against their floor
//! (the same statements as plain SQL).
//!
//! This crate talks to PostgreSQL directly, as measuring needs (COPY for
//! bulk loads, raw statements for floors), but never with statements of its
//! own where the core has one: it takes them from `studio_core::internals`,
//! and it follows the core's label and lock rules and records its bulk
//! change through the core's change pipeline.

pub mod dashboards;
pub mod generate;
pub mod import;
pub mod load;
pub mod offline;
pub mod properties;
pub mod replica;
pub mod tree;
pub mod vault;
pub mod views;
pub mod workflows;
