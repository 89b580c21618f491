//! Secrets: entities of the `secret` type whose values are sealed rows of
//! `vault_secret_versions`. Writing needs `secrets:write` (and, for a
//! secret that has versions, `secrets:read`: one sees what one replaces);
//! revealing needs `secrets:read`, a reason, and is audited. Row-level
//! security keeps the rows from anyone without `secrets:read`.

use std::sync::Arc;

use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::crypto::{self, SecretBinding};
use super::{
    check_reason, CreateSecret, RevealedSecret, SecretSummary, SecretText, SecretVersionInfo,
    Vault, SECRET_TYPE,
};
use crate::change::{self, current_user_id, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, Rule, VaultError};
use crate::people::require_on_entity;
use crate::records::Capability;
use crate::registry::{self, CreateEntity};

/// The largest value a secret holds (64 KiB of UTF-8).
pub const MAX_SECRET_BYTES: usize = 64 * 1024;

fn check_value(value: &SecretText) -> CoreResult<()> {
    if value.expose().is_empty() {
        return Err(CoreError::invalid(
            Some("value"),
            Rule::Required,
            "a secret needs a value",
        ));
    }
    if value.expose().len() > MAX_SECRET_BYTES {
        return Err(CoreError::invalid(
            Some("value"),
            Rule::TooLong,
            "a secret holds at most 64 KiB",
        ));
    }
    Ok(())
}

/// Creates a secret under `parent_id` with its first value. Needs
/// `write` and `secrets:write` on the root and an unlocked vault.
#[instrument(skip_all, fields(parent_id = %input.parent_id))]
pub async fn create_secret(
    pool: &PgPool,
    vault: &Arc<Vault>,
    actor: &Actor,
    input: &CreateSecret,
) -> CoreResult<Applied<SecretSummary>> {
    vault.touch()?;
    check_value(&input.value)?;
    let reason = check_reason(input.reason.as_deref(), false)?;
    crate::transaction!(pool, |tx| create_secret_in(
        tx,
        vault,
        actor,
        input,
        reason.as_deref()
    ))
    .await
}

async fn create_secret_in(
    tx: &mut PgConnection,
    vault: &Arc<Vault>,
    actor: &Actor,
    input: &CreateSecret,
    reason: Option<&str>,
) -> CoreResult<Applied<SecretSummary>> {
    require_on_entity(tx, input.parent_id, Capability::SecretsWrite).await?;
    let mut changes = Vec::new();
    let node = registry::create_in(
        tx,
        actor,
        &CreateEntity {
            type_key: SECRET_TYPE.to_string(),
            parent_id: Some(input.parent_id),
            name: input.name.clone(),
        },
    )
    .await?
    .collect_into(&mut changes);
    let root_id = root_of(tx, node.id).await?;
    write_version_in(tx, vault, actor, node.id, root_id, 1, &input.value, reason)
        .await?
        .collect_into(&mut changes);
    let summary = summary_of(tx, node.id).await?;
    Ok(Applied {
        value: summary,
        changes,
    })
}

async fn root_of(conn: &mut PgConnection, id: Uuid) -> CoreResult<Uuid> {
    Ok(
        sqlx::query_scalar("SELECT subpath(path, 0, 1)::text::uuid FROM entities WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

const SUMMARY: &str = "SELECT rm.entity_id AS id, rm.name, rm.root_id, rm.parent_id, rm.path_label,
        lv.version AS latest_version, lv.key_version AS latest_key_version,
        lv.created_at AS updated_at
    FROM entity_read_model rm
    LEFT JOIN LATERAL (
        SELECT s.version, kv.version AS key_version, s.created_at
        FROM vault_secret_versions s
        JOIN tenant_encryption_key_versions kv ON kv.id = s.tenant_encryption_key_version_id
        WHERE s.secret_entity_id = rm.entity_id AND s.deleted_at IS NULL
        ORDER BY s.version DESC LIMIT 1) lv ON true
    WHERE rm.entity_type_id = (SELECT id FROM entity_type_definitions WHERE key = 'secret')";

async fn summary_of(conn: &mut PgConnection, id: Uuid) -> CoreResult<SecretSummary> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY} AND rm.entity_id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CoreError::NotFound { what: "secret", id })
}

