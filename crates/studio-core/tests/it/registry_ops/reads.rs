use super::*;

// ------------------------------------------------------------- read paths

#[tokio::test]
async fn children_page_pages_1200_children_in_label_order_without_duplicates() {
    let db = test_db().await;
    ensure_type(&db.pool, SITE, false).await;
    let wide = create(&db.pool, None, "Wide").await;
    let mut tx = db.pool.begin().await.unwrap();
    let a = actor();
    for i in 0..1_200 {
        // Three of each name: `item_7`, `item_7_2`, `item_7_3`; the labels
        // mix `_` and digits so the order is not the creation order.
        let name = format!("Item {}", (i * 7) % 400);
        registry::create_in(
            &mut tx,
            &a,
            &CreateEntity {
                type_key: SITE.to_string(),
                parent_id: Some(wide.id),
                name: name.clone(),
            },
        )
        .await
        .map(|a| a.value)
        .unwrap();
    }
    tx.commit().await.unwrap();

    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = registry::children_page(&db.pool, wide.id, after.as_deref(), 500)
            .await
            .unwrap();
        assert!(page.nodes.len() <= 500, "a page holds at most the limit");
        assert!(
            page.nodes.iter().all(|n| n.parent_id == Some(wide.id)),
            "a page holds only children of the parent"
        );
        sizes.push(page.nodes.len());
        seen.extend(page.nodes.iter().cloned());
        match page.next_cursor {
            Some(c) => {
                assert_eq!(
                    Some(&c),
                    page.nodes.last().map(|n| &n.path_label),
                    "the cursor is the last label of the page"
                );
                after = Some(c);
            }
            None => break,
        }
        assert!(sizes.len() < 10, "paging must end");
    }
    assert_eq!(sizes, [500, 500, 200], "1,200 children in pages of 500");
    let ids: HashSet<Uuid> = seen.iter().map(|n| n.id).collect();
    assert_eq!(ids.len(), 1_200, "every child exactly once");
    let expected: Vec<String> = sqlx::query_scalar(
        "SELECT path_label FROM entities WHERE parent_entity_id = $1 AND deleted_at IS NULL
         ORDER BY path_label",
    )
    .bind(wide.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let labels: Vec<String> = seen.iter().map(|n| n.path_label.clone()).collect();
    assert_eq!(labels, expected, "pages come in path_label order");
    assert!(
        labels.windows(2).all(|w| w[0] < w[1]),
        "labels strictly increase across pages (no duplicates, no reordering)"
    );
    let all = registry::list_children(&db.pool, wide.id).await.unwrap();
    assert_eq!(all, seen, "list_children returns the same rows");

    delete(&db.pool, &seen[10]).await.unwrap();
    let all = registry::list_children(&db.pool, wide.id).await.unwrap();
    assert_eq!(all.len(), 1_199, "deleted children are not listed");
    assert!(!all.iter().any(|n| n.id == seen[10].id));
}

#[tokio::test]
async fn breadcrumb_is_root_first() {
    let db = test_db().await;
    ensure_type(&db.pool, SITE, false).await;
    let r = create(&db.pool, None, "Campus").await;
    let a = create(&db.pool, Some(r.id), "Building").await;
    let b = create(&db.pool, Some(a.id), "Floor").await;
    let c = create(&db.pool, Some(b.id), "Room").await;
    let crumbs = registry::breadcrumb(&db.pool, c.id).await.unwrap();
    assert_eq!(
        crumbs.iter().map(|c| c.id).collect::<Vec<_>>(),
        [r.id, a.id, b.id],
        "ancestors root first, without the entity itself"
    );
    assert_eq!(
        crumbs.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["Campus", "Building", "Floor"]
    );
    assert!(crumbs.iter().all(|c| c.type_key == SITE));
    let detail = registry::get_entity(&db.pool, c.id).await.unwrap();
    assert_eq!(
        detail.breadcrumb, crumbs,
        "the detail carries the same crumbs"
    );
    assert_eq!(detail.node.name, "Room");
    assert!(
        registry::breadcrumb(&db.pool, r.id)
            .await
            .unwrap()
            .is_empty(),
        "a root has no ancestors"
    );
    assert!(matches!(
        registry::breadcrumb(&db.pool, Uuid::now_v7()).await,
        Err(CoreError::NotFound { .. })
    ));
}

