//! The cache file: opening it, its facts, and writing rows in batches.
//! Times are stored as RFC 3339 text with microseconds (PostgreSQL's
//! precision, so a version read back is the version the server gave);
//! ids as hyphenated text.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqliteConnection, SqlitePool};
use studio_core::offline::{CachedEntity, CachedRelationship, CachedValue};
use uuid::Uuid;

use crate::{OfflineError, OfflineResult, OfflineScope, ScopeState};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub(crate) async fn open(path: &Path) -> OfflineResult<SqlitePool> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            OfflineError::Cache(format!(
                "its folder {} could not be made: {e}",
                dir.display()
            ))
        })?;
    }
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // Every commit reaches the disk before it returns: a queued edit
        // survives the app being killed (or the machine losing power).
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(false);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Folds the write-ahead log back into the file after a large write (a
/// download or a refresh), so the log does not keep the file's size twice.
/// Best effort: a reader holding the log open only delays it.
pub(crate) async fn checkpoint(pool: &SqlitePool) {
    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(pool)
        .await
    {
        tracing::debug!("the cache's log was not folded back: {e}");
    }
}

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_ts(s: &str) -> OfflineResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| OfflineError::Cache(format!("a stored time {s:?} is not a time")))
}

pub(crate) fn parse_id(s: &str) -> OfflineResult<Uuid> {
    Uuid::try_parse(s).map_err(|_| OfflineError::Cache(format!("a stored id {s:?} is not an id")))
}

pub(crate) async fn meta(pool: &SqlitePool, key: &str) -> OfflineResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?1")
        .bind(key)
        .fetch_optional(pool)
        .await?)
}

pub(crate) async fn meta_in(
    conn: &mut SqliteConnection,
    key: &str,
) -> OfflineResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?)
}

