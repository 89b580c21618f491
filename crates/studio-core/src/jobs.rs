//! Background jobs: long operations that run on their own task, report
//! progress and can be cancelled until they commit: moves of subtrees above
//! [`BACKGROUND_MOVE_THRESHOLD`] rows, bulk edits of more than
//! [`BACKGROUND_BULK_THRESHOLD`] entities, exports to a file, and rewraps
//! of a root's secrets (whose batches each commit, so a cancel keeps what
//! was done). The decision to run inline or in the background is made
//! here, so every front end works the same way.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use sqlx::PgPool;
use uuid::Uuid;

use crate::bulk::{self, BulkEdit, BulkOutcome};
use crate::change::{Actor, Applied};
use crate::error::{CoreError, CoreResult};
use crate::progress::{CancelToken, Progress};
use crate::registry::{self, MoveEntity, MoveOutcome, BACKGROUND_MOVE_THRESHOLD};
use crate::views::{self, ExportFormat, ViewDocument};

/// What a job reports while it runs and when it ends.
#[derive(Debug)]
pub enum JobEvent {
    Progress {
        job_id: Uuid,
        progress: Progress,
    },
    Finished {
        job_id: Uuid,
        /// Rows of the whole job (what `Progress::total` counted).
        total: i64,
        outcome: Box<JobOutcome>,
    },
}

/// Bulk edits of more than this many entities run as background jobs.
pub const BACKGROUND_BULK_THRESHOLD: usize = 5_000;

/// How a job ended.
#[derive(Debug)]
pub enum JobOutcome {
    /// A move committed: the result and its changes.
    Moved(Applied<MoveOutcome>),
    /// A bulk edit committed.
    Edited(Applied<BulkOutcome>),
    /// An export wrote `rows` rows to `path`.
    Exported { rows: u64, path: PathBuf },
    /// A rewrap ended (done, or cancelled with `remaining` left: each
    /// batch commits, so what it did stays).
    Rewrapped(Applied<crate::vault::RewrapOutcome>),
    /// An import of readings ended (committed, or refused on bad records).
    Imported(Applied<crate::metrics::ImportReport>),
    /// An import of rows ended (completed, or failed with nothing written).
    RowsImported(Applied<crate::import::SyncReport>),
    /// Cancelled before it committed; nothing changed.
    Cancelled,
    /// Failed; nothing changed.
    Failed(CoreError),
}

/// Receives a job's events (from the job's task).
pub type JobListener = Arc<dyn Fn(JobEvent) + Send + Sync>;

/// The running jobs of one process and how to cancel them.
#[derive(Debug, Default)]
pub struct Jobs {
    running: Mutex<HashMap<Uuid, CancelToken>>,
}

/// How a move went: done at once, or running as a background job.
#[derive(Debug)]
pub enum MoveStart {
    Done(Applied<MoveOutcome>),
    Background { job_id: Uuid, total: i64 },
}

/// How a bulk edit went: done at once, or running as a background job.
#[derive(Debug)]
pub enum BulkStart {
    Done(Applied<BulkOutcome>),
    Background { job_id: Uuid, total: i64 },
}

impl Jobs {
    pub fn new() -> Arc<Self> {
        Arc::new(Jobs::default())
    }

