//! Saved views over the demo registry: the compiler's refusals point into
//! the document; what a view returns matches an evaluation of the same
//! document written here, independently, over every read-model row; keyset
//! pages add up to the whole; hostile documents change nothing; and a
//! scoped person's view holds only their rows.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::PgPool;
use studio_core::progress::CancelToken;
use studio_core::testing::test_db;
use studio_core::views::{self, Filter, Op, ViewDocument};
use studio_core::{demo, Actor, CoreError, Source};
use uuid::Uuid;

fn doc(filter: Option<Value>) -> ViewDocument {
    let mut d = json!({"version": 2, "pageSize": 1000});
    if let Some(f) = filter {
        d["filter"] = f;
    }
    serde_json::from_value(d).expect("a document")
}

async fn demo_db() -> studio_core::testing::TestDb {
    let db = test_db().await;
    let _ = demo::seed_demo(&db.pool, &Actor::new(None, Source::Test))
        .await
        .expect("seed the demo");
    db
}

/// A read-model row, as the independent evaluation sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    entity_id: Uuid,
    name: String,
    entity_type_id: Uuid,
    properties: Value,
    tag_ids: Vec<Uuid>,
    ancestor_ids: Vec<Uuid>,
    updated_at: DateTime<Utc>,
}

async fn all_rows(pool: &PgPool) -> Vec<Row> {
    sqlx::query_as(
        "SELECT entity_id, name, entity_type_id, properties, tag_ids, ancestor_ids, updated_at
           FROM entity_read_model",
    )
    .fetch_all(pool)
    .await
    .expect("read model")
}

async fn ids_of(pool: &PgPool, d: &ViewDocument) -> Result<BTreeSet<Uuid>, CoreError> {
    let page = views::page(pool, d, None).await?;
    assert!(page.next.is_none() || page.rows.len() == 1000);
    Ok(page.rows.into_iter().map(|r| r.id).collect())
}

fn validation_path(e: &CoreError) -> Option<&str> {
    match e {
        CoreError::Validation(v) => v.field.as_deref(),
        _ => None,
    }
}

#[tokio::test]
async fn a_refused_document_says_where_it_is_wrong() {
    let db = demo_db().await;
    let pool = &db.pool;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"all": [{"text": "boiler"}, {"property": {"key": "no_such_key", "op": "equals", "value": "x"}}]}),
            "filter.all[1].property.key",
        ),
        (
            json!({"property": {"key": "rated_power_kw", "op": "contains", "value": "1"}}),
            "filter.property.op",
        ),
        (
            json!({"any": [{"not": {"property": {"key": "rated_power_kw", "op": "gt", "value": "a lot"}}}]}),
            "filter.any[0].not.property.value",
        ),
        (
            json!({"property": {"key": "rated_power_kw", "op": "between", "value": ["1", "x"]}}),
            "filter.property.value[1]",
        ),
        (
            json!({"property": {"key": "status", "op": "in", "value": ["nope"]}}),
            "filter.property.value[0]",
        ),
        (
            json!({"property": {"key": "install_date", "op": "before", "value": "yesterday"}}),
            "filter.property.value",
        ),
        (
            json!({"property": {"key": "install_date", "op": "inLastDays", "value": -3}}),
            "filter.property.value",
        ),
        (
            json!({"type": ["hvac_unit", "spaceship"]}),
            "filter.type[1]",
        ),
        (
            json!({"tag": {"match": "any", "tags": []}}),
            "filter.tag.tags",
        ),
        (
            json!({"property": {"key": "device_config", "op": "equals", "value": "{}"}}),
            "filter.property.key",
        ),
        (
            json!({"related": {"type": "feeds", "direction": "outgoing",
                   "filter": {"all": [{"property": {"key": "no_such_key", "op": "isEmpty"}}]}}}),
            "filter.related.filter.all[0].property.key",
        ),
        (
            json!({"related": {"type": "  ", "direction": "either"}}),
            "filter.related.type",
        ),
    ];
    for (filter, path) in cases {
        let e = views::page(pool, &doc(Some(filter.clone())), None)
            .await
            .expect_err(&filter.to_string());
        assert_eq!(validation_path(&e), Some(path), "{filter}: {e:?}");
    }
    // A sensitive property cannot be filtered or sorted on.
    let e = views::page(
        pool,
        &doc(Some(
            json!({"property": {"key": "api_token", "op": "isEmpty"}}),
        )),
        None,
    )
    .await;
    assert!(matches!(e, Err(CoreError::Forbidden(_))), "{e:?}");
    let mut sorted = doc(None);
    sorted.sort = vec![serde_json::from_value(json!({"field": "property:api_token"})).unwrap()];
    assert!(matches!(
        views::page(pool, &sorted, None).await,
        Err(CoreError::Forbidden(_))
    ));
    // Fields, versions and sizes.
    let mut bad = doc(None);
    bad.columns = vec!["name".into(), "secret_column".into()];
    assert_eq!(
        validation_path(&views::page(pool, &bad, None).await.unwrap_err()),
        Some("columns[1].field")
    );
    let mut bad = doc(None);
    bad.columns = vec![views::Column {
        field: "name".into(),
        width: Some(5),
    }];
    assert_eq!(
        validation_path(&views::page(pool, &bad, None).await.unwrap_err()),
        Some("columns[0].width")
    );
    let mut bad = doc(None);
    bad.version = 7;
    assert_eq!(
        validation_path(&views::page(pool, &bad, None).await.unwrap_err()),
        Some("version")
    );
    let mut bad = doc(None);
    bad.page_size = 0;
    assert_eq!(
        validation_path(&views::page(pool, &bad, None).await.unwrap_err()),
        Some("pageSize")
    );
    // Unknown fields in the document are refused when it is read.
    let typo =
        serde_json::from_value::<ViewDocument>(json!({"version": 2, "filtr": {"text": "x"}}));
    assert!(typo.is_err());
}

// ----------------------------------------------------------- the model

/// What the independent evaluation knows of the registry.
struct Model {
    types: HashMap<String, Uuid>,
    number_keys: BTreeSet<String>,
    /// Live relationships: source, target, type.
    relationships: Vec<(Uuid, Uuid, String)>,
    rows: HashMap<Uuid, Row>,
}

async fn live_relationships(pool: &PgPool) -> Vec<(Uuid, Uuid, String)> {
    sqlx::query_as(
        "SELECT source_entity_id, target_entity_id, relationship_type
           FROM entity_relationships WHERE deleted_at IS NULL",
    )
    .fetch_all(pool)
    .await
    .expect("relationships")
}

