//! The view compiler: checks a [`ViewDocument`] against the property
//! definitions and entity types, and builds the SQL that runs it over the
//! read model. Every value of the document is bound as a parameter; the SQL
//! text is made only of this file's constant fragments and `$n`
//! placeholders, so no document can change what the statement does.
//!
//! A refusal is a `Validation` error whose field is the path of the bad
//! part of the document (`filter.all[2].property.value`).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use uuid::Uuid;

use super::document::{
    Filter, Op, PropertyCondition, RelatedCondition, RelatedDirection, TagMatch,
};
use super::document::{SortKey, VIEW_DOCUMENT_VERSION};
use super::document::{TimeCondition, ViewDocument};
use crate::error::{CoreError, CoreResult, Rule};
use crate::properties::is_plain_decimal;
use crate::records::ValueType;

/// The most conditions one document may hold, and how deep groups nest.
pub const MAX_CONDITIONS: usize = 200;
pub const MAX_DEPTH: usize = 12;
/// The most rows one page may ask for.
pub const MAX_PAGE_SIZE: u32 = 1_000;
/// The most characters of one text value.
const MAX_TEXT: usize = 1_000;

/// What the compiler needs to know of a property.
#[derive(Debug, Clone)]
pub struct PropertyInfo {
    pub value_type: ValueType,
    pub sensitive: bool,
    /// In the read model (searchable, not sensitive, not the name).
    pub in_read_model: bool,
    /// The option keys of a select.
    pub options: Vec<String>,
}

/// The definitions and types a document is checked against.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub properties: HashMap<String, PropertyInfo>,
    pub types: HashMap<String, Uuid>,
}

/// One parameter of a compiled statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Text(String),
    Texts(Vec<String>),
    Uuids(Vec<Uuid>),
    Bool(bool),
    Time(DateTime<Utc>),
    /// A plain decimal, cast to numeric in SQL.
    Decimal(String),
    Int(i64),
}

/// How a sort key compares (and so how its cursor value is bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKind {
    Text,
    Numeric,
    Time,
}

#[derive(Debug, Clone)]
pub struct CompiledSort {
    /// An expression over `r` that is never NULL.
    pub expr: String,
    pub kind: SortKind,
    pub descending: bool,
}

/// A checked document, ready to run.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// A boolean expression over `entity_read_model r`.
    pub filter: String,
    pub sort: Vec<CompiledSort>,
    pub binds: Vec<Bind>,
    pub page_size: u32,
}

impl Compiled {
    /// Adds a parameter; returns its placeholder.
    pub(crate) fn bind(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.binds.len())
    }
}

fn invalid(path: &str, rule: Rule, message: impl Into<String>) -> CoreError {
    CoreError::invalid(Some(path), rule, message)
}

