//! The OS keychain (the Secret Service on Linux, through `keyring`), for
//! the two things Eco Studio keeps there: the vault's key-encryption keys
//! (the `os-keychain` [`KeyProvider`]) and the passwords of connection
//! profiles. studio-core never links a keychain; the app and the CLI build
//! these and hand them in.
//!
//! Every failure is a clear error, never a silent fallback: no bus, a
//! locked keychain, an entry missing on this computer each say so.

use std::sync::Arc;

use studio_core::error::{CoreError, CoreResult, VaultError};
use studio_core::profiles::PasswordStore;
use studio_core::vault::crypto::{self, Key, KEY_LEN};
use studio_core::vault::{KeyProvider, KeychainUnavailable, SecretText, OS_KEYCHAIN};
use uuid::Uuid;
use zeroize::Zeroizing;

/// The keychain service of the vault's key-encryption keys.
pub const VAULT_SERVICE: &str = "eco-studio-vault";
/// The keychain service of connection profiles' passwords.
pub const PROFILE_SERVICE: &str = "eco-studio-profile";

/// Says why the keychain cannot be used, in words a person can act on.
pub fn explain(err: &keyring::Error) -> String {
    match err {
        keyring::Error::NoStorageAccess(e) => format!(
            "the OS keychain is locked or refuses access (unlock your login keyring): {e}"
        ),
        keyring::Error::PlatformFailure(e) => format!(
            "no OS keychain is reachable (needs a D-Bus session with a Secret Service such as gnome-keyring or KWallet): {e}"
        ),
        keyring::Error::NoEntry => "the keychain has no such entry".to_string(),
        other => format!("the OS keychain failed: {other}"),
    }
}

fn unavailable(err: &keyring::Error) -> CoreError {
    CoreError::Vault(VaultError::KeyUnavailable(explain(err)))
}

/// Checks that a keychain answers here: a read of an entry that need not
/// exist must come back as "found" or "no entry".
pub fn probe() -> Result<(), KeychainUnavailable> {
    let entry = keyring::Entry::new(VAULT_SERVICE, "probe").map_err(|e| explain(&e))?;
    match entry.get_secret() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(explain(&e).into()),
    }
}

/// The vault's `os-keychain` provider: a random 256-bit KEK per tenant key,
/// stored under service [`VAULT_SERVICE`] with the key's id as account.
#[derive(Debug, Default)]
pub struct OsKeychain;

impl OsKeychain {
    /// The provider when a keychain answers here, else why not (for
    /// `Vault::new`).
    pub fn connect() -> Result<Arc<dyn KeyProvider>, KeychainUnavailable> {
        probe()?;
        Ok(Arc::new(OsKeychain))
    }
}

fn account_of(reference: &str) -> CoreResult<&str> {
    reference
        .strip_prefix(VAULT_SERVICE)
        .and_then(|r| r.strip_prefix('/'))
        .filter(|a| Uuid::parse_str(a).is_ok())
        .ok_or(CoreError::Vault(VaultError::Integrity(
            "the keychain key's reference",
        )))
}

impl KeyProvider for OsKeychain {
    fn name(&self) -> &'static str {
        OS_KEYCHAIN
    }

    fn create(&self, key_id: Uuid) -> CoreResult<(String, Key)> {
        let account = key_id.to_string();
        let entry = keyring::Entry::new(VAULT_SERVICE, &account).map_err(|e| unavailable(&e))?;
        let kek = crypto::random_key()?;
        entry
            .set_secret(kek.as_ref())
            .map_err(|e| unavailable(&e))?;
        // Read it back: a keychain that accepted the write but keeps
        // nothing must fail here, not when the secrets are needed.
        let back = Zeroizing::new(entry.get_secret().map_err(|e| unavailable(&e))?);
        if back.as_slice() != kek.as_ref() {
            let _ = entry.delete_credential();
            return Err(CoreError::Vault(VaultError::KeyUnavailable(
                "the OS keychain did not keep the new key".into(),
            )));
        }
        Ok((format!("{VAULT_SERVICE}/{account}"), kek))
    }

    fn open(&self, _key_id: Uuid, reference: &str) -> CoreResult<Key> {
        let account = account_of(reference)?;
        let entry = keyring::Entry::new(VAULT_SERVICE, account).map_err(|e| unavailable(&e))?;
        let bytes = Zeroizing::new(entry.get_secret().map_err(|e| match e {
            keyring::Error::NoEntry => CoreError::Vault(VaultError::KeyUnavailable(
                "this root's key-encryption key is not in this computer's keychain (it was made on another computer, or removed)".into(),
            )),
            e => unavailable(&e),
        })?);
        if bytes.len() != KEY_LEN {
            return Err(CoreError::Vault(VaultError::Integrity(
                "the keychain's key-encryption key",
            )));
        }
        let mut kek = Zeroizing::new([0u8; KEY_LEN]);
        kek.copy_from_slice(&bytes);
        Ok(kek)
    }

    fn discard(&self, reference: &str) {
        if let Ok(account) = account_of(reference) {
            if let Ok(entry) = keyring::Entry::new(VAULT_SERVICE, account) {
                let _ = entry.delete_credential();
            }
        }
    }
}