/// The same meaning as the compiler's, written from the document's spec.
fn holds(f: &Filter, r: &Row, m: &Model) -> bool {
    let (types, number_keys) = (&m.types, &m.number_keys);
    match f {
        Filter::All(items) => items.iter().all(|i| holds(i, r, m)),
        Filter::Any(items) => items.iter().any(|i| holds(i, r, m)),
        Filter::Not(inner) => !holds(inner, r, m),
        Filter::Related(c) => {
            let other_matches = |id: &Uuid| {
                m.rows
                    .get(id)
                    .is_some_and(|o| c.filter.as_deref().is_none_or(|sub| holds(sub, o, m)))
            };
            m.relationships.iter().any(|(source, target, kind)| {
                *kind == c.relationship_type
                    && match c.direction {
                        views::RelatedDirection::Outgoing => {
                            *source == r.entity_id && other_matches(target)
                        }
                        views::RelatedDirection::Incoming => {
                            *target == r.entity_id && other_matches(source)
                        }
                        views::RelatedDirection::Either => {
                            (*source == r.entity_id && other_matches(target))
                                || (*target == r.entity_id && other_matches(source))
                        }
                    }
            })
        }
        Filter::Type(keys) => keys.iter().any(|k| types.get(k) == Some(&r.entity_type_id)),
        Filter::Tag(c) => {
            let has = |t: &Uuid| r.tag_ids.contains(t);
            match c.mode {
                views::TagMatch::Any => c.tags.iter().any(has),
                views::TagMatch::All => c.tags.iter().all(has),
                views::TagMatch::None => !c.tags.iter().any(has),
            }
        }
        Filter::Under(id) => r.entity_id == *id || r.ancestor_ids.contains(id),
        Filter::Text(t) => r.name.to_lowercase().contains(&t.to_lowercase()),
        Filter::Created(_) => panic!("the generator makes no creation-time conditions"),
        Filter::Updated(c) => {
            let at: DateTime<Utc> = c
                .value
                .as_ref()
                .and_then(Value::as_str)
                .unwrap()
                .parse()
                .unwrap();
            match c.op {
                Op::After => r.updated_at >= at,
                _ => r.updated_at < at,
            }
        }
        Filter::Property(c) => {
            let v = r.properties.get(&c.key);
            let empty = matches!(v, None | Some(Value::Null))
                || v == Some(&json!(""))
                || v == Some(&json!([]));
            let s = v.and_then(Value::as_str);
            let arg = c.value.as_ref();
            let arg_s = || arg.and_then(Value::as_str).unwrap().to_string();
            let list = || -> Vec<String> {
                arg.and_then(Value::as_array)
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect()
            };
            if number_keys.contains(&c.key) && !matches!(c.op, Op::IsEmpty | Op::IsNotEmpty) {
                let n = v.and_then(Value::as_f64);
                let num = |x: &Value| x.as_str().unwrap().parse::<f64>().unwrap();
                return match c.op {
                    Op::Between => {
                        let a = arg.unwrap().as_array().unwrap();
                        n.is_some_and(|n| n >= num(&a[0]) && n <= num(&a[1]))
                    }
                    Op::Equals => n == Some(num(arg.unwrap())),
                    Op::NotEquals => n != Some(num(arg.unwrap())),
                    Op::Lt => n.is_some_and(|n| n < num(arg.unwrap())),
                    Op::Lte => n.is_some_and(|n| n <= num(arg.unwrap())),
                    Op::Gt => n.is_some_and(|n| n > num(arg.unwrap())),
                    _ => n.is_some_and(|n| n >= num(arg.unwrap())),
                };
            }
            let day = s.map(|s| s.chars().take(10).collect::<String>());
            match c.op {
                Op::IsEmpty => empty,
                Op::IsNotEmpty => !empty,
                Op::Equals if arg.is_some_and(Value::is_boolean) => v == arg,
                Op::Equals => s == Some(arg_s().as_str()),
                Op::NotEquals => s != Some(arg_s().as_str()),
                Op::Contains => {
                    s.is_some_and(|s| s.to_lowercase().contains(&arg_s().to_lowercase()))
                }
                Op::StartsWith => {
                    s.is_some_and(|s| s.to_lowercase().starts_with(&arg_s().to_lowercase()))
                }
                Op::In => s.is_some_and(|s| list().iter().any(|k| k == s)),
                Op::NotIn => !s.is_some_and(|s| list().iter().any(|k| k == s)),
                Op::Before => day.is_some_and(|d| d < arg_s()),
                Op::After => day.is_some_and(|d| d > arg_s()),
                Op::Between => {
                    let a = arg.unwrap().as_array().unwrap();
                    day.is_some_and(|d| {
                        d.as_str() >= a[0].as_str().unwrap() && d.as_str() <= a[1].as_str().unwrap()
                    })
                }
                Op::HasAny | Op::HasAll | Op::HasNone => {
                    let held: Vec<&str> = v
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let keys = list();
                    match c.op {
                        Op::HasAny => keys.iter().any(|k| held.contains(&k.as_str())),
                        Op::HasAll => {
                            v.is_some_and(Value::is_array)
                                && keys.iter().all(|k| held.contains(&k.as_str()))
                        }
                        _ => !keys.iter().any(|k| held.contains(&k.as_str())),
                    }
                }
                other => panic!("the generator made {other:?}"),
            }
        }
    }
}

/// A small deterministic generator (xorshift), so a failure reruns alike.
struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A random condition over the demo's data (values taken from its rows).
fn condition(g: &mut Gen, rows: &[Row], catalog: &views::Catalog, depth: usize) -> Value {
    let kinds = if depth < 3 { 10 } else { 6 };
    match g.below(kinds) {
        9 => {
            let kind = *g.pick(&["feeds", "backed_up_by", "no_such_kind"]);
            let direction = *g.pick(&["outgoing", "incoming", "either"]);
            let mut c = json!({"type": kind, "direction": direction});
            if g.below(3) > 0 {
                c["filter"] = condition(g, rows, catalog, depth + 1);
            }
            json!({ "related": c })
        }
        0 => json!({"type": [g.pick(&catalog.types.keys().cloned().collect::<Vec<_>>())]}),
        1 => {
            let tagged: Vec<&Row> = rows.iter().filter(|r| !r.tag_ids.is_empty()).collect();
            // One or two tags of one row, sometimes with one of another row's.
            let r = g.pick(&tagged);
            let mut tags = vec![*g.pick(&r.tag_ids), *g.pick(&r.tag_ids)];
            if g.below(2) == 0 {
                let other = g.pick(&tagged).tag_ids.clone();
                tags.push(*g.pick(&other));
            }
            tags.dedup();
            let mode = *g.pick(&["any", "all", "none"]);
            json!({"tag": {"match": mode, "tags": tags}})
        }
        2 => json!({"under": g.pick(rows).entity_id}),
        3 => {
            let name = &g.pick(rows).name;
            let start = g.below(name.len().saturating_sub(3).max(1));
            json!({"text": name.get(start..start + 3.min(name.len() - start)).unwrap_or("a")})
        }
        4 | 5 => property_condition(g, rows, catalog),
        6 => {
            json!({"all": (0..g.below(3) + 1).map(|_| condition(g, rows, catalog, depth + 1)).collect::<Vec<_>>()})
        }
        7 => {
            json!({"any": (0..g.below(3) + 1).map(|_| condition(g, rows, catalog, depth + 1)).collect::<Vec<_>>()})
        }
        _ => json!({"not": condition(g, rows, catalog, depth + 1)}),
    }
}

