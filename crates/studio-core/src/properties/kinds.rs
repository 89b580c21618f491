//! The value types of seed 000, their rules (`property_definitions.validation`)
//! and how a value is checked against them and stored.
//!
//! How values are stored (`entity_property_values.value`, jsonb) and cross
//! the wire (`PropertyValue`):
//! - numbers are decimal strings on the wire (`"-12.500"`) and jsonb
//!   numerics in the database, which keep every digit and the scale, so a
//!   number reads back exactly as it was written; exponents, NaN and the
//!   infinities are refused (JSON has no such numbers);
//! - dates are strings in the form given (`2026-03-01` or RFC 3339 with an
//!   offset), checked but never reformatted;
//! - JSON is text on the wire and jsonb in the database: stored as given
//!   (keys and values; jsonb normalises whitespace and key order);
//! - IP addresses, URLs, select keys and secret references are strings,
//!   multi-select an array of keys.

use std::net::IpAddr;
use std::str::FromStr;

use uuid::Uuid;

use crate::error::{CoreError, CoreResult, Rule};
pub use crate::records::{PropertyValue, Rules, SelectOption, ValueType};

impl ValueType {
    pub const ALL: [ValueType; 10] = [
        ValueType::Text,
        ValueType::Number,
        ValueType::Boolean,
        ValueType::Date,
        ValueType::Json,
        ValueType::IpAddress,
        ValueType::Url,
        ValueType::SecretReference,
        ValueType::SingleSelect,
        ValueType::MultiSelect,
    ];

    /// The name stored in `property_definitions.value_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Text => "text",
            ValueType::Number => "number",
            ValueType::Boolean => "boolean",
            ValueType::Date => "date",
            ValueType::Json => "json",
            ValueType::IpAddress => "ip_address",
            ValueType::Url => "url",
            ValueType::SecretReference => "secret_reference",
            ValueType::SingleSelect => "single_select",
            ValueType::MultiSelect => "multi_select",
        }
    }
}

impl FromStr for ValueType {
    type Err = CoreError;
    fn from_str(s: &str) -> CoreResult<Self> {
        ValueType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                CoreError::invalid(
                    Some("valueType"),
                    Rule::Choice,
                    format!("{s:?} is not a value type"),
                )
            })
    }
}

impl PropertyValue {
    pub fn value_type(&self) -> ValueType {
        match self {
            PropertyValue::Text(_) => ValueType::Text,
            PropertyValue::Number(_) => ValueType::Number,
            PropertyValue::Boolean(_) => ValueType::Boolean,
            PropertyValue::Date(_) => ValueType::Date,
            PropertyValue::Json(_) => ValueType::Json,
            PropertyValue::IpAddress(_) => ValueType::IpAddress,
            PropertyValue::Url(_) => ValueType::Url,
            PropertyValue::SecretReference(_) => ValueType::SecretReference,
            PropertyValue::SingleSelect(_) => ValueType::SingleSelect,
            PropertyValue::MultiSelect(_) => ValueType::MultiSelect,
        }
    }

    /// The value as jsonb text, to bind as `$n::jsonb` (numbers and JSON
    /// are passed through as text so PostgreSQL keeps every digit).
    pub fn to_json_text(&self) -> String {
        let string = |s: &str| serde_json::Value::String(s.to_string()).to_string();
        match self {
            PropertyValue::Number(n) => n.clone(),
            PropertyValue::Json(j) => j.clone(),
            PropertyValue::Boolean(b) => b.to_string(),
            PropertyValue::Text(s)
            | PropertyValue::Date(s)
            | PropertyValue::IpAddress(s)
            | PropertyValue::Url(s)
            | PropertyValue::SingleSelect(s) => string(s),
            PropertyValue::SecretReference(id) => string(&id.to_string()),
            PropertyValue::MultiSelect(keys) => serde_json::Value::Array(
                keys.iter()
                    .map(|k| serde_json::Value::String(k.clone()))
                    .collect(),
            )
            .to_string(),
        }
    }

