//! Saved views: the view document ([`document`]), its compiler
//! ([`compile`]) and running a view over the read model: a page at a time
//! by keyset (stable while rows come and go), and a count that is exact up
//! to a cap and an estimate beyond it. Everything runs as the person, so
//! row-level security decides which rows exist.

pub mod compile;
pub mod defaults;
pub mod document;
pub mod export;
pub mod saved;
pub mod sort_index;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgConnection, PgPool, Row};
use uuid::Uuid;

pub use compile::{Bind, Catalog, Compiled, PropertyInfo, SortKind};
pub use defaults::{generated_type_view, set_type_default_view, type_default_views};
pub use defaults::{SetTypeDefaultView, TypeDefaultView};
pub use document::*;
pub use export::{export, export_with_ids, ExportFormat};
pub use saved::*;

pub use crate::records::SavedView;

use crate::error::{CoreError, CoreResult, Rule};
use crate::records::{ValueType, NAME_PROPERTY_ID};

/// Counts stop being exact here (an estimate says how many more).
pub const COUNT_CAP: i64 = 10_000;

/// One row of a view.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ViewRow {
    pub id: Uuid,
    pub name: String,
    pub path_label: String,
    pub entity_type_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub properties: serde_json::Value,
    pub updated_at: DateTime<Utc>,
}

/// Where the next page starts: the last row's sort values and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cursor {
    pub values: Vec<String>,
    pub id: Uuid,
}

/// One page and where the next starts (None: this was the last).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ViewPage {
    pub rows: Vec<ViewRow>,
    pub next: Option<Cursor>,
}

/// How many rows a view has: exact up to [`COUNT_CAP`], else PostgreSQL's
/// estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ViewCount {
    pub count: i64,
    pub exact: bool,
}

