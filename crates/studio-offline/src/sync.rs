//! Making subtrees available offline, refreshing them, removing them.
//!
//! A download reads one snapshot of the subtree (the server's repeatable
//! read) in pages and writes it in one SQLite transaction: a download that
//! is cancelled or killed leaves the cache as it was. A refresh asks the
//! audit stream which entities changed since the cursor, rereads those
//! (whole subtrees where a create, rename, move or restore changed paths),
//! drops what was deleted, moved out or became invisible, rereads the
//! catalog, lays the outbox's pending edits back over the result, and
//! moves the cursor, in one transaction too.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use studio_core::db::PgPool;
use studio_core::offline::{self as server, CachedEntity, Selection, Snapshot};
use studio_core::progress::{CancelToken, Progress};
use studio_core::{links, properties, registry, views};
use uuid::Uuid;

use crate::store::{self, ts};
use crate::{OfflineCache, OfflineError, OfflineResult, OfflineScope};

/// Rows read from the server per page.
const PAGE: u32 = 5_000;

/// How far before its cursor a refresh rereads the audit stream (clock
/// steps between the server's sessions).
const CURSOR_SLACK_MS: i64 = 1_000;

#[derive(Clone, Default)]
pub struct AddOptions {
    /// Called with the rows written so far of the total (entities, then
    /// values).
    pub progress: Option<std::sync::Arc<dyn Fn(Progress) + Send + Sync>>,
}

/// What a refresh changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RefreshReport {
    /// Entities reread from the server.
    pub updated: i64,
    /// Entities removed from the cache (deleted, moved out, not visible).
    pub removed: i64,
    /// Subtrees whose access was lost (their data removed).
    pub revoked: Vec<Uuid>,
    pub millis: i64,
}

impl OfflineCache {
    /// What making `root` available offline would download.
    pub async fn size(&self, pg: &PgPool, root: Uuid) -> OfflineResult<server::SubtreeSize> {
        Ok(server::subtree_size(pg, root).await?)
    }

    /// Downloads the subtree under `root` as the person `pg` logs in as,
    /// all or nothing. A subtree inside one already kept is refused;
    /// subtrees kept inside this one become part of it.
    pub async fn add(
        &self,
        pg: &PgPool,
        root: Uuid,
        options: &AddOptions,
        cancel: &CancelToken,
    ) -> OfflineResult<OfflineScope> {
        let detail = registry::get_entity(pg, root).await?;
        if detail.deleted_at.is_some() {
            return Err(OfflineError::Invalid(format!(
                "{} is deleted; restore it before taking it offline",
                detail.node.name
            )));
        }
        let user = current_user(pg).await?;
        let size = server::subtree_size(pg, root).await?;
        let total = size.entities + size.values;
        let existing = store::scopes(&self.pool).await?;
        if let Some(outer) = existing.iter().find(|s| {
            s.state == crate::ScopeState::Ready
                && detail.breadcrumb.iter().any(|c| c.id == s.root_id)
        }) {
            return Err(OfflineError::Invalid(format!(
                "{} is already available offline as part of {}",
                detail.node.name, outer.name
            )));
        }

        let mut snapshot = Snapshot::begin(pg, &Selection::Subtrees(vec![root])).await?;
        let mut tx = self.pool.begin().await?;
        if let Some(owner) = store::meta_in(&mut tx, "owner").await? {
            if owner != user.to_string() {
                return Err(OfflineError::Invalid(
                    "this offline cache belongs to another person; remove it first".into(),
                ));
            }
        } else {
            store::set_meta(&mut tx, "owner", &user.to_string()).await?;
        }
        // Kept subtrees inside this one are absorbed (and a subtree added
        // again is replaced).
        let absorbed: Vec<String> = sqlx::query_scalar(
            "SELECT s.root_id FROM scopes s
              WHERE s.root_id = ?1
                 OR EXISTS (SELECT 1 FROM entities e, json_each(e.ancestor_ids) a
                             WHERE e.id = s.root_id AND a.value = ?1)",
        )
        .bind(root.to_string())
        .fetch_all(&mut *tx)
        .await?;
        for scope in &absorbed {
            let ids: Vec<String> =
                sqlx::query_scalar("SELECT id FROM entities WHERE scope_id = ?1")
                    .bind(scope)
                    .fetch_all(&mut *tx)
                    .await?;
            let ids: Vec<Uuid> = ids.iter().filter_map(|s| Uuid::try_parse(s).ok()).collect();
            store::drop_entities(&mut tx, &ids).await?;
            sqlx::query("DELETE FROM scopes WHERE root_id = ?1")
                .bind(scope)
                .execute(&mut *tx)
                .await?;
        }

        let mut done = 0i64;
        let report = |done: i64| {
            if let Some(p) = &options.progress {
                p(Progress {
                    done,
                    total: total.max(done),
                });
            }
        };
        let mut ids: HashSet<Uuid> = HashSet::new();
        loop {
            let page = snapshot.entities(PAGE).await?;
            if page.is_empty() {
                break;
            }
            check(cancel)?;
            ids.extend(page.iter().map(|e| e.id));
            store::put_entities(&mut tx, &page, |_| root).await?;
            done += page.len() as i64;
            report(done);
        }
        loop {
            let page = snapshot.values(PAGE * 4).await?;
            if page.is_empty() {
                break;
            }
            check(cancel)?;
            store::put_values(&mut tx, &page).await?;
            done += page.len() as i64;
            report(done);
        }
        loop {
            let page = snapshot.relationships(PAGE).await?;
            if page.is_empty() {
                break;
            }
            check(cancel)?;
            store::put_relationships(&mut tx, &page).await?;
        }
        let horizon = snapshot.horizon;
        snapshot.finish().await?;
        check(cancel)?;
        refresh_catalog(pg, &mut tx).await?;
        remember_session(pg, &mut tx).await?;

        let now = Utc::now();
        sqlx::query(
            "INSERT OR REPLACE INTO scopes
                (root_id, name, path_label, state, reason, crumbs, added_at, refreshed_at, entities, vals)
             VALUES (?1, ?2, ?3, 'ready', NULL, ?4, ?5, ?5, 0, 0)",
        )
        .bind(root.to_string())
        .bind(&detail.node.name)
        .bind(&detail.node.path_label)
        .bind(serde_json::to_string(&detail.breadcrumb)?)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        store::recount(&mut tx, root).await?;
        // The cursor: the older of the kept one and this snapshot's.
        let cursor = match store::meta_in(&mut tx, "cursor").await? {
            Some(c) => store::parse_ts(&c)?.min(horizon),
            None => horizon,
        };
        store::set_meta(&mut tx, "cursor", &ts(cursor)).await?;
        crate::outbox::overlay(&mut tx).await?;
        tx.commit().await?;
        store::checkpoint(&self.pool).await;
        store::scopes(&self.pool)
            .await?
            .into_iter()
            .find(|s| s.root_id == root)
            .ok_or_else(|| OfflineError::Cache("the new subtree was not recorded".into()))
    }

