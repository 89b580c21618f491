//! The demo's properties, tags, groups and relationships: the energy
//! estate's property groups and definitions (`estate_properties.json`), the
//! properties each type shows, its tag groups and tags (`estate_tags.json`),
//! and realistic, deterministic values for the demo's entities. Everything
//! goes through the same operations the app uses.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::change::{Actor, Change};
use crate::error::CoreResult;
use crate::links::{
    self, EntityTagsEdit, GroupConfig, MembersEdit, NewRelationship, NewTag, TagGroupInput,
};
use crate::properties::{
    self, PropertyDefinitionInput, PropertyGroupInput, SetValues, TypeLayoutUpdate, ValueEdit,
};
use crate::records::{LayoutEntry, PropertyValue, Rules, SelectionMode, ValueType};

const PROPERTIES_JSON: &str = include_str!("estate_properties.json");
const TAGS_JSON: &str = include_str!("estate_tags.json");

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EstateProperties {
    pub groups: Vec<GroupSpec>,
    pub definitions: Vec<DefinitionSpec>,
    /// Entity type key → property keys, in order.
    pub layouts: HashMap<String, Vec<String>>,
    /// Entity type key → property keys that type requires.
    pub required: HashMap<String, Vec<String>>,
}

#[derive(Deserialize)]
pub struct GroupSpec {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefinitionSpec {
    pub group: String,
    pub key: String,
    pub name: String,
    pub value_type: ValueType,
    pub rules: Rules,
    pub is_sensitive: bool,
    pub is_searchable: bool,
}

#[derive(Deserialize)]
pub struct EstateTags {
    pub groups: Vec<TagGroupSpec>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagGroupSpec {
    pub key: String,
    pub name: String,
    pub selection_mode: SelectionMode,
    pub tags: Vec<TagSpec>,
}

#[derive(Deserialize)]
pub struct TagSpec {
    pub key: String,
    pub name: String,
    pub color: String,
}

/// The estate's property groups, definitions and layouts (data).
pub fn estate_properties() -> &'static EstateProperties {
    static DATA: OnceLock<EstateProperties> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(PROPERTIES_JSON)
            .expect("estate_properties.json is checked by a unit test")
    })
}

/// The estate's tag groups and tags (data).
pub fn estate_tags() -> &'static EstateTags {
    static DATA: OnceLock<EstateTags> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(TAGS_JSON).expect("estate_tags.json is checked by a unit test")
    })
}

/// An entity the demo created: its id, type and its place among the demo's
/// entities of that type (for deterministic values).
pub(super) struct Seeded {
    pub id: Uuid,
    pub type_key: &'static str,
    pub ordinal: usize,
    pub tenant: usize,
}

const ENGINEERS: &[&str] = &[
    "Amira Haddad",
    "Jonas Berg",
    "Chloé Martin",
    "Tom Okafor",
    "Priya Nair",
    "Lucas Moreau",
];
const STATUSES: &[&str] = &[
    "active",
    "active",
    "active",
    "maintenance",
    "active",
    "fault",
    "active",
    "retired",
];

fn text(s: impl Into<String>) -> Option<PropertyValue> {
    Some(PropertyValue::Text(s.into()))
}
fn number(s: impl Into<String>) -> Option<PropertyValue> {
    Some(PropertyValue::Number(s.into()))
}
fn date(year: u32, month: u32, day: u32) -> Option<PropertyValue> {
    Some(PropertyValue::Date(format!(
        "{year:04}-{month:02}-{day:02}"
    )))
}
fn select(k: &str) -> Option<PropertyValue> {
    Some(PropertyValue::SingleSelect(k.into()))
}

