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
use studio_localdb::{Cluster, ClusterStatus, Endpoint};

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
            let standby = Standby::start(root, "replica-bench", json).await?;
            let pool = standby.connect(&opened.server.database).await?;
            (pool, Some(standby))
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
    if let Some(standby) = standby {
        standby.remove().await?;
    }
    let (report, extra) = outcome?;
    print_with_figures(&report, &extra, json)
}

/// A streaming standby of the embedded database, made for one benchmark
/// run in a folder beside the cluster and removed after it.
pub struct Standby {
    pub cluster: Cluster,
    pub endpoint: Endpoint,
    dir: std::path::PathBuf,
}

impl Standby {
    /// Copies the running embedded database at `root` into `<name>/`
    /// beside it and starts the copy as its standby.
    pub async fn start(root: &std::path::Path, name: &str, quiet: bool) -> Result<Standby> {
        let primary = Cluster::persistent(root.to_path_buf())?;
        let ClusterStatus::Running(endpoint) = primary.status()? else {
            bail!("the embedded database is not running");
        };
        let dir = root.with_file_name(name);
        if !quiet {
            eprintln!(
                "... making a standby of the embedded database in {}",
                dir.display()
            );
        }
        let cluster = Cluster::ephemeral(&dir)?;
        let outcome = tokio::task::spawn_blocking({
            let cluster = cluster.clone();
            move || cluster.ensure_standby_of(&endpoint)
        })
        .await??;
        Ok(Standby {
            cluster,
            endpoint: outcome.endpoint,
            dir,
        })
    }

    /// A pool on `database` of the standby, once it accepts connections.
    pub async fn connect(&self, database: &str) -> Result<db::PgPool> {
        let url = self.endpoint.url(database);
        for _ in 0..500 {
            match db::connect(&url).await {
                Ok(pool) => return Ok(pool),
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
        bail!("the standby did not accept connections")
    }

    /// Stops the standby and removes its folder.
    pub async fn remove(self) -> Result<()> {
        tokio::task::spawn_blocking(move || {
            let _ = self.cluster.stop();
            let _ = std::fs::remove_dir_all(&self.dir);
        })
        .await?;
        Ok(())
    }
}
