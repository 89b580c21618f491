//! The vault benchmark, on a root of its own made for the run (and deleted
//! after): encrypt and store one secret version, and reveal one (decrypt
//! and audit), each inside its transaction with the commit outside the
//! timing, beside its floor (the same row written or read as plain SQL);
//! then a rewrap of a large number of secret versions (100,000 by
//! default) onto a new key version, timed once, beside a floor that only
//! moves the rows' key version in one UPDATE (no decryption).
//!
//! The run's key is a passphrase key with the real Argon2id cost; its
//! passphrase is made at random for the run and forgotten with it.

use std::time::Instant;

use sqlx::PgPool;
use studio_core::change::Actor;
use studio_core::error::CoreResult;
use studio_core::progress::CancelToken;
use studio_core::records::VersionedId;
use studio_core::registry::{self, CreateEntity};
use studio_core::vault::{self, crypto, CreateSecret, KeyProviderKind, SecretText, Vault};
use uuid::Uuid;

use crate::tree::{missing, registry_facts, result, BenchOptions, BenchReport, TargetInfo};

/// Runs the benchmark, calling `step` with a line of what it is doing.
pub async fn bench_vault(
    pool: &PgPool,
    actor: &Actor,
    options: &BenchOptions,
    rewrap_versions: u32,
    step: &(dyn Fn(&str) + Send + Sync),
) -> CoreResult<BenchReport> {
    let (postgres_version, entities) = registry_facts(pool).await?;
    step("making a root, a passphrase key and a secret for the run");
    let root_type: String = sqlx::query_scalar(
        "SELECT t.key FROM entities e JOIN entity_type_definitions t ON t.id = e.entity_type_id
         WHERE e.parent_entity_id IS NULL AND e.deleted_at IS NULL ORDER BY e.created_at LIMIT 1",
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| missing("root"))?;
    let root = registry::create(
        pool,
        actor,
        &CreateEntity {
            type_key: root_type,
            parent_id: None,
            name: format!("Vault benchmark {}", Uuid::now_v7().simple()),
        },
    )
    .await?
    .value;
    let outcome = run(pool, actor, options, rewrap_versions, root.id, step).await;
    step("deleting the run's root");
    let _ = registry::delete(
        pool,
        actor,
        &VersionedId {
            id: root.id,
            expected_updated_at: root.updated_at,
        },
    )
    .await;
    let (targets, results) = outcome?;
    Ok(BenchReport {
        postgres_version,
        entities,
        targets,
        results,
    })
}