fn property_condition(g: &mut Gen, rows: &[Row], catalog: &views::Catalog) -> Value {
    use studio_core::records::ValueType as T;
    let keys: Vec<&String> = catalog
        .properties
        .iter()
        .filter(|(_, p)| p.in_read_model && !matches!(p.value_type, T::Json | T::SecretReference))
        .map(|(k, _)| k)
        .collect();
    let key = (*g.pick(&keys)).clone();
    let info = &catalog.properties[&key];
    // A value some row holds, when one does.
    let held: Vec<&Value> = rows.iter().filter_map(|r| r.properties.get(&key)).collect();
    let sample = if held.is_empty() {
        None
    } else {
        Some((*g.pick(&held)).clone())
    };
    let text = |v: &Option<Value>| {
        v.as_ref()
            .and_then(Value::as_str)
            .unwrap_or("zz")
            .to_string()
    };
    let (op, value) = match info.value_type {
        T::Number => {
            let n = sample.as_ref().and_then(Value::as_f64).unwrap_or(1.0);
            let s = |x: f64| {
                let t = format!("{x}");
                if t.contains('e') {
                    "1".to_string()
                } else {
                    t
                }
            };
            match g.below(7) {
                0 => ("equals", json!(s(n))),
                1 => ("notEquals", json!(s(n))),
                2 => ("lt", json!(s(n))),
                3 => ("lte", json!(s(n))),
                4 => ("gt", json!(s(n))),
                5 => ("gte", json!(s(n))),
                _ => ("between", json!([s(n - 10.0), s(n + 0.5)])),
            }
        }
        T::Boolean => ("equals", json!(g.below(2) == 0)),
        T::Date => {
            let d = text(&sample).chars().take(10).collect::<String>();
            let d = if d.len() == 10 {
                d
            } else {
                "2024-06-01".into()
            };
            match g.below(3) {
                0 => ("before", json!(d)),
                1 => ("after", json!(d)),
                _ => ("between", json!(["2020-01-01", d])),
            }
        }
        T::SingleSelect => {
            let opt = g.pick(&info.options).clone();
            (*g.pick(&["in", "notIn"]), json!([opt]))
        }
        T::MultiSelect => {
            let opt = g.pick(&info.options).clone();
            (*g.pick(&["hasAny", "hasAll", "hasNone"]), json!([opt]))
        }
        _ => {
            let t = text(&sample);
            match g.below(5) {
                0 => ("equals", json!(t)),
                1 => ("notEquals", json!(t)),
                2 => (
                    "contains",
                    json!(t.chars().skip(1).take(4).collect::<String>()),
                ),
                3 => ("startsWith", json!(t.chars().take(3).collect::<String>())),
                _ => ("in", json!([t, "zz"])),
            }
        }
    };
    if g.below(8) == 0 {
        return json!({"property": {"key": key, "op": *g.pick(&["isEmpty", "isNotEmpty"])}});
    }
    json!({"property": {"key": key, "op": op, "value": value}})
}

#[tokio::test]
async fn what_a_view_returns_matches_an_independent_evaluation() {
    let db = demo_db().await;
    let pool = &db.pool;
    let rows = all_rows(pool).await;
    assert!(rows.len() > 300);
    let mut conn = pool.acquire().await.unwrap();
    let catalog = views::catalog(&mut conn).await.unwrap();
    drop(conn);
    let numbers: BTreeSet<String> = catalog
        .properties
        .iter()
        .filter(|(_, p)| p.value_type == studio_core::records::ValueType::Number)
        .map(|(k, _)| k.clone())
        .collect();
    let model = Model {
        types: catalog.types.clone(),
        number_keys: numbers,
        relationships: live_relationships(pool).await,
        rows: rows.iter().map(|r| (r.entity_id, r.clone())).collect(),
    };
    assert!(model.relationships.len() >= 2, "the demo relates entities");
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    let (mut nonempty, mut partial) = (0, 0);
    for case in 0..300 {
        let filter = condition(&mut g, &rows, &catalog, 0);
        let d = doc(Some(filter.clone()));
        let got = ids_of(pool, &d).await.unwrap_or_else(|e| {
            panic!("case {case}: the compiler refused a generated document {filter}: {e:?}")
        });
        let f = d.filter.as_ref().unwrap();
        let expected: BTreeSet<Uuid> = rows
            .iter()
            .filter(|r| holds(f, r, &model))
            .map(|r| r.entity_id)
            .collect();
        assert_eq!(got, expected, "case {case}: {filter}");
        nonempty += usize::from(!got.is_empty());
        partial += usize::from(!got.is_empty() && got.len() < rows.len());
    }
    // The generator must make documents that select something, and not everything.
    assert!(
        nonempty > 100 && partial > 80,
        "{nonempty} non-empty, {partial} partial"
    );
}

#[tokio::test]
async fn keyset_pages_add_up_to_the_whole_in_order() {
    let db = demo_db().await;
    let pool = &db.pool;
    for sort in [
        json!([{"field": "property:rated_power_kw", "descending": true}, {"field": "name"}]),
        json!([{"field": "updatedAt"}]),
        json!([{"field": "property:install_date"}, {"field": "pathLabel", "descending": true}]),
        json!([]),
    ] {
        let mut whole = doc(None);
        whole.sort = serde_json::from_value(sort.clone()).unwrap();
        let all = views::page(pool, &whole, None).await.unwrap();
        assert!(all.next.is_none() && all.rows.len() > 300);
        let mut paged = Vec::new();
        let mut small = whole.clone();
        small.page_size = 37;
        let mut after = None;
        loop {
            let page = views::page(pool, &small, after.as_ref()).await.unwrap();
            paged.extend(page.rows.iter().map(|r| r.id));
            match page.next {
                Some(c) => after = Some(c),
                None => break,
            }
        }
        let expected: Vec<Uuid> = all.rows.iter().map(|r| r.id).collect();
        assert_eq!(paged, expected, "sort {sort}");
    }
    // The count is exact here (the demo is small).
    let count = views::count(pool, &doc(Some(json!({"type": ["hvac_unit"]}))))
        .await
        .unwrap();
    assert!(count.exact && count.count > 0);
    // A damaged cursor is refused, not run.
    let mut sorted = doc(None);
    sorted.sort = serde_json::from_value(json!([{"field": "property:rated_power_kw"}])).unwrap();
    let bad = views::Cursor {
        values: vec!["1; DROP TABLE entities".into()],
        id: Uuid::nil(),
    };
    assert!(matches!(
        views::page(pool, &sorted, Some(&bad)).await,
        Err(CoreError::Validation(_))
    ));
}

#[tokio::test]
async fn hostile_documents_change_nothing_and_fail_cleanly() {
    let db = demo_db().await;
    let pool = &db.pool;
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM entities")
        .fetch_one(pool)
        .await
        .unwrap();
    let nasty = [
        "'; DROP TABLE entities; --",
        "\" OR 1=1 --",
        "$$ || pg_sleep(5) || $$",
        "\\'; SELECT 1; \\",
        "/* comment */ name",
        "ｓｅｌｅｃｔ",
        "%_%",
        &"x".repeat(5_000),
    ];
    for s in nasty {
        let docs = [
            json!({"text": s}),
            json!({"property": {"key": s, "op": "equals", "value": "x"}}),
            json!({"property": {"key": "manufacturer", "op": "contains", "value": s}}),
            json!({"property": {"key": "manufacturer", "op": "in", "value": [s]}}),
            json!({"property": {"key": "status", "op": "in", "value": [s]}}),
            json!({"property": {"key": "install_date", "op": "after", "value": s}}),
            json!({"property": {"key": "rated_power_kw", "op": "gt", "value": s}}),
            json!({"type": [s]}),
        ];
        for filter in docs {
            match views::page(pool, &doc(Some(filter.clone())), None).await {
                Ok(_) | Err(CoreError::Validation(_)) | Err(CoreError::Forbidden(_)) => {}
                Err(other) => panic!("{filter}: {other:?}"),
            }
        }
        let mut sorted = doc(None);
        sorted.sort = vec![serde_json::from_value(json!({"field": s})).unwrap()];
        sorted.columns = vec![views::Column::new(s)];
        assert!(matches!(
            views::page(pool, &sorted, None).await,
            Err(CoreError::Validation(_))
        ));
    }
    // The NUL character is refused before it reaches PostgreSQL.
    let e = views::page(pool, &doc(Some(json!({"text": "a\u{0}b"}))), None).await;
    assert!(matches!(e, Err(CoreError::Validation(_))), "{e:?}");
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM entities")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(before, after);
}

