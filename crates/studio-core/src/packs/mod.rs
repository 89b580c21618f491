//! Domain packs: a pack (`packs/<key>/`, see `packs/README.md`) turns the
//! registry into a domain with data only: entity types, property groups,
//! definitions and layouts, tags, relationship types, saved views,
//! dashboards, workflows and sample data. Installing runs in one
//! transaction through the same operations the app uses (so everything is
//! audited and checked), and is idempotent: what exists is adopted or left
//! alone, sample rows are imported by external id (source `pack:<key>`).
//! A newer version updates what the pack owns and never drops data; an
//! older one is refused.

pub mod format;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub use format::Pack;
use format::{pack_error, parse_value, version_triple};

use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, Rule};
use crate::import::{self, FileFormat, ImportMode, SyncOptions};
use crate::links::{self, NewRelationship, NewTag, TagGroupInput};
use crate::metrics::generate::{shape, Rng};
use crate::metrics::{Ingest, Sample, INGEST_CHUNK};
use crate::properties::{
    self, PropertyDefinitionInput, PropertyDefinitionUpdate, PropertyGroupInput, TypeLayoutUpdate,
};
use crate::records::{LayoutEntry, SaveDashboard, VersionedId, WidgetConfig, WidgetInput};
use crate::registry::{self, EntityTypeSpec, EntityTypeUpdate};
use crate::views::{self, NewView, ViewDocument, ViewUpdate};
use crate::workflows::{self, dsl, NewWorkflow, SaveDraft, SetEnabled};

/// A pack as the app lists it: built in, installed, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PackInfo {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    /// The version built into this app (None: installed from a folder).
    pub available_version: Option<String>,
    pub installed_version: Option<String>,
    pub installed_at: Option<DateTime<Utc>>,
    /// What the installed version owns (types, properties, views...).
    pub contents: Option<PackContents>,
}

/// What a pack installed and owns (by key), and what it found and adopted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct PackContents {
    pub types: Vec<String>,
    pub property_groups: Vec<String>,
    pub properties: Vec<String>,
    pub tag_groups: Vec<String>,
    pub relationship_types: Vec<String>,
    pub views: Vec<String>,
    pub dashboards: Vec<String>,
    pub workflows: Vec<String>,
    /// `type:site`, `property:status`... that existed before and were kept.
    pub adopted: Vec<String>,
}

/// What an install did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct InstallReport {
    pub key: String,
    pub version: String,
    pub previous_version: Option<String>,
    /// `type:job`, `view:jobs_board`... created by this install.
    pub created: Vec<String>,
    /// Owned things this (newer) version changed.
    pub updated: Vec<String>,
    pub adopted: Vec<String>,
    /// Sample rows: created, updated and unchanged.
    pub sample_created: i64,
    pub sample_updated: i64,
    pub sample_unchanged: i64,
    pub notes: Vec<String>,
}

/// What an uninstall did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UninstallReport {
    pub key: String,
    /// Entities soft-deleted (subtrees counted whole).
    pub entities_deleted: i64,
    pub removed: Vec<String>,
    pub notes: Vec<String>,
}

