//! Reading from a hot standby (a read replica) while writing to the
//! primary, with read-your-writes for the person's own changes.
//!
//! Reads go to the replica unless this client wrote since the replica last
//! showed it had replayed everything up to the primary's position: after a
//! write, the next read takes the primary's WAL position once
//! (`pg_current_wal_insert_lsn()`, past every record written, the commit of a write included, even with asynchronous commit), then waits for the replica to replay up to it
//! for at most [`ReplicaOptions::max_wait`], polling, and reads from the
//! primary when the wait runs out (later reads check again). A replica
//! that does not answer sends reads to the primary for a while.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::error::{CoreError, CoreResult, Rule};

/// The URL parameter naming the replica: `replica=host` or
/// `replica=host:port` (the primary's port when none is given).
pub const URL_PARAMETER: &str = "replica";

/// How long a read waits for the replica after a write of this client
/// before it reads from the primary instead.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_millis(100);

/// After the replica failed to answer, reads go to the primary this long.
const REPLICA_BACKOFF: Duration = Duration::from_secs(30);

const POLL: Duration = Duration::from_millis(2);

#[derive(Clone, Debug)]
pub struct ReplicaOptions {
    /// How long a read after this client's write waits for the replica.
    pub max_wait: Duration,
    /// How often, at most, a read checks that the replica answers when it
    /// has nothing to wait for.
    pub health_every: Duration,
}

impl Default for ReplicaOptions {
    fn default() -> Self {
        ReplicaOptions {
            max_wait: DEFAULT_MAX_WAIT,
            health_every: Duration::from_secs(5),
        }
    }
}

/// Where reads went, for benchmarks and the log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadCounts {
    /// Reads served by the replica.
    pub replica: u64,
    /// Reads sent to the primary because the replica had not caught up
    /// with this client's write within the wait.
    pub primary_behind: u64,
    /// Reads sent to the primary because the replica did not answer.
    pub primary_down: u64,
    /// Reads that waited for the replica to catch up first.
    pub waited: u64,
}

#[derive(Default)]
struct Freshness {
    /// The primary's position the replica must reach before it serves reads.
    must_see: Option<String>,
    /// Writes seen when `must_see` was last taken.
    seen_writes: u64,
    /// Until when the replica is left alone after a failure.
    down_until: Option<Instant>,
    /// When the replica last answered.
    answered_at: Option<Instant>,
}

/// A primary for writes and a replica for reads.
pub struct Replicated {
    primary: PgPool,
    replica: PgPool,
    options: ReplicaOptions,
    writes: AtomicU64,
    freshness: Mutex<Freshness>,
    counts: Mutex<ReadCounts>,
}

impl Replicated {
    pub fn new(primary: PgPool, replica: PgPool, options: ReplicaOptions) -> Self {
        Replicated {
            primary,
            replica,
            options,
            writes: AtomicU64::new(0),
            freshness: Mutex::new(Freshness::default()),
            counts: Mutex::new(ReadCounts::default()),
        }
    }

    /// The pool for writes (and for reads that must see the latest state).
    pub fn primary(&self) -> &PgPool {
        &self.primary
    }

    pub fn replica(&self) -> &PgPool {
        &self.replica
    }

    /// Says that this client wrote (or is writing): reads from now on see
    /// it. Call it when the write has committed, or before it starts and
    /// again after.
    pub fn note_write(&self) {
        self.writes.fetch_add(1, Ordering::SeqCst);
    }

    /// Where reads went so far.
    pub fn counts(&self) -> ReadCounts {
        *self.counts.lock().expect("read counts")
    }

    /// The pool the next read should use (see the module's documentation).
    pub async fn read_pool(&self) -> PgPool {
        match self.choose().await {
            Choice::Replica { waited } => {
                let mut c = self.counts.lock().expect("read counts");
                c.replica += 1;
                c.waited += u64::from(waited);
                self.replica.clone()
            }
            Choice::Behind => {
                self.counts.lock().expect("read counts").primary_behind += 1;
                self.primary.clone()
            }
            Choice::Down => {
                self.counts.lock().expect("read counts").primary_down += 1;
                self.primary.clone()
            }
        }
    }

    async fn choose(&self) -> Choice {
        let writes = self.writes.load(Ordering::SeqCst);
        let (target, stale) = {
            let f = self.freshness.lock().expect("replica freshness");
            if f.down_until.is_some_and(|t| Instant::now() < t) {
                return Choice::Down;
            }
            (f.must_see.clone(), f.seen_writes < writes)
        };
        let target = if stale {
            // The primary's position now covers every write noted so far.
            match current_position(&self.primary).await {
                Ok(lsn) => {
                    let mut f = self.freshness.lock().expect("replica freshness");
                    f.must_see = Some(lsn.clone());
                    f.seen_writes = f.seen_writes.max(writes);
                    Some(lsn)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the primary's position; reading from it");
                    return Choice::Behind;
                }
            }
        } else {
            target
        };
        let Some(target) = target else {
            let due = {
                let f = self.freshness.lock().expect("replica freshness");
                f.answered_at
                    .is_none_or(|t| t.elapsed() >= self.options.health_every)
            };
            if due {
                if let Err(e) = answers(&self.replica).await {
                    return self.went_down(e);
                }
                self.freshness
                    .lock()
                    .expect("replica freshness")
                    .answered_at = Some(Instant::now());
            }
            return Choice::Replica { waited: false };
        };
        let deadline = Instant::now() + self.options.max_wait;
        let mut waited = false;
        loop {
            match replayed(&self.replica, &target).await {
                Ok(true) => {
                    let mut f = self.freshness.lock().expect("replica freshness");
                    if f.must_see.as_deref() == Some(target.as_str()) {
                        f.must_see = None;
                    }
                    f.answered_at = Some(Instant::now());
                    return Choice::Replica { waited };
                }
                Ok(false) if Instant::now() < deadline => {
                    waited = true;
                    tokio::time::sleep(POLL).await;
                }
                Ok(false) => return Choice::Behind,
                Err(e) => return self.went_down(e),
            }
        }
    }

