//! Rewrap: every secret version of a root onto its newest key version.
//! Each batch is its own transaction (decrypt with the old data key, seal
//! again with the newest, update the rows), so progress is kept as it is
//! made: a rewrap that is killed, cancelled or locked out resumes from the
//! rows still behind, and a value is never half-moved.

use std::sync::Arc;

use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::crypto::{self, SecretBinding};
use super::secrets::{open_stored, StoredVersion, STORED_COLUMNS};
use super::{keys, RewrapOutcome, Vault};
use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, VaultError};
use crate::people::require_on_entity;
use crate::progress::{CancelToken, OnProgress, Progress};
use crate::records::Capability;

/// Secret versions per rewrap transaction.
pub const REWRAP_BATCH: i64 = 1_000;

/// Rewraps up to `limit` secret versions of the root in one transaction.
/// Needs `admin`, `secrets:read` and `secrets:write` on the root and an
/// unlocked vault. Versions on retired key versions cannot be opened and
/// stay where they are (counted in `remaining`).
#[instrument(skip_all, fields(root_id = %root_id))]
pub async fn rewrap_batch(
    pool: &PgPool,
    vault: &Arc<Vault>,
    actor: &Actor,
    root_id: Uuid,
    limit: i64,
) -> CoreResult<Applied<RewrapOutcome>> {
    vault.touch()?;
    crate::transaction!(pool, |tx| rewrap_batch_in(tx, vault, actor, root_id, limit)).await
}

/// [`rewrap_batch`] in the caller's transaction.
pub async fn rewrap_batch_in(
    tx: &mut PgConnection,
    vault: &Arc<Vault>,
    actor: &Actor,
    root_id: Uuid,
    limit: i64,
) -> CoreResult<Applied<RewrapOutcome>> {
    for cap in [
        Capability::Admin,
        Capability::SecretsRead,
        Capability::SecretsWrite,
    ] {
        require_on_entity(tx, root_id, cap).await?;
    }
    // FOR SHARE: a rotation (FOR UPDATE) waits for the batch, and the batch
    // for the rotation, so a batch never seals with a superseded version.
    let key_id: Uuid = sqlx::query_scalar(
        "SELECT id FROM tenant_encryption_keys
         WHERE root_entity_id = $1 AND deleted_at IS NULL AND retired_at IS NULL FOR SHARE",
    )
    .bind(root_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(VaultError::NoKey)?;
    let versions: Vec<(Uuid, i32, bool)> = sqlx::query_as(
        "SELECT id, version, retired_at IS NOT NULL FROM tenant_encryption_key_versions
         WHERE tenant_encryption_key_id = $1 AND deleted_at IS NULL ORDER BY version",
    )
    .bind(key_id)
    .fetch_all(&mut *tx)
    .await?;
    let Some(&(newest_id, newest, _)) = versions.last() else {
        return Err(VaultError::NoKey.into());
    };
    let behind: Vec<Uuid> = versions
        .iter()
        .filter(|v| v.1 != newest)
        .map(|v| v.0)
        .collect();
    let openable: Vec<Uuid> = versions
        .iter()
        .filter(|v| v.1 != newest && !v.2)
        .map(|v| v.0)
        .collect();
    let rows: Vec<StoredVersion> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {STORED_COLUMNS}
         FROM vault_secret_versions s
         JOIN tenant_encryption_key_versions kv ON kv.id = s.tenant_encryption_key_version_id
         WHERE s.tenant_encryption_key_version_id = ANY($1)
         ORDER BY s.id LIMIT $2
         FOR UPDATE OF s SKIP LOCKED"
    )))
    .bind(&openable)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    let rewrapped = rows.len() as i64;
    if !rows.is_empty() {
        let new_key = vault.data_key(tx, newest_id).await?;
        let mut ids = Vec::with_capacity(rows.len());
        let mut nonces = Vec::with_capacity(rows.len());
        let mut ciphertexts = Vec::with_capacity(rows.len());
        let mut tags = Vec::with_capacity(rows.len());
        let mut aads = Vec::with_capacity(rows.len());
        for row in &rows {
            let old_key = vault.data_key(tx, row.key_version_id).await?;
            let plain = open_stored(row, &old_key)?;
            let binding = SecretBinding {
                secret_id: row.secret_entity_id,
                root_id: row.root_entity_id,
                version: row.version,
                key_version: newest,
            };
            let sealed = crypto::seal(&new_key, &binding.aad(), &plain)?;
            ids.push(row.id);
            nonces.push(crypto::hex(&sealed.nonce));
            ciphertexts.push(sealed.ciphertext);
            tags.push(crypto::hex(&sealed.tag));
            aads.push(binding.to_json());
        }
        sqlx::query(
            "UPDATE vault_secret_versions s
             SET tenant_encryption_key_version_id = $1, nonce = u.nonce, ciphertext = u.ciphertext,
                 auth_tag = u.tag, aad = u.aad
             FROM unnest($2::uuid[], $3::text[], $4::bytea[], $5::text[], $6::jsonb[])
                  AS u(id, nonce, ciphertext, tag, aad)
             WHERE s.id = u.id",
        )
        .bind(newest_id)
        .bind(&ids)
        .bind(&nonces)
        .bind(&ciphertexts)
        .bind(&tags)
        .bind(&aads)
        .execute(&mut *tx)
        .await?;
    }
    let remaining: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM vault_secret_versions WHERE tenant_encryption_key_version_id = ANY($1)",
    )
    .bind(&behind)
    .fetch_one(&mut *tx)
    .await?;
    let outcome = RewrapOutcome {
        rewrapped,
        key_version: newest,
        remaining,
    };
    if rewrapped == 0 {
        return Ok(Applied::unchanged(outcome));
    }
    change::record(
        tx,
        actor,
        Change::SecretsRewrapped {
            root_id,
            key_version: newest,
            count: rewrapped,
        },
        outcome,
    )
    .await
}

/// Rewraps the whole root, batch after batch, reporting progress and
/// honouring cancel between batches (what was committed stays). Stops when
/// nothing openable is left; `remaining` counts versions on retired key
/// versions that could not be moved.
pub async fn rewrap(
    pool: &PgPool,
    vault: &Arc<Vault>,
    actor: &Actor,
    root_id: Uuid,
    on_progress: OnProgress<'_>,
    cancel: &CancelToken,
) -> CoreResult<Applied<RewrapOutcome>> {
    let total = behind_count(pool, root_id).await?;
    let mut done = 0i64;
    let mut changes = Vec::new();
    let mut last = RewrapOutcome {
        rewrapped: 0,
        key_version: 0,
        remaining: total,
    };
    loop {
        if cancel.is_cancelled() {
            break;
        }
        let batch = rewrap_batch(pool, vault, actor, root_id, REWRAP_BATCH).await?;
        let outcome = batch.collect_into(&mut changes);
        done += outcome.rewrapped;
        last = outcome;
        on_progress(Progress {
            done,
            total: total.max(done),
        });
        if outcome.rewrapped == 0 {
            break;
        }
    }
    Ok(Applied {
        value: RewrapOutcome {
            rewrapped: done,
            ..last
        },
        changes,
    })
}

/// Secret versions of the root not on its newest key version.
pub async fn behind_count(pool: &PgPool, root_id: Uuid) -> CoreResult<i64> {
    let mut conn = pool.acquire().await?;
    let key = keys::load_key(&mut conn, root_id, true)
        .await?
        .ok_or(CoreError::Vault(VaultError::NoKey))?;
    Ok(key.secret_versions_behind.unwrap_or(0))
}
