//! What the window reads while offline, from the cache, in the shapes the
//! server gives: the kept subtrees as the tree's roots, children pages in
//! label order (the label is the cursor, as on the server), an entity with
//! its breadcrumb, subtree counts, search by name, property panes, tags,
//! the catalog, and saved views run in memory.

use chrono::Utc;
use sqlx::SqliteConnection;
use studio_core::properties::{PaneInput, PropertyPane, TypeLayout};
use studio_core::records::{
    EntityType, LayoutEntry, PropertyDefinition, PropertyGroup, SavedView, Tag, TagGroup, TreeNode,
};
use studio_core::registry::{ChildPage, Crumb, EntityDetail, SearchResults};
use studio_core::views::{Catalog, Cursor, ViewCount, ViewDocument, ViewPage};
use uuid::Uuid;

use crate::store::{self, parse_id, parse_ts};
use crate::views::{self as offline_views, ViewData, ViewEntity, ViewRelationship};
use crate::{OfflineCache, OfflineError, OfflineResult};

/// The most search hits counted exactly (as the server caps its count).
const SEARCH_COUNT_CAP: i64 = 1_000;
const MAX_PAGE: u32 = 500;

type NodeRow = (
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    String,
);

const NODE_SELECT: &str =
    "SELECT e.id, e.parent_id, e.type_key, e.type_name, e.icon, e.name, e.path_label,
        EXISTS (SELECT 1 FROM entities c WHERE c.parent_id = e.id) AS has_children, e.updated_at
   FROM entities e";

fn node(row: NodeRow) -> OfflineResult<TreeNode> {
    let (id, parent, type_key, type_name, icon, name, path_label, has_children, updated) = row;
    Ok(TreeNode {
        id: parse_id(&id)?,
        parent_id: parent.as_deref().map(parse_id).transpose()?,
        type_key,
        type_name,
        icon,
        name,
        path_label,
        has_children: has_children != 0,
        updated_at: parse_ts(&updated)?,
    })
}

impl OfflineCache {
    /// The kept subtrees' roots (the offline tree's top level).
    pub async fn roots(&self) -> OfflineResult<Vec<TreeNode>> {
        let rows: Vec<NodeRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{NODE_SELECT} JOIN scopes s ON s.root_id = e.id AND s.state = 'ready' ORDER BY e.name"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(node).collect()
    }

    pub async fn node(&self, id: Uuid) -> OfflineResult<TreeNode> {
        let row: Option<NodeRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{NODE_SELECT} WHERE e.id = ?1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        node(row.ok_or_else(|| OfflineError::NotCached(format!("entity {id}")))?)
    }

