//! A generator of large, realistic registries for measuring the studio at
//! scale: an energy estate of tenants > sites > buildings > floors > rooms >
//! devices (some gateways hold sensors of their own), with ~20 entity types.
//!
//! The output is a function of the seed alone: the same `--seed` gives the
//! same shape, names, slugs and ids (v7-shaped uuids built from the seed).
//! Everything is written in ONE transaction: the entity types (through
//! [`registry::ensure_entity_type`], audited), the entities and their `name`
//! values (COPY), and one change summarising the generation, recorded
//! through the core's change pipeline (one `audit_events` row).
//!
//! The rows follow the registry's invariants exactly, by the core's own
//! rules (`registry::labels`): `path` is the parent's path plus the id as
//! 32 hex digits, `path_label` the parent's label plus a slug made unique
//! among its siblings the way the registry does it (`slug`, `slug_2`,
//! `slug_3`, then a piece of the id), and new roots never take a label that
//! exists already (created under the top-level lock every root creation
//! takes).
//!
//! Large loads build the indexes and check the keys of the tables they fill
//! once, at the end, instead of row by row: the definitions of those
//! indexes, unique constraints and foreign keys are read from the catalog,
//! dropped, and created again from exactly those definitions inside the
//! same transaction. Adding a unique constraint or a foreign key checks
//! every row (a sort, a join), so nothing is trusted that the database did
//! not verify, and a failed load (a violation included) leaves the schema
//! and the data as before. Dropping locks the tables until commit: other
//! sessions wait for a large load. After the commit,
//! `VACUUM (ANALYZE)` gives the planner statistics and sets the visibility
//! map, so index-only scans work at once.

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use tokio::sync::mpsc;
use uuid::Uuid;

use studio_core::change::{self, Actor, Applied, Change};
use studio_core::demo::estate_type;
use studio_core::error::{CoreError, CoreResult, Rule};
use studio_core::internals::lock_top_level;
use studio_core::properties::NAME_PROPERTY_ID;
use studio_core::registry::{self, labels};

/// The most entities one generation writes (`--entities` plus `--wide`).
pub const MAX_ENTITIES: u64 = 20_000_000;

/// A word only a handful of device names hold (a "rare" search).
pub const RARE_WORD: &str = "Zephyrion";
/// A word very many names hold (a "common" search).
pub const COMMON_WORD: &str = "Sensor";

/// Loads of at least this many rows (and at least as many as the registry
/// holds) rebuild the indexes and keys instead of maintaining them.
const REBUILD_MIN_ROWS: u64 = 50_000;

/// The tables a load fills; their unique constraints and foreign keys are
/// dropped for a large load and added again (checked) before commit.
const FILLED_TABLES: &[&str] = &[
    "entities",
    "entity_property_values",
    "entity_tags",
    "entity_read_model",
];

/// The indexes (not behind a constraint) a large load drops and recreates.
/// The primary keys stay: the ids are written in ascending order.
const REBUILT_INDEXES: &[&str] = &[
    "uq_entity_property_values_active",
    "uq_entity_tags_active",
    "idx_entities_parent",
    "idx_entities_path_gist",
    "idx_entities_path_btree",
    "idx_entities_active_type",
    "idx_entities_live_children",
    "idx_entities_path_label_trgm",
    "idx_entities_deleted",
    "idx_entity_property_values_definition",
    "idx_entity_tags_entity",
    "idx_entity_tags_tag",
    "idx_read_model_children",
    "idx_read_model_filters",
    "idx_read_model_name_trgm",
];

/// Bytes of COPY data per message.
const CHUNK_BYTES: usize = 4 << 20;

/// The estate's entity types the generator writes, by index (the kinds
/// below); their definitions are the core's estate types (data).
const KINDS: [&str; 20] = [
    "tenant",
    "site",
    "building",
    "floor",
    "room",
    "energy_meter",
    "hvac_unit",
    "temperature_sensor",
    "co2_sensor",
    "lighting_controller",
    "heat_pump",
    "boiler",
    "chiller",
    "pv_inverter",
    "battery",
    "ev_charger",
    "water_meter",
    "gas_meter",
    "occupancy_sensor",
    "gateway",
];

// Indexes into KINDS.
const TENANT: usize = 0;
const SITE: usize = 1;
const BUILDING: usize = 2;
const FLOOR: usize = 3;
const ROOM: usize = 4;
const ENERGY_METER: usize = 5;
const HVAC: usize = 6;
const TEMPERATURE: usize = 7;
const CO2: usize = 8;
const LIGHTING: usize = 9;
const HEAT_PUMP: usize = 10;
const BOILER: usize = 11;
const CHILLER: usize = 12;
const PV_INVERTER: usize = 13;
const BATTERY: usize = 14;
const EV_CHARGER: usize = 15;
const WATER_METER: usize = 16;
const GAS_METER: usize = 17;
const OCCUPANCY: usize = 18;
const GATEWAY: usize = 19;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Entities of the estate (tenants and everything under them).
    pub entities: u64,
    /// The same seed gives the same registry.
    pub seed: u64,
    /// When above 0, one extra site whose single building holds this many
    /// direct children (`wide + 2` more entities).
    pub wide: u64,
}

impl GenerateOptions {
    /// Every entity the generation writes.
    pub fn total(&self) -> u64 {
        self.entities
            + if self.wide > 0 {
                self.wide.saturating_add(2)
            } else {
                0
            }
    }

    pub fn validate(&self) -> CoreResult<()> {
        if self.entities == 0 {
            return Err(CoreError::invalid(
                Some("entities"),
                Rule::Required,
                "--entities must be at least 1 (nothing to generate)",
            ));
        }
        if self.entities > MAX_ENTITIES {
            return Err(CoreError::invalid(
                Some("entities"),
                Rule::TooLong,
                format!(
                    "--entities can be at most {MAX_ENTITIES} (got {})",
                    self.entities
                ),
            ));
        }
        if self.total() > MAX_ENTITIES {
            return Err(CoreError::invalid(
                Some("wide"),
                Rule::TooLong,
                format!(
                    "--entities plus --wide can be at most {MAX_ENTITIES} (got {})",
                    self.total()
                ),
            ));
        }
        Ok(())
    }
}

/// The step a generation is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneratePhase {
    /// Copying entities (`done` of `total` rows).
    Entities,
    /// Copying their names.
    Names,
    /// Copying their property values (`done` counts entities).
    Values,
    /// Copying their tags (`done` counts entities).
    Tags,
    /// Building the read model.
    ReadModel,
    /// Recreating indexes and keys (`done` of `total`).
    Indexes,
    /// Committed; vacuuming and updating the planner's statistics.
    Analyze,
}

