//! Arbitrary view documents, shaped like the grammar but with any keys,
//! operators, values, fields and sizes (hostile text included), read,
//! checked and run over the demo registry: nothing panics, a document is
//! either refused with a typed error or runs (first page, the next page by
//! its cursor, the count) without PostgreSQL ever raising an error, and
//! nothing is written. Three in four documents are built as the builder
//! builds them (so most run), one in four anyhow (so most are refused).
//! `VIEWS_FUZZ_CASES=100000` runs a long session by hand.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Value};
use sqlx::PgPool;
use studio_core::records::ValueType;
use studio_core::testing::test_db;
use studio_core::views::{self, Op};
use studio_core::{demo, Actor, CoreError, Source};

const DEFAULT_CASES: u32 = 600;

/// Keys that exist in the demo's schema (of every value type, sensitive and
/// not searchable ones included) and some that do not.
const KEYS: &[&str] = &[
    "rated_power_kw",
    "status",
    "install_date",
    "api_token",
    "device_config",
    "serial_number",
    "features",
    "management_ip",
    "vendor_url",
    "is_critical",
    "name",
    "no_such_key",
    "",
];

/// Text a careless compiler would let change its SQL.
const HOSTILE: &[&str] = &[
    "'; DROP TABLE entities; --",
    "\" OR 1=1 --",
    "$$ || pg_sleep(1) || $$",
    "$x$",
    "/* */",
    "\\",
    "\\'",
    "a\u{0}b",
    "\u{ff07} OR \u{ff07}1\u{ff07}=\u{ff07}1",
    "ʼ; SELECT 1; --",
    "%_%",
    "10.0.0.0/8",
    "2001:db8::/32",
    "http://example.org:80/x",
    "2026-11-30",
    "2026-02-30",
    "2026-11-30T10:00:00Z",
    "-1e309",
    "NaN",
    "12.5",
    "property:status",
    "property:api_token",
    "running",
    "",
];

const OPS: &[&str] = &[
    "equals",
    "notEquals",
    "contains",
    "startsWith",
    "in",
    "notIn",
    "isEmpty",
    "isNotEmpty",
    "lt",
    "lte",
    "gt",
    "gte",
    "between",
    "before",
    "after",
    "today",
    "inLastDays",
    "inNextDays",
    "thisWeek",
    "thisMonth",
    "thisQuarter",
    "thisYear",
    "hasAny",
    "hasAll",
    "hasNone",
    "hostIs",
    "inSubnet",
    "drop",
    "",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(HOSTILE).prop_map(str::to_string),
        2 => "\\PC{0,12}",
        1 => (1usize..3000).prop_map(|n| "x".repeat(n)),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => text().prop_map(Value::String),
        2 => any::<i64>().prop_map(|n| json!(n)),
        1 => (-1e12f64..1e12).prop_map(|n| json!(n)),
        1 => (-40i64..40).prop_map(|n| json!(n)),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Null),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        5 => scalar(),
        3 => proptest::collection::vec(scalar(), 0..4).prop_map(Value::Array),
        1 => proptest::collection::vec(scalar(), 0..250).prop_map(Value::Array),
        1 => Just(json!({"nested": ["x"]})),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        5 => proptest::sample::select(KEYS).prop_map(str::to_string),
        1 => text(),
    ]
}

fn op() -> impl Strategy<Value = String> {
    proptest::sample::select(OPS).prop_map(str::to_string)
}

fn uuid_text() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => any::<u128>().prop_map(|n| json!(uuid::Uuid::from_u128(n))),
        1 => text().prop_map(Value::String),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => (key(), op(), proptest::option::of(value())).prop_map(|(k, o, v)| {
            let mut c = json!({"key": k, "op": o});
            if let Some(v) = v {
                c["value"] = v;
            }
            json!({ "property": c })
        }),
        1 => proptest::collection::vec(
            prop_oneof![proptest::sample::select(&["hvac_unit", "site", "building", "room"][..]).prop_map(str::to_string), text()],
            0..3
        ).prop_map(|t| json!({ "type": t })),
        1 => (proptest::sample::select(&["any", "all", "none", "some"][..]), proptest::collection::vec(uuid_text(), 0..3))
            .prop_map(|(m, t)| json!({"tag": {"match": m, "tags": t}})),
        1 => uuid_text().prop_map(|u| json!({ "under": u })),
        1 => text().prop_map(|t| json!({ "text": t })),
        1 => (proptest::sample::select(&["updated", "created"][..]), op(), value())
            .prop_map(|(k, o, v)| json!({ k: {"op": o, "value": v} })),
        1 => Just(json!({"unknown": 1})),
    ]
}

