//! Tenant keys: one live key per root, with versions. Creating a key makes
//! its KEK with the chosen provider and a first random data key; rotating
//! adds a version with a fresh data key (older versions still decrypt);
//! the minimum decryption version retires the versions below it.

use std::sync::Arc;

use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::{crypto, KeyProviderKind, RootVault, TenantKey, TenantKeyVersion, Vault, VaultStatus};
use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, Rule, VaultError};
use crate::people::{self, require_on_entity};
use crate::records::Capability;

/// The vault as the session sees it: lock state, keychain, and per visible
/// root its key and what the person may do.
pub async fn status(pool: &PgPool, vault: &Vault) -> CoreResult<VaultStatus> {
    let mut conn = pool.acquire().await?;
    let session = people::session_in(&mut conn).await?;
    let roots: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT entity_id, name FROM entity_read_model WHERE parent_id IS NULL ORDER BY path_label",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(roots.len());
    for (root_id, root_name) in roots {
        let can_read_secrets = session.can(root_id, Capability::SecretsRead);
        let key = load_key(&mut conn, root_id, can_read_secrets).await?;
        out.push(RootVault {
            root_id,
            root_name,
            can_admin: session.can(root_id, Capability::Admin),
            can_read_secrets,
            can_write_secrets: session.can(root_id, Capability::SecretsWrite),
            key,
        });
    }
    Ok(VaultStatus {
        locked: vault.is_locked(),
        has_passphrase: vault.has_passphrase(),
        idle_lock_seconds: u32::try_from(vault.idle_limit().as_secs()).unwrap_or(u32::MAX),
        keychain_problem: vault.keychain_problem(),
        roots: out,
    })
}

/// A root's live key with its versions, if it has one.
pub(super) async fn load_key(
    conn: &mut PgConnection,
    root_id: Uuid,
    count_behind: bool,
) -> CoreResult<Option<TenantKey>> {
    let key: Option<(Uuid, String, String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        "SELECT id, key_provider, status, created_at FROM tenant_encryption_keys
         WHERE root_entity_id = $1 AND deleted_at IS NULL AND retired_at IS NULL",
    )
    .bind(root_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, provider, status, created_at)) = key else {
        return Ok(None);
    };
    let versions: Vec<TenantKeyVersion> = sqlx::query_as::<_, (Uuid, i32, _, _, _, i64)>(
        "SELECT v.id, v.version, v.created_at, v.activated_at, v.retired_at,
                (SELECT count(*) FROM vault_secret_versions s
                 WHERE s.tenant_encryption_key_version_id = v.id)
         FROM tenant_encryption_key_versions v
         WHERE v.tenant_encryption_key_id = $1 AND v.deleted_at IS NULL
         ORDER BY v.version",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(
        |(id, version, created_at, activated_at, retired_at, secret_versions)| TenantKeyVersion {
            id,
            version,
            created_at,
            activated_at,
            retired_at,
            secret_versions,
        },
    )
    .collect();
    let newest_version = versions.last().map_or(0, |v| v.version);
    let minimum_version = versions
        .iter()
        .filter(|v| v.retired_at.is_some())
        .map(|v| v.version + 1)
        .max()
        .unwrap_or(1);
    let secret_versions_behind = count_behind.then(|| {
        versions
            .iter()
            .filter(|v| v.version != newest_version)
            .map(|v| v.secret_versions)
            .sum()
    });
    Ok(Some(TenantKey {
        id,
        root_id,
        provider,
        status,
        created_at,
        minimum_version,
        newest_version,
        versions,
        secret_versions_behind,
    }))
}

/// The root's key as just written in this transaction.
async fn reload_key(tx: &mut PgConnection, root_id: Uuid) -> CoreResult<TenantKey> {
    load_key(tx, root_id, true)
        .await?
        .ok_or_else(|| CoreError::Database("the root's key is missing after its change".into()))
}