/// A person reading one root (`label`): their id and a pool logged in as
/// them (the test cluster admits local logins without a password).
async fn reader_of(db: &studio_core::testing::TestDb, prefix: &str, label: &str) -> (Uuid, PgPool) {
    use studio_core::people::{self, Capability, GrantScope, Login, NewPerson};
    let pool = &db.pool;
    let owner = Actor::new(None, Source::Test);
    let role = format!("{prefix}_{}", &db.name[2..14]);
    let added = people::add_person(
        pool,
        &owner,
        &NewPerson {
            role: role.clone(),
            display_name: "Viewer".into(),
            email: None,
            login: Login::NewRoleWithoutPassword,
            is_admin: false,
        },
    )
    .await
    .unwrap()
    .value;
    let root = people::root_by_label(pool, label).await.unwrap().unwrap();
    let _ = people::grant_scope(
        pool,
        &owner,
        &GrantScope {
            user_id: added.person.id,
            root_id: root,
            capabilities: vec![Capability::Read],
        },
    )
    .await
    .unwrap();
    let person = studio_core::db::connect(&studio_core::db::with_user(&db.url, &role).unwrap())
        .await
        .unwrap();
    (added.person.id, person)
}

#[tokio::test]
async fn a_scoped_person_sees_only_their_rows_in_a_view() {
    let db = demo_db().await;
    let pool = &db.pool;
    let northwind = studio_core::people::root_by_label(pool, "northwind_energy")
        .await
        .unwrap()
        .unwrap();
    let (_, person) = reader_of(&db, "view", "northwind_energy").await;
    let d = doc(Some(json!({"type": ["hvac_unit"]})));
    let everyone = ids_of(pool, &d).await.unwrap();
    let theirs = ids_of(&person, &d).await.unwrap();
    let under: BTreeSet<Uuid> = ids_of(
        pool,
        &doc(Some(
            json!({"all": [{"type": ["hvac_unit"]}, {"under": northwind}]}),
        )),
    )
    .await
    .unwrap();
    assert!(!theirs.is_empty() && theirs.len() < everyone.len());
    assert_eq!(theirs, under);
    let count = views::count(&person, &d).await.unwrap();
    assert_eq!(count.count as usize, theirs.len());
}