impl GeneratePhase {
    pub fn label(self) -> &'static str {
        match self {
            GeneratePhase::Entities => "entities",
            GeneratePhase::Names => "names",
            GeneratePhase::Values => "property values",
            GeneratePhase::Tags => "tags",
            GeneratePhase::ReadModel => "read model",
            GeneratePhase::Indexes => "indexes",
            GeneratePhase::Analyze => "analyze",
        }
    }
}

/// Progress of a generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateProgress {
    pub phase: GeneratePhase,
    pub done: u64,
    pub total: u64,
}

/// What a generation wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateReport {
    /// Entities written (the estate plus the wide site).
    pub entities: u64,
    pub seed: u64,
    pub wide: u64,
    pub tenants: u64,
    pub entity_types: usize,
    /// Names holding [`RARE_WORD`].
    pub rare_names: u64,
    /// `path_label` of the first tenant written.
    pub first_tenant: String,
    /// `path_label` of the node holding the wide children, if any.
    pub wide_parent: Option<String>,
    /// Indexes and keys (unique constraints, foreign keys) dropped and
    /// created again for the load (empty for small loads).
    pub rebuilt_indexes: Vec<String>,
    /// Property values written (about five per entity).
    pub property_values: u64,
    /// Tags given (each device its zone).
    pub tag_assignments: u64,
}

/// Generates a registry into the database (see the module docs), in one
/// transaction, reporting progress. Refuses when the options are out of
/// range or when this seed's entities are already present.
pub async fn generate(
    pool: &PgPool,
    actor: &Actor,
    options: &GenerateOptions,
    progress: &(dyn Fn(GenerateProgress) + Send + Sync),
) -> CoreResult<Applied<GenerateReport>> {
    options.validate()?;
    let total = options.total();
    let mut tx = pool.begin().await?;

    // Creating roots: the lock every root creation takes, so roots are
    // chosen one at a time.
    lock_top_level(&mut tx).await?;

    let mut changes = Vec::new();
    let mut type_ids = Vec::with_capacity(KINDS.len());
    for key in KINDS {
        let spec = estate_type(key)
            .ok_or_else(|| CoreError::Database(format!("the estate has no entity type {key:?}")))?;
        type_ids.push(
            registry::ensure_entity_type(&mut tx, actor, spec)
                .await?
                .collect_into(&mut changes),
        );
    }

    let first_id = IdStreams::new(options.seed).next().0;
    let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM entities WHERE id = $1)")
        .bind(first_id)
        .fetch_one(&mut *tx)
        .await?;
    if taken {
        return Err(CoreError::invalid(
            Some("seed"),
            Rule::Unique,
            format!(
                "the entities of seed {} are already in this registry: use another --seed",
                options.seed
            ),
        ));
    }

    let roots: Vec<String> =
        sqlx::query_scalar("SELECT path_label FROM entities WHERE parent_entity_id IS NULL")
            .fetch_all(&mut *tx)
            .await?;
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM entities")
        .fetch_one(&mut *tx)
        .await?;
    let now: DateTime<Utc> = sqlx::query_scalar("SELECT now()")
        .fetch_one(&mut *tx)
        .await?;

    let rebuild = total >= REBUILD_MIN_ROWS && total >= existing as u64;
    let estate = studio_core::demo::ensure_estate_schema(&mut tx, actor, &mut changes).await?;
    let definitions = if rebuild {
        sqlx::query("SET LOCAL maintenance_work_mem = '1GB'")
            .execute(&mut *tx)
            .await?;
        drop_for_load(&mut tx).await?
    } else {
        Vec::new()
    };
    let props = PROP_KEYS
        .iter()
        .map(|k| {
            estate
                .definitions
                .get(*k)
                .copied()
                .ok_or_else(|| CoreError::Database(format!("the estate has no property {k:?}")))
        })
        .collect::<CoreResult<Vec<_>>>()?;
    let zones = ZONE_KEYS
        .iter()
        .map(|k| {
            estate
                .tags
                .get(&("zone".to_string(), k.to_string()))
                .copied()
                .ok_or_else(|| CoreError::Database(format!("the estate has no zone tag {k:?}")))
        })
        .collect::<CoreResult<Vec<_>>>()?;
    let plan = Plan {
        options: *options,
        roots: roots.into_iter().collect(),
        type_ids,
        now: now.format("%Y-%m-%d %H:%M:%S%.6f+00").to_string(),
        props,
        zones,
    };
    let summary = copy_pass(&mut tx, &plan, Pass::Entities, progress).await?;
    copy_pass(&mut tx, &plan, Pass::Names, progress).await?;
    let values = copy_pass(&mut tx, &plan, Pass::Values, progress)
        .await?
        .copied;
    let tagged = copy_pass(&mut tx, &plan, Pass::Tags, progress)
        .await?
        .copied;
    // The read model of the whole registry, in one statement (with its
    // indexes dropped for a large load, like the others). The planner
    // first learns what was loaded: without statistics, and without the
    // dropped indexes, it would join the values to each definition by a
    // scan of the whole table.
    progress(GenerateProgress {
        phase: GeneratePhase::ReadModel,
        done: 0,
        total: 1,
    });
    sqlx::query("ANALYZE entities, entity_property_values, entity_tags, property_definitions")
        .execute(&mut *tx)
        .await?;
    studio_core::read_model::rebuild(&mut tx).await?;
    progress(GenerateProgress {
        phase: GeneratePhase::ReadModel,
        done: 1,
        total: 1,
    });

    for (i, (_, definition)) in definitions.iter().enumerate() {
        progress(GenerateProgress {
            phase: GeneratePhase::Indexes,
            done: i as u64,
            total: definitions.len() as u64,
        });
        sqlx::query(sqlx::AssertSqlSafe(definition.clone()))
            .execute(&mut *tx)
            .await?;
    }
    if !definitions.is_empty() {
        progress(GenerateProgress {
            phase: GeneratePhase::Indexes,
            done: definitions.len() as u64,
            total: definitions.len() as u64,
        });
    }

    let generated = Change::EntitiesGenerated {
        first_tenant_id: summary.first_tenant_id,
        summary: json!({
                "entities": summary.rows,
                "seed": options.seed,
                "requested": options.entities,
                "wide": options.wide,
                "tenants": summary.tenants,
                "first_tenant": summary.first_tenant_label,
                "property_values": values,
                "tag_assignments": tagged,
        }),
    };
    change::record(&mut tx, actor, generated, ())
        .await?
        .collect_into(&mut changes);
    tx.commit().await?;

    progress(GenerateProgress {
        phase: GeneratePhase::Analyze,
        done: 0,
        total: 1,
    });
    // Statistics for the planner, and the visibility map for index-only
    // scans (subtree counts, has-children probes) without waiting for
    // autovacuum. VACUUM cannot run in a transaction: simple protocol.
    sqlx::raw_sql("VACUUM (ANALYZE) entities, entity_property_values, entity_read_model")
        .execute(pool)
        .await?;
    progress(GenerateProgress {
        phase: GeneratePhase::Analyze,
        done: 1,
        total: 1,
    });

    Ok(Applied {
        value: GenerateReport {
            entities: summary.rows,
            seed: options.seed,
            wide: options.wide,
            tenants: summary.tenants,
            entity_types: KINDS.len(),
            rare_names: summary.rare_names,
            first_tenant: summary.first_tenant_label,
            wide_parent: summary.wide_parent_label,
            rebuilt_indexes: definitions.into_iter().map(|(name, _)| name).collect(),
            property_values: values,
            tag_assignments: tagged,
        },
        changes,
    })
}