/// Checks `doc` and builds its SQL. `now` fixes "today" and the relative
/// ranges (days are UTC days).
pub fn compile(doc: &ViewDocument, catalog: &Catalog, now: DateTime<Utc>) -> CoreResult<Compiled> {
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
    let mut out = Compiled {
        filter: String::new(),
        sort: Vec::new(),
        binds: Vec::new(),
        page_size: doc.page_size,
    };
    let mut count = 0;
    out.filter = match &doc.filter {
        None => "true".into(),
        Some(f) => {
            let mut ctx = Ctx {
                catalog,
                alias: "r".into(),
                now,
                out: &mut out,
                count: &mut count,
            };
            ctx.filter(f, "filter", 0)?
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
    for (i, key) in doc.sort.iter().enumerate() {
        let sort = sort_key(catalog, key, &format!("sort[{i}]"), &mut out)?;
        out.sort.push(sort);
    }
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
    Ok(out)
}

/// A built-in field or `property:<key>`; `sorting` also refuses what
/// cannot be ordered.
fn check_field(catalog: &Catalog, field: &str, path: &str, sorting: bool) -> CoreResult<()> {
    match field {
        "name" | "pathLabel" | "updatedAt" => Ok(()),
        "type" if !sorting => Ok(()),
        _ => match field.strip_prefix("property:") {
            // A sensitive column is shown masked; filtering or sorting by
            // it is refused.
            Some(key) if !sorting && catalog.properties.get(key).is_some_and(|p| p.sensitive) => Ok(()),
            Some(key) => property(catalog, key, path).map(|_| ()),
            None => Err(invalid(
                path,
                Rule::Choice,
                format!("{field:?} is not a field: use name, pathLabel, updatedAt, type or property:<key>"),
            )),
        },
    }
}

fn sort_key(
    catalog: &Catalog,
    key: &SortKey,
    path: &str,
    out: &mut Compiled,
) -> CoreResult<CompiledSort> {
    check_field(catalog, &key.field, &format!("{path}.field"), true)?;
    let (expr, kind) = match key.field.as_str() {
        "name" => ("r.name".to_string(), SortKind::Text),
        "pathLabel" => ("r.path_label".to_string(), SortKind::Text),
        "updatedAt" => ("r.updated_at".to_string(), SortKind::Time),
        field => {
            let prop = field.strip_prefix("property:").expect("checked above");
            let info = property(catalog, prop, &format!("{path}.field"))?;
            let k = out.bind(Bind::Text(prop.to_string()));
            let numeric = info.value_type == ValueType::Number;
            (
                property_sort_expr("r", &k, numeric),
                if numeric {
                    SortKind::Numeric
                } else {
                    SortKind::Text
                },
            )
        }
    };
    Ok(CompiledSort {
        expr,
        kind,
        descending: key.descending,
    })
}

/// What a property sorts by (never NULL), over the read model row `a`,
/// its key given as `key` (a placeholder, or a literal in an index).
pub(crate) fn property_sort_expr(a: &str, key: &str, numeric: bool) -> String {
    if numeric {
        format!("COALESCE({}, '-Infinity'::numeric)", number_of(a, key))
    } else {
        format!("COALESCE({a}.properties ->> {key}, '')")
    }
}

/// A property of the read model, by key.
fn property<'c>(catalog: &'c Catalog, key: &str, path: &str) -> CoreResult<&'c PropertyInfo> {
    let info = catalog.properties.get(key).ok_or_else(|| {
        invalid(
            path,
            Rule::Reference,
            format!("there is no property with the key {:?}", truncate(key)),
        )
    })?;
    if info.sensitive {
        return Err(CoreError::Forbidden(format!(
            "{key:?} is a sensitive property: views cannot filter, sort or group by it"
        )));
    }
    if !info.in_read_model {
        return Err(invalid(
            path,
            Rule::State,
            format!("the property {key:?} is not searchable, so views cannot filter or sort by it"),
        ));
    }
    Ok(info)
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

/// The number a property holds, NULL when it holds none (or holds
/// something else, written under an earlier type).
pub(crate) fn number_of(a: &str, key: &str) -> String {
    format!("(CASE WHEN jsonb_typeof({a}.properties -> {key}) = 'number' THEN ({a}.properties ->> {key})::numeric END)")
}

/// The day (`YYYY-MM-DD`) a date property holds, NULL when none.
pub(crate) fn day_of(a: &str, key: &str) -> String {
    format!("(CASE WHEN jsonb_typeof({a}.properties -> {key}) = 'string' THEN left({a}.properties ->> {key}, 10) END)")
}

struct Ctx<'a> {
    catalog: &'a Catalog,
    /// The read model row being filtered (`r`; `r1`, `r2`, … inside
    /// relationship conditions).
    alias: String,
    now: DateTime<Utc>,
    out: &'a mut Compiled,
    count: &'a mut usize,
}