fn filter() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 40, 4, |inner| {
        prop_oneof![
            2 => proptest::collection::vec(inner.clone(), 0..4).prop_map(|v| json!({ "all": v })),
            2 => proptest::collection::vec(inner.clone(), 0..4).prop_map(|v| json!({ "any": v })),
            1 => inner.clone().prop_map(|f| json!({ "not": f })),
            2 => (
                prop_oneof![proptest::sample::select(&["feeds", "backed_up_by"][..]).prop_map(str::to_string), text()],
                proptest::sample::select(&["outgoing", "incoming", "either", "sideways"][..]),
                proptest::option::of(inner),
            )
                .prop_map(|(t, d, f)| {
                    let mut c = json!({"type": t, "direction": d});
                    if let Some(f) = f {
                        c["filter"] = f;
                    }
                    json!({ "related": c })
                }),
        ]
    })
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(&["name", "pathLabel", "updatedAt", "type"][..]).prop_map(str::to_string),
        4 => key().prop_map(|k| format!("property:{k}")),
        1 => text(),
    ]
}

fn document() -> impl Strategy<Value = Value> {
    (
        prop_oneof![8 => Just(json!(2)), 2 => Just(json!(1)), 1 => scalar()],
        proptest::option::of(filter()),
        proptest::collection::vec(
            (field(), proptest::option::of(0u32..3000)).prop_map(|(f, w)| match w {
                Some(w) => json!({"field": f, "width": w}),
                None => json!({ "field": f }),
            }),
            0..4,
        ),
        proptest::collection::vec(
            (field(), any::<bool>()).prop_map(|(f, d)| json!({"field": f, "descending": d})),
            0..4,
        ),
        proptest::option::of(key()),
        prop_oneof![4 => Just(json!(25)), 1 => any::<u32>().prop_map(|n| json!(n)), 1 => scalar()],
    )
        .prop_map(|(version, filter, columns, sort, group, page)| {
            let mut d =
                json!({"version": version, "columns": columns, "sort": sort, "pageSize": page});
            if let Some(f) = filter {
                d["filter"] = f;
            }
            if let Some(g) = group {
                d["groupBy"] = json!(g);
            }
            d
        })
}

/// A searchable property of the demo: key, type, option keys.
type Prop = (String, ValueType, Vec<String>);

fn day() -> impl Strategy<Value = Value> {
    (2015i32..2031, 1u32..13, 1u32..29).prop_map(|(y, m, d)| json!(format!("{y:04}-{m:02}-{d:02}")))
}

fn decimal() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-2000i64..2000).prop_map(|n| json!(n.to_string())),
        (-2000.0f64..2000.0).prop_map(|n| json!(format!("{n:.2}"))),
        (-50i64..50).prop_map(|n| json!(n)),
    ]
}