/// Connection profiles' passwords in the keychain, one entry per profile
/// name under [`PROFILE_SERVICE`].
#[derive(Debug, Default)]
pub struct KeychainPasswords;

fn profile_error(err: &keyring::Error) -> CoreError {
    CoreError::Forbidden(format!(
        "the password cannot be kept in the OS keychain: {}",
        explain(err)
    ))
}

impl PasswordStore for KeychainPasswords {
    fn save(&self, profile: &str, password: &SecretText) -> CoreResult<()> {
        let entry = keyring::Entry::new(PROFILE_SERVICE, profile).map_err(|e| profile_error(&e))?;
        entry
            .set_password(password.expose())
            .map_err(|e| profile_error(&e))
    }

    fn load(&self, profile: &str) -> CoreResult<Option<SecretText>> {
        let entry = keyring::Entry::new(PROFILE_SERVICE, profile).map_err(|e| profile_error(&e))?;
        match entry.get_password() {
            Ok(p) => Ok(Some(SecretText::new(p))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(profile_error(&e)),
        }
    }

    fn forget(&self, profile: &str) -> CoreResult<()> {
        let entry = keyring::Entry::new(PROFILE_SERVICE, profile).map_err(|e| profile_error(&e))?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(profile_error(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Against the real keychain where one answers (`scripts/test` runs the
    //! tests with a private gnome-keyring and `ECO_REQUIRE_KEYCHAIN=1`, so
    //! there they cannot skip).

    use super::*;

    fn keychain_answers() -> bool {
        match probe() {
            Ok(()) => true,
            Err(why) => {
                assert!(
                    std::env::var_os("ECO_REQUIRE_KEYCHAIN").is_none(),
                    "ECO_REQUIRE_KEYCHAIN is set but no keychain answers: {why}"
                );
                eprintln!("no keychain here ({why}): checked where one runs");
                false
            }
        }
    }

    #[test]
    fn a_key_encryption_key_is_kept_read_back_and_discarded() {
        if !keychain_answers() {
            return;
        }
        let provider = OsKeychain;
        let key_id = Uuid::now_v7();
        let (reference, kek) = provider.create(key_id).unwrap();
        assert_eq!(reference, format!("{VAULT_SERVICE}/{key_id}"));
        assert_eq!(*provider.open(key_id, &reference).unwrap(), *kek);
        // Another key's reference is another entry; a malformed one is refused.
        let other = format!("{VAULT_SERVICE}/{}", Uuid::now_v7());
        assert!(matches!(
            provider.open(key_id, &other),
            Err(CoreError::Vault(VaultError::KeyUnavailable(m))) if m.contains("not in this computer's keychain")
        ));
        assert!(matches!(
            provider.open(key_id, "elsewhere/x"),
            Err(CoreError::Vault(VaultError::Integrity(_)))
        ));
        provider.discard(&reference);
        assert!(provider.open(key_id, &reference).is_err(), "discarded");
    }

    #[test]
    fn a_profile_password_is_kept_replaced_and_forgotten() {
        if !keychain_answers() {
            return;
        }
        let store = KeychainPasswords;
        let name = format!("test profile {}", Uuid::now_v7());
        assert_eq!(store.load(&name).unwrap(), None);
        store.save(&name, &SecretText::new("first")).unwrap();
        assert_eq!(store.load(&name).unwrap().unwrap().expose(), "first");
        store.save(&name, &SecretText::new("second")).unwrap();
        assert_eq!(store.load(&name).unwrap().unwrap().expose(), "second");
        store.forget(&name).unwrap();
        assert_eq!(store.load(&name).unwrap(), None);
        store.forget(&name).unwrap();
    }

    #[test]
    fn without_a_session_bus_the_keychain_is_a_clear_refusal() {
        // This test runs in its own process (nextest): the variable is its own.
        std::env::set_var(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/eco-studio-bus",
        );
        std::env::remove_var("DISPLAY");
        let why = OsKeychain::connect()
            .err()
            .expect("no keychain without a bus");
        assert!(why.0.contains("no OS keychain is reachable"), "{why}");
        assert!(matches!(
            KeychainPasswords.load("anything"),
            Err(CoreError::Forbidden(m)) if m.contains("OS keychain")
        ));
    }
}
