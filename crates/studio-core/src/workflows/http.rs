//! The HTTP node's request: rendered from its templates, signed, sent with
//! a timeout and an idempotency key that stays the same across retries of
//! the step (so a receiver can tell a repeat from a new request).
//!
//! Signing: `X-Eco-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>.<body>" under the signing secret>`. The bearer token and the
//! signing key never appear in the step's recorded input.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::nodes::StepError;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-eco-signature";
/// The header carrying the idempotency key.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
/// How long a request may take when the node does not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Response bodies are kept up to this many bytes in the step's output.
const MAX_KEPT_BODY: usize = 16 * 1024;

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
    /// Sent as `Authorization: Bearer …`; never recorded.
    pub bearer: Option<crate::vault::SecretText>,
    /// Signs the body; never recorded.
    pub signing_key: Option<crate::vault::SecretText>,
    pub idempotency_key: String,
    pub timeout: Duration,
}

impl Request {
    /// What the step records (and a test run shows): no secrets.
    pub fn recorded(&self) -> Value {
        let mut headers: BTreeMap<String, String> = self.headers.clone();
        headers.insert(IDEMPOTENCY_HEADER.into(), self.idempotency_key.clone());
        if self.bearer.is_some() {
            headers.insert("authorization".into(), "Bearer (from the vault)".into());
        }
        if self.signing_key.is_some() {
            headers.insert(
                SIGNATURE_HEADER.into(),
                "t=…,v1=… (signed with the vault's key)".into(),
            );
        }
        json!({
            "method": self.method, "url": self.url, "headers": headers, "body": self.body,
            "timeoutMs": self.timeout.as_millis() as u64,
        })
    }
}

/// The signature header's value for `body` at `t`.
pub fn signature(key: &[u8], t: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// Checks a signature header against `body` (what a receiver does).
pub fn verify(key: &[u8], header: &str, body: &str) -> bool {
    let t = header
        .split(',')
        .find_map(|p| p.strip_prefix("t="))
        .and_then(|t| t.parse::<i64>().ok());
    match t {
        Some(t) => {
            let expected = signature(key, t, body);
            // Constant-time enough for a test receiver: compare all bytes.
            expected.len() == header.len()
                && expected
                    .bytes()
                    .zip(header.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        }
        None => false,
    }
}

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder()
            .user_agent(concat!("eco-studio/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client with the default settings")
    })
}

/// Sends the request. A status of 2xx succeeds; 408, 429 and 5xx, a
/// timeout or a connection failure may succeed on a retry; other statuses
/// fail the step.
pub async fn send(request: &Request) -> Result<Value, StepError> {
    let method = reqwest::Method::from_bytes(request.method.as_bytes())
        .map_err(|_| StepError::fatal(format!("{:?} is not an HTTP method", request.method)))?;
    let url = reqwest::Url::parse(&request.url)
        .map_err(|e| StepError::fatal(format!("{:?} is not a URL: {e}", request.url)))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(StepError::fatal("the URL starts with http:// or https://"));
    }
    let mut builder = client()
        .request(method, url)
        .timeout(request.timeout)
        .header(IDEMPOTENCY_HEADER, &request.idempotency_key);
    for (k, v) in &request.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    if let Some(token) = &request.bearer {
        builder = builder.bearer_auth(token.expose());
    }
    let body = request.body.clone().unwrap_or_default();
    if let Some(key) = &request.signing_key {
        let t = chrono::Utc::now().timestamp();
        builder = builder.header(
            SIGNATURE_HEADER,
            signature(key.expose().as_bytes(), t, &body),
        );
    }
    if request.body.is_some() {
        builder = builder.body(body);
    }
    let response = builder.send().await.map_err(|e| {
        if e.is_timeout() {
            StepError::retry(format!(
                "the request timed out after {} ms",
                request.timeout.as_millis()
            ))
        } else {
            StepError::retry(format!("the request failed: {}", without_url(&e)))
        }
    })?;
    let status = response.status().as_u16();
    let bytes = response.bytes().await.map_err(|e| {
        StepError::retry(format!("reading the response failed: {}", without_url(&e)))
    })?;
    let kept = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_KEPT_BODY)]).to_string();
    let output = json!({ "status": status, "body": kept });
    match status {
        200..=299 => Ok(output),
        408 | 429 | 500..=599 => Err(StepError::retry(format!("the receiver answered {status}"))),
        _ => Err(StepError::fatal(format!("the receiver answered {status}"))),
    }
}

/// An error's text without the URL (which may carry a token in its query).
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "the URL");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_a_changed_body_does_not() {
        let header = signature(b"k3y", 1_700_000_000, "{\"a\":1}");
        assert!(header.starts_with("t=1700000000,v1="));
        assert!(verify(b"k3y", &header, "{\"a\":1}"));
        assert!(!verify(b"k3y", &header, "{\"a\":2}"));
        assert!(!verify(b"other", &header, "{\"a\":1}"));
    }
}
