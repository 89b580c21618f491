//! Saved views evaluated in memory over cached entities: the same view
//! documents the server compiles to SQL over `entity_read_model`
//! (`studio_core::views::compile`), with the same meaning, refusals and
//! paths into the document, the same keyset pages and cursors.
//!
//! A document is first checked and turned into a plan (everything the SQL
//! compiler refuses is refused here, in the same order, whatever the data),
//! then the plan runs over the entities. SQL's three-valued logic comes out
//! the same two-valued: a condition that is NULL in SQL is false here, and
//! every negation the compiler writes coalesces NULL to false first.
//!
//! What the database decides by its settings is decided as the embedded
//! cluster has them (`C.UTF-8`): text sorts and compares by code point
//! (byte order), `ILIKE` and `lower()` fold each character to its simple
//! lowercase mapping.

use std::cell::OnceCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Datelike, Duration, NaiveDate, SecondsFormat, Timelike, Utc};
use uuid::Uuid;

use studio_core::error::Rule;
use studio_core::records::ValueType;
use studio_core::views::compile::{allowed, MAX_CONDITIONS, MAX_DEPTH, MAX_PAGE_SIZE};
use studio_core::views::{
    Catalog, Cursor, Filter, Op, PropertyCondition, PropertyInfo, RelatedCondition,
    RelatedDirection, SortKey, TagMatch, TimeCondition, ViewCount, ViewDocument, ViewPage, ViewRow,
    VIEW_DOCUMENT_VERSION,
};

/// The most characters of one text value (as the SQL compiler).
const MAX_TEXT: usize = 1_000;

/// One cached entity as a view sees it (fields as in entity_read_model).
#[derive(Debug, Clone)]
pub struct ViewEntity {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub entity_type_id: Uuid,
    pub type_key: String,
    pub name: String,
    pub path_label: String,
    /// Ancestors' ids, as entity_read_model.ancestor_ids.
    pub ancestor_ids: Vec<Uuid>,
    /// entity_read_model.properties (values by property key, as the read model stores them).
    pub properties: serde_json::Map<String, serde_json::Value>,
    pub tag_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One live relationship between two entities.
#[derive(Debug, Clone)]
pub struct ViewRelationship {
    pub source_id: Uuid,
    pub target_id: Uuid,
    pub relationship_type: String,
}

/// Everything a view may look at.
pub struct ViewData<'a> {
    /// The entities the view runs over (the read model's rows). The other
    /// end of a relationship condition must be one of them.
    pub entities: &'a [ViewEntity],
    pub relationships: &'a [ViewRelationship],
    pub catalog: &'a Catalog,
    /// Tags: (tag entity id, tag key, tag group key if any). A tag
    /// condition names tag entities by id, as the SQL compares them with
    /// `tag_ids`, so evaluating one needs no more than the entities' ids.
    pub tags: &'a [(Uuid, String, Option<String>)],
}

/// Why a view cannot run offline, or what is wrong with it. Each refusal
/// is the SQL compiler's, with the same path into the document.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OfflineViewError {
    /// The document names a property that has no definition.
    #[error("{path}: there is no property with the key {key:?}")]
    UnknownProperty { path: String, key: String },
    /// Filtering, sorting or grouping by a sensitive property (the SQL
    /// compiler's `Forbidden`).
    #[error("{key:?} is a sensitive property: views cannot filter, sort or group by it")]
    SensitiveProperty { path: String, key: String },
    /// Filtering or sorting by a property kept out of the read model.
    #[error(
        "{path}: the property {key:?} is not searchable, so views cannot filter or sort by it"
    )]
    NotSearchable { path: String, key: String },
    /// The document names an entity type that does not exist.
    #[error("{path}: there is no entity type with the key {key:?}")]
    UnknownType { path: String, key: String },
    /// Any other refusal of the document or the cursor (the SQL compiler's
    /// `Validation` error: where, which rule, why).
    #[error("{path}: {message}")]
    Invalid {
        path: String,
        rule: Rule,
        message: String,
    },
    /// A condition that cannot be decided in memory. Every condition of
    /// the current document version can, so this evaluator does not
    /// return it; callers may use it for what they cannot serve offline.
    #[error("{0} cannot be evaluated offline")]
    Unsupported(String),
}

impl OfflineViewError {
    /// The place in the document (`filter.all[2].property.value`,
    /// `cursor`), when the error has one.
    pub fn path(&self) -> Option<&str> {
        match self {
            OfflineViewError::UnknownProperty { path, .. }
            | OfflineViewError::SensitiveProperty { path, .. }
            | OfflineViewError::NotSearchable { path, .. }
            | OfflineViewError::UnknownType { path, .. }
            | OfflineViewError::Invalid { path, .. } => Some(path),
            OfflineViewError::Unsupported(_) => None,
        }
    }
}

type ViewResult<T> = Result<T, OfflineViewError>;

fn invalid(path: &str, rule: Rule, message: impl Into<String>) -> OfflineViewError {
    OfflineViewError::Invalid {
        path: path.to_string(),
        rule,
        message: message.into(),
    }
}

/// One page of `doc` over `data`, after `after` (the first page when
/// None); `now` fixes "today" and the relative ranges (UTC days). A full
/// page carries the cursor of its last row, as the server's does.
pub fn page(
    doc: &ViewDocument,
    data: &ViewData,
    after: Option<&Cursor>,
    now: DateTime<Utc>,
) -> Result<ViewPage, OfflineViewError> {
    let plan = plan(doc, data.catalog, now)?;
    let after = after.map(|c| plan.cursor_values(c)).transpose()?;
    let eval = Eval::new(data);
    let mut rows: Vec<(Vec<SortValue>, &ViewEntity)> = Vec::new();
    for entity in data.entities {
        if !eval.holds(&plan.filter, entity) {
            continue;
        }
        let values = plan.sort_values(entity);
        if let Some((cursor_values, cursor_id)) = &after {
            if plan.order(&values, entity.id, cursor_values, *cursor_id) != Ordering::Greater {
                continue;
            }
        }
        rows.push((values, entity));
    }
    rows.sort_by(|(a, x), (b, y)| plan.order(a, x.id, b, y.id));
    rows.truncate(plan.page_size as usize);
    let next = match rows.last() {
        Some((values, last)) if rows.len() == plan.page_size as usize => Some(Cursor {
            values: values.iter().map(SortValue::cursor_text).collect(),
            id: last.id,
        }),
        _ => None,
    };
    let rows = rows
        .into_iter()
        .map(|(_, e)| ViewRow {
            id: e.id,
            name: e.name.clone(),
            path_label: e.path_label.clone(),
            entity_type_id: e.entity_type_id,
            parent_id: e.parent_id,
            properties: serde_json::Value::Object(read_model_properties(e, data.catalog)),
            updated_at: e.updated_at,
        })
        .collect();
    Ok(ViewPage { rows, next })
}

/// How many entities `doc` matches: always exact here (the server's count
/// is exact up to its cap and an estimate beyond).
pub fn count(
    doc: &ViewDocument,
    data: &ViewData,
    now: DateTime<Utc>,
) -> Result<ViewCount, OfflineViewError> {
    let plan = plan(doc, data.catalog, now)?;
    let eval = Eval::new(data);
    let n = data
        .entities
        .iter()
        .filter(|e| eval.holds(&plan.filter, e))
        .count();
    Ok(ViewCount {
        count: i64::try_from(n).unwrap_or(i64::MAX),
        exact: true,
    })
}

/// Whether one entity matches the document's filter (the whole document
/// is checked first, as the server checks it before running it).
pub fn matches(
    doc: &ViewDocument,
    entity: &ViewEntity,
    data: &ViewData,
    now: DateTime<Utc>,
) -> Result<bool, OfflineViewError> {
    let plan = plan(doc, data.catalog, now)?;
    Ok(Eval::new(data).holds(&plan.filter, entity))
}

