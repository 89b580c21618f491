//! Dashboards: a grid of widgets over saved views, metrics and alerts,
//! with variables (a root, a time range) every widget may use. A dashboard
//! is saved whole (its name, variables and every widget's place and
//! configuration) against the version the editor loaded, so two people
//! editing it at once get a conflict, never a silent overwrite. Personal or
//! shared and optionally pinned to a root, like saved views (row-level
//! security). What each widget shows is computed in [`widgets`].

mod check;
pub mod widgets;

pub use crate::records::{
    Dashboard, DashboardSummary, DashboardVariables, SaveDashboard, TimeRange, Widget,
    WidgetConfig, WidgetInput, WidgetLayout, VARIABLES_VERSION,
};
pub use check::check_config;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use crate::change::{self, Actor, Applied, Change};
use crate::db::{self, Catalog};
use crate::error::{CoreError, CoreResult, Rule};
use crate::records::{CurrentRow, VersionedId};

pub use widgets::{
    widget_data, CrossFilter, GroupSource, GroupValue, KpiSource, Measure, MeasureOp, TreeCount,
    WidgetData, WidgetLines, WidgetRequest,
};

/// The grid's columns.
pub const GRID_COLUMNS: u32 = 12;
pub const MAX_WIDGETS: usize = 100;

const DASHBOARD_SELECT: &str = "SELECT id, key, name, description, owner_user_id, root_entity_id,
        refresh_seconds, variables, created_at, updated_at, deleted_at FROM dashboards";

type DashboardRow = (
    Uuid,
    Option<String>,
    String,
    Option<String>,
    Option<Uuid>,
    Option<Uuid>,
    Option<i32>,
    serde_json::Value,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

fn unreadable(what: &str, e: serde_json::Error) -> CoreError {
    CoreError::invalid(
        None,
        Rule::Format,
        format!("this dashboard's {what} cannot be read by this build: {e}"),
    )
}

/// A widget's row: id, title, x, y, w, h, settings, version.
type WidgetRow = (
    Uuid,
    Option<String>,
    i32,
    i32,
    i32,
    i32,
    serde_json::Value,
    DateTime<Utc>,
);

async fn dashboard_row(conn: &mut PgConnection, id: Uuid, lock: bool) -> CoreResult<Dashboard> {
    let sql = format!(
        "{DASHBOARD_SELECT} WHERE id = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    let row: DashboardRow = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CoreError::NotFound {
            what: "dashboard",
            id,
        })?;
    let widget_rows: Vec<WidgetRow> = sqlx::query_as(
        "SELECT id, title, layout_x, layout_y, layout_w, layout_h, config, updated_at
               FROM dashboard_widgets WHERE dashboard_id = $1 AND deleted_at IS NULL
              ORDER BY layout_y, layout_x, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let widgets = widget_rows
        .into_iter()
        .map(|(id, title, x, y, w, h, config, updated_at)| {
            Ok(Widget {
                id,
                title,
                layout: WidgetLayout {
                    x: x.max(0) as u32,
                    y: y.max(0) as u32,
                    w: w.max(1) as u32,
                    h: h.max(1) as u32,
                },
                config: serde_json::from_value(config).map_err(|e| unreadable("widget", e))?,
                updated_at,
            })
        })
        .collect::<CoreResult<Vec<_>>>()?;
    Ok(Dashboard {
        id: row.0,
        key: row.1,
        name: row.2,
        description: row.3,
        owner_user_id: row.4,
        root_entity_id: row.5,
        refresh_seconds: row.6,
        variables: serde_json::from_value(row.7).map_err(|e| unreadable("variables", e))?,
        widgets,
        created_at: row.8,
        updated_at: row.9,
        deleted_at: row.10,
    })
}

/// The dashboards the person sees (live ones).
pub async fn list(pool: &PgPool) -> CoreResult<Vec<DashboardSummary>> {
    Ok(sqlx::query_as(
        "SELECT d.id, d.key, d.name, d.description, d.owner_user_id, d.root_entity_id,
                (SELECT count(*) FROM dashboard_widgets w WHERE w.dashboard_id = d.id AND w.deleted_at IS NULL) AS widgets,
                d.updated_at
           FROM dashboards d WHERE d.deleted_at IS NULL ORDER BY lower(d.name), d.id",
    )
    .fetch_all(pool)
    .await?)
}

pub async fn get(pool: &PgPool, id: Uuid) -> CoreResult<Dashboard> {
    let mut conn = pool.acquire().await?;
    dashboard_row(&mut conn, id, false).await
}

/// A live dashboard by key.
pub async fn by_key(pool: &PgPool, key: &str) -> CoreResult<Option<Dashboard>> {
    let id: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM dashboards WHERE key = $1 AND deleted_at IS NULL")
            .bind(key)
            .fetch_optional(pool)
            .await?;
    match id {
        Some(id) => Ok(Some(get(pool, id).await?)),
        None => Ok(None),
    }
}

#[instrument(skip_all)]
pub async fn save(
    pool: &PgPool,
    actor: &Actor,
    input: &SaveDashboard,
) -> CoreResult<Applied<Dashboard>> {
    crate::transaction!(pool, |tx| save_in(tx, actor, input)).await
}

async fn claim_key(conn: &mut PgConnection, key: &str, except: Option<Uuid>) -> CoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('dashboards.key:' || $1, 0))")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    let taken: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM dashboards WHERE key = $1 AND deleted_at IS NULL AND id IS DISTINCT FROM $2)",
    )
    .bind(key)
    .bind(except)
    .fetch_one(&mut *conn)
    .await?;
    if taken {
        return Err(CoreError::invalid(
            Some("key"),
            Rule::Unique,
            format!("a dashboard with the key {key:?} exists"),
        ));
    }
    Ok(())
}

