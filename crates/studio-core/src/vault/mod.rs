//! The vault: envelope-encrypted secrets per root.
//!
//! Each root has a tenant key (`tenant_encryption_keys`) with versions
//! (`tenant_encryption_key_versions`). A version's data key is random and
//! stored only wrapped (AES-256-GCM) by a key-encryption key (KEK) that
//! never enters PostgreSQL: it comes from a [`KeyProvider`] — the OS
//! keychain (injected by the app and the CLI, which hold the keychain
//! crate) or a passphrase (Argon2id; parameters, salt and a check value in
//! the key's `key_reference`). A secret is an entity of the system type
//! `secret`; each of its values is a `vault_secret_versions` row, sealed by
//! the newest data key with a fresh nonce and bound (AAD) to the secret,
//! root, secret version and key version.
//!
//! [`Vault`] is the process's unlocked state: the session passphrase, the
//! KEKs and data keys it opened. Locking (on demand, or after idle time)
//! drops them, and every value is wiped as it is dropped; while locked
//! every operation on secret values and keys is refused with
//! [`VaultError::Locked`].
//!
//! - `crypto.rs`  AES-256-GCM, bindings, wrapping, Argon2id
//! - `keys.rs`    create, rotate, minimum decryption version, status
//! - `secrets.rs` secrets: create, write a version, list, reveal
//! - `rewrap.rs`  every secret version onto the newest key version, in
//!   batches that each commit (so a killed rewrap resumes where it stopped)

pub mod crypto;
mod keys;
mod rewrap;
mod secrets;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::error::{CoreError, CoreResult, Rule, VaultError};
use crypto::{Argon2Params, Key};

pub use keys::{create_key, rotate_key, set_minimum_version, status};
pub use rewrap::{behind_count, rewrap, rewrap_batch, REWRAP_BATCH};
pub use secrets::{
    create_secret, list_secrets, reveal, reveal_in, secret_versions, write_secret, write_secret_in,
    write_secret_versions_in,
};

pub use crate::records::SECRET_TYPE;

/// The name of the OS keychain provider.
pub const OS_KEYCHAIN: &str = "os-keychain";
/// The name of the passphrase provider.
pub const PASSPHRASE: &str = "passphrase";

/// How long an unused vault stays unlocked unless told otherwise.
pub const DEFAULT_IDLE_LOCK: Duration = Duration::from_secs(15 * 60);

/// A secret's value in memory: wiped when dropped, never printed. It is
/// serialised only where the value is the answer (a reveal's response).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretText(Zeroizing<String>);

impl Serialize for SecretText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(SecretText(Zeroizing::new(String::deserialize(
            deserializer,
        )?)))
    }
}

#[cfg(feature = "specta")]
impl specta::Type for SecretText {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

impl SecretText {
    pub fn new(value: impl Into<String>) -> Self {
        SecretText(Zeroizing::new(value.into()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretText(***)")
    }
}

/// Where key-encryption keys come from. The OS keychain's provider lives
/// outside the core (the app and the CLI inject it); the passphrase
/// provider is the core's own. A cloud KMS would be one more of these.
///
/// The calls may block (a D-Bus round trip, Argon2id): the vault makes
/// them on a blocking thread.
pub trait KeyProvider: Send + Sync + 'static {
    /// The name stored in `tenant_encryption_keys.key_provider`.
    fn name(&self) -> &'static str;
    /// Makes and keeps a new KEK for the key `key_id`; returns the
    /// reference to store in `key_reference` and the KEK.
    fn create(&self, key_id: Uuid) -> CoreResult<(String, Key)>;
    /// Reads the KEK that `reference` names.
    fn open(&self, key_id: Uuid, reference: &str) -> CoreResult<Key>;
    /// Removes what `create` kept, when the key's row was not committed.
    fn discard(&self, reference: &str);
}

/// The passphrase provider: the KEK is Argon2id of the session's
/// passphrase with the key's own salt. The reference stores the
/// parameters, the salt and a check value (an empty message sealed under
/// the KEK) that tells a wrong passphrase from an altered wrapped key.
pub struct PassphraseProvider {
    passphrase: SecretText,
    params: Argon2Params,
}

impl PassphraseProvider {
    pub fn new(passphrase: SecretText) -> Self {
        PassphraseProvider {
            passphrase,
            params: Argon2Params::DEFAULT,
        }
    }

