//! Properties against a real PostgreSQL: definitions and their rules, the
//! impact of a rule change, values round-tripping exactly, per-value
//! versions, required and sensitive properties, layouts, restoring a past
//! state, and the read model after each of them.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sqlx::PgPool;
use studio_core::properties::{
    self, PropertyDefinitionInput, PropertyDefinitionUpdate, PropertyGroupInput, RestoreProperties,
    SetValues, TypeLayoutUpdate, ValueEdit,
};
use studio_core::read_model;
use studio_core::records::{
    CurrentRow, LayoutEntry, PropertyDefinition, PropertyValue, Rules, SelectOption, TreeNode,
    ValueType, VersionedId,
};
use studio_core::registry::{self, CreateEntity};
use studio_core::testing::test_db;
use studio_core::{Actor, CoreError, Rule, Source};
use uuid::Uuid;

use crate::common::capture_logs;

fn actor() -> Actor {
    Actor::new(None, Source::Test)
}

async fn entity(pool: &PgPool, name: &str) -> TreeNode {
    crate::common::ensure_type(pool, "device", "Device", false).await;
    registry::create(
        pool,
        &actor(),
        &CreateEntity {
            type_key: "device".into(),
            parent_id: None,
            name: name.into(),
        },
    )
    .await
    .unwrap()
    .value
}

fn input(key: &str, value_type: ValueType, rules: Rules) -> PropertyDefinitionInput {
    PropertyDefinitionInput {
        group_id: None,
        key: key.into(),
        name: key.replace('_', " "),
        description: None,
        value_type,
        is_required: false,
        is_sensitive: false,
        is_searchable: true,
        rules,
    }
}

async fn define(pool: &PgPool, input: PropertyDefinitionInput) -> PropertyDefinition {
    properties::create_property_definition(pool, &actor(), &input)
        .await
        .unwrap_or_else(|e| panic!("define {}: {e:?}", input.key))
        .value
}

/// Sets one value (None clears it) against its current version.
async fn set(
    pool: &PgPool,
    entity: Uuid,
    def: &PropertyDefinition,
    value: Option<PropertyValue>,
) -> Result<properties::PropertyPane, CoreError> {
    let pane = properties::property_pane(pool, entity).await?;
    let version = field(&pane, &def.key).and_then(|f| f.value_updated_at);
    properties::set_values(
        pool,
        &actor(),
        &SetValues {
            entity_id: entity,
            edits: vec![ValueEdit {
                definition_id: def.id,
                expected_updated_at: version,
                value,
            }],
        },
    )
    .await
    .map(|a| a.value)
}

fn field<'a>(pane: &'a properties::PropertyPane, key: &str) -> Option<&'a properties::PaneField> {
    pane.sections
        .iter()
        .flat_map(|s| &s.fields)
        .find(|f| f.definition.key == key)
}

async fn read_model_is_consistent(pool: &PgPool) {
    let mut conn = pool.acquire().await.unwrap();
    let problems = read_model::check(&mut conn, 20).await.unwrap();
    assert!(
        problems.is_empty(),
        "the read model agrees with the system of record: {problems:?}"
    );
}

async fn stored_rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM entity_property_values")
        .fetch_one(pool)
        .await
        .unwrap()
}

fn select(keys: &[&str]) -> Rules {
    Rules {
        options: Some(
            keys.iter()
                .map(|k| SelectOption {
                    key: k.to_string(),
                    label: k.to_uppercase(),
                    color: Some("#2f9e44".into()),
                })
                .collect(),
        ),
        ..Rules::default()
    }
}