/// Drops the rebuilt indexes that exist and the unique constraints and
/// foreign keys of the filled tables. Returns (name, statement) pairs that
/// restore them, to run in order before commit: indexes, then unique
/// constraints, then the foreign keys that may lean on them.
async fn drop_for_load(conn: &mut PgConnection) -> CoreResult<Vec<(String, String)>> {
    let names: Vec<String> = REBUILT_INDEXES.iter().map(|s| s.to_string()).collect();
    let tables: Vec<String> = FILLED_TABLES.iter().map(|s| s.to_string()).collect();
    let indexes: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT indexname::text, format('DROP INDEX %I', indexname), indexdef FROM pg_indexes
         WHERE schemaname = current_schema()
           AND tablename = ANY($2)
           AND indexname = ANY($1)
         ORDER BY array_position($1, indexname::text)",
    )
    .bind(&names)
    .bind(&tables)
    .fetch_all(&mut *conn)
    .await?;
    let constraints: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.conname::text,
                format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
                format('ALTER TABLE %s ADD CONSTRAINT %I %s',
                       c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
         FROM pg_constraint c
         WHERE c.conrelid IN (SELECT to_regclass(t) FROM unnest($1::text[]) t)
           AND c.contype IN ('u', 'f')
         ORDER BY c.contype DESC, c.conrelid::regclass::text, c.conname",
    )
    .bind(&tables)
    .fetch_all(&mut *conn)
    .await?;
    // Dropping needs the tables to ourselves; do not wait forever on a
    // session that holds them. Foreign keys first: a unique constraint may
    // back one.
    sqlx::query("SET LOCAL lock_timeout = '30s'")
        .execute(&mut *conn)
        .await?;
    for (_, drop, _) in constraints.iter().rev().chain(&indexes) {
        sqlx::query(sqlx::AssertSqlSafe(drop.clone()))
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("SET LOCAL lock_timeout = 0")
        .execute(&mut *conn)
        .await?;
    Ok(indexes
        .into_iter()
        .chain(constraints)
        .map(|(name, _, create)| (name, create))
        .collect())
}

/// Which table a pass of the generator fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Entities,
    Names,
    /// Property values: about five per entity.
    Values,
    /// Tags: each device carries its zone.
    Tags,
}

/// Everything a pass needs; both passes walk the same estate.
#[derive(Debug, Clone)]
struct Plan {
    options: GenerateOptions,
    roots: HashSet<String>,
    type_ids: Vec<Uuid>,
    now: String,
    /// The estate's properties the values use, by [`Prop`].
    props: Vec<Uuid>,
    /// The six zone tags.
    zones: Vec<Uuid>,
}

/// The properties generated values use (indexes into `Plan::props`).
#[derive(Clone, Copy)]
enum Prop {
    Address,
    EnergyContract,
    FloorArea,
    CarbonFactor,
    Status,
    YearBuilt,
    Occupancy,
    Setpoint,
    Serial,
    Manufacturer,
    InstallDate,
    RatedPower,
    IpAddress,
    Firmware,
}

const PROP_KEYS: [&str; 14] = [
    "address",
    "energy_contract",
    "floor_area_m2",
    "carbon_factor_kg_per_kwh",
    "status",
    "year_built",
    "occupancy_capacity",
    "setpoint_c",
    "serial_number",
    "manufacturer",
    "install_date",
    "rated_power_kw",
    "ip_address",
    "firmware_version",
];

const ZONE_KEYS: [&str; 6] = ["north", "south", "east", "west", "roof", "basement"];
const MAKERS: [&str; 8] = [
    "Siemens",
    "Schneider Electric",
    "Daikin",
    "Carrier",
    "ABB",
    "Honeywell",
    "Trane",
    "Landis+Gyr",
];
const STATUS_KEYS: [&str; 8] = [
    "active",
    "active",
    "active",
    "maintenance",
    "active",
    "fault",
    "active",
    "retired",
];

