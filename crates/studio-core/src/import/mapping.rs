//! From a file's columns to an entity type's properties: the mapping (given,
//! or guessed from the header), and each record turned into the row the
//! merge stages (values checked against their property's rules, tags
//! resolved, a hash of everything the row sets).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

use super::read::Record;
use super::ImportIssue;
use crate::error::{CoreError, CoreResult, Rule};
use crate::records::{PropertyValue, Rules, ValueType, NAME_PROPERTY_ID};

/// How the parent column names the parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ParentBy {
    /// The parent's external id in the same source (a row of this file or
    /// one imported before).
    ExternalId,
    /// The parent's `path_label`.
    PathLabel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ParentColumn {
    pub column: String,
    pub by: ParentBy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PropertyColumn {
    pub column: String,
    /// The property's key.
    pub property: String,
}

/// Which column holds what. Columns of the file that are neither mapped
/// nor `ignored` are an error (a typo must not drop a column silently).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportMapping {
    pub external_id: String,
    pub name: String,
    pub parent: Option<ParentColumn>,
    /// Tags as `group/tag` (or a tag key unique across groups), separated
    /// by `;`. The column holds the row's whole set of tags.
    pub tags: Option<String>,
    pub properties: Vec<PropertyColumn>,
    #[serde(default)]
    pub ignored: Vec<String>,
}

/// A property as the importer checks it.
#[derive(Debug, Clone)]
pub(crate) struct Definition {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub value_type: ValueType,
    pub rules: Rules,
    pub sensitive: bool,
    pub required: bool,
}

/// What the importer needs to know of the registry, read once.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    pub type_id: Uuid,
    pub type_key: String,
    pub definitions: HashMap<String, Definition>,
    /// `group/tag` and, where unique, `tag` → tag entity id.
    pub tags: HashMap<String, Uuid>,
}

impl Catalog {
    pub async fn load(conn: &mut PgConnection, type_key: &str) -> CoreResult<Catalog> {
        let type_id: Uuid = sqlx::query_scalar(
            "SELECT id FROM entity_type_definitions WHERE key = $1 AND deleted_at IS NULL",
        )
        .bind(type_key)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| {
            CoreError::invalid(
                Some("typeKey"),
                Rule::Reference,
                format!("unknown entity type {type_key:?}"),
            )
        })?;
        let rows: Vec<(Uuid, String, String, String, serde_json::Value, bool, bool)> =
            sqlx::query_as(
                "SELECT d.id, d.key, d.name, d.value_type, d.validation, d.is_sensitive,
                        d.is_required OR coalesce(l.is_required, false)
                   FROM property_definitions d
                   LEFT JOIN entity_type_properties l ON l.property_definition_id = d.id
                    AND l.entity_type_id = $1 AND l.deleted_at IS NULL
                  WHERE d.deleted_at IS NULL AND d.id <> $2",
            )
            .bind(type_id)
            .bind(NAME_PROPERTY_ID)
            .fetch_all(&mut *conn)
            .await?;
        let mut definitions = HashMap::new();
        for (id, key, name, value_type, validation, sensitive, required) in rows {
            let value_type: ValueType = value_type.parse()?;
            definitions.insert(
                key.clone(),
                Definition {
                    id,
                    key,
                    name,
                    value_type,
                    rules: Rules::from_json(&validation)?,
                    sensitive,
                    required,
                },
            );
        }
        let tag_rows: Vec<(Option<String>, String, Uuid)> = sqlx::query_as(
            "SELECT g.key, t.key, t.entity_id FROM tags t
               JOIN entities e ON e.id = t.entity_id AND e.deleted_at IS NULL
               LEFT JOIN tag_groups g ON g.id = t.tag_group_id AND g.deleted_at IS NULL
              WHERE t.deleted_at IS NULL",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut tags = HashMap::new();
        let mut by_key: HashMap<String, Vec<Uuid>> = HashMap::new();
        for (group, key, id) in tag_rows {
            if let Some(g) = group {
                tags.insert(format!("{g}/{key}"), id);
            }
            by_key.entry(key).or_default().push(id);
        }
        for (key, ids) in by_key {
            if let [one] = ids[..] {
                tags.entry(key).or_insert(one);
            }
        }
        Ok(Catalog {
            type_id,
            type_key: type_key.to_string(),
            definitions,
            tags,
        })
    }
}

