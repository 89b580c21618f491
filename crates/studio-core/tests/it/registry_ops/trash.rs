use super::*;

// ------------------------------------------------------ delete and restore

#[tokio::test]
async fn delete_covers_the_subtree_and_restore_brings_back_exactly_that_deletion() {
    let db = test_db().await;
    ensure_type(&db.pool, SITE, false).await;
    let root = create(&db.pool, None, "Root").await;
    let p = create(&db.pool, Some(root.id), "Parent").await;
    let c1 = create(&db.pool, Some(p.id), "Child 1").await;
    let c2 = create(&db.pool, Some(p.id), "Child 2").await;
    let g = create(&db.pool, Some(c1.id), "Grandchild").await;

    let early = delete(&db.pool, &c2).await.unwrap();
    assert_eq!(early.deleted, 1, "a leaf deletion covers one entity");
    assert_eq!(early.parent_id, Some(p.id));
    let live_before = snapshot(&db.pool).await;
    let outcome = delete(&db.pool, &current(&db.pool, p.id).await)
        .await
        .expect("deleting a live entity with its current version must succeed");
    assert_eq!(
        outcome.deleted, 3,
        "the parent, child 1 and the grandchild (child 2 was already deleted)"
    );
    let rows = snapshot(&db.pool).await;
    let rows_by_id = by_id(&rows);
    for id in [p.id, c1.id, g.id] {
        assert_eq!(
            rows_by_id[&id].deleted_at,
            Some(outcome.deleted_at),
            "one deletion shares one deleted_at"
        );
    }
    assert_eq!(
        rows_by_id[&c2.id].deleted_at,
        Some(early.deleted_at),
        "an earlier deletion keeps its own moment"
    );
    assert_consistent(&rows);
    assert_eq!(
        registry::subtree_count(&db.pool, root.id).await.unwrap(),
        1,
        "only the root is live"
    );
    let again = delete(&db.pool, &current(&db.pool, p.id).await).await;
    assert!(
        matches!(again, Err(CoreError::Validation(_))),
        "deleting a deleted entity is Validation, got {again:?}"
    );

    let trash = registry::list_trash(&db.pool, &PurgePolicy::default(), 100)
        .await
        .unwrap();
    let tops: Vec<(Uuid, i64, bool)> = trash
        .iter()
        .map(|t| (t.id, t.deleted_count, t.parent_deleted))
        .collect();
    assert_eq!(
        tops,
        [(p.id, 3, false), (c2.id, 1, true)],
        "the trash lists the tops of deletions, newest first, with their sizes \
         (the grandchild and child 1 went with the parent)"
    );
    assert_eq!(trash[0].name, "Parent");
    assert_eq!(
        trash[0].purgeable_from,
        outcome.deleted_at + chrono::Duration::days(30),
        "purgeable from deletion + retention"
    );

    let snapshot_before_restores = snapshot(&db.pool).await;
    for (what, id) in [
        ("a child whose parent is deleted (deleted earlier)", c2.id),
        ("a child deleted with its parent", c1.id),
        ("a grandchild deleted with its ancestors", g.id),
    ] {
        let r = registry::restore(&db.pool, &actor(), id)
            .await
            .map(|a| a.value);
        assert!(
            matches!(r, Err(CoreError::Validation(_))),
            "restoring {what} must be Validation (restore the parent first), got {r:?}"
        );
    }
    let r = registry::restore(&db.pool, &actor(), root.id)
        .await
        .map(|a| a.value);
    assert!(
        matches!(r, Err(CoreError::Validation(_))),
        "restoring a live entity is Validation, got {r:?}"
    );
    let r = registry::restore(&db.pool, &actor(), Uuid::now_v7())
        .await
        .map(|a| a.value);
    assert!(
        matches!(r, Err(CoreError::NotFound { .. })),
        "restoring an unknown entity is NotFound, got {r:?}"
    );
    assert_eq!(
        snapshot(&db.pool).await,
        snapshot_before_restores,
        "refused restores change nothing"
    );

    let restored = registry::restore(&db.pool, &actor(), p.id)
        .await
        .map(|a| a.value)
        .expect("restoring the top of a deletion under a live parent must succeed");
    assert_eq!(restored.restored, 3, "exactly the deletion is brought back");
    assert_eq!(restored.node.id, p.id);
    let rows = snapshot(&db.pool).await;
    let rows_by_id = by_id(&rows);
    for id in [p.id, c1.id, g.id] {
        assert!(rows_by_id[&id].deleted_at.is_none(), "{id} is live again");
    }
    assert_eq!(
        rows_by_id[&c2.id].deleted_at,
        Some(early.deleted_at),
        "child 2, deleted earlier and separately, stays deleted"
    );
    // Everything but `updated_at`, which a restore bumps.
    let strip = |rows: &[Row]| -> Vec<Row> {
        rows.iter()
            .map(|r| Row {
                updated_at: DateTime::<Utc>::MIN_UTC,
                ..r.clone()
            })
            .collect()
    };
    assert_eq!(
        strip(&rows),
        strip(&live_before),
        "after the restore the tree is as before the deletion"
    );
    assert_consistent(&rows);

    let trash = registry::list_trash(&db.pool, &PurgePolicy::default(), 100)
        .await
        .unwrap();
    assert_eq!(
        trash
            .iter()
            .map(|t| (t.id, t.deleted_count, t.parent_deleted))
            .collect::<Vec<_>>(),
        [(c2.id, 1, false)],
        "only child 2 is left in the trash, now under a live parent"
    );
    assert_eq!(audit_count(&db.pool, "entity.delete").await, 2);
    assert_eq!(audit_count(&db.pool, "entity.restore").await, 1);
}