/// A value that fits the operator and the property's type (mostly).
fn value_for(t: ValueType, op: Op, options: Vec<String>) -> BoxedStrategy<Option<Value>> {
    use Op::*;
    let some = |s: BoxedStrategy<Value>| s.prop_map(Some).boxed();
    match (t, op) {
        (_, IsEmpty | IsNotEmpty | Today | ThisWeek | ThisMonth | ThisQuarter | ThisYear) => {
            Just(None).boxed()
        }
        (ValueType::Number, Between) => some(
            (decimal(), decimal())
                .prop_map(|(a, b)| json!([a, b]))
                .boxed(),
        ),
        (ValueType::Number, _) => some(decimal().boxed()),
        (ValueType::Date, Between) => some((day(), day()).prop_map(|(a, b)| json!([a, b])).boxed()),
        (ValueType::Date, InLastDays | InNextDays) => {
            some((0i64..400).prop_map(|n| json!(n)).boxed())
        }
        (ValueType::Date, _) => some(day().boxed()),
        (ValueType::Boolean, _) => some(any::<bool>().prop_map(Value::Bool).boxed()),
        (ValueType::SingleSelect | ValueType::MultiSelect, _) if !options.is_empty() => some(
            proptest::sample::subsequence(options.clone(), 1..=options.len())
                .prop_map(|o| json!(o))
                .boxed(),
        ),
        (_, In) => some(
            proptest::collection::vec(text(), 1..4)
                .prop_map(|v| json!(v))
                .boxed(),
        ),
        (_, HostIs) => some(
            proptest::sample::select(&["example.org", "EXAMPLE.org", "bad host", "x:1"][..])
                .prop_map(|h| json!(h))
                .boxed(),
        ),
        (_, InSubnet) => some(
            proptest::sample::select(
                &[
                    "10.0.0.0/8",
                    "192.168.1.0/24",
                    "2001:db8::/32",
                    "10.0.0.300/8",
                ][..],
            )
            .prop_map(|h| json!(h))
            .boxed(),
        ),
        _ => some(text().prop_map(Value::String).boxed()),
    }
}

/// A property condition that fits its property.
fn sane_property(props: Vec<Prop>) -> impl Strategy<Value = Value> {
    proptest::sample::select(props)
        .prop_flat_map(|(key, t, options)| {
            let ops: Vec<Op> = OPS
                .iter()
                .filter_map(|o| serde_json::from_value::<Op>(json!(o)).ok())
                .filter(|o| views::compile::allowed(t, *o))
                .collect();
            (
                Just(key),
                Just(t),
                Just(options),
                proptest::sample::select(ops),
            )
        })
        .prop_flat_map(|(key, t, options, op)| {
            value_for(t, op, options).prop_map(move |v| {
                let mut c = json!({"key": key.clone(), "op": op});
                if let Some(v) = v {
                    c["value"] = v;
                }
                json!({ "property": c })
            })
        })
}

fn sane_filter(props: Vec<Prop>) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        8 => sane_property(props),
        1 => proptest::sample::subsequence(vec!["hvac_unit", "site", "building", "room", "energy_meter"], 1..3)
            .prop_map(|t| json!({ "type": t })),
        1 => "[a-z]{1,3}".prop_map(|t| json!({ "text": t })),
        1 => (0i64..400).prop_map(|n| json!({"updated": {"op": "inLastDays", "value": n}})),
        1 => leaf(),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            3 => proptest::collection::vec(inner.clone(), 1..4).prop_map(|v| json!({ "all": v })),
            3 => proptest::collection::vec(inner.clone(), 1..4).prop_map(|v| json!({ "any": v })),
            1 => inner.clone().prop_map(|f| json!({ "not": f })),
            2 => (
                proptest::sample::select(&["feeds", "backed_up_by"][..]),
                proptest::sample::select(&["outgoing", "incoming", "either"][..]),
                proptest::option::of(inner),
            )
                .prop_map(|(t, d, f)| {
                    let mut c = json!({"type": t, "direction": d});
                    if let Some(f) = f {
                        c["filter"] = f;
                    }
                    json!({ "related": c })
                }),
        ]
    })
}

/// A document built the way the builder builds them, values at random.
fn sane_document(props: Vec<Prop>) -> impl Strategy<Value = Value> {
    let fields: Vec<String> = ["name", "pathLabel", "updatedAt"]
        .iter()
        .map(|f| f.to_string())
        .chain(props.iter().map(|(k, _, _)| format!("property:{k}")))
        .collect();
    let selects: Vec<String> = props
        .iter()
        .filter(|(_, t, _)| *t == ValueType::SingleSelect)
        .map(|(k, _, _)| k.clone())
        .collect();
    (
        proptest::option::of(sane_filter(props)),
        proptest::sample::subsequence(fields.clone(), 0..4),
        proptest::collection::vec((proptest::sample::select(fields), any::<bool>()), 0..3),
        proptest::option::of(proptest::sample::select(selects)),
        1u32..120,
    )
        .prop_map(|(filter, columns, sort, group, page)| {
            let columns: Vec<Value> = columns.into_iter().map(|f| json!({ "field": f })).collect();
            let sort: Vec<Value> = sort
                .into_iter()
                .map(|(f, d)| json!({"field": f, "descending": d}))
                .collect();
            let mut d = json!({"version": 2, "columns": columns, "sort": sort, "pageSize": page});
            if let Some(f) = filter {
                d["filter"] = f;
            }
            if let Some(g) = group {
                d["groupBy"] = json!(g);
            }
            d
        })
}