/// The secrets the person sees (in `root_id`, or everywhere), with their
/// latest version's metadata when the person may read versions. At most
/// 5,000, in path order.
pub async fn list_secrets(pool: &PgPool, root_id: Option<Uuid>) -> CoreResult<Vec<SecretSummary>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY} AND ($1::uuid IS NULL OR rm.root_id = $1) ORDER BY rm.path_label LIMIT 5000"
    )))
    .bind(root_id)
    .fetch_all(pool)
    .await?)
}

/// A secret's versions, newest first: metadata only.
pub async fn secret_versions(pool: &PgPool, secret_id: Uuid) -> CoreResult<Vec<SecretVersionInfo>> {
    let mut conn = pool.acquire().await?;
    require_secret(&mut conn, secret_id, false).await?;
    Ok(sqlx::query_as(
        "SELECT s.id, s.secret_entity_id AS secret_id, s.version, kv.version AS key_version,
                s.created_at, s.created_by_user_id, u.display_name AS created_by_name, s.reason
         FROM vault_secret_versions s
         JOIN tenant_encryption_key_versions kv ON kv.id = s.tenant_encryption_key_version_id
         LEFT JOIN users u ON u.id = s.created_by_user_id
         WHERE s.secret_entity_id = $1 AND s.deleted_at IS NULL
         ORDER BY s.version DESC",
    )
    .bind(secret_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Checks that `id` is a live secret the session sees; returns its root.
/// With `lock`, new versions of the secret wait for this transaction (an
/// advisory lock: a row lock would need `write` on the entity, which
/// writing a secret does not).
async fn require_secret(conn: &mut PgConnection, id: Uuid, lock: bool) -> CoreResult<Uuid> {
    if lock {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7021))")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    let row: Option<(String, Uuid)> = sqlx::query_as(
        "SELECT t.key, subpath(e.path, 0, 1)::text::uuid FROM entities e
         JOIN entity_type_definitions t ON t.id = e.entity_type_id
         WHERE e.id = $1 AND e.deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Err(CoreError::NotFound { what: "secret", id }),
        Some((key, _)) if key != SECRET_TYPE => Err(CoreError::invalid(
            Some("secretId"),
            Rule::Type,
            "that entity is not a secret",
        )),
        Some((_, root)) => Ok(root),
    }
}

/// Writes a new version of a secret, sealed by the root's newest key
/// version. Needs `secrets:write` and `secrets:read` and an unlocked vault.
#[instrument(skip_all, fields(secret_id = %secret_id))]
pub async fn write_secret(
    pool: &PgPool,
    vault: &Arc<Vault>,
    actor: &Actor,
    secret_id: Uuid,
    value: &SecretText,
    reason: Option<&str>,
) -> CoreResult<Applied<SecretVersionInfo>> {
    vault.touch()?;
    check_value(value)?;
    let reason = check_reason(reason, false)?;
    crate::transaction!(pool, |tx| write_secret_in(
        tx,
        vault,
        actor,
        secret_id,
        value,
        reason.as_deref()
    ))
    .await
}

/// [`write_secret`] in the caller's transaction.
pub async fn write_secret_in(
    tx: &mut PgConnection,
    vault: &Arc<Vault>,
    actor: &Actor,
    secret_id: Uuid,
    value: &SecretText,
    reason: Option<&str>,
) -> CoreResult<Applied<SecretVersionInfo>> {
    let root_id = require_secret(tx, secret_id, true).await?;
    require_on_entity(tx, secret_id, Capability::SecretsWrite).await?;
    require_on_entity(tx, secret_id, Capability::SecretsRead)
        .await
        .map_err(|e| match e {
            CoreError::Forbidden(_) => CoreError::Forbidden(
                "writing a new version needs 'secrets:read' too, to see the versions it follows"
                    .into(),
            ),
            e => e,
        })?;
    let version: i32 = sqlx::query_scalar(
        "SELECT coalesce(max(version), 0) + 1 FROM vault_secret_versions WHERE secret_entity_id = $1",
    )
    .bind(secret_id)
    .fetch_one(&mut *tx)
    .await?;
    write_version_in(tx, vault, actor, secret_id, root_id, version, value, reason).await
}

/// Seals `value` as version `version` of the secret and records it.
#[allow(clippy::too_many_arguments)]
async fn write_version_in(
    tx: &mut PgConnection,
    vault: &Arc<Vault>,
    actor: &Actor,
    secret_id: Uuid,
    root_id: Uuid,
    version: i32,
    value: &SecretText,
    reason: Option<&str>,
) -> CoreResult<Applied<SecretVersionInfo>> {
    let (key_version_id, key_version): (Uuid, i32) = sqlx::query_as(
        "SELECT v.id, v.version FROM tenant_encryption_key_versions v
         JOIN tenant_encryption_keys k ON k.id = v.tenant_encryption_key_id
         WHERE k.root_entity_id = $1 AND k.deleted_at IS NULL AND k.retired_at IS NULL
           AND v.deleted_at IS NULL
         ORDER BY v.version DESC LIMIT 1",
    )
    .bind(root_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(VaultError::NoKey)?;
    let data_key = vault.data_key(tx, key_version_id).await?;
    let binding = SecretBinding {
        secret_id,
        root_id,
        version,
        key_version,
    };
    let sealed = crypto::seal(&data_key, &binding.aad(), value.expose().as_bytes())?;
    let user_id = current_user_id(tx).await?;
    let id = Uuid::now_v7();
    // No RETURNING: a person who may write but not read secrets could not
    // read the new row back.
    let created_at: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("SELECT now()")
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO vault_secret_versions
            (id, secret_entity_id, root_entity_id, tenant_encryption_key_version_id, version,
             algorithm, nonce, ciphertext, auth_tag, aad, created_by_user_id, created_at, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id)
    .bind(secret_id)
    .bind(root_id)
    .bind(key_version_id)
    .bind(version)
    .bind(crypto::ALGORITHM)
    .bind(crypto::hex(&sealed.nonce))
    .bind(&sealed.ciphertext)
    .bind(crypto::hex(&sealed.tag))
    .bind(binding.to_json())
    .bind(user_id)
    .bind(created_at)
    .bind(reason)
    .execute(&mut *tx)
    .await?;
    let info = SecretVersionInfo {
        id,
        secret_id,
        version,
        key_version,
        created_at,
        created_by_user_id: user_id,
        created_by_name: None,
        reason: reason.map(str::to_string),
    };
    change::record(
        tx,
        actor,
        Change::SecretVersionWritten {
            secret_id,
            root_id,
            version,
            key_version,
            reason: reason.map(str::to_string),
        },
        info,
    )
    .await
}

/// A stored secret version, as read for decryption.
#[derive(sqlx::FromRow)]
pub(super) struct StoredVersion {
    pub id: Uuid,
    pub secret_entity_id: Uuid,
    pub root_entity_id: Uuid,
    pub version: i32,
    pub algorithm: String,
    pub nonce: String,
    pub ciphertext: Vec<u8>,
    pub auth_tag: String,
    pub aad: serde_json::Value,
    pub key_version_id: Uuid,
    pub key_version: i32,
    pub retired: bool,
    pub minimum: i32,
}

pub(super) const STORED_COLUMNS: &str = "s.id, s.secret_entity_id, s.root_entity_id, s.version,
    s.algorithm, s.nonce, s.ciphertext, s.auth_tag, s.aad,
    kv.id AS key_version_id, kv.version AS key_version, kv.retired_at IS NOT NULL AS retired,
    (SELECT coalesce(max(r.version) + 1, 1) FROM tenant_encryption_key_versions r
     WHERE r.tenant_encryption_key_id = kv.tenant_encryption_key_id AND r.retired_at IS NOT NULL)
        AS minimum";

/// Opens a stored version with its data key: every field is checked (the
/// stored binding against the row, then the tag over nonce, ciphertext and
/// binding); any difference is `VaultError::Integrity`.
pub(super) fn open_stored(
    stored: &StoredVersion,
    data_key: &crypto::Key,
) -> CoreResult<zeroize::Zeroizing<Vec<u8>>> {
    let binding = SecretBinding {
        secret_id: stored.secret_entity_id,
        root_id: stored.root_entity_id,
        version: stored.version,
        key_version: stored.key_version,
    };
    if stored.algorithm != crypto::ALGORITHM || !binding.matches(&stored.aad) {
        return Err(VaultError::Integrity("the secret's binding").into());
    }
    let bad = || CoreError::Vault(VaultError::Integrity("the secret's nonce or tag"));
    let sealed = crypto::Sealed {
        nonce: crypto::unhex_array(&stored.nonce).ok_or_else(bad)?,
        ciphertext: stored.ciphertext.clone(),
        tag: crypto::unhex_array(&stored.auth_tag).ok_or_else(bad)?,
    };
    crypto::open(data_key, &binding.aad(), &sealed, "the secret's ciphertext")
}

/// Reveals a version of a secret (the newest without `version`). Needs
/// `secrets:read`, an unlocked vault and a reason, which the audit row
/// keeps (never the value).
#[instrument(skip_all, fields(secret_id = %secret_id))]
pub async fn reveal(
    pool: &PgPool,
    vault: &Arc<Vault>,
    actor: &Actor,
    secret_id: Uuid,
    version: Option<i32>,
    reason: &str,
) -> CoreResult<Applied<RevealedSecret>> {
    vault.touch()?;
    let reason = check_reason(Some(reason), true)?.unwrap_or_default();
    crate::transaction!(pool, |tx| reveal_in(
        tx, vault, actor, secret_id, version, &reason
    ))
    .await
}

/// [`reveal`] in the caller's transaction.
pub async fn reveal_in(
    tx: &mut PgConnection,
    vault: &Arc<Vault>,
    actor: &Actor,
    secret_id: Uuid,
    version: Option<i32>,
    reason: &str,
) -> CoreResult<Applied<RevealedSecret>> {
    require_on_entity(tx, secret_id, Capability::SecretsRead).await?;
    let stored: StoredVersion = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {STORED_COLUMNS}
         FROM vault_secret_versions s
         JOIN tenant_encryption_key_versions kv ON kv.id = s.tenant_encryption_key_version_id
         WHERE s.secret_entity_id = $1 AND s.deleted_at IS NULL
           AND ($2::int IS NULL OR s.version = $2)
         ORDER BY s.version DESC LIMIT 1"
    )))
    .bind(secret_id)
    .bind(version)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(CoreError::NotFound {
        what: "secret version",
        id: secret_id,
    })?;
    if stored.retired {
        return Err(VaultError::Retired {
            version: stored.key_version,
            minimum: stored.minimum,
        }
        .into());
    }
    let data_key = vault.data_key(tx, stored.key_version_id).await?;
    let plain = open_stored(&stored, &data_key)?;
    let text = std::str::from_utf8(&plain)
        .map_err(|_| CoreError::Vault(VaultError::Integrity("the secret's value")))?;
    let revealed = RevealedSecret {
        secret_id,
        version: stored.version,
        value: SecretText::new(text),
    };
    change::record(
        tx,
        actor,
        Change::SecretRevealed {
            secret_id,
            root_id: stored.root_entity_id,
            version: stored.version,
            reason: reason.to_string(),
        },
        revealed,
    )
    .await
}