#[tokio::test]
async fn a_view_exports_as_csv_and_json_streamed_with_sensitive_columns_masked() {
    let db = demo_db().await;
    let pool = &db.pool;
    let mut d = doc(Some(json!({"type": ["energy_meter", "hvac_unit"]})));
    d.columns = vec![
        "name".into(),
        "type".into(),
        "property:rated_power_kw".into(),
        "property:api_token".into(),
    ];
    d.sort = serde_json::from_value(json!([{"field": "name"}])).unwrap();
    let expected = ids_of(pool, &d).await.unwrap().len();
    assert!(expected > 20);

    let mut csv = Vec::new();
    let mut progress = Vec::new();
    let rows = views::export(
        pool,
        &d,
        views::ExportFormat::Csv,
        None,
        &mut csv,
        |n| progress.push(n),
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(rows as usize, expected);
    assert_eq!(progress.last().copied(), Some(rows));
    let text = String::from_utf8(csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("name,type,property:rated_power_kw,property:api_token")
    );
    assert_eq!(text.lines().count(), expected + 1);
    assert!(
        text.lines().skip(1).all(|l| l.ends_with(",••••••")),
        "the sensitive column is masked on every row"
    );

    let mut json_out = Vec::new();
    let rows = views::export(
        pool,
        &d,
        views::ExportFormat::Json,
        Some(7),
        &mut json_out,
        |_| {},
        &CancelToken::new(),
    )
    .await
    .unwrap();
    let parsed: Vec<Value> = serde_json::from_slice(&json_out).expect("the JSON export parses");
    assert_eq!((parsed.len(), rows), (7, 7), "the limit holds");
    assert!(parsed
        .iter()
        .all(|r| r["type"].is_string() && r["id"].is_string()));
    // A refused document writes nothing at all.
    let mut nothing = Vec::new();
    let bad = doc(Some(
        json!({"property": {"key": "rated_power_kw", "op": "contains", "value": "1"}}),
    ));
    let refused = views::export(
        pool,
        &bad,
        views::ExportFormat::Csv,
        None,
        &mut nothing,
        |_| {},
        &CancelToken::new(),
    )
    .await;
    assert!(matches!(refused, Err(CoreError::Validation(_))) && nothing.is_empty());
    // Sensitive values never leave the read model; their column is masked.
    assert!(parsed
        .iter()
        .all(|r| r["property:api_token"] == json!("••••••")));
}

#[tokio::test]
async fn creation_time_and_a_urls_host_filter_as_written() {
    let db = demo_db().await;
    let pool = &db.pool;
    let rows = all_rows(pool).await;
    // Created: everything after 2000, nothing before; the same cut as SQL.
    let all = ids_of(
        pool,
        &doc(Some(
            json!({"created": {"op": "after", "value": "2000-01-01"}}),
        )),
    )
    .await
    .unwrap();
    assert_eq!(all.len(), rows.len());
    let none = ids_of(
        pool,
        &doc(Some(
            json!({"created": {"op": "before", "value": "2000-01-01T00:00:00Z"}}),
        )),
    )
    .await
    .unwrap();
    assert!(none.is_empty());
    let recent = ids_of(
        pool,
        &doc(Some(json!({"created": {"op": "inLastDays", "value": 1}}))),
    )
    .await
    .unwrap();
    assert_eq!(recent.len(), rows.len(), "the demo was created just now");

    // Host of a URL property, any case, compared with the url crate's reading.
    let urls: Vec<(Uuid, String)> = rows
        .iter()
        .filter_map(|r| {
            Some((
                r.entity_id,
                r.properties.get("firmware_url")?.as_str()?.to_string(),
            ))
        })
        .collect();
    assert!(!urls.is_empty(), "the demo has firmware URLs");
    let host = url::Url::parse(&urls[0].1)
        .unwrap()
        .host_str()
        .unwrap()
        .to_string();
    let expected: BTreeSet<Uuid> = urls
        .iter()
        .filter(|(_, u)| {
            url::Url::parse(u)
                .ok()
                .and_then(|u| u.host_str().map(str::to_lowercase))
                == Some(host.to_lowercase())
        })
        .map(|(id, _)| *id)
        .collect();
    let got = ids_of(
        pool,
        &doc(Some(json!({"property": {"key": "firmware_url", "op": "hostIs", "value": host.to_uppercase()}}))),
    )
    .await
    .unwrap();
    assert_eq!(got, expected);
    let e = views::page(
        pool,
        &doc(Some(
            json!({"property": {"key": "firmware_url", "op": "hostIs", "value": "a/b"}}),
        )),
        None,
    )
    .await;
    assert_eq!(
        validation_path(&e.unwrap_err()),
        Some("filter.property.value")
    );
    let e = views::page(
        pool,
        &doc(Some(
            json!({"property": {"key": "manufacturer", "op": "hostIs", "value": "x.org"}}),
        )),
        None,
    )
    .await;
    assert_eq!(validation_path(&e.unwrap_err()), Some("filter.property.op"));
}

#[tokio::test]
async fn saved_views_are_created_changed_deleted_and_restored_with_their_rules() {
    use studio_core::records::{CurrentRow, VersionedId};
    let db = demo_db().await;
    let pool = &db.pool;
    let owner = Actor::new(None, Source::Test);
    let northwind = studio_core::people::root_by_label(pool, "northwind_energy")
        .await
        .unwrap()
        .unwrap();
    let hvac = doc(Some(json!({"type": ["hvac_unit"]})));
    let new =
        |name: &str, key: Option<&str>, shared: bool, document: &ViewDocument| views::NewView {
            name: name.into(),
            key: key.map(str::to_string),
            description: None,
            shared,
            root_id: Some(northwind),
            document: document.clone(),
        };

    // A shared view pinned to Northwind, with a key.
    let created = views::create_view(
        pool,
        &owner,
        &new("HVAC units", Some("hvac_units"), true, &hvac),
    )
    .await
    .unwrap()
    .value;
    assert_eq!(
        (created.owner_user_id, created.root_entity_id),
        (None, Some(northwind))
    );
    assert_eq!(
        views::saved_document(pool, "hvac_units").await.unwrap(),
        hvac
    );
    // Bad input changes nothing: a taken key, a bad key, a bad document, a
    // personal view without a person, a root that is not one.
    let taken =
        views::create_view(pool, &owner, &new("Again", Some("hvac_units"), true, &hvac)).await;
    assert_eq!(validation_path(&taken.unwrap_err()), Some("key"));
    let bad_key = views::create_view(pool, &owner, &new("X", Some("Bad Key"), true, &hvac)).await;
    assert_eq!(validation_path(&bad_key.unwrap_err()), Some("key"));
    let bad_doc = doc(Some(json!({"property": {"key": "nope", "op": "isEmpty"}})));
    let refused = views::create_view(pool, &owner, &new("X", None, true, &bad_doc)).await;
    assert_eq!(
        validation_path(&refused.unwrap_err()),
        Some("filter.property.key")
    );
    let personal = views::create_view(pool, &owner, &new("Mine", None, false, &hvac)).await;
    assert_eq!(validation_path(&personal.unwrap_err()), Some("shared"));
    assert_eq!(views::list_saved(pool).await.unwrap().len(), 1);

    // Changed against the version read; a stale version is a conflict
    // that carries the view as it is now.
    let renamed = views::update_view(
        pool,
        &owner,
        &views::ViewUpdate {
            id: created.id,
            expected_updated_at: created.updated_at,
            name: "Northwind HVAC".into(),
            description: Some("every unit".into()),
            document: doc(Some(
                json!({"all": [{"type": ["hvac_unit"]}, {"text": "unit"}]}),
            )),
        },
    )
    .await
    .unwrap()
    .value;
    assert_eq!(renamed.name, "Northwind HVAC");
    let stale = views::update_view(
        pool,
        &owner,
        &views::ViewUpdate {
            id: created.id,
            expected_updated_at: created.updated_at,
            name: "Lost".into(),
            description: None,
            document: hvac.clone(),
        },
    )
    .await;
    match stale {
        Err(CoreError::Conflict {
            current: CurrentRow::SavedView(v),
            ..
        }) => assert_eq!(v.name, "Northwind HVAC"),
        other => panic!("a stale update was not a conflict: {other:?}"),
    }
    let copy = views::duplicate_view(pool, &owner, created.id, true)
        .await
        .unwrap()
        .value;
    assert_eq!(
        (copy.name.as_str(), copy.key.as_deref()),
        ("Northwind HVAC (copy)", None)
    );

    // Deleted, then its key is free; restoring it while another holds the
    // key is refused.
    let deleted = views::delete_view(
        pool,
        &owner,
        &VersionedId {
            id: created.id,
            expected_updated_at: renamed.updated_at,
        },
    )
    .await
    .unwrap()
    .value;
    assert!(deleted.deleted_at.is_some());
    let other = views::create_view(pool, &owner, &new("Other", Some("hvac_units"), true, &hvac))
        .await
        .unwrap()
        .value;
    let clash = views::restore_view(
        pool,
        &owner,
        &VersionedId {
            id: created.id,
            expected_updated_at: deleted.updated_at,
        },
    )
    .await;
    assert_eq!(validation_path(&clash.unwrap_err()), Some("key"));
    let _ = views::delete_view(
        pool,
        &owner,
        &VersionedId {
            id: other.id,
            expected_updated_at: other.updated_at,
        },
    )
    .await
    .unwrap();
    let restored = views::restore_view(
        pool,
        &owner,
        &VersionedId {
            id: created.id,
            expected_updated_at: deleted.updated_at,
        },
    )
    .await
    .unwrap()
    .value;
    assert!(restored.deleted_at.is_none());

    // Every change is audited against the view's root.
    let audited: Vec<(String, Option<Uuid>)> = sqlx::query_as(
        "SELECT action, entity_id FROM audit_events WHERE table_name = 'admin_saved_views' AND record_id = $1 ORDER BY occurred_at, id",
    )
    .bind(created.id)
    .fetch_all(pool)
    .await
    .unwrap();
    let actions: Vec<&str> = audited.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        ["view.create", "view.update", "view.delete", "view.restore"]
    );
    assert!(audited.iter().all(|(_, e)| *e == Some(northwind)));

    // Row-level security: a person who does not see Northwind sees none of
    // it, not even in the audit; their own personal view is theirs alone.
    let (person_id, person) = reader_of(&db, "sv", "helios_facilities").await;
    assert!(views::list_saved(&person).await.unwrap().is_empty());
    let their_audit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE table_name = 'admin_saved_views'",
    )
    .fetch_one(&person)
    .await
    .unwrap();
    assert_eq!(their_audit, 0);
    let person_actor = Actor::for_session(&person, Source::Test).await.unwrap();
    let mut mine = new("Mine", None, false, &hvac);
    mine.root_id = None;
    let personal = views::create_view(&person, &person_actor, &mine)
        .await
        .unwrap()
        .value;
    assert_eq!(personal.owner_user_id, Some(person_id));
    let theirs: Vec<Uuid> = views::list_saved(&person)
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(
        theirs,
        vec![personal.id],
        "a person lists their own view and nothing of Northwind"
    );
}