    /// Reads a stored value (jsonb as text, as PostgreSQL prints it) as a
    /// value of `value_type`; None when the stored JSON is of another kind
    /// (a value written under an earlier type).
    pub fn from_json_text(value_type: ValueType, text: &str) -> Option<PropertyValue> {
        if value_type == ValueType::Json {
            return Some(PropertyValue::Json(text.to_string()));
        }
        if value_type == ValueType::Number {
            let t = text.trim();
            return is_plain_decimal(t).then(|| PropertyValue::Number(t.to_string()));
        }
        let json: serde_json::Value = serde_json::from_str(text).ok()?;
        let string = || json.as_str().map(str::to_string);
        Some(match value_type {
            ValueType::Text => PropertyValue::Text(string()?),
            ValueType::Boolean => PropertyValue::Boolean(json.as_bool()?),
            ValueType::Date => PropertyValue::Date(string()?),
            ValueType::IpAddress => PropertyValue::IpAddress(string()?),
            ValueType::Url => PropertyValue::Url(string()?),
            ValueType::SecretReference => {
                PropertyValue::SecretReference(Uuid::try_parse(json.as_str()?).ok()?)
            }
            ValueType::SingleSelect => PropertyValue::SingleSelect(string()?),
            ValueType::MultiSelect => PropertyValue::MultiSelect(
                json.as_array()?
                    .iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()?,
            ),
            ValueType::Json | ValueType::Number => unreachable!("handled above"),
        })
    }
}

