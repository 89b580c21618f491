//! Dashboards: a grid of widgets over saved views, metrics and alerts,
//! with variables (a root, a time range) every widget may use. A dashboard
//! is saved whole (its name, variables and every widget's place and
//! configuration) against the version the editor loaded, so two people
//! editing it at once get a conflict, never a silent overwrite. Personal or
//! shared and optionally pinned to a root, like saved views (row-level
//! security). What each widget shows is computed in [`widgets`].

pub mod widgets;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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

/// The version of the variables document this build writes.
pub const VARIABLES_VERSION: u32 = 1;
/// The grid's columns.
pub const GRID_COLUMNS: u32 = 12;
pub const MAX_WIDGETS: usize = 100;

/// A dashboard's variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DashboardVariables {
    pub version: u32,
    /// Only what lies under this root (None: everything the person sees).
    #[serde(default)]
    pub root_id: Option<Uuid>,
    pub range: TimeRange,
}

impl Default for DashboardVariables {
    fn default() -> Self {
        DashboardVariables {
            version: VARIABLES_VERSION,
            root_id: None,
            range: TimeRange::Last { hours: 24 * 30 },
        }
    }
}

/// The time range widgets show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum TimeRange {
    /// The last N hours up to now.
    Last { hours: u32 },
    Between {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

impl TimeRange {
    /// The range as instants, `now` fixing "the last N hours".
    pub fn resolve(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        match self {
            TimeRange::Last { hours } => (now - chrono::Duration::hours(i64::from(*hours)), now),
            TimeRange::Between { from, to } => (*from, *to),
        }
    }
}

/// A widget's place on the grid (columns of [`GRID_COLUMNS`], rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WidgetLayout {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// A widget's configuration; its `type` names the widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "type"
)]
pub enum WidgetConfig {
    /// One number, with its change against the previous period.
    Kpi {
        source: KpiSource,
        compare: bool,
    },
    /// Bars by a property's values, an entity type, or entities by a metric.
    Bar {
        source: GroupSource,
        limit: u32,
    },
    Pie {
        source: GroupSource,
        limit: u32,
    },
    /// Lines of a metric over the dashboard's range.
    TimeSeries {
        metric: String,
        lines: WidgetLines,
        aggregate: crate::metrics::Aggregate,
        area: bool,
    },
    /// The first rows of a saved view.
    Table {
        view_id: Uuid,
        limit: u32,
    },
    /// Open alerts, to acknowledge and resolve.
    Alerts {
        limit: u32,
    },
    /// Entity counts by subtree.
    Treemap {
        /// Where to start (None: the dashboard's root, else every root).
        root_id: Option<Uuid>,
        /// 1 or 2 levels.
        depth: u32,
        /// Count only the entities this saved view finds.
        view_id: Option<Uuid>,
    },
    /// A note, in Markdown.
    Markdown {
        text: String,
    },
}

