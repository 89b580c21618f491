//! The pack format (`packs/README.md`): the files of a pack, read and
//! checked before anything is written. Every error names the file and the
//! path inside it.

use std::collections::{BTreeMap, HashSet};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, CoreResult, Rule};
use crate::records::{Rules, SelectionMode, ValueType, WidgetLayout};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub key: String,
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeSpec {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub icon: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertiesFile {
    #[serde(default)]
    pub groups: Vec<GroupSpec>,
    #[serde(default)]
    pub definitions: Vec<DefinitionSpec>,
    #[serde(default)]
    pub layouts: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub required: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DefinitionSpec {
    #[serde(default)]
    pub group: Option<String>,
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub value_type: ValueType,
    #[serde(default)]
    pub rules: Rules,
    #[serde(default)]
    pub is_sensitive: bool,
    #[serde(default = "yes")]
    pub is_searchable: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagsFile {
    #[serde(default)]
    pub groups: Vec<TagGroupSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TagGroupSpec {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub selection_mode: SelectionMode,
    #[serde(default)]
    pub tags: Vec<TagSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagSpec {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub color: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationshipSpec {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub from: Vec<String>,
    #[serde(default)]
    pub to: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ViewSpec {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub document: serde_json::Value,
    #[serde(default)]
    pub default_for: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DashboardSpec {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub refresh_seconds: Option<i32>,
    #[serde(default)]
    pub widgets: Vec<WidgetSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WidgetSpec {
    #[serde(default)]
    pub title: Option<String>,
    pub layout: WidgetLayout,
    pub config: serde_json::Value,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSpec {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub document: serde_json::Value,
    #[serde(default)]
    pub enable: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleManifest {
    #[serde(default)]
    pub imports: Vec<SampleImport>,
    #[serde(default)]
    pub relationships: Vec<SampleRelationship>,
    #[serde(default)]
    pub metrics: Vec<SampleMetrics>,
    #[serde(default)]
    pub alerts: Vec<SampleAlert>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleImport {
    pub file: String,
    #[serde(rename = "type")]
    pub type_key: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleRelationship {
    #[serde(rename = "type")]
    pub relationship_type: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SampleMetrics {
    #[serde(rename = "type")]
    pub type_key: String,
    pub metric: String,
    #[serde(default)]
    pub unit: Option<String>,
    pub days: u32,
    pub every_minutes: u32,
    pub base: f64,
    #[serde(default)]
    pub amplitude: f64,
    #[serde(default)]
    pub noise: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleAlert {
    pub entity: String,
    pub level: crate::records::AlertLevel,
    pub message: String,
}

/// A pack read from its files and checked.
#[derive(Debug, Clone)]
pub struct Pack {
    pub manifest: Manifest,
    pub types: Vec<TypeSpec>,
    pub properties: PropertiesFile,
    pub tags: TagsFile,
    pub relationships: Vec<RelationshipSpec>,
    pub views: Vec<ViewSpec>,
    pub dashboards: Vec<DashboardSpec>,
    pub workflows: Vec<WorkflowSpec>,
    pub sample: SampleManifest,
    /// The files by their path inside the pack (`sample/jobs.csv`).
    pub files: BTreeMap<String, Vec<u8>>,
}

/// An error in a pack's file, at a path inside it.
pub fn pack_error(file: &str, path: &str, message: impl Into<String>) -> CoreError {
    let at = if path.is_empty() || path == "." {
        file.to_string()
    } else {
        format!("{file}: {path}")
    };
    let message = format!("{at}: {}", message.into());
    CoreError::invalid(Some(&at), Rule::Format, message)
}

fn parse<T: DeserializeOwned>(
    files: &BTreeMap<String, Vec<u8>>,
    name: &str,
) -> CoreResult<Option<T>> {
    let Some(bytes) = files.get(name) else {
        return Ok(None);
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de)
        .map(Some)
        .map_err(|e| {
            let path = e.path().to_string();
            pack_error(name, &path, e.into_inner().to_string())
        })
}

/// Parses a value at `file: path` as `T` (a view document, a widget's
/// configuration), naming the path inside it on failure.
pub fn parse_value<T: DeserializeOwned>(
    file: &str,
    at: &str,
    value: serde_json::Value,
) -> CoreResult<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let path = if inner.is_empty() || inner == "." {
            at.to_string()
        } else {
            format!("{at}.{inner}")
        };
        pack_error(file, &path, e.into_inner().to_string())
    })
}

fn plain_key(file: &str, path: &str, key: &str) -> CoreResult<()> {
    if crate::db::is_plain_identifier(key) {
        Ok(())
    } else {
        Err(pack_error(
            file,
            path,
            format!("{key:?} is not a plain key (a-z, digits and _)"),
        ))
    }
}

/// `major.minor.patch` as numbers.
pub fn version_triple(file: &str, version: &str) -> CoreResult<(u32, u32, u32)> {
    let parts: Vec<Option<u32>> = version.split('.').map(|p| p.parse().ok()).collect();
    match parts[..] {
        [Some(a), Some(b), Some(c)] => Ok((a, b, c)),
        _ => Err(pack_error(
            file,
            "version",
            format!("{version:?} is not major.minor.patch"),
        )),
    }
}

impl Pack {
    /// Reads and checks a pack from its files (paths relative to the
    /// pack's folder).
    pub fn from_files(files: BTreeMap<String, Vec<u8>>) -> CoreResult<Pack> {
        let manifest: Manifest = parse(&files, "pack.json")?
            .ok_or_else(|| pack_error("pack.json", "", "a pack needs a pack.json"))?;
        plain_key("pack.json", "key", &manifest.key)?;
        version_triple("pack.json", &manifest.version)?;
        let pack = Pack {
            types: parse(&files, "types.json")?.unwrap_or_default(),
            properties: parse(&files, "properties.json")?.unwrap_or_default(),
            tags: parse(&files, "tags.json")?.unwrap_or_default(),
            relationships: parse(&files, "relationships.json")?.unwrap_or_default(),
            views: parse(&files, "views.json")?.unwrap_or_default(),
            dashboards: parse(&files, "dashboards.json")?.unwrap_or_default(),
            workflows: parse(&files, "workflows.json")?.unwrap_or_default(),
            sample: parse(&files, "sample/manifest.json")?.unwrap_or_default(),
            manifest,
            files,
        };
        pack.check()?;
        Ok(pack)
    }

    /// The checks that need no database: keys, references inside the pack,
    /// files the sample names.
    fn check(&self) -> CoreResult<()> {
        let mut seen = HashSet::new();
        for (i, t) in self.types.iter().enumerate() {
            plain_key("types.json", &format!("[{i}].key"), &t.key)?;
            if !seen.insert(t.key.as_str()) {
                return Err(pack_error(
                    "types.json",
                    &format!("[{i}].key"),
                    format!("type {} twice", t.key),
                ));
            }
        }
        let groups: HashSet<&str> = self
            .properties
            .groups
            .iter()
            .map(|g| g.key.as_str())
            .collect();
        let mut defs = HashSet::new();
        for (i, g) in self.properties.groups.iter().enumerate() {
            plain_key("properties.json", &format!("groups[{i}].key"), &g.key)?;
        }
        for (i, d) in self.properties.definitions.iter().enumerate() {
            let at = format!("definitions[{i}]");
            plain_key("properties.json", &format!("{at}.key"), &d.key)?;
            if !defs.insert(d.key.as_str()) {
                return Err(pack_error(
                    "properties.json",
                    &format!("{at}.key"),
                    format!("property {} twice", d.key),
                ));
            }
            if let Some(g) = &d.group {
                if !groups.contains(g.as_str()) {
                    return Err(pack_error(
                        "properties.json",
                        &format!("{at}.group"),
                        format!("no group {g} in this pack"),
                    ));
                }
            }
            d.rules.check(d.value_type).map_err(|e| {
                pack_error("properties.json", &format!("{at}.rules"), e.to_string())
            })?;
        }
        for (what, map) in [
            ("layouts", &self.properties.layouts),
            ("required", &self.properties.required),
        ] {
            for (type_key, keys) in map {
                for (j, k) in keys.iter().enumerate() {
                    if !defs.contains(k.as_str()) && k != "name" {
                        // A key another pack or the registry defines is
                        // checked when installing.
                        plain_key("properties.json", &format!("{what}.{type_key}[{j}]"), k)?;
                    }
                }
            }
        }
        for (i, g) in self.tags.groups.iter().enumerate() {
            plain_key("tags.json", &format!("groups[{i}].key"), &g.key)?;
            for (j, t) in g.tags.iter().enumerate() {
                plain_key("tags.json", &format!("groups[{i}].tags[{j}].key"), &t.key)?;
            }
        }
        for (i, r) in self.relationships.iter().enumerate() {
            plain_key("relationships.json", &format!("[{i}].key"), &r.key)?;
        }
        let mut view_keys = HashSet::new();
        for (i, v) in self.views.iter().enumerate() {
            plain_key("views.json", &format!("[{i}].key"), &v.key)?;
            if !view_keys.insert(v.key.as_str()) {
                return Err(pack_error(
                    "views.json",
                    &format!("[{i}].key"),
                    format!("view {} twice", v.key),
                ));
            }
        }
        for (i, d) in self.dashboards.iter().enumerate() {
            plain_key("dashboards.json", &format!("[{i}].key"), &d.key)?;
        }
        for (i, w) in self.workflows.iter().enumerate() {
            plain_key("workflows.json", &format!("[{i}].key"), &w.key)?;
        }
        for (i, s) in self.sample.imports.iter().enumerate() {
            if !self.files.contains_key(&format!("sample/{}", s.file)) {
                return Err(pack_error(
                    "sample/manifest.json",
                    &format!("imports[{i}].file"),
                    format!("no file sample/{}", s.file),
                ));
            }
        }
        for (i, m) in self.sample.metrics.iter().enumerate() {
            let at = format!("metrics[{i}]");
            crate::metrics::check_metric_key(&m.metric, "metric").map_err(|e| {
                pack_error(
                    "sample/manifest.json",
                    &format!("{at}.metric"),
                    e.to_string(),
                )
            })?;
            if m.days == 0 || m.days > 400 || m.every_minutes == 0 || m.every_minutes > 1_440 {
                return Err(pack_error(
                    "sample/manifest.json",
                    &at,
                    "days 1–400 and everyMinutes 1–1440",
                ));
            }
        }
        Ok(())
    }

    pub fn key(&self) -> &str {
        &self.manifest.key
    }
}

/// The packs built in (the repository's `packs/`), by key.
pub fn embedded() -> BTreeMap<String, BTreeMap<String, Vec<u8>>> {
    mod files {
        include!(concat!(env!("OUT_DIR"), "/packs_embedded.rs"));
    }
    let mut packs: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    for (path, bytes) in files::EMBEDDED {
        if let Some((pack, rest)) = path.split_once('/') {
            packs
                .entry(pack.to_string())
                .or_default()
                .insert(rest.to_string(), bytes.to_vec());
        }
    }
    packs
}

/// Reads a pack folder's files.
pub fn read_dir(dir: &std::path::Path) -> CoreResult<BTreeMap<String, Vec<u8>>> {
    fn walk(
        base: &std::path::Path,
        dir: &std::path::Path,
        out: &mut BTreeMap<String, Vec<u8>>,
    ) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(base, &path, out)?;
            } else if let Ok(rel) = path.strip_prefix(base) {
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&path)?);
            }
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out).map_err(|e| {
        CoreError::invalid(
            Some("pack"),
            Rule::Reference,
            format!("cannot read the pack folder {}: {e}", dir.display()),
        )
    })?;
    Ok(out)
}