/// A plain decimal: an optional minus, digits without leading zeros, an
/// optional fraction; no exponent.
pub(crate) fn is_plain_decimal(s: &str) -> bool {
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

const DEFAULT_MAX_TEXT: u32 = 10_000;
const DEFAULT_MAX_JSON_BYTES: u32 = 65_536;
const DEFAULT_MAX_JSON_DEPTH: u32 = 32;
/// The most digits a number may have.
const MAX_NUMBER_CHARS: usize = 100;

fn rule_error(rule: Rule, message: impl Into<String>) -> CoreError {
    CoreError::invalid(Some("validation"), rule, message)
}

impl Rules {
    /// Reads a stored rules document (`{}` when empty).
    pub fn from_json(value: &serde_json::Value) -> CoreResult<Rules> {
        serde_json::from_value(value.clone())
            .map_err(|e| rule_error(Rule::Format, format!("the rules are not understood: {e}")))
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("rules serialise")
    }

    /// Checks the rules themselves for a definition of `value_type`: only
    /// rules of that type, bounds in order, a pattern that compiles, select
    /// options with unique non-empty keys and valid colours.
    pub fn check(&self, value_type: ValueType) -> CoreResult<()> {
        use ValueType as T;
        let allowed: &[&str] = match value_type {
            T::Text => &["maxLength", "minLength", "pattern"],
            T::Number => &["min", "max", "integer"],
            T::Boolean | T::SecretReference => &[],
            T::Date => &["min", "max", "withTime"],
            T::Json => &["maxBytes", "maxDepth"],
            T::IpAddress => &["ipv4", "ipv6", "cidr"],
            T::Url => &["schemes"],
            T::SingleSelect => &["options"],
            T::MultiSelect => &["options", "maxItems"],
        };
        if let serde_json::Value::Object(fields) = self.to_json() {
            if let Some(extra) = fields.keys().find(|k| !allowed.contains(&k.as_str())) {
                return Err(rule_error(
                    Rule::Format,
                    format!("a {} property has no rule {extra:?}", value_type.as_str()),
                ));
            }
        }
        match value_type {
            T::Text => {
                if let (Some(min), Some(max)) = (self.min_length, self.max_length) {
                    if min > max {
                        return Err(rule_error(Rule::Range, "minLength is above maxLength"));
                    }
                }
                if let Some(p) = &self.pattern {
                    compile_pattern(p)?;
                }
            }
            T::Number => {
                for bound in [&self.min, &self.max].into_iter().flatten() {
                    if !is_plain_decimal(bound) {
                        return Err(rule_error(
                            Rule::Format,
                            format!("the bound {bound:?} is not a decimal number"),
                        ));
                    }
                }
                if let (Some(min), Some(max)) = (&self.min, &self.max) {
                    if compare_decimals(min, max) == std::cmp::Ordering::Greater {
                        return Err(rule_error(Rule::Range, "min is above max"));
                    }
                }
            }
            T::Date => {
                let parse = |b: &String| {
                    chrono::NaiveDate::parse_from_str(b, "%Y-%m-%d").map_err(|_| {
                        rule_error(
                            Rule::Format,
                            format!("the bound {b:?} is not a YYYY-MM-DD date"),
                        )
                    })
                };
                let min = self.min.as_ref().map(parse).transpose()?;
                let max = self.max.as_ref().map(parse).transpose()?;
                if let (Some(min), Some(max)) = (min, max) {
                    if min > max {
                        return Err(rule_error(Rule::Range, "min is after max"));
                    }
                }
            }
            T::Json => {
                if self.max_bytes == Some(0) || self.max_depth == Some(0) {
                    return Err(rule_error(
                        Rule::Range,
                        "maxBytes and maxDepth must be above 0",
                    ));
                }
                if self.max_bytes.is_some_and(|b| b > 1 << 20) {
                    return Err(rule_error(Rule::Range, "maxBytes can be at most 1 MiB"));
                }
            }
            T::IpAddress => {
                if self.ipv4 == Some(false) && self.ipv6 == Some(false) {
                    return Err(rule_error(Rule::Range, "allow IPv4, IPv6 or both"));
                }
            }
            T::Url => {
                if let Some(schemes) = &self.schemes {
                    if schemes.is_empty() {
                        return Err(rule_error(Rule::Required, "allow at least one URL scheme"));
                    }
                    if let Some(bad) = schemes.iter().find(|s| {
                        s.is_empty()
                            || !s.chars().all(|c| {
                                c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c)
                            })
                    }) {
                        return Err(rule_error(
                            Rule::Format,
                            format!("{bad:?} is not a URL scheme"),
                        ));
                    }
                }
            }
            T::SingleSelect | T::MultiSelect => {
                let options = self.options.as_deref().unwrap_or_default();
                if options.is_empty() {
                    return Err(rule_error(
                        Rule::Required,
                        "a select needs at least one option",
                    ));
                }
                let mut keys = std::collections::HashSet::new();
                for o in options {
                    if o.key.trim().is_empty() || o.label.trim().is_empty() {
                        return Err(rule_error(
                            Rule::Required,
                            "every option needs a key and a label",
                        ));
                    }
                    if o.key.chars().count() > 100 || o.label.chars().count() > 200 {
                        return Err(rule_error(
                            Rule::TooLong,
                            "option keys and labels are short",
                        ));
                    }
                    if !keys.insert(o.key.as_str()) {
                        return Err(rule_error(
                            Rule::Unique,
                            format!("the option {:?} is listed twice", o.key),
                        ));
                    }
                    if let Some(c) = &o.color {
                        if !is_hex_colour(c) {
                            return Err(rule_error(
                                Rule::Format,
                                format!("{c:?} is not a #rrggbb colour"),
                            ));
                        }
                    }
                }
                if value_type == T::MultiSelect && self.max_items == Some(0) {
                    return Err(rule_error(Rule::Range, "maxItems must be above 0"));
                }
            }
            T::Boolean | T::SecretReference => {}
        }
        Ok(())
    }

    /// Checks a value against these rules. `key` names the property in the
    /// error. Reference checks that need the database (a secret reference's
    /// entity) are the caller's.
    pub fn validate(
        &self,
        key: &str,
        value_type: ValueType,
        value: &PropertyValue,
    ) -> CoreResult<()> {
        let bad = |rule: Rule, message: String| Err(CoreError::invalid(Some(key), rule, message));
        if value.value_type() != value_type {
            return bad(
                Rule::Type,
                format!(
                    "{key} holds {} values, not {}",
                    value_type.as_str(),
                    value.value_type().as_str()
                ),
            );
        }
        match value {
            PropertyValue::Text(s) => {
                let chars = s.chars().count() as u64;
                let max = self.max_length.unwrap_or(DEFAULT_MAX_TEXT);
                if chars > u64::from(max) {
                    return bad(
                        Rule::TooLong,
                        format!("{key} can have at most {max} characters ({chars} given)"),
                    );
                }
                if let Some(min) = self.min_length {
                    if chars < u64::from(min) {
                        return bad(
                            Rule::TooShort,
                            format!("{key} needs at least {min} characters"),
                        );
                    }
                }
                if s.contains('\0') {
                    return bad(
                        Rule::Format,
                        format!("{key} cannot contain a NUL character"),
                    );
                }
                if let Some(p) = &self.pattern {
                    if !compile_pattern(p)?.is_match(s) {
                        return bad(Rule::Pattern, format!("{key} must match {p}"));
                    }
                }
            }
            PropertyValue::Number(n) => {
                if n.len() > MAX_NUMBER_CHARS || !is_plain_decimal(n) {
                    return bad(
                        Rule::Format,
                        format!("{key} must be a decimal number like -12.5 (no exponent, at most {MAX_NUMBER_CHARS} characters)"),
                    );
                }
                if n.starts_with('-') && n.bytes().all(|b| matches!(b, b'-' | b'0' | b'.')) {
                    return bad(
                        Rule::Format,
                        format!("{key}: write zero without a minus sign"),
                    );
                }
                if self.integer == Some(true) && n.contains('.') {
                    return bad(Rule::Format, format!("{key} must be a whole number"));
                }
                if let Some(min) = &self.min {
                    if compare_decimals(n, min) == std::cmp::Ordering::Less {
                        return bad(Rule::Range, format!("{key} must be at least {min}"));
                    }
                }
                if let Some(max) = &self.max {
                    if compare_decimals(n, max) == std::cmp::Ordering::Greater {
                        return bad(Rule::Range, format!("{key} must be at most {max}"));
                    }
                }
            }
            PropertyValue::Boolean(_) => {}
            PropertyValue::Date(d) => {
                let day = if let Ok(day) = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                    if d.len() != 10 {
                        return bad(
                            Rule::Format,
                            format!("{key} must be a date like 2026-03-01"),
                        );
                    }
                    day
                } else if self.with_time == Some(true) {
                    match chrono::DateTime::parse_from_rfc3339(d) {
                        Ok(t) => t.date_naive(),
                        Err(_) => {
                            return bad(
                                Rule::Format,
                                format!("{key} must be a date (2026-03-01) or a time with an offset (2026-03-01T09:30:00+01:00)"),
                            )
                        }
                    }
                } else {
                    return bad(
                        Rule::Format,
                        format!("{key} must be a date like 2026-03-01"),
                    );
                };
                for (bound, below) in [(&self.min, true), (&self.max, false)] {
                    if let Some(b) = bound
                        .as_ref()
                        .and_then(|b| chrono::NaiveDate::parse_from_str(b, "%Y-%m-%d").ok())
                    {
                        if (below && day < b) || (!below && day > b) {
                            return bad(
                                Rule::Range,
                                format!(
                                    "{key} must be {} {b}",
                                    if below { "on or after" } else { "on or before" }
                                ),
                            );
                        }
                    }
                }
            }
            PropertyValue::Json(text) => {
                let max = self.max_bytes.unwrap_or(DEFAULT_MAX_JSON_BYTES);
                if text.len() as u64 > u64::from(max) {
                    return bad(
                        Rule::TooLong,
                        format!("{key} can hold at most {max} bytes of JSON"),
                    );
                }
                let parsed: serde_json::Value = match serde_json::from_str(text) {
                    Ok(v) => v,
                    Err(e) => return bad(Rule::Format, format!("{key} is not valid JSON: {e}")),
                };
                let depth_max = self.max_depth.unwrap_or(DEFAULT_MAX_JSON_DEPTH);
                if json_depth(&parsed) > depth_max {
                    return bad(
                        Rule::TooDeep,
                        format!("{key} can nest at most {depth_max} levels"),
                    );
                }
                if json_has_nul(&parsed) {
                    return bad(
                        Rule::Format,
                        format!("{key} cannot contain a NUL character"),
                    );
                }
            }
            PropertyValue::IpAddress(ip) => {
                let (v4, v6, cidr) = (
                    self.ipv4.unwrap_or(true),
                    self.ipv6.unwrap_or(true),
                    self.cidr.unwrap_or(false),
                );
                let parsed = if ip.contains('/') {
                    if !cidr {
                        return bad(
                            Rule::Format,
                            format!("{key} must be an address, not a network"),
                        );
                    }
                    match ipnet::IpNet::from_str(ip) {
                        Ok(net) => net.addr(),
                        Err(_) => {
                            return bad(
                                Rule::Format,
                                format!("{key} is not an IP network like 10.0.0.0/24"),
                            )
                        }
                    }
                } else {
                    match IpAddr::from_str(ip) {
                        Ok(addr) => addr,
                        Err(_) => return bad(Rule::Format, format!("{key} is not an IP address")),
                    }
                };
                if (parsed.is_ipv4() && !v4) || (parsed.is_ipv6() && !v6) {
                    return bad(
                        Rule::Format,
                        format!(
                            "{key} must be an {} address",
                            if v4 { "IPv4" } else { "IPv6" }
                        ),
                    );
                }
            }
            PropertyValue::Url(u) => {
                let parsed = match url::Url::parse(u) {
                    Ok(p) => p,
                    Err(_) => return bad(Rule::Format, format!("{key} is not a URL")),
                };
                let default = ["http".to_string(), "https".to_string()];
                let schemes = self.schemes.as_deref().unwrap_or(&default);
                if !schemes.iter().any(|s| s == parsed.scheme()) {
                    return bad(
                        Rule::Choice,
                        format!("{key} must be a {} URL", schemes.join(" or ")),
                    );
                }
                if u.len() > 4_096 {
                    return bad(
                        Rule::TooLong,
                        format!("{key} can have at most 4,096 characters"),
                    );
                }
            }
            PropertyValue::SecretReference(_) => {}
            PropertyValue::SingleSelect(k) => {
                if !self.has_option(k) {
                    return bad(Rule::Choice, format!("{k:?} is not an option of {key}"));
                }
            }
            PropertyValue::MultiSelect(keys) => {
                let mut seen = std::collections::HashSet::new();
                for k in keys {
                    if !self.has_option(k) {
                        return bad(Rule::Choice, format!("{k:?} is not an option of {key}"));
                    }
                    if !seen.insert(k) {
                        return bad(Rule::Unique, format!("{k:?} is chosen twice in {key}"));
                    }
                }
                if let Some(max) = self.max_items {
                    if keys.len() as u64 > u64::from(max) {
                        return bad(
                            Rule::TooLong,
                            format!("{key} can have at most {max} options chosen"),
                        );
                    }
                }
            }
        }
        Ok(())
    }

    fn has_option(&self, key: &str) -> bool {
        self.options
            .as_deref()
            .is_some_and(|o| o.iter().any(|o| o.key == key))
    }
}