static ACCEPTED: AtomicUsize = AtomicUsize::new(0);
static REFUSED: AtomicUsize = AtomicUsize::new(0);

/// A refusal the person can act on; anything else is a bug.
fn typed_refusal(e: &CoreError) -> bool {
    matches!(e, CoreError::Validation(_) | CoreError::Forbidden(_))
}

async fn check(pool: &PgPool, raw: &Value) -> Result<(), TestCaseError> {
    let fail = |stage: &str, e: &CoreError| {
        TestCaseError::fail(format!("{stage} of {raw} failed untyped: {e:?}"))
    };
    let doc = match views::parse_document(&raw.to_string()) {
        Ok(d) => d,
        Err(CoreError::Validation(_)) => {
            REFUSED.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        Err(e) => return Err(fail("reading", &e)),
    };
    match views::page(pool, &doc, None).await {
        Err(e) if typed_refusal(&e) => {
            REFUSED.fetch_add(1, Ordering::Relaxed);
            // The same document is refused by every way of running it.
            match views::count(pool, &doc).await {
                Err(e2) if typed_refusal(&e2) => Ok(()),
                other => Err(TestCaseError::fail(format!(
                    "{raw}: the page was refused ({e:?}) but the count gave {other:?}"
                ))),
            }
        }
        Err(e) => Err(fail("the first page", &e)),
        Ok(page) => {
            ACCEPTED.fetch_add(1, Ordering::Relaxed);
            if let Some(next) = &page.next {
                views::page(pool, &doc, Some(next))
                    .await
                    .map_err(|e| fail("the second page", &e))?;
            }
            let count = views::count(pool, &doc)
                .await
                .map_err(|e| fail("the count", &e))?;
            prop_assert!(count.count >= page.rows.len() as i64, "{raw}: {count:?}");
            Ok(())
        }
    }
}

#[test]
fn arbitrary_documents_are_refused_with_a_typed_error_or_run_cleanly() {
    let cases = std::env::var("VIEWS_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let db = rt.block_on(async {
        let db = test_db().await;
        let _ = demo::seed_demo(&db.pool, &Actor::new(None, Source::Test))
            .await
            .expect("seed the demo");
        db
    });
    let audit_before: i64 = rt.block_on(async {
        sqlx::query_scalar("SELECT count(*) FROM audit_events")
            .fetch_one(&db.pool)
            .await
            .unwrap()
    });
    let props: Vec<Prop> = rt.block_on(async {
        let mut conn = db.pool.acquire().await.unwrap();
        let catalog = views::catalog(&mut conn).await.unwrap();
        let mut props: Vec<Prop> = catalog
            .properties
            .into_iter()
            .filter(|(_, p)| p.in_read_model)
            .map(|(k, p)| (k, p.value_type, p.options))
            .collect();
        props.sort_by(|a, b| a.0.cmp(&b.0));
        props
    });
    assert!(
        props.len() > 10,
        "the demo's schema has searchable properties"
    );
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 500,
        ..Config::default()
    });
    let documents = prop_oneof![3 => sane_document(props), 1 => document()];
    let result = runner.run(&documents, |raw| rt.block_on(check(&db.pool, &raw)));
    let (accepted, refused) = (
        ACCEPTED.load(Ordering::Relaxed),
        REFUSED.load(Ordering::Relaxed),
    );
    println!("{cases} cases: {accepted} documents ran, {refused} were refused with a typed error");
    if let Err(e) = result {
        panic!("{e}");
    }
    // The generator reaches both sides, or the test proves little.
    assert!(
        accepted * 10 >= cases as usize && refused * 10 >= cases as usize,
        "{accepted} ran, {refused} refused"
    );
    let audit_after: i64 = rt.block_on(async {
        sqlx::query_scalar("SELECT count(*) FROM audit_events")
            .fetch_one(&db.pool)
            .await
            .unwrap()
    });
    assert_eq!(audit_before, audit_after, "running views wrote nothing");
}