fn norm(column: &str) -> String {
    column
        .trim()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The mapping a header suggests: `external_id` (or `externalId`, `id`),
/// `name`, `parent` (external id) or `parent_path` (path label), `tags`,
/// and every column named like a property's key or name (`property:key`
/// as a view's export writes it). The other columns of an export
/// (`pathLabel`, `type`, `updatedAt`, `externalSource`) are ignored.
pub fn guess_mapping(header: &[String], catalog_keys: &[(String, String)]) -> ImportMapping {
    let mut mapping = ImportMapping {
        external_id: String::new(),
        name: String::new(),
        parent: None,
        tags: None,
        properties: Vec::new(),
        ignored: Vec::new(),
    };
    for column in header {
        let plain = column.strip_prefix("property:").unwrap_or(column);
        let n = norm(plain);
        match n.as_str() {
            "externalid" | "extid" => mapping.external_id = column.clone(),
            "id" if mapping.external_id.is_empty() => mapping.external_id = column.clone(),
            "name" => mapping.name = column.clone(),
            "parent" | "parentexternalid" | "parentid" => {
                mapping.parent = Some(ParentColumn {
                    column: column.clone(),
                    by: ParentBy::ExternalId,
                })
            }
            "parentpath" | "parentpathlabel" => {
                mapping.parent = Some(ParentColumn {
                    column: column.clone(),
                    by: ParentBy::PathLabel,
                })
            }
            "tags" => mapping.tags = Some(column.clone()),
            "pathlabel" | "type" | "updatedat" | "externalsource" => {
                mapping.ignored.push(column.clone())
            }
            _ => {
                // A property's key first (exactly, then loosely), its name
                // only when no key matches.
                let found = catalog_keys
                    .iter()
                    .find(|(key, _)| key == plain)
                    .or_else(|| catalog_keys.iter().find(|(key, _)| norm(key) == n))
                    .or_else(|| catalog_keys.iter().find(|(_, name)| norm(name) == n));
                if let Some((key, _)) = found {
                    mapping.properties.push(PropertyColumn {
                        column: column.clone(),
                        property: key.clone(),
                    });
                }
            }
        }
    }
    mapping
}

/// A record ready to stage.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub line: u64,
    pub external_id: String,
    pub name: String,
    pub parent: Option<String>,
    /// Definition id → stored JSON text (None: the cell clears it).
    pub values: BTreeMap<Uuid, Option<String>>,
    /// The row's tags (None: the file has no tags column).
    pub tags: Option<Vec<Uuid>>,
    pub hash: String,
}

/// A checked mapping, applied to records.
pub(crate) struct Converter {
    pub mapping: ImportMapping,
    catalog: Catalog,
    /// Column → definition key.
    columns: Vec<(String, String)>,
    /// Every column mapped or ignored (JSON records may bring new keys).
    known: std::collections::HashSet<String>,
}

fn col_issue(line: u64, column: &str, message: impl Into<String>) -> ImportIssue {
    ImportIssue {
        line,
        column: Some(column.to_string()),
        message: message.into(),
    }
}