/// The pack built in under `key`, read and checked.
pub fn builtin(key: &str) -> CoreResult<Pack> {
    let mut all = format::embedded();
    let files = all.remove(key).ok_or_else(|| {
        CoreError::invalid(
            Some("pack"),
            Rule::Reference,
            format!(
                "no built-in pack {key:?} (there are: {})",
                format::embedded()
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    Pack::from_files(files)
}

/// A pack from a folder.
pub fn from_dir(dir: &std::path::Path) -> CoreResult<Pack> {
    Pack::from_files(format::read_dir(dir)?)
}

#[derive(sqlx::FromRow)]
struct Installed {
    id: Uuid,
    key: String,
    name: String,
    version: String,
    description: Option<String>,
    contents: sqlx::types::Json<PackContents>,
    installed_at: DateTime<Utc>,
}

/// The built-in packs and the installed ones.
pub async fn list(pool: &PgPool) -> CoreResult<Vec<PackInfo>> {
    let installed: Vec<Installed> = sqlx::query_as(
        "SELECT id, key, name, version, description, contents, installed_at FROM installed_packs
          WHERE deleted_at IS NULL ORDER BY key",
    )
    .fetch_all(pool)
    .await?;
    let mut out: BTreeMap<String, PackInfo> = BTreeMap::new();
    for (key, files) in format::embedded() {
        let pack = Pack::from_files(files)?;
        out.insert(
            key.clone(),
            PackInfo {
                key,
                name: pack.manifest.name.clone(),
                description: pack.manifest.description.clone(),
                available_version: Some(pack.manifest.version.clone()),
                installed_version: None,
                installed_at: None,
                contents: None,
            },
        );
    }
    for row in installed {
        let entry = out.entry(row.key.clone()).or_insert_with(|| PackInfo {
            key: row.key.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            available_version: None,
            installed_version: None,
            installed_at: None,
            contents: None,
        });
        entry.installed_version = Some(row.version);
        entry.installed_at = Some(row.installed_at);
        entry.contents = Some(row.contents.0);
    }
    Ok(out.into_values().collect())
}

/// Installs (or upgrades) `pack` in one transaction.
pub async fn install(
    pool: &PgPool,
    actor: &Actor,
    pack: &Pack,
) -> CoreResult<Applied<InstallReport>> {
    crate::transaction!(pool, |tx| install_in(tx, actor, pack)).await
}

/// Ids the pack's documents refer to with `@…` strings.
#[derive(Default)]
struct Refs {
    entities: HashMap<String, Uuid>,
    tags: HashMap<String, Uuid>,
    views: HashMap<String, Uuid>,
}

impl Refs {
    /// Replaces every `@kind:name` string in `value` by the id it names.
    fn resolve(&self, value: &mut serde_json::Value, file: &str, path: &str) -> CoreResult<()> {
        match value {
            serde_json::Value::String(s) if s.starts_with('@') => {
                let (kind, name) = s[1..].split_once(':').unwrap_or(("", ""));
                let id = match kind {
                    "entity" | "root" => self.entities.get(name),
                    "tag" => self.tags.get(name),
                    "view" => self.views.get(name),
                    _ => None,
                };
                match id {
                    Some(id) => *value = serde_json::Value::String(id.to_string()),
                    None => {
                        return Err(pack_error(
                            file,
                            path,
                            format!("{s} names nothing in this pack"),
                        ))
                    }
                }
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.resolve(item, file, &format!("{path}[{i}]"))?;
                }
            }
            serde_json::Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    self.resolve(v, file, &format!("{path}.{k}"))?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

async fn keyed(conn: &mut PgConnection, sql: &'static str) -> CoreResult<HashMap<String, Uuid>> {
    Ok(sqlx::query_as::<_, (String, Uuid)>(sql)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect())
}

/// A type as the installer compares it: key, id, name, description, icon,
/// version, deleted.
type TypeRow = (
    String,
    Uuid,
    String,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
    bool,
);

/// [`install`] in the caller's transaction.
pub async fn install_in(
    tx: &mut PgConnection,
    actor: &Actor,
    pack: &Pack,
) -> CoreResult<Applied<InstallReport>> {
    let key = pack.key().to_string();
    let version = pack.manifest.version.clone();
    let mut changes: Vec<Change> = Vec::new();
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('installed_packs.key:' || $1, 0))")
        .bind(&key)
        .execute(&mut *tx)
        .await?;
    let installed: Option<Installed> = sqlx::query_as(
        "SELECT id, key, name, version, description, contents, installed_at FROM installed_packs
          WHERE key = $1 AND deleted_at IS NULL",
    )
    .bind(&key)
    .fetch_optional(&mut *tx)
    .await?;
    let new_v = version_triple("pack.json", &version)?;
    let upgrade = match &installed {
        Some(i) => {
            let old_v = version_triple("installed_packs", &i.version)?;
            if new_v < old_v {
                return Err(CoreError::state(format!(
                    "{key} {} is installed; {version} is older and is not installed over it",
                    i.version
                )));
            }
            new_v > old_v
        }
        None => false,
    };
    let mut owned = installed
        .as_ref()
        .map(|i| i.contents.0.clone())
        .unwrap_or_default();
    let mut report = InstallReport {
        key: key.clone(),
        version: version.clone(),
        previous_version: installed.as_ref().map(|i| i.version.clone()),
        ..InstallReport::default()
    };
    let adopt = |owned: &mut PackContents, report: &mut InstallReport, what: String| {
        if !owned.adopted.contains(&what) {
            owned.adopted.push(what.clone());
        }
        report.adopted.push(what);
    };

    // Entity types.
    let types: Vec<TypeRow> = sqlx::query_as(
        "SELECT key, id, name, description, icon, updated_at, deleted_at IS NOT NULL
               FROM entity_type_definitions",
    )
    .fetch_all(&mut *tx)
    .await?;
    let types: HashMap<String, _> = types.into_iter().map(|t| (t.0.clone(), t)).collect();
    for t in &pack.types {
        let spec = EntityTypeSpec {
            key: &t.key,
            name: &t.name,
            description: t.description.as_deref(),
            icon: t.icon.as_deref(),
            is_system: false,
        };
        match types.get(&t.key) {
            None => {
                registry::ensure_entity_type(tx, actor, &spec)
                    .await?
                    .collect_into(&mut changes);
                owned.types.push(t.key.clone());
                report.created.push(format!("type:{}", t.key));
            }
            Some((_, id, name, description, icon, updated_at, deleted)) => {
                let mine = owned.types.contains(&t.key);
                if *deleted {
                    let restored = registry::restore_entity_type_in(tx, actor, *id)
                        .await?
                        .collect_into(&mut changes);
                    report.created.push(format!("type:{} (restored)", t.key));
                    if !mine {
                        owned.types.push(t.key.clone());
                    }
                    let _ = restored;
                } else if mine
                    && upgrade
                    && (name != &t.name || description != &t.description || icon != &t.icon)
                {
                    registry::update_entity_type_in(
                        tx,
                        actor,
                        &EntityTypeUpdate {
                            id: *id,
                            expected_updated_at: *updated_at,
                            name: t.name.clone(),
                            description: t.description.clone(),
                            icon: t.icon.clone(),
                        },
                    )
                    .await?
                    .collect_into(&mut changes);
                    report.updated.push(format!("type:{}", t.key));
                } else if !mine {
                    adopt(&mut owned, &mut report, format!("type:{}", t.key));
                }
            }
        }
    }

    // Property groups and definitions.
    let mut groups = keyed(
        tx,
        "SELECT key, id FROM property_groups WHERE deleted_at IS NULL",
    )
    .await?;
    for g in &pack.properties.groups {
        if groups.contains_key(&g.key) {
            if !owned.property_groups.contains(&g.key) {
                adopt(&mut owned, &mut report, format!("group:{}", g.key));
            }
            continue;
        }
        let group = properties::create_property_group_in(
            tx,
            actor,
            &PropertyGroupInput {
                key: g.key.clone(),
                name: g.name.clone(),
                description: g.description.clone(),
            },
        )
        .await?
        .collect_into(&mut changes);
        groups.insert(g.key.clone(), group.id);
        owned.property_groups.push(g.key.clone());
        report.created.push(format!("group:{}", g.key));
    }
    let existing: Vec<crate::records::PropertyDefinition> =
        properties::list_property_definitions_in(tx).await?;
    let mut definitions: HashMap<String, Uuid> =
        existing.iter().map(|d| (d.key.clone(), d.id)).collect();
    for (i, d) in pack.properties.definitions.iter().enumerate() {
        let group_id = d.group.as_ref().and_then(|g| groups.get(g).copied());
        match existing.iter().find(|e| e.key == d.key) {
            None => {
                let def = properties::create_property_definition_in(
                    tx,
                    actor,
                    &PropertyDefinitionInput {
                        group_id,
                        key: d.key.clone(),
                        name: d.name.clone(),
                        description: d.description.clone(),
                        value_type: d.value_type,
                        is_required: false,
                        is_sensitive: d.is_sensitive,
                        is_searchable: d.is_searchable,
                        rules: d.rules.clone(),
                    },
                )
                .await?
                .collect_into(&mut changes);
                definitions.insert(d.key.clone(), def.id);
                owned.properties.push(d.key.clone());
                report.created.push(format!("property:{}", d.key));
            }
            Some(e) if e.value_type != d.value_type => {
                return Err(pack_error(
                    "properties.json",
                    &format!("definitions[{i}].valueType"),
                    format!(
                        "property {} already exists as {} values; this pack defines it as {}",
                        d.key,
                        e.value_type.as_str(),
                        d.value_type.as_str()
                    ),
                ));
            }
            Some(e) => {
                let mine = owned.properties.contains(&d.key);
                let differs = e.name != d.name
                    || e.description != d.description
                    || e.rules != d.rules
                    || e.is_sensitive != d.is_sensitive
                    || e.is_searchable != d.is_searchable;
                if mine && upgrade && differs {
                    // Refused (with the count) when stored values would
                    // break the new rules: nothing is written then.
                    properties::update_property_definition_in(
                        tx,
                        actor,
                        &PropertyDefinitionUpdate {
                            id: e.id,
                            expected_updated_at: e.updated_at,
                            group_id: e.group_id,
                            name: d.name.clone(),
                            description: d.description.clone(),
                            value_type: d.value_type,
                            is_required: e.is_required,
                            is_sensitive: d.is_sensitive,
                            is_searchable: d.is_searchable,
                            rules: d.rules.clone(),
                            accept_invalid: None,
                        },
                    )
                    .await
                    .map_err(|err| {
                        pack_error(
                            "properties.json",
                            &format!("definitions[{i}]"),
                            format!("{} cannot be upgraded: {err}", d.key),
                        )
                    })?
                    .collect_into(&mut changes);
                    report.updated.push(format!("property:{}", d.key));
                } else if !mine {
                    adopt(&mut owned, &mut report, format!("property:{}", d.key));
                }
            }
        }
    }

    // Layouts: a type's properties, added (never removed).
    let type_ids = keyed(
        tx,
        "SELECT key, id FROM entity_type_definitions WHERE deleted_at IS NULL",
    )
    .await?;
    for (type_key, keys) in &pack.properties.layouts {
        let type_id = *type_ids.get(type_key).ok_or_else(|| {
            pack_error(
                "properties.json",
                &format!("layouts.{type_key}"),
                format!("no type {type_key}"),
            )
        })?;
        let layout = properties::type_layout_in(tx, type_id).await?;
        let required = pack.properties.required.get(type_key);
        let mut entries = layout.entries.clone();
        for (j, k) in keys.iter().enumerate() {
            let id = *definitions.get(k).ok_or_else(|| {
                pack_error(
                    "properties.json",
                    &format!("layouts.{type_key}[{j}]"),
                    format!("no property {k}"),
                )
            })?;
            if !entries.iter().any(|e| e.definition_id == id) {
                entries.push(LayoutEntry {
                    definition_id: id,
                    is_required: required.is_some_and(|r| r.contains(k)),
                });
            }
        }
        if entries.len() != layout.entries.len() {
            properties::set_type_layout_in(
                tx,
                actor,
                &TypeLayoutUpdate {
                    entity_type_id: type_id,
                    expected_updated_at: layout.updated_at,
                    entries,
                },
            )
            .await?
            .collect_into(&mut changes);
        }
    }

    // Tag groups and tags.
    let mut tag_groups = keyed(
        tx,
        "SELECT key, id FROM tag_groups WHERE deleted_at IS NULL",
    )
    .await?;
    let mut tags: HashMap<String, Uuid> = sqlx::query_as::<_, (String, String, Uuid)>(
        "SELECT g.key, t.key, t.entity_id FROM tags t
           JOIN tag_groups g ON g.id = t.tag_group_id AND g.deleted_at IS NULL
           JOIN entities e ON e.id = t.entity_id AND e.deleted_at IS NULL
          WHERE t.deleted_at IS NULL",
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|(g, t, id)| (format!("{g}/{t}"), id))
    .collect();
    for g in &pack.tags.groups {
        let group_id = match tag_groups.get(&g.key) {
            Some(id) => {
                if !owned.tag_groups.contains(&g.key) {
                    adopt(&mut owned, &mut report, format!("tag_group:{}", g.key));
                }
                *id
            }
            None => {
                let group = links::create_tag_group_in(
                    tx,
                    actor,
                    &TagGroupInput {
                        key: g.key.clone(),
                        name: g.name.clone(),
                        description: g.description.clone(),
                        selection_mode: g.selection_mode,
                    },
                )
                .await?
                .collect_into(&mut changes);
                tag_groups.insert(g.key.clone(), group.id);
                owned.tag_groups.push(g.key.clone());
                report.created.push(format!("tag_group:{}", g.key));
                group.id
            }
        };
        for t in &g.tags {
            let k = format!("{}/{}", g.key, t.key);
            if tags.contains_key(&k) {
                continue;
            }
            let tag = links::create_tag_in(
                tx,
                actor,
                &NewTag {
                    group_id: Some(group_id),
                    key: t.key.clone(),
                    name: t.name.clone(),
                    color: t.color.clone(),
                },
            )
            .await?
            .collect_into(&mut changes);
            tags.insert(k, tag.id);
        }
    }
    for r in &pack.relationships {
        if !owned.relationship_types.contains(&r.key) {
            owned.relationship_types.push(r.key.clone());
        }
    }

    // Sample data, through the import (idempotent by external id).
    let source = format!("pack:{key}");
    for (i, s) in pack.sample.imports.iter().enumerate() {
        let name = format!("sample/{}", s.file);
        let bytes = pack.files[&name].clone();
        let format = FileFormat::from_name(&s.file).ok_or_else(|| {
            pack_error(
                "sample/manifest.json",
                &format!("imports[{i}].file"),
                "a .csv, .json or .ndjson file",
            )
        })?;
        let options = SyncOptions {
            type_key: s.type_key.clone(),
            source: Some(source.clone()),
            format: Some(format),
            mapping: None,
            mode: ImportMode::AllOrNothing,
            delete_missing: false,
            under: None,
            file_name: Some(name.clone()),
        };
        let (done, imported) = import::run_in(
            tx,
            actor,
            &options,
            format,
            Box::new(std::io::Cursor::new(bytes)),
        )
        .await
        .map_err(|e| pack_error(&name, "", e.to_string()))?;
        if done.status != "completed" {
            let first = done.diff.errors.first();
            return Err(pack_error(
                &name,
                &first.map_or(String::new(), |e| {
                    format!(
                        "line {}{}",
                        e.line,
                        e.column
                            .as_ref()
                            .map_or(String::new(), |c| format!(", column {c}"))
                    )
                }),
                first.map_or("the sample could not be imported".to_string(), |e| {
                    e.message.clone()
                }),
            ));
        }
        changes.extend(imported);
        report.sample_created += done.diff.created;
        report.sample_updated += done.diff.updated;
        report.sample_unchanged += done.diff.unchanged;
    }
    let entities: HashMap<String, Uuid> = sqlx::query_as::<_, (String, Uuid)>(
        "SELECT r.external_id, r.entity_id FROM external_refs r
           JOIN entities e ON e.id = r.entity_id AND e.deleted_at IS NULL
          WHERE r.source = $1 AND r.deleted_at IS NULL",
    )
    .bind(&source)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let entity = |file: &str, path: String, ext: &str| -> CoreResult<Uuid> {
        entities
            .get(ext)
            .copied()
            .ok_or_else(|| pack_error(file, &path, format!("no sample entity {ext:?}")))
    };
    for (i, r) in pack.sample.relationships.iter().enumerate() {
        let from = entity(
            "sample/manifest.json",
            format!("relationships[{i}].from"),
            &r.from,
        )?;
        let to = entity(
            "sample/manifest.json",
            format!("relationships[{i}].to"),
            &r.to,
        )?;
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM entity_relationships WHERE source_entity_id = $1
                             AND target_entity_id = $2 AND relationship_type = $3
                             AND deleted_at IS NULL)",
        )
        .bind(from)
        .bind(to)
        .bind(&r.relationship_type)
        .fetch_one(&mut *tx)
        .await?;
        if !exists {
            links::create_relationship_in(
                tx,
                actor,
                &NewRelationship {
                    source_id: from,
                    target_id: to,
                    relationship_type: r.relationship_type.clone(),
                },
            )
            .await?
            .collect_into(&mut changes);
        }
    }
    let readings = sample_metrics(tx, pack, &source).await?;
    if readings > 0 {
        let summary = serde_json::json!({ "pack": key, "samples": readings });
        change::record(tx, actor, Change::MetricsImported { summary }, ())
            .await?
            .collect_into(&mut changes);
    }
    for (i, a) in pack.sample.alerts.iter().enumerate() {
        let id = entity(
            "sample/manifest.json",
            format!("alerts[{i}].entity"),
            &a.entity,
        )?;
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM alerts WHERE entity_id = $1 AND message = $2)",
        )
        .bind(id)
        .bind(&a.message)
        .fetch_one(&mut *tx)
        .await?;
        if !exists {
            crate::alerts::raise_in(
                tx,
                actor,
                &crate::alerts::RaiseAlert {
                    entity_id: id,
                    level: a.level,
                    message: a.message.clone(),
                },
            )
            .await?
            .collect_into(&mut changes);
        }
    }

    // Views, dashboards and workflows, their `@` references resolved.
    let mut refs = Refs {
        entities,
        tags,
        views: HashMap::new(),
    };
    let existing_views: HashMap<String, (Uuid, DateTime<Utc>, serde_json::Value, String)> =
        sqlx::query_as::<_, (String, Uuid, DateTime<Utc>, serde_json::Value, String)>(
            "SELECT key, id, updated_at, config, name FROM admin_saved_views
              WHERE key IS NOT NULL AND deleted_at IS NULL",
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(k, id, at, doc, name)| (k, (id, at, doc, name)))
        .collect();
    for (i, v) in pack.views.iter().enumerate() {
        let mut doc = v.document.clone();
        refs.resolve(&mut doc, "views.json", &format!("[{i}].document"))?;
        let document: ViewDocument = parse_value("views.json", &format!("[{i}].document"), doc)?;
        let at = |e: CoreError| pack_error("views.json", &format!("[{i}]"), e.to_string());
        let id = match existing_views.get(&v.key) {
            None => {
                let view = views::create_view_in(
                    tx,
                    actor,
                    &NewView {
                        name: v.name.clone(),
                        key: Some(v.key.clone()),
                        description: v.description.clone(),
                        shared: true,
                        root_id: None,
                        document,
                    },
                )
                .await
                .map_err(at)?
                .collect_into(&mut changes);
                owned.views.push(v.key.clone());
                report.created.push(format!("view:{}", v.key));
                view.id
            }
            Some((id, updated_at, current, name)) => {
                let mine = owned.views.contains(&v.key);
                let new_doc = serde_json::to_value(&document).unwrap_or_default();
                if mine && upgrade && (current != &new_doc || name != &v.name) {
                    views::update_view_in(
                        tx,
                        actor,
                        &ViewUpdate {
                            id: *id,
                            expected_updated_at: *updated_at,
                            name: v.name.clone(),
                            description: v.description.clone(),
                            document,
                        },
                    )
                    .await
                    .map_err(at)?
                    .collect_into(&mut changes);
                    report.updated.push(format!("view:{}", v.key));
                } else if !mine {
                    adopt(&mut owned, &mut report, format!("view:{}", v.key));
                }
                *id
            }
        };
        refs.views.insert(v.key.clone(), id);
        if let Some(type_key) = &v.default_for {
            let type_id = *type_ids.get(type_key).ok_or_else(|| {
                pack_error(
                    "views.json",
                    &format!("[{i}].defaultFor"),
                    format!("no type {type_key}"),
                )
            })?;
            let chosen: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM entity_type_default_views
                                 WHERE entity_type_id = $1 AND deleted_at IS NULL)",
            )
            .bind(type_id)
            .fetch_one(&mut *tx)
            .await?;
            if !chosen {
                views::defaults::set_type_default_view_in(
                    tx,
                    actor,
                    &views::SetTypeDefaultView {
                        entity_type_id: type_id,
                        view_id: Some(id),
                    },
                )
                .await?
                .collect_into(&mut changes);
            }
        }
    }
    let existing_dashboards: HashMap<String, (Uuid, DateTime<Utc>)> = sqlx::query_as::<
        _,
        (String, Uuid, DateTime<Utc>),
    >(
        "SELECT key, id, updated_at FROM dashboards WHERE key IS NOT NULL AND deleted_at IS NULL",
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|(k, id, at)| (k, (id, at)))
    .collect();
    for (i, d) in pack.dashboards.iter().enumerate() {
        let existing = existing_dashboards.get(&d.key);
        let mine = owned.dashboards.contains(&d.key);
        if existing.is_some() && !(mine && upgrade) {
            if !mine {
                adopt(&mut owned, &mut report, format!("dashboard:{}", d.key));
            }
            continue;
        }
        let mut widgets = Vec::new();
        for (j, w) in d.widgets.iter().enumerate() {
            let at = format!("[{i}].widgets[{j}].config");
            let mut config = w.config.clone();
            refs.resolve(&mut config, "dashboards.json", &at)?;
            let config: WidgetConfig = parse_value("dashboards.json", &at, config)?;
            widgets.push(WidgetInput {
                id: None,
                title: w.title.clone(),
                layout: w.layout,
                config,
            });
        }
        crate::dashboards::save_in(
            tx,
            actor,
            &SaveDashboard {
                id: existing.map(|e| e.0),
                expected_updated_at: existing.map(|e| e.1),
                key: Some(d.key.clone()),
                name: d.name.clone(),
                description: d.description.clone(),
                shared: true,
                root_id: None,
                refresh_seconds: d.refresh_seconds,
                variables: Default::default(),
                widgets,
            },
        )
        .await
        .map_err(|e| pack_error("dashboards.json", &format!("[{i}]"), e.to_string()))?
        .collect_into(&mut changes);
        if existing.is_some() {
            report.updated.push(format!("dashboard:{}", d.key));
        } else {
            owned.dashboards.push(d.key.clone());
            report.created.push(format!("dashboard:{}", d.key));
        }
    }
    let may_publish: bool = actor.user_id.is_some()
        && sqlx::query_scalar::<_, bool>("SELECT eco_is_admin()")
            .fetch_one(&mut *tx)
            .await?;
    let existing_workflows: HashMap<String, (Uuid, DateTime<Utc>)> = sqlx::query_as::<
        _,
        (String, Uuid, DateTime<Utc>),
    >(
        "SELECT key, id, updated_at FROM workflows WHERE key IS NOT NULL AND deleted_at IS NULL",
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|(k, id, at)| (k, (id, at)))
    .collect();
    for (i, w) in pack.workflows.iter().enumerate() {
        let at = format!("[{i}].document");
        let mut doc = w.document.clone();
        refs.resolve(&mut doc, "workflows.json", &at)?;
        let document =
            dsl::from_value(doc).map_err(|e| pack_error("workflows.json", &at, e.to_string()))?;
        let mine = owned.workflows.contains(&w.key);
        match existing_workflows.get(&w.key) {
            Some((id, updated_at)) if mine && upgrade => {
                workflows::save_draft_in(
                    tx,
                    actor,
                    &SaveDraft {
                        id: *id,
                        expected_updated_at: *updated_at,
                        name: w.name.clone(),
                        description: w.description.clone(),
                        draft: document,
                    },
                )
                .await
                .map_err(|e| pack_error("workflows.json", &at, e.to_string()))?
                .collect_into(&mut changes);
                report.updated.push(format!("workflow:{}", w.key));
                report.notes.push(format!(
                    "workflow {}: the new draft waits to be published",
                    w.key
                ));
            }
            Some(_) => {
                if !mine {
                    adopt(&mut owned, &mut report, format!("workflow:{}", w.key));
                }
            }
            None => {
                let created = workflows::create_in(
                    tx,
                    actor,
                    &NewWorkflow {
                        name: w.name.clone(),
                        root_id: None,
                        key: Some(w.key.clone()),
                        description: w.description.clone(),
                    },
                    Some(&document),
                )
                .await
                .map_err(|e| pack_error("workflows.json", &at, e.to_string()))?
                .collect_into(&mut changes);
                owned.workflows.push(w.key.clone());
                report.created.push(format!("workflow:{}", w.key));
                if w.enable && may_publish {
                    let published = workflows::publish_in(
                        tx,
                        actor,
                        &VersionedId {
                            id: created.summary.id,
                            expected_updated_at: created.summary.updated_at,
                        },
                    )
                    .await
                    .map_err(|e| pack_error("workflows.json", &at, e.to_string()))?
                    .collect_into(&mut changes);
                    workflows::set_enabled_in(
                        tx,
                        actor,
                        &SetEnabled {
                            id: published.summary.id,
                            expected_updated_at: published.summary.updated_at,
                            enabled: true,
                        },
                    )
                    .await?
                    .collect_into(&mut changes);
                } else if w.enable {
                    report.notes.push(format!(
                        "workflow {} is a draft: an administrator publishes and enables it",
                        w.key
                    ));
                }
            }
        }
    }

    // The pack's own row.
    let id = match &installed {
        Some(i) => {
            sqlx::query(
                "UPDATE installed_packs SET name = $2, version = $3, description = $4, contents = $5,
                        installed_by = $6, installed_at = clock_timestamp(),
                        updated_at = clock_timestamp()
                  WHERE id = $1",
            )
            .bind(i.id)
            .bind(&pack.manifest.name)
            .bind(&version)
            .bind(&pack.manifest.description)
            .bind(sqlx::types::Json(&owned))
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
            i.id
        }
        None => {
            let id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO installed_packs (id, key, name, version, description, contents,
                                              installed_by, installed_at, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp(), now(), now())",
            )
            .bind(id)
            .bind(&key)
            .bind(&pack.manifest.name)
            .bind(&version)
            .bind(&pack.manifest.description)
            .bind(sqlx::types::Json(&owned))
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    let summary = serde_json::json!({
        "id": id, "key": key, "version": version, "previous": report.previous_version,
        "created": report.created, "updated": report.updated, "adopted": report.adopted,
        "sample": {"created": report.sample_created, "updated": report.sample_updated,
                   "unchanged": report.sample_unchanged},
    });
    let action = if installed.is_some() {
        "pack.upgrade"
    } else {
        "pack.install"
    };
    change::record(tx, actor, Change::PackChanged { action, summary }, ())
        .await?
        .collect_into(&mut changes);
    Ok(Applied {
        value: report,
        changes,
    })
}

