//! The views' filter language where workflows use it: a trigger's filter
//! and a condition node, each over one entity.

use chrono::Utc;
use sqlx::PgConnection;
use uuid::Uuid;

use super::dsl::{Trigger, WorkflowDocument};
use crate::error::{CoreError, CoreResult};
use crate::views::{self, Bind, Catalog, Filter, ViewDocument};

/// Whether `filter` holds for the entity (false when the acting person
/// does not see it).
pub async fn holds(
    conn: &mut PgConnection,
    catalog: &Catalog,
    filter: &Filter,
    entity: Uuid,
) -> CoreResult<bool> {
    holds_with(conn, catalog, filter, entity, None).await
}

/// [`holds`], with the property values an event set laid over the
/// entity's current ones (`{"key": value or null}`): a trigger's filter
/// sees the values as the event left them, even when a later change has
/// replaced them by the time the event is dispatched. Masked values (of
/// sensitive properties) are not laid over.
pub async fn holds_with(
    conn: &mut PgConnection,
    catalog: &Catalog,
    filter: &Filter,
    entity: Uuid,
    set_values: Option<&serde_json::Value>,
) -> CoreResult<bool> {
    let doc = ViewDocument {
        version: views::VIEW_DOCUMENT_VERSION,
        filter: Some(filter.clone()),
        columns: Vec::new(),
        sort: Vec::new(),
        group_by: None,
        page_size: 50,
        view_type: Default::default(),
    };
    let mut c = views::compile::compile(&doc, catalog, Utc::now())?;
    let id = c.bind(Bind::Uuids(vec![entity]));
    let overlay: serde_json::Map<String, serde_json::Value> = set_values
        .and_then(|v| v.as_object())
        .map(|m| {
            m.iter()
                .filter(|(_, v)| v.as_str() != Some(crate::records::REDACTED.trim_matches('"')))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let cleared: Vec<String> = overlay
        .iter()
        .filter(|(_, v)| v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    let set = c.bind(Bind::Text(serde_json::Value::Object(overlay).to_string()));
    let unset = c.bind(Bind::Texts(cleared));
    let sql = format!(
        "SELECT EXISTS (
            SELECT 1 FROM (SELECT m.entity_id, m.root_id, m.parent_id, m.entity_type_id, m.name, m.path_label,
                                  (m.properties || {set}::jsonb) - {unset}::text[] AS properties,
                                  m.tag_ids, m.ancestor_ids, m.child_count, m.descendant_count, m.updated_at
                             FROM entity_read_model m WHERE m.entity_id = ANY ({id})) r
             WHERE ({}))",
        c.filter
    );
    let row = views::query_with(&sql, &c.binds)
        .fetch_one(&mut *conn)
        .await?;
    Ok(sqlx::Row::try_get(&row, 0)?)
}

/// Checks a filter as the connection's person sees the schema.
pub async fn check(conn: &mut PgConnection, filter: &Filter) -> CoreResult<()> {
    let doc = ViewDocument {
        version: views::VIEW_DOCUMENT_VERSION,
        filter: Some(filter.clone()),
        columns: Vec::new(),
        sort: Vec::new(),
        group_by: None,
        page_size: 50,
        view_type: Default::default(),
    };
    // Paths name places inside the filter itself, not the view around it.
    views::compile_for(conn, &doc)
        .await
        .map(|_| ())
        .map_err(|e| match e {
            CoreError::Validation(mut v) => {
                v.field = v.field.and_then(|f| {
                    f.strip_prefix("filter")
                        .map(|rest| rest.trim_start_matches('.').to_string())
                        .filter(|rest| !rest.is_empty())
                });
                CoreError::Validation(v)
            }
            other => other,
        })
}

/// Checks the trigger's filter (pointing errors at it).
pub async fn check_trigger(conn: &mut PgConnection, doc: &WorkflowDocument) -> CoreResult<()> {
    let filter = match &doc.trigger {
        Trigger::EntityEvent { filter, .. } | Trigger::AlertRaised { filter, .. } => filter,
        _ => &None,
    };
    match filter {
        Some(f) => check(conn, f).await.map_err(|e| match e {
            CoreError::Validation(v) => CoreError::Validation(crate::error::ValidationError {
                field: Some(match v.field {
                    Some(f) => format!("trigger.filter.{f}"),
                    None => "trigger.filter".into(),
                }),
                ..v
            }),
            other => other,
        }),
        None => Ok(()),
    }
}
