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
    let plan = plan_write(tx, node.id, false).await?;
    write_version_in(tx, vault, actor, node.id, &plan, &input.value, reason)
        .await?
        .collect_into(&mut changes);
    let summary = summary_of(tx, node.id).await?;
    Ok(Applied {
        value: summary,
        changes,
    })
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
    WHERE rm.entity_type_id = (SELECT id FROM entity_type_definitions WHERE key = $2)";

async fn summary_of(conn: &mut PgConnection, id: Uuid) -> CoreResult<SecretSummary> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY} AND rm.entity_id = $1"
    )))
    .bind(id)
    .bind(SECRET_TYPE)
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
    .bind(SECRET_TYPE)
    .fetch_all(pool)
    .await?)
}

/// A secret's versions, newest first: metadata only.
pub async fn secret_versions(pool: &PgPool, secret_id: Uuid) -> CoreResult<Vec<SecretVersionInfo>> {
    let mut conn = pool.acquire().await?;
    require_secret(&mut conn, secret_id).await?;
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
async fn require_secret(conn: &mut PgConnection, id: Uuid) -> CoreResult<Uuid> {
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
    let plan = plan_write(tx, secret_id, true).await?;
    write_version_in(tx, vault, actor, secret_id, &plan, value, reason).await
}

/// Everything a new version needs, read in one statement after taking the
/// secret's write lock: the secret's root, the person's rights there, the
/// next version number, the root's newest key version, the person and the
/// transaction's time.
struct WritePlan {
    root_id: Uuid,
    version: i32,
    key_version_id: Uuid,
    key_version: i32,
    user_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
}

#[derive(sqlx::FromRow)]
struct PlanRow {
    type_key: String,
    root_id: Uuid,
    can_write: bool,
    can_read: bool,
    version: i32,
    key_version_id: Option<Uuid>,
    key_version: Option<i32>,
    user_id: Option<Uuid>,
    now: chrono::DateTime<chrono::Utc>,
}

/// Checks and reads what a new version of `secret_id` needs. New versions
/// of one secret wait for each other (an advisory lock: a row lock would
/// need `write` on the entity, which writing a secret does not). With
/// `existing`, the person must also hold `secrets:read` (one sees what one
/// replaces); a first version needs `secrets:write` only.
async fn plan_write(
    tx: &mut PgConnection,
    secret_id: Uuid,
    existing: bool,
) -> CoreResult<WritePlan> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7021))")
        .bind(secret_id)
        .execute(&mut *tx)
        .await?;
    let row: Option<PlanRow> = sqlx::query_as(
        "WITH s AS (
             SELECT t.key AS type_key, subpath(e.path, 0, 1)::text::uuid AS root_id
             FROM entities e JOIN entity_type_definitions t ON t.id = e.entity_type_id
             WHERE e.id = $1 AND e.deleted_at IS NULL)
         SELECT s.type_key, s.root_id,
                eco_has_capability(s.root_id, 'secrets:write') AS can_write,
                eco_has_capability(s.root_id, 'secrets:read') AS can_read,
                (SELECT coalesce(max(version), 0) + 1 FROM vault_secret_versions
                  WHERE secret_entity_id = $1) AS version,
                kv.id AS key_version_id, kv.version AS key_version,
                (SELECT id FROM users WHERE pg_role = current_user AND deleted_at IS NULL) AS user_id,
                now() AS now
         FROM s
         LEFT JOIN LATERAL (
             SELECT v.id, v.version FROM tenant_encryption_key_versions v
             JOIN tenant_encryption_keys k ON k.id = v.tenant_encryption_key_id
             WHERE k.root_entity_id = s.root_id AND k.deleted_at IS NULL AND k.retired_at IS NULL
               AND v.deleted_at IS NULL
             ORDER BY v.version DESC LIMIT 1) kv ON true",
    )
    .bind(secret_id)
    .fetch_optional(&mut *tx)
    .await?;
    let row = row.ok_or(CoreError::NotFound {
        what: "secret",
        id: secret_id,
    })?;
    if row.type_key != SECRET_TYPE {
        return Err(CoreError::invalid(
            Some("secretId"),
            Rule::Type,
            "that entity is not a secret",
        ));
    }
    if !row.can_write {
        return Err(CoreError::Forbidden(
            "you need the 'secrets:write' capability on this root to do that".into(),
        ));
    }
    if existing && !row.can_read {
        return Err(CoreError::Forbidden(
            "writing a new version needs 'secrets:read' too, to see the versions it follows".into(),
        ));
    }
    let (Some(key_version_id), Some(key_version)) = (row.key_version_id, row.key_version) else {
        return Err(VaultError::NoKey.into());
    };
    let user_id = match row.user_id {
        Some(id) => id,
        None => current_user_id(tx).await?,
    };
    Ok(WritePlan {
        root_id: row.root_id,
        version: row.version,
        key_version_id,
        key_version,
        user_id,
        now: row.now,
    })
}