/// Generates the sample readings: for every sample entity of a metric's
/// type without readings of that metric yet. Returns the readings stored.
async fn sample_metrics(tx: &mut PgConnection, pack: &Pack, source: &str) -> CoreResult<u64> {
    let mut ingest = Ingest::new();
    let now = Utc::now()
        .duration_trunc(Duration::minutes(5))
        .unwrap_or_else(|_| Utc::now());
    let mut batch: Vec<Sample> = Vec::new();
    for (m_idx, m) in pack.sample.metrics.iter().enumerate() {
        let targets: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT r.entity_id, m.root_id FROM external_refs r
               JOIN entity_read_model m ON m.entity_id = r.entity_id
               JOIN entity_type_definitions t ON t.id = m.entity_type_id AND t.key = $2
              WHERE r.source = $1 AND r.deleted_at IS NULL
                AND NOT EXISTS (SELECT 1 FROM metric_series s WHERE s.entity_id = r.entity_id
                                 AND s.metric_key = $3 AND s.deleted_at IS NULL)
              ORDER BY r.external_id",
        )
        .bind(source)
        .bind(&m.type_key)
        .bind(&m.metric)
        .fetch_all(&mut *tx)
        .await?;
        let points = (i64::from(m.days) * 1_440 / i64::from(m.every_minutes)).max(1);
        for (i, (entity, root)) in targets.into_iter().enumerate() {
            let series = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO metric_series (id, entity_id, root_entity_id, metric_key, unit,
                                            created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, now(), now())",
            )
            .bind(series)
            .bind(entity)
            .bind(root)
            .bind(&m.metric)
            .bind(&m.unit)
            .execute(&mut *tx)
            .await?;
            let mut rng = Rng::new((m_idx as u64 + 1) * 7_919 + i as u64);
            let scale = 0.6 + 0.8 * rng.unit();
            for p in 0..points {
                let ts = now - Duration::minutes(i64::from(m.every_minutes) * (points - 1 - p));
                let wave = if m.every_minutes >= 1_440 {
                    0.5
                } else {
                    shape(ts)
                };
                let value = (m.base + m.amplitude * wave)
                    * scale
                    * (1.0 + m.noise * (rng.unit() * 2.0 - 1.0));
                batch.push(Sample {
                    series_id: series,
                    ts,
                    value: (value.max(0.0) * 1_000.0).round() / 1_000.0,
                });
            }
            if batch.len() >= INGEST_CHUNK {
                ingest.push(tx, &batch).await?;
                batch.clear();
            }
        }
    }
    ingest.push(tx, &batch).await?;
    let inserted = ingest.inserted;
    ingest.finish(tx).await?;
    Ok(inserted)
}