fn compile_pattern(p: &str) -> CoreResult<regex::Regex> {
    if p.len() > 1_000 {
        return Err(rule_error(
            Rule::TooLong,
            "a pattern can have at most 1,000 characters",
        ));
    }
    regex::RegexBuilder::new(&format!("^(?:{p})$"))
        .size_limit(1 << 20)
        .build()
        .map_err(|e| rule_error(Rule::Pattern, format!("the pattern does not compile: {e}")))
}

fn is_hex_colour(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn json_depth(v: &serde_json::Value) -> u32 {
    match v {
        serde_json::Value::Array(a) => 1 + a.iter().map(json_depth).max().unwrap_or(0),
        serde_json::Value::Object(o) => 1 + o.values().map(json_depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn json_has_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(json_has_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || json_has_nul(v)),
        _ => false,
    }
}

/// Compares two plain decimals exactly (no floating point).
pub(crate) fn compare_decimals(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let split = |s: &str| -> (bool, String, String) {
        let (neg, digits) = match s.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, s),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let int = int.trim_start_matches('0').to_string();
        let frac = frac.trim_end_matches('0').to_string();
        let zero = int.is_empty() && frac.is_empty();
        (neg && !zero, int, frac)
    };
    let (an, ai, af) = split(a);
    let (bn, bi, bf) = split(b);
    let magnitude = |ai: &str, af: &str, bi: &str, bf: &str| {
        ai.len()
            .cmp(&bi.len())
            .then_with(|| ai.cmp(bi))
            .then_with(|| af.cmp(bf))
    };
    match (an, bn) {
        (false, true) => Ordering::Greater,
        (true, false) => Ordering::Less,
        (false, false) => magnitude(&ai, &af, &bi, &bf),
        (true, true) => magnitude(&bi, &bf, &ai, &af),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    fn rules(json: serde_json::Value) -> Rules {
        Rules::from_json(&json).unwrap()
    }

    #[test]
    fn decimals_compare_exactly() {
        assert_eq!(compare_decimals("10", "9.999"), Ordering::Greater);
        assert_eq!(compare_decimals("-10", "-9.999"), Ordering::Less);
        assert_eq!(compare_decimals("1.50", "1.5"), Ordering::Equal);
        assert_eq!(compare_decimals("0", "-0.0"), Ordering::Equal);
        assert_eq!(
            compare_decimals(
                "12345678901234567890.000000000000000001",
                "12345678901234567890"
            ),
            Ordering::Greater
        );
        assert!(is_plain_decimal("-12.500") && is_plain_decimal("0.1") && is_plain_decimal("0"));
        for bad in [
            "", "-", "1.", ".5", "01", "1e5", "NaN", "inf", "+1", "1,5", " 1",
        ] {
            assert!(!is_plain_decimal(bad), "{bad:?}");
        }
    }

    #[test]
    fn values_round_trip_through_their_stored_text() {
        let cases = [
            (
                ValueType::Number,
                PropertyValue::Number("-12345678901234567890.123456789000".into()),
            ),
            (
                ValueType::Text,
                PropertyValue::Text("Plant \"room\" ⚡\nline 2".into()),
            ),
            (ValueType::Boolean, PropertyValue::Boolean(false)),
            (
                ValueType::Date,
                PropertyValue::Date("2026-03-01T09:30:00+01:00".into()),
            ),
            (
                ValueType::Json,
                PropertyValue::Json("{\"a\": [1, 2.50]}".into()),
            ),
            (
                ValueType::MultiSelect,
                PropertyValue::MultiSelect(vec!["a".into(), "b".into()]),
            ),
            (
                ValueType::SecretReference,
                PropertyValue::SecretReference(Uuid::now_v7()),
            ),
        ];
        for (t, v) in cases {
            let text = v.to_json_text();
            assert!(
                serde_json::from_str::<serde_json::Value>(&text).is_ok(),
                "{text} is JSON"
            );
            assert_eq!(
                PropertyValue::from_json_text(t, &text),
                Some(v.clone()),
                "{t:?}"
            );
        }
        assert_eq!(
            PropertyValue::from_json_text(ValueType::Boolean, "\"yes\""),
            None
        );
        assert_eq!(
            PropertyValue::from_json_text(ValueType::Number, "\"12\""),
            None
        );
    }

    #[test]
    fn rules_are_checked_for_their_type() {
        assert!(rules(serde_json::json!({"maxLength": 5}))
            .check(ValueType::Text)
            .is_ok());
        assert!(rules(serde_json::json!({"maxLength": 5}))
            .check(ValueType::Number)
            .is_err());
        assert!(
            Rules::from_json(&serde_json::json!({"maxLenght": 5})).is_err(),
            "typos are refused"
        );
        assert!(rules(serde_json::json!({"min": "5", "max": "1"}))
            .check(ValueType::Number)
            .is_err());
        assert!(
            rules(serde_json::json!({"min": "2026-01-01", "max": "2025-01-01"}))
                .check(ValueType::Date)
                .is_err()
        );
        assert!(rules(serde_json::json!({"pattern": "("}))
            .check(ValueType::Text)
            .is_err());
        assert!(
            rules(serde_json::json!({}))
                .check(ValueType::SingleSelect)
                .is_err(),
            "a select needs options"
        );
        let dup = serde_json::json!({"options": [{"key": "a", "label": "A", "color": null}, {"key": "a", "label": "B", "color": null}]});
        assert!(rules(dup).check(ValueType::SingleSelect).is_err());
        let colour = serde_json::json!({"options": [{"key": "a", "label": "A", "color": "red"}]});
        assert!(rules(colour).check(ValueType::MultiSelect).is_err());
        assert!(rules(serde_json::json!({"schemes": []}))
            .check(ValueType::Url)
            .is_err());
        assert!(rules(serde_json::json!({"ipv4": false, "ipv6": false}))
            .check(ValueType::IpAddress)
            .is_err());
    }

    fn rule_of(r: &Rules, t: ValueType, v: PropertyValue) -> Option<Rule> {
        match r.validate("p", t, &v) {
            Ok(()) => None,
            Err(CoreError::Validation(e)) => {
                assert_eq!(
                    e.field.as_deref(),
                    Some("p"),
                    "the error names the property"
                );
                Some(e.rule)
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn values_are_checked_against_the_rules() {
        let n = rules(serde_json::json!({"min": "0", "max": "100.5", "integer": false}));
        assert_eq!(
            rule_of(&n, ValueType::Number, PropertyValue::Number("100.5".into())),
            None
        );
        assert_eq!(
            rule_of(
                &n,
                ValueType::Number,
                PropertyValue::Number("100.51".into())
            ),
            Some(Rule::Range)
        );
        assert_eq!(
            rule_of(&n, ValueType::Number, PropertyValue::Number("NaN".into())),
            Some(Rule::Format)
        );
        assert_eq!(
            rule_of(&n, ValueType::Number, PropertyValue::Number("-0".into())),
            Some(Rule::Format)
        );
        assert_eq!(
            rule_of(&n, ValueType::Number, PropertyValue::Text("1".into())),
            Some(Rule::Type)
        );
        let t = rules(serde_json::json!({"maxLength": 3, "pattern": "[A-Z]+"}));
        assert_eq!(
            rule_of(&t, ValueType::Text, PropertyValue::Text("AB".into())),
            None
        );
        assert_eq!(
            rule_of(&t, ValueType::Text, PropertyValue::Text("ab".into())),
            Some(Rule::Pattern)
        );
        assert_eq!(
            rule_of(&t, ValueType::Text, PropertyValue::Text("ABCD".into())),
            Some(Rule::TooLong)
        );
        let d = rules(serde_json::json!({"min": "2020-01-01"}));
        assert_eq!(
            rule_of(
                &d,
                ValueType::Date,
                PropertyValue::Date("2019-12-31".into())
            ),
            Some(Rule::Range)
        );
        assert_eq!(
            rule_of(
                &d,
                ValueType::Date,
                PropertyValue::Date("2020-02-30".into())
            ),
            Some(Rule::Format)
        );
        assert_eq!(
            rule_of(
                &d,
                ValueType::Date,
                PropertyValue::Date("2020-02-03T10:00:00Z".into())
            ),
            Some(Rule::Format)
        );
        let ip = rules(serde_json::json!({"ipv6": false, "cidr": true}));
        assert_eq!(
            rule_of(
                &ip,
                ValueType::IpAddress,
                PropertyValue::IpAddress("10.0.0.0/8".into())
            ),
            None
        );
        assert_eq!(
            rule_of(
                &ip,
                ValueType::IpAddress,
                PropertyValue::IpAddress("::1".into())
            ),
            Some(Rule::Format)
        );
        assert_eq!(
            rule_of(
                &ip,
                ValueType::IpAddress,
                PropertyValue::IpAddress("10.0.0.256".into())
            ),
            Some(Rule::Format)
        );
        let u = Rules::default();
        assert_eq!(
            rule_of(&u, ValueType::Url, PropertyValue::Url("ftp://x".into())),
            Some(Rule::Choice)
        );
        assert_eq!(
            rule_of(
                &u,
                ValueType::Url,
                PropertyValue::Url("https://fw.example/v1".into())
            ),
            None
        );
        let j = rules(serde_json::json!({"maxDepth": 2}));
        assert_eq!(
            rule_of(&j, ValueType::Json, PropertyValue::Json("[[1]]".into())),
            None
        );
        assert_eq!(
            rule_of(&j, ValueType::Json, PropertyValue::Json("[[[1]]]".into())),
            Some(Rule::TooDeep)
        );
        assert_eq!(
            rule_of(&j, ValueType::Json, PropertyValue::Json("{".into())),
            Some(Rule::Format)
        );
        let s = rules(
            serde_json::json!({"options": [{"key": "on", "label": "On", "color": "#00aa00"}], "maxItems": 1}),
        );
        assert_eq!(
            rule_of(
                &s,
                ValueType::SingleSelect,
                PropertyValue::SingleSelect("off".into())
            ),
            Some(Rule::Choice)
        );
        assert_eq!(
            rule_of(
                &s,
                ValueType::MultiSelect,
                PropertyValue::MultiSelect(vec!["on".into(), "on".into()])
            ),
            Some(Rule::Unique)
        );
    }
}