impl Ctx<'_> {
    fn bind(&mut self, bind: Bind) -> String {
        self.out.bind(bind)
    }

    fn filter(&mut self, filter: &Filter, path: &str, depth: usize) -> CoreResult<String> {
        let a = self.alias.clone();
        *self.count += 1;
        if *self.count > MAX_CONDITIONS {
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
            Filter::All(items) | Filter::Any(items) => {
                let (word, join, empty) = match filter {
                    Filter::All(_) => ("all", " AND ", "true"),
                    _ => ("any", " OR ", "false"),
                };
                if items.is_empty() {
                    return Ok(empty.into());
                }
                let parts = items
                    .iter()
                    .enumerate()
                    .map(|(i, f)| self.filter(f, &format!("{path}.{word}[{i}]"), depth + 1))
                    .collect::<CoreResult<Vec<_>>>()?;
                format!("({})", parts.join(join))
            }
            Filter::Not(inner) => {
                format!(
                    "NOT COALESCE({}, false)",
                    self.filter(inner, &format!("{path}.not"), depth + 1)?
                )
            }
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
                            invalid(
                                &format!("{path}[{i}]"),
                                Rule::Reference,
                                format!("there is no entity type with the key {:?}", truncate(k)),
                            )
                        })
                    })
                    .collect::<CoreResult<Vec<_>>>()?;
                // One type compares with `=`, so an index led by the type
                // can return rows in a sort order (`= ANY` cannot).
                let single = ids.len() == 1;
                let ids = self.bind(Bind::Uuids(ids));
                if single {
                    format!("{a}.entity_type_id = ({ids}::uuid[])[1]")
                } else {
                    format!("{a}.entity_type_id = ANY({ids}::uuid[])")
                }
            }
            Filter::Tag(c) => {
                if c.tags.is_empty() {
                    return Err(invalid(
                        &format!("{path}.tag.tags"),
                        Rule::Required,
                        "name at least one tag",
                    ));
                }
                let ids = self.bind(Bind::Uuids(c.tags.clone()));
                match c.mode {
                    TagMatch::Any => format!("{a}.tag_ids && {ids}::uuid[]"),
                    TagMatch::All => format!("{a}.tag_ids @> {ids}::uuid[]"),
                    TagMatch::None => format!("NOT ({a}.tag_ids && {ids}::uuid[])"),
                }
            }
            Filter::Under(id) => {
                let id = self.bind(Bind::Uuids(vec![*id]));
                format!("({a}.entity_id = ({id}::uuid[])[1] OR {a}.ancestor_ids @> {id}::uuid[])")
            }
            Filter::Text(text) => {
                let p = self.text(
                    &serde_json::Value::String(text.clone()),
                    &format!("{path}.text"),
                )?;
                if p.is_empty() {
                    return Err(invalid(
                        &format!("{path}.text"),
                        Rule::Required,
                        "type some text to look for",
                    ));
                }
                format!(
                    "{a}.name ILIKE {} ESCAPE '\\'",
                    self.bind(Bind::Text(format!("%{}%", escape_like(&p))))
                )
            }
            Filter::Updated(c) => {
                self.moment_condition(c, &format!("{a}.updated_at"), &format!("{path}.updated"))?
            }
            Filter::Created(c) => {
                // The read model keeps no creation time: the entity's row has it.
                let at = self.moment_condition(c, "e.created_at", &format!("{path}.created"))?;
                format!("EXISTS (SELECT 1 FROM entities e WHERE e.id = {a}.entity_id AND {at})")
            }
            Filter::Related(c) => self.related(c, &format!("{path}.related"), depth)?,
        })
    }

    /// A relationship of a type, one way or the other, to an entity (of the
    /// read model, so one the person sees) that matches the sub-filter.
    fn related(&mut self, c: &RelatedCondition, path: &str, depth: usize) -> CoreResult<String> {
        let a = self.alias.clone();
        let kind = c.relationship_type.trim();
        if kind.is_empty() || kind.chars().count() > 200 || kind.contains('\0') {
            return Err(invalid(
                &format!("{path}.type"),
                Rule::Required,
                "name a relationship type (at most 200 characters)",
            ));
        }
        let kind = self.bind(Bind::Text(kind.to_string()));
        let other = format!("r{}", depth + 1);
        let sub = match &c.filter {
            None => "true".to_string(),
            Some(f) => {
                let outer = std::mem::replace(&mut self.alias, other.clone());
                let sub = self.filter(f, &format!("{path}.filter"), depth + 1);
                self.alias = outer;
                sub?
            }
        };
        let x = format!("x{}", depth + 1);
        let one_way = |this: &str, that: &str| {
            format!(
                "EXISTS (SELECT 1 FROM entity_relationships {x} JOIN entity_read_model {other} ON {other}.entity_id = {x}.{that}_entity_id
                  WHERE {x}.{this}_entity_id = {a}.entity_id AND {x}.relationship_type = {kind}
                    AND {x}.deleted_at IS NULL AND {sub})"
            )
        };
        Ok(match c.direction {
            RelatedDirection::Outgoing => one_way("source", "target"),
            RelatedDirection::Incoming => one_way("target", "source"),
            RelatedDirection::Either => format!(
                "({} OR {})",
                one_way("source", "target"),
                one_way("target", "source")
            ),
        })
    }

    /// A time condition on `column` (a timestamptz expression).
    fn moment_condition(
        &mut self,
        c: &TimeCondition,
        column: &str,
        path: &str,
    ) -> CoreResult<String> {
        let value_path = format!("{path}.value");
        Ok(match c.op {
            Op::Before | Op::After => {
                let at = self.moment(c.value.as_ref(), &value_path)?;
                let t = self.bind(Bind::Time(at));
                let cmp = if c.op == Op::Before { "<" } else { ">=" };
                format!("{column} {cmp} {t}")
            }
            Op::InLastDays => {
                let days = self.days(c.value.as_ref(), &value_path)?;
                let t = self.bind(Bind::Time(self.now - Duration::days(days)));
                format!("{column} >= {t}")
            }
            op => return Err(op_error(path, op, "a time")),
        })
    }

    fn property(&mut self, c: &PropertyCondition, path: &str) -> CoreResult<String> {
        let a = self.alias.clone();
        let info = property(self.catalog, &c.key, &format!("{path}.key"))?.clone();
        let t = info.value_type;
        if !allowed(t, c.op) {
            return Err(op_error(
                &format!("{path}.op"),
                c.op,
                &format!("a {} property", t.as_str()),
            ));
        }
        let value_path = format!("{path}.value");
        let key = self.bind(Bind::Text(c.key.clone()));
        let raw = format!("({a}.properties ->> {key})");
        let empty = format!(
            "(NOT COALESCE({a}.properties ? {key}, false) OR {a}.properties -> {key} IN ('\"\"'::jsonb, '[]'::jsonb, 'null'::jsonb))"
        );
        let value = c.value.as_ref();
        Ok(match (t, c.op) {
            (_, Op::IsEmpty) => empty,
            (_, Op::IsNotEmpty) => format!("NOT {empty}"),
            (ValueType::Number, op) => {
                let n = number_of(&a, &key);
                match op {
                    Op::Between => {
                        let (lo, hi) = self.pair(value, &value_path, |s, v, p| s.decimal(v, p))?;
                        let (lo, hi) = (self.bind(Bind::Decimal(lo)), self.bind(Bind::Decimal(hi)));
                        format!("{n} BETWEEN {lo}::numeric AND {hi}::numeric")
                    }
                    _ => {
                        let v = self.decimal(value, &value_path)?;
                        let v = self.bind(Bind::Decimal(v));
                        let cmp = match op {
                            Op::Equals => "=",
                            Op::NotEquals => "IS DISTINCT FROM",
                            Op::Lt => "<",
                            Op::Lte => "<=",
                            Op::Gt => ">",
                            _ => ">=",
                        };
                        format!("{n} {cmp} {v}::numeric")
                    }
                }
            }
            (ValueType::Boolean, _) => {
                let b = value
                    .and_then(serde_json::Value::as_bool)
                    .ok_or_else(|| invalid(&value_path, Rule::Type, "true or false"))?;
                format!(
                    "{a}.properties @> jsonb_build_object({key}::text, {}::boolean)",
                    self.bind(Bind::Bool(b))
                )
            }
            (ValueType::Date, op) => self.date(op, &key, value, &value_path)?,
            (ValueType::SingleSelect, op) => {
                let keys = self.options(&info, value, &value_path)?;
                if op == Op::In {
                    self.one_of(&key, keys)
                } else {
                    let keys = self.bind(Bind::Texts(keys));
                    format!("NOT COALESCE({raw} = ANY({keys}::text[]), false)")
                }
            }
            (ValueType::MultiSelect, op) => {
                let keys = self.options(&info, value, &value_path)?;
                let keys = self.bind(Bind::Texts(keys));
                let array = format!("(CASE WHEN jsonb_typeof({a}.properties -> {key}) = 'array' THEN {a}.properties -> {key} END)");
                match op {
                    Op::HasAny => format!("COALESCE({array} ?| {keys}::text[], false)"),
                    Op::HasAll => format!("COALESCE({array} ?& {keys}::text[], false)"),
                    _ => format!("NOT COALESCE({array} ?| {keys}::text[], false)"),
                }
            }
            // Text, URL, IP address: compared as text.
            (_, op) => match op {
                Op::Equals => {
                    let v = self.text(value.unwrap_or(&serde_json::Value::Null), &value_path)?;
                    format!(
                        "{a}.properties @> jsonb_build_object({key}::text, {}::text)",
                        self.bind(Bind::Text(v))
                    )
                }
                Op::NotEquals => {
                    let v = self.text(value.unwrap_or(&serde_json::Value::Null), &value_path)?;
                    format!("{raw} IS DISTINCT FROM {}", self.bind(Bind::Text(v)))
                }
                Op::InSubnet => {
                    let text = self.text(value.unwrap_or(&serde_json::Value::Null), &value_path)?;
                    let net: ipnet::IpNet = text.trim().parse().map_err(|_| {
                        invalid(
                            &value_path,
                            Rule::Format,
                            "a subnet such as 10.0.0.0/8 or 2001:db8::/32",
                        )
                    })?;
                    // The address a value holds (NULL when it holds none).
                    format!(
                        "public.eco_try_inet({raw}) <<= {}::cidr",
                        self.bind(Bind::Text(net.trunc().to_string()))
                    )
                }
                Op::HostIs => {
                    let host = self.text(value.unwrap_or(&serde_json::Value::Null), &value_path)?;
                    if host.is_empty() || host.contains(['/', ':', '?', '#', '@', ' ']) {
                        return Err(invalid(
                            &value_path,
                            Rule::Format,
                            "a host name such as example.org",
                        ));
                    }
                    // The host of an absolute URL: after the scheme and any
                    // user info, before a port, path, query or fragment.
                    format!(
                        "lower(substring({raw} from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]+)')) = {}",
                        self.bind(Bind::Text(host.to_lowercase()))
                    )
                }
                Op::Contains | Op::StartsWith => {
                    let v = self.text(value.unwrap_or(&serde_json::Value::Null), &value_path)?;
                    let pattern = if op == Op::Contains {
                        format!("%{}%", escape_like(&v))
                    } else {
                        format!("{}%", escape_like(&v))
                    };
                    format!("{raw} ILIKE {} ESCAPE '\\'", self.bind(Bind::Text(pattern)))
                }
                _ => {
                    let list = self.texts(value, &value_path)?;
                    self.one_of(&key, list)
                }
            },
        })
    }

    /// The property (bound as `key`) holds one of these texts: a
    /// containment per value, which the read model's GIN index answers.
    fn one_of(&mut self, key: &str, values: Vec<String>) -> String {
        let a = self.alias.clone();
        let parts: Vec<String> = values
            .into_iter()
            .map(|v| {
                format!(
                    "{a}.properties @> jsonb_build_object({key}::text, {}::text)",
                    self.bind(Bind::Text(v))
                )
            })
            .collect();
        format!("({})", parts.join(" OR "))
    }

    fn date(
        &mut self,
        op: Op,
        key: &str,
        value: Option<&serde_json::Value>,
        path: &str,
    ) -> CoreResult<String> {
        let a = self.alias.clone();
        let d = day_of(&a, key);
        let today = self.now.date_naive();
        let (from, to) = match op {
            Op::Before | Op::After => {
                let day = self.day(value, path)?;
                let day = self.bind(Bind::Text(day.to_string()));
                return Ok(if op == Op::Before {
                    format!("{d} < {day}")
                } else {
                    format!("{d} > {day}")
                });
            }
            Op::Between => self.pair(value, path, |s, v, p| s.day(v, p))?,
            Op::Today => (today, today),
            Op::InLastDays => (today - Duration::days(self.days(value, path)?), today),
            Op::InNextDays => (today, today + Duration::days(self.days(value, path)?)),
            Op::ThisWeek => {
                let monday =
                    today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
                (monday, monday + Duration::days(6))
            }
            Op::ThisMonth => month_range(today.year(), today.month(), 1),
            Op::ThisQuarter => month_range(today.year(), (today.month() - 1) / 3 * 3 + 1, 3),
            _ => (
                NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("a first of January"),
                NaiveDate::from_ymd_opt(today.year(), 12, 31).expect("a last of December"),
            ),
        };
        let (from, to) = (
            self.bind(Bind::Text(from.to_string())),
            self.bind(Bind::Text(to.to_string())),
        );
        Ok(format!("{d} BETWEEN {from} AND {to}"))
    }

    /// Two values `[a, b]`, each read by `read`.
    fn pair<T>(
        &mut self,
        value: Option<&serde_json::Value>,
        path: &str,
        read: impl Fn(&mut Self, Option<&serde_json::Value>, &str) -> CoreResult<T>,
    ) -> CoreResult<(T, T)> {
        match value
            .and_then(serde_json::Value::as_array)
            .map(Vec::as_slice)
        {
            Some([a, b]) => Ok((
                read(self, Some(a), &format!("{path}[0]"))?,
                read(self, Some(b), &format!("{path}[1]"))?,
            )),
            _ => Err(invalid(path, Rule::Type, "two values: [from, to]")),
        }
    }

    fn decimal(&mut self, value: Option<&serde_json::Value>, path: &str) -> CoreResult<String> {
        let text = match value {
            Some(serde_json::Value::String(s)) => s.trim().to_string(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        if text.len() > 100 || !is_plain_decimal(&text) {
            return Err(invalid(path, Rule::Type, "a number such as 12 or -3.5"));
        }
        Ok(text)
    }

    fn day(&mut self, value: Option<&serde_json::Value>, path: &str) -> CoreResult<NaiveDate> {
        let text = value
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d")
            .map_err(|_| invalid(path, Rule::Format, "a day as YYYY-MM-DD"))
    }

    fn moment(
        &mut self,
        value: Option<&serde_json::Value>,
        path: &str,
    ) -> CoreResult<DateTime<Utc>> {
        let text = value
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(at.with_timezone(&Utc));
        }
        let day = self.day(value, path)?;
        Ok(day.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
    }

    fn days(&mut self, value: Option<&serde_json::Value>, path: &str) -> CoreResult<i64> {
        value
            .and_then(serde_json::Value::as_i64)
            .filter(|n| (0..=36_500).contains(n))
            .ok_or_else(|| invalid(path, Rule::Range, "a number of days from 0 to 36500"))
    }

    fn text(&mut self, value: &serde_json::Value, path: &str) -> CoreResult<String> {
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

    fn texts(&mut self, value: Option<&serde_json::Value>, path: &str) -> CoreResult<Vec<String>> {
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
            .map(|(i, v)| self.text(v, &format!("{path}[{i}]")))
            .collect()
    }

    /// Option keys of a select, each one of the property's.
    fn options(
        &mut self,
        info: &PropertyInfo,
        value: Option<&serde_json::Value>,
        path: &str,
    ) -> CoreResult<Vec<String>> {
        let keys = self.texts(value, path)?;
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
}

fn month_range(year: i32, month: u32, months: u32) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("a first of the month");
    let (ny, nm) = if month + months > 12 {
        (year + 1, month + months - 12)
    } else {
        (year, month + months)
    };
    let next = NaiveDate::from_ymd_opt(ny, nm, 1).expect("a first of the month");
    (first, next - Duration::days(1))
}

/// Whether `op` applies to a property of type `t`.
pub fn allowed(t: ValueType, op: Op) -> bool {
    use Op::*;
    if matches!(op, IsEmpty | IsNotEmpty) {
        return true;
    }
    match t {
        ValueType::Url => matches!(op, Equals | NotEquals | Contains | StartsWith | In | HostIs),
        ValueType::IpAddress => matches!(
            op,
            Equals | NotEquals | Contains | StartsWith | In | InSubnet
        ),
        ValueType::Text => matches!(op, Equals | NotEquals | Contains | StartsWith | In),
        ValueType::Number => matches!(op, Equals | NotEquals | Lt | Lte | Gt | Gte | Between),
        ValueType::Boolean => op == Equals,
        ValueType::Date => matches!(
            op,
            Before
                | After
                | Between
                | Today
                | InLastDays
                | InNextDays
                | ThisWeek
                | ThisMonth
                | ThisQuarter
                | ThisYear
        ),
        ValueType::SingleSelect => matches!(op, In | NotIn),
        ValueType::MultiSelect => matches!(op, HasAny | HasAll | HasNone),
        ValueType::Json | ValueType::SecretReference => false,
    }
}

fn op_error(path: &str, op: Op, what: &str) -> CoreError {
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

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn catalog() -> Catalog {
        let mut c = Catalog::default();
        c.properties.insert(
            "due".into(),
            PropertyInfo {
                value_type: ValueType::Date,
                sensitive: false,
                in_read_model: true,
                options: vec![],
            },
        );
        c
    }

    /// The day bounds a relative date condition binds, on Monday 2026-11-30.
    fn days(op: &str, value: Option<serde_json::Value>) -> Vec<String> {
        let doc: ViewDocument = serde_json::from_value(serde_json::json!({
            "version": 2,
            "filter": {"property": {"key": "due", "op": op, "value": value}}
        }))
        .unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 23, 59, 0).unwrap();
        compile(&doc, &catalog(), now)
            .unwrap()
            .binds
            .into_iter()
            .filter_map(|b| match b {
                Bind::Text(t) if t.len() == 10 && t.starts_with("20") => Some(t),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn relative_dates_are_the_days_they_name() {
        assert_eq!(days("today", None), ["2026-11-30", "2026-11-30"]);
        assert_eq!(days("thisWeek", None), ["2026-11-30", "2026-12-06"]);
        assert_eq!(days("thisMonth", None), ["2026-11-01", "2026-11-30"]);
        assert_eq!(days("thisQuarter", None), ["2026-10-01", "2026-12-31"]);
        assert_eq!(days("thisYear", None), ["2026-01-01", "2026-12-31"]);
        assert_eq!(
            days("inLastDays", Some(serde_json::json!(7))),
            ["2026-11-23", "2026-11-30"]
        );
        assert_eq!(
            days("inNextDays", Some(serde_json::json!(31))),
            ["2026-11-30", "2026-12-31"]
        );
        assert_eq!(
            days(
                "between",
                Some(serde_json::json!(["2026-01-01", "2026-02-01T10:00:00Z"]))
            ),
            ["2026-01-01", "2026-02-01"]
        );
    }

    #[test]
    fn the_sql_holds_no_value_of_the_document() {
        let doc: ViewDocument = serde_json::from_value(serde_json::json!({
            "version": 2,
            "filter": {"any": [
                {"text": "O'Brien; DROP"},
                {"property": {"key": "due", "op": "after", "value": "2026-01-02"}}
            ]},
            "sort": [{"field": "property:due", "descending": true}]
        }))
        .unwrap();
        let c = compile(&doc, &catalog(), Utc::now()).unwrap();
        let sql = format!(
            "{} {}",
            c.filter,
            c.sort
                .iter()
                .map(|s| s.expr.clone())
                .collect::<Vec<_>>()
                .join(" ")
        );
        for value in ["O'Brien", "DROP", "2026-01-02", "due"] {
            assert!(!sql.contains(value), "{value:?} reached the SQL: {sql}");
        }
        assert!(c.binds.contains(&Bind::Text("%O'Brien; DROP%".into())));
    }
}
