//! `eco-studio webhook listen`: a small receiver for trying workflows'
//! HTTP nodes. It answers every request with 200, prints one JSON line per
//! request (method, path, idempotency key, whether the signature verifies
//! under the signing key, body) and stops after `--count` requests.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use serde_json::json;
use studio_core::workflows::http::{verify, IDEMPOTENCY_HEADER, SIGNATURE_HEADER};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Subcommand)]
pub enum WebhookAction {
    /// Receive requests on 127.0.0.1 and print them.
    Listen {
        /// The port to listen on.
        #[arg(long, default_value_t = 8787)]
        port: u16,
        /// Read the signing key from the first line of stdin and check
        /// each request's signature with it.
        #[arg(long)]
        signing_key_stdin: bool,
        /// Stop after this many requests.
        #[arg(long)]
        count: Option<u64>,
    },
}

/// Largest request read (head and body).
const MAX_REQUEST: usize = 1024 * 1024;

struct Received {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Result<Option<Received>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > MAX_REQUEST {
            anyhow::bail!("a request larger than 1 MiB");
        }
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        let mut lines = head.lines();
        let first: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < end + 4 + length {
            let n = socket.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body_end = (end + 4 + length).min(buf.len());
        return Ok(Some(Received {
            method: first.first().unwrap_or(&"").to_string(),
            path: first.get(1).unwrap_or(&"").to_string(),
            headers,
            body: String::from_utf8_lossy(&buf[end + 4..body_end]).to_string(),
        }));
    }
}

pub async fn webhook_command(action: WebhookAction) -> Result<ExitCode> {
    let WebhookAction::Listen {
        port,
        signing_key_stdin,
        count,
    } = action;
    let key = crate::vault::passphrase(signing_key_stdin)?;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("listening on 127.0.0.1:{port}"))?;
    eprintln!("listening on http://127.0.0.1:{port}/ (Ctrl-C stops)");
    let mut received = 0u64;
    while count.is_none_or(|c| received < c) {
        let (mut socket, _) = listener.accept().await?;
        let request = match read_request(&mut socket).await {
            Ok(Some(r)) => r,
            Ok(None) => continue,
            Err(e) => {
                eprintln!("a request could not be read: {e}");
                continue;
            }
        };
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let signature = match (header(SIGNATURE_HEADER), &key) {
            (None, _) => "unsigned",
            (Some(_), None) => "not checked",
            (Some(sig), Some(key)) => {
                if verify(key.expose().as_bytes(), &sig, &request.body) {
                    "verified"
                } else {
                    "INVALID"
                }
            }
        };
        println!(
            "{}",
            json!({
                "method": request.method, "path": request.path,
                "idempotencyKey": header(IDEMPOTENCY_HEADER), "signature": signature,
                "body": request.body,
            })
        );
        let _ = socket
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 8\r\nconnection: close\r\n\r\nreceived")
            .await;
        received += 1;
    }
    Ok(ExitCode::SUCCESS)
}