#[tokio::test]
async fn definitions_check_keys_rules_and_versions() {
    let db = test_db().await;
    let pool = &db.pool;
    let group = properties::create_property_group(
        pool,
        &actor(),
        &PropertyGroupInput {
            key: "technical".into(),
            name: "Technical".into(),
            description: None,
        },
    )
    .await
    .unwrap()
    .value;
    let mut power = input(
        "rated_power_kw",
        ValueType::Number,
        Rules {
            min: Some("0".into()),
            ..Rules::default()
        },
    );
    power.group_id = Some(group.id);
    let power = define(pool, power).await;
    assert_eq!(power.group_id, Some(group.id));

    let refused = |r: Result<_, CoreError>, field: &str, rule: Rule| match r {
        Err(CoreError::Validation(v)) => {
            assert_eq!(
                (v.field.as_deref(), v.rule),
                (Some(field), rule),
                "{}",
                v.message
            )
        }
        other => panic!("expected Validation({field}, {rule:?}), got {other:?}"),
    };
    let a = actor();
    refused(
        properties::create_property_definition(
            pool,
            &a,
            &input("rated_power_kw", ValueType::Text, Rules::default()),
        )
        .await
        .map(|a| a.value),
        "key",
        Rule::Unique,
    );
    refused(
        properties::create_property_definition(
            pool,
            &a,
            &input("Bad Key", ValueType::Text, Rules::default()),
        )
        .await
        .map(|a| a.value),
        "key",
        Rule::Format,
    );
    refused(
        properties::create_property_definition(
            pool,
            &a,
            &input(
                "limits",
                ValueType::Number,
                Rules {
                    max_length: Some(3),
                    ..Rules::default()
                },
            ),
        )
        .await
        .map(|a| a.value),
        "validation",
        Rule::Format,
    );
    refused(
        properties::create_property_definition(
            pool,
            &a,
            &input("status", ValueType::SingleSelect, Rules::default()),
        )
        .await
        .map(|a| a.value),
        "validation",
        Rule::Required,
    );

    // A stale edit conflicts with the current definition.
    let update = |d: &PropertyDefinition, name: &str| PropertyDefinitionUpdate {
        id: d.id,
        expected_updated_at: d.updated_at,
        group_id: d.group_id,
        name: name.into(),
        description: None,
        value_type: d.value_type,
        is_required: d.is_required,
        is_sensitive: d.is_sensitive,
        is_searchable: d.is_searchable,
        rules: d.rules.clone(),
        accept_invalid: None,
    };
    let renamed = properties::update_property_definition(pool, &a, &update(&power, "Rated power"))
        .await
        .unwrap()
        .value;
    match properties::update_property_definition(pool, &a, &update(&power, "Power")).await {
        Err(CoreError::Conflict {
            current: CurrentRow::PropertyDefinition(current),
            ..
        }) => assert_eq!(*current, renamed),
        other => panic!("a stale edit conflicts: {other:?}"),
    }
    // The system property `name` is not editable.
    let all = properties::list_property_definitions(pool, false)
        .await
        .unwrap();
    let name = all
        .iter()
        .find(|d| d.is_system)
        .expect("the name property is listed");
    assert!(matches!(
        properties::update_property_definition(pool, &a, &update(name, "Title")).await,
        Err(CoreError::Forbidden(_))
    ));
    // A group with a live property cannot go; deleted, the property comes back.
    assert!(matches!(
        properties::delete_property_group(
            pool,
            &a,
            &VersionedId {
                id: group.id,
                expected_updated_at: group.updated_at
            }
        )
        .await,
        Err(CoreError::InUse(_))
    ));
    let deleted = properties::delete_property_definition(
        pool,
        &a,
        &VersionedId {
            id: renamed.id,
            expected_updated_at: renamed.updated_at,
        },
    )
    .await
    .unwrap()
    .value;
    assert!(deleted.deleted_at.is_some());
    assert!(!properties::list_property_definitions(pool, false)
        .await
        .unwrap()
        .iter()
        .any(|d| d.id == renamed.id));
    let back = properties::restore_property_definition(pool, &a, renamed.id)
        .await
        .unwrap()
        .value;
    assert!(back.deleted_at.is_none());
}

