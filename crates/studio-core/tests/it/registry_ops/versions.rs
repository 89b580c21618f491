use super::*;

// -------------------------------------------------------------- versions

#[tokio::test]
async fn stale_versions_conflict_with_the_current_row_and_change_nothing() {
    let db = test_db().await;
    ensure_type(&db.pool, SITE, false).await;
    let root = create(&db.pool, None, "Root").await;
    let x = create(&db.pool, Some(root.id), "X").await;
    let y = create(&db.pool, Some(root.id), "Y").await;
    let x1 = rename(&db.pool, &x, "X renamed").await.unwrap();
    assert!(x1.updated_at > x.updated_at, "a rename bumps the version");

    let before = snapshot(&db.pool).await;
    let audits = audit_total(&db.pool).await;
    let check = |what: &str, r: Result<(), CoreError>, now: &TreeNode| match r {
        Err(CoreError::Conflict {
            current: CurrentRow::Entity(cur),
            ..
        }) => assert_eq!(
            *cur, *now,
            "the {what} conflict must carry the current row (the renamed one)"
        ),
        other => panic!("a {what} with a stale version must be a Conflict, got {other:?}"),
    };
    let now = current(&db.pool, x.id).await;
    assert_eq!(now.name, "X renamed");
    check(
        "rename",
        rename(&db.pool, &x, "Lost update").await.map(|_| ()),
        &now,
    );
    check(
        "move",
        move_to(&db.pool, &x, Some(y.id)).await.map(|_| ()),
        &now,
    );
    check(
        "move to the top level",
        move_to(&db.pool, &x, None).await.map(|_| ()),
        &now,
    );
    check("delete", delete(&db.pool, &x).await.map(|_| ()), &now);
    assert_eq!(
        snapshot(&db.pool).await,
        before,
        "refused stale writes change nothing"
    );
    assert_eq!(
        audit_total(&db.pool).await,
        audits,
        "refused stale writes write no audit rows"
    );

    delete(&db.pool, &x1).await.unwrap();
    let r = rename(&db.pool, &x1, "After delete").await;
    assert!(
        matches!(
            r,
            Err(CoreError::Conflict {
                current: CurrentRow::Missing,
                ..
            })
        ),
        "a stale write to a deleted entity is a Conflict saying it is gone, got {r:?}"
    );
}