/// A well-mixed 64-bit number from an id and a slot (deterministic).
fn mix(id: Uuid, slot: u64) -> u64 {
    let mut z = (id.as_u128() as u64)
        ^ ((id.as_u128() >> 64) as u64)
        ^ slot.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generated values of one entity: (property, stored JSON text).
fn values_of(kind: usize, id: Uuid) -> Vec<(Prop, String)> {
    let h = mix(id, 0);
    let s = |v: String| serde_json::Value::String(v).to_string();
    let status = s(STATUS_KEYS[(h % 8) as usize].to_string());
    let date = |salt: u64| {
        let x = mix(id, salt);
        s(format!(
            "20{:02}-{:02}-{:02}",
            10 + x % 16,
            1 + (x >> 8) % 12,
            1 + (x >> 16) % 28
        ))
    };
    let number = |salt: u64, modulo: u64| {
        let x = mix(id, salt);
        format!("{}.{}", x % modulo, (x >> 32) % 10)
    };
    match kind {
        TENANT => vec![
            (Prop::Address, s(format!("{} Harbour Road", 1 + h % 400))),
            (Prop::EnergyContract, s(format!("PPA-{:05}", h % 100_000))),
        ],
        SITE => vec![
            (Prop::Address, s(format!("{} Innovation Way", 1 + h % 900))),
            (Prop::FloorArea, number(1, 90_000)),
            (Prop::CarbonFactor, format!("0.{:03}", 20 + h % 400)),
            (Prop::Status, status),
        ],
        BUILDING => vec![
            (Prop::YearBuilt, format!("{}", 1950 + h % 75)),
            (Prop::FloorArea, number(1, 30_000)),
            (Prop::Occupancy, format!("{}", 20 + h % 2_000)),
            (Prop::Status, status),
        ],
        FLOOR => vec![
            (Prop::FloorArea, number(1, 4_000)),
            (Prop::Occupancy, format!("{}", 5 + h % 300)),
        ],
        ROOM => vec![
            (Prop::FloorArea, number(1, 400)),
            (Prop::Occupancy, format!("{}", 1 + h % 60)),
            (Prop::Setpoint, format!("{}.5", 18 + h % 6)),
        ],
        _ => {
            let mut v = vec![
                (
                    Prop::Serial,
                    s(format!("SN-{kind:02}-{:08}", h % 100_000_000)),
                ),
                (
                    Prop::Manufacturer,
                    s(MAKERS[((h >> 8) % 8) as usize].to_string()),
                ),
                (Prop::InstallDate, date(2)),
                (Prop::Status, status),
            ];
            let x = mix(id, 3);
            v.push(match kind {
                HVAC | HEAT_PUMP | BOILER | CHILLER | PV_INVERTER | BATTERY | EV_CHARGER => {
                    (Prop::RatedPower, number(3, 500))
                }
                TEMPERATURE | CO2 | OCCUPANCY => (
                    Prop::Firmware,
                    s(format!(
                        "{}.{}.{}",
                        1 + x % 4,
                        (x >> 8) % 10,
                        (x >> 16) % 20
                    )),
                ),
                _ => (
                    Prop::IpAddress,
                    s(format!(
                        "10.{}.{}.{}",
                        x % 256,
                        (x >> 8) % 256,
                        1 + (x >> 16) % 254
                    )),
                ),
            });
            v
        }
    }
}

/// What the walk produced.
#[derive(Debug, Clone, Default)]
struct Summary {
    rows: u64,
    tenants: u64,
    rare_names: u64,
    first_tenant_id: Uuid,
    first_tenant_label: String,
    wide_parent_label: Option<String>,
    /// Rows the pass's COPY stored.
    copied: u64,
}

/// Runs one pass: the generator on a blocking thread feeding a COPY.
async fn copy_pass(
    conn: &mut PgConnection,
    plan: &Plan,
    pass: Pass,
    progress: &(dyn Fn(GenerateProgress) + Send + Sync),
) -> CoreResult<Summary> {
    let (statement, phase) = match pass {
        Pass::Entities => (
            "COPY entities (id, entity_type_id, parent_entity_id, path, path_label, created_at, updated_at) FROM STDIN",
            GeneratePhase::Entities,
        ),
        Pass::Names => (
            "COPY entity_property_values (id, entity_id, property_definition_id, value, created_at, updated_at) FROM STDIN",
            GeneratePhase::Names,
        ),
        Pass::Values => (
            "COPY entity_property_values (id, entity_id, property_definition_id, value, created_at, updated_at) FROM STDIN",
            GeneratePhase::Values,
        ),
        Pass::Tags => (
            "COPY entity_tags (id, entity_id, tag_entity_id, created_at) FROM STDIN",
            GeneratePhase::Tags,
        ),
    };
    let total = plan.options.total();
    progress(GenerateProgress {
        phase,
        done: 0,
        total,
    });
    let (sender, mut chunks) = mpsc::channel::<(Vec<u8>, u64)>(4);
    let walker_plan = plan.clone();
    let walker = tokio::task::spawn_blocking(move || {
        let mut sink = CopySink::new(pass, &walker_plan, sender);
        let summary = Walker::new(&walker_plan, &mut sink).run();
        sink.flush();
        (summary, sink.copied)
    });
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut done = 0u64;
    while let Some((chunk, rows)) = chunks.recv().await {
        copy.send(chunk).await?;
        done += rows;
        progress(GenerateProgress { phase, done, total });
    }
    let (summary, written) = walker
        .await
        .map_err(|e| CoreError::Database(format!("the generator thread failed: {e}")))?;
    let copied = copy.finish().await?;
    if copied != written || summary.rows != total {
        return Err(CoreError::Database(format!(
            "the generator walked {} entities and wrote {written} rows; COPY stored {copied}, expected {total} entities",
            summary.rows
        )));
    }
    Ok(Summary { copied, ..summary })
}

/// One generated entity, as the walker hands it to a sink.
struct Row<'a> {
    id: Uuid,
    /// The entity's kind (index into KINDS).
    kind: usize,
    value_id: Uuid,
    type_id: Uuid,
    parent_id: Option<Uuid>,
    path: &'a str,
    path_label: &'a str,
    name: &'a str,
}

trait Sink {
    fn row(&mut self, row: &Row<'_>);
}

/// Formats rows as COPY text and sends them in chunks.
struct CopySink {
    pass: Pass,
    now: String,
    props: Vec<Uuid>,
    zones: Vec<Uuid>,
    /// COPY rows written so far (values and tags: several or none per entity).
    copied: u64,
    buf: String,
    rows: u64,
    sender: mpsc::Sender<(Vec<u8>, u64)>,
    closed: bool,
}

impl CopySink {
    fn new(pass: Pass, plan: &Plan, sender: mpsc::Sender<(Vec<u8>, u64)>) -> Self {
        CopySink {
            pass,
            now: plan.now.clone(),
            props: plan.props.clone(),
            zones: plan.zones.clone(),
            copied: 0,
            buf: String::with_capacity(CHUNK_BYTES + 4096),
            rows: 0,
            sender,
            closed: false,
        }
    }