impl Converter {
    /// Checks `mapping` against the header and the catalog. The problems
    /// are the file's (line 1), all of them.
    pub fn new(
        mapping: ImportMapping,
        header: &[String],
        catalog: Catalog,
    ) -> Result<Converter, Vec<ImportIssue>> {
        let mut issues = Vec::new();
        let has = |c: &str| header.iter().any(|h| h == c);
        if mapping.external_id.is_empty() || !has(&mapping.external_id) {
            issues.push(ImportIssue {
                line: 1,
                column: None,
                message: "no external id column (name one `external_id`, or map one)".into(),
            });
        }
        if mapping.name.is_empty() || !has(&mapping.name) {
            issues.push(ImportIssue {
                line: 1,
                column: None,
                message: "no name column (name one `name`, or map one)".into(),
            });
        }
        let mut mapped: Vec<&str> = vec![mapping.external_id.as_str(), mapping.name.as_str()];
        if let Some(p) = &mapping.parent {
            if !has(&p.column) {
                issues.push(col_issue(
                    1,
                    &p.column,
                    "the parent column is not in the file",
                ));
            }
            mapped.push(&p.column);
        }
        if let Some(t) = &mapping.tags {
            if !has(t) {
                issues.push(col_issue(1, t, "the tags column is not in the file"));
            }
            mapped.push(t);
        }
        let mut columns = Vec::new();
        let mut seen_props: Vec<&str> = Vec::new();
        for pc in &mapping.properties {
            if !has(&pc.column) {
                issues.push(col_issue(1, &pc.column, "the column is not in the file"));
            }
            match catalog.definitions.get(&pc.property) {
                None => issues.push(col_issue(
                    1,
                    &pc.column,
                    format!("no property {:?}", pc.property),
                )),
                Some(_) if seen_props.contains(&pc.property.as_str()) => issues.push(col_issue(
                    1,
                    &pc.column,
                    format!("property {} is mapped twice", pc.property),
                )),
                Some(d) if d.value_type == ValueType::SecretReference => issues.push(col_issue(
                    1,
                    &pc.column,
                    format!("{} holds secret references, which are not imported", d.key),
                )),
                Some(_) => {
                    seen_props.push(&pc.property);
                    columns.push((pc.column.clone(), pc.property.clone()));
                }
            }
            mapped.push(&pc.column);
        }
        for h in header {
            if !mapped.contains(&h.as_str()) && !mapping.ignored.contains(h) {
                issues.push(col_issue(
                    1,
                    h,
                    format!("unknown column {h:?}: map it to a property or ignore it"),
                ));
            }
        }
        if issues.is_empty() {
            let known = mapped
                .iter()
                .map(|c| c.to_string())
                .chain(mapping.ignored.iter().cloned())
                .collect();
            Ok(Converter {
                mapping,
                catalog,
                columns,
                known,
            })
        } else {
            Err(issues)
        }
    }

    /// A cell's text as the import reads it: a leading `'` that a
    /// spreadsheet export put before `=`, `+`, `-` or `@` is dropped; a
    /// formula that was not neutralised is refused.
    fn cell<'a>(&self, record: &'a Record, column: &str) -> Result<&'a str, ImportIssue> {
        let text = record.cells.get(column).map_or("", String::as_str);
        if let Some(rest) = text.strip_prefix('\'') {
            if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                return Ok(rest);
            }
        }
        let formula = text.starts_with('=')
            || (text.starts_with(['+', '-', '@']) && text.contains(['(', '!', '|']));
        if formula {
            return Err(col_issue(
                record.line,
                column,
                "looks like a spreadsheet formula; import its value, not the formula",
            ));
        }
        Ok(text)
    }

    /// The record as a row, or its external id (as read) and every problem
    /// it has.
    pub fn convert(&self, record: &Record) -> Result<Row, (String, Vec<ImportIssue>)> {
        let line = record.line;
        let mut issues = Vec::new();
        for column in record.cells.keys() {
            if !self.known.contains(column) {
                issues.push(col_issue(
                    line,
                    column,
                    format!("unknown column {column:?}: map it to a property or ignore it"),
                ));
            }
        }
        let mut text = |column: &str| match self.cell(record, column) {
            Ok(t) => Some(t.trim().to_string()),
            Err(i) => {
                issues.push(i);
                None
            }
        };
        let external_id = text(&self.mapping.external_id).unwrap_or_default();
        let name = text(&self.mapping.name).unwrap_or_default();
        let parent = self
            .mapping
            .parent
            .as_ref()
            .and_then(|p| text(&p.column))
            .filter(|p| !p.is_empty());
        let tags_text = self.mapping.tags.as_ref().and_then(|t| text(t));
        let mut cells: Vec<(&str, &Definition, Option<String>)> = Vec::new();
        for (column, key) in &self.columns {
            let def = &self.catalog.definitions[key];
            cells.push((column, def, text(column)));
        }
        if external_id.is_empty() {
            issues.push(col_issue(line, &self.mapping.external_id, "no external id"));
        } else if external_id.chars().count() > 200 {
            issues.push(col_issue(
                line,
                &self.mapping.external_id,
                "an external id has at most 200 characters",
            ));
        }
        if let Err(e) = crate::registry::validate_name(&name) {
            issues.push(col_issue(line, &self.mapping.name, e.to_string()));
        }
        let mut values = BTreeMap::new();
        for (column, def, cell) in cells {
            let Some(cell) = cell else { continue };
            // A sensitive value as an export masks it: left as it is.
            if def.sensitive && cell == crate::views::export::MASK {
                continue;
            }
            if cell.is_empty() {
                if def.required {
                    issues.push(col_issue(line, column, format!("{} is required", def.name)));
                }
                values.insert(def.id, None);
                continue;
            }
            match parse_value(def, &cell) {
                Ok(v) => match def.rules.validate(&def.key, def.value_type, &v) {
                    Ok(()) => {
                        values.insert(def.id, Some(v.to_json_text()));
                    }
                    Err(e) => issues.push(col_issue(line, column, e.to_string())),
                },
                Err(e) => issues.push(col_issue(line, column, e.to_string())),
            }
        }
        let tags = match (&self.mapping.tags, tags_text) {
            (Some(column), Some(t)) => {
                let mut ids = Vec::new();
                for piece in t.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                    match self.catalog.tags.get(piece) {
                        Some(id) => ids.push(*id),
                        None => issues.push(col_issue(
                            line,
                            column,
                            format!("no tag {piece:?} (write group/tag)"),
                        )),
                    }
                }
                ids.sort_unstable();
                ids.dedup();
                Some(ids)
            }
            _ => None,
        };
        if !issues.is_empty() {
            return Err((external_id, issues));
        }
        let hash = row_hash(
            &self.catalog.type_key,
            &name,
            parent.as_deref(),
            &values,
            &tags,
        );
        Ok(Row {
            line,
            external_id,
            name,
            parent,
            values,
            tags,
            hash,
        })
    }
}

