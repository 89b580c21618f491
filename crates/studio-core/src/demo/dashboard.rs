//! The demo's readings, alerts and its energy-manager dashboard:
//! 90 days of hourly kWh for every energy meter, a few alerts on devices,
//! and a dashboard with consumption per site, the active alerts, energy
//! over the period, devices by status and the top consumers.

use sqlx::PgConnection;
use uuid::Uuid;

use super::properties::Seeded;
use crate::alerts::{self, AlertLevel, AlertStatus, RaiseAlert};
use crate::change::{Actor, Change};
use crate::dashboards::{
    self, DashboardVariables, GroupSource, KpiSource, Measure, MeasureOp, SaveDashboard, TimeRange,
    WidgetConfig, WidgetInput, WidgetLayout, WidgetLines,
};
use crate::error::CoreResult;
use crate::metrics::{self, generate::METRIC, Aggregate};
use crate::records::VersionedId;

/// Days of readings the demo holds.
const DAYS: u64 = 90;
/// The demo dashboard's key.
pub const DASHBOARD_KEY: &str = "energy_manager";

fn at(x: u32, y: u32, w: u32, h: u32) -> WidgetLayout {
    WidgetLayout { x, y, w, h }
}

fn widget(title: &str, layout: WidgetLayout, config: WidgetConfig) -> WidgetInput {
    WidgetInput {
        id: None,
        title: Some(title.to_string()),
        layout,
        config,
    }
}

/// The energy manager's widgets over `sites` (consumption per site).
pub fn energy_manager_widgets(sites: &[Uuid]) -> Vec<WidgetInput> {
    vec![
        widget(
            "About",
            at(0, 0, 4, 3),
            WidgetConfig::Markdown {
                text: "## Energy manager\nHourly **kWh** of every meter, summed per site. \
                       Click a site's line, a status or a meter to filter the other widgets."
                    .into(),
            },
        ),
        widget(
            "Active alerts",
            at(4, 0, 2, 3),
            WidgetConfig::Kpi {
                source: KpiSource::Alerts,
                compare: true,
            },
        ),
        widget(
            "Energy in the period",
            at(6, 0, 3, 3),
            WidgetConfig::Kpi {
                source: KpiSource::Metric {
                    metric: METRIC.into(),
                    aggregate: Aggregate::Sum,
                },
                compare: true,
            },
        ),
        widget(
            "Rated power installed (kW)",
            at(9, 0, 3, 3),
            WidgetConfig::Kpi {
                source: KpiSource::View {
                    view_id: None,
                    measure: Measure {
                        op: MeasureOp::Sum,
                        property: Some("rated_power_kw".into()),
                    },
                },
                compare: false,
            },
        ),
        widget(
            "Consumption per site",
            at(0, 3, 8, 5),
            WidgetConfig::TimeSeries {
                metric: METRIC.into(),
                lines: WidgetLines::Entities {
                    ids: sites.to_vec(),
                    subtree: true,
                },
                aggregate: Aggregate::Sum,
                area: false,
            },
        ),
        widget(
            "Devices by status",
            at(8, 3, 4, 5),
            WidgetConfig::Pie {
                source: GroupSource::Property {
                    view_id: None,
                    key: "status".into(),
                    measure: Measure {
                        op: MeasureOp::Count,
                        property: None,
                    },
                },
                limit: 10,
            },
        ),
        widget(
            "Top consumers",
            at(0, 8, 6, 5),
            WidgetConfig::Bar {
                source: GroupSource::MetricTop {
                    view_id: None,
                    metric: METRIC.into(),
                    aggregate: Aggregate::Sum,
                },
                limit: 10,
            },
        ),
        widget(
            "Open alerts",
            at(6, 8, 6, 5),
            WidgetConfig::Alerts { limit: 50 },
        ),
        widget(
            "Entities by site",
            at(0, 13, 12, 5),
            WidgetConfig::Treemap {
                root_id: None,
                depth: 2,
                view_id: None,
            },
        ),
    ]
}