#[tokio::test]
async fn values_round_trip_exactly_and_invalid_ones_change_nothing() {
    let db = test_db().await;
    let pool = &db.pool;
    let e = entity(pool, "Inverter 7").await;
    let cases: Vec<(PropertyDefinition, PropertyValue)> = vec![
        (
            define(
                pool,
                input(
                    "serial",
                    ValueType::Text,
                    Rules {
                        pattern: Some("[A-Z0-9-]+".into()),
                        ..Rules::default()
                    },
                ),
            )
            .await,
            PropertyValue::Text("SN-0042".into()),
        ),
        (
            define(
                pool,
                input("energy_kwh", ValueType::Number, Rules::default()),
            )
            .await,
            PropertyValue::Number("-12345678901234567890.123456789000".into()),
        ),
        (
            define(pool, input("online", ValueType::Boolean, Rules::default())).await,
            PropertyValue::Boolean(true),
        ),
        (
            define(
                pool,
                input(
                    "installed",
                    ValueType::Date,
                    Rules {
                        with_time: Some(true),
                        ..Rules::default()
                    },
                ),
            )
            .await,
            PropertyValue::Date("2026-03-01T09:30:00+01:00".into()),
        ),
        (
            define(pool, input("config", ValueType::Json, Rules::default())).await,
            PropertyValue::Json(
                "{\"gain\": 1.50, \"steps\": [1, 2, 3], \"big\": 123456789012345678901234567890}"
                    .into(),
            ),
        ),
        (
            define(
                pool,
                input(
                    "ip",
                    ValueType::IpAddress,
                    Rules {
                        cidr: Some(true),
                        ..Rules::default()
                    },
                ),
            )
            .await,
            PropertyValue::IpAddress("2001:db8::/32".into()),
        ),
        (
            define(
                pool,
                input("firmware_url", ValueType::Url, Rules::default()),
            )
            .await,
            PropertyValue::Url("https://firmware.example/v2.1?x=1".into()),
        ),
        (
            define(
                pool,
                input(
                    "status",
                    ValueType::SingleSelect,
                    select(&["active", "retired"]),
                ),
            )
            .await,
            PropertyValue::SingleSelect("active".into()),
        ),
        (
            define(
                pool,
                input("features", ValueType::MultiSelect, select(&["a", "b", "c"])),
            )
            .await,
            PropertyValue::MultiSelect(vec!["c".into(), "a".into()]),
        ),
    ];
    for (def, value) in &cases {
        let pane = set(pool, e.id, def, Some(value.clone())).await.unwrap();
        let stored = field(&pane, &def.key).unwrap();
        let expected = match value {
            // jsonb keeps every digit but normalises whitespace.
            PropertyValue::Json(_) => PropertyValue::Json(
                "{\"big\": 123456789012345678901234567890, \"gain\": 1.50, \"steps\": [1, 2, 3]}"
                    .into(),
            ),
            other => other.clone(),
        };
        assert_eq!(
            stored.value.as_ref(),
            Some(&expected),
            "{} round-trips",
            def.key
        );
        assert!(stored.problem.is_none() && stored.raw.is_none());
    }
    read_model_is_consistent(pool).await;
    let in_read_model: serde_json::Value =
        sqlx::query_scalar("SELECT properties FROM entity_read_model WHERE entity_id = $1")
            .bind(e.id)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(
        in_read_model["status"], "active",
        "searchable values are in the read model"
    );

    // Invalid values: a typed error naming the property and the rule, and
    // nothing written.
    let before = stored_rows(pool).await;
    let version = properties::property_pane(pool, e.id)
        .await
        .unwrap()
        .updated_at;
    let invalid: Vec<(usize, PropertyValue, Rule)> = vec![
        (0, PropertyValue::Text("lower case".into()), Rule::Pattern),
        (1, PropertyValue::Number("1e5".into()), Rule::Format),
        (1, PropertyValue::Number("NaN".into()), Rule::Format),
        (1, PropertyValue::Text("12".into()), Rule::Type),
        (3, PropertyValue::Date("2026-02-30".into()), Rule::Format),
        (4, PropertyValue::Json("{\"a\": ".into()), Rule::Format),
        (
            4,
            PropertyValue::Json(format!("{}1{}", "[".repeat(40), "]".repeat(40))),
            Rule::TooDeep,
        ),
        (
            5,
            PropertyValue::IpAddress("300.1.1.1".into()),
            Rule::Format,
        ),
        (
            6,
            PropertyValue::Url("javascript:alert(1)".into()),
            Rule::Choice,
        ),
        (
            7,
            PropertyValue::SingleSelect("unknown".into()),
            Rule::Choice,
        ),
        (
            8,
            PropertyValue::MultiSelect(vec!["a".into(), "a".into()]),
            Rule::Unique,
        ),
    ];
    for (i, value, rule) in invalid {
        let def = &cases[i].0;
        match set(pool, e.id, def, Some(value.clone())).await {
            Err(CoreError::Validation(v)) => {
                assert_eq!(
                    v.field.as_deref(),
                    Some(def.key.as_str()),
                    "{value:?}: names the property"
                );
                assert_eq!(v.rule, rule, "{value:?}: {}", v.message);
            }
            other => panic!("{value:?} must be refused: {other:?}"),
        }
    }
    assert_eq!(stored_rows(pool).await, before, "nothing was written");
    assert_eq!(
        properties::property_pane(pool, e.id)
            .await
            .unwrap()
            .updated_at,
        version
    );
}