    /// With other cost parameters (tests use small ones).
    pub fn with_params(passphrase: SecretText, params: Argon2Params) -> Self {
        PassphraseProvider { passphrase, params }
    }
}

/// A passphrase key's reference, parsed.
struct PassphraseReference {
    params: Argon2Params,
    salt: Vec<u8>,
    check: crypto::Sealed,
}

impl PassphraseReference {
    fn format(&self) -> String {
        format!(
            "argon2id;v=19;m={};t={};p={};salt={};check={}{}",
            self.params.memory_kib,
            self.params.iterations,
            self.params.parallelism,
            crypto::hex(&self.salt),
            crypto::hex(&self.check.nonce),
            crypto::hex(&self.check.tag)
        )
    }

    fn parse(text: &str) -> CoreResult<Self> {
        let bad = || CoreError::Vault(VaultError::Integrity("the passphrase key's reference"));
        let mut parts = text.split(';');
        if parts.next() != Some("argon2id") || parts.next() != Some("v=19") {
            return Err(bad());
        }
        let mut field = |name: &str| {
            parts
                .next()
                .and_then(|p| p.strip_prefix(name))
                .and_then(|p| p.strip_prefix('='))
                .ok_or_else(bad)
        };
        let number = |t: &str| t.parse::<u32>().map_err(|_| bad());
        let memory_kib = number(field("m")?)?;
        let iterations = number(field("t")?)?;
        let parallelism = number(field("p")?)?;
        let salt = crypto::unhex(field("salt")?).ok_or_else(bad)?;
        let check = crypto::unhex(field("check")?).ok_or_else(bad)?;
        if check.len() != crypto::NONCE_LEN + crypto::TAG_LEN || salt.len() < 16 {
            return Err(bad());
        }
        Ok(PassphraseReference {
            params: Argon2Params {
                memory_kib,
                iterations,
                parallelism,
            },
            salt,
            check: crypto::Sealed {
                nonce: check[..crypto::NONCE_LEN].try_into().expect("12 bytes"),
                ciphertext: Vec::new(),
                tag: check[crypto::NONCE_LEN..].try_into().expect("16 bytes"),
            },
        })
    }
}

impl KeyProvider for PassphraseProvider {
    fn name(&self) -> &'static str {
        PASSPHRASE
    }

    fn create(&self, key_id: Uuid) -> CoreResult<(String, Key)> {
        let mut salt = vec![0u8; 16];
        crypto::random_bytes(&mut salt)?;
        let kek = crypto::derive_kek(self.passphrase.expose().as_bytes(), &salt, self.params)?;
        let check = crypto::seal(&kek, &crypto::kek_check_aad(key_id), &[])?;
        let reference = PassphraseReference {
            params: self.params,
            salt,
            check,
        };
        Ok((reference.format(), kek))
    }

    fn open(&self, key_id: Uuid, reference: &str) -> CoreResult<Key> {
        let reference = PassphraseReference::parse(reference)?;
        let kek = crypto::derive_kek(
            self.passphrase.expose().as_bytes(),
            &reference.salt,
            reference.params,
        )?;
        crypto::open(
            &kek,
            &crypto::kek_check_aad(key_id),
            &reference.check,
            "passphrase",
        )
        .map_err(|_| CoreError::Vault(VaultError::WrongPassphrase))?;
        Ok(kek)
    }