    fn went_down(&self, e: CoreError) -> Choice {
        tracing::warn!(error = %e, "the replica does not answer; reading from the primary for a while");
        self.freshness.lock().expect("replica freshness").down_until =
            Some(Instant::now() + REPLICA_BACKOFF);
        Choice::Down
    }
}

/// Whether the replica answers at all.
async fn answers(replica: &PgPool) -> CoreResult<()> {
    let mut conn = replica.acquire().await?;
    sqlx::raw_sql("SELECT 1").execute(&mut *conn).await?;
    Ok(())
}

impl std::fmt::Debug for Replicated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replicated")
            .field("options", &self.options)
            .field("counts", &self.counts())
            .finish_non_exhaustive()
    }
}

enum Choice {
    Replica { waited: bool },
    Behind,
    Down,
}

/// The primary's current WAL position, as text.
pub async fn current_position(primary: &PgPool) -> CoreResult<String> {
    let mut tx = primary.begin().await?;
    let lsn: String = sqlx::query_scalar("SELECT pg_current_wal_insert_lsn()::text")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(lsn)
}

/// Whether the replica has replayed the primary's WAL up to `lsn`.
pub async fn replayed(replica: &PgPool, lsn: &str) -> CoreResult<bool> {
    let mut tx = replica.begin().await?;
    let done: Option<bool> = sqlx::query_scalar("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn")
        .bind(lsn)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(done.unwrap_or(false))
}

/// Splits the replica parameter off `url`: the URL without it, and the URL
/// of the replica (the same but for host and port), if it names one.
pub fn split(url: &str) -> CoreResult<(String, Option<String>)> {
    if !url.contains(&format!("{URL_PARAMETER}=")) {
        // Nothing to split: the URL stays exactly as given (and a malformed
        // one is reported by the parser that knows what it should be).
        return Ok((url.to_string(), None));
    }
    let mut parsed = url::Url::parse(url).map_err(|e| {
        CoreError::invalid(
            Some("url"),
            Rule::Format,
            format!("not a database URL: {e}"),
        )
    })?;
    let mut replica = None;
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, v)| {
            if k == URL_PARAMETER {
                replica = Some(v.to_string());
                false
            } else {
                true
            }
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let Some(replica) = replica else {
        return Ok((url.to_string(), None));
    };
    parsed.set_query(None);
    if !kept.is_empty() {
        parsed.query_pairs_mut().extend_pairs(kept);
    }
    let primary = parsed.to_string();
    let (host, port) = match replica.rsplit_once(':') {
        Some((h, p)) => {
            let port = p.parse::<u16>().map_err(|_| {
                CoreError::invalid(
                    Some("replica"),
                    Rule::Format,
                    format!("the replica's port {p:?} is not a number"),
                )
            })?;
            (h.to_string(), Some(port))
        }
        _ => (replica.clone(), None),
    };
    // A socket directory (an absolute path) is a server on this computer.
    let socket_dir = host.starts_with('/').then(|| host.clone());
    if host.is_empty()
        || host.contains(['@', '?', '#', ' '])
        || (socket_dir.is_none() && host.contains('/'))
    {
        return Err(CoreError::invalid(
            Some("replica"),
            Rule::Format,
            "the replica is a host name or address (or a socket directory), with an optional :port",
        ));
    }
    let mut of_replica = parsed.clone();
    if socket_dir.is_none() {
        of_replica
            .set_host(Some(&host))
            .map_err(|e| CoreError::invalid(Some("replica"), Rule::Format, e.to_string()))?;
    }
    if let Some(port) = port {
        of_replica
            .set_port(Some(port))
            .map_err(|_| CoreError::invalid(Some("replica"), Rule::Format, "bad port"))?;
    }
    // A socket directory given for the primary is the primary's.
    let pairs: Vec<(String, String)> = of_replica
        .query_pairs()
        .filter(|(k, _)| k != "host")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    of_replica.set_query(None);
    if !pairs.is_empty() {
        of_replica.query_pairs_mut().extend_pairs(pairs);
    }
    if let Some(dir) = socket_dir {
        of_replica.query_pairs_mut().append_pair("host", &dir);
    }
    Ok((primary, Some(of_replica.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replica_parameter_names_another_host_and_port() {
        let (p, r) =
            split("postgres://alice@db1:5432/reg?sslmode=require&replica=db2:5433").unwrap();
        assert_eq!(p, "postgres://alice@db1:5432/reg?sslmode=require");
        assert_eq!(
            r.as_deref(),
            Some("postgres://alice@db2:5433/reg?sslmode=require")
        );
        let (_, r) = split("postgres://alice@db1:6432/reg?replica=db2").unwrap();
        assert_eq!(r.as_deref(), Some("postgres://alice@db2:6432/reg"));
        let (p, r) = split("postgres://alice@db1/reg").unwrap();
        assert_eq!((p.as_str(), r), ("postgres://alice@db1/reg", None));
        assert!(split("postgres://alice@db1/reg?replica=db2:x").is_err());
        assert!(split("postgres://alice@db1/reg?replica=").is_err());
        assert!(split("postgres://alice@db1/reg?replica=db2/x").is_err());
        let (_, r) =
            split("postgres://a@localhost:5432/reg?host=%2Fp&replica=%2Fr%2Fsock:6000").unwrap();
        assert_eq!(
            r.as_deref(),
            Some("postgres://a@localhost:6000/reg?host=%2Fr%2Fsock")
        );
    }
}