/// Seals `value` as the planned version of the secret and records it.
async fn write_version_in(
    tx: &mut PgConnection,
    vault: &Arc<Vault>,
    actor: &Actor,
    secret_id: Uuid,
    plan: &WritePlan,
    value: &SecretText,
    reason: Option<&str>,
) -> CoreResult<Applied<SecretVersionInfo>> {
    let ids = seal_and_insert(
        tx,
        vault,
        secret_id,
        plan,
        std::slice::from_ref(value),
        reason,
    )
    .await?;
    let info = SecretVersionInfo {
        id: ids[0],
        secret_id,
        version: plan.version,
        key_version: plan.key_version,
        created_at: plan.now,
        created_by_user_id: plan.user_id,
        created_by_name: None,
        reason: reason.map(str::to_string),
    };
    change::record(
        tx,
        actor,
        Change::SecretVersionWritten {
            secret_id,
            root_id: plan.root_id,
            version: plan.version,
            key_version: plan.key_version,
            reason: reason.map(str::to_string),
        },
        info,
    )
    .await
}

/// Seals each value as the next version from the plan's (own nonce, own
/// binding) and inserts them in one statement; returns the new rows' ids.
async fn seal_and_insert(
    tx: &mut PgConnection,
    vault: &Arc<Vault>,
    secret_id: Uuid,
    plan: &WritePlan,
    values: &[SecretText],
    reason: Option<&str>,
) -> CoreResult<Vec<Uuid>> {
    let data_key = vault.data_key(tx, plan.key_version_id).await?;
    let mut ids = Vec::with_capacity(values.len());
    let mut versions = Vec::with_capacity(values.len());
    let mut nonces = Vec::with_capacity(values.len());
    let mut ciphertexts = Vec::with_capacity(values.len());
    let mut tags = Vec::with_capacity(values.len());
    let mut aads = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        check_value(value)?;
        let offset = i32::try_from(i).map_err(|_| {
            CoreError::invalid(Some("value"), Rule::TooLong, "too many versions at once")
        })?;
        let binding = SecretBinding {
            secret_id,
            root_id: plan.root_id,
            version: plan.version + offset,
            key_version: plan.key_version,
        };
        let sealed = crypto::seal(&data_key, &binding.aad(), value.expose().as_bytes())?;
        ids.push(Uuid::now_v7());
        versions.push(binding.version);
        nonces.push(crypto::hex(&sealed.nonce));
        ciphertexts.push(sealed.ciphertext);
        tags.push(crypto::hex(&sealed.tag));
        aads.push(binding.to_json());
    }
    // No RETURNING: a person who may write but not read secrets could not
    // read the new rows back.
    sqlx::query(
        "INSERT INTO vault_secret_versions
            (id, secret_entity_id, root_entity_id, tenant_encryption_key_version_id, version,
             algorithm, nonce, ciphertext, auth_tag, aad, created_by_user_id, created_at, reason)
         SELECT u.id, $1, $2, $3, u.version, $4, u.nonce, u.ciphertext, u.tag, u.aad, $5, $6, $7
         FROM unnest($8::uuid[], $9::int[], $10::text[], $11::bytea[], $12::text[], $13::jsonb[])
              AS u(id, version, nonce, ciphertext, tag, aad)",
    )
    .bind(secret_id)
    .bind(plan.root_id)
    .bind(plan.key_version_id)
    .bind(crypto::ALGORITHM)
    .bind(plan.user_id)
    .bind(plan.now)
    .bind(reason)
    .bind(&ids)
    .bind(&versions)
    .bind(&nonces)
    .bind(&ciphertexts)
    .bind(&tags)
    .bind(&aads)
    .execute(&mut *tx)
    .await?;
    Ok(ids)
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

/// Adds one version per value to a secret in one statement, each sealed as
/// [`write_secret`] seals (own nonce, own binding), for bulk loads and the
/// benchmark's large rewrap. Recorded as one change naming the last
/// version. Needs what `write_secret` needs.
pub async fn write_secret_versions_in(
    tx: &mut PgConnection,
    vault: &Arc<Vault>,
    actor: &Actor,
    secret_id: Uuid,
    values: &[SecretText],
    reason: Option<&str>,
) -> CoreResult<Applied<i32>> {
    vault.touch()?;
    let plan = plan_write(tx, secret_id, true).await?;
    let ids = seal_and_insert(tx, vault, secret_id, &plan, values, reason).await?;
    let last = plan.version + i32::try_from(ids.len()).unwrap_or(i32::MAX - plan.version) - 1;
    change::record(
        tx,
        actor,
        Change::SecretVersionWritten {
            secret_id,
            root_id: plan.root_id,
            version: last,
            key_version: plan.key_version,
            reason: reason.map(str::to_string),
        },
        last,
    )
    .await
}