/// The definitions and entity types the person sees, for [`compile`].
pub async fn catalog(conn: &mut PgConnection) -> CoreResult<Catalog> {
    let rows: Vec<(String, String, bool, bool, serde_json::Value, Uuid)> = sqlx::query_as(
        "SELECT key, value_type, is_sensitive, is_searchable, validation, id
           FROM property_definitions WHERE deleted_at IS NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut catalog = Catalog::default();
    for (key, value_type, sensitive, searchable, rules, id) in rows {
        let Ok(value_type) = value_type.parse::<ValueType>() else {
            continue;
        };
        let options = rules
            .get("options")
            .and_then(serde_json::Value::as_array)
            .map(|o| {
                o.iter()
                    .filter_map(|x| x.get("key").and_then(serde_json::Value::as_str))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let info = PropertyInfo {
            value_type,
            sensitive,
            in_read_model: searchable && !sensitive && id != NAME_PROPERTY_ID,
            options,
        };
        catalog.properties.insert(key, info);
    }
    let types: Vec<(String, Uuid)> =
        sqlx::query_as("SELECT key, id FROM entity_type_definitions WHERE deleted_at IS NULL")
            .fetch_all(&mut *conn)
            .await?;
    catalog.types = types.into_iter().collect();
    Ok(catalog)
}

impl Catalog {
    /// What [`catalog`] reads, built from definitions and entity types
    /// already in hand (an offline cache's): the live ones.
    pub fn from_parts(
        definitions: &[crate::records::PropertyDefinition],
        types: &[crate::records::EntityType],
    ) -> Catalog {
        let mut catalog = Catalog::default();
        for d in definitions.iter().filter(|d| d.deleted_at.is_none()) {
            let options = d.rules.options.as_deref().unwrap_or_default();
            let info = PropertyInfo {
                value_type: d.value_type,
                sensitive: d.is_sensitive,
                in_read_model: d.is_searchable && !d.is_sensitive && d.id != NAME_PROPERTY_ID,
                options: options.iter().map(|o| o.key.clone()).collect(),
            };
            catalog.properties.insert(d.key.clone(), info);
        }
        catalog.types = types
            .iter()
            .filter(|t| t.deleted_at.is_none())
            .map(|t| (t.key.clone(), t.id))
            .collect();
        catalog
    }
}

/// Binds a compiled statement's parameters, in order, to any query.
macro_rules! bind_each {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for b in $binds {
            query = match b {
                Bind::Text(t) | Bind::Decimal(t) => query.bind(t),
                Bind::Texts(t) => query.bind(t),
                Bind::Uuids(u) => query.bind(u),
                Bind::Bool(v) => query.bind(v),
                Bind::Time(t) => query.bind(t),
                Bind::Int(i) => query.bind(i),
            };
        }
        query
    }};
}

/// The statement of one page, and its parameters: the filter, the keyset
/// condition after `after`, the order, the limit.
pub fn page_sql(compiled: &Compiled, after: Option<&Cursor>) -> CoreResult<(String, Vec<Bind>)> {
    let mut c = compiled.clone();
    let mut condition = c.filter.clone();
    // The id breaks ties in the direction of the last sort key, so an index
    // on (…, sort expression, id) serves the order scanned either way.
    let id_descending = c.sort.last().is_some_and(|k| k.descending);
    if let Some(cursor) = after {
        if cursor.values.len() != c.sort.len() {
            return Err(CoreError::invalid(
                Some("cursor"),
                Rule::Format,
                "this cursor belongs to another sort order",
            ));
        }
        let sort = c.sort.clone();
        let mut values = Vec::new();
        for (key, value) in sort.iter().zip(&cursor.values) {
            values.push(cursor_bind(&mut c, key.kind, value)?);
        }
        let id = format!("({}::uuid[])[1]", c.bind(Bind::Uuids(vec![cursor.id])));
        let after_cursor = if sort.iter().all(|k| k.descending == id_descending) {
            // One direction throughout: a row comparison, which an index
            // seeks to.
            let mut left: Vec<&str> = sort.iter().map(|k| k.expr.as_str()).collect();
            left.push("r.entity_id");
            values.push(id);
            let cmp = if id_descending { "<" } else { ">" };
            format!("({}) {cmp} ({})", left.join(", "), values.join(", "))
        } else {
            // (k1, k2, …, id) after the cursor, each key in its own direction.
            let mut ors = Vec::new();
            let mut equal_so_far: Vec<String> = Vec::new();
            for (key, v) in sort.iter().zip(&values) {
                let cmp = if key.descending { "<" } else { ">" };
                let mut parts = equal_so_far.clone();
                parts.push(format!("{} {cmp} {v}", key.expr));
                ors.push(format!("({})", parts.join(" AND ")));
                equal_so_far.push(format!("{} = {v}", key.expr));
            }
            let cmp = if id_descending { "<" } else { ">" };
            equal_so_far.push(format!("r.entity_id {cmp} {id}"));
            ors.push(format!("({})", equal_so_far.join(" AND ")));
            ors.join(" OR ")
        };
        condition = format!("({condition}) AND ({after_cursor})");
    }
    let mut order: Vec<String> = c
        .sort
        .iter()
        .map(|k| format!("{} {}", k.expr, if k.descending { "DESC" } else { "ASC" }))
        .collect();
    order.push(format!(
        "r.entity_id {}",
        if id_descending { "DESC" } else { "ASC" }
    ));
    let sort_values: Vec<String> = c
        .sort
        .iter()
        .enumerate()
        .map(|(i, k)| match k.kind {
            SortKind::Time => format!("to_json({})#>>'{{}}' AS s{i}", k.expr),
            _ => format!("({})::text AS s{i}", k.expr),
        })
        .collect();
    let limit = c.bind(Bind::Int(i64::from(c.page_size)));
    let extra = if sort_values.is_empty() {
        String::new()
    } else {
        format!(", {}", sort_values.join(", "))
    };
    let sql = format!(
        "SELECT r.entity_id AS id, r.name, r.path_label, r.entity_type_id, r.parent_id,
                r.properties, r.updated_at{extra}
           FROM entity_read_model r
          WHERE {condition}
          ORDER BY {}
          LIMIT {limit}",
        order.join(", ")
    );
    Ok((sql, c.binds))
}

/// A cursor's value, checked for its key's kind and bound as it.
fn cursor_bind(c: &mut Compiled, kind: SortKind, value: &str) -> CoreResult<String> {
    let bad = || CoreError::invalid(Some("cursor"), Rule::Format, "this cursor is damaged");
    Ok(match kind {
        SortKind::Text => {
            if value.contains('\0') {
                return Err(bad());
            }
            c.bind(Bind::Text(value.to_string()))
        }
        SortKind::Numeric => {
            if value != "-Infinity" && !crate::properties::is_plain_decimal(value) {
                return Err(bad());
            }
            format!("{}::numeric", c.bind(Bind::Decimal(value.to_string())))
        }
        SortKind::Time => {
            let at = DateTime::parse_from_rfc3339(value).map_err(|_| bad())?;
            c.bind(Bind::Time(at.with_timezone(&Utc)))
        }
    })
}

/// Runs a compiled statement as it is, sent unprepared (so planned for its
/// own values), outside any transaction: the benchmark's floor. Returns
/// the number of rows (or the count, for a count statement).
pub async fn run_raw(pool: &PgPool, sql: &str, binds: &[Bind], counting: bool) -> CoreResult<i64> {
    let query =
        bind_each!(sqlx::query(sqlx::AssertSqlSafe(sql.to_string())), binds).persistent(false);
    if counting {
        Ok(query.fetch_one(pool).await?.try_get(0)?)
    } else {
        Ok(query.fetch_all(pool).await?.len() as i64)
    }
}

/// A compiled statement with its parameters bound, to run or stream.
pub fn query_with<'q>(
    sql: &'q str,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    bind_each!(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
}