/// Creates or saves a dashboard with its widgets (see the module's text).
pub async fn save_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &SaveDashboard,
) -> CoreResult<Applied<Dashboard>> {
    check::check_save(input)?;
    if let Some(root) = input.root_id {
        crate::views::saved::check_pinned_root(conn, root, "a dashboard is pinned to a root")
            .await?;
    }
    let variables = serde_json::to_value(&input.variables).expect("variables serialise");
    let (id, before) = match input.id {
        None => {
            if let Some(key) = &input.key {
                claim_key(conn, key, None).await?;
            }
            let owner = crate::views::saved::owner_of(
                conn,
                input.shared,
                "a personal dashboard needs a signed-in person: save it shared",
            )
            .await?;
            let id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO dashboards (id, owner_user_id, root_entity_id, key, name, description,
                                         refresh_seconds, variables, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now())",
            )
            .bind(id)
            .bind(owner)
            .bind(input.root_id)
            .bind(&input.key)
            .bind(input.name.trim())
            .bind(&input.description)
            .bind(input.refresh_seconds)
            .bind(&variables)
            .execute(&mut *conn)
            .await?;
            (id, None)
        }
        Some(id) => {
            let before = dashboard_row(conn, id, true).await?;
            if Some(before.updated_at) != input.expected_updated_at {
                return Err(CoreError::Conflict {
                    message: "this dashboard was changed by someone else since you loaded it"
                        .into(),
                    current: CurrentRow::Dashboard(Box::new(before)),
                });
            }
            if before.deleted_at.is_some() {
                return Err(CoreError::state(
                    "the dashboard is deleted: restore it first",
                ));
            }
            if let Some(key) = &input.key {
                claim_key(conn, key, Some(id)).await?;
            }
            let changed = sqlx::query(
                "UPDATE dashboards SET key = $2, name = $3, description = $4, root_entity_id = $5,
                        refresh_seconds = $6, variables = $7, updated_at = clock_timestamp()
                  WHERE id = $1",
            )
            .bind(id)
            .bind(&input.key)
            .bind(input.name.trim())
            .bind(&input.description)
            .bind(input.root_id)
            .bind(input.refresh_seconds)
            .bind(&variables)
            .execute(&mut *conn)
            .await?;
            if changed.rows_affected() == 0 {
                return Err(CoreError::Forbidden(
                    "you may not change this dashboard".into(),
                ));
            }
            (id, Some(before))
        }
    };
    // Widgets: update those kept, add the new ones, delete (softly) the rest.
    let kept: Vec<Uuid> = input.widgets.iter().filter_map(|w| w.id).collect();
    if let Some(before) = &before {
        if let Some(stray) = kept
            .iter()
            .find(|k| !before.widgets.iter().any(|w| w.id == **k))
        {
            return Err(CoreError::NotFound {
                what: "widget",
                id: *stray,
            });
        }
    } else if let Some(stray) = kept.first() {
        return Err(CoreError::NotFound {
            what: "widget",
            id: *stray,
        });
    }
    sqlx::query(
        "UPDATE dashboard_widgets SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
          WHERE dashboard_id = $1 AND deleted_at IS NULL AND id <> ALL ($2)",
    )
    .bind(id)
    .bind(&kept)
    .execute(&mut *conn)
    .await?;
    for w in &input.widgets {
        let config = serde_json::to_value(&w.config).expect("a widget config serialises");
        let l = w.layout;
        match w.id {
            Some(wid) => {
                sqlx::query(
                    "UPDATE dashboard_widgets SET widget_type = $2, title = $3, layout_x = $4, layout_y = $5,
                            layout_w = $6, layout_h = $7, config = $8, updated_at = clock_timestamp()
                      WHERE id = $1",
                )
                .bind(wid)
                .bind(w.config.type_name())
                .bind(&w.title)
                .bind(l.x as i32)
                .bind(l.y as i32)
                .bind(l.w as i32)
                .bind(l.h as i32)
                .bind(&config)
                .execute(&mut *conn)
                .await?;
            }
            None => {
                sqlx::query(
                    "INSERT INTO dashboard_widgets (id, dashboard_id, widget_type, title, layout_x, layout_y,
                                                    layout_w, layout_h, config, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), now())",
                )
                .bind(Uuid::now_v7())
                .bind(id)
                .bind(w.config.type_name())
                .bind(&w.title)
                .bind(l.x as i32)
                .bind(l.y as i32)
                .bind(l.w as i32)
                .bind(l.h as i32)
                .bind(&config)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    let after = dashboard_row(conn, id, false).await?;
    let change = Change::DashboardSaved {
        before: before.map(Box::new),
        after: Box::new(after.clone()),
    };
    change::record(conn, actor, change, after).await
}

