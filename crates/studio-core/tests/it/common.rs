//! Helpers shared by the registry's integration tests: a snapshot of every
//! `entities` row with its live name, and the tree invariants over it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use studio_core::registry::{self, EntityTypeSpec};
use studio_core::{Actor, Source};
use uuid::Uuid;

/// Ensures the entity type `key` (called `name`) exists, committed in a
/// transaction of its own, and returns its id.
pub async fn ensure_type(pool: &PgPool, key: &str, name: &str, is_system: bool) -> Uuid {
    let mut tx = pool.begin().await.expect("begin");
    let spec = EntityTypeSpec {
        key,
        name,
        description: None,
        icon: None,
        is_system,
    };
    let id = registry::ensure_entity_type(&mut tx, &Actor::new(None, Source::Test), &spec)
        .await
        .unwrap_or_else(|e| panic!("ensuring entity type {key:?} must succeed: {e:?}"))
        .value;
    tx.commit().await.expect("commit");
    id
}

/// One `entities` row with its live name.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Row {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub path: String,
    pub path_label: String,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub name: Option<String>,
}

impl Row {
    pub fn live(&self) -> bool {
        self.deleted_at.is_none()
    }
}

/// Every row, ordered by id.
pub async fn snapshot(pool: &PgPool) -> Vec<Row> {
    sqlx::query_as::<_, Row>(
        "SELECT e.id, e.parent_entity_id AS parent_id, e.path::text AS path, e.path_label,
                e.updated_at, e.deleted_at,
                (SELECT v.value #>> '{}' FROM entity_property_values v
                  WHERE v.entity_id = e.id AND v.deleted_at IS NULL
                    AND v.property_definition_id = '01900000-0000-7000-8000-000000000002') AS name
         FROM entities e ORDER BY e.id",
    )
    .fetch_all(pool)
    .await
    .expect("snapshot of entities")
}

/// The tree invariants, over every row (deleted rows included: a restore
/// brings them back as they are).
pub fn check_invariants(rows: &[Row]) -> Result<(), String> {
    let ids: HashMap<Uuid, &Row> = rows.iter().map(|r| (r.id, r)).collect();
    let mut labels = HashSet::new();
    for r in rows {
        let own = r.id.simple().to_string();
        if !labels.insert(r.path_label.as_str()) {
            return Err(format!("path_label {:?} is held twice", r.path_label));
        }
        let slug = match r.parent_id {
            None => {
                if r.path != own {
                    return Err(format!(
                        "root {} has path {:?}, not its id label",
                        r.id, r.path
                    ));
                }
                r.path_label.as_str()
            }
            Some(pid) => {
                let Some(p) = ids.get(&pid) else {
                    return Err(format!("{} has a missing parent {pid}", r.id));
                };
                if r.path != format!("{}.{own}", p.path) {
                    return Err(format!(
                        "{} has path {:?}, not its parent's {:?} plus its id label",
                        r.id, r.path, p.path
                    ));
                }
                if r.live() && !p.live() {
                    return Err(format!(
                        "live {} ({}) is an orphan under deleted {}",
                        r.id, r.path_label, p.id
                    ));
                }
                match r.path_label.strip_prefix(&format!("{}.", p.path_label)) {
                    Some(s) => s,
                    None => {
                        return Err(format!(
                            "{} has path_label {:?}, not under its parent's {:?}",
                            r.id, r.path_label, p.path_label
                        ))
                    }
                }
            }
        };
        if slug.is_empty()
            || !slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(format!(
                "{} has path_label {:?} whose last segment is not one slug",
                r.id, r.path_label
            ));
        }
        if r.live() && r.name.is_none() {
            return Err(format!("live {} has no name", r.id));
        }
    }
    Ok(())
}

/// A writer that keeps everything logged, to search it afterwards.
#[derive(Clone, Default)]
pub struct Captured(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// Captures every log line at the most verbose level on this thread until
/// the guard drops; returns the capture and the guard.
pub fn capture_logs() -> (Captured, tracing::subscriber::DefaultGuard) {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (logs, guard)
}