    fn discard(&self, _reference: &str) {}
}

/// Which provider protects a new key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum KeyProviderKind {
    OsKeychain,
    Passphrase,
}

impl KeyProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyProviderKind::OsKeychain => OS_KEYCHAIN,
            KeyProviderKind::Passphrase => PASSPHRASE,
        }
    }

    pub fn parse(text: &str) -> CoreResult<Self> {
        match text {
            OS_KEYCHAIN => Ok(KeyProviderKind::OsKeychain),
            PASSPHRASE => Ok(KeyProviderKind::Passphrase),
            other => Err(CoreError::invalid(
                Some("provider"),
                Rule::Choice,
                format!("'{other}' is not a key provider (os-keychain or passphrase)"),
            )),
        }
    }
}

/// Why the OS keychain cannot be used (no Secret Service, a locked
/// keychain, ...), in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeychainUnavailable(pub String);

impl From<&str> for KeychainUnavailable {
    fn from(why: &str) -> Self {
        KeychainUnavailable(why.to_string())
    }
}

impl From<String> for KeychainUnavailable {
    fn from(why: String) -> Self {
        KeychainUnavailable(why)
    }
}

/// How the vault reaches the OS keychain again.
type Reconnect = Box<dyn Fn() -> Result<Arc<dyn KeyProvider>, KeychainUnavailable> + Send + Sync>;

/// The unlocked state.
struct Open {
    passphrase: Option<Arc<PassphraseProvider>>,
    /// Key-encryption keys by tenant key id.
    keks: HashMap<Uuid, Key>,
    /// Data keys by key version id.
    data_keys: HashMap<Uuid, Key>,
    last_used: Instant,
}

/// The vault of one process: locked, or open with what it has unlocked.
pub struct Vault {
    /// The OS keychain's provider, or why there is none.
    keychain: Mutex<Result<Arc<dyn KeyProvider>, KeychainUnavailable>>,
    /// Tries again to reach the keychain (one unlocked after the start).
    reconnect: Option<Reconnect>,
    idle_limit: Mutex<Duration>,
    state: Mutex<Option<Open>>,
    argon_params: Argon2Params,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("locked", &self.is_locked())
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// A locked vault. `keychain` is the OS keychain's provider, or why
    /// there is none (creating an os-keychain key is then refused with
    /// that reason: never a silent fallback).
    pub fn new(keychain: Result<Arc<dyn KeyProvider>, KeychainUnavailable>) -> Arc<Self> {
        Arc::new(Vault {
            keychain: Mutex::new(keychain),
            reconnect: None,
            idle_limit: Mutex::new(DEFAULT_IDLE_LOCK),
            state: Mutex::new(None),
            argon_params: Argon2Params::DEFAULT,
        })
    }