/// The demo values of one entity, by property key.
fn values_for(e: &Seeded) -> Vec<(&'static str, Option<PropertyValue>)> {
    let n = e.ordinal;
    let m = |list: &[&'static str]| list[n % list.len()];
    let day = (n % 27 + 1) as u32;
    let month = (n % 12 + 1) as u32;
    match e.type_key {
        "tenant" => vec![
            (
                "address",
                text(
                    [
                        "1 Canada Square, London",
                        "12 Rue de la République, Lyon",
                        "Campus Drive 4, Utrecht",
                    ][e.tenant % 3],
                ),
            ),
            (
                "energy_contract",
                text(format!("Green tariff {}-{:03}", 2024 + e.tenant, n)),
            ),
        ],
        "site" => vec![
            ("address", text(format!("{} Energy Way", 10 + n))),
            ("floor_area_m2", number(format!("{}", 12_000 + n * 1_750))),
            (
                "carbon_factor_kg_per_kwh",
                number(["0.207", "0.056", "0.328"][e.tenant % 3]),
            ),
            ("energy_contract", text(format!("PPA-{:04}", 3100 + n))),
            ("status", select("active")),
        ],
        "building" => vec![
            ("year_built", number(format!("{}", 1968 + (n * 7) % 55))),
            ("floor_area_m2", number(format!("{}.5", 4_200 + n * 310))),
            ("occupancy_capacity", number(format!("{}", 180 + n * 15))),
            (
                "carbon_factor_kg_per_kwh",
                number(["0.207", "0.056", "0.328"][e.tenant % 3]),
            ),
            (
                "status",
                select(if n % 9 == 4 { "maintenance" } else { "active" }),
            ),
        ],
        "floor" => vec![
            ("floor_area_m2", number(format!("{}", 900 + (n % 5) * 120))),
            (
                "occupancy_capacity",
                number(format!("{}", 40 + (n % 7) * 5)),
            ),
        ],
        "room" => vec![
            (
                "floor_area_m2",
                number(format!("{}.{}", 18 + n % 60, n % 10)),
            ),
            ("occupancy_capacity", number(format!("{}", 2 + n % 24))),
            ("setpoint_c", number(format!("{}.5", 19 + n % 4))),
        ],
        "energy_meter" => vec![
            ("serial_number", text(format!("EM-{:05}", 10_000 + n * 37))),
            ("manufacturer", text(m(&["Landis+Gyr", "Siemens", "ABB"]))),
            ("model", text(m(&["E360", "PAC3200", "B23"]))),
            (
                "upstream_code",
                text(format!(
                    "MPAN-{:013}",
                    1_900_000_000_000u64 + n as u64 * 7_919
                )),
            ),
            ("install_date", date(2012 + (n % 12) as u32, month, day)),
            ("protocol", select(m(&["modbus", "mqtt", "bacnet"]))),
            (
                "ip_address",
                Some(PropertyValue::IpAddress(format!(
                    "10.{}.{}.{}",
                    20 + e.tenant,
                    n / 200,
                    10 + n % 200
                ))),
            ),
            (
                "firmware_version",
                text(format!("{}.{}.{}", 3 + n % 2, n % 10, n % 4)),
            ),
            ("status", select(m(STATUSES))),
            ("maintenance_due", date(2027, month, day)),
        ],
        "hvac_unit" => vec![
            ("serial_number", text(format!("HV-{:05}", 20_000 + n * 53))),
            ("manufacturer", text(m(&["Daikin", "Carrier", "Trane"]))),
            (
                "model",
                text(m(&["VRV IV", "AquaEdge 19DV", "Sintesis XStream"])),
            ),
            ("install_date", date(2010 + (n % 14) as u32, month, day)),
            (
                "rated_power_kw",
                number(format!("{}.{}", 12 + (n * 7) % 180, n % 10)),
            ),
            ("refrigerant", select(m(&["r32", "r410a", "r290"]))),
            (
                "efficiency_pct",
                number(format!("{}.{}", 86 + n % 12, (n * 3) % 10)),
            ),
            ("setpoint_c", number(format!("{}.0", 20 + n % 3))),
            ("status", select(m(STATUSES))),
            (
                "criticality",
                select(m(&["high", "medium", "low", "medium"])),
            ),
            ("maintenance_due", date(2026 + (n % 2) as u32, month, day)),
            (
                "maintenance_interval_days",
                number(m(&["90", "180", "365"])),
            ),
            ("responsible", text(m(ENGINEERS))),
            (
                "features",
                Some(PropertyValue::MultiSelect(match n % 3 {
                    0 => vec!["remote_control".into(), "scheduling".into()],
                    1 => vec!["demand_response".into()],
                    _ => vec!["remote_control".into(), "data_logging".into()],
                })),
            ),
            (
                "device_config",
                Some(PropertyValue::Json(format!(
                    "{{\"mode\": \"{}\", \"fan_speeds\": [1, 2, 3], \"eco\": {}}}",
                    m(&["auto", "cool", "heat"]),
                    n.is_multiple_of(2)
                ))),
            ),
            (
                "api_token",
                text(format!(
                    "tok_{:016x}",
                    0x5eed_0000_0000u64 + n as u64 * 0x9e37_79b9
                )),
            ),
        ],
        "temperature_sensor" => vec![
            ("serial_number", text(format!("TS-{:05}", 30_000 + n * 11))),
            (
                "manufacturer",
                text(m(&["Honeywell", "Siemens", "Schneider Electric"])),
            ),
            ("model", text(m(&["T7771", "QAA2061", "SpaceLogic SLTR"]))),
            (
                "mac_address",
                text(format!(
                    "00:1A:2B:{:02X}:{:02X}:{:02X}",
                    e.tenant,
                    n / 256,
                    n % 256
                )),
            ),
            ("protocol", select(m(&["bacnet", "knx", "mqtt"]))),
            ("firmware_version", text(format!("2.{}.{}", n % 6, n % 3))),
            (
                "firmware_url",
                Some(PropertyValue::Url(format!(
                    "https://firmware.example.com/sensors/ts-{}.bin",
                    n % 6
                ))),
            ),
            ("status", select(m(STATUSES))),
            (
                "last_inspection",
                Some(PropertyValue::Date(format!(
                    "2026-{month:02}-{day:02}T09:{:02}:00+01:00",
                    n % 60
                ))),
            ),
        ],
        "lighting_controller" => vec![
            ("serial_number", text(format!("LC-{:05}", 40_000 + n * 29))),
            (
                "manufacturer",
                text(m(&["Schneider Electric", "ABB", "Siemens"])),
            ),
            ("model", text(m(&["KNX DALI-2", "DG/S 1.64", "N 141/31"]))),
            (
                "rated_power_kw",
                number(format!("{}.{:02}", 1 + n % 4, (n * 13) % 100)),
            ),
            ("protocol", select(m(&["knx", "bacnet"]))),
            (
                "ip_address",
                Some(PropertyValue::IpAddress(format!(
                    "10.{}.{}.{}",
                    40 + e.tenant,
                    n / 200,
                    10 + n % 200
                ))),
            ),
            ("status", select(m(STATUSES))),
            (
                "features",
                Some(PropertyValue::MultiSelect(vec![
                    "scheduling".into(),
                    "data_logging".into(),
                ])),
            ),
            ("alarms_enabled", Some(PropertyValue::Boolean(n % 4 != 1))),
        ],
        _ => vec![],
    }
}

/// Which demo tags an entity carries (keys: group.tag).
fn tags_for(e: &Seeded) -> Vec<(&'static str, &'static str)> {
    let n = e.ordinal;
    let zone = ["north", "south", "east", "west", "roof", "basement"][n % 6];
    match e.type_key {
        "site" => vec![
            (
                "programme",
                ["net_zero_2030", "retrofit_2027", "iso_50001"][n % 3],
            ),
            ("audience", "facilities"),
        ],
        "building" => vec![
            ("programme", ["leed_gold", "breeam", "net_zero_2030"][n % 3]),
            ("zone", zone),
        ],
        "energy_meter" => vec![
            ("system", "metering"),
            ("zone", zone),
            ("supplier", "gridline"),
            ("audience", "finance"),
        ],
        "hvac_unit" => {
            let mut t = vec![
                ("system", "hvac"),
                ("zone", zone),
                ("compliance", "f_gas"),
                ("supplier", ["nordic_hvac", "acme_energy"][n % 2]),
            ];
            if n % 5 == 2 {
                t.push(("issue", "noisy"));
                t.push(("priority", "p2"));
            }
            if n % 7 == 3 {
                t.push(("issue", "overheating"));
                t.push(("season", "summer_mode"));
            }
            t
        }
        "temperature_sensor" => {
            let mut t = vec![("system", "bms"), ("zone", zone)];
            if n % 6 == 1 {
                t.push(("issue", "battery_low"));
                t.push(("priority", "p3"));
            }
            t
        }
        "lighting_controller" => vec![
            ("system", "lighting"),
            ("zone", zone),
            ("supplier", "lumen_tech"),
        ],
        _ => vec![],
    }
}

/// The ids of the estate's properties (by key) and tags (by group and key).
pub struct EstateIds {
    pub definitions: HashMap<String, Uuid>,
    pub tags: HashMap<(String, String), Uuid>,
}

/// Makes sure the estate's property groups, definitions, type layouts, tag
/// groups and tags exist (creating what is missing, through the same
/// operations the app uses), in the caller's transaction. Idempotent: the
/// demo and the bulk generator both start here.
pub async fn ensure_estate_schema(
    tx: &mut PgConnection,
    actor: &Actor,
    changes: &mut Vec<Change>,
) -> CoreResult<EstateIds> {
    let data = estate_properties();
    let existing_groups: HashMap<String, Uuid> = sqlx::query_as::<_, (String, Uuid)>(
        "SELECT key, id FROM property_groups WHERE deleted_at IS NULL",
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let mut group_ids: HashMap<&str, Uuid> = HashMap::new();
    for g in &data.groups {
        let id = match existing_groups.get(&g.key) {
            Some(id) => *id,
            None => {
                properties::create_property_group_in(
                    tx,
                    actor,
                    &PropertyGroupInput {
                        key: g.key.clone(),
                        name: g.name.clone(),
                        description: g.description.clone(),
                    },
                )
                .await?
                .collect_into(changes)
                .id
            }
        };
        group_ids.insert(g.key.as_str(), id);
    }
    let mut definitions: HashMap<String, Uuid> = sqlx::query_as::<_, (String, Uuid)>(
        "SELECT key, id FROM property_definitions WHERE deleted_at IS NULL",
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    for d in &data.definitions {
        if definitions.contains_key(&d.key) {
            continue;
        }
        let def = properties::create_property_definition_in(
            tx,
            actor,
            &PropertyDefinitionInput {
                group_id: group_ids.get(d.group.as_str()).copied(),
                key: d.key.clone(),
                name: d.name.clone(),
                description: None,
                value_type: d.value_type,
                is_required: false,
                is_sensitive: d.is_sensitive,
                is_searchable: d.is_searchable,
                rules: d.rules.clone(),
            },
        )
        .await?
        .collect_into(changes);
        definitions.insert(d.key.clone(), def.id);
    }
    let type_ids: HashMap<String, Uuid> = sqlx::query_as::<_, (String, Uuid)>(
        "SELECT key, id FROM entity_type_definitions WHERE deleted_at IS NULL",
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let mut layout_keys: Vec<&String> = data.layouts.keys().collect();
    layout_keys.sort();
    for type_key in layout_keys {
        let Some(&type_id) = type_ids.get(type_key) else {
            continue;
        };
        let layout = properties::type_layout_in(tx, type_id).await?;
        if !layout.entries.is_empty() {
            continue; // someone laid it out already: keep theirs
        }
        let required = data.required.get(type_key);
        properties::set_type_layout_in(
            tx,
            actor,
            &TypeLayoutUpdate {
                entity_type_id: type_id,
                expected_updated_at: layout.updated_at,
                entries: data.layouts[type_key]
                    .iter()
                    .map(|k| LayoutEntry {
                        definition_id: definitions[k.as_str()],
                        is_required: required.is_some_and(|r| r.contains(k)),
                    })
                    .collect(),
            },
        )
        .await?
        .collect_into(changes);
    }

    let existing_tags: HashMap<(String, String), Uuid> =
        sqlx::query_as::<_, (String, String, Uuid)>(
            "SELECT g.key, t.key, t.entity_id FROM tags t
         JOIN tag_groups g ON g.id = t.tag_group_id AND g.deleted_at IS NULL
         JOIN entities e ON e.id = t.entity_id AND e.deleted_at IS NULL
         WHERE t.deleted_at IS NULL",
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(g, t, id)| ((g, t), id))
        .collect();
    let existing_tag_groups: HashMap<String, Uuid> = sqlx::query_as::<_, (String, Uuid)>(
        "SELECT key, id FROM tag_groups WHERE deleted_at IS NULL",
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let mut tags = existing_tags;
    for g in &estate_tags().groups {
        let group_id = match existing_tag_groups.get(&g.key) {
            Some(id) => *id,
            None => {
                links::create_tag_group_in(
                    tx,
                    actor,
                    &TagGroupInput {
                        key: g.key.clone(),
                        name: g.name.clone(),
                        description: None,
                        selection_mode: g.selection_mode,
                    },
                )
                .await?
                .collect_into(changes)
                .id
            }
        };
        for t in &g.tags {
            if tags.contains_key(&(g.key.clone(), t.key.clone())) {
                continue;
            }
            let tag = links::create_tag_in(
                tx,
                actor,
                &NewTag {
                    group_id: Some(group_id),
                    key: t.key.clone(),
                    name: t.name.clone(),
                    color: Some(t.color.clone()),
                },
            )
            .await?
            .collect_into(changes);
            tags.insert((g.key.clone(), t.key.clone()), tag.id);
        }
    }
    Ok(EstateIds { definitions, tags })
}

/// Creates the estate's property schema, tags and the demo entities' values,
/// tags, a group and relationships, in the caller's transaction.
pub(super) async fn seed(
    tx: &mut PgConnection,
    actor: &Actor,
    entities: &[Seeded],
    changes: &mut Vec<Change>,
) -> CoreResult<()> {
    let ids = ensure_estate_schema(tx, actor, changes).await?;
    let def_ids: HashMap<&str, Uuid> = ids
        .definitions
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    let tag_ids = ids.tags;

    // Values and tags of the demo's entities.
    for e in entities {
        let edits: Vec<ValueEdit> = values_for(e)
            .into_iter()
            .filter_map(|(key, value)| {
                Some(ValueEdit {
                    definition_id: *def_ids.get(key)?,
                    expected_updated_at: None,
                    value,
                })
            })
            .collect();
        if !edits.is_empty() {
            properties::set_values_in(
                tx,
                actor,
                &SetValues {
                    entity_id: e.id,
                    edits,
                },
            )
            .await?
            .collect_into(changes);
        }
        let add: Vec<Uuid> = tags_for(e)
            .into_iter()
            .filter_map(|(g, t)| tag_ids.get(&(g.to_string(), t.to_string())).copied())
            .collect();
        if !add.is_empty() {
            let version = crate::registry::tree_node(tx, e.id).await?.updated_at;
            links::edit_entity_tags_in(
                tx,
                actor,
                &EntityTagsEdit {
                    entity_id: e.id,
                    expected_updated_at: version,
                    add,
                    remove: vec![],
                },
            )
            .await?
            .collect_into(changes);
        }
    }

    // Relationships: each room's meter feeds its HVAC unit; each building's
    // first HVAC unit is backed up by the next one. One group: every HVAC
    // unit of the first tenant.
    let of = |t: &'static str| entities.iter().filter(move |e| e.type_key == t);
    let meters: Vec<&Seeded> = of("energy_meter").collect();
    let hvacs: Vec<&Seeded> = of("hvac_unit").collect();
    for (meter, hvac) in meters.iter().zip(hvacs.iter()).take(12) {
        links::create_relationship_in(
            tx,
            actor,
            &NewRelationship {
                source_id: meter.id,
                target_id: hvac.id,
                relationship_type: "feeds".into(),
            },
        )
        .await?
        .collect_into(changes);
    }
    for pair in hvacs.windows(2).take(8) {
        links::create_relationship_in(
            tx,
            actor,
            &NewRelationship {
                source_id: pair[0].id,
                target_id: pair[1].id,
                relationship_type: "backed_up_by".into(),
            },
        )
        .await?
        .collect_into(changes);
    }
    if let Some(first) = of("tenant").next() {
        let fleet = links::configure_group_in(
            tx,
            actor,
            &GroupConfig {
                entity_id: first.id,
                expected_updated_at: None,
                key: Some("hvac_fleet".into()),
                name: "HVAC fleet".into(),
                description: Some("Every HVAC unit this tenant operates".into()),
                allows_mixed_types: false,
            },
        )
        .await?
        .collect_into(changes);
        let members: Vec<Uuid> = hvacs
            .iter()
            .filter(|h| h.tenant == first.tenant)
            .map(|h| h.id)
            .collect();
        links::edit_group_members_in(
            tx,
            actor,
            &MembersEdit {
                group_id: fleet.entity_id,
                add: members,
                remove: vec![],
            },
        )
        .await?
        .collect_into(changes);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estate_schema_parses_and_its_rules_and_layouts_hold() {
        let data = estate_properties();
        assert!(data.definitions.len() >= 30, "about thirty properties");
        for d in &data.definitions {
            d.rules
                .check(d.value_type)
                .unwrap_or_else(|e| panic!("{}: {e}", d.key));
            assert!(
                data.groups.iter().any(|g| g.key == d.group),
                "{} has a known group",
                d.key
            );
        }
        for keys in data.layouts.values().chain(data.required.values()) {
            for k in keys {
                assert!(
                    data.definitions.iter().any(|d| &d.key == k),
                    "{k} is defined"
                );
            }
        }
        let tags: usize = estate_tags().groups.iter().map(|g| g.tags.len()).sum();
        assert!(tags >= 50, "about fifty tags ({tags})");
    }

    #[test]
    fn every_demo_value_satisfies_its_rules() {
        let data = estate_properties();
        for type_key in [
            "tenant",
            "site",
            "building",
            "floor",
            "room",
            "energy_meter",
            "hvac_unit",
            "temperature_sensor",
            "lighting_controller",
        ] {
            for ordinal in 0..60 {
                let e = Seeded {
                    id: Uuid::nil(),
                    type_key,
                    ordinal,
                    tenant: ordinal % 3,
                };
                for (key, value) in values_for(&e) {
                    let d = data
                        .definitions
                        .iter()
                        .find(|d| d.key == key)
                        .unwrap_or_else(|| panic!("{key}"));
                    if let Some(v) = value {
                        d.rules
                            .validate(key, d.value_type, &v)
                            .unwrap_or_else(|err| panic!("{type_key} #{ordinal} {key}: {err}"));
                    }
                }
                for (g, t) in tags_for(&e) {
                    let group = estate_tags()
                        .groups
                        .iter()
                        .find(|x| x.key == g)
                        .unwrap_or_else(|| panic!("{g}"));
                    assert!(group.tags.iter().any(|x| x.key == t), "{g}.{t}");
                }
            }
        }
    }
}