    /// Removes a subtree from the cache (its queued edits stay).
    pub async fn remove(&self, root: Uuid) -> OfflineResult<()> {
        let mut tx = self.pool.begin().await?;
        let found = sqlx::query("DELETE FROM scopes WHERE root_id = ?1")
            .bind(root.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if found == 0 {
            return Err(OfflineError::NotCached(format!("subtree {root}")));
        }
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM entities WHERE scope_id = ?1")
            .bind(root.to_string())
            .fetch_all(&mut *tx)
            .await?;
        let ids: Vec<Uuid> = ids.iter().filter_map(|s| Uuid::try_parse(s).ok()).collect();
        store::drop_entities(&mut tx, &ids).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Brings every kept subtree up to date with the server.
    pub async fn refresh(&self, pg: &PgPool, cancel: &CancelToken) -> OfflineResult<RefreshReport> {
        let started = Instant::now();
        let mut report = RefreshReport::default();
        let scopes: Vec<OfflineScope> = store::scopes(&self.pool)
            .await?
            .into_iter()
            .filter(|s| s.state == crate::ScopeState::Ready)
            .collect();
        if scopes.is_empty() {
            return Ok(report);
        }
        let roots: Vec<Uuid> = scopes.iter().map(|s| s.root_id).collect();
        let since = match store::meta(&self.pool, "cursor").await? {
            Some(c) => store::parse_ts(&c)? - Duration::milliseconds(CURSOR_SLACK_MS),
            None => DateTime::<Utc>::UNIX_EPOCH,
        };
        let visible: HashSet<Uuid> = server::visible_roots(pg, &roots)
            .await?
            .into_iter()
            .collect();
        let live: Vec<Uuid> = roots
            .iter()
            .copied()
            .filter(|r| visible.contains(r))
            .collect();
        let changes = server::changes_since(pg, since).await?;
        check(cancel)?;

        // Entities the stream names that are kept or lie in a kept subtree.
        let touched: Vec<Uuid> = changes.entities.iter().map(|(id, _)| *id).collect();
        let mut fresh: Vec<CachedEntity> = Vec::new();
        let mut values = Vec::new();
        let mut relationships = Vec::new();
        let mut whole: Vec<(Uuid, Uuid)> = Vec::new();
        if !touched.is_empty() && !live.is_empty() {
            let actions: HashMap<Uuid, &Vec<String>> =
                changes.entities.iter().map(|(id, a)| (*id, a)).collect();
            let mut snap = Snapshot::begin(
                pg,
                &Selection::Entities {
                    ids: touched.clone(),
                    within: live.clone(),
                },
            )
            .await?;
            fresh = drain_entities(&mut snap).await?;
            values = drain_values(&mut snap).await?;
            relationships = drain_relationships(&mut snap).await?;
            snap.finish().await?;
            // Paths changed under these: their subtrees are reread whole.
            for e in &fresh {
                let reshaped = actions.get(&e.id).is_some_and(|a| {
                    a.iter().any(|x| {
                        matches!(
                            x.as_str(),
                            "entity.create" | "entity.rename" | "entity.move" | "entity.restore"
                        )
                    })
                });
                if reshaped && e.has_children {
                    whole.push((e.id, e.scope_id));
                }
            }
        }
        if !whole.is_empty() {
            let roots_of: HashMap<Uuid, Uuid> = whole.iter().copied().collect();
            let mut snap = Snapshot::begin(
                pg,
                &Selection::Subtrees(whole.iter().map(|(id, _)| *id).collect()),
            )
            .await?;
            for mut e in drain_entities(&mut snap).await? {
                e.scope_id = roots_of.get(&e.scope_id).copied().unwrap_or(e.scope_id);
                fresh.push(e);
            }
            values.extend(drain_values(&mut snap).await?);
            relationships.extend(drain_relationships(&mut snap).await?);
            snap.finish().await?;
        }
        check(cancel)?;

        let mut tx = self.pool.begin().await?;
        // Lost subtrees: their data goes, their queued edits stay.
        for scope in scopes.iter().filter(|s| !visible.contains(&s.root_id)) {
            let ids: Vec<String> =
                sqlx::query_scalar("SELECT id FROM entities WHERE scope_id = ?1")
                    .bind(scope.root_id.to_string())
                    .fetch_all(&mut *tx)
                    .await?;
            let ids: Vec<Uuid> = ids.iter().filter_map(|s| Uuid::try_parse(s).ok()).collect();
            report.removed += ids.len() as i64;
            store::drop_entities(&mut tx, &ids).await?;
            sqlx::query(
                "UPDATE scopes SET state = 'revoked', reason = ?2, entities = 0, vals = 0 WHERE root_id = ?1",
            )
            .bind(scope.root_id.to_string())
            .bind(format!(
                "{} is no longer available to you (your access was withdrawn or it was deleted); its data was removed from this computer",
                scope.name
            ))
            .execute(&mut *tx)
            .await?;
            report.revoked.push(scope.root_id);
        }
        // Kept entities the stream named that are gone from the kept
        // subtrees (deleted, moved out, invisible): with what is under them.
        let present: HashSet<Uuid> = fresh.iter().map(|e| e.id).collect();
        let gone: Vec<Uuid> = touched
            .iter()
            .copied()
            .filter(|id| !present.contains(id))
            .collect();
        let gone = store::with_descendants(&mut tx, &gone).await?;
        report.removed += gone.len() as i64;
        store::drop_entities(&mut tx, &gone).await?;
        // Moved within: what was under a reshaped entity is reread whole;
        // anything kept under it that the server no longer has there goes.
        let reshaped: Vec<Uuid> = whole.iter().map(|(id, _)| *id).collect();
        let under = store::with_descendants(&mut tx, &reshaped).await?;
        let stale: Vec<Uuid> = under
            .into_iter()
            .filter(|id| !present.contains(id))
            .collect();
        report.removed += stale.len() as i64;
        store::drop_entities(&mut tx, &stale).await?;
        // Values and relationships of reread entities are replaced.
        let reread: Vec<Uuid> = fresh.iter().map(|e| e.id).collect();
        let list = serde_json::to_string(&reread)?;
        sqlx::query("DELETE FROM vals WHERE entity_id IN (SELECT value FROM json_each(?1))")
            .bind(&list)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "DELETE FROM relationships WHERE source_id IN (SELECT value FROM json_each(?1))",
        )
        .bind(&list)
        .execute(&mut *tx)
        .await?;
        for chunk in fresh.chunks(PAGE as usize) {
            store::put_entities(&mut tx, chunk, |e| e.scope_id).await?;
        }
        for chunk in values.chunks(PAGE as usize * 4) {
            store::put_values(&mut tx, chunk).await?;
        }
        store::put_relationships(&mut tx, &relationships).await?;
        report.updated = fresh.len() as i64;
        if changes.catalog_changed || !touched.is_empty() {
            refresh_catalog(pg, &mut tx).await?;
        }
        remember_session(pg, &mut tx).await?;
        let now = ts(Utc::now());
        sqlx::query("UPDATE scopes SET refreshed_at = ?1 WHERE state = 'ready'")
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        for root in &live {
            store::recount(&mut tx, *root).await?;
        }
        store::set_meta(&mut tx, "cursor", &ts(changes.horizon)).await?;
        crate::outbox::overlay(&mut tx).await?;
        tx.commit().await?;
        if report.updated + report.removed > 1_000 {
            store::checkpoint(&self.pool).await;
        }
        report.millis = started.elapsed().as_millis() as i64;
        Ok(report)
    }
}

fn check(cancel: &CancelToken) -> OfflineResult<()> {
    if cancel.is_cancelled() {
        Err(OfflineError::Core(studio_core::CoreError::Cancelled))
    } else {
        Ok(())
    }
}

async fn drain_entities(snap: &mut Snapshot) -> OfflineResult<Vec<CachedEntity>> {
    let mut all = Vec::new();
    loop {
        let page = snap.entities(PAGE).await?;
        if page.is_empty() {
            return Ok(all);
        }
        all.extend(page);
    }
}

async fn drain_values(snap: &mut Snapshot) -> OfflineResult<Vec<server::CachedValue>> {
    let mut all = Vec::new();
    loop {
        let page = snap.values(PAGE * 4).await?;
        if page.is_empty() {
            return Ok(all);
        }
        all.extend(page);
    }
}

async fn drain_relationships(
    snap: &mut Snapshot,
) -> OfflineResult<Vec<server::CachedRelationship>> {
    let mut all = Vec::new();
    loop {
        let page = snap.relationships(PAGE).await?;
        if page.is_empty() {
            return Ok(all);
        }
        all.extend(page);
    }
}

async fn current_user(pg: &PgPool) -> OfflineResult<Uuid> {
    let mut conn = pg.acquire().await.map_err(studio_core::CoreError::from)?;
    Ok(studio_core::change::current_user_id(&mut conn).await?)
}

/// Keeps who the person is and what they hold (their session), so the
/// app can start from the cache while the server cannot be reached.
async fn remember_session(pg: &PgPool, tx: &mut SqliteConnection) -> OfflineResult<()> {
    let session = studio_core::people::session(pg).await?;
    store::set_meta(tx, "session", &serde_json::to_string(&session)?).await
}

/// Rereads the catalog the cache's reads need: types, property groups and
/// definitions, each type's layout, tag groups, tags and saved views.
async fn refresh_catalog(pg: &PgPool, tx: &mut SqliteConnection) -> OfflineResult<()> {
    let types = registry::list_entity_types(pg, false).await?;
    let definitions = properties::list_property_definitions(pg, false).await?;
    let groups = properties::list_property_groups(pg, false).await?;
    let tag_groups = links::list_tag_groups(pg, false).await?;
    let tags = links::list_tags(pg).await?;
    let saved = views::list_saved(pg).await?;
    let mut layouts = Vec::with_capacity(types.len());
    for t in &types {
        layouts.push((t.id, properties::type_layout(pg, t.id).await?));
    }
    store::put_docs(
        tx,
        "type",
        &types.iter().map(|t| (t.id, t)).collect::<Vec<_>>(),
    )
    .await?;
    store::put_docs(
        tx,
        "definition",
        &definitions.iter().map(|d| (d.id, d)).collect::<Vec<_>>(),
    )
    .await?;
    store::put_docs(
        tx,
        "group",
        &groups.iter().map(|g| (g.id, g)).collect::<Vec<_>>(),
    )
    .await?;
    store::put_docs(tx, "layout", &layouts).await?;
    store::put_docs(
        tx,
        "tag_group",
        &tag_groups.iter().map(|g| (g.id, g)).collect::<Vec<_>>(),
    )
    .await?;
    store::put_docs(
        tx,
        "tag",
        &tags.iter().map(|t| (t.id, t)).collect::<Vec<_>>(),
    )
    .await?;
    store::put_docs(
        tx,
        "view",
        &saved.iter().map(|v| (v.id, v)).collect::<Vec<_>>(),
    )
    .await?;
    Ok(())
}