#[tokio::test]
async fn an_ip_address_in_a_subnet_and_a_value_that_is_no_address() {
    let db = demo_db().await;
    let pool = &db.pool;
    // A value kept from an earlier type: the view must still run.
    let damaged: Uuid = sqlx::query_scalar(
        "UPDATE entity_read_model SET properties = properties || '{\"ip_address\": \"10.1.2.300\"}'
          WHERE entity_id = (SELECT entity_id FROM entity_read_model WHERE properties ? 'ip_address' ORDER BY entity_id LIMIT 1)
          RETURNING entity_id",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let rows = all_rows(pool).await;
    let held: Vec<(Uuid, String)> = rows
        .iter()
        .filter_map(|r| {
            Some((
                r.entity_id,
                r.properties.get("ip_address")?.as_str()?.to_string(),
            ))
        })
        .collect();
    assert!(held.len() > 5, "the demo has IP addresses");
    let address = |s: &str| -> Option<std::net::IpAddr> {
        s.parse::<std::net::IpAddr>()
            .ok()
            .or_else(|| s.parse::<ipnet::IpNet>().ok().map(|n| n.addr()))
    };
    let sample = held.iter().find_map(|(_, s)| address(s)).unwrap();
    let subnet: ipnet::IpNet = format!("{sample}/{}", if sample.is_ipv4() { 16 } else { 48 })
        .parse()
        .unwrap();
    let expected: BTreeSet<Uuid> = held
        .iter()
        .filter(|(_, s)| address(s).is_some_and(|a| subnet.trunc().contains(&a)))
        .map(|(id, _)| *id)
        .collect();
    let got = ids_of(
        pool,
        &doc(Some(json!({"property": {"key": "ip_address", "op": "inSubnet", "value": subnet.to_string()}}))),
    )
    .await
    .expect("a damaged value does not fail the view");
    assert_eq!(got, expected);
    assert!(!got.contains(&damaged));
    let e = views::page(
        pool,
        &doc(Some(
            json!({"property": {"key": "ip_address", "op": "inSubnet", "value": "10.0.0.0/99"}}),
        )),
        None,
    )
    .await;
    assert_eq!(
        validation_path(&e.unwrap_err()),
        Some("filter.property.value")
    );
}

// ------------------------------------------- relationships, bulk, tree, jobs

/// The sources (or targets) of live relationships of one type.
async fn ends_of(pool: &PgPool, kind: &str, sources: bool) -> BTreeSet<Uuid> {
    let column = if sources {
        "source_entity_id"
    } else {
        "target_entity_id"
    };
    let sql = format!(
        "SELECT {column} FROM entity_relationships WHERE relationship_type = $1 AND deleted_at IS NULL"
    );
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(kind)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

#[tokio::test]
async fn a_relationship_condition_follows_links_either_way_and_nests() {
    let db = demo_db().await;
    let pool = &db.pool;
    // The types in use, for the builder's suggestions.
    assert_eq!(
        studio_core::links::relationship_types(pool).await.unwrap(),
        vec!["backed_up_by".to_string(), "feeds".to_string()]
    );
    let feeders = ends_of(pool, "feeds", true).await;
    let fed = ends_of(pool, "feeds", false).await;
    assert!(feeders.len() >= 5 && fed.len() >= 5);
    let related = |direction: &str, sub: Option<Value>| {
        let mut c = json!({"type": "feeds", "direction": direction});
        if let Some(sub) = sub {
            c["filter"] = sub;
        }
        doc(Some(json!({ "related": c })))
    };
    assert_eq!(
        ids_of(pool, &related("outgoing", None)).await.unwrap(),
        feeders
    );
    assert_eq!(ids_of(pool, &related("incoming", None)).await.unwrap(), fed);
    assert_eq!(
        ids_of(pool, &related("either", None)).await.unwrap(),
        feeders.union(&fed).copied().collect()
    );
    // The sub-filter is about the entity at the other end: meters feeding
    // one particular HVAC unit, found by its name.
    let one: (Uuid, Uuid, String) = sqlx::query_as(
        "SELECT x.source_entity_id, x.target_entity_id, e.name
           FROM entity_relationships x JOIN entity_read_model e ON e.entity_id = x.target_entity_id
          WHERE x.relationship_type = 'feeds' AND x.deleted_at IS NULL
          ORDER BY x.id LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let names_like: Vec<Uuid> = sqlx::query_scalar(
        "SELECT x.source_entity_id FROM entity_relationships x JOIN entity_read_model e ON e.entity_id = x.target_entity_id
          WHERE x.relationship_type = 'feeds' AND x.deleted_at IS NULL AND e.name ILIKE '%' || $1 || '%'",
    )
    .bind(&one.2)
    .fetch_all(pool)
    .await
    .unwrap();
    let got = ids_of(pool, &related("outgoing", Some(json!({"text": one.2}))))
        .await
        .unwrap();
    assert!(got.contains(&one.0));
    assert_eq!(got, names_like.into_iter().collect());
    // Nested: units backed up by a unit that some meter feeds.
    let backups: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT source_entity_id, target_entity_id FROM entity_relationships
          WHERE relationship_type = 'backed_up_by' AND deleted_at IS NULL",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let expected: BTreeSet<Uuid> = backups
        .iter()
        .filter(|(_, backup)| fed.contains(backup))
        .map(|(unit, _)| *unit)
        .collect();
    let nested = doc(Some(
        json!({"related": {"type": "backed_up_by", "direction": "outgoing",
        "filter": {"related": {"type": "feeds", "direction": "incoming"}}}}),
    ));
    assert_eq!(ids_of(pool, &nested).await.unwrap(), expected);
    assert!(!expected.is_empty());
    // And a negation inside the sub-filter: backed up by a unit no meter feeds.
    let unfed: BTreeSet<Uuid> = backups
        .iter()
        .filter(|(_, backup)| !fed.contains(backup))
        .map(|(unit, _)| *unit)
        .collect();
    let nested = doc(Some(
        json!({"related": {"type": "backed_up_by", "direction": "outgoing",
        "filter": {"not": {"related": {"type": "feeds", "direction": "incoming"}}}}}),
    ));
    assert_eq!(ids_of(pool, &nested).await.unwrap(), unfed);
    // A type nobody uses matches nothing, and is no error.
    let none = doc(Some(
        json!({"related": {"type": "no_such_kind", "direction": "either"}}),
    ));
    assert!(ids_of(pool, &none).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_bulk_edit_takes_a_views_rows_as_its_target() {
    use studio_core::bulk::{self, BulkAction, BulkEdit, BulkTarget};
    let db = demo_db().await;
    let pool = &db.pool;
    let target = doc(Some(
        json!({"all": [{"type": ["hvac_unit"]}, {"property": {"key": "rated_power_kw", "op": "gte", "value": "10"}}]}),
    ));
    let expected = ids_of(pool, &target).await.unwrap();
    assert!(expected.len() > 3, "the demo has such units");
    let tag: Uuid = sqlx::query_scalar(
        "SELECT t.entity_id FROM tags t LEFT JOIN tag_groups g ON g.id = t.tag_group_id
          WHERE t.deleted_at IS NULL AND (g.id IS NULL OR g.selection_mode = 'multi')
          ORDER BY t.id LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .expect("the demo has tags");
    let edit = BulkEdit {
        target: BulkTarget::View {
            document: target.clone(),
        },
        action: BulkAction::AddTag { tag_id: tag },
    };
    let preview = bulk::bulk_preview(pool, &edit).await.unwrap();
    assert_eq!(preview.targets as usize, expected.len());
    let actor = Actor::new(None, Source::Test);
    let _ = bulk::bulk_apply(pool, &actor, &edit, &|_| {}, &CancelToken::new())
        .await
        .unwrap();
    // Every row of the view carries the tag now.
    let mut tagged = target.clone();
    tagged.filter = Some(
        serde_json::from_value(json!({"all": [target.filter.clone().unwrap(), {"tag": {"match": "all", "tags": [tag]}}]}))
            .unwrap(),
    );
    assert_eq!(ids_of(pool, &tagged).await.unwrap(), expected);
    // A bad document is refused before anything is read or written.
    let bad = BulkEdit {
        target: BulkTarget::View {
            document: doc(Some(json!({"property": {"key": "nope", "op": "isEmpty"}}))),
        },
        action: BulkAction::AddTag { tag_id: tag },
    };
    let e = bulk::bulk_preview(pool, &bad).await.unwrap_err();
    assert_eq!(validation_path(&e), Some("filter.property.key"));
}

#[tokio::test]
async fn a_tree_view_holds_the_matches_and_their_ancestors_greyed() {
    let db = demo_db().await;
    let pool = &db.pool;
    let d = doc(Some(json!({"type": ["hvac_unit"]})));
    let matching = ids_of(pool, &d).await.unwrap();
    let tree = views::tree(pool, &d).await.unwrap();
    assert!(!tree.truncated);
    let by_id: HashMap<Uuid, &views::ViewTreeNode> = tree.nodes.iter().map(|n| (n.id, n)).collect();
    assert_eq!(by_id.len(), tree.nodes.len(), "each node once");
    let matches: BTreeSet<Uuid> = tree
        .nodes
        .iter()
        .filter(|n| n.matches)
        .map(|n| n.id)
        .collect();
    assert_eq!(matches, matching);
    // Every node's parent is in the tree (an administrator sees them all),
    // and every non-matching node is some match's ancestor.
    for n in &tree.nodes {
        if let Some(parent) = n.parent_id {
            assert!(by_id.contains_key(&parent), "{} lost its parent", n.name);
        }
    }
    let ancestors: BTreeSet<Uuid> = tree
        .nodes
        .iter()
        .filter(|n| !n.matches)
        .map(|n| n.id)
        .collect();
    assert!(!ancestors.is_empty());
    let reachable: BTreeSet<Uuid> = matching
        .iter()
        .flat_map(|id| {
            let mut up = vec![];
            let mut at = by_id[id].parent_id;
            while let Some(p) = at {
                up.push(p);
                at = by_id[&p].parent_id;
            }
            up
        })
        .filter(|id| !matching.contains(id))
        .collect();
    assert_eq!(ancestors, reachable);
}

#[tokio::test]
async fn stored_documents_of_version_1_come_up_to_date() {
    let db = demo_db().await;
    let pool = &db.pool;
    let actor = Actor::new(None, Source::Test);
    let view = views::create_view(
        pool,
        &actor,
        &views::NewView {
            name: "Old pumps".into(),
            key: Some("old_pumps".into()),
            description: None,
            shared: true,
            root_id: None,
            document: doc(Some(json!({"type": ["hvac_unit"]}))),
        },
    )
    .await
    .unwrap()
    .value;
    // As an earlier build saved it: columns were names.
    sqlx::query("UPDATE admin_saved_views SET config = $1 WHERE id = $2")
        .bind(
            json!({"version": 1, "filter": {"type": ["hvac_unit"]}, "pageSize": 1000,
                "columns": ["name", "property:rated_power_kw"]}),
        )
        .bind(view.id)
        .execute(pool)
        .await
        .unwrap();
    let listed = views::list_saved(pool).await.unwrap();
    let config = &listed.iter().find(|v| v.id == view.id).unwrap().config;
    assert_eq!(config["version"], json!(views::VIEW_DOCUMENT_VERSION));
    assert_eq!(
        config["columns"],
        json!([{"field": "name"}, {"field": "property:rated_power_kw"}])
    );
    let d = views::saved_document(pool, "old_pumps").await.unwrap();
    assert_eq!(d.columns[1], views::Column::new("property:rated_power_kw"));
    assert!(!ids_of(pool, &d).await.unwrap().is_empty());
    // A document from a newer build is refused with its version named.
    let e = views::parse_document(r#"{"version": 99}"#).unwrap_err();
    assert_eq!(validation_path(&e), Some("version"));
}

#[tokio::test]
async fn an_export_job_writes_its_file_whole_or_not_at_all() {
    use std::sync::{Arc, Mutex};
    use studio_core::jobs::{JobEvent, JobOutcome, Jobs};
    let db = demo_db().await;
    let pool = &db.pool;
    let dir = tempfile::tempdir().unwrap();
    let d = doc(Some(json!({"type": ["hvac_unit"]})));
    let expected = ids_of(pool, &d).await.unwrap().len();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let tx = Arc::new(Mutex::new(tx));
    let listener: studio_core::jobs::JobListener = Arc::new(move |e: JobEvent| {
        let _ = tx.lock().unwrap().send(e);
    });
    let jobs = Jobs::new();
    let path = dir.path().join("units.csv");
    let (job, total) = jobs
        .export_view(
            pool,
            &d,
            views::ExportFormat::Csv,
            path.clone(),
            None,
            listener.clone(),
        )
        .await
        .unwrap();
    assert_eq!(total as usize, expected);
    let outcome = loop {
        match rx.recv().await.expect("the job reports its end") {
            JobEvent::Finished {
                job_id, outcome, ..
            } if job_id == job => break outcome,
            _ => {}
        }
    };
    match *outcome {
        JobOutcome::Exported {
            rows,
            path: written,
        } => {
            assert_eq!(rows as usize, expected);
            assert_eq!(written, path);
        }
        other => panic!("{other:?}"),
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), expected + 1, "a header and each row");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no partial file is left");
    // Refused before any job starts: a missing folder, a relative path, a
    // folder as the file, a bad document.
    for (bad_path, bad_doc) in [
        (dir.path().join("missing/units.csv"), d.clone()),
        ("units.csv".into(), d.clone()),
        (dir.path().to_path_buf(), d.clone()),
        (
            dir.path().join("x.csv"),
            doc(Some(json!({"type": ["spaceship"]}))),
        ),
    ] {
        let e = jobs
            .export_view(
                pool,
                &bad_doc,
                views::ExportFormat::Json,
                bad_path.clone(),
                None,
                listener.clone(),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, CoreError::Validation(_)), "{bad_path:?}: {e:?}");
    }
    assert!(jobs.running().is_empty());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // A cancelled export stops before it writes rows.
    let cancel = CancelToken::new();
    cancel.cancel();
    let mut out = Vec::new();
    let e = views::export(
        pool,
        &d,
        views::ExportFormat::Csv,
        None,
        &mut out,
        |_| {},
        &cancel,
    )
    .await;
    assert!(matches!(e, Err(CoreError::Cancelled)), "{e:?}");
}

#[tokio::test]
async fn an_entity_type_opens_with_its_chosen_view_or_one_made_from_its_layout() {
    use studio_core::views::SetTypeDefaultView;
    let db = demo_db().await;
    let pool = &db.pool;
    let admin = Actor::new(None, Source::Test);
    let hvac_type: Uuid =
        sqlx::query_scalar("SELECT id FROM entity_type_definitions WHERE key = 'hvac_unit'")
            .fetch_one(pool)
            .await
            .unwrap();
    // Without a choice: the type's entities, with its layout's properties.
    let generated = views::generated_type_view(pool, hvac_type).await.unwrap();
    assert_eq!(
        generated.filter,
        Some(Filter::Type(vec!["hvac_unit".into()]))
    );
    assert!(generated
        .columns
        .iter()
        .any(|c| c.field == "property:rated_power_kw"));
    assert!(!generated
        .columns
        .iter()
        .any(|c| c.field == "property:api_token"));
    let all_units = ids_of(pool, &doc(Some(json!({"type": ["hvac_unit"]}))))
        .await
        .unwrap();
    let mut big = generated.clone();
    big.page_size = 1000;
    assert_eq!(ids_of(pool, &big).await.unwrap(), all_units);
    assert!(views::type_default_views(pool).await.unwrap().is_empty());

    let new = |name: &str, shared: bool, root: Option<Uuid>| views::NewView {
        name: name.into(),
        key: None,
        description: None,
        shared,
        root_id: root,
        document: generated.clone(),
    };
    let shared = views::create_view(pool, &admin, &new("Units", true, None))
        .await
        .unwrap()
        .value;
    let set = |view_id: Option<Uuid>| SetTypeDefaultView {
        entity_type_id: hvac_type,
        view_id,
    };
    let chosen = views::set_type_default_view(pool, &admin, &set(Some(shared.id)))
        .await
        .unwrap();
    assert_eq!(chosen.changes.len(), 1);
    let listed = views::type_default_views(pool).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|d| (d.entity_type_id, d.saved_view_id))
            .collect::<Vec<_>>(),
        vec![(hvac_type, shared.id)]
    );

    // A person's own view is not a type's view; a missing one neither.
    let (person_id, person) = reader_of(&db, "tdv", "helios_facilities").await;
    let person_actor = Actor::for_session(&person, Source::Test).await.unwrap();
    let mine = views::create_view(&person, &person_actor, &new("Mine", false, None))
        .await
        .unwrap()
        .value;
    assert_eq!(mine.owner_user_id, Some(person_id));
    for (bad, path) in [(mine.id, "viewId"), (Uuid::now_v7(), "viewId")] {
        let e = views::set_type_default_view(pool, &admin, &set(Some(bad)))
            .await
            .unwrap_err();
        assert_eq!(validation_path(&e), Some(path), "{e:?}");
    }
    // Only a global administrator chooses; the person's attempts change nothing.
    let e = views::set_type_default_view(&person, &person_actor, &set(None))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::Forbidden(_)), "{e:?}");
    let theirs = views::create_view(pool, &admin, &new("Other units", true, None))
        .await
        .unwrap()
        .value;
    let e = views::set_type_default_view(&person, &person_actor, &set(Some(theirs.id)))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::Forbidden(_)), "{e:?}");
    assert_eq!(views::type_default_views(&person).await.unwrap().len(), 1);

    // A choice pinned to a root the person does not see is not theirs: they
    // get the generated view.
    let northwind = studio_core::people::root_by_label(pool, "northwind_energy")
        .await
        .unwrap()
        .unwrap();
    let pinned = views::create_view(pool, &admin, &new("Northwind units", true, Some(northwind)))
        .await
        .unwrap()
        .value;
    let _ = views::set_type_default_view(pool, &admin, &set(Some(pinned.id)))
        .await
        .unwrap();
    assert_eq!(views::type_default_views(pool).await.unwrap().len(), 1);
    assert!(views::type_default_views(&person).await.unwrap().is_empty());

    // Cleared, and the audit holds each choice.
    let _ = views::set_type_default_view(pool, &admin, &set(None))
        .await
        .unwrap();
    assert!(views::type_default_views(pool).await.unwrap().is_empty());
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'type.default_view' AND record_id = $1",
    )
    .bind(hvac_type)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(audited, 3);
}