async fn run(
    pool: &PgPool,
    actor: &Actor,
    options: &BenchOptions,
    rewrap_versions: u32,
    root: Uuid,
    step: &(dyn Fn(&str) + Send + Sync),
) -> CoreResult<(Vec<TargetInfo>, Vec<crate::tree::OpResult>)> {
    let vault = Vault::new(Err("the benchmark uses a passphrase key".into()));
    let passphrase = crypto::hex(&crypto::random_key()?[..]);
    vault
        .unlock(pool, Some(SecretText::new(passphrase)))
        .await?;
    let _ = vault::create_key(pool, &vault, actor, root, KeyProviderKind::Passphrase).await?;
    let secret = vault::create_secret(
        pool,
        &vault,
        actor,
        &CreateSecret {
            parent_id: root,
            name: "Benchmark token".into(),
            value: SecretText::new("first value of the benchmark token"),
            reason: None,
        },
    )
    .await?
    .value
    .id;
    let targets = vec![
        TargetInfo {
            op: "secret_encrypt_store",
            description: "a new version of one secret: seal (AES-256-GCM), insert, audit; commit not timed (floor: the same INSERT alone)".into(),
        },
        TargetInfo {
            op: "secret_reveal",
            description: "the newest version: read, decrypt, audit with a reason; commit not timed (floor: the row's SELECT alone)".into(),
        },
        TargetInfo {
            op: "rewrap",
            description: format!(
                "{rewrap_versions} secret versions onto a new key version, batches of {} that each commit (floor: one UPDATE of the key version, no crypto)",
                vault::REWRAP_BATCH
            ),
        },
    ];
    let n = options.iterations as usize;
    let w = options.warmup as usize;
    let value = SecretText::new("a rotated token value of a realistic length: 0123456789abcdef");
    let mut results = Vec::new();

    step("secret_encrypt_store");
    let (mut core, mut floor) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..(n + w) {
        let mut tx = pool.begin().await?;
        let start = Instant::now();
        let written = vault::write_secret_in(&mut tx, &vault, actor, secret, &value, None).await?;
        let took = start.elapsed();
        let written = written.value;
        tx.commit().await?;
        let mut tx = pool.begin().await?;
        let start = Instant::now();
        sqlx::query(
            "INSERT INTO vault_secret_versions
                (id, secret_entity_id, root_entity_id, tenant_encryption_key_version_id, version,
                 algorithm, nonce, ciphertext, auth_tag, aad, created_by_user_id, created_at, reason)
             SELECT $1, secret_entity_id, root_entity_id, tenant_encryption_key_version_id, version + 1000000,
                    algorithm, nonce, ciphertext, auth_tag, aad, created_by_user_id, now(), reason
             FROM vault_secret_versions WHERE id = $2",
        )
        .bind(Uuid::now_v7())
        .bind(written.id)
        .execute(&mut *tx)
        .await?;
        let floor_took = start.elapsed();
        tx.rollback().await?;
        if i >= w {
            core.push(took);
            floor.push(floor_took);
        }
    }
    results.push(result("secret_encrypt_store", &mut core, &mut floor, 1));

    step("secret_reveal");
    let (mut core, mut floor) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..(n + w) {
        let mut tx = pool.begin().await?;
        let start = Instant::now();
        let revealed = vault::reveal_in(&mut tx, &vault, actor, secret, None, "benchmark").await?;
        let took = start.elapsed();
        let len = revealed.value.value.expose().len();
        drop(revealed);
        tx.commit().await?;
        let mut tx = pool.begin().await?;
        let start = Instant::now();
        let row: (Vec<u8>, String, String) = sqlx::query_as(
            "SELECT ciphertext, nonce, auth_tag FROM vault_secret_versions
             WHERE secret_entity_id = $1 AND deleted_at IS NULL ORDER BY version DESC LIMIT 1",
        )
        .bind(secret)
        .fetch_one(&mut *tx)
        .await?;
        let floor_took = start.elapsed();
        tx.rollback().await?;
        if i >= w && len > 0 && !row.0.is_empty() {
            core.push(took);
            floor.push(floor_took);
        }
    }
    results.push(result("secret_reveal", &mut core, &mut floor, 1));

    step(&format!("loading {rewrap_versions} secret versions"));
    let bulk = vault::create_secret(
        pool,
        &vault,
        actor,
        &CreateSecret {
            parent_id: root,
            name: "Benchmark history".into(),
            value: SecretText::new("version 1"),
            reason: None,
        },
    )
    .await?
    .value
    .id;
    let mut loaded = 1u32;
    while loaded < rewrap_versions {
        let chunk = (rewrap_versions - loaded).min(5_000);
        let values: Vec<SecretText> = (0..chunk)
            .map(|i| SecretText::new(format!("history value {} of the benchmark", loaded + i)))
            .collect();
        let mut tx = pool.begin().await?;
        let _ =
            vault::write_secret_versions_in(&mut tx, &vault, actor, bulk, &values, None).await?;
        tx.commit().await?;
        loaded += chunk;
    }
    let _ = vault::rotate_key(pool, &vault, actor, root).await?;
    let behind = vault::behind_count(pool, root).await?;
    step(&format!("rewrap of {behind} secret versions"));
    // The floor first, rolled back: the rows' key version moved in one
    // statement, no decryption, no batches.
    let newest: Uuid = sqlx::query_scalar(
        "SELECT v.id FROM tenant_encryption_key_versions v
         JOIN tenant_encryption_keys k ON k.id = v.tenant_encryption_key_id
         WHERE k.root_entity_id = $1 ORDER BY v.version DESC LIMIT 1",
    )
    .bind(root)
    .fetch_one(pool)
    .await?;
    let mut tx = pool.begin().await?;
    let start = Instant::now();
    sqlx::query(
        "UPDATE vault_secret_versions SET tenant_encryption_key_version_id = $2 WHERE root_entity_id = $1",
    )
    .bind(root)
    .bind(newest)
    .execute(&mut *tx)
    .await?;
    let floor_took = start.elapsed();
    tx.rollback().await?;
    let start = Instant::now();
    let done = vault::rewrap(pool, &vault, actor, root, &|_| {}, &CancelToken::new()).await?;
    let took = start.elapsed();
    if done.value.remaining != 0 {
        return Err(studio_core::CoreError::state(format!(
            "the rewrap left {} secret versions behind",
            done.value.remaining
        )));
    }
    results.push(result(
        "rewrap",
        &mut [took],
        &mut [floor_took],
        done.value.rewrapped,
    ));
    vault.lock();
    Ok((targets, results))
}
