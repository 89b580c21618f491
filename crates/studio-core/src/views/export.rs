//! Exporting a view's rows as CSV or JSON, streamed from one statement,
//! so memory does not grow with the number of rows. CSV cells that a spreadsheet
//! would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
//! carriage return) get a leading `'`.

use std::io::Write;

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

use futures_util::TryStreamExt;
use sqlx::FromRow;

use super::{ViewDocument, ViewRow};
use crate::error::{CoreError, CoreResult};
use crate::progress::CancelToken;

/// Progress is reported every so many rows.
const PROGRESS_EVERY: u32 = 1_000;

/// What sensitive properties show as.
pub const MASK: &str = "••••••";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    Csv,
    Json,
}

/// Writes the rows of `doc` (at most `limit`) to `out`; `progress` hears
/// the running count every few thousand rows, and `cancel` is checked as
/// often (a cancelled export ends with `Cancelled`, `out` left part
/// written). Returns the number of rows.
pub async fn export(
    pool: &PgPool,
    doc: &ViewDocument,
    format: ExportFormat,
    limit: Option<u64>,
    out: &mut impl Write,
    progress: impl FnMut(u64),
    cancel: &CancelToken,
) -> CoreResult<u64> {
    export_with_ids(pool, doc, format, limit, None, out, progress, cancel).await
}

/// Rows written per lookup of their external ids.
const ID_BATCH: usize = 1_000;