    fn flush(&mut self) {
        if self.rows == 0 || self.closed {
            return;
        }
        let chunk = std::mem::replace(&mut self.buf, String::with_capacity(CHUNK_BYTES + 4096));
        if self
            .sender
            .blocking_send((chunk.into_bytes(), self.rows))
            .is_err()
        {
            // The COPY failed and its error is reported by the other side.
            self.closed = true;
        }
        self.rows = 0;
    }
}

impl Sink for CopySink {
    fn row(&mut self, row: &Row<'_>) {
        if self.closed {
            return;
        }
        let b = &mut self.buf;
        match self.pass {
            Pass::Entities => {
                let _ = write!(b, "{}\t{}\t", row.id, row.type_id);
                match row.parent_id {
                    Some(p) => {
                        let _ = write!(b, "{p}");
                    }
                    None => b.push_str("\\N"),
                }
                let _ = writeln!(
                    b,
                    "\t{}\t{}\t{}\t{}",
                    row.path, row.path_label, self.now, self.now
                );
            }
            Pass::Names => {
                let _ = write!(b, "{}\t{}\t{}\t", row.value_id, row.id, NAME_PROPERTY_ID);
                push_copy_text(b, &serde_json::Value::from(row.name).to_string());
                let _ = writeln!(b, "\t{}\t{}", self.now, self.now);
            }
            Pass::Values => {
                for (slot, (prop, json)) in values_of(row.kind, row.id).into_iter().enumerate() {
                    let value_id = Uuid::from_u64_pair(
                        mix(row.id, 100 + slot as u64),
                        mix(row.id, 200 + slot as u64),
                    );
                    let _ = write!(b, "{value_id}\t{}\t{}\t", row.id, self.props[prop as usize]);
                    push_copy_text(b, &json);
                    let _ = writeln!(b, "\t{}\t{}", self.now, self.now);
                    self.copied += 1;
                }
            }
            Pass::Tags => {
                if row.kind > ROOM {
                    let link_id = Uuid::from_u64_pair(mix(row.id, 300), mix(row.id, 301));
                    let zone = self.zones[(mix(row.id, 4) % self.zones.len() as u64) as usize];
                    let _ = writeln!(b, "{link_id}\t{}\t{zone}\t{}", row.id, self.now);
                    self.copied += 1;
                }
            }
        }
        if matches!(self.pass, Pass::Entities | Pass::Names) {
            self.copied += 1;
        }
        self.rows += 1;
        if self.buf.len() >= CHUNK_BYTES {
            self.flush();
        }
    }
}

/// Appends `s` escaped for COPY's text format.
fn push_copy_text(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// splitmix64: small, fast, and good enough for shapes and names.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[(usize, u32)]) -> usize {
        let sum: u64 = weights.iter().map(|w| u64::from(w.1)).sum();
        let mut r = self.below(sum);
        for &(item, w) in weights {
            if r < u64::from(w) {
                return item;
            }
            r -= u64::from(w);
        }
        weights[weights.len() - 1].0
    }

    /// `total` split into `parts` shares of at least 1, each within about
    /// ±30% of the mean.
    fn split(&mut self, total: u64, parts: u64) -> Vec<u64> {
        let parts = parts.clamp(1, total.max(1));
        let extra = total - parts;
        let weights: Vec<u64> = (0..parts).map(|_| 700 + self.below(601)).collect();
        let sum: u64 = weights.iter().sum();
        let mut shares: Vec<u64> = weights
            .iter()
            .map(|w| 1 + (u128::from(extra) * u128::from(*w) / u128::from(sum)) as u64)
            .collect();
        let mut left = total - shares.iter().sum::<u64>();
        let len = shares.len();
        let mut i = 0;
        while left > 0 {
            shares[i % len] += 1;
            left -= 1;
            i += 1;
        }
        shares
    }
}

/// Ids in uuid v7 layout, made from the seed: a millisecond timestamp that
/// grows with the row number (from a per-seed start in 2025), the row
/// number's low bits in `rand_a`, and 62 random bits from the seed.
struct IdStreams {
    base_ms: u64,
    index: u64,
    entities: Rng,
    values: Rng,
}

impl IdStreams {
    fn new(seed: u64) -> Self {
        let mut base = Rng::new(seed, 0x1D);
        IdStreams {
            // 2025-01-01T00:00:00Z plus up to a year.
            base_ms: 1_735_689_600_000 + base.below(365 * 86_400_000),
            index: 0,
            entities: Rng::new(seed, 0xE7),
            values: Rng::new(seed, 0x7A),
        }
    }

    fn v7(&self, random: u64) -> Uuid {
        let ms = u128::from(self.base_ms + self.index / 4096);
        let rand_a = u128::from(self.index % 4096);
        let rand_b = u128::from((random & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000);
        Uuid::from_u128((ms << 80) | (0x7 << 76) | (rand_a << 64) | rand_b)
    }

    /// The ids of the next entity and of its name value.
    fn next(&mut self) -> (Uuid, Uuid) {
        let (e, v) = (self.entities.next(), self.values.next());
        let ids = (self.v7(e), self.v7(v));
        self.index += 1;
        ids
    }
}

/// An emitted entity, as its children need it.
struct Node {
    id: Uuid,
    path: String,
    label: String,
}

/// Slugs taken among one parent's children.
#[derive(Default)]
struct Siblings(HashSet<String>);

impl Siblings {
    /// The slug the registry would give entity `id` named `base` among
    /// these siblings (`registry::labels::first_free`), now taken.
    fn claim(&mut self, base: &str, id: Uuid) -> String {
        let own = labels::first_free(None, base, id, |s| self.0.contains(s));
        self.0.insert(own.clone());
        own
    }
}

/// The kind of a room, which decides its devices.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RoomKind {
    Plant,
    Riser,
    CarPark,
    Ordinary,
}

const ORDINARY_DEVICES: &[(usize, u32)] = &[
    (TEMPERATURE, 24),
    (CO2, 12),
    (OCCUPANCY, 14),
    (LIGHTING, 20),
    (HVAC, 8),
    (ENERGY_METER, 5),
    (GATEWAY, 7),
];
const PLANT_DEVICES: &[(usize, u32)] = &[
    (BOILER, 10),
    (CHILLER, 8),
    (HEAT_PUMP, 10),
    (ENERGY_METER, 12),
    (GAS_METER, 8),
    (WATER_METER, 8),
    (HVAC, 10),
    (BATTERY, 4),
    (PV_INVERTER, 6),
    (GATEWAY, 6),
];
const RISER_DEVICES: &[(usize, u32)] = &[
    (ENERGY_METER, 40),
    (WATER_METER, 15),
    (GAS_METER, 10),
    (GATEWAY, 15),
];
const CAR_PARK_DEVICES: &[(usize, u32)] = &[
    (EV_CHARGER, 60),
    (LIGHTING, 20),
    (ENERGY_METER, 10),
    (OCCUPANCY, 10),
];
const OPEN_PLAN_DEVICES: &[(usize, u32)] = &[
    (OCCUPANCY, 40),
    (LIGHTING, 25),
    (TEMPERATURE, 20),
    (CO2, 10),
    (HVAC, 5),
];
const GATEWAY_CHILDREN: &[(usize, u32)] = &[(TEMPERATURE, 50), (CO2, 25), (OCCUPANCY, 25)];