/// Refuses unless `root_id` is a root the session administers.
async fn require_root_admin(conn: &mut PgConnection, root_id: Uuid) -> CoreResult<()> {
    let parent: Option<Option<Uuid>> = sqlx::query_scalar(
        "SELECT parent_entity_id FROM entities WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(root_id)
    .fetch_optional(&mut *conn)
    .await?;
    match parent {
        None => {
            return Err(CoreError::NotFound {
                what: "root",
                id: root_id,
            })
        }
        Some(Some(_)) => {
            return Err(CoreError::invalid(
                Some("rootId"),
                Rule::State,
                "vault keys belong to roots; choose a root",
            ))
        }
        Some(None) => {}
    }
    require_on_entity(conn, root_id, Capability::Admin).await
}

/// Creates the root's key with `provider`: a new KEK kept by the provider
/// (the OS keychain, or derived from the session's passphrase) and a first
/// version with a random data key wrapped by it. Needs `admin` on the root
/// and an unlocked vault.
#[instrument(skip_all, fields(root_id = %root_id))]
pub async fn create_key(
    pool: &PgPool,
    vault: &Arc<Vault>,
    actor: &Actor,
    root_id: Uuid,
    provider: KeyProviderKind,
) -> CoreResult<Applied<TenantKey>> {
    vault.touch()?;
    {
        let mut conn = pool.acquire().await?;
        require_root_admin(&mut conn, root_id).await?;
        if load_key(&mut conn, root_id, false).await?.is_some() {
            return Err(CoreError::invalid(
                Some("rootId"),
                Rule::Unique,
                "this root already has a key; rotate it instead",
            ));
        }
    }
    let key_id = Uuid::now_v7();
    let (reference, kek) = vault.create_kek(key_id, provider.as_str()).await?;
    let data_key = crypto::random_key()?;
    let wrapped = crypto::wrap(&kek, &data_key, &crypto::data_key_aad(key_id, root_id, 1))?;
    let wrapped = crypto::wrapped_to_json(&wrapped);
    let result = crate::transaction!(pool, |tx| insert_key_in(
        tx, actor, root_id, key_id, provider, &reference, &wrapped
    ))
    .await;
    if result.is_err() {
        vault.discard_kek(provider.as_str(), &reference);
    }
    result
}

async fn insert_key_in(
    tx: &mut PgConnection,
    actor: &Actor,
    root_id: Uuid,
    key_id: Uuid,
    provider: KeyProviderKind,
    reference: &str,
    wrapped: &serde_json::Value,
) -> CoreResult<Applied<TenantKey>> {
    require_root_admin(tx, root_id).await?;
    sqlx::query(
        "INSERT INTO tenant_encryption_keys
                (id, root_entity_id, key_provider, key_reference, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'active', now(), now())",
    )
    .bind(key_id)
    .bind(root_id)
    .bind(provider.as_str())
    .bind(reference)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
            "INSERT INTO tenant_encryption_key_versions
                (id, tenant_encryption_key_id, version, wrapped_key, algorithm, created_at, activated_at)
             VALUES ($1, $2, 1, $3, $4, now(), now())",
        )
        .bind(Uuid::now_v7())
        .bind(key_id)
        .bind(wrapped)
        .bind(crypto::ALGORITHM)
        .execute(&mut *tx)
        .await?;
    let key = reload_key(tx, root_id).await?;
    change::record(
        tx,
        actor,
        Change::VaultKeyCreated {
            key_id,
            root_id,
            provider: provider.as_str().to_string(),
        },
        key,
    )
    .await
}

/// Adds a key version with a fresh random data key; new secret versions
/// use it, older key versions still decrypt. Needs `admin` and an unlocked
/// vault.
#[instrument(skip_all, fields(root_id = %root_id))]
pub async fn rotate_key(
    pool: &PgPool,
    vault: &Arc<Vault>,
    actor: &Actor,
    root_id: Uuid,
) -> CoreResult<Applied<TenantKey>> {
    vault.touch()?;
    crate::transaction!(pool, |tx| rotate_key_in(tx, vault, actor, root_id)).await
}