/// The properties a row shows: the read model's object, which never holds
/// a sensitive or unsearchable property's value (nor the name).
fn read_model_properties(
    entity: &ViewEntity,
    catalog: &Catalog,
) -> serde_json::Map<String, serde_json::Value> {
    entity
        .properties
        .iter()
        .filter(|(k, _)| {
            catalog
                .properties
                .get(k.as_str())
                .is_none_or(|p| p.in_read_model && !p.sensitive)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

// ------------------------------------------------------------------ plan

/// A checked document, ready to run.
struct Plan {
    filter: Pred,
    sort: Vec<SortSpec>,
    page_size: u32,
}

struct SortSpec {
    field: SortField,
    descending: bool,
}

enum SortField {
    Name,
    PathLabel,
    UpdatedAt,
    /// A property's value as text (`''` when none).
    Text(String),
    /// A property's number (lowest when none).
    Number(String),
}

/// A condition, checked.
enum Pred {
    Const(bool),
    All(Vec<Pred>),
    Any(Vec<Pred>),
    Not(Box<Pred>),
    Types(Vec<Uuid>),
    Tags(TagMatch, Vec<Uuid>),
    Under(Uuid),
    /// The name holds this text (already folded to lowercase).
    NameHas(String),
    Moment(Moment, MomentTest),
    Related {
        kind: String,
        direction: RelatedDirection,
        filter: Box<Pred>,
    },
    Property(String, Test),
}

#[derive(Clone, Copy)]
enum Moment {
    Updated,
    Created,
}

enum MomentTest {
    Before(DateTime<Utc>),
    AtOrAfter(DateTime<Utc>),
}

#[derive(Clone, Copy)]
enum NumberCmp {
    Equals,
    Distinct,
    Lt,
    Lte,
    Gt,
    Gte,
}

enum Test {
    Empty,
    NotEmpty,
    Number(NumberCmp, Decimal),
    NumberBetween(Decimal, Decimal),
    Bool(bool),
    DayBefore(String),
    DayAfter(String),
    DayBetween(String, String),
    /// The value is a JSON string equal to one of these (containment).
    OneOf(Vec<String>),
    /// The value's text is none of these (a missing value is none).
    NotIn(Vec<String>),
    /// The value's text is not this one (a missing value is not).
    Distinct(String),
    /// The value's text, folded, holds (or starts with) this folded text.
    Like {
        needle: String,
        prefix: bool,
    },
    HostIs(String),
    InSubnet(Net),
    HasAny(Vec<String>),
    HasAll(Vec<String>),
    HasNone(Vec<String>),
}

/// Checks `doc` as the SQL compiler does and builds its plan.
fn plan(doc: &ViewDocument, catalog: &Catalog, now: DateTime<Utc>) -> ViewResult<Plan> {
    if doc.version != VIEW_DOCUMENT_VERSION {
        return Err(invalid(
            "version",
            Rule::Choice,
            format!(
                "this view document has version {}; this build reads version {VIEW_DOCUMENT_VERSION}",
                doc.version
            ),
        ));
    }
    if doc.page_size == 0 || doc.page_size > MAX_PAGE_SIZE {
        return Err(invalid(
            "pageSize",
            Rule::Range,
            format!("a page holds 1 to {MAX_PAGE_SIZE} rows"),
        ));
    }
    let filter = match &doc.filter {
        None => Pred::Const(true),
        Some(f) => {
            let mut c = Checker {
                catalog,
                now,
                count: 0,
            };
            c.filter(f, "filter", 0)?
        }
    };
    for (i, column) in doc.columns.iter().enumerate() {
        check_field(
            catalog,
            &column.field,
            &format!("columns[{i}].field"),
            false,
        )?;
        if column.width.is_some_and(|w| !(40..=2_000).contains(&w)) {
            return Err(invalid(
                &format!("columns[{i}].width"),
                Rule::Range,
                "a column is 40 to 2000 pixels wide",
            ));
        }
    }
    let sort = doc
        .sort
        .iter()
        .enumerate()
        .map(|(i, key)| sort_spec(catalog, key, &format!("sort[{i}]")))
        .collect::<ViewResult<Vec<_>>>()?;
    if let Some(group) = &doc.group_by {
        let info = property(catalog, group, "groupBy")?;
        if info.value_type != ValueType::SingleSelect {
            return Err(invalid(
                "groupBy",
                Rule::Choice,
                "a view is grouped by a single-select property",
            ));
        }
    }
    Ok(Plan {
        filter,
        sort,
        page_size: doc.page_size,
    })
}

/// A built-in field or `property:<key>`; `sorting` also refuses what
/// cannot be ordered. A sensitive column is shown (masked); filtering or
/// sorting by it is refused.
fn check_field(catalog: &Catalog, field: &str, path: &str, sorting: bool) -> ViewResult<()> {
    match field {
        "name" | "pathLabel" | "updatedAt" => Ok(()),
        "type" if !sorting => Ok(()),
        _ => match field.strip_prefix("property:") {
            Some(key)
                if !sorting && catalog.properties.get(key).is_some_and(|p| p.sensitive) =>
            {
                Ok(())
            }
            Some(key) => property(catalog, key, path).map(|_| ()),
            None => Err(invalid(
                path,
                Rule::Choice,
                format!(
                    "{field:?} is not a field: use name, pathLabel, updatedAt, type or property:<key>"
                ),
            )),
        },
    }
}

fn sort_spec(catalog: &Catalog, key: &SortKey, path: &str) -> ViewResult<SortSpec> {
    let field_path = format!("{path}.field");
    check_field(catalog, &key.field, &field_path, true)?;
    let field = match key.field.as_str() {
        "name" => SortField::Name,
        "pathLabel" => SortField::PathLabel,
        "updatedAt" => SortField::UpdatedAt,
        field => {
            let prop = field.strip_prefix("property:").unwrap_or(field);
            let info = property(catalog, prop, &field_path)?;
            if info.value_type == ValueType::Number {
                SortField::Number(prop.to_string())
            } else {
                SortField::Text(prop.to_string())
            }
        }
    };
    Ok(SortSpec {
        field,
        descending: key.descending,
    })
}

/// A property of the read model, by key.
fn property<'c>(catalog: &'c Catalog, key: &str, path: &str) -> ViewResult<&'c PropertyInfo> {
    let info = catalog
        .properties
        .get(key)
        .ok_or_else(|| OfflineViewError::UnknownProperty {
            path: path.to_string(),
            key: truncate(key),
        })?;
    if info.sensitive {
        return Err(OfflineViewError::SensitiveProperty {
            path: path.to_string(),
            key: key.to_string(),
        });
    }
    if !info.in_read_model {
        return Err(OfflineViewError::NotSearchable {
            path: path.to_string(),
            key: key.to_string(),
        });
    }
    Ok(info)
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

fn op_error(path: &str, op: Op, what: &str) -> OfflineViewError {
    let name = serde_json::to_value(op)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    invalid(
        path,
        Rule::Choice,
        format!("{what} has no operator {name:?}"),
    )
}

/// Checks conditions, counting them as the SQL compiler does.
struct Checker<'c> {
    catalog: &'c Catalog,
    now: DateTime<Utc>,
    count: usize,
}

impl Checker<'_> {
    fn filter(&mut self, filter: &Filter, path: &str, depth: usize) -> ViewResult<Pred> {
        self.count += 1;
        if self.count > MAX_CONDITIONS {
            return Err(invalid(
                path,
                Rule::TooLong,
                format!("a view holds at most {MAX_CONDITIONS} conditions"),
            ));
        }
        if depth > MAX_DEPTH {
            return Err(invalid(
                path,
                Rule::TooLong,
                format!("groups nest at most {MAX_DEPTH} deep"),
            ));
        }
        Ok(match filter {
            Filter::All(items) => {
                if items.is_empty() {
                    return Ok(Pred::Const(true));
                }
                Pred::All(self.items(items, &format!("{path}.all"), depth)?)
            }
            Filter::Any(items) => {
                if items.is_empty() {
                    return Ok(Pred::Const(false));
                }
                Pred::Any(self.items(items, &format!("{path}.any"), depth)?)
            }
            Filter::Not(inner) => Pred::Not(Box::new(self.filter(
                inner,
                &format!("{path}.not"),
                depth + 1,
            )?)),
            Filter::Property(c) => self.property(c, &format!("{path}.property"))?,
            Filter::Type(keys) => {
                let path = format!("{path}.type");
                if keys.is_empty() {
                    return Err(invalid(
                        &path,
                        Rule::Required,
                        "name at least one entity type",
                    ));
                }
                let ids = keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| {
                        self.catalog.types.get(k).copied().ok_or_else(|| {
                            OfflineViewError::UnknownType {
                                path: format!("{path}[{i}]"),
                                key: truncate(k),
                            }
                        })
                    })
                    .collect::<ViewResult<Vec<_>>>()?;
                Pred::Types(ids)
            }
            Filter::Tag(c) => {
                if c.tags.is_empty() {
                    return Err(invalid(
                        &format!("{path}.tag.tags"),
                        Rule::Required,
                        "name at least one tag",
                    ));
                }
                Pred::Tags(c.mode, c.tags.clone())
            }
            Filter::Under(id) => Pred::Under(*id),
            Filter::Text(text) => {
                let text_path = format!("{path}.text");
                let p = text_value(&serde_json::Value::String(text.clone()), &text_path)?;
                if p.is_empty() {
                    return Err(invalid(
                        &text_path,
                        Rule::Required,
                        "type some text to look for",
                    ));
                }
                Pred::NameHas(fold(&p))
            }
            Filter::Updated(c) => {
                self.moment_condition(c, Moment::Updated, &format!("{path}.updated"))?
            }
            Filter::Created(c) => {
                self.moment_condition(c, Moment::Created, &format!("{path}.created"))?
            }
            Filter::Related(c) => self.related(c, &format!("{path}.related"), depth)?,
        })
    }

    fn items(&mut self, items: &[Filter], path: &str, depth: usize) -> ViewResult<Vec<Pred>> {
        items
            .iter()
            .enumerate()
            .map(|(i, f)| self.filter(f, &format!("{path}[{i}]"), depth + 1))
            .collect()
    }

    fn related(&mut self, c: &RelatedCondition, path: &str, depth: usize) -> ViewResult<Pred> {
        let kind = c.relationship_type.trim();
        if kind.is_empty() || kind.chars().count() > 200 || kind.contains('\0') {
            return Err(invalid(
                &format!("{path}.type"),
                Rule::Required,
                "name a relationship type (at most 200 characters)",
            ));
        }
        let filter = match &c.filter {
            None => Pred::Const(true),
            Some(f) => self.filter(f, &format!("{path}.filter"), depth + 1)?,
        };
        Ok(Pred::Related {
            kind: kind.to_string(),
            direction: c.direction,
            filter: Box::new(filter),
        })
    }

    fn moment_condition(&self, c: &TimeCondition, moment: Moment, path: &str) -> ViewResult<Pred> {
        let value_path = format!("{path}.value");
        let test = match c.op {
            Op::Before => MomentTest::Before(micros(moment_value(c.value.as_ref(), &value_path)?)),
            Op::After => {
                MomentTest::AtOrAfter(micros(moment_value(c.value.as_ref(), &value_path)?))
            }
            Op::InLastDays => {
                let days = days_value(c.value.as_ref(), &value_path)?;
                let since = self
                    .now
                    .checked_sub_signed(Duration::days(days))
                    .ok_or_else(|| {
                        invalid(&value_path, Rule::Range, "a time this build can hold")
                    })?;
                MomentTest::AtOrAfter(micros(since))
            }
            op => return Err(op_error(path, op, "a time")),
        };
        Ok(Pred::Moment(moment, test))
    }

    fn property(&mut self, c: &PropertyCondition, path: &str) -> ViewResult<Pred> {
        let info = property(self.catalog, &c.key, &format!("{path}.key"))?;
        let t = info.value_type;
        if !allowed(t, c.op) {
            return Err(op_error(
                &format!("{path}.op"),
                c.op,
                &format!("a {} property", t.as_str()),
            ));
        }
        let value_path = format!("{path}.value");
        let value = c.value.as_ref();
        let null = serde_json::Value::Null;
        let test = match (t, c.op) {
            (_, Op::IsEmpty) => Test::Empty,
            (_, Op::IsNotEmpty) => Test::NotEmpty,
            (ValueType::Number, Op::Between) => {
                let (lo, hi) = pair(value, &value_path, decimal_value)?;
                Test::NumberBetween(lo, hi)
            }
            (ValueType::Number, op) => {
                let v = decimal_value(value, &value_path)?;
                let cmp = match op {
                    Op::Equals => NumberCmp::Equals,
                    Op::NotEquals => NumberCmp::Distinct,
                    Op::Lt => NumberCmp::Lt,
                    Op::Lte => NumberCmp::Lte,
                    Op::Gt => NumberCmp::Gt,
                    _ => NumberCmp::Gte,
                };
                Test::Number(cmp, v)
            }
            (ValueType::Boolean, _) => Test::Bool(
                value
                    .and_then(serde_json::Value::as_bool)
                    .ok_or_else(|| invalid(&value_path, Rule::Type, "true or false"))?,
            ),
            (ValueType::Date, op) => self.date(op, value, &value_path)?,
            (ValueType::SingleSelect, op) => {
                let keys = options(info, value, &value_path)?;
                if op == Op::In {
                    Test::OneOf(keys)
                } else {
                    Test::NotIn(keys)
                }
            }
            (ValueType::MultiSelect, op) => {
                let keys = options(info, value, &value_path)?;
                match op {
                    Op::HasAny => Test::HasAny(keys),
                    Op::HasAll => Test::HasAll(keys),
                    _ => Test::HasNone(keys),
                }
            }
            // Text, URL, IP address: compared as text.
            (_, op) => match op {
                Op::Equals => Test::OneOf(vec![text_value(value.unwrap_or(&null), &value_path)?]),
                Op::NotEquals => Test::Distinct(text_value(value.unwrap_or(&null), &value_path)?),
                Op::InSubnet => {
                    let text = text_value(value.unwrap_or(&null), &value_path)?;
                    let net = parse_subnet(text.trim()).ok_or_else(|| {
                        invalid(
                            &value_path,
                            Rule::Format,
                            "a subnet such as 10.0.0.0/8 or 2001:db8::/32",
                        )
                    })?;
                    Test::InSubnet(net)
                }
                Op::HostIs => {
                    let host = text_value(value.unwrap_or(&null), &value_path)?;
                    if host.is_empty() || host.contains(['/', ':', '?', '#', '@', ' ']) {
                        return Err(invalid(
                            &value_path,
                            Rule::Format,
                            "a host name such as example.org",
                        ));
                    }
                    Test::HostIs(host.to_lowercase())
                }
                Op::Contains | Op::StartsWith => Test::Like {
                    needle: fold(&text_value(value.unwrap_or(&null), &value_path)?),
                    prefix: op == Op::StartsWith,
                },
                _ => Test::OneOf(texts_value(value, &value_path)?),
            },
        };
        Ok(Pred::Property(c.key.clone(), test))
    }

    fn date(&self, op: Op, value: Option<&serde_json::Value>, path: &str) -> ViewResult<Test> {
        let today = self.now.date_naive();
        let range = |r: Option<NaiveDate>| {
            r.ok_or_else(|| invalid(path, Rule::Range, "a day this build can hold"))
        };
        let span = |r: Option<(NaiveDate, NaiveDate)>| {
            r.ok_or_else(|| invalid(path, Rule::Range, "a day this build can hold"))
        };
        let (from, to) = match op {
            Op::Before => return Ok(Test::DayBefore(day_value(value, path)?.to_string())),
            Op::After => return Ok(Test::DayAfter(day_value(value, path)?.to_string())),
            Op::Between => pair(value, path, day_value)?,
            Op::Today => (today, today),
            Op::InLastDays => {
                let days = days_value(value, path)?;
                (
                    range(today.checked_sub_signed(Duration::days(days)))?,
                    today,
                )
            }
            Op::InNextDays => {
                let days = days_value(value, path)?;
                (
                    today,
                    range(today.checked_add_signed(Duration::days(days)))?,
                )
            }
            Op::ThisWeek => {
                let back = Duration::days(i64::from(today.weekday().num_days_from_monday()));
                let monday = range(today.checked_sub_signed(back))?;
                (monday, range(monday.checked_add_signed(Duration::days(6)))?)
            }
            Op::ThisMonth => span(month_range(today.year(), today.month(), 1))?,
            Op::ThisQuarter => span(month_range(
                today.year(),
                (today.month() - 1) / 3 * 3 + 1,
                3,
            ))?,
            _ => (
                range(NaiveDate::from_ymd_opt(today.year(), 1, 1))?,
                range(NaiveDate::from_ymd_opt(today.year(), 12, 31))?,
            ),
        };
        Ok(Test::DayBetween(from.to_string(), to.to_string()))
    }
}