    /// One page of children in label order, after the label `after`.
    pub async fn children(
        &self,
        parent: Uuid,
        after: Option<&str>,
        limit: u32,
    ) -> OfflineResult<ChildPage> {
        if !self.has_entity(parent).await? {
            return Err(OfflineError::NotCached(format!("entity {parent}")));
        }
        let limit = limit.clamp(1, MAX_PAGE);
        let rows: Vec<NodeRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{NODE_SELECT} WHERE e.parent_id = ?1 AND (?2 IS NULL OR e.path_label > ?2)
              ORDER BY e.path_label LIMIT ?3"
        )))
        .bind(parent.to_string())
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let mut nodes = rows
            .into_iter()
            .map(node)
            .collect::<OfflineResult<Vec<_>>>()?;
        let next_cursor = if nodes.len() > limit as usize {
            nodes.truncate(limit as usize);
            nodes.last().map(|n| n.path_label.clone())
        } else {
            None
        };
        Ok(ChildPage { nodes, next_cursor })
    }

    /// An entity with its breadcrumb (the kept root's ancestors included).
    pub async fn entity(&self, id: Uuid) -> OfflineResult<EntityDetail> {
        let node = self.node(id).await?;
        let (created, ancestors, scope): (String, String, String) =
            sqlx::query_as("SELECT created_at, ancestor_ids, scope_id FROM entities WHERE id = ?1")
                .bind(id.to_string())
                .fetch_one(&self.pool)
                .await?;
        let ancestors: Vec<Uuid> = serde_json::from_str(&ancestors)?;
        let crumbs: Option<String> =
            sqlx::query_scalar("SELECT crumbs FROM scopes WHERE root_id = ?1")
                .bind(&scope)
                .fetch_optional(&self.pool)
                .await?;
        let mut breadcrumb: Vec<Crumb> = match crumbs {
            Some(c) => serde_json::from_str(&c)?,
            None => Vec::new(),
        };
        let known: Vec<Uuid> = breadcrumb.iter().map(|c| c.id).collect();
        for a in ancestors.iter().filter(|a| !known.contains(a)) {
            if let Ok(n) = self.node(*a).await {
                breadcrumb.push(Crumb {
                    id: n.id,
                    name: n.name,
                    type_key: n.type_key,
                    icon: n.icon,
                });
            }
        }
        Ok(EntityDetail {
            node,
            created_at: parse_ts(&created)?,
            deleted_at: None,
            breadcrumb,
        })
    }

    /// Kept entities in an entity's subtree, itself included.
    pub async fn subtree_count(&self, id: Uuid) -> OfflineResult<i64> {
        if !self.has_entity(id).await? {
            return Err(OfflineError::NotCached(format!("entity {id}")));
        }
        let mut conn = self.pool.acquire().await?;
        Ok(store::with_descendants(&mut conn, &[id]).await?.len() as i64)
    }

    /// Kept entities whose name holds the text (any case), by name.
    pub async fn search(&self, query: &str, limit: u32) -> OfflineResult<SearchResults> {
        let text = query.trim().to_lowercase();
        if text.is_empty() {
            return Ok(SearchResults {
                hits: Vec::new(),
                total: 0,
                total_capped: false,
            });
        }
        let pattern = format!(
            "%{}%",
            text.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let rows: Vec<NodeRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{NODE_SELECT} WHERE e.name_fold LIKE ?1 ESCAPE '\\' ORDER BY length(e.name), e.name LIMIT ?2"
        )))
        .bind(&pattern)
        .bind(i64::from(limit.clamp(1, MAX_PAGE)))
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT 1 FROM entities WHERE name_fold LIKE ?1 ESCAPE '\\' LIMIT ?2)",
        )
        .bind(&pattern)
        .bind(SEARCH_COUNT_CAP)
        .fetch_one(&self.pool)
        .await?;
        Ok(SearchResults {
            hits: rows
                .into_iter()
                .map(node)
                .collect::<OfflineResult<Vec<_>>>()?,
            total,
            total_capped: total >= SEARCH_COUNT_CAP,
        })
    }

    /// The floor of [`children`](Self::children): the bare indexed
    /// statement (ids only), for the benchmark.
    pub async fn floor_children(&self, parent: Uuid, limit: u32) -> OfflineResult<usize> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM entities WHERE parent_id = ?1 ORDER BY path_label LIMIT ?2",
        )
        .bind(parent.to_string())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.len())
    }

    /// The floor of [`search`](Self::search): the bare scan (ids only).
    pub async fn floor_search(&self, query: &str, limit: u32) -> OfflineResult<usize> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT id FROM entities WHERE name_fold LIKE ?1 LIMIT ?2")
                .bind(format!("%{}%", query.to_lowercase()))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.len())
    }

    /// An entity's property pane, put together as the server does.
    pub async fn pane(&self, id: Uuid) -> OfflineResult<PropertyPane> {
        let mut conn = self.pool.acquire().await?;
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT entity_type_id, updated_at FROM entities WHERE id = ?1")
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        let (type_id, updated) =
            row.ok_or_else(|| OfflineError::NotCached(format!("entity {id}")))?;
        let type_id = parse_id(&type_id)?;
        let layout: Option<TypeLayout> = store::doc(&mut conn, "layout", type_id).await?;
        let entries: Vec<LayoutEntry> = layout.map(|l| l.entries).unwrap_or_default();
        let mut groups: Vec<PropertyGroup> = store::docs(&mut conn, "group").await?;
        groups.sort_by(|a, b| (a.display_order, &a.name).cmp(&(b.display_order, &b.name)));
        let definitions: Vec<PropertyDefinition> = store::docs(&mut conn, "definition").await?;
        let values: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT definition_id, value, updated_at FROM vals WHERE entity_id = ?1",
        )
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let mut inputs = Vec::new();
        for d in definitions {
            if d.id == studio_core::records::NAME_PROPERTY_ID {
                continue;
            }
            let place = entries.iter().position(|e| e.definition_id == d.id);
            let stored = values.iter().find(|(def, _, _)| *def == d.id.to_string());
            if place.is_none() && stored.is_none() {
                continue;
            }
            inputs.push(PaneInput {
                layout_order: place.map(|p| p as i32),
                layout_required: place.map(|p| entries[p].is_required),
                value: stored.map(|(_, v, _)| v.clone()),
                value_updated_at: stored.map(|(_, _, t)| parse_ts(t)).transpose()?,
                definition: d,
            });
        }
        Ok(studio_core::properties::assemble_pane(
            id,
            parse_ts(&updated)?,
            groups,
            inputs,
        ))
    }

    /// An entity's tags.
    pub async fn entity_tags(&self, id: Uuid) -> OfflineResult<Vec<Tag>> {
        let mut conn = self.pool.acquire().await?;
        let ids: Option<String> = sqlx::query_scalar("SELECT tag_ids FROM entities WHERE id = ?1")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        let ids: Vec<Uuid> = serde_json::from_str(
            &ids.ok_or_else(|| OfflineError::NotCached(format!("entity {id}")))?,
        )?;
        let tags: Vec<Tag> = store::docs(&mut conn, "tag").await?;
        Ok(tags.into_iter().filter(|t| ids.contains(&t.id)).collect())
    }

    pub async fn entity_types(&self) -> OfflineResult<Vec<EntityType>> {
        let mut types: Vec<EntityType> = self.docs("type").await?;
        types.sort_by(|a, b| (&a.name, &a.key).cmp(&(&b.name, &b.key)));
        Ok(types)
    }

    pub async fn property_definitions(&self) -> OfflineResult<Vec<PropertyDefinition>> {
        let mut defs: Vec<PropertyDefinition> = self.docs("definition").await?;
        defs.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(defs)
    }

    pub async fn property_groups(&self) -> OfflineResult<Vec<PropertyGroup>> {
        let mut groups: Vec<PropertyGroup> = self.docs("group").await?;
        groups.sort_by(|a, b| (a.display_order, &a.name).cmp(&(b.display_order, &b.name)));
        Ok(groups)
    }

    pub async fn tag_groups(&self) -> OfflineResult<Vec<TagGroup>> {
        self.docs("tag_group").await
    }

    pub async fn tags(&self) -> OfflineResult<Vec<Tag>> {
        let mut tags: Vec<Tag> = self.docs("tag").await?;
        tags.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(tags)
    }

    pub async fn type_layout(&self, type_id: Uuid) -> OfflineResult<TypeLayout> {
        let mut conn = self.pool.acquire().await?;
        store::doc(&mut conn, "layout", type_id)
            .await?
            .ok_or_else(|| OfflineError::NotCached(format!("the layout of type {type_id}")))
    }

    pub async fn saved_views(&self) -> OfflineResult<Vec<SavedView>> {
        let mut views: Vec<SavedView> = self.docs("view").await?;
        views.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(views)
    }

    async fn docs<T: serde::de::DeserializeOwned>(&self, kind: &str) -> OfflineResult<Vec<T>> {
        let mut conn = self.pool.acquire().await?;
        store::docs(&mut conn, kind).await
    }

    /// One page of a view over the kept entities.
    pub async fn view_page(
        &self,
        doc: &ViewDocument,
        after: Option<&Cursor>,
    ) -> OfflineResult<ViewPage> {
        let mut conn = self.pool.acquire().await?;
        let data = ViewInputs::load(&mut conn).await?;
        offline_views::page(doc, &data.data(), after, Utc::now())
            .map_err(|e| OfflineError::Unsupported(e.to_string()))
    }

    /// How many kept entities a view matches.
    pub async fn view_count(&self, doc: &ViewDocument) -> OfflineResult<ViewCount> {
        let mut conn = self.pool.acquire().await?;
        let data = ViewInputs::load(&mut conn).await?;
        offline_views::count(doc, &data.data(), Utc::now())
            .map_err(|e| OfflineError::Unsupported(e.to_string()))
    }
}