/// [`export`], with each row's external id in `source` (the import's
/// identity) as the first column, `externalId`, when `source` is given: an
/// export edited in a spreadsheet imports back onto the same entities.
#[allow(clippy::too_many_arguments)]
pub async fn export_with_ids(
    pool: &PgPool,
    doc: &ViewDocument,
    format: ExportFormat,
    limit: Option<u64>,
    external_source: Option<&str>,
    out: &mut impl Write,
    mut progress: impl FnMut(u64),
    cancel: &CancelToken,
) -> CoreResult<u64> {
    let doc = doc.clone();
    let mut columns: Vec<String> = if doc.columns.is_empty() {
        vec![
            "name".to_string(),
            "pathLabel".into(),
            "type".into(),
            "updatedAt".into(),
        ]
    } else {
        doc.columns.iter().map(|c| c.field.clone()).collect()
    };
    let (type_keys, sensitive) = {
        let mut conn = pool.acquire().await?;
        let catalog = super::catalog(&mut conn).await?;
        let types: std::collections::HashMap<Uuid, String> = catalog
            .types
            .iter()
            .map(|(k, id)| (*id, k.clone()))
            .collect();
        let sensitive: Vec<String> = catalog
            .properties
            .iter()
            .filter(|(_, p)| p.sensitive)
            .map(|(k, _)| k.clone())
            .collect();
        (types, sensitive)
    };
    if external_source.is_some() {
        columns.insert(0, "externalId".to_string());
    }
    // External ids come from a second connection, a batch of rows at a
    // time (the first one streams the rows).
    let mut ids_conn = match external_source {
        Some(_) => Some(pool.acquire().await?),
        None => None,
    };
    let io = |e: std::io::Error| CoreError::Unavailable(format!("writing the export failed: {e}"));
    // One statement over one snapshot, its rows streamed: one sort however
    // many rows, and memory that does not grow with them.
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await?;
    let mut compiled = super::compile_for(&mut tx, &doc).await?;
    compiled.page_size = limit.map_or(u32::MAX, |l| u32::try_from(l).unwrap_or(u32::MAX));
    let (sql, binds) = super::page_sql(&compiled, None)?;
    // The document is checked before anything is written.
    match format {
        ExportFormat::Csv => {
            let header: Vec<String> = columns.iter().map(|c| csv_cell(c)).collect();
            writeln!(out, "{}", header.join(",")).map_err(io)?;
        }
        ExportFormat::Json => write!(out, "[").map_err(io)?,
    }
    if cancel.is_cancelled() {
        return Err(CoreError::Cancelled);
    }
    let mut written = 0u64;
    {
        let mut rows = super::query_with(&sql, &binds).fetch(&mut *tx);
        let mut batch: Vec<ViewRow> = Vec::with_capacity(ID_BATCH);
        let mut done = false;
        while !done {
            match rows.try_next().await? {
                Some(raw) => batch.push(ViewRow::from_row(&raw)?),
                None => done = true,
            }
            if batch.len() < ID_BATCH && !done {
                continue;
            }
            let ids: std::collections::HashMap<Uuid, String> =
                match (&mut ids_conn, external_source) {
                    (Some(conn), Some(source)) => sqlx::query_as::<_, (Uuid, String)>(
                        "SELECT entity_id, external_id FROM external_refs
                      WHERE source = $1 AND entity_id = ANY($2) AND deleted_at IS NULL",
                    )
                    .bind(source)
                    .bind(batch.iter().map(|r| r.id).collect::<Vec<_>>())
                    .fetch_all(&mut **conn)
                    .await?
                    .into_iter()
                    .collect(),
                    _ => Default::default(),
                };
            for row in batch.drain(..) {
                let cells: Vec<(&str, serde_json::Value)> = columns
                    .iter()
                    .map(|c| {
                        let value = if c == "externalId" && external_source.is_some() {
                            ids.get(&row.id).map_or(serde_json::Value::Null, |x| {
                                serde_json::Value::String(x.clone())
                            })
                        } else {
                            cell(&row, c, &type_keys, &sensitive)
                        };
                        (c.as_str(), value)
                    })
                    .collect();
                match format {
                    ExportFormat::Csv => {
                        let line: Vec<String> =
                            cells.iter().map(|(_, v)| csv_cell(&plain(v))).collect();
                        writeln!(out, "{}", line.join(",")).map_err(io)?;
                    }
                    ExportFormat::Json => {
                        let mut object = serde_json::Map::new();
                        object.insert("id".into(), serde_json::Value::String(row.id.to_string()));
                        for (c, v) in cells {
                            object.insert(c.to_string(), v);
                        }
                        let sep = if written == 0 { "\n" } else { ",\n" };
                        write!(out, "{sep}{}", serde_json::Value::Object(object)).map_err(io)?;
                    }
                }
                written += 1;
                if written.is_multiple_of(u64::from(PROGRESS_EVERY)) {
                    if cancel.is_cancelled() {
                        return Err(CoreError::Cancelled);
                    }
                    progress(written);
                }
            }
        }
    }
    tx.commit().await?;
    progress(written);
    if format == ExportFormat::Json {
        writeln!(out, "\n]").map_err(io)?;
    }
    out.flush().map_err(io)?;
    Ok(written)
}

/// One column of one row, as JSON.
fn cell(
    row: &ViewRow,
    column: &str,
    types: &std::collections::HashMap<Uuid, String>,
    sensitive: &[String],
) -> serde_json::Value {
    use serde_json::Value;
    match column {
        "name" => Value::String(row.name.clone()),
        "pathLabel" => Value::String(row.path_label.clone()),
        "updatedAt" => Value::String(row.updated_at.to_rfc3339()),
        "type" => types
            .get(&row.entity_type_id)
            .cloned()
            .map_or(Value::Null, Value::String),
        other => {
            let key = other.strip_prefix("property:").unwrap_or(other);
            if sensitive.iter().any(|s| s == key) {
                return Value::String(MASK.into());
            }
            row.properties.get(key).cloned().unwrap_or(Value::Null)
        }
    }
}

/// A JSON value as a spreadsheet cell's text (lists joined by `; `).
fn plain(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

/// One CSV cell: neutralised if a spreadsheet would run it, quoted when it
/// holds a separator, a quote or a line break.
pub fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn cells_that_would_run_as_formulas_are_neutralised_and_quoting_holds() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("\rx"), "\"'\rx\"");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell(""), "");
    }
}
