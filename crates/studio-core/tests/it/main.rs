//! studio-core's integration tests, one binary: every test gets a fresh
//! database cloned from a migrated template, on a throwaway cluster shared
//! by the whole run (`studio_core::testing`).

mod bulk;
mod changes;
mod common;
mod concurrency;
mod constraints;
mod dashboards;
mod facts;
mod import;
mod invariants;
mod kill_mid_move;
mod layout;
mod links;
mod packs;
mod people;
mod pooler;
mod properties;
mod registry;
mod registry_ops;
mod replica;
mod schema;
mod startup;
mod vault;
mod views;
mod views_fuzz;
mod workflows;
