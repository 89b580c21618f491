//! The vault's primitives: AES-256-GCM with a fresh random 96-bit nonce,
//! the bindings (AAD) of a secret version and of a wrapped data key, and
//! Argon2id for passphrase keys. Every failure to open is one typed
//! integrity error: a wrong key, nonce, tag, ciphertext or binding are not
//! told apart, and nothing is returned unless the tag matches.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::error::{CoreError, CoreResult, VaultError};

/// The algorithm name stored with every ciphertext and wrapped key.
pub const ALGORITHM: &str = "AES-256-GCM";
pub const NONCE_LEN: usize = 12;
pub const TAG_LEN: usize = 16;
pub const KEY_LEN: usize = 32;

/// A 256-bit key, wiped from memory when dropped.
pub type Key = Zeroizing<[u8; KEY_LEN]>;

/// A ciphertext with its nonce and tag, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub nonce: [u8; NONCE_LEN],
    pub ciphertext: Vec<u8>,
    pub tag: [u8; TAG_LEN],
}

/// Fills `buf` from the operating system's random source.
pub fn random_bytes(buf: &mut [u8]) -> CoreResult<()> {
    getrandom::getrandom(buf).map_err(|e| {
        CoreError::Vault(VaultError::KeyUnavailable(format!(
            "the system's random source failed: {e}"
        )))
    })
}

/// A fresh random 256-bit key.
pub fn random_key() -> CoreResult<Key> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    random_bytes(key.as_mut())?;
    Ok(key)
}

/// Encrypts `plaintext` under `key`, bound to `aad`, with a fresh random
/// nonce.
pub fn seal(key: &[u8; KEY_LEN], aad: &[u8], plaintext: &[u8]) -> CoreResult<Sealed> {
    let mut nonce = [0u8; NONCE_LEN];
    random_bytes(&mut nonce)?;
    Ok(seal_with_nonce(key, &nonce, aad, plaintext))
}

/// Encrypts with a given nonce. Only for known-answer tests: a nonce must
/// never be used twice with one key.
pub fn seal_with_nonce(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Sealed {
    let cipher = Aes256Gcm::new(key.into());
    let mut buffer = plaintext.to_vec();
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(nonce), aad, &mut buffer)
        .expect("AES-GCM accepts any message shorter than 64 GiB");
    Sealed {
        nonce: *nonce,
        ciphertext: buffer,
        tag: tag.into(),
    }
}

/// Decrypts and checks `sealed`; `what` names the thing for the error.
pub fn open(
    key: &[u8; KEY_LEN],
    aad: &[u8],
    sealed: &Sealed,
    what: &'static str,
) -> CoreResult<Zeroizing<Vec<u8>>> {
    let cipher = Aes256Gcm::new(key.into());
    let mut buffer = Zeroizing::new(sealed.ciphertext.clone());
    cipher
        .decrypt_in_place_detached(
            Nonce::from_slice(&sealed.nonce),
            aad,
            &mut buffer,
            Tag::from_slice(&sealed.tag),
        )
        .map_err(|_| CoreError::Vault(VaultError::Integrity(what)))?;
    Ok(buffer)
}

/// What a secret version's ciphertext is bound to. A ciphertext moved to
/// another secret, root, version or key version fails to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretBinding {
    pub secret_id: Uuid,
    pub root_id: Uuid,
    pub version: i32,
    pub key_version: i32,
}

impl SecretBinding {
    /// The bytes authenticated with the ciphertext (fixed order and form:
    /// not the jsonb text, whose key order PostgreSQL chooses).
    pub fn aad(&self) -> Vec<u8> {
        format!(
            "eco-studio/secret/1|{}|{}|{}|{}",
            self.secret_id, self.root_id, self.version, self.key_version
        )
        .into_bytes()
    }

    /// The binding as stored in `vault_secret_versions.aad`.
    pub fn to_json(self) -> serde_json::Value {
        serde_json::json!({
            "format": 1,
            "secret_id": self.secret_id,
            "root_id": self.root_id,
            "version": self.version,
            "key_version": self.key_version,
        })
    }