const TENANT_PREFIXES: &[&str] = &[
    "Northwind",
    "Helios",
    "Greenfield",
    "Aurora",
    "Borealis",
    "Meridian",
    "Cobalt",
    "Evergreen",
    "Silverline",
    "Harbourside",
    "Summit",
    "Riverstone",
    "Bluewater",
    "Oakridge",
    "Ironbridge",
    "Kestrel",
    "Lumen",
    "Solstice",
    "Westbrook",
    "Alder",
    "Granite",
    "Highmoor",
    "Nordlys",
    "Verdant",
];
const TENANT_SUFFIXES: &[&str] = &[
    "Energy",
    "Facilities",
    "Properties",
    "Estates",
    "Campus",
    "Holdings",
    "Real Estate",
    "Utilities",
    "Healthcare",
    "Retail Group",
    "Logistics",
    "University",
];
const CITIES: &[&str] = &[
    "London",
    "Manchester",
    "Leeds",
    "Bristol",
    "Glasgow",
    "Edinburgh",
    "Cardiff",
    "Belfast",
    "Dublin",
    "Lyon",
    "Grenoble",
    "Paris",
    "Lille",
    "Nantes",
    "Bordeaux",
    "Toulouse",
    "Marseille",
    "Brussels",
    "Antwerp",
    "Ghent",
    "Rotterdam",
    "Utrecht",
    "Eindhoven",
    "Hamburg",
    "Berlin",
    "Munich",
    "Cologne",
    "Frankfurt",
    "Stuttgart",
    "Zurich",
    "Geneva",
    "Basel",
    "Vienna",
    "Graz",
    "Milan",
    "Turin",
    "Bologna",
    "Madrid",
    "Barcelona",
    "Valencia",
    "Lisbon",
    "Porto",
    "Copenhagen",
    "Aarhus",
    "Oslo",
    "Bergen",
    "Stockholm",
    "Gothenburg",
    "Helsinki",
    "Tampere",
    "Warsaw",
    "Krakow",
    "Prague",
    "Brno",
];
const DISTRICTS: &[&str] = &[
    "Central",
    "North",
    "South",
    "East",
    "West",
    "Docklands",
    "Business Park",
    "Innovation Park",
    "Riverside",
    "Airport",
    "Harbour",
    "Old Town",
    "Science Park",
    "Station Quarter",
    "Logistics Hub",
    "Medical Campus",
    "Tech Park",
    "Retail Park",
];

/// Walks the estate depth-first, handing each entity to the sink; the walk
/// (and so every name, slug and id) depends on the plan's seed only.
struct Walker<'a, S: Sink> {
    plan: &'a Plan,
    sink: &'a mut S,
    shape: Rng,
    ids: IdStreams,
    emitted: u64,
    /// Row numbers at which the next device gets the rare word.
    rare_at: Vec<u64>,
    rare_pending: u64,
    /// Per-building device numbers, by type.
    counters: [u32; 20],
    summary: Summary,
}

impl<'a, S: Sink> Walker<'a, S> {
    fn new(plan: &'a Plan, sink: &'a mut S) -> Self {
        let seed = plan.options.seed;
        let n = plan.options.entities;
        let mut rare = Rng::new(seed, 0x5A);
        let count = (n / 200_000).clamp(3, 10);
        let mut rare_at: Vec<u64> = (0..count).map(|_| rare.below(n)).collect();
        rare_at.sort_unstable();
        rare_at.reverse(); // popped from the end, smallest first
        Walker {
            plan,
            sink,
            shape: Rng::new(seed, 0x5E),
            ids: IdStreams::new(seed),
            emitted: 0,
            rare_at,
            rare_pending: 0,
            counters: [0; 20],
            summary: Summary::default(),
        }
    }

    fn run(mut self) -> Summary {
        let n = self.plan.options.entities;
        let tenants = n.div_ceil(75_000).max(1);
        let budgets = self.shape.split(n, tenants);
        let mut roots = Siblings(self.plan.roots.clone());
        let mut names: Vec<String> = TENANT_PREFIXES
            .iter()
            .flat_map(|p| TENANT_SUFFIXES.iter().map(move |s| format!("{p} {s}")))
            .collect();
        // A seeded shuffle: tenants differ per seed and never repeat early.
        for i in (1..names.len()).rev() {
            let j = self.shape.below(i as u64 + 1) as usize;
            names.swap(i, j);
        }
        for (i, budget) in budgets.into_iter().enumerate() {
            let name = match names.get(i) {
                Some(n) => n.clone(),
                None => format!("{} {}", names[i % names.len()], i / names.len() + 1),
            };
            let tenant = self.emit(None, &mut roots, TENANT, name);
            self.summary.tenants += 1;
            if i == 0 {
                self.summary.first_tenant_id = tenant.id;
                self.summary.first_tenant_label = tenant.label.clone();
            }
            let mut sites = Siblings::default();
            let rest = budget - 1;
            if rest > 0 {
                let count = ((rest + 1_750) / 3_500).max(1);
                for share in self.shape.split(rest, count) {
                    self.site(&tenant, &mut sites, share);
                }
            }
            if i == 0 && self.plan.options.wide > 0 {
                self.wide_site(&tenant, &mut sites, self.plan.options.wide);
            }
        }
        self.summary.rows = self.emitted;
        self.summary
    }

    /// Writes one entity under `parent` with a slug unique among `siblings`.
    fn emit(
        &mut self,
        parent: Option<&Node>,
        siblings: &mut Siblings,
        type_idx: usize,
        name: String,
    ) -> Node {
        let (id, value_id) = self.ids.next();
        let base = labels::slugify(&name, KINDS[type_idx]);
        let own = siblings.claim(&base, id);
        let hex = labels::id_label(id);
        let (path, label) = match parent {
            Some(p) => (format!("{}.{hex}", p.path), format!("{}.{own}", p.label)),
            None => (hex, own),
        };
        self.sink.row(&Row {
            id,
            kind: type_idx,
            value_id,
            type_id: self.plan.type_ids[type_idx],
            parent_id: parent.map(|p| p.id),
            path: &path,
            path_label: &label,
            name: &name,
        });
        self.emitted += 1;
        while self.rare_at.last().is_some_and(|&at| at <= self.emitted) {
            self.rare_at.pop();
            self.rare_pending += 1;
        }
        Node { id, path, label }
    }