/// The first and last day of `months` months from `month` of `year`.
fn month_range(year: i32, month: u32, months: u32) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let (ny, nm) = if month + months > 12 {
        (year + 1, month + months - 12)
    } else {
        (year, month + months)
    };
    let next = NaiveDate::from_ymd_opt(ny, nm, 1)?;
    Some((first, next.pred_opt()?))
}

/// Two values `[a, b]`, each read by `read`.
fn pair<T>(
    value: Option<&serde_json::Value>,
    path: &str,
    read: impl Fn(Option<&serde_json::Value>, &str) -> ViewResult<T>,
) -> ViewResult<(T, T)> {
    match value
        .and_then(serde_json::Value::as_array)
        .map(Vec::as_slice)
    {
        Some([a, b]) => Ok((
            read(Some(a), &format!("{path}[0]"))?,
            read(Some(b), &format!("{path}[1]"))?,
        )),
        _ => Err(invalid(path, Rule::Type, "two values: [from, to]")),
    }
}

fn decimal_value(value: Option<&serde_json::Value>, path: &str) -> ViewResult<Decimal> {
    let text = match value {
        Some(serde_json::Value::String(s)) => s.trim().to_string(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    if text.len() > 100 || !is_plain_decimal(&text) {
        return Err(invalid(path, Rule::Type, "a number such as 12 or -3.5"));
    }
    Decimal::parse(&text).ok_or_else(|| invalid(path, Rule::Type, "a number such as 12 or -3.5"))
}

fn day_value(value: Option<&serde_json::Value>, path: &str) -> ViewResult<NaiveDate> {
    let text = value
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d")
        .map_err(|_| invalid(path, Rule::Format, "a day as YYYY-MM-DD"))
}

fn moment_value(value: Option<&serde_json::Value>, path: &str) -> ViewResult<DateTime<Utc>> {
    let text = value
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let day = day_value(value, path)?;
    Ok(day.and_time(chrono::NaiveTime::MIN).and_utc())
}

fn days_value(value: Option<&serde_json::Value>, path: &str) -> ViewResult<i64> {
    value
        .and_then(serde_json::Value::as_i64)
        .filter(|n| (0..=36_500).contains(n))
        .ok_or_else(|| invalid(path, Rule::Range, "a number of days from 0 to 36500"))
}

fn text_value(value: &serde_json::Value, path: &str) -> ViewResult<String> {
    let text = value
        .as_str()
        .ok_or_else(|| invalid(path, Rule::Type, "a text value"))?;
    if text.chars().count() > MAX_TEXT {
        return Err(invalid(
            path,
            Rule::TooLong,
            format!("at most {MAX_TEXT} characters"),
        ));
    }
    if text.contains('\0') {
        return Err(invalid(
            path,
            Rule::Format,
            "text cannot hold a NUL character",
        ));
    }
    Ok(text.to_string())
}

fn texts_value(value: Option<&serde_json::Value>, path: &str) -> ViewResult<Vec<String>> {
    let items = value
        .and_then(serde_json::Value::as_array)
        .filter(|a| !a.is_empty() && a.len() <= MAX_CONDITIONS)
        .ok_or_else(|| {
            invalid(
                path,
                Rule::Type,
                format!("a list of 1 to {MAX_CONDITIONS} values"),
            )
        })?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| text_value(v, &format!("{path}[{i}]")))
        .collect()
}

/// Option keys of a select, each one of the property's.
fn options(
    info: &PropertyInfo,
    value: Option<&serde_json::Value>,
    path: &str,
) -> ViewResult<Vec<String>> {
    let keys = texts_value(value, path)?;
    if let Some((i, k)) = keys
        .iter()
        .enumerate()
        .find(|(_, k)| !info.options.contains(k))
    {
        return Err(invalid(
            &format!("{path}[{i}]"),
            Rule::Choice,
            format!("{:?} is not an option of this property", truncate(k)),
        ));
    }
    Ok(keys)
}

/// A time as PostgreSQL keeps it (microseconds).
fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.with_nanosecond(at.nanosecond() / 1_000 * 1_000)
        .unwrap_or(at)
}

/// Text folded as `lower()` and `ILIKE` fold it: each character to its
/// simple lowercase mapping (the first of its full mapping).
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

/// Whether `s` is a plain decimal (`12`, `-3.50`; no exponent, no
/// superfluous leading zero), as the server's property rules say.
fn is_plain_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

// ------------------------------------------------------------- evaluation

/// Relationships by entity, and entities by id, built when a relationship
/// condition first needs them.
struct Links<'a> {
    entities: HashMap<Uuid, &'a ViewEntity>,
    outgoing: HashMap<Uuid, Vec<&'a ViewRelationship>>,
    incoming: HashMap<Uuid, Vec<&'a ViewRelationship>>,
}

impl<'a> Links<'a> {
    fn new(data: &ViewData<'a>) -> Self {
        let mut outgoing: HashMap<Uuid, Vec<&'a ViewRelationship>> = HashMap::new();
        let mut incoming: HashMap<Uuid, Vec<&'a ViewRelationship>> = HashMap::new();
        for r in data.relationships {
            outgoing.entry(r.source_id).or_default().push(r);
            incoming.entry(r.target_id).or_default().push(r);
        }
        Links {
            entities: data.entities.iter().map(|e| (e.id, e)).collect(),
            outgoing,
            incoming,
        }
    }
}

struct Eval<'d, 'a> {
    data: &'d ViewData<'a>,
    links: OnceCell<Links<'a>>,
}

impl<'d, 'a> Eval<'d, 'a> {
    fn new(data: &'d ViewData<'a>) -> Self {
        Eval {
            data,
            links: OnceCell::new(),
        }
    }

    fn holds(&self, p: &Pred, e: &ViewEntity) -> bool {
        match p {
            Pred::Const(b) => *b,
            Pred::All(items) => items.iter().all(|i| self.holds(i, e)),
            Pred::Any(items) => items.iter().any(|i| self.holds(i, e)),
            Pred::Not(inner) => !self.holds(inner, e),
            Pred::Types(ids) => ids.contains(&e.entity_type_id),
            Pred::Tags(mode, ids) => {
                let has = |t: &Uuid| e.tag_ids.contains(t);
                match mode {
                    TagMatch::Any => ids.iter().any(has),
                    TagMatch::All => ids.iter().all(has),
                    TagMatch::None => !ids.iter().any(has),
                }
            }
            Pred::Under(id) => e.id == *id || e.ancestor_ids.contains(id),
            Pred::NameHas(needle) => fold(&e.name).contains(needle.as_str()),
            Pred::Moment(moment, test) => {
                let at = micros(match moment {
                    Moment::Updated => e.updated_at,
                    Moment::Created => e.created_at,
                });
                match test {
                    MomentTest::Before(t) => at < *t,
                    MomentTest::AtOrAfter(t) => at >= *t,
                }
            }
            Pred::Related {
                kind,
                direction,
                filter,
            } => {
                let links = self.links.get_or_init(|| Links::new(self.data));
                let one_way = |outgoing: bool| {
                    let by = if outgoing {
                        &links.outgoing
                    } else {
                        &links.incoming
                    };
                    by.get(&e.id).is_some_and(|rels| {
                        rels.iter().any(|r| {
                            let other = if outgoing { r.target_id } else { r.source_id };
                            r.relationship_type == *kind
                                && links
                                    .entities
                                    .get(&other)
                                    .is_some_and(|o| self.holds(filter, o))
                        })
                    })
                };
                match direction {
                    RelatedDirection::Outgoing => one_way(true),
                    RelatedDirection::Incoming => one_way(false),
                    RelatedDirection::Either => one_way(true) || one_way(false),
                }
            }
            Pred::Property(key, test) => property_holds(e.properties.get(key), test),
        }
    }
}

