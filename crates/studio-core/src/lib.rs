//! Eco Studio's domain and PostgreSQL data layer.
//!
//! Layout (one folder per domain, each with its rules, its SQL and its
//! records):
//! - `registry/`: entity types and the entity tree (create, rename, move,
//!   delete, restore, purge, reads, search, history);
//! - `properties/`: property groups, definitions and their rules, which
//!   properties each type shows, and the values;
//! - `links/`: tags and tag groups, entity groups, relationships;
//! - `read_model/`: one row per live entity for the tree, views and search,
//!   kept in step by the change pipeline;
//! - `change/`: who acts ([`Actor`], [`Source`]) and the change pipeline
//!   every mutation ends in (audit row, derived data, the returned
//!   [`Change`]);
//! - `db/`: connecting, migrating, the transaction-and-retry wrapper;
//! - `people/`: people (one login role each), their scopes and
//!   capabilities on roots, the security checker; row-level security in
//!   the database enforces them;
//! - `bulk/`: one edit applied to many entities, previewed, all or nothing;
//! - `views/`: the view document, its compiler, pages, counts, export and
//!   saved views;
//! - `vault/`: envelope-encrypted secrets per root (keys and versions,
//!   rotation, rewrap, reveal), the key providers' trait and the lock;
//! - `import/`: CSV, JSON and NDJSON rows to entities by external id
//!   (staged with COPY, one set-based merge, dry-run diffs, the run log,
//!   mapping presets); `packs/`: domain packs (types, properties, tags,
//!   views, dashboards, workflows and sample data as data), installed and
//!   upgraded idempotently;
//! - `jobs`: background jobs (large moves, bulk edits, exports, rewraps),
//!   `progress`: progress and cancel;
//! - `demo/`: the demo registry and the estate's entity types (data);
//! - `startup`: opening the database the studio works on, as whom;
//!   `profiles`: the servers a person signs in to (passwords only through
//!   a `PasswordStore`, the keychain), their TLS rules and connection test;
//! - `error`, `constraints`, `records`: the shared error type, what each
//!   schema constraint means, the records several domains share.
//!
//! Invariants:
//! - Nothing here knows about windows, webviews or keychains (a keychain
//!   comes in through `vault::KeyProvider` and `profiles::PasswordStore`),
//!   so all of it is testable against a plain database.
//! - Every mutation has a transaction form (`*_in(&mut PgConnection, ..)`)
//!   and a pool form (`db::transaction`, retried on collisions), and records
//!   what it did through [`change::record`] in its own transaction.

pub mod alerts;
pub mod bulk;
pub mod change;
pub mod constraints;
pub mod dashboards;
pub mod db;
pub mod demo;
pub mod error;
pub mod import;
#[doc(hidden)]
pub mod internals;
pub mod jobs;
pub mod links;
pub mod metrics;
pub mod offline;
pub mod packs;
pub mod people;
pub mod profiles;
pub mod progress;
pub mod properties;
pub mod read_model;
pub mod records;
pub mod registry;
pub mod startup;
#[cfg(feature = "testing")]
pub mod testing;
pub mod vault;
pub mod views;
pub mod workflows;

pub use change::{Actor, Applied, Change, Source};
pub use error::{CoreError, CoreResult, Rule, ValidationError};
