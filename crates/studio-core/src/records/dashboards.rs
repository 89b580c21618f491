//! Dashboards, their widgets and alerts, as data: what the core, the
//! change pipeline and the window exchange. The rules are in `dashboards`,
//! `metrics` and `alerts`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The version of the variables document this build writes.
pub const VARIABLES_VERSION: u32 = 1;

/// How the samples of many series (or of one bucket) combine into one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Aggregate {
    #[default]
    Sum,
    Avg,
    Min,
    Max,
    Count,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum AlertLevel {
    Info,
    Warning,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum AlertStatus {
    Pending,
    Acknowledged,
    Resolved,
}

impl AlertStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Pending => "pending",
            AlertStatus::Acknowledged => "acknowledged",
            AlertStatus::Resolved => "resolved",
        }
    }
}

/// An alert, with its entity's name and path for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub id: Uuid,
    pub entity_id: Uuid,
    pub root_entity_id: Uuid,
    pub entity_name: String,
    pub entity_path_label: String,
    pub level: AlertLevel,
    pub message: String,
    pub status: AlertStatus,
    pub source: String,
    pub raised_at: DateTime<Utc>,
    pub raised_by_user_id: Option<Uuid>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by_user_id: Option<Uuid>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by_user_id: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

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
        aggregate: Aggregate,
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

/// How a KPI or a group measures its entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum MeasureOp {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Measure {
    pub op: MeasureOp,
    /// The number property measured (not for a count).
    #[serde(default)]
    pub property: Option<String>,
}

/// Where a KPI's number comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum KpiSource {
    /// A measure over a saved view's entities (None: every entity). The
    /// change compares with the entities that existed when the range began.
    View {
        view_id: Option<Uuid>,
        measure: Measure,
    },
    /// A metric over the range; the change compares with the range before.
    Metric {
        metric: String,
        aggregate: Aggregate,
    },
    /// Open alerts; the change compares alerts raised in the range with
    /// those raised in the range before.
    Alerts,
}

/// What a bar or pie chart groups by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum GroupSource {
    /// A property's values over a saved view's entities.
    Property {
        view_id: Option<Uuid>,
        key: String,
        measure: Measure,
    },
    /// Entity types over a saved view's entities.
    EntityType {
        view_id: Option<Uuid>,
        measure: Measure,
    },
    /// Entities ranked by a metric's total over the range ("top consumers").
    MetricTop {
        view_id: Option<Uuid>,
        metric: String,
        aggregate: Aggregate,
    },
}

/// Which lines a time-series widget draws.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum WidgetLines {
    /// One line per entity (with `subtree`: its descendants' series combined).
    Entities { ids: Vec<Uuid>, subtree: bool },
    /// One line over a saved view's entities (None: every entity).
    View { view_id: Option<Uuid> },
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
}