/// Whether a property's value (None: the entity has none) passes `test`.
fn property_holds(value: Option<&serde_json::Value>, test: &Test) -> bool {
    let empty = || match value {
        None | Some(serde_json::Value::Null) => true,
        Some(serde_json::Value::String(s)) => s.is_empty(),
        Some(serde_json::Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    };
    let string = || value.and_then(serde_json::Value::as_str);
    let array = || value.and_then(serde_json::Value::as_array);
    let held = |k: &String| array().is_some_and(|a| a.iter().any(|x| x.as_str() == Some(k)));
    match test {
        Test::Empty => empty(),
        Test::NotEmpty => !empty(),
        Test::Number(cmp, v) => {
            let n = number_of(value);
            match cmp {
                NumberCmp::Distinct => n.as_ref() != Some(v),
                NumberCmp::Equals => n.is_some_and(|n| n == *v),
                NumberCmp::Lt => n.is_some_and(|n| n < *v),
                NumberCmp::Lte => n.is_some_and(|n| n <= *v),
                NumberCmp::Gt => n.is_some_and(|n| n > *v),
                NumberCmp::Gte => n.is_some_and(|n| n >= *v),
            }
        }
        Test::NumberBetween(lo, hi) => number_of(value).is_some_and(|n| *lo <= n && n <= *hi),
        Test::Bool(b) => value.and_then(serde_json::Value::as_bool) == Some(*b),
        Test::DayBefore(d) => day_of(value).is_some_and(|x| x.as_str() < d.as_str()),
        Test::DayAfter(d) => day_of(value).is_some_and(|x| x.as_str() > d.as_str()),
        Test::DayBetween(from, to) => {
            day_of(value).is_some_and(|x| from.as_str() <= x.as_str() && x.as_str() <= to.as_str())
        }
        Test::OneOf(list) => string().is_some_and(|s| list.iter().any(|k| k == s)),
        Test::NotIn(list) => !text_of(value).is_some_and(|s| list.contains(&s)),
        Test::Distinct(v) => text_of(value).as_deref() != Some(v.as_str()),
        Test::Like { needle, prefix } => text_of(value).is_some_and(|s| {
            let s = fold(&s);
            if *prefix {
                s.starts_with(needle.as_str())
            } else {
                s.contains(needle.as_str())
            }
        }),
        Test::HostIs(host) => {
            text_of(value).is_some_and(|s| url_host(&s).is_some_and(|h| fold(h) == *host))
        }
        Test::InSubnet(net) => text_of(value)
            .and_then(|s| pg_inet(&s))
            .is_some_and(|addr| net.holds(&addr)),
        Test::HasAny(keys) => keys.iter().any(held),
        Test::HasAll(keys) => array().is_some() && keys.iter().all(held),
        Test::HasNone(keys) => !keys.iter().any(held),
    }
}

/// The number a value holds (`jsonb_typeof = 'number'`), None otherwise.
fn number_of(value: Option<&serde_json::Value>) -> Option<Decimal> {
    match value {
        Some(serde_json::Value::Number(n)) => Decimal::parse(&n.to_string()),
        _ => None,
    }
}

/// The first ten characters of a string value (`left(… ->> key, 10)`).
fn day_of(value: Option<&serde_json::Value>) -> Option<String> {
    value
        .and_then(serde_json::Value::as_str)
        .map(|s| s.chars().take(10).collect())
}

/// A value as `properties ->> key` gives it: a string as it is, JSON null
/// (or no value) as NULL, anything else as jsonb's text of it.
fn text_of(value: Option<&serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => {
            let mut out = String::new();
            write_jsonb(other, &mut out);
            Some(out)
        }
    }
}

/// jsonb's text of a value: `", "` and `": "` between items, object keys
/// shortest first then by bytes, numbers as `numeric` prints them.
fn write_jsonb(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Null => out.push_str("null"),
        serde_json::Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        serde_json::Value::Number(n) => {
            let text = n.to_string();
            match Decimal::parse(&text) {
                Some(d) => out.push_str(&d.text()),
                None => out.push_str(&text),
            }
        }
        serde_json::Value::String(s) => write_json_string(s, out),
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_jsonb(item, out);
            }
            out.push(']');
        }
        serde_json::Value::Object(map) => {
            let mut entries: Vec<(&String, &serde_json::Value)> = map.iter().collect();
            entries.sort_by(|(a, _), (b, _)| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json_string(k, out);
                out.push_str(": ");
                write_jsonb(v, out);
            }
            out.push('}');
        }
    }
}

fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The host of an absolute URL, as
/// `substring(v from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]+)')`
/// finds it: after the scheme and any user info, before a port, path,
/// query or fragment.
fn url_host(s: &str) -> Option<&str> {
    let first = s.chars().next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let scheme_end = s
        .char_indices()
        .skip(1)
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
        .map_or(s.len(), |(i, _)| i);
    let rest = s[scheme_end..].strip_prefix("://")?;
    let host = |from: &str| -> Option<usize> {
        let end = from.find(['/', '?', '#', ':']).unwrap_or(from.len());
        (end > 0).then_some(end)
    };
    // The user info is taken when one is there and a host follows it.
    if let Some(at) = rest.find(['/', '?', '#', '@']) {
        if rest[at..].starts_with('@') {
            let after = &rest[at + 1..];
            if let Some(end) = host(after) {
                return Some(&after[..end]);
            }
        }
    }
    host(rest).map(|end| &rest[..end])
}

// ----------------------------------------------------------------- sorting

/// One sort key's value of a row; a key's values are all of one kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortValue {
    Text(String),
    /// None: no number (`'-Infinity'`, below every number).
    Number(Option<Decimal>),
    Time(DateTime<Utc>),
}

impl SortValue {
    /// The value as the server's cursor carries it.
    fn cursor_text(&self) -> String {
        match self {
            SortValue::Text(s) => s.clone(),
            SortValue::Number(None) => "-Infinity".to_string(),
            SortValue::Number(Some(d)) => d.text(),
            SortValue::Time(t) => t.to_rfc3339_opts(SecondsFormat::AutoSi, false),
        }
    }
}

impl Plan {
    fn sort_values(&self, e: &ViewEntity) -> Vec<SortValue> {
        self.sort
            .iter()
            .map(|spec| match &spec.field {
                SortField::Name => SortValue::Text(e.name.clone()),
                SortField::PathLabel => SortValue::Text(e.path_label.clone()),
                SortField::UpdatedAt => SortValue::Time(micros(e.updated_at)),
                SortField::Text(key) => {
                    SortValue::Text(text_of(e.properties.get(key)).unwrap_or_default())
                }
                SortField::Number(key) => SortValue::Number(number_of(e.properties.get(key))),
            })
            .collect()
    }

    /// The id breaks ties in the direction of the last sort key.
    fn id_descending(&self) -> bool {
        self.sort.last().is_some_and(|k| k.descending)
    }

    /// Row `a` against row `b` in the view's order.
    fn order(&self, a: &[SortValue], a_id: Uuid, b: &[SortValue], b_id: Uuid) -> Ordering {
        for ((x, y), spec) in a.iter().zip(b).zip(&self.sort) {
            let o = x.cmp(y);
            let o = if spec.descending { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        let o = a_id.cmp(&b_id);
        if self.id_descending() {
            o.reverse()
        } else {
            o
        }
    }

    /// A cursor's values, checked for their keys' kinds.
    fn cursor_values(&self, cursor: &Cursor) -> ViewResult<(Vec<SortValue>, Uuid)> {
        if cursor.values.len() != self.sort.len() {
            return Err(invalid(
                "cursor",
                Rule::Format,
                "this cursor belongs to another sort order",
            ));
        }
        let bad = || invalid("cursor", Rule::Format, "this cursor is damaged");
        let values = self
            .sort
            .iter()
            .zip(&cursor.values)
            .map(|(spec, value)| match spec.field {
                SortField::Name | SortField::PathLabel | SortField::Text(_) => {
                    if value.contains('\0') {
                        Err(bad())
                    } else {
                        Ok(SortValue::Text(value.clone()))
                    }
                }
                SortField::Number(_) => {
                    if value == "-Infinity" {
                        Ok(SortValue::Number(None))
                    } else if is_plain_decimal(value) {
                        Decimal::parse(value)
                            .map(|d| SortValue::Number(Some(d)))
                            .ok_or_else(bad)
                    } else {
                        Err(bad())
                    }
                }
                SortField::UpdatedAt => DateTime::parse_from_rfc3339(value)
                    .map(|at| SortValue::Time(micros(at.with_timezone(&Utc))))
                    .map_err(|_| bad()),
            })
            .collect::<ViewResult<Vec<_>>>()?;
        Ok((values, cursor.id))
    }
}

// ----------------------------------------------------------------- numbers

/// The largest power of ten a number may carry (PostgreSQL's numeric
/// holds 131,072 digits before the point and 16,383 after; larger ones
/// cannot be in the read model).
const MAX_EXPONENT: i64 = 140_000;

/// An exact decimal as PostgreSQL's `numeric` holds it:
/// `0.d₁d₂…dₙ × 10^exponent` with no leading or trailing zero digit (zero:
/// no digits), and the number of decimals its text shows (`scale`: `1.50`
/// shows two). Numbers compare, and are equal, by value alone.
#[derive(Debug, Clone)]
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
    scale: i64,
}

impl Decimal {
    /// Reads JSON's number syntax (`-12.5`, `1e20`, `1.5E-7`); the scale is
    /// `numeric_in`'s (the decimals written, less the exponent).
    fn parse(s: &str) -> Option<Decimal> {
        let (negative, rest) = match s.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, s),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (int, frac) = match mantissa.split_once('.') {
            Some((i, f)) if !f.is_empty() => (i, f),
            Some(_) => return None,
            None => (mantissa, ""),
        };
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let exp: i64 = match exp {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let n: i64 = digits.parse().ok()?;
                if n > MAX_EXPONENT {
                    return None;
                }
                if e.starts_with('-') {
                    -n
                } else {
                    n
                }
            }
        };
        let frac_len = i64::try_from(frac.len()).ok()?;
        let scale = (frac_len - exp).clamp(0, MAX_EXPONENT);
        let all: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
        let lead = all.iter().take_while(|d| **d == 0).count();
        if lead == all.len() {
            return Some(Decimal {
                negative: false,
                digits: Vec::new(),
                exponent: 0,
                scale,
            });
        }
        let trail = all.iter().rev().take_while(|d| **d == 0).count();
        let int_len = i64::try_from(int.len()).ok()?;
        let lead_len = i64::try_from(lead).ok()?;
        let exponent = exp + int_len - lead_len;
        if exponent.abs() > MAX_EXPONENT {
            return None;
        }
        Some(Decimal {
            negative,
            digits: all[lead..all.len() - trail].to_vec(),
            exponent,
            scale,
        })
    }

    fn sign(&self) -> i8 {
        match (self.digits.is_empty(), self.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        }
    }

    /// The number as `numeric` prints it: a plain decimal with `scale`
    /// decimals (`100000`, `-0.0015`, `15.0`).
    fn text(&self) -> String {
        let n = i64::try_from(self.digits.len()).unwrap_or(i64::MAX);
        // The digit of weight 10^(exponent - 1 - i).
        let digit = |i: i64| -> char {
            usize::try_from(i)
                .ok()
                .filter(|_| i < n)
                .and_then(|i| self.digits.get(i))
                .map_or('0', |d| char::from(b'0' + d))
        };
        let mut out = String::new();
        if self.sign() < 0 {
            out.push('-');
        }
        if self.exponent <= 0 {
            out.push('0');
        } else {
            out.extend((0..self.exponent).map(digit));
        }
        if self.scale > 0 {
            out.push('.');
            out.extend((0..self.scale).map(|k| digit(self.exponent + k)));
        }
        out
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let sign = self.sign().cmp(&other.sign());
        if sign != Ordering::Equal || self.sign() == 0 {
            return sign;
        }
        let magnitude = self
            .exponent
            .cmp(&other.exponent)
            .then_with(|| self.digits.cmp(&other.digits));
        if self.negative {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

// -------------------------------------------------------------- addresses

/// A network (its host bits zero) or an address with its mask length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Net {
    addr: IpAddr,
    bits: u8,
}

impl Net {
    /// `inet <<= cidr`: the same family, a mask at least as long, and the
    /// same leading bits.
    fn holds(&self, value: &Net) -> bool {
        if value.bits < self.bits {
            return false;
        }
        match (self.addr, value.addr) {
            (IpAddr::V4(net), IpAddr::V4(v)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.bits)).unwrap_or(0);
                u32::from(net) & mask == u32::from(v) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(v)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.bits))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(v) & mask
            }
            _ => false,
        }
    }
}

