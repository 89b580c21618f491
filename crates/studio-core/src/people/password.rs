//! Passwords of new people: generated here, shown once, and handed to the
//! server only as a SCRAM-SHA-256 verifier (RFC 5802/7677, PostgreSQL's
//! `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`), so the
//! password itself never reaches the server, its logs or its catalog.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// PostgreSQL's default iteration count for SCRAM verifiers.
const ITERATIONS: u32 = 4096;

/// Letters and digits without the look-alikes (0/O, 1/l/I).
const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A random password of 24 characters (about 140 bits).
pub fn generate_password() -> String {
    let mut bytes = [0u8; 24];
    getrandom::getrandom(&mut bytes).expect("the operating system's random source");
    bytes
        .iter()
        .map(|b| {
            // 256 is not a multiple of the alphabet's length; the bias of
            // one byte per character is below 2% and costs under a bit.
            ALPHABET[*b as usize % ALPHABET.len()] as char
        })
        .collect()
}

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// PBKDF2-HMAC-SHA-256 with one output block ("Hi" in RFC 5802).
fn salted(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut first = salt.to_vec();
    first.extend_from_slice(&1u32.to_be_bytes());
    let mut u = hmac(password, &first);
    let mut out = u;
    for _ in 1..iterations {
        u = hmac(password, &u);
        for (o, x) in out.iter_mut().zip(u.iter()) {
            *o ^= x;
        }
    }
    out
}

/// The verifier PostgreSQL stores for `password` with a fresh random salt.
pub fn scram_verifier(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).expect("the operating system's random source");
    verifier_with(password, &salt, ITERATIONS)
}

fn verifier_with(password: &str, salt: &[u8], iterations: u32) -> String {
    let salted = salted(password.as_bytes(), salt, iterations);
    let client_key = hmac(&salted, b"Client Key");
    let stored_key = Sha256::digest(client_key);
    let server_key = hmac(&salted, b"Server Key");
    format!(
        "SCRAM-SHA-256${iterations}:{}${}:{}",
        STANDARD.encode(salt),
        STANDARD.encode(stored_key),
        STANDARD.encode(server_key)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_random_and_unambiguous() {
        let a = generate_password();
        let b = generate_password();
        assert_eq!(a.chars().count(), 24);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
    }

    #[test]
    fn verifiers_have_postgres_form_and_hide_the_password() {
        let v = scram_verifier("correct horse");
        assert!(v.starts_with("SCRAM-SHA-256$4096:"), "{v}");
        assert!(!v.contains("correct horse"));
        // Fresh salt each time.
        assert_ne!(v, scram_verifier("correct horse"));
        // Deterministic for a given salt.
        assert_eq!(
            verifier_with("pw", b"0123456789abcdef", 2),
            verifier_with("pw", b"0123456789abcdef", 2)
        );
    }
}