/// What a view reads, loaded from the cache.
struct ViewInputs {
    entities: Vec<ViewEntity>,
    relationships: Vec<ViewRelationship>,
    catalog: Catalog,
    tags: Vec<(Uuid, String, Option<String>)>,
}

type ViewRow = (
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

impl ViewInputs {
    async fn load(conn: &mut SqliteConnection) -> OfflineResult<ViewInputs> {
        let rows: Vec<ViewRow> = sqlx::query_as(
            "SELECT id, parent_id, entity_type_id, type_key, name, path_label, ancestor_ids,
                    properties, tag_ids, created_at, updated_at
               FROM entities",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut entities = Vec::with_capacity(rows.len());
        for (id, parent, type_id, type_key, name, path_label, anc, props, tags, created, updated) in
            rows
        {
            let properties = match serde_json::from_str::<serde_json::Value>(&props)? {
                serde_json::Value::Object(m) => m,
                _ => serde_json::Map::new(),
            };
            entities.push(ViewEntity {
                id: parse_id(&id)?,
                parent_id: parent.as_deref().map(parse_id).transpose()?,
                entity_type_id: parse_id(&type_id)?,
                type_key,
                name,
                path_label,
                ancestor_ids: serde_json::from_str(&anc)?,
                properties,
                tag_ids: serde_json::from_str(&tags)?,
                created_at: parse_ts(&created)?,
                updated_at: parse_ts(&updated)?,
            });
        }
        let rels: Vec<(String, String, String)> =
            sqlx::query_as("SELECT source_id, target_id, relationship_type FROM relationships")
                .fetch_all(&mut *conn)
                .await?;
        let relationships = rels
            .into_iter()
            .map(|(s, t, ty)| {
                Ok(ViewRelationship {
                    source_id: parse_id(&s)?,
                    target_id: parse_id(&t)?,
                    relationship_type: ty,
                })
            })
            .collect::<OfflineResult<Vec<_>>>()?;
        let definitions: Vec<PropertyDefinition> = store::docs(conn, "definition").await?;
        let types: Vec<EntityType> = store::docs(conn, "type").await?;
        let catalog = Catalog::from_parts(&definitions, &types);
        let groups: Vec<TagGroup> = store::docs(conn, "tag_group").await?;
        let tag_docs: Vec<Tag> = store::docs(conn, "tag").await?;
        let tags = tag_docs
            .into_iter()
            .map(|t| {
                let group = t
                    .group_id
                    .and_then(|g| groups.iter().find(|x| x.id == g))
                    .map(|g| g.key.clone());
                (t.id, t.key, group)
            })
            .collect();
        Ok(ViewInputs {
            entities,
            relationships,
            catalog,
            tags,
        })
    }

    fn data(&self) -> ViewData<'_> {
        ViewData {
            entities: &self.entities,
            relationships: &self.relationships,
            catalog: &self.catalog,
            tags: &self.tags,
        }
    }
}
