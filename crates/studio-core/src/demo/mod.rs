//! The demo registry: an energy-management estate (tenants > sites >
//! buildings > floors > rooms > devices), a few hundred entities with 90
//! days of hourly meter readings, a few alerts and an energy-manager
//! dashboard, created in one transaction through the same operations the
//! app uses.

mod dashboard;
mod estate;
mod properties;
mod workflow;

pub use dashboard::{energy_manager_widgets, seed_wall, wall_widgets, DASHBOARD_KEY};
pub use workflow::{fault_document, WEBHOOK_URL, WORKFLOW_KEY};

pub use estate::{estate_type, estate_types};
pub use properties::{
    ensure_estate_schema, estate_properties, estate_tags, EstateIds, EstateProperties, EstateTags,
};

use sqlx::PgPool;

use crate::change::{Actor, Applied, Change};
use crate::error::{CoreError, CoreResult};
use crate::registry::{self, CreateEntity};

/// The entity types the demo uses: a subset of the energy estate's types
/// ([`estate_types`], the one list of them).
const DEMO_TYPE_KEYS: &[&str] = &[
    "tenant",
    "site",
    "building",
    "floor",
    "room",
    "energy_meter",
    "hvac_unit",
    "temperature_sensor",
    "lighting_controller",
];

const TENANTS: &[(&str, &[&str])] = &[
    (
        "Northwind Energy",
        &["London Docklands", "Manchester Central"],
    ),
    (
        "Helios Facilities",
        &["Lyon Part-Dieu", "Grenoble Innovation Park"],
    ),
    ("Greenfield Campus", &["North Campus", "South Campus"]),
];
const BUILDINGS: &[&str] = &["Building A", "Building B"];
const FLOORS: &[&str] = &["Ground floor", "Level 1", "Level 2"];
const ROOMS: &[&[&str]] = &[
    &["Plant room", "Reception", "Loading bay"],
    &["Open office 1.01", "Meeting room 1.02", "Server room"],
    &["Open office 2.01", "Boardroom", "Kitchen"],
];
const DEVICES: &[(&str, &str)] = &[
    ("energy_meter", "Main meter"),
    ("hvac_unit", "Air handling unit"),
    ("temperature_sensor", "Temperature sensor"),
    ("lighting_controller", "Lighting controller"),
];

/// What seeding created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub entity_types: usize,
    pub entities: usize,
}

/// True when the registry has never held an entity: no entities and no
/// entity ever audited. A registry a person emptied is not fresh.
pub async fn is_fresh(pool: &PgPool) -> CoreResult<bool> {
    Ok(sqlx::query_scalar(
        "SELECT NOT EXISTS (SELECT 1 FROM entities)
            AND NOT EXISTS (SELECT 1 FROM audit_events WHERE table_name = 'entities')",
    )
    .fetch_one(pool)
    .await?)
}

/// Loads the demo registry in one transaction. Refuses (changing nothing)
/// when the demo is already present.
#[tracing::instrument(skip_all)]
pub async fn seed_demo(pool: &PgPool, actor: &Actor) -> CoreResult<Applied<SeedReport>> {
    crate::transaction!(pool, |tx| seed_demo_in(tx, actor)).await
}

/// [`seed_demo`] in the caller's transaction.
pub async fn seed_demo_in(
    tx: &mut sqlx::PgConnection,
    actor: &Actor,
) -> CoreResult<Applied<SeedReport>> {
    let present: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM entities WHERE path_label = 'northwind_energy')",
    )
    .fetch_one(&mut *tx)
    .await?;
    if present {
        return Err(CoreError::state("the demo data is already present"));
    }
    let mut changes: Vec<Change> = Vec::new();
    let types: Vec<_> = estate_types()
        .iter()
        .filter(|t| DEMO_TYPE_KEYS.contains(&t.key))
        .collect();
    for t in &types {
        registry::ensure_entity_type(tx, actor, t)
            .await?
            .collect_into(&mut changes);
    }
    let mut seeded: Vec<properties::Seeded> = Vec::new();
    let mut ordinals: std::collections::HashMap<&'static str, usize> = Default::default();
    let mut create = async |tx: &mut sqlx::PgConnection,
                            type_key: &'static str,
                            parent_id,
                            name: &str,
                            tenant: usize|
           -> CoreResult<uuid::Uuid> {
        let input = CreateEntity {
            type_key: type_key.to_string(),
            parent_id,
            name: name.to_string(),
        };
        let node = registry::create_in(tx, actor, &input)
            .await?
            .collect_into(&mut changes);
        let ordinal = ordinals.entry(type_key).or_default();
        seeded.push(properties::Seeded {
            id: node.id,
            type_key,
            ordinal: *ordinal,
            tenant,
        });
        *ordinal += 1;
        Ok(node.id)
    };
    for (t_idx, (tenant, sites)) in TENANTS.iter().enumerate() {
        let tenant_id = create(tx, "tenant", None, tenant, t_idx).await?;
        for site in sites.iter() {
            let site_id = create(tx, "site", Some(tenant_id), site, t_idx).await?;
            for building in BUILDINGS {
                let building_id = create(tx, "building", Some(site_id), building, t_idx).await?;
                for (f_idx, floor) in FLOORS.iter().enumerate() {
                    let floor_id = create(tx, "floor", Some(building_id), floor, t_idx).await?;
                    for (r_idx, room) in ROOMS[f_idx].iter().enumerate() {
                        let room_id = create(tx, "room", Some(floor_id), room, t_idx).await?;
                        // Two devices per room, varied so rooms differ.
                        for d in 0..2 {
                            let (kind, label) =
                                DEVICES[(t_idx + f_idx + r_idx + d) % DEVICES.len()];
                            let name = format!("{label} {}", d + 1);
                            create(tx, kind, Some(room_id), &name, t_idx).await?;
                        }
                    }
                }
            }
        }
    }
    properties::seed(tx, actor, &seeded, &mut changes).await?;
    dashboard::seed(tx, actor, &seeded, &mut changes).await?;
    workflow::seed(tx, actor, &mut changes).await?;
    // The estate's entities, the tag library and the tags.
    let created = changes
        .iter()
        .filter(|c| matches!(c, Change::EntityCreated { .. }))
        .count();
    Ok(Applied {
        value: SeedReport {
            entity_types: types.len(),
            entities: created,
        },
        changes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_type_and_device_kind_is_an_estate_type() {
        for key in DEMO_TYPE_KEYS {
            assert!(
                estate_type(key).is_some(),
                "{key} must be one of the estate's types"
            );
        }
        for (kind, _) in DEVICES {
            assert!(
                DEMO_TYPE_KEYS.contains(kind),
                "device kind {kind} must be a demo type"
            );
        }
    }
}