/// Uninstalls a pack: refused while entities of its types live, unless
/// `delete_entities` (then they are soft-deleted, subtrees whole). Its
/// views, dashboards, workflows and types go (soft); property definitions,
/// tags and relationship types stay, with the values and links of the
/// deleted entities (a restore brings them back).
pub async fn uninstall(
    pool: &PgPool,
    actor: &Actor,
    key: &str,
    delete_entities: bool,
) -> CoreResult<Applied<UninstallReport>> {
    crate::transaction!(pool, |tx| uninstall_in(tx, actor, key, delete_entities)).await
}

pub async fn uninstall_in(
    tx: &mut PgConnection,
    actor: &Actor,
    key: &str,
    delete_entities: bool,
) -> CoreResult<Applied<UninstallReport>> {
    let mut changes = Vec::new();
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('installed_packs.key:' || $1, 0))")
        .bind(key)
        .execute(&mut *tx)
        .await?;
    let installed: Installed = sqlx::query_as(
        "SELECT id, key, name, version, description, contents, installed_at FROM installed_packs
          WHERE key = $1 AND deleted_at IS NULL",
    )
    .bind(key)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| CoreError::state(format!("the pack {key} is not installed")))?;
    let owned = installed.contents.0.clone();
    let mut report = UninstallReport {
        key: key.to_string(),
        ..UninstallReport::default()
    };
    let in_use: Vec<(Uuid, DateTime<Utc>, String)> = sqlx::query_as(
        "SELECT e.id, e.updated_at, e.path::text FROM entities e
           JOIN entity_type_definitions t ON t.id = e.entity_type_id
          WHERE t.key = ANY($1) AND e.deleted_at IS NULL ORDER BY nlevel(e.path), e.id",
    )
    .bind(&owned.types)
    .fetch_all(&mut *tx)
    .await?;
    if !in_use.is_empty() && !delete_entities {
        return Err(CoreError::InUse(format!(
            "{} entities are of this pack's types; uninstall with their deletion to soft-delete them",
            in_use.len()
        )));
    }
    let mut gone: HashSet<String> = HashSet::new();
    for (id, _, path) in &in_use {
        // Under an entity deleted above: deleted with it.
        if path
            .split('.')
            .scan(String::new(), |acc, label| {
                if !acc.is_empty() {
                    acc.push('.');
                }
                acc.push_str(label);
                Some(acc.clone())
            })
            .any(|prefix| gone.contains(&prefix))
        {
            continue;
        }
        let current: DateTime<Utc> =
            sqlx::query_scalar("SELECT updated_at FROM entities WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        let outcome = registry::delete_in(
            tx,
            actor,
            &VersionedId {
                id: *id,
                expected_updated_at: current,
            },
        )
        .await?
        .collect_into(&mut changes);
        report.entities_deleted += outcome.deleted;
        gone.insert(path.clone());
    }
    for wf in &owned.workflows {
        let row: Option<(Uuid, DateTime<Utc>)> = sqlx::query_as(
            "SELECT id, updated_at FROM workflows WHERE key = $1 AND deleted_at IS NULL",
        )
        .bind(wf)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((id, expected_updated_at)) = row {
            workflows::delete_in(
                tx,
                actor,
                &VersionedId {
                    id,
                    expected_updated_at,
                },
                false,
            )
            .await?
            .collect_into(&mut changes);
            report.removed.push(format!("workflow:{wf}"));
        }
    }
    for (table, what, keys) in [
        ("dashboards", "dashboard", &owned.dashboards),
        ("admin_saved_views", "view", &owned.views),
    ] {
        let removed: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
              WHERE key = ANY($1) AND deleted_at IS NULL RETURNING key"
        )))
        .bind(keys)
        .fetch_all(&mut *tx)
        .await?;
        report
            .removed
            .extend(removed.into_iter().map(|k| format!("{what}:{k}")));
    }
    for t in &owned.types {
        let row: Option<(Uuid, DateTime<Utc>)> = sqlx::query_as(
            "SELECT id, updated_at FROM entity_type_definitions WHERE key = $1 AND deleted_at IS NULL",
        )
        .bind(t)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((id, expected_updated_at)) = row {
            registry::delete_entity_type_in(
                tx,
                actor,
                &VersionedId {
                    id,
                    expected_updated_at,
                },
            )
            .await?
            .collect_into(&mut changes);
            report.removed.push(format!("type:{t}"));
        }
    }
    report.notes.push(
        "property definitions, tags and relationship types stay (the deleted entities' values and links keep them)"
            .into(),
    );
    sqlx::query(
        "UPDATE installed_packs SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
          WHERE id = $1",
    )
    .bind(installed.id)
    .execute(&mut *tx)
    .await?;
    let summary = serde_json::json!({
        "id": installed.id, "key": key, "version": installed.version,
        "entities_deleted": report.entities_deleted, "removed": report.removed,
    });
    change::record(
        tx,
        actor,
        Change::PackChanged {
            action: "pack.uninstall",
            summary,
        },
        (),
    )
    .await?
    .collect_into(&mut changes);
    Ok(Applied {
        value: report,
        changes,
    })
}