    fn site(&mut self, tenant: &Node, siblings: &mut Siblings, budget: u64) {
        let mut name = String::new();
        for _ in 0..4 {
            name = format!("{} {}", self.shape.pick(CITIES), self.shape.pick(DISTRICTS));
            if !siblings.0.contains(&labels::slugify(&name, "site")) {
                break;
            }
        }
        let site = self.emit(Some(tenant), siblings, SITE, name);
        let rest = budget - 1;
        if rest == 0 {
            return;
        }
        // Most sites have one open-plan floor of ~1,000 devices (a wide node).
        let open_plan = (rest >= 2_500).then(|| 950 + self.shape.below(101));
        let rest = rest - open_plan.map_or(0, |k| k + 1);
        let mut buildings = Siblings::default();
        let count = ((rest + 450) / 900).clamp(1, 78);
        for (i, share) in self.shape.split(rest, count).into_iter().enumerate() {
            let extra = if i == 0 { open_plan } else { None };
            self.building(&site, &mut buildings, i, share, extra);
        }
    }

    fn building(
        &mut self,
        site: &Node,
        siblings: &mut Siblings,
        index: usize,
        budget: u64,
        open_plan: Option<u64>,
    ) {
        let letter = |i: usize| char::from(b'A' + (i % 26) as u8);
        let name = if index < 26 {
            format!("Building {}", letter(index))
        } else {
            format!("Building {}{}", letter(index), index / 26 + 1)
        };
        let building = self.emit(Some(site), siblings, BUILDING, name);
        self.counters = [0; 20];
        let mut floors = Siblings::default();
        let rest = budget - 1;
        let mut levels = 0;
        if rest > 0 {
            let count = ((rest + 55) / 110).clamp(1, 60);
            let shares = self.shape.split(rest, count);
            levels = shares.len();
            for (level, share) in shares.into_iter().enumerate() {
                self.floor(&building, &mut floors, level, share);
            }
        }
        if let Some(children) = open_plan {
            let level = levels.max(1);
            let floor = self.emit(
                Some(&building),
                &mut floors,
                FLOOR,
                format!("Level {level} open plan"),
            );
            let mut devices = Siblings::default();
            for _ in 0..children {
                let kind = self.shape.weighted(OPEN_PLAN_DEVICES);
                self.device(&floor, &mut devices, kind);
            }
        }
    }

    fn floor(&mut self, building: &Node, siblings: &mut Siblings, level: usize, budget: u64) {
        let name = if level == 0 {
            "Ground floor".to_string()
        } else {
            format!("Level {level}")
        };
        let floor = self.emit(Some(building), siblings, FLOOR, name);
        let rest = budget - 1;
        if rest == 0 {
            return;
        }
        let mut rooms = Siblings::default();
        let count = ((rest + 4) / 8).max(1);
        for (r, share) in self.shape.split(rest, count).into_iter().enumerate() {
            self.room(&floor, &mut rooms, level, r, share);
        }
    }

    fn room(&mut self, floor: &Node, siblings: &mut Siblings, level: usize, r: usize, budget: u64) {
        let number = r + 1;
        let (kind, name) = match (level, r) {
            (0, 0) => (RoomKind::Plant, "Plant room".to_string()),
            (0, 1) => (RoomKind::Ordinary, "Reception".to_string()),
            (0, 2) => (RoomKind::CarPark, "Car park".to_string()),
            (_, 0) => (RoomKind::Riser, format!("Electrical riser {level}")),
            (_, 1) => (RoomKind::Ordinary, format!("Kitchen {level}")),
            _ => {
                let label = *self.shape.pick(&[
                    "Room",
                    "Room",
                    "Room",
                    "Office",
                    "Meeting room",
                    "Open office",
                    "Store room",
                ]);
                (RoomKind::Ordinary, format!("{label} {level}.{number:02}"))
            }
        };
        let room = self.emit(Some(floor), siblings, ROOM, name);
        let mix = match kind {
            RoomKind::Plant => PLANT_DEVICES,
            RoomKind::Riser => RISER_DEVICES,
            RoomKind::CarPark => CAR_PARK_DEVICES,
            RoomKind::Ordinary => ORDINARY_DEVICES,
        };
        let mut devices = Siblings::default();
        let mut rest = budget - 1;
        while rest > 0 {
            let kind = self.shape.weighted(mix);
            let device = self.device(&room, &mut devices, kind);
            rest -= 1;
            if kind == GATEWAY && rest >= 2 {
                // A gateway with its own sensors: the deepest entities.
                let children = (2 + self.shape.below(5)).min(rest);
                let mut attached = Siblings::default();
                for _ in 0..children {
                    let kind = self.shape.weighted(GATEWAY_CHILDREN);
                    self.device(&device, &mut attached, kind);
                }
                rest -= children;
            }
        }
    }

    fn device(&mut self, parent: &Node, siblings: &mut Siblings, kind: usize) -> Node {
        self.counters[kind] += 1;
        let n = self.counters[kind];
        let base = match kind {
            ENERGY_METER => format!("Energy meter EM-{n:04}"),
            HVAC => format!("AHU-{n}"),
            TEMPERATURE => format!("Temperature sensor TS-{n:04}"),
            CO2 => format!("CO2 sensor CS-{n:04}"),
            LIGHTING => format!("Lighting controller LC-{n:04}"),
            HEAT_PUMP => format!("Heat pump HP-{n:02}"),
            BOILER => format!("Boiler B-{n:02}"),
            CHILLER => format!("Chiller CH-{n:02}"),
            PV_INVERTER => format!("PV inverter INV-{n:02}"),
            BATTERY => format!("Battery storage BAT-{n:02}"),
            EV_CHARGER => format!("EV charger EVC-{n:03}"),
            WATER_METER => format!("Water meter WM-{n:03}"),
            GAS_METER => format!("Gas meter GM-{n:03}"),
            OCCUPANCY => format!("Occupancy sensor OS-{n:04}"),
            _ => format!("Gateway GW-{n:03}"),
        };
        let name = if self.rare_pending > 0 {
            self.rare_pending -= 1;
            self.summary.rare_names += 1;
            format!("{RARE_WORD} {base}")
        } else {
            base
        };
        self.emit(Some(parent), siblings, kind, name)
    }