/// The statement of a capped count, and its parameters.
pub fn count_sql(compiled: &Compiled) -> (String, Vec<Bind>) {
    let mut c = compiled.clone();
    let cap = c.bind(Bind::Int(COUNT_CAP + 1));
    (
        format!(
            "SELECT count(*) FROM (SELECT 1 FROM entity_read_model r WHERE {} LIMIT {cap}) c",
            c.filter
        ),
        c.binds,
    )
}

/// Reads a pasted document (of any version this build knows) and checks it
/// as the person sees the schema, without running it: the document brought
/// up to date, or a typed error pointing into it.
pub async fn check(pool: &PgPool, text: &str) -> CoreResult<ViewDocument> {
    let document = parse_document(text)?;
    let mut conn = pool.acquire().await?;
    compile_for(&mut conn, &document).await?;
    Ok(document)
}

/// Checks and compiles `doc` as the connection's person sees the schema.
pub async fn compile_for(conn: &mut PgConnection, doc: &ViewDocument) -> CoreResult<Compiled> {
    let catalog = catalog(conn).await?;
    compile::compile(doc, &catalog, Utc::now())
}

/// One page of `doc`, after `after` (the first page when None).
pub async fn page(
    pool: &PgPool,
    doc: &ViewDocument,
    after: Option<&Cursor>,
) -> CoreResult<ViewPage> {
    let mut tx = pool.begin().await?;
    // A generic plan cannot know which conditions are selective.
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await?;
    let compiled = compile_for(&mut tx, doc).await?;
    let (sql, binds) = page_sql(&compiled, after)?;
    let raw = bind_each!(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    into_page(&raw, compiled.page_size, compiled.sort.len())
}

/// A page's rows and the cursor after its last (when the page is full).
fn into_page(
    raw: &[sqlx::postgres::PgRow],
    page_size: u32,
    sort_keys: usize,
) -> CoreResult<ViewPage> {
    let typed = raw
        .iter()
        .map(ViewRow::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let next = match raw.last() {
        Some(last) if raw.len() == page_size as usize => {
            let values = (0..sort_keys)
                .map(|i| last.try_get::<String, _>(format!("s{i}").as_str()))
                .collect::<Result<Vec<_>, _>>()?;
            Some(Cursor {
                values,
                id: last.try_get("id")?,
            })
        }
        _ => None,
    };
    Ok(ViewPage { rows: typed, next })
}

/// How many rows `doc` has (exact up to [`COUNT_CAP`]).
pub async fn count(pool: &PgPool, doc: &ViewDocument) -> CoreResult<ViewCount> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await?;
    let compiled = compile_for(&mut tx, doc).await?;
    let (sql, binds) = count_sql(&compiled);
    let exact: i64 = bind_each!(
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)),
        &binds
    )
    .fetch_one(&mut *tx)
    .await?;
    if exact <= COUNT_CAP {
        tx.commit().await?;
        return Ok(ViewCount {
            count: exact,
            exact: true,
        });
    }
    let explain = format!(
        "EXPLAIN (FORMAT JSON) SELECT 1 FROM entity_read_model r WHERE {}",
        compiled.filter
    );
    let q = bind_each!(
        sqlx::query_scalar::<_, serde_json::Value>(sqlx::AssertSqlSafe(explain)),
        &compiled.binds
    );
    let plan = q.fetch_one(&mut *tx).await?;
    tx.commit().await?;
    let estimate = plan
        .pointer("/0/Plan/Plan Rows")
        .and_then(serde_json::Value::as_f64)
        .map_or(COUNT_CAP + 1, |n| n as i64);
    Ok(ViewCount {
        count: estimate.max(COUNT_CAP + 1),
        exact: false,
    })
}