#[tokio::test]
async fn each_value_has_its_version_and_two_editors_of_one_value_do_not_overwrite() {
    let db = test_db().await;
    let pool = &db.pool;
    let e = entity(pool, "Meter 1").await;
    let a_def = define(
        pool,
        input("manufacturer", ValueType::Text, Rules::default()),
    )
    .await;
    let b_def = define(pool, input("model", ValueType::Text, Rules::default())).await;
    let seen = set(pool, e.id, &a_def, Some(PropertyValue::Text("Acme".into())))
        .await
        .unwrap();
    let seen_version = field(&seen, "manufacturer").unwrap().value_updated_at;

    // Another property of the same entity changes: no conflict for this one.
    set(pool, e.id, &b_def, Some(PropertyValue::Text("X1".into())))
        .await
        .unwrap();
    // One person saves over the version both saw...
    let edit = |value: &str| SetValues {
        entity_id: e.id,
        edits: vec![ValueEdit {
            definition_id: a_def.id,
            expected_updated_at: seen_version,
            value: Some(PropertyValue::Text(value.into())),
        }],
    };
    let _saved = properties::set_values(pool, &actor(), &edit("Acme Corp"))
        .await
        .unwrap();
    // ...the other gets a Conflict with the current value, and nothing changes.
    match properties::set_values(pool, &actor(), &edit("ACME")).await {
        Err(CoreError::Conflict {
            current: CurrentRow::PropertyValue(current),
            ..
        }) => {
            assert_eq!(current.key, "manufacturer");
            assert_eq!(current.value, Some(PropertyValue::Text("Acme Corp".into())));
        }
        other => panic!("expected a Conflict: {other:?}"),
    }
    let pane = properties::property_pane(pool, e.id).await.unwrap();
    assert_eq!(
        field(&pane, "manufacturer").unwrap().value,
        Some(PropertyValue::Text("Acme Corp".into()))
    );
    read_model_is_consistent(pool).await;
}