/// A subnet as the SQL compiler reads it (the `ipnet` crate's syntax:
/// an address, `/`, a prefix length), its host bits cleared.
fn parse_subnet(text: &str) -> Option<Net> {
    let (addr, prefix) = text.split_once('/')?;
    let prefix_len = |max_digits: usize, max: u32| -> Option<u8> {
        if prefix.is_empty()
            || prefix.len() > max_digits
            || !prefix.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        prefix
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= max)
            .and_then(|n| u8::try_from(n).ok())
    };
    let (addr, bits) = if let Some(v4) = ipnet_v4(addr) {
        (IpAddr::V4(v4), prefix_len(2, 32)?)
    } else {
        (IpAddr::V6(ipnet_v6(addr)?), prefix_len(3, 128)?)
    };
    let truncated = match addr {
        IpAddr::V4(a) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask))
        }
        IpAddr::V6(a) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask))
        }
    };
    Some(Net {
        addr: truncated,
        bits,
    })
}

/// Four decimal octets of one to three digits each (leading zeros
/// allowed, as `ipnet` reads them).
fn ipnet_v4(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *octet = part.parse().ok()?;
    }
    parts.next().is_none().then(|| Ipv4Addr::from(octets))
}

/// An IPv6 address; an embedded IPv4 address's octets may have leading
/// zeros, as `ipnet` reads them.
fn ipnet_v6(s: &str) -> Option<Ipv6Addr> {
    if let Some((head, tail)) = s.rsplit_once(':') {
        if tail.contains('.') {
            let v4 = u32::from(ipnet_v4(tail)?);
            let rewritten = format!("{head}:{:x}:{:x}", v4 >> 16, v4 & 0xffff);
            return rewritten.parse().ok();
        }
    }
    s.parse().ok()
}

/// The address a text holds as PostgreSQL's `inet` input reads it
/// (`eco_try_inet`: None where the cast fails).
fn pg_inet(s: &str) -> Option<Net> {
    if s.contains(':') {
        pg_inet6(s.as_bytes())
    } else {
        pg_inet4(s.as_bytes())
    }
}

/// PostgreSQL's `inet_net_pton_ipv4`: dotted decimal octets (leading zeros
/// allowed), an optional `/bits`; fewer than four octets only with bits.
fn pg_inet4(src: &[u8]) -> Option<Net> {
    let at = |i: usize| src.get(i).copied().unwrap_or(0);
    let mut i = 0;
    let mut octets: Vec<u8> = Vec::with_capacity(4);
    let mut ch;
    loop {
        ch = at(i);
        i += 1;
        if !ch.is_ascii_digit() {
            break;
        }
        let mut tmp: u32 = 0;
        loop {
            tmp = tmp * 10 + u32::from(ch - b'0');
            if tmp > 255 {
                return None;
            }
            ch = at(i);
            i += 1;
            if !ch.is_ascii_digit() {
                break;
            }
        }
        if octets.len() == 4 {
            return None;
        }
        octets.push(u8::try_from(tmp).ok()?);
        if ch == 0 || ch == b'/' {
            break;
        }
        if ch != b'.' {
            return None;
        }
    }
    let mut bits: Option<u32> = None;
    if ch == b'/' && at(i).is_ascii_digit() && !octets.is_empty() {
        ch = at(i);
        i += 1;
        let mut n: u32 = 0;
        loop {
            n = n * 10 + u32::from(ch - b'0');
            if n > 32 {
                return None;
            }
            ch = at(i);
            i += 1;
            if !ch.is_ascii_digit() {
                break;
            }
        }
        if ch != 0 {
            return None;
        }
        bits = Some(n);
    }
    if ch != 0 {
        return None;
    }
    let bits = match bits {
        Some(b) => b,
        None if octets.len() == 4 => 32,
        None => return None,
    };
    if octets.is_empty() || (bits / 8) as usize > octets.len() {
        return None;
    }
    let mut full = [0u8; 4];
    full[..octets.len()].copy_from_slice(&octets);
    Some(Net {
        addr: IpAddr::V4(Ipv4Addr::from(full)),
        bits: u8::try_from(bits).ok()?,
    })
}

/// PostgreSQL's `getbits`: a mask length of 0 to 128, no leading zero,
/// up to the end.
fn pg_bits(src: &[u8]) -> Option<u32> {
    let mut val: u32 = 0;
    let mut n = 0;
    for &ch in src {
        if ch == 0 {
            break;
        }
        if !ch.is_ascii_digit() {
            return None;
        }
        if n != 0 && val == 0 {
            return None;
        }
        n += 1;
        val = val * 10 + u32::from(ch - b'0');
        if val > 128 {
            return None;
        }
    }
    (n > 0).then_some(val)
}

/// PostgreSQL's `getv4`: an IPv4 address ending an IPv6 one, written into
/// `dst` (four bytes), with an optional `/bits` (returned).
fn pg_v4_tail(src: &[u8], dst: &mut [u8]) -> Option<Option<u32>> {
    let mut val: u32 = 0;
    let mut n = 0;
    let mut written = 0;
    let mut i = 0;
    while i < src.len() && src[i] != 0 {
        let ch = src[i];
        i += 1;
        if ch.is_ascii_digit() {
            if n != 0 && val == 0 {
                return None;
            }
            n += 1;
            val = val * 10 + u32::from(ch - b'0');
            if val > 255 {
                return None;
            }
            continue;
        }
        if ch == b'.' || ch == b'/' {
            if written > 3 {
                return None;
            }
            dst[written] = u8::try_from(val).ok()?;
            written += 1;
            if ch == b'/' {
                return pg_bits(&src[i..]).map(Some);
            }
            val = 0;
            n = 0;
            continue;
        }
        return None;
    }
    if n == 0 || written > 3 {
        return None;
    }
    dst[written] = u8::try_from(val).ok()?;
    Some(None)
}

