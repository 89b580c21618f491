//! The demo registry: an energy-management estate (tenants > sites >
//! buildings > floors > rooms > devices), a few hundred entities, created in
//! one transaction through the same audited functions the app uses.

use sqlx::PgPool;

use crate::audit::Actor;
use crate::error::{CoreError, CoreResult};
use crate::registry::{self, EntityTypeSpec, NewEntity};

/// The entity types of the demo (and of the energy domain).
pub const DEMO_TYPES: &[EntityTypeSpec<'static>] = &[
    spec(
        "tenant",
        "Tenant",
        "An organisation whose estate is managed",
        "users",
    ),
    spec(
        "site",
        "Site",
        "A campus or address with one or more buildings",
        "map-pin",
    ),
    spec("building", "Building", "A building on a site", "building"),
    spec("floor", "Floor", "A storey of a building", "stack"),
    spec("room", "Room", "A room or zone on a floor", "door"),
    spec(
        "energy_meter",
        "Energy meter",
        "Measures electricity use (kWh)",
        "bolt",
    ),
    spec(
        "hvac_unit",
        "HVAC unit",
        "Heating, ventilation or air conditioning",
        "wind",
    ),
    spec(
        "sensor",
        "Sensor",
        "Temperature, humidity, CO2 or occupancy sensor",
        "cpu",
    ),
    spec(
        "lighting_controller",
        "Lighting controller",
        "Switches and dims a lighting circuit",
        "bulb",
    ),
];

const fn spec(
    key: &'static str,
    name: &'static str,
    description: &'static str,
    icon: &'static str,
) -> EntityTypeSpec<'static> {
    EntityTypeSpec {
        key,
        name,
        description: Some(description),
        icon: Some(icon),
        is_system: false,
    }
}

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
    ("sensor", "Temperature sensor"),
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
pub async fn seed_demo(pool: &PgPool, actor: &Actor) -> CoreResult<SeedReport> {
    let mut tx = pool.begin().await?;
    let present: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM entities WHERE path_label = 'northwind_energy')",
    )
    .fetch_one(&mut *tx)
    .await?;
    if present {
        return Err(CoreError::validation("the demo data is already present"));
    }
    for t in DEMO_TYPES {
        registry::ensure_entity_type(&mut tx, actor, t).await?;
    }
    let mut entities = 0usize;
    let mut create = async |tx: &mut sqlx::PgConnection,
                            type_key: &str,
                            parent_id,
                            name: &str|
           -> CoreResult<uuid::Uuid> {
        entities += 1;
        let created = registry::create_entity(
            tx,
            actor,
            &NewEntity {
                type_key,
                parent_id,
                name,
            },
        )
        .await?;
        Ok(created.id)
    };
    for (t_idx, (tenant, sites)) in TENANTS.iter().enumerate() {
        let tenant_id = create(&mut tx, "tenant", None, tenant).await?;
        for site in sites.iter() {
            let site_id = create(&mut tx, "site", Some(tenant_id), site).await?;
            for building in BUILDINGS {
                let building_id = create(&mut tx, "building", Some(site_id), building).await?;
                for (f_idx, floor) in FLOORS.iter().enumerate() {
                    let floor_id = create(&mut tx, "floor", Some(building_id), floor).await?;
                    for (r_idx, room) in ROOMS[f_idx].iter().enumerate() {
                        let room_id = create(&mut tx, "room", Some(floor_id), room).await?;
                        // Two devices per room, varied so rooms differ.
                        for d in 0..2 {
                            let (kind, label) =
                                DEVICES[(t_idx + f_idx + r_idx + d) % DEVICES.len()];
                            let name = format!("{label} {}", d + 1);
                            create(&mut tx, kind, Some(room_id), &name).await?;
                        }
                    }
                }
            }
        }
    }
    tx.commit().await?;
    Ok(SeedReport {
        entity_types: DEMO_TYPES.len(),
        entities,
    })
}
