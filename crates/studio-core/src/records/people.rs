//! People and their scopes: the records the people domain, the change
//! pipeline and the front ends exchange.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a scope allows on its root (seeing the root takes any live scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Capability {
    #[serde(rename = "read")]
    Read,
    #[serde(rename = "write")]
    Write,
    /// Manage the scopes on the root.
    #[serde(rename = "admin")]
    Admin,
    #[serde(rename = "secrets:read")]
    SecretsRead,
    #[serde(rename = "secrets:write")]
    SecretsWrite,
    #[serde(rename = "purge")]
    Purge,
    #[serde(rename = "workflows:run")]
    WorkflowsRun,
    #[serde(rename = "workflows:edit")]
    WorkflowsEdit,
}

impl Capability {
    pub const ALL: [Capability; 8] = [
        Capability::Read,
        Capability::Write,
        Capability::Admin,
        Capability::SecretsRead,
        Capability::SecretsWrite,
        Capability::Purge,
        Capability::WorkflowsRun,
        Capability::WorkflowsEdit,
    ];

    /// The name stored in `user_root_entity_scopes.capabilities`.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Read => "read",
            Capability::Write => "write",
            Capability::Admin => "admin",
            Capability::SecretsRead => "secrets:read",
            Capability::SecretsWrite => "secrets:write",
            Capability::Purge => "purge",
            Capability::WorkflowsRun => "workflows:run",
            Capability::WorkflowsEdit => "workflows:edit",
        }
    }
}

/// A person (`users`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: Uuid,
    /// The login role; None for a person without one.
    pub pg_role: Option<String>,
    pub display_name: String,
    pub email: Option<String>,
    /// A global administrator: every capability on every root, and the
    /// global definitions and people.
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
    /// Set when the person was deactivated.
    pub deleted_at: Option<DateTime<Utc>>,
    /// The role is a superuser or bypasses row-level security: the owner
    /// or a maintenance role the studio recorded as an actor, not a person
    /// who can sign in to the app.
    pub maintenance: bool,
}

/// A person's capabilities on one root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    pub id: Uuid,
    pub user_id: Uuid,
    pub root_id: Uuid,
    /// The root's name and path label, as far as the caller sees it.
    pub root_name: Option<String>,
    pub root_label: Option<String>,
    pub capabilities: Vec<Capability>,
    pub updated_at: DateTime<Utc>,
}