pub(crate) async fn set_meta(
    conn: &mut SqliteConnection,
    key: &str,
    value: &str,
) -> OfflineResult<()> {
    sqlx::query("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(key)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

type ScopeRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    i64,
);

pub(crate) async fn scopes(pool: &SqlitePool) -> OfflineResult<Vec<OfflineScope>> {
    let rows: Vec<ScopeRow> = sqlx::query_as(
        "SELECT root_id, name, path_label, state, reason, added_at, refreshed_at, entities, vals
           FROM scopes ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(
            |(id, name, path_label, state, reason, added, refreshed, entities, values)| {
                Ok(OfflineScope {
                    root_id: parse_id(&id)?,
                    name,
                    path_label,
                    state: if state == "revoked" {
                        ScopeState::Revoked
                    } else {
                        ScopeState::Ready
                    },
                    reason,
                    added_at: parse_ts(&added)?,
                    refreshed_at: parse_ts(&refreshed)?,
                    entities,
                    values,
                })
            },
        )
        .collect()
}

/// Writes (or replaces) cached entities, `scope` overriding theirs when
/// given.
pub(crate) async fn put_entities(
    conn: &mut SqliteConnection,
    rows: &[CachedEntity],
    scope: impl Fn(&CachedEntity) -> Uuid,
) -> OfflineResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let batch: Vec<Value> = rows
        .iter()
        .map(|e| {
            json!([
                e.id,
                scope(e),
                e.parent_id,
                e.entity_type_id,
                e.type_key,
                e.type_name,
                e.icon,
                e.name,
                e.name.to_lowercase(),
                e.path_label,
                ts(e.created_at),
                ts(e.updated_at),
                serde_json::to_string(&e.ancestor_ids).unwrap_or_else(|_| "[]".into()),
                e.properties,
                serde_json::to_string(&e.tag_ids).unwrap_or_else(|_| "[]".into()),
            ])
        })
        .collect();
    sqlx::query(
        "INSERT OR REPLACE INTO entities
            (id, scope_id, parent_id, entity_type_id, type_key, type_name, icon, name, name_fold,
             path_label, created_at, updated_at, ancestor_ids, properties, tag_ids)
         SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5,
                j.value->>6, j.value->>7, j.value->>8, j.value->>9, j.value->>10, j.value->>11,
                j.value->>12, j.value->>13, j.value->>14
           FROM json_each(?1) AS j",
    )
    .bind(Value::Array(batch).to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn put_values(
    conn: &mut SqliteConnection,
    rows: &[CachedValue],
) -> OfflineResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let batch: Vec<Value> = rows
        .iter()
        .map(|v| json!([v.entity_id, v.definition_id, v.value, ts(v.updated_at)]))
        .collect();
    sqlx::query(
        "INSERT OR REPLACE INTO vals (entity_id, definition_id, value, updated_at)
         SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3 FROM json_each(?1) AS j",
    )
    .bind(Value::Array(batch).to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn put_relationships(
    conn: &mut SqliteConnection,
    rows: &[CachedRelationship],
) -> OfflineResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let batch: Vec<Value> = rows
        .iter()
        .map(|r| json!([r.id, r.source_id, r.target_id, r.relationship_type]))
        .collect();
    sqlx::query(
        "INSERT OR REPLACE INTO relationships (id, source_id, target_id, relationship_type)
         SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3 FROM json_each(?1) AS j",
    )
    .bind(Value::Array(batch).to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes entities (and their values and relationships) by id.
pub(crate) async fn drop_entities(conn: &mut SqliteConnection, ids: &[Uuid]) -> OfflineResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let list = serde_json::to_string(ids)?;
    for sql in [
        "DELETE FROM vals WHERE entity_id IN (SELECT value FROM json_each(?1))",
        "DELETE FROM relationships WHERE source_id IN (SELECT value FROM json_each(?1))",
        "DELETE FROM entities WHERE id IN (SELECT value FROM json_each(?1))",
    ] {
        sqlx::query(sql).bind(&list).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Those of these entities that are cached, and everything cached under
/// them (an id that is not cached, such as a kept subtree's ancestor, takes
/// nothing with it).
pub(crate) async fn with_descendants(
    conn: &mut SqliteConnection,
    ids: &[Uuid],
) -> OfflineResult<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<String> = sqlx::query_scalar(
        "WITH kept AS (SELECT id FROM entities WHERE id IN (SELECT value FROM json_each(?1)))
         SELECT e.id FROM entities e
          WHERE e.id IN (SELECT id FROM kept)
             OR EXISTS (SELECT 1 FROM json_each(e.ancestor_ids) a WHERE a.value IN (SELECT id FROM kept))",
    )
    .bind(serde_json::to_string(ids)?)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|s| parse_id(s)).collect()
}

/// Replaces the catalog documents of one kind.
pub(crate) async fn put_docs<T: serde::Serialize>(
    conn: &mut SqliteConnection,
    kind: &str,
    docs: &[(Uuid, T)],
) -> OfflineResult<()> {
    sqlx::query("DELETE FROM docs WHERE kind = ?1")
        .bind(kind)
        .execute(&mut *conn)
        .await?;
    let batch: Vec<Value> = docs
        .iter()
        .map(|(id, d)| Ok(json!([id, serde_json::to_string(d)?])))
        .collect::<Result<_, serde_json::Error>>()?;
    sqlx::query(
        "INSERT INTO docs (kind, id, body) SELECT ?1, j.value->>0, j.value->>1 FROM json_each(?2) AS j",
    )
    .bind(kind)
    .bind(Value::Array(batch).to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn docs<T: serde::de::DeserializeOwned>(
    conn: &mut SqliteConnection,
    kind: &str,
) -> OfflineResult<Vec<T>> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT body FROM docs WHERE kind = ?1")
        .bind(kind)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|b| serde_json::from_str(b).map_err(OfflineError::from))
        .collect()
}

pub(crate) async fn doc<T: serde::de::DeserializeOwned>(
    conn: &mut SqliteConnection,
    kind: &str,
    id: Uuid,
) -> OfflineResult<Option<T>> {
    let row: Option<String> =
        sqlx::query_scalar("SELECT body FROM docs WHERE kind = ?1 AND id = ?2")
            .bind(kind)
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|b| serde_json::from_str(&b).map_err(OfflineError::from))
        .transpose()
}

/// Recounts a scope's rows.
pub(crate) async fn recount(conn: &mut SqliteConnection, scope: Uuid) -> OfflineResult<()> {
    sqlx::query(
        "UPDATE scopes SET
            entities = (SELECT count(*) FROM entities WHERE scope_id = ?1),
            vals = (SELECT count(*) FROM vals v JOIN entities e ON e.id = v.entity_id WHERE e.scope_id = ?1)
          WHERE root_id = ?1",
    )
    .bind(scope.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