// ------------------------------------------------------------------ purge

#[tokio::test]
async fn purge_rules_retention_liveness_and_references() {
    let db = test_db().await;
    ensure_type(&db.pool, SITE, false).await;
    let root = create(&db.pool, None, "Root").await;
    let x = create(&db.pool, Some(root.id), "Old wing").await;
    let y = create(&db.pool, Some(x.id), "Old room").await;
    let z = create(&db.pool, Some(root.id), "New wing").await;
    delete(&db.pool, &x).await.unwrap();
    let zero = PurgePolicy {
        retention: chrono::Duration::zero(),
    };

    let before = snapshot(&db.pool).await;
    let audits = audit_total(&db.pool).await;
    let r = registry::purge(&db.pool, &actor(), x.id, &PurgePolicy::default())
        .await
        .map(|a| a.value);
    assert!(
        matches!(r, Err(CoreError::Forbidden(_))),
        "a purge within the retention period is Forbidden, got {r:?}"
    );
    let r = registry::purge(&db.pool, &actor(), z.id, &zero)
        .await
        .map(|a| a.value);
    assert!(
        matches!(r, Err(CoreError::Validation(_))),
        "a live entity cannot be purged, got {r:?}"
    );
    let r = registry::purge(&db.pool, &actor(), Uuid::now_v7(), &zero)
        .await
        .map(|a| a.value);
    assert!(
        matches!(r, Err(CoreError::NotFound { .. })),
        "purging an unknown entity is NotFound, got {r:?}"
    );

    let rel = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO entity_relationships
            (id, source_entity_id, target_entity_id, relationship_type, created_at, updated_at)
         VALUES ($1, $2, $3, 'feeds', now(), now())",
    )
    .bind(rel)
    .bind(z.id)
    .bind(y.id)
    .execute(&db.pool)
    .await
    .unwrap();
    match registry::purge(&db.pool, &actor(), x.id, &zero)
        .await
        .map(|a| a.value)
    {
        Err(CoreError::InUse(msg)) => assert!(
            msg.contains("entity_relationships"),
            "the refusal names where the reference is: {msg:?}"
        ),
        other => panic!("a purge while a reference remains must be InUse, got {other:?}"),
    }
    assert_eq!(
        snapshot(&db.pool).await,
        before,
        "refused purges change nothing"
    );
    assert_eq!(
        audit_total(&db.pool).await,
        audits,
        "refused purges are not audited"
    );

    sqlx::query("DELETE FROM entity_relationships WHERE id = $1")
        .bind(rel)
        .execute(&db.pool)
        .await
        .unwrap();
    let purged = registry::purge(&db.pool, &actor(), x.id, &zero)
        .await
        .map(|a| a.value)
        .expect("a deleted, unreferenced entity past retention can be purged");
    assert_eq!(purged.id, x.id);
    assert_eq!(purged.purged, 2, "the wing and its room");
    let ids = vec![x.id, y.id];
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM entities WHERE id = ANY($1)")
        .bind(&ids)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "the purged entities are gone");
    let values: i64 =
        sqlx::query_scalar("SELECT count(*) FROM entity_property_values WHERE entity_id = ANY($1)")
            .bind(&ids)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(values, 0, "their property values are gone too");
    let audit: Vec<(Uuid, serde_json::Value)> =
        sqlx::query_as("SELECT entity_id, after FROM audit_events WHERE action = 'entity.purge'")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(audit.len(), 1, "a purge writes one audit row");
    assert_eq!(audit[0].0, x.id);
    assert_eq!(audit[0].1["purged"], 2);
    let history = registry::entity_history(&db.pool, x.id, 10).await.unwrap();
    assert_eq!(
        history[0].action, "entity.purge",
        "the history outlives the purged entity"
    );
    assert!(matches!(
        registry::get_entity(&db.pool, x.id).await,
        Err(CoreError::NotFound { .. })
    ));
    assert!(
        registry::list_trash(&db.pool, &zero, 100)
            .await
            .unwrap()
            .is_empty(),
        "nothing purged stays in the trash"
    );
    let again = create(&db.pool, Some(root.id), "Old wing").await;
    assert_eq!(
        again.path_label, "root.old_wing",
        "a purge frees the label it held"
    );
    assert_consistent(&snapshot(&db.pool).await);
}