/// The change hash of a row: everything it sets, in a fixed order.
fn row_hash(
    type_key: &str,
    name: &str,
    parent: Option<&str>,
    values: &BTreeMap<Uuid, Option<String>>,
    tags: &Option<Vec<Uuid>>,
) -> String {
    let mut h = Sha256::new();
    let mut part = |s: &[u8]| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s);
    };
    part(type_key.as_bytes());
    part(name.as_bytes());
    part(parent.unwrap_or("\u{0}").as_bytes());
    for (id, v) in values {
        part(id.as_bytes());
        part(v.as_deref().unwrap_or("\u{0}").as_bytes());
    }
    match tags {
        Some(ids) => ids.iter().for_each(|id| part(id.as_bytes())),
        None => part(b"\x00notags"),
    }
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// A cell's text as a value of `def`'s type (the rules are checked after).
fn parse_value(def: &Definition, text: &str) -> CoreResult<PropertyValue> {
    let bad = |message: String| CoreError::invalid(Some(&def.key), Rule::Type, message);
    Ok(match def.value_type {
        ValueType::Text => PropertyValue::Text(text.to_string()),
        ValueType::Number => {
            let t = text.replace([' ', '\u{a0}'], "");
            if crate::properties::is_plain_decimal(&t) {
                PropertyValue::Number(t)
            } else {
                return Err(bad(format!("{text:?} is not a number (write 1234.5)")));
            }
        }
        ValueType::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => PropertyValue::Boolean(true),
            "false" | "no" | "0" => PropertyValue::Boolean(false),
            _ => return Err(bad(format!("{text:?} is not true or false"))),
        },
        ValueType::Date => PropertyValue::Date(text.to_string()),
        ValueType::Json => {
            serde_json::from_str::<serde_json::Value>(text)
                .map_err(|e| bad(format!("not JSON: {e}")))?;
            PropertyValue::Json(text.to_string())
        }
        ValueType::IpAddress => PropertyValue::IpAddress(text.to_string()),
        ValueType::Url => PropertyValue::Url(text.to_string()),
        ValueType::SingleSelect => PropertyValue::SingleSelect(text.to_string()),
        ValueType::MultiSelect => PropertyValue::MultiSelect(
            text.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        ValueType::SecretReference => {
            return Err(bad("secret references are not imported".to_string()))
        }
    })
}