#[tokio::test]
async fn required_and_layout_and_sensitive_properties() {
    let db = test_db().await;
    let pool = &db.pool;
    let e = entity(pool, "Gateway 3").await;
    let serial = define(
        pool,
        PropertyDefinitionInput {
            is_required: true,
            ..input("serial", ValueType::Text, Rules::default())
        },
    )
    .await;
    let site_code = define(pool, input("site_code", ValueType::Text, Rules::default())).await;
    let token = define(
        pool,
        PropertyDefinitionInput {
            is_sensitive: true,
            ..input("api_token", ValueType::Text, Rules::default())
        },
    )
    .await;

    // The type's layout: in order, and requiring site_code for this type.
    let type_id: Uuid =
        sqlx::query_scalar("SELECT id FROM entity_type_definitions WHERE key = 'device'")
            .fetch_one(pool)
            .await
            .unwrap();
    let layout = properties::type_layout(pool, type_id).await.unwrap();
    let layout = properties::set_type_layout(
        pool,
        &actor(),
        &TypeLayoutUpdate {
            entity_type_id: type_id,
            expected_updated_at: layout.updated_at,
            entries: vec![
                LayoutEntry {
                    definition_id: site_code.id,
                    is_required: true,
                },
                LayoutEntry {
                    definition_id: serial.id,
                    is_required: false,
                },
            ],
        },
    )
    .await
    .unwrap()
    .value;
    assert_eq!(layout.entries.len(), 2);
    let pane = properties::property_pane(pool, e.id).await.unwrap();
    let keys: Vec<&str> = pane
        .sections
        .iter()
        .flat_map(|s| &s.fields)
        .map(|f| f.definition.key.as_str())
        .collect();
    assert_eq!(
        keys,
        ["site_code", "serial"],
        "the layout's order, values or not"
    );
    assert!(pane
        .sections
        .iter()
        .flat_map(|s| &s.fields)
        .all(|f| f.required));

    for def in [&serial, &site_code] {
        set(pool, e.id, def, Some(PropertyValue::Text("X-1".into())))
            .await
            .unwrap();
        match set(pool, e.id, def, None).await {
            Err(CoreError::Validation(v)) => assert_eq!(
                (v.field.as_deref(), v.rule),
                (Some(def.key.as_str()), Rule::Required)
            ),
            other => panic!("{} cannot be cleared: {other:?}", def.key),
        }
    }

    // A sensitive value is stored, shown to the pane, and nowhere else.
    let secret = "s3cr3t-token-value-4711";
    let a = actor();
    let pane = properties::set_values(
        pool,
        &a,
        &SetValues {
            entity_id: e.id,
            edits: vec![ValueEdit {
                definition_id: token.id,
                expected_updated_at: None,
                value: Some(PropertyValue::Text(secret.into())),
            }],
        },
    )
    .await
    .unwrap();
    assert!(
        !format!("{:?}", pane.changes).contains(secret),
        "the change (and so the event) is redacted"
    );
    assert_eq!(
        field(&pane.value, "api_token").unwrap().value,
        Some(PropertyValue::Text(secret.into()))
    );
    let audit: String = sqlx::query_scalar(
        "SELECT before::text || after::text FROM audit_events WHERE request_id = $1",
    )
    .bind(a.request_id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(
        !audit.contains(secret) && audit.contains("<redacted>"),
        "the audit row is redacted: {audit}"
    );
    let rm: String =
        sqlx::query_scalar("SELECT properties::text FROM entity_read_model WHERE entity_id = $1")
            .bind(e.id)
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(
        !rm.contains(secret) && !rm.contains("api_token"),
        "sensitive values stay out of the read model"
    );
    read_model_is_consistent(pool).await;
}

#[tokio::test]
async fn a_rule_change_that_invalidates_values_needs_confirming_their_number() {
    let db = test_db().await;
    let pool = &db.pool;
    let power = define(pool, input("power_kw", ValueType::Number, Rules::default())).await;
    for (i, v) in ["5", "50", "500"].iter().enumerate() {
        let e = entity(pool, &format!("Pump {i}")).await;
        set(
            pool,
            e.id,
            &power,
            Some(PropertyValue::Number(v.to_string())),
        )
        .await
        .unwrap();
    }
    let mut change = PropertyDefinitionUpdate {
        id: power.id,
        expected_updated_at: power.updated_at,
        group_id: None,
        name: power.name.clone(),
        description: None,
        value_type: ValueType::Number,
        is_required: false,
        is_sensitive: false,
        is_searchable: true,
        rules: Rules {
            max: Some("100".into()),
            ..Rules::default()
        },
        accept_invalid: None,
    };
    let impact = properties::property_definition_impact(pool, &change)
        .await
        .unwrap();
    assert_eq!((impact.values, impact.invalid), (3, 1));
    assert_eq!(impact.samples[0].value.as_deref(), Some("500"));
    assert_eq!(impact.samples[0].entity_name, "Pump 2");
    match properties::update_property_definition(pool, &actor(), &change).await {
        Err(CoreError::Validation(v)) => assert_eq!(v.rule, Rule::Confirm),
        other => panic!("unconfirmed: {other:?}"),
    }
    change.accept_invalid = Some(2);
    assert!(
        properties::update_property_definition(pool, &actor(), &change)
            .await
            .is_err(),
        "the wrong count is not a confirmation"
    );
    change.accept_invalid = Some(1);
    let updated = properties::update_property_definition(pool, &actor(), &change)
        .await
        .unwrap();
    assert!(matches!(
        updated.changes[..],
        [studio_core::Change::PropertyDefinitionUpdated {
            invalid_values: 1,
            ..
        }]
    ));
    // The value is kept, and shown as invalid.
    let pump: Uuid =
        sqlx::query_scalar("SELECT entity_id FROM entity_read_model WHERE name = 'Pump 2'")
            .fetch_one(pool)
            .await
            .unwrap();
    let pane = properties::property_pane(pool, pump).await.unwrap();
    let f = field(&pane, "power_kw").unwrap();
    assert_eq!(f.value, Some(PropertyValue::Number("500".into())));
    assert!(
        f.problem
            .as_deref()
            .is_some_and(|p| p.contains("at most 100")),
        "{:?}",
        f.problem
    );
}

#[tokio::test]
async fn a_past_state_of_the_properties_is_restored_as_one_new_change() {
    let db = test_db().await;
    let pool = &db.pool;
    let e = entity(pool, "Chiller 2").await;
    let status = define(
        pool,
        input(
            "status",
            ValueType::SingleSelect,
            select(&["active", "maintenance", "retired"]),
        ),
    )
    .await;
    let note = define(pool, input("note", ValueType::Text, Rules::default())).await;
    set(
        pool,
        e.id,
        &status,
        Some(PropertyValue::SingleSelect("active".into())),
    )
    .await
    .unwrap();
    set(pool, e.id, &note, Some(PropertyValue::Text("first".into())))
        .await
        .unwrap();
    let history = registry::entity_history(pool, e.id, 50).await.unwrap();
    let good = history
        .iter()
        .find(|h| h.action == "entity.properties")
        .unwrap()
        .id;
    set(
        pool,
        e.id,
        &status,
        Some(PropertyValue::SingleSelect("retired".into())),
    )
    .await
    .unwrap();
    set(pool, e.id, &note, None).await.unwrap();

    let version = properties::property_pane(pool, e.id)
        .await
        .unwrap()
        .updated_at;
    let a = actor();
    let restored = properties::restore_properties(
        pool,
        &a,
        &RestoreProperties {
            entity_id: e.id,
            expected_updated_at: version,
            as_of_event_id: good,
        },
    )
    .await
    .unwrap();
    assert_eq!(restored.changes.len(), 1, "one new change");
    assert!(restored.value.skipped.is_empty());
    let pane = restored.value.pane;
    assert_eq!(
        field(&pane, "status").unwrap().value,
        Some(PropertyValue::SingleSelect("active".into()))
    );
    assert_eq!(
        field(&pane, "note").unwrap().value,
        Some(PropertyValue::Text("first".into()))
    );
    // A stale version is refused.
    assert!(matches!(
        properties::restore_properties(
            pool,
            &a,
            &RestoreProperties {
                entity_id: e.id,
                expected_updated_at: version,
                as_of_event_id: good
            },
        )
        .await,
        Err(CoreError::Conflict { .. })
    ));
    read_model_is_consistent(pool).await;
}

/// A valid value of each type, and an invalid one.
fn values_of(t: ValueType) -> (BoxedStrategy<PropertyValue>, BoxedStrategy<PropertyValue>) {
    use PropertyValue as V;
    let any_text = "\\PC{0,30}";
    match t {
        ValueType::Text => (
            "[^\u{0}]{0,50}".prop_map(V::Text).boxed(),
            "[a-z]{51,60}".prop_map(V::Text).boxed(),
        ),
        ValueType::Number => (
            "-?(0|[1-9][0-9]{0,30})(\\.[0-9]{1,20})?"
                .prop_filter("no negative zero", |s| {
                    !s.starts_with('-') || !s.trim_start_matches(['-', '0', '.']).is_empty()
                })
                .prop_map(V::Number)
                .boxed(),
            prop_oneof![
                Just("NaN".to_string()),
                Just("Infinity".to_string()),
                Just("1e5".to_string()),
                "[0-9]{1,3}\\.".prop_map(|s| s),
                any_text.prop_filter("not a decimal", |s| s.parse::<f64>().is_err()),
            ]
            .prop_map(V::Number)
            .boxed(),
        ),
        ValueType::Boolean => (
            any::<bool>().prop_map(V::Boolean).boxed(),
            any::<bool>().prop_map(|b| V::Text(b.to_string())).boxed(),
        ),
        ValueType::Date => (
            (1900u32..2100, 1u32..13, 1u32..29)
                .prop_map(|(y, m, d)| V::Date(format!("{y:04}-{m:02}-{d:02}")))
                .boxed(),
            prop_oneof![
                (1900u32..2100, 13u32..99).prop_map(|(y, m)| format!("{y:04}-{m:02}-01")),
                any_text.prop_filter("not a date", |s| chrono::NaiveDate::parse_from_str(
                    s, "%Y-%m-%d"
                )
                .is_err()),
            ]
            .prop_map(V::Date)
            .boxed(),
        ),
        ValueType::Json => (
            prop_oneof![
                Just("{}".to_string()),
                "[0-9]{1,25}".prop_map(|n| format!(
                    "{{\"n\": {}}}",
                    n.trim_start_matches('0').to_string() + "1"
                )),
                "[a-z ]{0,20}".prop_map(|s| format!("[\"{s}\", true, null]")),
            ]
            .prop_map(V::Json)
            .boxed(),
            prop_oneof![
                Just("{".to_string()),
                Just("[1,]".to_string()),
                Just("NaN".to_string())
            ]
            .prop_map(V::Json)
            .boxed(),
        ),
        ValueType::IpAddress => (
            (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>())
                .prop_map(|(a, b, c, d)| V::IpAddress(format!("{a}.{b}.{c}.{d}")))
                .boxed(),
            (256u32..999, any::<u8>())
                .prop_map(|(a, b)| V::IpAddress(format!("{a}.{b}.0.1")))
                .boxed(),
        ),
        ValueType::Url => (
            "[a-z]{1,10}"
                .prop_map(|h| V::Url(format!("https://{h}.example/path")))
                .boxed(),
            "[a-z]{1,10}"
                .prop_map(|h| V::Url(format!("ftp://{h}.example")))
                .boxed(),
        ),
        ValueType::SecretReference => (
            Just(V::Boolean(true)).boxed(),
            Just(V::Text("x".into())).boxed(),
        ),
        ValueType::SingleSelect => (
            prop_oneof![Just("a"), Just("b"), Just("c")]
                .prop_map(|k| V::SingleSelect(k.into()))
                .boxed(),
            "[d-z]{1,5}".prop_map(V::SingleSelect).boxed(),
        ),
        ValueType::MultiSelect => (
            proptest::sample::subsequence(vec!["a", "b", "c"], 0..=3)
                .prop_map(|ks| V::MultiSelect(ks.into_iter().map(String::from).collect()))
                .boxed(),
            prop_oneof![
                Just(V::MultiSelect(vec!["a".into(), "a".into()])),
                "[d-z]{1,5}".prop_map(|k| V::MultiSelect(vec![k])),
            ]
            .boxed(),
        ),
    }
}

/// For every value type, random valid values round-trip through the
/// database exactly and random invalid ones are refused with a typed error
/// naming the property, writing nothing.
#[test]
fn every_value_type_round_trips_valid_values_and_refuses_invalid_ones() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = runtime.block_on(test_db());
    let pool = db.pool.clone();
    let e = runtime.block_on(entity(&pool, "Probe"));
    for t in ValueType::ALL {
        if t == ValueType::SecretReference {
            continue; // a reference to an entity: covered below
        }
        let rules = match t {
            ValueType::Text => Rules {
                max_length: Some(50),
                ..Rules::default()
            },
            ValueType::SingleSelect | ValueType::MultiSelect => select(&["a", "b", "c"]),
            ValueType::IpAddress => Rules {
                ipv6: Some(false),
                ..Rules::default()
            },
            _ => Rules::default(),
        };
        let def = runtime.block_on(define(&pool, input(&format!("p_{}", t.as_str()), t, rules)));
        let (valid, invalid) = values_of(t);
        let mut runner = TestRunner::new(Config {
            cases: 24,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&valid, |value| {
                let pane = runtime
                    .block_on(set(&pool, e.id, &def, Some(value.clone())))
                    .map_err(|err| {
                        TestCaseError::fail(format!("{} {value:?} refused: {err:?}", t.as_str()))
                    })?;
                let back = field(&pane, &def.key).and_then(|f| f.value.clone());
                let same = match (&value, &back) {
                    // jsonb normalises whitespace; compare the parsed JSON.
                    (PropertyValue::Json(a), Some(PropertyValue::Json(b))) => {
                        serde_json::from_str::<serde_json::Value>(a).ok()
                            == serde_json::from_str(b).ok()
                    }
                    _ => back.as_ref() == Some(&value),
                };
                prop_assert!(same, "{} {value:?} read back as {back:?}", t.as_str());
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
        runner
            .run(&invalid, |value| {
                let before = runtime.block_on(stored_rows(&pool));
                let version = runtime
                    .block_on(properties::property_pane(&pool, e.id))
                    .unwrap();
                let result = runtime.block_on(set(&pool, e.id, &def, Some(value.clone())));
                match result {
                    Err(CoreError::Validation(v)) => {
                        prop_assert_eq!(v.field.as_deref(), Some(def.key.as_str()));
                    }
                    other => {
                        return Err(TestCaseError::fail(format!(
                            "{} {value:?} accepted: {other:?}",
                            t.as_str()
                        )))
                    }
                }
                prop_assert_eq!(runtime.block_on(stored_rows(&pool)), before);
                let after = runtime
                    .block_on(properties::property_pane(&pool, e.id))
                    .unwrap();
                prop_assert_eq!(after.updated_at, version.updated_at);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
    }
    // A secret reference must name a live secret.
    let secret_ref = runtime.block_on(define(
        &pool,
        input("token_ref", ValueType::SecretReference, Rules::default()),
    ));
    let not_a_secret = runtime.block_on(entity(&pool, "Vault item"));
    assert!(matches!(
        runtime.block_on(set(&pool, e.id, &secret_ref, Some(PropertyValue::SecretReference(not_a_secret.id)))),
        Err(CoreError::Validation(ref v)) if v.rule == Rule::Reference
    ));
    let target = runtime
        .block_on(registry::create(
            &pool,
            &actor(),
            &CreateEntity {
                type_key: "secret".into(),
                parent_id: Some(not_a_secret.id),
                name: "Token".into(),
            },
        ))
        .unwrap()
        .value;
    assert!(runtime
        .block_on(set(
            &pool,
            e.id,
            &secret_ref,
            Some(PropertyValue::SecretReference(target.id))
        ))
        .is_ok());
    assert!(matches!(
        runtime.block_on(set(&pool, e.id, &secret_ref, Some(PropertyValue::SecretReference(Uuid::now_v7())))),
        Err(CoreError::Validation(ref v)) if v.rule == Rule::Reference
    ));
    runtime.block_on(read_model_is_consistent(&pool));
}

/// Sensitive values never reach the logs (at the most verbose level, the
/// database driver's included), the audit trail, the changes the app turns
/// into events, the read model or a history read: only the pane shows them.
#[test]
fn sensitive_values_appear_in_no_log_audit_row_event_or_history() {
    let (logs, _guard) = capture_logs();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secret = "hunter2-s3nsitive-marker-9931";
    let seen_in = runtime.block_on(async {
        let db = test_db().await;
        let pool = &db.pool;
        let e = entity(pool, "Gateway 9").await;
        let token = define(
            pool,
            PropertyDefinitionInput {
                is_sensitive: true,
                ..input("access_key", ValueType::Text, Rules::default())
            },
        )
        .await;
        let pane = set(pool, e.id, &token, Some(PropertyValue::Text(secret.into())))
            .await
            .unwrap();
        assert_eq!(
            field(&pane, "access_key").unwrap().value,
            Some(PropertyValue::Text(secret.into()))
        );
        let changed = properties::set_values(
            pool,
            &actor(),
            &SetValues {
                entity_id: e.id,
                edits: vec![ValueEdit {
                    definition_id: token.id,
                    expected_updated_at: field(&pane, "access_key").unwrap().value_updated_at,
                    value: Some(PropertyValue::Text(format!("{secret}-2"))),
                }],
            },
        )
        .await
        .unwrap();
        // A bulk edit of the same property.
        let bulk = studio_core::bulk::bulk_apply(
            pool,
            &actor(),
            &studio_core::bulk::BulkEdit {
                target: studio_core::bulk::BulkTarget::Entities { ids: vec![e.id] },
                action: studio_core::bulk::BulkAction::SetProperty {
                    definition_id: token.id,
                    value: Some(PropertyValue::Text(format!("{secret}-3"))),
                },
            },
            &|_| {},
            &studio_core::progress::CancelToken::new(),
        )
        .await
        .unwrap();
        let history = registry::entity_history(pool, e.id, 100).await.unwrap();
        let audit: Vec<String> = sqlx::query_scalar(
            "SELECT coalesce(before::text, '') || coalesce(after::text, '') FROM audit_events",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        let read_model: Vec<String> =
            sqlx::query_scalar("SELECT properties::text FROM entity_read_model")
                .fetch_all(pool)
                .await
                .unwrap();
        let mut seen = Vec::new();
        if format!("{:?}{:?}", changed.changes, bulk.changes).contains(secret) {
            seen.push("changes (events)");
        }
        if format!("{history:?}").contains(secret) {
            seen.push("history");
        }
        if audit.iter().any(|a| a.contains(secret)) {
            seen.push("audit rows");
        }
        if read_model.iter().any(|r| r.contains(secret)) {
            seen.push("read model");
        }
        seen
    });
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
    assert!(
        logged.len() > 1_000,
        "the run logged at trace level ({} bytes)",
        logged.len()
    );
    let mut seen_in = seen_in;
    if logged.contains(secret) {
        seen_in.push("logs");
    }
    assert!(
        seen_in.is_empty(),
        "a sensitive value leaked into: {seen_in:?}"
    );
}