    /// Like [`Vault::new`], with other Argon2id costs for new passphrase
    /// keys (tests and benchmarks use small ones).
    pub fn with_argon_params(
        keychain: Result<Arc<dyn KeyProvider>, KeychainUnavailable>,
        params: Argon2Params,
    ) -> Arc<Self> {
        let vault = Vault::new(keychain);
        let mut vault = Arc::try_unwrap(vault).expect("a new vault has one owner");
        vault.argon_params = params;
        Arc::new(vault)
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, Option<Open>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn is_locked(&self) -> bool {
        self.lock_state().is_none()
    }

    /// Whether a passphrase was given at unlock.
    pub fn has_passphrase(&self) -> bool {
        self.lock_state()
            .as_ref()
            .is_some_and(|o| o.passphrase.is_some())
    }

    /// A locked vault that reaches the OS keychain with `connect`, now and
    /// again whenever the keychain is wanted while it was not reachable (a
    /// keychain unlocked after the start is found without a restart).
    pub fn with_keychain(
        connect: impl Fn() -> Result<Arc<dyn KeyProvider>, KeychainUnavailable> + Send + Sync + 'static,
    ) -> Arc<Self> {
        let first = connect();
        let vault = Vault::new(first);
        let mut vault = Arc::try_unwrap(vault).expect("a new vault has one owner");
        vault.reconnect = Some(Box::new(connect));
        Arc::new(vault)
    }

    /// The keychain's provider, trying again to reach it if it was not.
    fn keychain(&self) -> Result<Arc<dyn KeyProvider>, KeychainUnavailable> {
        let mut keychain = self.keychain.lock().unwrap_or_else(|p| p.into_inner());
        if keychain.is_err() {
            if let Some(reconnect) = &self.reconnect {
                *keychain = reconnect();
            }
        }
        keychain.clone()
    }

    /// Why the OS keychain cannot be used, or None when it can.
    pub fn keychain_problem(&self) -> Option<String> {
        self.keychain().err().map(|why| why.0)
    }

    pub fn idle_limit(&self) -> Duration {
        *self.idle_limit.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets the idle time after which the vault locks itself (at least one
    /// second).
    pub fn set_idle_limit(&self, limit: Duration) {
        *self.idle_limit.lock().unwrap_or_else(|p| p.into_inner()) =
            limit.max(Duration::from_secs(1));
    }

    /// Locks: drops (and so wipes) the passphrase and every key.
    pub fn lock(&self) {
        let open = self.lock_state().take();
        drop(open);
    }

    /// Locks when unused for longer than the idle limit; returns whether it
    /// locked now.
    pub fn lock_if_idle(&self) -> bool {
        let limit = self.idle_limit();
        let mut state = self.lock_state();
        if state
            .as_ref()
            .is_some_and(|o| o.last_used.elapsed() > limit)
        {
            *state = None;
            return true;
        }
        false
    }

    /// Unlocks for this session. With a passphrase, it must open at least
    /// one of the passphrase keys the person can see (when there are any),
    /// so a typo is told at once; without one, only os-keychain keys work.
    pub async fn unlock(
        self: &Arc<Self>,
        pool: &sqlx::PgPool,
        passphrase: Option<SecretText>,
    ) -> CoreResult<()> {
        let provider = match passphrase {
            Some(p) if p.expose().is_empty() => {
                return Err(CoreError::invalid(
                    Some("passphrase"),
                    Rule::Required,
                    "type the passphrase, or unlock without one",
                ))
            }
            Some(p) => Some(Arc::new(PassphraseProvider::with_params(
                p,
                self.argon_params,
            ))),
            None => None,
        };
        let mut keks = HashMap::new();
        if let Some(provider) = &provider {
            let keys: Vec<(Uuid, String)> = sqlx::query_as(
                "SELECT k.id, k.key_reference FROM tenant_encryption_keys k
                 JOIN entities r ON r.id = k.root_entity_id AND r.deleted_at IS NULL
                 WHERE k.key_provider = $1 AND k.deleted_at IS NULL AND k.retired_at IS NULL
                 ORDER BY k.created_at",
            )
            .bind(PASSPHRASE)
            .fetch_all(pool)
            .await?;
            let mut opened_any = keys.is_empty();
            for (key_id, reference) in keys {
                let p = Arc::clone(provider);
                let result = blocking(move || p.open(key_id, &reference)).await;
                match result {
                    Ok(kek) => {
                        keks.insert(key_id, kek);
                        opened_any = true;
                    }
                    Err(CoreError::Vault(VaultError::WrongPassphrase)) => {}
                    Err(e) => return Err(e),
                }
            }
            if !opened_any {
                return Err(VaultError::WrongPassphrase.into());
            }
        }
        *self.lock_state() = Some(Open {
            passphrase: provider,
            keks,
            data_keys: HashMap::new(),
            last_used: Instant::now(),
        });
        Ok(())
    }

    /// Refuses when locked (locking first when idle too long), else marks
    /// the vault used now.
    pub fn touch(&self) -> CoreResult<()> {
        let limit = self.idle_limit();
        let mut state = self.lock_state();
        match state.as_mut() {
            None => Err(VaultError::Locked.into()),
            Some(open) if open.last_used.elapsed() > limit => {
                *state = None;
                Err(VaultError::Locked.into())
            }
            Some(open) => {
                open.last_used = Instant::now();
                Ok(())
            }
        }
    }

    /// The provider named `name`, usable now.
    fn provider(&self, name: &str) -> CoreResult<Arc<dyn KeyProvider>> {
        match name {
            OS_KEYCHAIN => self.keychain().map_err(|why| {
                VaultError::KeyUnavailable(format!("no OS keychain is available: {why}")).into()
            }),
            PASSPHRASE => {
                let state = self.lock_state();
                let open = state.as_ref().ok_or(VaultError::Locked)?;
                match &open.passphrase {
                    Some(p) => Ok(Arc::clone(p) as Arc<dyn KeyProvider>),
                    None => Err(VaultError::PassphraseRequired.into()),
                }
            }
            other => Err(VaultError::KeyUnavailable(format!(
                "the key provider '{other}' is not available in this program"
            ))
            .into()),
        }
    }

    /// The KEK of a tenant key (opened once per unlock).
    async fn kek(&self, key_id: Uuid, provider: &str, reference: &str) -> CoreResult<Key> {
        {
            let state = self.lock_state();
            let open = state.as_ref().ok_or(VaultError::Locked)?;
            if let Some(kek) = open.keks.get(&key_id) {
                return Ok(kek.clone());
            }
        }
        let p = self.provider(provider)?;
        let reference = reference.to_string();
        let kek = blocking(move || p.open(key_id, &reference)).await?;
        let mut state = self.lock_state();
        let open = state.as_mut().ok_or(VaultError::Locked)?;
        open.keks.insert(key_id, kek.clone());
        Ok(kek)
    }

    /// Makes a new KEK for `key_id` with `provider`.
    async fn create_kek(&self, key_id: Uuid, provider: &str) -> CoreResult<(String, Key)> {
        self.touch()?;
        let p = self.provider(provider)?;
        let created = blocking(move || p.create(key_id)).await?;
        let mut state = self.lock_state();
        let open = state.as_mut().ok_or(VaultError::Locked)?;
        open.keks.insert(key_id, created.1.clone());
        Ok(created)
    }

    fn discard_kek(&self, provider: &str, reference: &str) {
        if let Ok(p) = self.provider(provider) {
            p.discard(reference);
        }
        if let Some(open) = self.lock_state().as_mut() {
            open.keks.clear();
        }
    }

    fn cached_data_key(&self, version_id: Uuid) -> CoreResult<Option<Key>> {
        let state = self.lock_state();
        let open = state.as_ref().ok_or(VaultError::Locked)?;
        Ok(open.data_keys.get(&version_id).cloned())
    }

    fn cache_data_key(&self, version_id: Uuid, key: &Key) -> CoreResult<()> {
        let mut state = self.lock_state();
        let open = state.as_mut().ok_or(VaultError::Locked)?;
        open.data_keys.insert(version_id, key.clone());
        Ok(())
    }

    /// The data key of a key version: from the cache, else unwrapped with
    /// its key's KEK.
    async fn data_key(&self, conn: &mut sqlx::PgConnection, version_id: Uuid) -> CoreResult<Key> {
        if let Some(key) = self.cached_data_key(version_id)? {
            return Ok(key);
        }
        let row: Option<(Uuid, Uuid, String, String, i32, serde_json::Value)> = sqlx::query_as(
            "SELECT k.id, k.root_entity_id, k.key_provider, k.key_reference, v.version, v.wrapped_key
             FROM tenant_encryption_key_versions v
             JOIN tenant_encryption_keys k ON k.id = v.tenant_encryption_key_id
             WHERE v.id = $1",
        )
        .bind(version_id)
        .fetch_optional(&mut *conn)
        .await?;
        let (key_id, root_id, provider, reference, version, wrapped) =
            row.ok_or(CoreError::NotFound {
                what: "key version",
                id: version_id,
            })?;
        let kek = self.kek(key_id, &provider, &reference).await?;
        let sealed = crypto::wrapped_from_json(&wrapped)?;
        let key = crypto::unwrap(
            &kek,
            &sealed,
            &crypto::data_key_aad(key_id, root_id, version),
        )?;
        self.cache_data_key(version_id, &key)?;
        Ok(key)
    }
}

/// Runs a blocking provider call off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> CoreResult<T> + Send + 'static,
) -> CoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| VaultError::KeyUnavailable(format!("the key provider stopped: {e}")))?
}