impl WidgetConfig {
    pub fn type_name(&self) -> &'static str {
        match self {
            WidgetConfig::Kpi { .. } => "kpi",
            WidgetConfig::Bar { .. } => "bar",
            WidgetConfig::Pie { .. } => "pie",
            WidgetConfig::TimeSeries { .. } => "timeSeries",
            WidgetConfig::Table { .. } => "table",
            WidgetConfig::Alerts { .. } => "alerts",
            WidgetConfig::Treemap { .. } => "treemap",
            WidgetConfig::Markdown { .. } => "markdown",
        }
    }

    /// The smallest grid size (w, h) the widget is readable at.
    pub fn min_size(&self) -> (u32, u32) {
        match self {
            WidgetConfig::Kpi { .. } => (2, 2),
            WidgetConfig::Markdown { .. } => (2, 1),
            WidgetConfig::Alerts { .. } | WidgetConfig::Table { .. } => (3, 3),
            _ => (3, 3),
        }
    }

    /// Checks what can be checked without the database.
    pub fn check(&self, path: &str) -> CoreResult<()> {
        let limit = |l: u32, max: u32| {
            if (1..=max).contains(&l) {
                Ok(())
            } else {
                Err(CoreError::invalid(
                    Some(&format!("{path}.limit")),
                    Rule::Range,
                    format!("a limit of 1 to {max}"),
                ))
            }
        };
        match self {
            WidgetConfig::Kpi { source, .. } => source.check(path),
            WidgetConfig::Bar { source, limit: l } | WidgetConfig::Pie { source, limit: l } => {
                limit(*l, 100)?;
                source.check(path)
            }
            WidgetConfig::TimeSeries { metric, lines, .. } => {
                crate::metrics::check_metric_key(metric, &format!("{path}.metric"))?;
                lines.check(path)
            }
            WidgetConfig::Table { limit: l, .. } => limit(*l, 500),
            WidgetConfig::Alerts { limit: l } => limit(*l, 500),
            WidgetConfig::Treemap { depth, .. } => {
                if (1..=2).contains(depth) {
                    Ok(())
                } else {
                    Err(CoreError::invalid(
                        Some(&format!("{path}.depth")),
                        Rule::Range,
                        "a tree-map shows 1 or 2 levels",
                    ))
                }
            }
            WidgetConfig::Markdown { text } => {
                if text.chars().count() > 20_000 {
                    Err(CoreError::invalid(
                        Some(&format!("{path}.text")),
                        Rule::TooLong,
                        "a note has at most 20,000 characters",
                    ))
                } else {
                    Ok(())
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Widget {
    pub id: Uuid,
    pub title: Option<String>,
    pub layout: WidgetLayout,
    pub config: WidgetConfig,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub id: Uuid,
    pub key: Option<String>,
    pub name: String,
    pub description: Option<String>,
    /// None: shared with everyone who sees its root (or everyone, unpinned).
    pub owner_user_id: Option<Uuid>,
    pub root_entity_id: Option<Uuid>,
    pub refresh_seconds: Option<i32>,
    pub variables: DashboardVariables,
    pub widgets: Vec<Widget>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A dashboard in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DashboardSummary {
    pub id: Uuid,
    pub key: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub owner_user_id: Option<Uuid>,
    pub root_entity_id: Option<Uuid>,
    pub widgets: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WidgetInput {
    /// None: a new widget.
    pub id: Option<Uuid>,
    pub title: Option<String>,
    pub layout: WidgetLayout,
    pub config: WidgetConfig,
}

/// A dashboard to create (no `id`) or to save over the version the editor
/// loaded (`id` and `expected_updated_at`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SaveDashboard {
    pub id: Option<Uuid>,
    pub expected_updated_at: Option<DateTime<Utc>>,
    pub key: Option<String>,
    pub name: String,
    pub description: Option<String>,
    /// Shared with everyone (who sees its root), or the signed-in person's
    /// (only when creating).
    pub shared: bool,
    pub root_id: Option<Uuid>,
    pub refresh_seconds: Option<i32>,
    pub variables: DashboardVariables,
    pub widgets: Vec<WidgetInput>,
}

impl SaveDashboard {
    fn check(&self) -> CoreResult<()> {
        let n = self.name.trim().chars().count();
        if n == 0 || n > 200 {
            return Err(CoreError::invalid(
                Some("name"),
                Rule::Required,
                "a dashboard needs a name of 1 to 200 characters",
            ));
        }
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 2_000)
        {
            return Err(CoreError::invalid(
                Some("description"),
                Rule::TooLong,
                "at most 2,000 characters",
            ));
        }
        if let Some(key) = &self.key {
            let ok = !key.is_empty()
                && key.len() <= 64
                && key.starts_with(|c: char| c.is_ascii_lowercase())
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                return Err(CoreError::invalid(
                    Some("key"),
                    Rule::Format,
                    "a key is 1 to 64 lowercase letters, digits and underscores, starting with a letter",
                ));
            }
        }
        if self
            .refresh_seconds
            .is_some_and(|s| !(5..=86_400).contains(&s))
        {
            return Err(CoreError::invalid(
                Some("refreshSeconds"),
                Rule::Range,
                "refresh every 5 seconds to 24 hours (or not automatically)",
            ));
        }
        if self.variables.version != VARIABLES_VERSION {
            return Err(CoreError::invalid(
                Some("variables.version"),
                Rule::Choice,
                format!("this build reads dashboard variables of version {VARIABLES_VERSION}"),
            ));
        }
        match &self.variables.range {
            TimeRange::Last { hours } if *hours == 0 || *hours > 24 * 366 * 100 => {
                return Err(CoreError::invalid(
                    Some("variables.range"),
                    Rule::Range,
                    "the last 1 hour to 100 years",
                ))
            }
            TimeRange::Between { from, to } if to <= from => {
                return Err(CoreError::invalid(
                    Some("variables.range"),
                    Rule::Range,
                    "the range must end after it starts",
                ))
            }
            _ => {}
        }
        if self.widgets.len() > MAX_WIDGETS {
            return Err(CoreError::invalid(
                Some("widgets"),
                Rule::TooLong,
                format!("a dashboard holds at most {MAX_WIDGETS} widgets"),
            ));
        }
        for (i, w) in self.widgets.iter().enumerate() {
            let path = format!("widgets.{i}");
            if w.title.as_ref().is_some_and(|t| t.chars().count() > 200) {
                return Err(CoreError::invalid(
                    Some(&format!("{path}.title")),
                    Rule::TooLong,
                    "at most 200 characters",
                ));
            }
            let (min_w, min_h) = w.config.min_size();
            let l = w.layout;
            if l.w < min_w || l.h < min_h || l.x + l.w > GRID_COLUMNS || l.h > 40 || l.y > 10_000 {
                return Err(CoreError::invalid(
                    Some(&format!("{path}.layout")),
                    Rule::Range,
                    format!(
                        "a {} widget is at least {min_w} × {min_h} cells and fits in {GRID_COLUMNS} columns",
                        w.config.type_name()
                    ),
                ));
            }
            w.config.check(&path)?;
        }
        Ok(())
    }
}

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
    let widget_rows: Vec<(
        Uuid,
        Option<String>,
        i32,
        i32,
        i32,
        i32,
        serde_json::Value,
        DateTime<Utc>,
    )> = sqlx::query_as(
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

impl Dashboard {
    /// The dashboard as a new one to save elsewhere (another database, a
    /// file): no ids, no version, its widgets in place.
    pub fn to_new(&self) -> SaveDashboard {
        SaveDashboard {
            id: None,
            expected_updated_at: None,
            key: self.key.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            shared: self.owner_user_id.is_none(),
            root_id: self.root_entity_id,
            refresh_seconds: self.refresh_seconds,
            variables: self.variables.clone(),
            widgets: self
                .widgets
                .iter()
                .map(|w| WidgetInput {
                    id: None,
                    title: w.title.clone(),
                    layout: w.layout,
                    config: w.config.clone(),
                })
                .collect(),
        }
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
    input.check()?;
    if let Some(root) = input.root_id {
        let is_root: Option<bool> = sqlx::query_scalar(
            "SELECT parent_entity_id IS NULL FROM entities WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(root)
        .fetch_optional(&mut *conn)
        .await?;
        match is_root {
            Some(true) => {}
            Some(false) => {
                return Err(CoreError::invalid(
                    Some("rootId"),
                    Rule::State,
                    "a dashboard is pinned to a root",
                ))
            }
            None => {
                return Err(CoreError::NotFound {
                    what: "entity",
                    id: root,
                })
            }
        }
    }
    let variables = serde_json::to_value(&input.variables).expect("variables serialise");
    let (id, before) = match input.id {
        None => {
            if let Some(key) = &input.key {
                claim_key(conn, key, None).await?;
            }
            let owner: Option<Uuid> = if input.shared {
                None
            } else {
                Some(
                    sqlx::query_scalar::<_, Option<Uuid>>("SELECT eco_current_user_id()")
                        .fetch_one(&mut *conn)
                        .await?
                        .ok_or_else(|| {
                            CoreError::invalid(
                                Some("shared"),
                                Rule::State,
                                "a personal dashboard needs a signed-in person: save it shared",
                            )
                        })?,
                )
            };
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