#[tokio::test]
async fn a_sort_index_returns_a_types_rows_in_order_and_changes_no_answer() {
    use studio_core::views::sort_index;
    let db = demo_db().await;
    let pool = &db.pool;
    // Building an index concurrently runs outside a transaction: through a
    // transaction pooler it is refused, and an administrator builds it
    // straight on the server.
    let maint = studio_core::db::connect(&db.direct_url).await.unwrap();
    if studio_core::testing::through_pooler() {
        let refused = sort_index::create_sort_index(pool, "install_date")
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("pooler"), "{refused}");
    }
    let mut d = doc(Some(json!({"type": ["hvac_unit"]})));
    d.sort =
        vec![
            serde_json::from_value(json!({"field": "property:install_date", "descending": true}))
                .unwrap(),
        ];
    d.page_size = 7;
    // Every page, before and after the index.
    async fn all_pages(pool: &PgPool, d: &ViewDocument) -> Vec<Uuid> {
        let mut ids = Vec::new();
        let mut after = None;
        loop {
            let page = views::page(pool, d, after.as_ref()).await.unwrap();
            ids.extend(page.rows.iter().map(|r| r.id));
            match page.next {
                Some(next) => after = Some(next),
                None => return ids,
            }
        }
    }
    let before = all_pages(pool, &d).await;
    assert!(before.len() > 20);
    for bad in [
        "",
        "Install",
        "x'; DROP TABLE entities; --",
        "no_such_key",
        "api_token",
    ] {
        let e = sort_index::create_sort_index(&maint, bad)
            .await
            .unwrap_err();
        assert!(matches!(e, CoreError::Validation(_)), "{bad:?}: {e:?}");
    }
    let name = sort_index::create_sort_index(&maint, "install_date")
        .await
        .unwrap();
    assert_eq!(
        sort_index::sort_indexes(&maint).await.unwrap(),
        vec![name.clone()]
    );
    // Again: nothing to do.
    sort_index::create_sort_index(&maint, "install_date")
        .await
        .unwrap();
    assert_eq!(all_pages(pool, &d).await, before);
    // The planner can walk it in the view's order: with scans that need a
    // sort made dear, the page's plan is that index.
    let mut conn = pool.acquire().await.unwrap();
    let compiled = views::compile_for(&mut conn, &d).await.unwrap();
    let (sql, binds) = views::page_sql(&compiled, None).unwrap();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL enable_sort = off")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await
        .unwrap();
    let explain = format!("EXPLAIN {sql}");
    let plan: Vec<String> = views::query_with(&explain, &binds)
        .fetch_all(&mut *tx)
        .await
        .unwrap()
        .iter()
        .map(|r| sqlx::Row::get::<String, _>(r, 0))
        .collect();
    assert!(
        plan.iter()
            .any(|l| l.contains(&name) && !l.contains("Bitmap")),
        "{plan:#?}"
    );
    drop(tx);
    drop(conn);
    // Filter statistics: on numbers and dates, the compiler's own
    // expression; other types are refused; made once, listed, dropped.
    let mut ranged = doc(Some(json!({"all": [{"type": ["hvac_unit"]},
        {"property": {"key": "rated_power_kw", "op": "between", "value": ["0", "100000"]}}]})));
    ranged.page_size = 1000;
    let all_units = ids_of(pool, &ranged).await.unwrap().len() as f64;
    let estimated = || async {
        let mut conn = pool.acquire().await.unwrap();
        let compiled = views::compile_for(&mut conn, &ranged).await.unwrap();
        let explain = format!(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM entity_read_model r WHERE {}",
            compiled.filter
        );
        let plan: Value = views::query_with(&explain, &compiled.binds)
            .fetch_one(&mut *conn)
            .await
            .map(|r| sqlx::Row::get(&r, 0))
            .unwrap();
        plan[0]["Plan"]["Plan Rows"].as_f64().unwrap()
    };
    // Without them a range over a JSON value is a guess of a fraction of a
    // percent; with them the planner sees that every value is in it (and,
    // taking the type as unrelated, that a good share of the units are).
    let guessed = estimated().await;
    assert!(
        guessed < all_units / 10.0,
        "guessed {guessed} of {all_units}"
    );
    let stats = sort_index::create_filter_statistics(pool, "rated_power_kw")
        .await
        .unwrap();
    sort_index::create_filter_statistics(pool, "rated_power_kw")
        .await
        .unwrap();
    sort_index::create_filter_statistics(pool, "install_date")
        .await
        .unwrap();
    let informed = estimated().await;
    assert!(
        informed > all_units / 5.0 && informed > guessed * 10.0,
        "estimated {informed} of {all_units} (guessed {guessed})"
    );
    for refused in ["status", "serial_number", "api_token", "nope'"] {
        let e = sort_index::create_filter_statistics(pool, refused)
            .await
            .unwrap_err();
        assert!(matches!(e, CoreError::Validation(_)), "{refused}: {e:?}");
    }
    assert_eq!(
        sort_index::filter_statistics(pool).await.unwrap(),
        vec!["st_read_model_install_date".to_string(), stats]
    );
    assert!(sort_index::drop_filter_statistics(pool, "rated_power_kw")
        .await
        .unwrap());
    assert!(!sort_index::drop_filter_statistics(pool, "rated_power_kw")
        .await
        .unwrap());
    assert!(sort_index::drop_sort_index(&maint, "install_date")
        .await
        .unwrap());
    assert!(!sort_index::drop_sort_index(&maint, "install_date")
        .await
        .unwrap());
    assert!(sort_index::sort_indexes(&maint).await.unwrap().is_empty());
}