    /// Whether the stored `aad` says exactly this binding.
    pub fn matches(&self, stored: &serde_json::Value) -> bool {
        *stored == self.to_json()
    }
}

/// The bytes a data key is bound to when wrapped: its key, root and version.
pub fn data_key_aad(key_id: Uuid, root_id: Uuid, version: i32) -> Vec<u8> {
    format!("eco-studio/data-key/1|{key_id}|{root_id}|{version}").into_bytes()
}

/// The bytes of the check value that tells a wrong passphrase from an
/// altered wrapped key.
pub fn kek_check_aad(key_id: Uuid) -> Vec<u8> {
    format!("eco-studio/kek-check/1|{key_id}").into_bytes()
}

/// A wrapped data key as stored in `tenant_encryption_key_versions.wrapped_key`.
pub fn wrapped_to_json(sealed: &Sealed) -> serde_json::Value {
    serde_json::json!({
        "algorithm": ALGORITHM,
        "nonce": hex(&sealed.nonce),
        "ciphertext": hex(&sealed.ciphertext),
        "tag": hex(&sealed.tag),
    })
}

/// Reads a stored wrapped key; anything malformed is an integrity failure.
pub fn wrapped_from_json(value: &serde_json::Value) -> CoreResult<Sealed> {
    let bad = || CoreError::Vault(VaultError::Integrity("the wrapped data key"));
    let field = |name: &str| value.get(name).and_then(|v| v.as_str()).ok_or_else(bad);
    if field("algorithm")? != ALGORITHM {
        return Err(bad());
    }
    let nonce = unhex_array::<NONCE_LEN>(field("nonce")?).ok_or_else(bad)?;
    let tag = unhex_array::<TAG_LEN>(field("tag")?).ok_or_else(bad)?;
    let ciphertext = unhex(field("ciphertext")?).ok_or_else(bad)?;
    if ciphertext.len() != KEY_LEN {
        return Err(bad());
    }
    Ok(Sealed {
        nonce,
        ciphertext,
        tag,
    })
}

/// Wraps a data key under a key-encryption key.
pub fn wrap(kek: &[u8; KEY_LEN], data_key: &[u8; KEY_LEN], aad: &[u8]) -> CoreResult<Sealed> {
    seal(kek, aad, data_key)
}

/// Unwraps a data key; a wrong KEK or an altered wrapping is an integrity
/// failure.
pub fn unwrap(kek: &[u8; KEY_LEN], wrapped: &Sealed, aad: &[u8]) -> CoreResult<Key> {
    let plain = open(kek, aad, wrapped, "the wrapped data key")?;
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    if plain.len() != KEY_LEN {
        return Err(CoreError::Vault(VaultError::Integrity(
            "the wrapped data key",
        )));
    }
    key.copy_from_slice(&plain);
    Ok(key)
}

/// Argon2id cost parameters, stored with a passphrase key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Params {
    /// Memory in KiB.
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Argon2Params {
    /// What new passphrase keys use: 19 MiB, 2 passes, 1 lane.
    pub const DEFAULT: Argon2Params = Argon2Params {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };
}

/// Derives a key-encryption key from a passphrase.
pub fn derive_kek(passphrase: &[u8], salt: &[u8], params: Argon2Params) -> CoreResult<Key> {
    let bad = |e: argon2::Error| {
        CoreError::Vault(VaultError::KeyUnavailable(format!(
            "the passphrase key's parameters are unusable: {e}"
        )))
    };
    let params = argon2::Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(KEY_LEN),
    )
    .map_err(bad)?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut kek = Zeroizing::new([0u8; KEY_LEN]);
    argon
        .hash_password_into(passphrase, salt, kek.as_mut())
        .map_err(bad)?;
    Ok(kek)
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

pub fn unhex_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    unhex(text)?.try_into().ok()
}
