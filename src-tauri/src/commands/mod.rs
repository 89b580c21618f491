//! The window's commands: each parses its arguments, makes one studio-core
//! call and shapes the result. No SQL and no domain rules live here.
//! Mutations announce their changes through `events::announce`.

pub mod bulk;
pub mod dashboards;
pub mod import;
pub mod jobs;
pub mod links;
pub mod offline;
pub mod people;
pub mod properties;
pub mod registry;
pub mod signin;
pub mod startup;
pub mod types;
pub mod vault;
pub mod views;
pub mod workflows;
