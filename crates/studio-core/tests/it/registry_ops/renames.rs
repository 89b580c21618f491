use super::*;

// --------------------------------------------------------------- renames

#[tokio::test]
async fn rename_rewrites_the_slug_of_the_entity_and_all_descendants_but_not_paths() {
    let db = test_db().await;
    ensure_type(&db.pool, SITE, false).await;
    let site = create(&db.pool, None, "Site A").await;
    let building = create(&db.pool, Some(site.id), "Building 1").await;
    let floor = create(&db.pool, Some(building.id), "Floor 2").await;
    create(&db.pool, Some(floor.id), "Room 7").await;
    let annex = create(&db.pool, Some(building.id), "Annex").await;
    delete(&db.pool, &annex).await.unwrap();
    let other = create(&db.pool, Some(site.id), "Building 2").await;
    assert_eq!(building.path_label, "site_a.building_1");

    let before = snapshot(&db.pool).await;
    let building_now = current(&db.pool, building.id).await;
    let renamed = rename(&db.pool, &building_now, "Main Hall")
        .await
        .expect("renaming a live entity with its current version must succeed");
    assert_eq!(
        renamed.name, "Main Hall",
        "the display name is the new name"
    );
    assert_eq!(
        renamed.path_label, "site_a.main_hall",
        "the slug in the label follows the new name"
    );
    assert!(renamed.updated_at > building_now.updated_at);

    let after = snapshot(&db.pool).await;
    let after_by_id = by_id(&after);
    assert_eq!(
        before.len(),
        after.len(),
        "a rename adds or removes nothing"
    );
    let old_prefix = "site_a.building_1";
    for b in &before {
        let a = after_by_id[&b.id];
        assert_eq!(a.path, b.path, "path never changes on rename ({})", b.id);
        assert_eq!(a.parent_id, b.parent_id, "a rename moves nothing");
        assert_eq!(a.deleted_at, b.deleted_at, "a rename deletes nothing");
        let in_subtree =
            b.path_label == old_prefix || b.path_label.starts_with(&format!("{old_prefix}."));
        if in_subtree {
            assert_eq!(
                a.path_label,
                format!("site_a.main_hall{}", &b.path_label[old_prefix.len()..]),
                "every descendant's label (deleted ones too) carries the new slug"
            );
        } else {
            assert_eq!(a, b, "rows outside the renamed subtree are untouched");
        }
        if b.id == building.id {
            assert_eq!(a.name.as_deref(), Some("Main Hall"));
        } else {
            assert_eq!(a.name, b.name, "only the renamed entity's name changes");
            if in_subtree {
                assert_eq!(
                    a.updated_at, b.updated_at,
                    "a descendant's version is not bumped by an ancestor's rename"
                );
            }
        }
    }
    assert_eq!(
        after_by_id[&annex.id].path_label, "site_a.main_hall.annex",
        "a deleted descendant is relabelled too, so a restore stays consistent"
    );
    assert_eq!(after_by_id[&other.id].path_label, "site_a.building_2");
    assert_consistent(&after);

    let history = registry::entity_history(&db.pool, building.id, 10)
        .await
        .unwrap();
    assert_eq!(history[0].action, "entity.rename", "newest entry first");
    assert_eq!(
        history[0].before.as_ref().unwrap()["name"],
        "Building 1",
        "the audit row records the old name"
    );
    assert_eq!(history[0].after.as_ref().unwrap()["name"], "Main Hall");
    assert_eq!(
        history[0].after.as_ref().unwrap()["path_label"],
        "site_a.main_hall"
    );
}

#[tokio::test]
async fn rename_to_a_siblings_slug_gets_a_distinct_label() {
    let db = test_db().await;
    ensure_type(&db.pool, SITE, false).await;
    let plant = create(&db.pool, None, "Plant").await;
    let pump = create(&db.pool, Some(plant.id), "Pump").await;
    let valve = create(&db.pool, Some(plant.id), "Valve").await;
    let renamed = rename(&db.pool, &valve, "PUMP!").await.unwrap();
    assert_eq!(renamed.name, "PUMP!", "the name is stored exactly");
    assert_ne!(
        renamed.path_label, pump.path_label,
        "a sibling's label is never shared"
    );
    assert_eq!(
        renamed.path_label, "plant.pump_2",
        "the first free suffix is taken"
    );
    let same_slug = rename(&db.pool, &pump, "pump").await.unwrap();
    assert_eq!(
        same_slug.path_label, "plant.pump",
        "a rename that keeps the slug keeps the label"
    );
    assert_consistent(&snapshot(&db.pool).await);
}

