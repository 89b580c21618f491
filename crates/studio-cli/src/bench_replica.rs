//! `eco-studio bench replica`: read-your-writes through a read replica.
//! On the embedded database the run makes a streaming standby of it (in
//! `replica-bench/` beside the cluster, removed after); on a server, the
//! URL names the replica (`replica=host:port`).

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Result};
use studio_core::db::{self, ReplicaOptions};
use studio_core::startup::{self, DatabaseTarget, Identity};
use studio_core::{Actor, Source};
use studio_localdb::{Cluster, ClusterStatus};

use crate::bench_tree::print_with_figures;

pub async fn run(
    target: &DatabaseTarget,
    iterations: u32,
    wait_ms: u64,
    json: bool,
) -> Result<ExitCode> {
    let opened = startup::open_as(target, Identity::Maintenance, |_| {}).await?;
    let actor = Actor::for_session(&opened.pool, Source::Bench).await?;
    let (replica, standby) = match target {
        DatabaseTarget::Url(url) => {
            let Some(replica_url) = db::replica::split(url)?.1 else {
                bail!("name the replica in the URL: ...?replica=host:port");
            };
            (db::connect(&replica_url).await?, None)
        }
        DatabaseTarget::Embedded { root } => {
            let primary = Cluster::persistent(root.clone())?;
            let ClusterStatus::Running(endpoint) = primary.status()? else {
                bail!("the embedded database is not running");
            };
            let dir = root.with_file_name("replica-bench");
            if !json {
                eprintln!(
                    "... making a standby of the embedded database in {}",
                    dir.display()
                );
            }
            let standby = Cluster::ephemeral(&dir)?;
            let outcome = tokio::task::spawn_blocking({
                let standby = standby.clone();
                move || standby.ensure_standby_of(&endpoint)
            })
            .await??;
            let url = outcome.endpoint.url(&opened.server.database);
            let mut pool = None;
            for _ in 0..500 {
                match db::connect(&url).await {
                    Ok(p) => {
                        pool = Some(p);
                        break;
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
            let Some(pool) = pool else {
                bail!("the standby did not accept connections");
            };
            (pool, Some((standby, dir)))
        }
    };
    let options = ReplicaOptions {
        max_wait: Duration::from_millis(wait_ms),
        ..ReplicaOptions::default()
    };
    let outcome =
        studio_bench::replica::bench_replica(&opened.pool, &replica, &actor, iterations, options)
            .await;
    replica.close().await;
    if let Some((standby, dir)) = standby {
        tokio::task::spawn_blocking(move || {
            let _ = standby.stop();
            let _ = std::fs::remove_dir_all(dir);
        })
        .await?;
    }
    let (report, extra) = outcome?;
    print_with_figures(&report, &extra, json)
}