/// [`rotate_key`] in the caller's transaction.
pub async fn rotate_key_in(
    tx: &mut PgConnection,
    vault: &Arc<Vault>,
    actor: &Actor,
    root_id: Uuid,
) -> CoreResult<Applied<TenantKey>> {
    require_root_admin(tx, root_id).await?;
    let (key_id, provider, reference): (Uuid, String, String) = sqlx::query_as(
        "SELECT id, key_provider, key_reference FROM tenant_encryption_keys
             WHERE root_entity_id = $1 AND deleted_at IS NULL AND retired_at IS NULL
             FOR UPDATE",
    )
    .bind(root_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(VaultError::NoKey)?;
    let kek = vault.kek(key_id, &provider, &reference).await?;
    let version: i32 = sqlx::query_scalar(
        "SELECT coalesce(max(version), 0) + 1 FROM tenant_encryption_key_versions
             WHERE tenant_encryption_key_id = $1",
    )
    .bind(key_id)
    .fetch_one(&mut *tx)
    .await?;
    let data_key = crypto::random_key()?;
    let wrapped = crypto::wrap(
        &kek,
        &data_key,
        &crypto::data_key_aad(key_id, root_id, version),
    )?;
    sqlx::query(
            "INSERT INTO tenant_encryption_key_versions
                (id, tenant_encryption_key_id, version, wrapped_key, algorithm, created_at, activated_at)
             VALUES ($1, $2, $3, $4, $5, now(), now())",
        )
        .bind(Uuid::now_v7())
        .bind(key_id)
        .bind(version)
        .bind(crypto::wrapped_to_json(&wrapped))
        .bind(crypto::ALGORITHM)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE tenant_encryption_keys SET updated_at = now() WHERE id = $1")
        .bind(key_id)
        .execute(&mut *tx)
        .await?;
    let key = reload_key(tx, root_id).await?;
    change::record(
        tx,
        actor,
        Change::VaultKeyRotated {
            key_id,
            root_id,
            version,
        },
        key,
    )
    .await
}

/// Sets the minimum decryption version: versions below it refuse to
/// decrypt (their secret versions fail with `VaultError::Retired` until
/// the minimum is lowered again); versions at or above it decrypt. Needs
/// `admin`; the value is from 1 to the newest version.
#[instrument(skip_all, fields(root_id = %root_id))]
pub async fn set_minimum_version(
    pool: &PgPool,
    actor: &Actor,
    root_id: Uuid,
    minimum: i32,
) -> CoreResult<Applied<TenantKey>> {
    crate::transaction!(pool, |tx| set_minimum_version_in(
        tx, actor, root_id, minimum
    ))
    .await
}

/// [`set_minimum_version`] in the caller's transaction.
pub async fn set_minimum_version_in(
    tx: &mut PgConnection,
    actor: &Actor,
    root_id: Uuid,
    minimum: i32,
) -> CoreResult<Applied<TenantKey>> {
    require_root_admin(tx, root_id).await?;
    let before = load_key(tx, root_id, false)
        .await?
        .ok_or(VaultError::NoKey)?;
    let key_id: Uuid =
        sqlx::query_scalar("SELECT id FROM tenant_encryption_keys WHERE id = $1 FOR UPDATE")
            .bind(before.id)
            .fetch_one(&mut *tx)
            .await?;
    if minimum < 1 || minimum > before.newest_version {
        return Err(CoreError::invalid(
            Some("minimum"),
            Rule::Range,
            format!(
                "the minimum decryption version is from 1 to {}",
                before.newest_version
            ),
        ));
    }
    if minimum == before.minimum_version {
        return Ok(Applied::unchanged(before));
    }
    sqlx::query(
        "UPDATE tenant_encryption_key_versions
             SET retired_at = CASE WHEN version < $2 THEN coalesce(retired_at, now()) END
             WHERE tenant_encryption_key_id = $1",
    )
    .bind(key_id)
    .bind(minimum)
    .execute(&mut *tx)
    .await?;
    let key = reload_key(tx, root_id).await?;
    change::record(
        tx,
        actor,
        Change::VaultMinimumSet {
            key_id,
            root_id,
            before: before.minimum_version,
            after: minimum,
        },
        key,
    )
    .await
}