/// The most matching rows a tree view shows.
pub const TREE_LIMIT: u32 = 2_000;

/// One entity of a tree view: a match, or an ancestor of one (shown
/// greyed) that the view does not match.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ViewTreeNode {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub entity_type_id: Uuid,
    pub matches: bool,
}

/// A view's matches in their hierarchy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ViewTree {
    /// Matches and the ancestors the person sees, each once, by name. A
    /// match whose parent is not here sits at the top.
    pub nodes: Vec<ViewTreeNode>,
    /// More than [`TREE_LIMIT`] rows matched; the first ones (in the view's
    /// order) are here.
    pub truncated: bool,
}

/// The first [`TREE_LIMIT`] matches of `doc` with their ancestors.
pub async fn tree(pool: &PgPool, doc: &ViewDocument) -> CoreResult<ViewTree> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await?;
    let mut compiled = compile_for(&mut tx, doc).await?;
    compiled.page_size = TREE_LIMIT + 1;
    let (sql, binds) = page_sql(&compiled, None)?;
    let raw = bind_each!(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds)
        .fetch_all(&mut *tx)
        .await?;
    let truncated = raw.len() > TREE_LIMIT as usize;
    let matches = raw
        .iter()
        .take(TREE_LIMIT as usize)
        .map(ViewRow::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<Uuid> = matches.iter().map(|r| r.id).collect();
    let ancestors: Vec<ViewTreeNode> = sqlx::query_as(
        "SELECT r.entity_id AS id, r.parent_id, r.name, r.entity_type_id, false AS matches
           FROM entity_read_model r
          WHERE r.entity_id IN (SELECT DISTINCT unnest(m.ancestor_ids)
                                  FROM entity_read_model m WHERE m.entity_id = ANY($1))
            AND NOT r.entity_id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut nodes: Vec<ViewTreeNode> = matches
        .into_iter()
        .map(|r| ViewTreeNode {
            id: r.id,
            parent_id: r.parent_id,
            name: r.name,
            entity_type_id: r.entity_type_id,
            matches: true,
        })
        .chain(ancestors)
        .collect();
    nodes.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    Ok(ViewTree { nodes, truncated })
}

/// The live saved views the connection's person sees, by name.
/// Each document comes up to the current version (one that cannot is
/// left as stored: running it says why).
pub async fn list_saved(pool: &PgPool) -> CoreResult<Vec<SavedView>> {
    let mut views: Vec<SavedView> = sqlx::query_as(
        "SELECT id, key, name, description, view_type, owner_user_id, root_entity_id, config,
                created_at, updated_at, deleted_at
           FROM admin_saved_views WHERE deleted_at IS NULL ORDER BY lower(name), id",
    )
    .fetch_all(pool)
    .await?;
    for view in &mut views {
        if let Some(config) = document::upgrade(view.config.clone())
            .ok()
            .and_then(|doc| serde_json::to_value(doc).ok())
        {
            view.config = config;
        }
    }
    Ok(views)
}

/// The document of the live saved view with `key` (one the person sees).
pub async fn saved_document(pool: &PgPool, key: &str) -> CoreResult<ViewDocument> {
    let mut conn = pool.acquire().await?;
    saved_document_in(&mut conn, key).await
}

/// [`saved_document`] on the caller's connection.
pub async fn saved_document_in(conn: &mut PgConnection, key: &str) -> CoreResult<ViewDocument> {
    let config: Option<serde_json::Value> = sqlx::query_scalar(
        "SELECT config FROM admin_saved_views WHERE key = $1 AND deleted_at IS NULL
          ORDER BY owner_user_id NULLS LAST LIMIT 1",
    )
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    let config = config.ok_or_else(|| {
        CoreError::invalid(
            Some("key"),
            Rule::Reference,
            format!("there is no saved view with the key {key:?}"),
        )
    })?;
    document::upgrade(config)
}

/// Reads a view document from JSON text; a document that is not one is a
/// `Validation` error saying where.
pub fn parse_document(text: &str) -> CoreResult<ViewDocument> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        CoreError::invalid(
            Some("document"),
            Rule::Format,
            format!("not JSON (line {}, column {}): {e}", e.line(), e.column()),
        )
    })?;
    document::upgrade(value)
}
