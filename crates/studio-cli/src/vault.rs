//! `eco-studio vault status|create-key|rotate|rewrap|minimum` and
//! `eco-studio secret set|list|versions|reveal`: the vault as a person
//! (row-level security applies). A passphrase is read from the first line
//! of stdin (`--passphrase-stdin`), and a secret's value from stdin, never
//! from an argument (arguments show in the process list). `secret reveal`
//! prints the value only with `--show`, to stdout and nowhere else.

use std::io::{BufRead, Read};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use studio_core::progress::CancelToken;
use studio_core::startup::{self, DatabaseTarget, Identity};
use studio_core::vault::{self, CreateSecret, KeyProviderKind, SecretText, Vault};
use studio_core::{people, Actor, Source};
use uuid::Uuid;

#[derive(Clone, Copy, ValueEnum)]
pub enum Provider {
    OsKeychain,
    Passphrase,
}

#[derive(Subcommand)]
pub enum VaultAction {
    /// The roots you see, their keys and versions, and whether this
    /// computer's keychain answers.
    Status {
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
    /// Create a root's key (administrators of the root).
    CreateKey {
        /// The root's path label or id.
        #[arg(long)]
        root: String,
        #[arg(long, value_enum)]
        provider: Provider,
        /// Read the passphrase from the first line of stdin.
        #[arg(long)]
        passphrase_stdin: bool,
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
    /// Add a key version with a fresh data key.
    Rotate {
        #[arg(long)]
        root: String,
        #[arg(long)]
        passphrase_stdin: bool,
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
    /// Move every secret version onto the newest key version (resumable:
    /// each batch commits; run it again after an interruption).
    Rewrap {
        #[arg(long)]
        root: String,
        /// Secret versions per transaction.
        #[arg(long, default_value_t = vault::REWRAP_BATCH)]
        batch: i64,
        #[arg(long)]
        passphrase_stdin: bool,
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
    /// Set the minimum decryption version (older versions refuse to decrypt).
    Minimum {
        #[arg(long)]
        root: String,
        version: i32,
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum SecretAction {
    /// Write a secret's value, read from stdin: a new secret (--parent and
    /// --name) or a new version of one (--secret).
    Set {
        #[arg(long, conflicts_with = "parent", required_unless_present = "parent")]
        secret: Option<Uuid>,
        #[arg(long, requires = "name")]
        parent: Option<Uuid>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        reason: Option<String>,
        /// The first line of stdin is the passphrase; the rest is the value.
        #[arg(long)]
        passphrase_stdin: bool,
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
    /// The secrets you see (metadata only).
    List {
        #[arg(long)]
        root: Option<String>,
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
    /// A secret's versions (metadata only).
    Versions {
        #[arg(long)]
        secret: Uuid,
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
    /// Decrypt a version (the newest by default); audited with the reason.
    /// Prints the value to stdout only with --show.
    Reveal {
        #[arg(long)]
        secret: Uuid,
        #[arg(long)]
        version: Option<i32>,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        show: bool,
        #[arg(long)]
        passphrase_stdin: bool,
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
}

fn identity(role: Option<String>) -> Result<Identity> {
    Ok(match role {
        None => Identity::Person,
        Some(r) if r.trim().is_empty() => bail!("--as needs a role name"),
        Some(r) => Identity::Role(r),
    })
}

/// The vault of this process, with the OS keychain when one answers.
pub(crate) fn new_vault() -> Arc<Vault> {
    Vault::with_keychain(studio_keychain::OsKeychain::connect)
}

/// Reads the passphrase (first line of stdin) when asked to.
pub(crate) fn passphrase(from_stdin: bool) -> Result<Option<SecretText>> {
    if !from_stdin {
        return Ok(None);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the passphrase from stdin")?;
    let trimmed = line.trim_end_matches(['\n', '\r']).to_string();
    zeroize::Zeroize::zeroize(&mut line);
    if trimmed.is_empty() {
        bail!("the first line of stdin must be the passphrase");
    }
    Ok(Some(SecretText::new(trimmed)))
}

async fn root_id(pool: &studio_core::db::PgPool, label: &str) -> Result<Uuid> {
    people::root_by_label(pool, label)
        .await?
        .with_context(|| format!("no root {label:?} (give its path label or id)"))
}

pub async fn vault_command(action: VaultAction, target: &DatabaseTarget) -> Result<ExitCode> {
    let (role, stdin_pass) = match &action {
        VaultAction::Status { role } | VaultAction::Minimum { role, .. } => (role.clone(), false),
        VaultAction::CreateKey {
            role,
            passphrase_stdin,
            ..
        }
        | VaultAction::Rotate {
            role,
            passphrase_stdin,
            ..
        }
        | VaultAction::Rewrap {
            role,
            passphrase_stdin,
            ..
        } => (role.clone(), *passphrase_stdin),
    };
    let pass = passphrase(stdin_pass)?;
    let opened = startup::open_as(target, identity(role)?, |_| {}).await?;
    let pool = &opened.pool;
    let vault = new_vault();
    let actor = Actor::for_session(pool, Source::Cli).await?;
    match action {
        VaultAction::Status { .. } => {
            let status = vault::status(pool, &vault).await?;
            match &status.keychain_problem {
                None => println!("keychain: available"),
                Some(p) => println!("keychain: unavailable ({p})"),
            }
            for root in &status.roots {
                match &root.key {
                    None => println!("{}: no key", root.root_name),
                    Some(k) => println!(
                        "{}: {} key, version {} (minimum {}), {} version(s), {} secret version(s) behind",
                        root.root_name,
                        k.provider,
                        k.newest_version,
                        k.minimum_version,
                        k.versions.len(),
                        k.secret_versions_behind
                            .map_or("?".to_string(), |n| n.to_string())
                    ),
                }
            }
        }
        VaultAction::CreateKey { root, provider, .. } => {
            vault.unlock(pool, pass).await?;
            let root = root_id(pool, &root).await?;
            let provider = match provider {
                Provider::OsKeychain => KeyProviderKind::OsKeychain,
                Provider::Passphrase => KeyProviderKind::Passphrase,
            };
            let key = vault::create_key(pool, &vault, &actor, root, provider)
                .await?
                .value;
            println!("created {} key {} (version 1)", key.provider, key.id);
        }
        VaultAction::Rotate { root, .. } => {
            vault.unlock(pool, pass).await?;
            let root = root_id(pool, &root).await?;
            let key = vault::rotate_key(pool, &vault, &actor, root).await?.value;
            println!("rotated: key version {} is now used", key.newest_version);
        }
        VaultAction::Rewrap { root, batch, .. } => {
            if !(1..=100_000).contains(&batch) {
                bail!("--batch is from 1 to 100000");
            }
            vault.unlock(pool, pass).await?;
            let root = root_id(pool, &root).await?;
            let total = vault::behind_count(pool, root).await?;
            let mut done = 0i64;
            let cancel = CancelToken::new();
            let outcome = loop {
                if cancel.is_cancelled() {
                    bail!("cancelled");
                }
                let step = vault::rewrap_batch(pool, &vault, &actor, root, batch)
                    .await?
                    .value;
                done += step.rewrapped;
                if step.rewrapped > 0 {
                    eprintln!("rewrapped {done} of {total}");
                }
                if step.rewrapped == 0 {
                    break step;
                }
            };
            println!(
                "rewrap done: {done} secret version(s) moved to key version {}, {} left{}",
                outcome.key_version,
                outcome.remaining,
                if outcome.remaining > 0 {
                    " (on retired key versions: lower the minimum to move them)"
                } else {
                    ""
                }
            );
        }
        VaultAction::Minimum { root, version, .. } => {
            let root = root_id(pool, &root).await?;
            let key = vault::set_minimum_version(pool, &actor, root, version)
                .await?
                .value;
            println!("minimum decryption version: {}", key.minimum_version);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn secret_command(action: SecretAction, target: &DatabaseTarget) -> Result<ExitCode> {
    let (role, stdin_pass) = match &action {
        SecretAction::List { role, .. } | SecretAction::Versions { role, .. } => {
            (role.clone(), false)
        }
        SecretAction::Set {
            role,
            passphrase_stdin,
            ..
        }
        | SecretAction::Reveal {
            role,
            passphrase_stdin,
            ..
        } => (role.clone(), *passphrase_stdin),
    };
    if let SecretAction::Reveal { show: false, .. } = &action {
        bail!("revealing prints the value to stdout: add --show to do it (nothing was revealed)");
    }
    let pass = passphrase(stdin_pass)?;
    let opened = startup::open_as(target, identity(role)?, |_| {}).await?;
    let pool = &opened.pool;
    let vault = new_vault();
    let actor = Actor::for_session(pool, Source::Cli).await?;
    match action {
        SecretAction::List { root, .. } => {
            let root = match root {
                Some(r) => Some(root_id(pool, &r).await?),
                None => None,
            };
            for s in vault::list_secrets(pool, root).await? {
                println!(
                    "{}  {}  {}",
                    s.id,
                    s.path_label,
                    s.latest_version
                        .map_or("(versions hidden)".to_string(), |v| format!(
                            "version {v} on key version {}",
                            s.latest_key_version.unwrap_or_default()
                        ))
                );
            }
        }
        SecretAction::Versions { secret, .. } => {
            for v in vault::secret_versions(pool, secret).await? {
                println!(
                    "version {}  key version {}  {}  {}  {}",
                    v.version,
                    v.key_version,
                    v.created_at.to_rfc3339(),
                    v.created_by_name.as_deref().unwrap_or("?"),
                    v.reason.as_deref().unwrap_or("")
                );
            }
        }
        SecretAction::Set {
            secret,
            parent,
            name,
            reason,
            ..
        } => {
            let mut value = String::new();
            std::io::stdin()
                .lock()
                .read_to_string(&mut value)
                .context("reading the value from stdin")?;
            let value = SecretText::new(value.strip_suffix('\n').unwrap_or(&value));
            vault.unlock(pool, pass).await?;
            match (secret, parent) {
                (Some(secret), _) => {
                    let v = vault::write_secret(
                        pool,
                        &vault,
                        &actor,
                        secret,
                        &value,
                        reason.as_deref(),
                    )
                    .await?
                    .value;
                    println!("wrote version {} of {secret}", v.version);
                }
                (None, Some(parent)) => {
                    let s = vault::create_secret(
                        pool,
                        &vault,
                        &actor,
                        &CreateSecret {
                            parent_id: parent,
                            name: name.unwrap_or_default(),
                            value,
                            reason,
                        },
                    )
                    .await?
                    .value;
                    println!("created secret {} ({})", s.id, s.path_label);
                }
                (None, None) => bail!("give --secret, or --parent and --name"),
            }
        }
        SecretAction::Reveal {
            secret,
            version,
            reason,
            ..
        } => {
            vault.unlock(pool, pass).await?;
            let revealed = vault::reveal(pool, &vault, &actor, secret, version, &reason)
                .await?
                .value;
            println!("{}", revealed.value.expose());
        }
    }
    vault.lock();
    Ok(ExitCode::SUCCESS)
}