/// A root's tenant key and its versions (no key material).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TenantKey {
    pub id: Uuid,
    pub root_id: Uuid,
    pub provider: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    /// Versions below this refuse to decrypt.
    pub minimum_version: i32,
    pub newest_version: i32,
    pub versions: Vec<TenantKeyVersion>,
    /// Secret versions not yet on the newest key version (the rewrap's
    /// work); None when the person cannot read the root's secrets.
    pub secret_versions_behind: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TenantKeyVersion {
    pub id: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub activated_at: Option<DateTime<Utc>>,
    pub retired_at: Option<DateTime<Utc>>,
    /// Secret versions sealed by it (that the person can see).
    pub secret_versions: i64,
}

/// One root as the vault screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RootVault {
    pub root_id: Uuid,
    pub root_name: String,
    pub can_admin: bool,
    pub can_read_secrets: bool,
    pub can_write_secrets: bool,
    pub key: Option<TenantKey>,
}

/// The vault as the person sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    pub locked: bool,
    /// Whether the session was unlocked with a passphrase.
    pub has_passphrase: bool,
    /// Seconds of idle time after which the vault locks itself.
    pub idle_lock_seconds: u32,
    /// Why the OS keychain cannot be used; None when it can.
    pub keychain_problem: Option<String>,
    pub roots: Vec<RootVault>,
}