/// BUG: `strip_suffix_matches` treats any hex tail as a collision suffix, so
/// "Room 12" renamed to "Room" keeps the label `room_12` although `room` is
/// free (and "Boiler Cafe" → "Boiler" keeps `boiler_cafe`).
#[tokio::test]
async fn rename_to_a_shorter_name_takes_the_new_slug() {
    let db = test_db().await;
    ensure_type(&db.pool, SITE, false).await;
    let plant = create(&db.pool, None, "Plant").await;
    for (old, new, want) in [
        ("Room 12", "Room", "plant.room"),
        ("Boiler Cafe", "Boiler", "plant.boiler"),
    ] {
        let node = create(&db.pool, Some(plant.id), old).await;
        let renamed = rename(&db.pool, &node, new).await.unwrap();
        assert_eq!(
            renamed.path_label, want,
            "renaming {old:?} to {new:?} (slug free among siblings) must relabel it"
        );
    }
}

const BAD_NAMES: &[&str] = &[
    "",
    " ",
    "   \u{3000}  ",
    "a\tb",
    "line\nbreak",
    "carriage\rreturn",
    "bell\u{7}",
    "nul\u{0}",
    "del\u{7f}",
    "next line\u{85}",
];

#[tokio::test]
async fn invalid_names_are_refused_and_change_nothing() {
    let db = test_db().await;
    ensure_type(&db.pool, SITE, false).await;
    let root = create(&db.pool, None, "Root").await;
    let child = create(&db.pool, Some(root.id), "Child").await;
    let before = snapshot(&db.pool).await;
    let audits = audit_total(&db.pool).await;
    let too_long = "x".repeat(10_001);
    let too_long_emoji = "🔥".repeat(10_001);
    let mut names: Vec<&str> = BAD_NAMES.to_vec();
    names.push(&too_long);
    names.push(&too_long_emoji);
    for bad in names {
        for parent in [None, Some(root.id)] {
            let r = try_create_of(&db.pool, SITE, parent, bad).await;
            assert!(
                matches!(r, Err(CoreError::Validation(_))),
                "creating with name {:?} must be Validation, got {r:?}",
                short(bad)
            );
        }
        let r = rename(&db.pool, &child, bad).await;
        assert!(
            matches!(r, Err(CoreError::Validation(_))),
            "renaming to {:?} must be Validation, got {r:?}",
            short(bad)
        );
    }
    assert_eq!(
        snapshot(&db.pool).await,
        before,
        "refused names change nothing"
    );
    assert_eq!(
        audit_total(&db.pool).await,
        audits,
        "refused names write no audit rows"
    );
}

#[tokio::test]
async fn unusual_names_round_trip_exactly() {
    let db = test_db().await;
    ensure_type(&db.pool, SITE, false).await;
    let long_ascii = "x".repeat(10_000);
    let long_accents = "é".repeat(10_000);
    let long_emoji = "🔥".repeat(10_000);
    let names: Vec<&str> = vec![
        "🔥 Boiler 🔥",
        "👩‍🔧 Maintenance",
        "مبنى الإدارة",
        "שלום עולם",
        "Zürich \u{200f}Süd\u{200e}",
        "  leading and trailing  ",
        "a.b.c",
        "100% _done_",
        &long_ascii,
        &long_accents,
        &long_emoji,
    ];
    let holder = create(&db.pool, None, "Holder").await;
    let mut node = create(&db.pool, Some(holder.id), "Plain").await;
    for name in &names {
        let created = create(&db.pool, Some(holder.id), name).await;
        assert_eq!(
            created.name,
            *name,
            "create returns the name exactly ({})",
            short(name)
        );
        assert_eq!(
            current(&db.pool, created.id).await.name,
            *name,
            "the stored name reads back exactly ({})",
            short(name)
        );
        let slug = created.path_label.rsplit('.').next().unwrap();
        assert!(
            !slug.is_empty()
                && slug
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "the slug of {:?} is an ASCII label without dots: {slug:?}",
            short(name)
        );
        node = rename(&db.pool, &node, name)
            .await
            .unwrap_or_else(|e| panic!("renaming to {:?} must succeed: {e:?}", short(name)));
        assert_eq!(
            node.name,
            *name,
            "rename returns the name exactly ({})",
            short(name)
        );
        assert_eq!(
            current(&db.pool, node.id).await.name,
            *name,
            "a renamed name reads back exactly ({})",
            short(name)
        );
    }
    assert_consistent(&snapshot(&db.pool).await);
}