pub async fn delete(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<Dashboard>> {
    crate::transaction!(pool, |tx| set_deleted(tx, actor, input, true)).await
}

pub async fn restore(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<Dashboard>> {
    crate::transaction!(pool, |tx| set_deleted(tx, actor, input, false)).await
}

async fn set_deleted(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &VersionedId,
    deleted: bool,
) -> CoreResult<Applied<Dashboard>> {
    let before = dashboard_row(conn, input.id, true).await?;
    if before.updated_at != input.expected_updated_at {
        return Err(CoreError::Conflict {
            message: "this dashboard was changed by someone else since you loaded it".into(),
            current: CurrentRow::Dashboard(Box::new(before)),
        });
    }
    if before.deleted_at.is_some() == deleted {
        return Err(CoreError::state(if deleted {
            "the dashboard is already deleted"
        } else {
            "the dashboard is not deleted"
        }));
    }
    if !deleted {
        if let Some(key) = &before.key {
            claim_key(conn, key, Some(before.id)).await?;
        }
    }
    db::set_deleted(conn, Catalog::Dashboards, input.id, deleted).await?;
    let after = dashboard_row(conn, input.id, false).await?;
    if after.deleted_at.is_some() != deleted {
        return Err(CoreError::Forbidden(
            "you may not change this dashboard".into(),
        ));
    }
    let change = if deleted {
        Change::DashboardDeleted {
            dashboard: Box::new(after.clone()),
        }
    } else {
        Change::DashboardRestored {
            dashboard: Box::new(after.clone()),
        }
    };
    change::record(conn, actor, change, after).await
}
