//! `eco-studio user …` and `eco-studio scope …`: people and their scopes,
//! and `doctor --security`. They run as the schema owner (on the embedded
//! database, its superuser), as a database administrator would.

use std::process::ExitCode;

use anyhow::{anyhow, Result};
use clap::Subcommand;
use studio_core::db::PgPool;
use studio_core::people::Uuid;
use studio_core::people::{self, Capability, GrantScope, Login, NewPerson};
use studio_core::startup::{self, DatabaseTarget, Identity};
use studio_core::{Actor, Source};

#[derive(Subcommand)]
pub enum UserAction {
    /// Add a person: create their login role (with a generated password,
    /// printed once) or link an existing role.
    Add {
        /// The PostgreSQL role they log in as (lowercase, digits, _).
        role: String,
        /// Their name as people see it.
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// A global administrator (every root, the definitions, people).
        #[arg(long)]
        admin: bool,
        /// Link a role that exists already instead of creating one.
        #[arg(long, conflicts_with = "no_password")]
        link: bool,
        /// Create the role without a password (the server authenticates it
        /// otherwise: peer, certificates, the embedded database's socket).
        #[arg(long)]
        no_password: bool,
    },
    /// List people (deactivated ones too).
    List,
    /// Deactivate a person: their role can no longer log in; their history
    /// stays.
    Deactivate { role: String },
}

#[derive(Subcommand)]
pub enum ScopeAction {
    /// Give a person capabilities on a root (replaces what they held there).
    Grant {
        role: String,
        /// The root: its path label (e.g. northwind_energy) or its id.
        #[arg(long)]
        root: String,
        /// Comma-separated: read, write, admin, secrets:read,
        /// secrets:write, purge, workflows:run, workflows:edit.
        #[arg(long, value_delimiter = ',', default_value = "read")]
        cap: Vec<String>,
    },
    /// Take a person's scope on a root away.
    Revoke {
        role: String,
        #[arg(long)]
        root: String,
    },
    /// List live scopes, of one person or of everyone.
    List { role: Option<String> },
}

async fn open(target: &DatabaseTarget) -> Result<(startup::OpenedDatabase, Actor)> {
    let opened = startup::open_as(target, Identity::Maintenance, |_| {}).await?;
    let actor = Actor::for_session(&opened.pool, Source::Cli).await?;
    Ok((opened, actor))
}

async fn person_id(pool: &PgPool, role: &str) -> Result<Uuid> {
    people::person_by_role(pool, role)
        .await?
        .map(|p| p.id)
        .ok_or_else(|| anyhow!("no active person logs in as {role:?} (see `eco-studio user list`)"))
}

async fn root_id(pool: &PgPool, root: &str) -> Result<Uuid> {
    people::root_by_label(pool, root).await?.ok_or_else(|| {
        anyhow!("no live root is labelled {root:?} (a root is an entity without a parent)")
    })
}

pub async fn user(action: UserAction, target: &DatabaseTarget) -> Result<ExitCode> {
    let (opened, actor) = open(target).await?;
    let pool = &opened.pool;
    match action {
        UserAction::Add {
            role,
            name,
            email,
            admin,
            link,
            no_password,
        } => {
            let login = match (link, no_password) {
                (true, _) => Login::ExistingRole,
                (false, true) => Login::NewRoleWithoutPassword,
                (false, false) => Login::NewRoleWithPassword,
            };
            let added = people::add_person(
                pool,
                &actor,
                &NewPerson {
                    role,
                    display_name: name,
                    email,
                    login,
                    is_admin: admin,
                },
            )
            .await?
            .value;
            let who = added.person.pg_role.as_deref().unwrap_or("-");
            println!(
                "added {} ({who}){}",
                added.person.display_name,
                if admin { ", administrator" } else { "" }
            );
            if let Some(password) = added.password {
                println!("password (shown once, not stored): {password}");
            }
        }
        UserAction::List => {
            println!("{:<24} {:<28} {:<14} status", "role", "name", "kind");
            for p in people::list_people(pool).await? {
                println!(
                    "{:<24} {:<28} {:<14} {}",
                    p.pg_role.as_deref().unwrap_or("-"),
                    p.display_name,
                    if p.maintenance {
                        "maintenance"
                    } else if p.is_admin {
                        "administrator"
                    } else {
                        "person"
                    },
                    if p.deleted_at.is_some() {
                        "deactivated"
                    } else {
                        "active"
                    }
                );
            }
        }
        UserAction::Deactivate { role } => {
            let id = person_id(pool, &role).await?;
            let person = people::deactivate_person(pool, &actor, id).await?.value;
            println!(
                "deactivated {} ({role}): the role can no longer log in",
                person.display_name
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn scope(action: ScopeAction, target: &DatabaseTarget) -> Result<ExitCode> {
    let (opened, actor) = open(target).await?;
    let pool = &opened.pool;
    match action {
        ScopeAction::Grant { role, root, cap } => {
            let capabilities = cap
                .iter()
                .map(|c| people::parse_capability(c.trim()))
                .collect::<Result<Vec<_>, _>>()?;
            let input = GrantScope {
                user_id: person_id(pool, &role).await?,
                root_id: root_id(pool, &root).await?,
                capabilities,
            };
            let scope = people::grant_scope(pool, &actor, &input).await?.value;
            println!("{role} on {root}: {}", names(&scope.capabilities));
        }
        ScopeAction::Revoke { role, root } => {
            let user = person_id(pool, &role).await?;
            let root_id = root_id(pool, &root).await?;
            let scope = people::list_scopes(pool, Some(user))
                .await?
                .into_iter()
                .find(|s| s.root_id == root_id)
                .ok_or_else(|| anyhow!("{role} holds no scope on {root}"))?;
            let _revoked = people::revoke_scope(pool, &actor, scope.id).await?;
            println!("{role} no longer holds a scope on {root}");
        }
        ScopeAction::List { role } => {
            let user = match role {
                Some(r) => Some(person_id(pool, &r).await?),
                None => None,
            };
            let everyone = people::list_people(pool).await?;
            println!("{:<24} {:<32} capabilities", "role", "root");
            for s in people::list_scopes(pool, user).await? {
                let who = everyone
                    .iter()
                    .find(|p| p.id == s.user_id)
                    .and_then(|p| p.pg_role.clone())
                    .unwrap_or_else(|| s.user_id.to_string());
                println!(
                    "{:<24} {:<32} {}",
                    who,
                    s.root_label.unwrap_or_else(|| s.root_id.to_string()),
                    names(&s.capabilities)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn names(caps: &[Capability]) -> String {
    caps.iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `doctor --security`: exit 1 when anything is found.
pub async fn doctor(target: &DatabaseTarget) -> Result<ExitCode> {
    let opened = startup::open_as(target, Identity::Maintenance, |_| {}).await?;
    let findings = people::security::check(&opened.pool).await?;
    if findings.is_empty() {
        println!("security: every table has row-level security (enabled, forced, a policy per command); no person's role bypasses it or owns a table; views run as their reader; SECURITY DEFINER functions are the allowed ones with a fixed search_path");
        return Ok(ExitCode::SUCCESS);
    }
    for f in &findings {
        println!("{}: {}", f.object, f.problem);
    }
    println!("security: {} problem(s)", findings.len());
    Ok(ExitCode::FAILURE)
}
