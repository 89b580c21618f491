use super::*;

// ------------------------------------------------------------------ audit

async fn xmin_of_entity(pool: &PgPool, id: Uuid) -> String {
    sqlx::query_scalar("SELECT xmin::text FROM entities WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn xmin_of_type(pool: &PgPool, id: Uuid) -> String {
    sqlx::query_scalar("SELECT xmin::text FROM entity_type_definitions WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The newest audit row: (action, record id, entity id, request id, source,
/// xmin).
async fn last_audit(pool: &PgPool) -> (String, Uuid, Option<Uuid>, Uuid, String, String) {
    sqlx::query_as(
        "SELECT action, record_id, entity_id, request_id, source, xmin::text FROM audit_events
         ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_mutation_writes_one_audit_row_in_its_own_transaction() {
    let db = test_db().await;
    let pool = &db.pool;
    let mut total = audit_total(pool).await;

    // Checks that exactly one row was added, what it says, and that it was
    // written by the same transaction as the changed row (same xmin).
    macro_rules! audited {
        ($action:expr, $actor:expr, $record:expr, $entity:expr, $row_xmin:expr) => {{
            let now = audit_total(pool).await;
            assert_eq!(now, total + 1, "{} writes exactly one audit row", $action);
            total = now;
            let (action, record, entity, request, source, xmin) = last_audit(pool).await;
            assert_eq!(action, $action, "the audit row names the action");
            assert_eq!(
                record, $record,
                "{}: the audit row names the record",
                $action
            );
            assert_eq!(
                entity, $entity,
                "{}: the audit row names the entity",
                $action
            );
            assert_eq!(
                request, $actor.request_id,
                "{}: the request id is kept",
                $action
            );
            assert_eq!(source, "test", "{}: the source is kept", $action);
            if let Some(row_xmin) = $row_xmin {
                assert_eq!(
                    xmin, row_xmin,
                    "{}: the audit row is written by the mutation's own transaction",
                    $action
                );
            }
        }};
    }

    let a = actor();
    let mut tx = pool.begin().await.unwrap();
    let site = registry::ensure_entity_type(
        &mut tx,
        &a,
        &EntityTypeSpec {
            key: SITE,
            name: "Site",
            description: None,
            icon: None,
            is_system: false,
        },
    )
    .await
    .map(|a| a.value)
    .unwrap();
    tx.commit().await.unwrap();
    audited!(
        "entity_type.create",
        a,
        site,
        None,
        Some(xmin_of_type(pool, site).await)
    );

    let a = actor();
    let t = registry::create_entity_type(
        pool,
        &a,
        &EntityTypeInput {
            key: "spare".into(),
            name: "Spare".into(),
            description: None,
            icon: None,
        },
    )
    .await
    .map(|a| a.value)
    .unwrap();
    audited!(
        "entity_type.create",
        a,
        t.id,
        None,
        Some(xmin_of_type(pool, t.id).await)
    );
    let a = actor();
    let t = registry::update_entity_type(
        pool,
        &a,
        &EntityTypeUpdate {
            id: t.id,
            expected_updated_at: t.updated_at,
            name: "Spare part".into(),
            description: None,
            icon: None,
        },
    )
    .await
    .map(|a| a.value)
    .unwrap();
    audited!(
        "entity_type.update",
        a,
        t.id,
        None,
        Some(xmin_of_type(pool, t.id).await)
    );
    let a = actor();
    let t = registry::delete_entity_type(
        pool,
        &a,
        &VersionedId {
            id: t.id,
            expected_updated_at: t.updated_at,
        },
    )
    .await
    .map(|a| a.value)
    .unwrap();
    audited!(
        "entity_type.delete",
        a,
        t.id,
        None,
        Some(xmin_of_type(pool, t.id).await)
    );
    let a = actor();
    let t = registry::restore_entity_type(pool, &a, t.id)
        .await
        .map(|a| a.value)
        .unwrap();
    audited!(
        "entity_type.restore",
        a,
        t.id,
        None,
        Some(xmin_of_type(pool, t.id).await)
    );

    let a = actor();
    let root = registry::create(
        pool,
        &a,
        &CreateEntity {
            type_key: SITE.into(),
            parent_id: None,
            name: "Root".into(),
        },
    )
    .await
    .map(|a| a.value)
    .unwrap();
    audited!(
        "entity.create",
        a,
        root.id,
        Some(root.id),
        Some(xmin_of_entity(pool, root.id).await)
    );
    let other = create(pool, None, "Other").await;
    total += 1;
    let a = actor();
    let x = registry::create(
        pool,
        &a,
        &CreateEntity {
            type_key: SITE.into(),
            parent_id: Some(root.id),
            name: "X".into(),
        },
    )
    .await
    .map(|a| a.value)
    .unwrap();
    audited!(
        "entity.create",
        a,
        x.id,
        Some(x.id),
        Some(xmin_of_entity(pool, x.id).await)
    );
    let a = actor();
    let x = registry::rename(
        pool,
        &a,
        &RenameEntity {
            id: x.id,
            expected_updated_at: x.updated_at,
            name: "X2".into(),
        },
    )
    .await
    .map(|a| a.value)
    .unwrap();
    audited!(
        "entity.rename",
        a,
        x.id,
        Some(x.id),
        Some(xmin_of_entity(pool, x.id).await)
    );
    let a = actor();
    let x = registry::move_entity(
        pool,
        &a,
        &MoveEntity {
            id: x.id,
            expected_updated_at: x.updated_at,
            new_parent_id: Some(other.id),
        },
        &|_| {},
        &CancelToken::new(),
    )
    .await
    .map(|a| a.value.node)
    .unwrap();
    audited!(
        "entity.move",
        a,
        x.id,
        Some(x.id),
        Some(xmin_of_entity(pool, x.id).await)
    );
    let a = actor();
    registry::delete(
        pool,
        &a,
        &VersionedId {
            id: x.id,
            expected_updated_at: x.updated_at,
        },
    )
    .await
    .map(|a| a.value)
    .unwrap();
    audited!(
        "entity.delete",
        a,
        x.id,
        Some(x.id),
        Some(xmin_of_entity(pool, x.id).await)
    );
    let a = actor();
    registry::restore(pool, &a, x.id)
        .await
        .map(|a| a.value)
        .unwrap();
    audited!(
        "entity.restore",
        a,
        x.id,
        Some(x.id),
        Some(xmin_of_entity(pool, x.id).await)
    );
    delete(pool, &current(pool, x.id).await).await.unwrap();
    total += 1;
    let a = actor();
    registry::purge(
        pool,
        &a,
        x.id,
        &PurgePolicy {
            retention: chrono::Duration::zero(),
        },
    )
    .await
    .map(|a| a.value)
    .unwrap();
    audited!("entity.purge", a, x.id, Some(x.id), None::<String>);
    assert_eq!(
        audit_total(pool).await,
        total,
        "reading the history writes nothing"
    );

    let history = registry::entity_history(pool, x.id, 100).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "entity.purge",
            "entity.delete",
            "entity.restore",
            "entity.delete",
            "entity.move",
            "entity.rename",
            "entity.create"
        ],
        "the history lists every change of the entity, newest first"
    );
    assert!(
        history
            .windows(2)
            .all(|w| w[0].occurred_at >= w[1].occurred_at),
        "history is ordered newest first"
    );
    assert!(
        history.iter().all(|h| h.source.as_deref() == Some("test")),
        "history keeps the source"
    );
    assert_eq!(
        history
            .iter()
            .filter_map(|h| h.request_id)
            .collect::<HashSet<_>>()
            .len(),
        history.len(),
        "each change came from its own request"
    );
    let limited = registry::entity_history(pool, x.id, 2).await.unwrap();
    assert_eq!(
        limited
            .iter()
            .map(|h| h.action.as_str())
            .collect::<Vec<_>>(),
        ["entity.purge", "entity.delete"],
        "the limit keeps the newest entries"
    );
}