/// Readings, alerts and the dashboard, in the demo's transaction.
pub(super) async fn seed(
    tx: &mut PgConnection,
    actor: &Actor,
    seeded: &[Seeded],
    changes: &mut Vec<Change>,
) -> CoreResult<()> {
    let meters: Vec<(Uuid, Uuid)> = {
        let ids: Vec<Uuid> = seeded
            .iter()
            .filter(|s| s.type_key == "energy_meter")
            .map(|s| s.id)
            .collect();
        sqlx::query_as("SELECT entity_id, root_id FROM entity_read_model WHERE entity_id = ANY ($1) ORDER BY path_label")
            .bind(&ids)
            .fetch_all(&mut *tx)
            .await?
    };
    let made = metrics::generate::generate(tx, &meters, DAYS * 24, 7, &|_| {}).await?;
    changes.push(Change::MetricsImported {
        summary: serde_json::json!({ "generated": made.inserted, "series": made.series, "demo": true }),
    });

    // Alerts on a few devices: two pending, one acknowledged, one resolved.
    let devices: Vec<Uuid> = seeded
        .iter()
        .filter(|s| {
            matches!(
                s.type_key,
                "hvac_unit" | "energy_meter" | "temperature_sensor"
            )
        })
        .map(|s| s.id)
        .collect();
    let raised = [
        (
            AlertLevel::Critical,
            "Compressor fault: the unit stopped",
            None,
        ),
        (
            AlertLevel::Warning,
            "Consumption 40% above the weekly pattern",
            None,
        ),
        (
            AlertLevel::Warning,
            "Temperature above 27 °C for 2 hours",
            Some(AlertStatus::Acknowledged),
        ),
        (
            AlertLevel::Info,
            "Meter offline for 6 hours",
            Some(AlertStatus::Resolved),
        ),
    ];
    for (i, (level, message, then)) in raised.into_iter().enumerate() {
        let Some(entity_id) = devices.get(i * 7 % devices.len().max(1)).copied() else {
            break;
        };
        let input = RaiseAlert {
            entity_id,
            level,
            message: message.into(),
        };
        let alert = alerts::raise_in(tx, actor, &input)
            .await?
            .collect_into(changes);
        if let Some(to) = then {
            let id = VersionedId {
                id: alert.id,
                expected_updated_at: alert.updated_at,
            };
            let _ = alerts::transition_in(tx, actor, &id, to)
                .await?
                .collect_into(changes);
        }
    }

    let sites: Vec<Uuid> = sqlx::query_scalar(
        "SELECT r.entity_id FROM entity_read_model r
           JOIN entity_type_definitions t ON t.id = r.entity_type_id AND t.key = 'site'
          WHERE r.entity_id = ANY ($1) ORDER BY r.path_label",
    )
    .bind(seeded.iter().map(|s| s.id).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await?;
    let input = SaveDashboard {
        id: None,
        expected_updated_at: None,
        key: Some(DASHBOARD_KEY.into()),
        name: "Energy manager".into(),
        description: Some("Consumption, alerts and devices across the estate".into()),
        shared: true,
        root_id: None,
        refresh_seconds: None,
        variables: DashboardVariables {
            range: TimeRange::Last { hours: 24 * 30 },
            ..DashboardVariables::default()
        },
        widgets: energy_manager_widgets(&sites),
    };
    let _ = dashboards::save_in(tx, actor, &input)
        .await?
        .collect_into(changes);
    Ok(())
}

/// A wall of `count` widgets (4 per row) for measuring the window on a
/// large registry: mostly charts of the meters' readings per site (one
/// site's subtree each), energy KPIs, top consumers, alert counts, notes
/// and tree-maps, and every twelfth widget a property aggregate (devices
/// by status, rated power).
pub fn wall_widgets(sites: &[Uuid], count: usize) -> Vec<WidgetInput> {
    (0..count)
        .map(|i| {
            let layout = at((i % 4) as u32 * 3, (i / 4) as u32 * 3, 3, 3);
            let site = sites.get(i % sites.len().max(1)).copied();
            let (title, config) = match (i % 12, site) {
                (11, _) if i % 24 == 11 => (
                    "Devices by status".to_string(),
                    energy_manager_widgets(&[])[5].config.clone(),
                ),
                (11, _) => (
                    "Rated power (kW)".to_string(),
                    energy_manager_widgets(&[])[3].config.clone(),
                ),
                (0 | 3 | 6 | 9, Some(site)) => (
                    format!("Site {}", i + 1),
                    WidgetConfig::TimeSeries {
                        metric: METRIC.into(),
                        lines: WidgetLines::Entities {
                            ids: vec![site],
                            subtree: true,
                        },
                        aggregate: Aggregate::Sum,
                        area: i % 2 == 0,
                    },
                ),
                (1 | 7, _) => (
                    "Energy".to_string(),
                    energy_manager_widgets(&[])[2].config.clone(),
                ),
                (2 | 8, _) => (
                    "Top consumers".to_string(),
                    energy_manager_widgets(&[])[6].config.clone(),
                ),
                (4, _) => (
                    "Active alerts".to_string(),
                    energy_manager_widgets(&[])[1].config.clone(),
                ),
                (5, _) => (
                    "Entities".to_string(),
                    WidgetConfig::Treemap {
                        root_id: None,
                        depth: 1,
                        view_id: None,
                    },
                ),
                _ => (
                    format!("Note {}", i + 1),
                    WidgetConfig::Markdown {
                        text: format!(
                            "### Note {}\nMeters of the estate, **kWh** per hour.",
                            i + 1
                        ),
                    },
                ),
            };
            widget(&title, layout, config)
        })
        .collect()
}

/// Saves a wall of `count` widgets ([`wall_widgets`]) over the root with
/// the most meter series (its variables' root) and that root's sites.
pub async fn seed_wall(
    pool: &sqlx::PgPool,
    actor: &Actor,
    count: usize,
) -> CoreResult<crate::records::Dashboard> {
    let root: Option<Uuid> = sqlx::query_scalar(
        "SELECT root_entity_id FROM metric_series WHERE metric_key = $1 AND deleted_at IS NULL
          GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    )
    .bind(METRIC)
    .fetch_optional(pool)
    .await?;
    let sites: Vec<Uuid> = sqlx::query_scalar(
        "SELECT r.entity_id FROM entity_read_model r
           JOIN entity_type_definitions t ON t.id = r.entity_type_id AND t.key = 'site'
          WHERE $1::uuid IS NULL OR r.root_id = $1 ORDER BY r.path_label LIMIT 50",
    )
    .bind(root)
    .fetch_all(pool)
    .await?;
    let input = SaveDashboard {
        id: None,
        expected_updated_at: None,
        key: None,
        name: format!("Wall of {count} widgets"),
        description: Some("Many widgets at once, for measuring the window".into()),
        shared: true,
        root_id: None,
        refresh_seconds: None,
        variables: DashboardVariables {
            root_id: root,
            range: TimeRange::Last { hours: 24 * 30 },
            ..DashboardVariables::default()
        },
        widgets: wall_widgets(&sites, count),
    };
    Ok(dashboards::save(pool, actor, &input).await?.value)
}