    /// One more site whose single building holds `children` devices.
    fn wide_site(&mut self, tenant: &Node, siblings: &mut Siblings, children: u64) {
        let site = self.emit(
            Some(tenant),
            siblings,
            SITE,
            "Distribution Centre Wide".to_string(),
        );
        let hall = self.emit(
            Some(&site),
            &mut Siblings::default(),
            BUILDING,
            "Warehouse hall".to_string(),
        );
        self.summary.wide_parent_label = Some(hall.label.clone());
        let mut shelves = Siblings::default();
        for i in 1..=children {
            let (kind, label) = if i % 4 == 0 {
                (OCCUPANCY, "Bay occupancy sensor")
            } else {
                (TEMPERATURE, "Shelf temperature sensor")
            };
            self.emit(Some(&hall), &mut shelves, kind, format!("{label} {i:06}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect(Vec<(String, String, String, Option<Uuid>, Uuid)>);
    impl Sink for Collect {
        fn row(&mut self, r: &Row<'_>) {
            self.0.push((
                r.path.to_string(),
                r.path_label.to_string(),
                r.name.to_string(),
                r.parent_id,
                r.id,
            ));
        }
    }

    fn walk(entities: u64, seed: u64, wide: u64, roots: &[&str]) -> (Summary, Collect) {
        let plan = Plan {
            options: GenerateOptions {
                entities,
                seed,
                wide,
            },
            roots: roots.iter().map(|s| s.to_string()).collect(),
            type_ids: (0..KINDS.len())
                .map(|i| Uuid::from_u128(i as u128 + 1))
                .collect(),
            props: (0..PROP_KEYS.len())
                .map(|i| Uuid::from_u128(1000 + i as u128))
                .collect(),
            zones: (0..ZONE_KEYS.len())
                .map(|i| Uuid::from_u128(2000 + i as u128))
                .collect(),
            now: "2026-01-01 00:00:00.000000+00".into(),
        };
        let mut sink = Collect(Vec::new());
        let summary = Walker::new(&plan, &mut sink).run();
        (summary, sink)
    }

    #[test]
    fn the_walk_has_the_requested_size_and_is_deterministic() {
        for n in [1, 2, 7, 100, 5_000, 123_457] {
            let (summary, rows) = walk(n, 42, 0, &[]);
            assert_eq!(summary.rows, n);
            assert_eq!(rows.0.len() as u64, n);
            let (_, again) = walk(n, 42, 0, &[]);
            assert_eq!(rows.0, again.0, "same seed, same rows (n = {n})");
        }
        let (_, a) = walk(5_000, 1, 0, &[]);
        let (_, b) = walk(5_000, 2, 0, &[]);
        assert_ne!(a.0, b.0, "another seed, another registry");
    }

    #[test]
    fn paths_labels_and_ids_follow_the_registry_rules() {
        let (summary, rows) = walk(60_000, 3, 1_500, &["northwind_energy"]);
        assert_eq!(summary.rows, 60_000 + 1_502);
        let mut by_id = std::collections::HashMap::new();
        let mut labels = HashSet::new();
        for (path, label, name, parent, id) in &rows.0 {
            assert_eq!(id.get_version_num(), 7);
            assert!(labels.insert(label.clone()), "unique label {label}");
            let hex = labels::id_label(*id);
            let own = label.rsplit('.').next().unwrap();
            let base = labels::slugify(name, "x");
            assert!(own == base || own.starts_with(&format!("{base}_")));
            match parent {
                None => {
                    assert_eq!(path, &hex);
                    assert!(!label.contains('.'));
                    assert_ne!(label, "northwind_energy", "existing roots are avoided");
                }
                Some(p) => {
                    let (ppath, plabel) = by_id.get(p).expect("parents come first");
                    assert_eq!(path, &format!("{ppath}.{hex}"));
                    assert_eq!(label, &format!("{plabel}.{own}"));
                }
            }
            by_id.insert(*id, (path.clone(), label.clone()));
        }
        let mut children = std::collections::HashMap::<Uuid, u64>::new();
        for (_, _, _, parent, _) in &rows.0 {
            if let Some(p) = parent {
                *children.entry(*p).or_default() += 1;
            }
        }
        assert!(children.values().any(|c| (950..=1_050).contains(c)));
        assert!(children.values().any(|c| *c == 1_500));
        let deepest = rows.0.iter().map(|r| r.0.split('.').count()).max();
        assert_eq!(deepest, Some(7));
        let rare = rows.0.iter().filter(|r| r.2.contains(RARE_WORD)).count();
        assert!((3..=10).contains(&rare), "{rare}");
        assert_eq!(rare as u64, summary.rare_names);
        let common_word = COMMON_WORD.to_lowercase();
        let common = rows
            .0
            .iter()
            .filter(|r| r.2.to_lowercase().contains(&common_word))
            .count();
        assert!(common > 10_000, "{common}");
    }

    #[test]
    fn generated_values_satisfy_the_estate_rules() {
        let estate = studio_core::demo::estate_properties();
        for (kind, kind_key) in KINDS.iter().enumerate() {
            for n in 0..200u128 {
                let id = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + n * 7919);
                let values = values_of(kind, id);
                assert!(
                    values.len() >= 2 && values.len() <= 5,
                    "{} has 2 to 5 values",
                    KINDS[kind]
                );
                for (prop, json) in values {
                    let key = PROP_KEYS[prop as usize];
                    let def = estate
                        .definitions
                        .iter()
                        .find(|d| d.key == key)
                        .unwrap_or_else(|| panic!("{key}"));
                    let value =
                        studio_core::records::PropertyValue::from_json_text(def.value_type, &json)
                            .unwrap_or_else(|| panic!("{key}: {json} is a {:?}", def.value_type));
                    def.rules
                        .validate(key, def.value_type, &value)
                        .unwrap_or_else(|e| panic!("{kind_key} {key} {json}: {e}"));
                }
            }
        }
    }

    #[test]
    fn copy_text_is_escaped() {
        let mut s = String::new();
        push_copy_text(&mut s, "a\\b\tc\nd");
        assert_eq!(s, "a\\\\b\\tc\\nd");
    }

    #[test]
    fn options_are_checked() {
        let o = |entities, wide| GenerateOptions {
            entities,
            seed: 1,
            wide,
        };
        assert!(o(0, 0).validate().is_err());
        assert!(o(MAX_ENTITIES + 1, 0).validate().is_err());
        assert!(o(MAX_ENTITIES, 0).validate().is_ok());
        assert!(o(MAX_ENTITIES - 10, 100).validate().is_err());
    }
}