#[tokio::test]
async fn subtree_count_equals_a_live_count_over_the_path() {
    let db = test_db().await;
    ensure_type(&db.pool, SITE, false).await;
    let r = create(&db.pool, None, "R").await;
    let a = create(&db.pool, Some(r.id), "A").await;
    create(&db.pool, Some(a.id), "B").await;
    let c = create(&db.pool, Some(a.id), "C").await;
    create(&db.pool, Some(c.id), "D").await;
    create(&db.pool, Some(r.id), "E").await;
    let other = create(&db.pool, None, "Other").await;
    create(&db.pool, Some(other.id), "F").await;
    delete(&db.pool, &c).await.unwrap();

    for row in snapshot(&db.pool).await {
        let live: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM entities d JOIN entities e ON d.path <@ e.path
             WHERE e.id = $1 AND d.deleted_at IS NULL",
        )
        .bind(row.id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(
            registry::subtree_count(&db.pool, row.id).await.unwrap(),
            live,
            "subtree_count of {} equals a live count over `path <@`",
            row.path_label
        );
    }
    assert_eq!(
        registry::subtree_count(&db.pool, r.id).await.unwrap(),
        4,
        "R, A, B and E are live; C and D were deleted"
    );
}

#[tokio::test]
async fn search_rules() {
    let db = test_db().await;
    ensure_type(&db.pool, SITE, false).await;
    for short_query in ["", "ab", "  ab  ", "é"] {
        let r = registry::search(&db.pool, short_query, 50).await;
        assert!(
            matches!(r, Err(CoreError::Validation(_))),
            "a query under 3 characters ({short_query:?}) is Validation, got {r:?}"
        );
    }
    let site = create(&db.pool, None, "Site A").await;
    let hall = create(&db.pool, Some(site.id), "Main Hall").await;
    create(&db.pool, Some(hall.id), "Floor 1").await;
    let names = [
        "North Pumphouse",
        "pump station",
        "Heat PUMP 3",
        "Valve",
        "Big Valve",
        "Valve 2",
        "100%_done",
    ];
    for n in names {
        create(&db.pool, Some(site.id), n).await;
    }
    let old = create(&db.pool, Some(site.id), "Pump (old)").await;
    delete(&db.pool, &old).await.unwrap();

    let found = registry::search(&db.pool, "PUMP", 50).await.unwrap();
    let mut found_names: Vec<&str> = found.hits.iter().map(|h| h.name.as_str()).collect();
    found_names.sort_unstable();
    assert_eq!(
        found_names,
        ["Heat PUMP 3", "North Pumphouse", "pump station"],
        "name substrings match case-insensitively; deleted entities are not found"
    );
    assert_eq!(found.total, 3);
    assert!(!found.total_capped);

    let valve = registry::search(&db.pool, "valve", 50).await.unwrap();
    assert_eq!(valve.total, 3);
    assert_eq!(
        valve.hits[0].name, "Valve",
        "an exact name match ranks first"
    );

    let escaped = registry::search(&db.pool, "%_d", 50).await.unwrap();
    assert_eq!(
        escaped
            .hits
            .iter()
            .map(|h| h.name.as_str())
            .collect::<Vec<_>>(),
        ["100%_done"],
        "LIKE wildcards in the query are matched literally"
    );

    let dotted = registry::search(&db.pool, "Site A.Main", 50).await.unwrap();
    let mut dotted_labels: Vec<&str> = dotted.hits.iter().map(|h| h.path_label.as_str()).collect();
    dotted_labels.sort_unstable();
    assert_eq!(
        dotted_labels,
        ["site_a.main_hall", "site_a.main_hall.floor_1"],
        "a dotted query matches path labels (the hall and its descendants)"
    );
    assert_eq!(dotted.total, 2);

    let meters = create(&db.pool, None, "Meters").await;
    let mut tx = db.pool.begin().await.unwrap();
    let a = actor();
    for i in 0..1_005 {
        let name = format!("Meter {i}");
        registry::create_in(
            &mut tx,
            &a,
            &CreateEntity {
                type_key: SITE.to_string(),
                parent_id: Some(meters.id),
                name: name.clone(),
            },
        )
        .await
        .map(|a| a.value)
        .unwrap();
    }
    tx.commit().await.unwrap();
    let capped = registry::search(&db.pool, "meter", 20).await.unwrap();
    assert_eq!(capped.total, 1_000, "the count stops at the cap");
    assert!(capped.total_capped, "a capped count says so");
    assert_eq!(capped.hits.len(), 20, "hits are limited");
    // "Meter 1", "Meter 10".."Meter 19", "Meter 100".."Meter 199",
    // "Meter 1000".."Meter 1004".
    let exact = registry::search(&db.pool, "meter 1", 200).await.unwrap();
    assert_eq!(exact.total, 116, "an uncapped count is exact");
    assert!(!exact.total_capped);
    assert_eq!(exact.hits[0].name, "Meter 1", "the exact name ranks first");
}