/// A secret (its entity) with its latest version's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SecretSummary {
    pub id: Uuid,
    pub name: String,
    pub root_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub path_label: String,
    /// None when the person cannot read the secret's versions (or it has none).
    pub latest_version: Option<i32>,
    pub latest_key_version: Option<i32>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// One version of a secret: metadata only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SecretVersionInfo {
    pub id: Uuid,
    pub secret_id: Uuid,
    pub version: i32,
    pub key_version: i32,
    pub created_at: DateTime<Utc>,
    pub created_by_user_id: Uuid,
    pub created_by_name: Option<String>,
    pub reason: Option<String>,
}

/// A revealed value: the only record that carries one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RevealedSecret {
    pub secret_id: Uuid,
    pub version: i32,
    pub value: SecretText,
}

/// A new secret: an entity under `parent_id` with its first value.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CreateSecret {
    pub parent_id: Uuid,
    pub name: String,
    pub value: SecretText,
    pub reason: Option<String>,
}

/// How a rewrap went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RewrapOutcome {
    /// Secret versions moved to the newest key version by this run.
    pub rewrapped: i64,
    pub key_version: i32,
    /// Secret versions still behind (0 when done).
    pub remaining: i64,
}

/// Checks a reason given for a secret operation (1 to 500 characters).
fn check_reason(reason: Option<&str>, required: bool) -> CoreResult<Option<String>> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    match reason {
        None if required => Err(CoreError::invalid(
            Some("reason"),
            Rule::Required,
            "say why (the reason is kept in the audit trail)",
        )),
        Some(r) if r.chars().count() > 500 => Err(CoreError::invalid(
            Some("reason"),
            Rule::TooLong,
            "a reason has at most 500 characters",
        )),
        r => Ok(r.map(str::to_string)),
    }
}