    /// Asks a running job to stop before it commits. False when no such job
    /// runs (it finished already).
    pub fn cancel(&self, job_id: Uuid) -> bool {
        match self.lock().get(&job_id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Ids of the jobs still running.
    pub fn running(&self) -> Vec<Uuid> {
        self.lock().keys().copied().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, CancelToken>> {
        // A panic while holding this lock leaves the map usable.
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves an entity: inline when its subtree has at most
    /// [`BACKGROUND_MOVE_THRESHOLD`] rows, otherwise as a background job on
    /// the current tokio runtime, whose progress and end reach `listener`.
    /// The job's changes are made as `actor` (its audit rows say who started
    /// it); front ends announce them as coming from
    /// [`Source::Job`](crate::change::Source::Job).
    pub async fn move_entity(
        self: &Arc<Self>,
        pool: &PgPool,
        actor: &Actor,
        input: &MoveEntity,
        listener: JobListener,
    ) -> CoreResult<MoveStart> {
        let total = registry::move_size(pool, input.id).await?;
        if total <= BACKGROUND_MOVE_THRESHOLD {
            let applied =
                registry::move_entity(pool, actor, input, &|_| {}, &CancelToken::new()).await?;
            return Ok(MoveStart::Done(applied));
        }
        let pool = pool.clone();
        let actor = actor.clone();
        let input = input.clone();
        let job_id = self.spawn(total, listener, move |on_progress, cancel| async move {
            match registry::move_entity(&pool, &actor, &input, &on_progress, &cancel).await {
                Ok(applied) => JobOutcome::Moved(applied),
                Err(CoreError::Cancelled) => JobOutcome::Cancelled,
                Err(e) => JobOutcome::Failed(e),
            }
        });
        Ok(MoveStart::Background { job_id, total })
    }

    /// Applies a bulk edit: inline for at most [`BACKGROUND_BULK_THRESHOLD`]
    /// targets, otherwise as a background job (progress by entities
    /// written, cancel between chunks, all or nothing).
    pub async fn bulk_edit(
        self: &Arc<Self>,
        pool: &PgPool,
        actor: &Actor,
        edit: &BulkEdit,
        listener: JobListener,
    ) -> CoreResult<BulkStart> {
        let targets = bulk::bulk_preview(pool, edit).await?;
        if targets.targets as usize <= BACKGROUND_BULK_THRESHOLD {
            let applied = bulk::bulk_apply(pool, actor, edit, &|_| {}, &CancelToken::new()).await?;
            return Ok(BulkStart::Done(applied));
        }
        let total = targets.changing;
        let pool = pool.clone();
        let actor = actor.clone();
        let edit = edit.clone();
        let job_id = self.spawn(total, listener, move |on_progress, cancel| async move {
            match bulk::bulk_apply(&pool, &actor, &edit, &on_progress, &cancel).await {
                Ok(applied) => JobOutcome::Edited(applied),
                Err(CoreError::Cancelled) => JobOutcome::Cancelled,
                Err(e) => JobOutcome::Failed(e),
            }
        });
        Ok(BulkStart::Background { job_id, total })
    }

    /// Exports a view's rows to `path` as a background job: the document is
    /// checked first (a bad one is refused here), the rows are written to a
    /// `.partial` file beside `path` and renamed onto it only when all are
    /// written, so a cancel, a failure or a crash never leaves a half file
    /// under the chosen name. Returns the job and its expected row count
    /// (exact or estimated; progress may pass it).
    pub async fn export_view(
        self: &Arc<Self>,
        pool: &PgPool,
        doc: &ViewDocument,
        format: ExportFormat,
        path: PathBuf,
        external_source: Option<String>,
        listener: JobListener,
    ) -> CoreResult<(Uuid, i64)> {
        let bad_path = |message: &str| {
            CoreError::invalid(
                Some("path"),
                crate::error::Rule::Format,
                message.to_string(),
            )
        };
        if !path.is_absolute() || path.file_name().is_none() {
            return Err(bad_path("choose a full path to a file"));
        }
        if !path.parent().is_some_and(std::path::Path::is_dir) {
            return Err(bad_path("the folder to export into does not exist"));
        }
        if path.is_dir() {
            return Err(bad_path("that is a folder: name a file in it"));
        }
        let total = views::count(pool, doc).await?.count;
        let pool = pool.clone();
        let doc = doc.clone();
        let job_id = self.spawn(total, listener, move |on_progress, cancel| async move {
            let mut partial = path.clone().into_os_string();
            partial.push(".partial");
            let partial = PathBuf::from(partial);
            let result = async {
                let file = std::fs::File::create(&partial).map_err(|e| {
                    CoreError::Unavailable(format!("cannot write {}: {e}", partial.display()))
                })?;
                let mut out = std::io::BufWriter::new(file);
                let rows = views::export_with_ids(
                    &pool,
                    &doc,
                    format,
                    None,
                    external_source.as_deref(),
                    &mut out,
                    |done| {
                        on_progress(Progress {
                            done: i64::try_from(done).unwrap_or(i64::MAX),
                            total,
                        });
                    },
                    &cancel,
                )
                .await?;
                drop(out);
                std::fs::rename(&partial, &path).map_err(|e| {
                    CoreError::Unavailable(format!("cannot write {}: {e}", path.display()))
                })?;
                Ok::<_, CoreError>(rows)
            }
            .await;
            match result {
                Ok(rows) => JobOutcome::Exported { rows, path },
                Err(e) => {
                    let _ = std::fs::remove_file(&partial);
                    match e {
                        CoreError::Cancelled => JobOutcome::Cancelled,
                        e => JobOutcome::Failed(e),
                    }
                }
            }
        });
        Ok((job_id, total))
    }

    /// Rewraps every secret version of a root onto its newest key version
    /// as a background job (batches that each commit; cancel stops between
    /// batches, and a new rewrap resumes from what is left). Returns the
    /// job and the number of secret versions behind.
    pub async fn rewrap(
        self: &Arc<Self>,
        pool: &PgPool,
        vault: &Arc<crate::vault::Vault>,
        actor: &Actor,
        root_id: Uuid,
        listener: JobListener,
    ) -> CoreResult<(Uuid, i64)> {
        vault.touch()?;
        let total = crate::vault::behind_count(pool, root_id).await?;
        let pool = pool.clone();
        let vault = Arc::clone(vault);
        let actor = actor.clone();
        let job_id = self.spawn(total, listener, move |on_progress, cancel| async move {
            match crate::vault::rewrap(&pool, &vault, &actor, root_id, &*on_progress, &cancel).await
            {
                Ok(applied) => JobOutcome::Rewrapped(applied),
                Err(e) => JobOutcome::Failed(e),
            }
        });
        Ok((job_id, total))
    }

    /// Imports readings from the file at `path` as a job: progress in bytes
    /// of the file, one transaction (cancelling stores nothing).
    pub async fn import_metrics(
        self: &Arc<Self>,
        pool: &PgPool,
        actor: &Actor,
        path: PathBuf,
        on_bad_rows: crate::metrics::OnBadRows,
        listener: JobListener,
    ) -> CoreResult<(Uuid, i64)> {
        let bad_path =
            |message: String| CoreError::invalid(Some("path"), crate::error::Rule::Format, message);
        let format = crate::metrics::ImportFormat::from_path(&path.to_string_lossy())
            .ok_or_else(|| bad_path("choose a .csv, .json or .jsonl file".into()))?;
        let file = std::fs::File::open(&path)
            .map_err(|e| bad_path(format!("cannot open {}: {e}", path.display())))?;
        let total = file
            .metadata()
            .map(|m| i64::try_from(m.len()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        let pool = pool.clone();
        let actor = actor.clone();
        let options = crate::metrics::ImportOptions {
            format,
            on_bad_rows,
        };
        let job_id = self.spawn(total, listener, move |on_progress, cancel| async move {
            let size = Some(total as u64);
            match crate::metrics::import(&pool, &actor, file, size, options, &*on_progress, &cancel)
                .await
            {
                Ok(applied) => JobOutcome::Imported(applied),
                Err(CoreError::Cancelled) => JobOutcome::Cancelled,
                Err(e) => JobOutcome::Failed(e),
            }
        });
        Ok((job_id, total))
    }

    /// Imports rows (`import::run`) as a job: progress in bytes of the
    /// input read, one transaction (a cancel writes nothing).
    pub async fn import_rows(
        self: &Arc<Self>,
        pool: &PgPool,
        actor: &Actor,
        options: crate::import::SyncOptions,
        input: Box<dyn std::io::Read + Send>,
        size: i64,
        listener: JobListener,
    ) -> CoreResult<(Uuid, i64)> {
        let pool = pool.clone();
        let actor = actor.clone();
        let read = Arc::new(std::sync::atomic::AtomicI64::new(0));
        let counted = Box::new(CountingReader {
            inner: input,
            read: Arc::clone(&read),
        });
        let job_id = self.spawn(size, listener, move |on_progress, cancel| async move {
            let report = |_: Progress| {
                on_progress(Progress {
                    done: read.load(std::sync::atomic::Ordering::Relaxed),
                    total: size,
                })
            };
            match crate::import::run(&pool, &actor, &options, counted, false, &report, &cancel)
                .await
            {
                Ok(applied) => JobOutcome::RowsImported(applied),
                Err(CoreError::Cancelled) => JobOutcome::Cancelled,
                Err(e) => JobOutcome::Failed(e),
            }
        });
        Ok((job_id, size))
    }

    /// Runs `work` on the runtime as a job: registered for cancel while it
    /// runs, its progress and end sent to `listener`.
    fn spawn<F, Fut>(self: &Arc<Self>, total: i64, listener: JobListener, work: F) -> Uuid
    where
        F: FnOnce(Box<dyn Fn(Progress) + Send + Sync>, CancelToken) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = JobOutcome> + Send + 'static,
    {
        let job_id = Uuid::now_v7();
        let cancel = CancelToken::new();
        self.lock().insert(job_id, cancel.clone());
        let jobs = Arc::clone(self);
        tokio::spawn(async move {
            let progress_listener = Arc::clone(&listener);
            let on_progress: Box<dyn Fn(Progress) + Send + Sync> =
                Box::new(move |progress: Progress| {
                    progress_listener(JobEvent::Progress { job_id, progress })
                });
            let outcome = work(on_progress, cancel).await;
            jobs.lock().remove(&job_id);
            tracing::info!(%job_id, "job ended: {outcome:?}");
            listener(JobEvent::Finished {
                job_id,
                total,
                outcome: Box::new(outcome),
            });
        });
        job_id
    }
}

/// Counts the bytes read through it (an import's progress).
struct CountingReader {
    inner: Box<dyn std::io::Read + Send>,
    read: Arc<std::sync::atomic::AtomicI64>,
}

impl std::io::Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as i64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}