/// PostgreSQL's `inet_cidr_pton_ipv6`: groups of up to four hex digits,
/// one `::`, an IPv4 tail, an optional `/bits`.
fn pg_inet6(src: &[u8]) -> Option<Net> {
    let at = |i: usize| src.get(i).copied().unwrap_or(0);
    let mut tmp = [0u8; 16];
    let mut tp = 0usize;
    let mut colonp: Option<usize> = None;
    let mut i = 0usize;
    if at(i) == b':' {
        i += 1;
        if at(i) != b':' {
            return None;
        }
    }
    let mut curtok = i;
    let mut saw_xdigit = false;
    let mut val: u32 = 0;
    let mut digits = 0;
    let mut bits: Option<u32> = None;
    loop {
        let ch = at(i);
        i += 1;
        if ch == 0 {
            break;
        }
        if let Some(d) = char::from(ch).to_digit(16) {
            val = (val << 4) | d;
            digits += 1;
            if digits > 4 {
                return None;
            }
            saw_xdigit = true;
            continue;
        }
        if ch == b':' {
            curtok = i;
            if !saw_xdigit {
                if colonp.is_some() {
                    return None;
                }
                colonp = Some(tp);
                continue;
            } else if at(i) == 0 {
                return None;
            }
            if tp + 2 > 16 {
                return None;
            }
            tmp[tp] = ((val >> 8) & 0xff) as u8;
            tmp[tp + 1] = (val & 0xff) as u8;
            tp += 2;
            saw_xdigit = false;
            digits = 0;
            val = 0;
            continue;
        }
        if ch == b'.' && tp + 4 <= 16 {
            if let Some(tail_bits) = pg_v4_tail(&src[curtok..], &mut tmp[tp..tp + 4]) {
                bits = tail_bits;
                tp += 4;
                saw_xdigit = false;
                break;
            }
        }
        if ch == b'/' {
            if let Some(b) = pg_bits(&src[i.min(src.len())..]) {
                bits = Some(b);
                break;
            }
        }
        return None;
    }
    if saw_xdigit {
        if tp + 2 > 16 {
            return None;
        }
        tmp[tp] = ((val >> 8) & 0xff) as u8;
        tmp[tp + 1] = (val & 0xff) as u8;
        tp += 2;
    }
    if let Some(colon) = colonp {
        if tp == 16 {
            return None;
        }
        let n = tp - colon;
        tmp.copy_within(colon..tp, 16 - n);
        tmp[colon..16 - n].fill(0);
        tp = 16;
    }
    if tp != 16 {
        return None;
    }
    Some(Net {
        addr: IpAddr::V6(Ipv6Addr::from(tmp)),
        bits: u8::try_from(bits.unwrap_or(128)).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    const SERVER: Uuid = Uuid::from_u128(0x1000);
    const SITE: Uuid = Uuid::from_u128(0x2000);
    const TAG_RED: Uuid = Uuid::from_u128(0x3001);
    const TAG_BLUE: Uuid = Uuid::from_u128(0x3002);

    fn info(value_type: ValueType, options: &[&str]) -> PropertyInfo {
        PropertyInfo {
            value_type,
            sensitive: false,
            in_read_model: true,
            options: options.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn catalog() -> Catalog {
        let mut c = Catalog::default();
        let p = &mut c.properties;
        p.insert("cost".into(), info(ValueType::Number, &[]));
        p.insert("note".into(), info(ValueType::Text, &[]));
        p.insert("url".into(), info(ValueType::Url, &[]));
        p.insert("ip".into(), info(ValueType::IpAddress, &[]));
        p.insert("due".into(), info(ValueType::Date, &[]));
        p.insert("on".into(), info(ValueType::Boolean, &[]));
        p.insert("config".into(), info(ValueType::Json, &[]));
        p.insert(
            "status".into(),
            info(ValueType::SingleSelect, &["active", "retired"]),
        );
        p.insert(
            "roles".into(),
            info(ValueType::MultiSelect, &["a", "b", "c"]),
        );
        p.insert(
            "token".into(),
            PropertyInfo {
                sensitive: true,
                in_read_model: false,
                ..info(ValueType::Text, &[])
            },
        );
        p.insert(
            "hidden".into(),
            PropertyInfo {
                in_read_model: false,
                ..info(ValueType::Text, &[])
            },
        );
        c.types.insert("server".into(), SERVER);
        c.types.insert("site".into(), SITE);
        c
    }

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    /// Monday 2026-11-30, late.
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 23, 59, 0).unwrap()
    }

    fn entity(n: u128, name: &str, props: serde_json::Value) -> ViewEntity {
        ViewEntity {
            id: Uuid::from_u128(n),
            parent_id: None,
            entity_type_id: SERVER,
            type_key: "server".into(),
            name: name.into(),
            path_label: format!("/{name}"),
            ancestor_ids: Vec::new(),
            properties: props.as_object().cloned().unwrap_or_default(),
            tag_ids: Vec::new(),
            created_at: at(1, 0),
            updated_at: at(1, 0),
        }
    }

    fn entities() -> Vec<ViewEntity> {
        let mut site = entity(1, "Site Alpha", json!({}));
        site.entity_type_id = SITE;
        site.type_key = "site".into();
        let mut a = entity(
            2,
            "web-01",
            json!({"cost": 12.5, "note": "Primary 100%_box", "url": "https://admin:pw@Example.ORG:8443/x",
                   "ip": "10.1.2.3", "due": "2026-11-30", "on": true, "status": "active",
                   "roles": ["a", "b"], "token": "secret!", "hidden": "h"}),
        );
        a.parent_id = Some(site.id);
        a.ancestor_ids = vec![site.id];
        a.tag_ids = vec![TAG_RED];
        a.updated_at = at(29, 12);
        a.created_at = at(20, 0);
        let mut b = entity(
            3,
            "web-02",
            json!({"cost": -3, "note": "", "url": "http://example.org", "ip": "010.1.9.9",
                   "due": "2026-12-06T10:00:00Z", "on": false, "status": "retired", "roles": []}),
        );
        b.parent_id = Some(site.id);
        b.ancestor_ids = vec![site.id];
        b.tag_ids = vec![TAG_RED, TAG_BLUE];
        b.updated_at = at(10, 0);
        let c = entity(
            4,
            "DB-Ünïcode",
            json!({"cost": "12.5", "note": 1200, "url": "ftp://files.example.net/a", "ip": "2001:db8::7",
                   "due": "2025-01-01", "status": null, "roles": "a"}),
        );
        let d = entity(
            5,
            "empty",
            json!({"note": null, "ip": "10.1.2.3/8", "cost": 1e20}),
        );
        vec![site, a, b, c, d]
    }

    fn relationships() -> Vec<ViewRelationship> {
        vec![
            ViewRelationship {
                source_id: Uuid::from_u128(2),
                target_id: Uuid::from_u128(3),
                relationship_type: "feeds".into(),
            },
            ViewRelationship {
                source_id: Uuid::from_u128(4),
                target_id: Uuid::from_u128(2),
                relationship_type: "backs_up".into(),
            },
            // The other end is not cached: it never matches.
            ViewRelationship {
                source_id: Uuid::from_u128(5),
                target_id: Uuid::from_u128(99),
                relationship_type: "feeds".into(),
            },
        ]
    }

    fn doc(value: serde_json::Value) -> ViewDocument {
        let mut v = value;
        v["version"] = json!(2);
        serde_json::from_value(v).unwrap()
    }

    fn filter(f: serde_json::Value) -> ViewDocument {
        doc(json!({ "filter": f }))
    }

    /// The numbers (low bits of the ids) of what `f` matches.
    fn ids(f: serde_json::Value) -> Vec<u128> {
        try_ids(f).unwrap()
    }

    fn try_ids(f: serde_json::Value) -> ViewResult<Vec<u128>> {
        let (es, rs, c) = (entities(), relationships(), catalog());
        let data = ViewData {
            entities: &es,
            relationships: &rs,
            catalog: &c,
            tags: &[],
        };
        let page = page(&filter(f), &data, None, now())?;
        Ok(page.rows.iter().map(|r| r.id.as_u128()).collect())
    }

    fn prop(key: &str, op: &str, value: serde_json::Value) -> serde_json::Value {
        json!({"property": {"key": key, "op": op, "value": value}})
    }

    #[test]
    fn groups_and_negation_treat_unknown_as_false() {
        assert_eq!(ids(json!({"all": []})), [1, 2, 3, 4, 5]);
        assert_eq!(ids(json!({"any": []})), Vec::<u128>::new());
        // No number: `cost > 0` is NULL in SQL, so its negation holds.
        assert_eq!(ids(prop("cost", "gt", json!("0"))), [2, 5]);
        assert_eq!(
            ids(json!({"not": prop("cost", "gt", json!("0"))})),
            [1, 3, 4]
        );
        assert_eq!(
            ids(json!({"any": [prop("cost", "lt", json!(0)), {"text": "EMPTY"}]})),
            [3, 5]
        );
    }

    #[test]
    fn numbers_compare_exactly_and_only_numbers_count() {
        assert_eq!(ids(prop("cost", "equals", json!("12.50"))), [2]);
        assert_eq!(ids(prop("cost", "notEquals", json!("12.5"))), [1, 3, 4, 5]);
        assert_eq!(ids(prop("cost", "lte", json!("-3"))), [3]);
        assert_eq!(
            ids(prop("cost", "gte", json!("100000000000000000000"))),
            [5]
        );
        assert_eq!(ids(prop("cost", "between", json!(["-3", 12.5]))), [2, 3]);
        assert_eq!(
            ids(prop("cost", "between", json!([13, 12]))),
            Vec::<u128>::new()
        );
        for bad in [json!("1e3"), json!("01"), json!(" "), json!(true)] {
            let e = try_ids(prop("cost", "lt", bad)).unwrap_err();
            assert_eq!(e.path(), Some("filter.property.value"), "{e}");
        }
        let e = try_ids(prop("cost", "between", json!(["1", "x"]))).unwrap_err();
        assert_eq!(e.path(), Some("filter.property.value[1]"));
    }

    #[test]
    fn text_conditions_read_the_value_as_postgresql_gives_it() {
        assert_eq!(ids(prop("note", "equals", json!("Primary 100%_box"))), [2]);
        // A number kept from an earlier type is text to `->>`, never equal by containment.
        assert_eq!(
            ids(prop("note", "equals", json!("1200"))),
            Vec::<u128>::new()
        );
        assert_eq!(ids(prop("note", "notEquals", json!("1200"))), [1, 2, 3, 5]);
        assert_eq!(ids(prop("note", "contains", json!("20"))), [4]);
        // `%` and `_` are literal; the case does not matter.
        assert_eq!(ids(prop("note", "contains", json!("0%_B"))), [2]);
        assert_eq!(
            ids(prop("note", "contains", json!("%x"))),
            Vec::<u128>::new()
        );
        assert_eq!(ids(prop("note", "startsWith", json!("prim"))), [2]);
        assert_eq!(ids(prop("note", "contains", json!(""))), [2, 3, 4]);
        assert_eq!(ids(prop("note", "in", json!(["", "zz"]))), [3]);
        assert_eq!(ids(json!({"text": "ünï"})), [4]);
        assert_eq!(ids(json!({"text": "WEB-0"})), [2, 3]);
        let e = try_ids(json!({"text": ""})).unwrap_err();
        assert_eq!(e.path(), Some("filter.text"));
        let e = try_ids(json!({"text": "a\u{0}b"})).unwrap_err();
        assert!(matches!(
            e,
            OfflineViewError::Invalid {
                rule: Rule::Format,
                ..
            }
        ));
        let e = try_ids(prop("note", "in", json!([]))).unwrap_err();
        assert!(matches!(
            e,
            OfflineViewError::Invalid {
                rule: Rule::Type,
                ..
            }
        ));
    }

    #[test]
    fn emptiness_is_missing_null_blank_or_no_items() {
        assert_eq!(
            ids(json!({"property": {"key": "note", "op": "isEmpty"}})),
            [1, 3, 5]
        );
        assert_eq!(
            ids(json!({"property": {"key": "roles", "op": "isEmpty"}})),
            [1, 3, 5]
        );
        assert_eq!(
            ids(json!({"property": {"key": "status", "op": "isNotEmpty"}})),
            [2, 3]
        );
    }

    #[test]
    fn selects_and_booleans() {
        assert_eq!(ids(prop("status", "in", json!(["active"]))), [2]);
        // A missing or null value is in none of the options.
        assert_eq!(
            ids(prop("status", "notIn", json!(["active"]))),
            [1, 3, 4, 5]
        );
        assert_eq!(ids(prop("roles", "hasAny", json!(["b", "c"]))), [2]);
        assert_eq!(ids(prop("roles", "hasAll", json!(["a", "b"]))), [2]);
        // A string is not an array of options.
        assert_eq!(ids(prop("roles", "hasAny", json!(["a"]))), [2]);
        assert_eq!(ids(prop("roles", "hasNone", json!(["a"]))), [1, 3, 4, 5]);
        assert_eq!(ids(prop("on", "equals", json!(false))), [3]);
        let e = try_ids(prop("status", "in", json!(["gone"]))).unwrap_err();
        assert_eq!(e.path(), Some("filter.property.value[0]"));
        let e = try_ids(prop("on", "equals", json!("true"))).unwrap_err();
        assert_eq!(e.path(), Some("filter.property.value"));
        let e = try_ids(prop("status", "equals", json!("active"))).unwrap_err();
        assert_eq!(e.path(), Some("filter.property.op"));
        let e = try_ids(json!({"property": {"key": "config", "op": "equals", "value": "x"}}))
            .unwrap_err();
        assert_eq!(e.path(), Some("filter.property.op"));
    }

    #[test]
    fn dates_compare_their_first_ten_characters() {
        assert_eq!(ids(prop("due", "today", json!(null))), [2]);
        assert_eq!(ids(prop("due", "thisWeek", json!(null))), [2, 3]);
        assert_eq!(ids(prop("due", "thisMonth", json!(null))), [2]);
        assert_eq!(ids(prop("due", "thisQuarter", json!(null))), [2, 3]);
        assert_eq!(ids(prop("due", "thisYear", json!(null))), [2, 3]);
        assert_eq!(ids(prop("due", "inNextDays", json!(6))), [2, 3]);
        assert_eq!(ids(prop("due", "inLastDays", json!(0))), [2]);
        assert_eq!(
            ids(prop("due", "before", json!("2026-11-30T05:00:00Z"))),
            [4]
        );
        assert_eq!(ids(prop("due", "after", json!("2026-11-30"))), [3]);
        assert_eq!(
            ids(prop("due", "between", json!(["2025-01-01", "2026-11-30"]))),
            [2, 4]
        );
        let e = try_ids(prop("due", "inLastDays", json!(40_000))).unwrap_err();
        assert!(matches!(
            e,
            OfflineViewError::Invalid {
                rule: Rule::Range,
                ..
            }
        ));
        let e = try_ids(prop("due", "after", json!("30/11/2026"))).unwrap_err();
        assert!(matches!(
            e,
            OfflineViewError::Invalid {
                rule: Rule::Format,
                ..
            }
        ));
    }

    #[test]
    fn relative_days_are_the_ones_the_compiler_binds() {
        let catalog = Catalog::default();
        let c = Checker {
            catalog: &catalog,
            now: now(),
            count: 0,
        };
        let days = |op: Op, v: Option<serde_json::Value>| match c.date(op, v.as_ref(), "v").unwrap()
        {
            Test::DayBetween(a, b) => (a, b),
            _ => panic!("not a range"),
        };
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(days(Op::ThisWeek, None), pair("2026-11-30", "2026-12-06"));
        assert_eq!(days(Op::ThisMonth, None), pair("2026-11-01", "2026-11-30"));
        assert_eq!(
            days(Op::ThisQuarter, None),
            pair("2026-10-01", "2026-12-31")
        );
        assert_eq!(days(Op::ThisYear, None), pair("2026-01-01", "2026-12-31"));
        assert_eq!(
            days(Op::InLastDays, Some(json!(7))),
            pair("2026-11-23", "2026-11-30")
        );
        assert_eq!(
            days(Op::InNextDays, Some(json!(31))),
            pair("2026-11-30", "2026-12-31")
        );
    }

    #[test]
    fn hosts_and_subnets() {
        assert_eq!(ids(prop("url", "hostIs", json!("EXAMPLE.org"))), [2, 3]);
        assert_eq!(ids(prop("url", "hostIs", json!("files.example.net"))), [4]);
        let e = try_ids(prop("url", "hostIs", json!("a/b"))).unwrap_err();
        assert_eq!(e.path(), Some("filter.property.value"));
        // `010.1.9.9` is 10.1.9.9 to PostgreSQL; `10.1.2.3/8` is a /8 and
        // so not inside a /16.
        assert_eq!(ids(prop("ip", "inSubnet", json!("10.1.0.0/16"))), [2, 3]);
        assert_eq!(
            ids(prop("ip", "inSubnet", json!(" 10.9.9.9/8 "))),
            [2, 3, 5]
        );
        assert_eq!(ids(prop("ip", "inSubnet", json!("2001:db8::/32"))), [4]);
        assert_eq!(ids(prop("ip", "inSubnet", json!("0.0.0.0/0"))), [2, 3, 5]);
        for bad in [
            "10.0.0.0/99",
            "10.0.0.0",
            "10.0.0/8",
            "2001:db8::/129",
            "x/8",
        ] {
            let e = try_ids(prop("ip", "inSubnet", json!(bad))).unwrap_err();
            assert_eq!(e.path(), Some("filter.property.value"), "{bad}");
        }
        assert_eq!(ids(prop("ip", "startsWith", json!("10."))), [2, 5]);
    }

    #[test]
    fn url_hosts_follow_the_pattern() {
        assert_eq!(url_host("https://u:p@Host.org:80/x"), Some("Host.org"));
        assert_eq!(url_host("http://a@/x"), Some("a@"));
        assert_eq!(url_host("http://h?q"), Some("h"));
        assert_eq!(url_host("h://"), None);
        assert_eq!(url_host("1http://h"), None);
        assert_eq!(url_host("example.org"), None);
    }

    #[test]
    fn addresses_parse_as_postgresql_parses_them() {
        let v4 = |s: &str| pg_inet(s).map(|n| (n.addr.to_string(), n.bits));
        let some = |a: &str, b: u8| Some((a.to_string(), b));
        assert_eq!(v4("1.2.3.4"), some("1.2.3.4", 32));
        assert_eq!(v4("001.002.003.004/24"), some("1.2.3.4", 24));
        assert_eq!(v4("10/8"), some("10.0.0.0", 8));
        assert_eq!(v4("1.2.3.4."), some("1.2.3.4", 32));
        for bad in [
            "10.1",
            "1.2.3.4/33",
            "1.2.3.4.5",
            "256.1.1.1",
            " 1.2.3.4",
            "1.2.3.4/",
            "10.1/24",
            "",
        ] {
            assert_eq!(v4(bad), None, "{bad}");
        }
        assert_eq!(v4("::1"), some("::1", 128));
        assert_eq!(v4("2001:DB8::1/64"), some("2001:db8::1", 64));
        assert_eq!(v4("::ffff:1.2.3.4"), some("::ffff:1.2.3.4", 128));
        assert_eq!(v4("::ffff:1.2.3.4/120"), some("::ffff:1.2.3.4", 120));
        for bad in [
            ":1",
            "1::2::3",
            "12345::",
            "::1/0128",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7::8",
            "::01.2.3.4",
        ] {
            assert_eq!(v4(bad), None, "{bad}");
        }
        let net = parse_subnet("010.1.2.3/8").unwrap();
        assert_eq!(
            (net.addr.to_string(), net.bits),
            ("10.0.0.0".to_string(), 8)
        );
        let net = parse_subnet("::ffff:010.0.0.1/104").unwrap();
        assert_eq!(net.addr.to_string(), "::ffff:10.0.0.0");
        assert!(!net.holds(&pg_inet("10.0.0.1").unwrap()));
    }

    #[test]
    fn decimals_are_exact() {
        let d = |s: &str| Decimal::parse(s).unwrap();
        assert_eq!(d("1.50"), d("1.5"));
        assert_eq!(d("-0.0"), d("0"));
        assert!(d("0.1") < d("0.10000000000000000001"));
        assert!(d("-2") < d("-1.5"));
        assert!(d("-1") < d("0"));
        assert!(d("1e20") > d("99999999999999999999.9"));
        // Printed as numeric prints what it read.
        assert_eq!(d("1.5e-3").text(), "0.0015");
        assert_eq!(d("1.5e-7").text(), "0.00000015");
        assert_eq!(d("1e20").text(), "100000000000000000000");
        assert_eq!(d("-12e2").text(), "-1200");
        assert_eq!(d("1.50e1").text(), "15.0");
        assert_eq!(d("120.500").text(), "120.500");
        assert_eq!(d("0.5").text(), "0.5");
        assert_eq!(d("-0.0").text(), "0.0");
        assert_eq!(d("-7").text(), "-7");
        for bad in ["", "-", "1.", ".5", "1e", "x", "1e+"] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
        let mut text = String::new();
        write_jsonb(
            &json!({"bb": [1, "x\"y"], "a": {"k": null}, "c": 2.5e3}),
            &mut text,
        );
        assert_eq!(
            text,
            r#"{"a": {"k": null}, "c": 2500.0, "bb": [1, "x\"y"]}"#
        );
    }

    #[test]
    fn type_tag_under_time_and_relationships() {
        assert_eq!(ids(json!({"type": ["site"]})), [1]);
        assert_eq!(ids(json!({"type": ["site", "server"]})), [1, 2, 3, 4, 5]);
        let e = try_ids(json!({"type": ["site", "nope"]})).unwrap_err();
        assert!(
            matches!(&e, OfflineViewError::UnknownType { path, .. } if path == "filter.type[1]"),
            "{e:?}"
        );
        assert!(try_ids(json!({"type": []})).is_err());
        assert_eq!(
            ids(json!({"tag": {"match": "any", "tags": [TAG_BLUE, TAG_RED]}})),
            [2, 3]
        );
        assert_eq!(
            ids(json!({"tag": {"match": "all", "tags": [TAG_BLUE, TAG_RED]}})),
            [3]
        );
        assert_eq!(
            ids(json!({"tag": {"match": "none", "tags": [TAG_BLUE]}})),
            [1, 2, 4, 5]
        );
        assert_eq!(ids(json!({"under": Uuid::from_u128(1)})), [1, 2, 3]);
        assert_eq!(
            ids(json!({"updated": {"op": "after", "value": "2026-11-29T12:00:00Z"}})),
            [2]
        );
        assert_eq!(
            ids(json!({"updated": {"op": "before", "value": "2026-11-29T12:00:00Z"}})),
            [1, 3, 4, 5]
        );
        assert_eq!(
            ids(json!({"updated": {"op": "inLastDays", "value": 1}})),
            Vec::<u128>::new()
        );
        assert_eq!(
            ids(json!({"updated": {"op": "inLastDays", "value": 2}})),
            [2]
        );
        assert_eq!(
            ids(json!({"created": {"op": "after", "value": "2026-11-02"}})),
            [2]
        );
        let e = try_ids(json!({"created": {"op": "today"}})).unwrap_err();
        assert_eq!(e.path(), Some("filter.created"));
        let related = |direction: &str, kind: &str, f: Option<serde_json::Value>| {
            let mut c = json!({"type": kind, "direction": direction});
            if let Some(f) = f {
                c["filter"] = f;
            }
            ids(json!({ "related": c }))
        };
        assert_eq!(related("outgoing", "feeds", None), [2]);
        assert_eq!(related("incoming", " feeds ", None), [3]);
        assert_eq!(related("either", "feeds", None), [2, 3]);
        assert_eq!(
            related("either", "backs_up", Some(json!({"text": "web"}))),
            [4]
        );
        assert_eq!(
            related("outgoing", "feeds", Some(json!({"not": {"text": "web"}}))),
            Vec::<u128>::new()
        );
        let e = try_ids(json!({"related": {"type": "  ", "direction": "either"}})).unwrap_err();
        assert_eq!(e.path(), Some("filter.related.type"));
        let e = try_ids(json!({"related": {"type": "feeds", "direction": "either",
                                            "filter": {"type": ["nope"]}}}))
        .unwrap_err();
        assert_eq!(e.path(), Some("filter.related.filter.type[0]"));
    }

    #[test]
    fn sensitive_and_unsearchable_properties_are_refused_as_the_server_refuses_them() {
        let e = try_ids(json!({"property": {"key": "token", "op": "isEmpty"}})).unwrap_err();
        assert!(
            matches!(e, OfflineViewError::SensitiveProperty { .. }),
            "{e:?}"
        );
        let e = try_ids(json!({"property": {"key": "hidden", "op": "isEmpty"}})).unwrap_err();
        assert!(matches!(e, OfflineViewError::NotSearchable { .. }), "{e:?}");
        let e = try_ids(json!({"property": {"key": "nope", "op": "isEmpty"}})).unwrap_err();
        assert_eq!(e.path(), Some("filter.property.key"));
        let (es, c) = (entities(), catalog());
        let data = ViewData {
            entities: &es,
            relationships: &[],
            catalog: &c,
            tags: &[],
        };
        // A sensitive column is allowed (shown masked), sorting by it is not.
        let shown = doc(json!({"columns": [{"field": "property:token"}, {"field": "type"}]}));
        let rows = page(&shown, &data, None, now()).unwrap().rows;
        // The read model holds no sensitive or unsearchable value.
        let web = rows.iter().find(|r| r.id.as_u128() == 2).unwrap();
        assert!(web.properties.get("token").is_none() && web.properties.get("hidden").is_none());
        assert_eq!(web.properties["cost"], json!(12.5));
        let sorted = doc(json!({"sort": [{"field": "property:token"}]}));
        assert!(matches!(
            page(&sorted, &data, None, now()),
            Err(OfflineViewError::SensitiveProperty { .. })
        ));
        let sorted = doc(json!({"sort": [{"field": "type"}]}));
        let e = page(&sorted, &data, None, now()).unwrap_err();
        assert_eq!(e.path(), Some("sort[0].field"));
        let grouped = doc(json!({"groupBy": "roles"}));
        let e = count(&grouped, &data, now()).unwrap_err();
        assert_eq!(e.path(), Some("groupBy"));
        assert!(count(&doc(json!({"groupBy": "status"})), &data, now()).is_ok());
    }

    #[test]
    fn documents_are_checked_as_the_compiler_checks_them() {
        let (es, c) = (entities(), catalog());
        let data = ViewData {
            entities: &es,
            relationships: &[],
            catalog: &c,
            tags: &[],
        };
        let path = |d: ViewDocument| {
            page(&d, &data, None, now())
                .unwrap_err()
                .path()
                .map(str::to_string)
        };
        let mut d = doc(json!({}));
        d.version = 7;
        assert_eq!(path(d).as_deref(), Some("version"));
        assert_eq!(
            path(doc(json!({"pageSize": 0}))).as_deref(),
            Some("pageSize")
        );
        assert_eq!(
            path(doc(json!({"pageSize": 1001}))).as_deref(),
            Some("pageSize")
        );
        assert_eq!(
            path(doc(
                json!({"columns": [{"field": "name"}, {"field": "nope"}]})
            ))
            .as_deref(),
            Some("columns[1].field")
        );
        assert_eq!(
            path(doc(json!({"columns": [{"field": "name", "width": 5}]}))).as_deref(),
            Some("columns[0].width")
        );
        let mut deep = json!({"text": "x"});
        for _ in 0..=MAX_DEPTH {
            deep = json!({ "not": deep });
        }
        let e = page(&filter(deep), &data, None, now()).unwrap_err();
        assert!(matches!(
            e,
            OfflineViewError::Invalid {
                rule: Rule::TooLong,
                ..
            }
        ));
        let many: Vec<serde_json::Value> =
            (0..MAX_CONDITIONS).map(|_| json!({"text": "x"})).collect();
        let e = page(&filter(json!({ "all": many })), &data, None, now()).unwrap_err();
        assert_eq!(
            e.path(),
            Some(format!("filter.all[{}]", MAX_CONDITIONS - 1).as_str())
        );
    }

    /// Every page after the first, by cursor, until the last.
    fn all_pages(d: &ViewDocument, data: &ViewData) -> Vec<u128> {
        let mut out = Vec::new();
        let mut after: Option<Cursor> = None;
        loop {
            let p = page(d, data, after.as_ref(), now()).unwrap();
            assert!(p.rows.len() <= d.page_size as usize);
            out.extend(p.rows.iter().map(|r| r.id.as_u128()));
            match p.next {
                Some(c) => after = Some(c),
                None => return out,
            }
        }
    }

    #[test]
    fn pages_follow_the_sort_and_add_up_to_the_whole() {
        let mut es = entities();
        // Ties on every key, broken by the id.
        for n in 10..40u128 {
            let mut e = entity(n, if n % 3 == 0 { "same" } else { "other" }, json!({}));
            if n % 2 == 0 {
                e.properties.insert("cost".into(), json!(n % 4));
                e.properties
                    .insert("note".into(), json!(format!("n{}", n % 5)));
            }
            e.updated_at = at(1 + (n % 7) as u32, 0);
            es.push(e);
        }
        let c = catalog();
        let data = ViewData {
            entities: &es,
            relationships: &[],
            catalog: &c,
            tags: &[],
        };
        for sort in [
            json!([{"field": "property:cost", "descending": true}, {"field": "name"}]),
            json!([{"field": "updatedAt"}]),
            json!([{"field": "property:note"}, {"field": "pathLabel", "descending": true}]),
            json!([{"field": "name", "descending": true}]),
            json!([]),
        ] {
            let whole = doc(json!({"sort": sort, "pageSize": 1000}));
            let expected: Vec<u128> = page(&whole, &data, None, now())
                .unwrap()
                .rows
                .iter()
                .map(|r| r.id.as_u128())
                .collect();
            assert_eq!(expected.len(), es.len());
            for size in [1, 4, 7, 35] {
                let small = doc(json!({"sort": sort, "pageSize": size}));
                assert_eq!(all_pages(&small, &data), expected, "{sort} by {size}");
            }
        }
        // Numbers sort as numbers, with none below all; the id breaks ties
        // in the last key's direction.
        let by_cost = doc(
            json!({"sort": [{"field": "property:cost", "descending": true}],
                                 "filter": {"type": ["server"]}, "pageSize": 4}),
        );
        let first = page(&by_cost, &data, None, now()).unwrap();
        let got: Vec<u128> = first.rows.iter().map(|r| r.id.as_u128()).collect();
        assert_eq!(got, [5, 2, 38, 34]);
        let next = first.next.unwrap();
        assert_eq!(next.values, ["2"]);
        assert_eq!(next.id, Uuid::from_u128(34));
        let second = page(&by_cost, &data, Some(&next), now()).unwrap();
        let got: Vec<u128> = second.rows.iter().map(|r| r.id.as_u128()).collect();
        assert_eq!(got, [30, 26, 22, 18]);
        let none = doc(json!({"sort": [{"field": "property:cost"}], "pageSize": 1}));
        let first = page(&none, &data, None, now()).unwrap();
        assert_eq!(first.next.unwrap().values, ["-Infinity"]);
    }

    #[test]
    fn cursors_are_checked() {
        let (es, c) = (entities(), catalog());
        let data = ViewData {
            entities: &es,
            relationships: &[],
            catalog: &c,
            tags: &[],
        };
        let d = doc(json!({"sort": [{"field": "property:cost"}], "pageSize": 2}));
        for values in [
            vec![],
            vec!["1; DROP TABLE entities".to_string()],
            vec!["1e3".to_string()],
        ] {
            let bad = Cursor {
                values,
                id: Uuid::nil(),
            };
            let e = page(&d, &data, Some(&bad), now()).unwrap_err();
            assert_eq!(e.path(), Some("cursor"));
        }
        let by_time = doc(json!({"sort": [{"field": "updatedAt"}], "pageSize": 1}));
        let first = page(&by_time, &data, None, now()).unwrap();
        let next = first.next.unwrap();
        assert!(DateTime::parse_from_rfc3339(&next.values[0]).is_ok());
        let damaged = Cursor {
            values: vec!["yesterday".into()],
            id: next.id,
        };
        assert!(page(&by_time, &data, Some(&damaged), now()).is_err());
        // A cursor as the server writes it is read too.
        let server = Cursor {
            values: vec!["2026-11-01T00:00:00+00:00".into()],
            id: Uuid::from_u128(4),
        };
        let rest = page(&by_time, &data, Some(&server), now()).unwrap();
        assert_eq!(rest.rows[0].id, Uuid::from_u128(5));
    }

    #[test]
    fn count_and_matches_agree_with_pages() {
        let (es, rs, c) = (entities(), relationships(), catalog());
        let data = ViewData {
            entities: &es,
            relationships: &rs,
            catalog: &c,
            tags: &[],
        };
        let d = filter(json!({"any": [{"under": Uuid::from_u128(1)},
                                      {"related": {"type": "backs_up", "direction": "outgoing"}}]}));
        assert_eq!(
            count(&d, &data, now()).unwrap(),
            ViewCount {
                count: 4,
                exact: true
            }
        );
        let matched: Vec<u128> = es
            .iter()
            .filter(|e| matches(&d, e, &data, now()).unwrap())
            .map(|e| e.id.as_u128())
            .collect();
        assert_eq!(matched, [1, 2, 3, 4]);
        let bad = filter(json!({"property": {"key": "token", "op": "isEmpty"}}));
        assert!(matches(&bad, &es[0], &data, now()).is_err());
    }
}
