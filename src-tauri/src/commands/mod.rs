//! The window's commands: each parses its arguments, calls studio-core and
//! shapes the result. No SQL and no domain rules live here. Mutations emit
//! a `RegistryChanged` event naming the window they came from.

pub mod jobs;
pub mod registry;
pub mod startup;
pub mod types;

pub use jobs::JobProgress;
pub use registry::RegistryChanged;
pub use startup::StartupEvent;
