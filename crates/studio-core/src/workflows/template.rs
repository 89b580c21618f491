//! The template syntax of node settings: text with `{{ path }}` holes,
//! where a path names a value of the run's context (`entity.name`,
//! `trigger.event`, `nodes.check.status`, `execution.id`) and may end in
//! one filter: `| json` (the value as JSON) or `| url` (percent-encoded).
//! Nothing else: no expressions, no calls, no code.

use serde_json::Value;

/// What is wrong with a template, or the path it names that holds nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

/// The paths a template refers to, or what is wrong with its syntax.
pub fn references(text: &str) -> Result<Vec<String>, TemplateError> {
    Ok(holes(text)?.into_iter().map(|h| h.path).collect())
}

struct Hole {
    start: usize,
    end: usize,
    path: String,
    filter: Option<String>,
}

fn holes(text: &str) -> Result<Vec<Hole>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = 0;
    while let Some(open) = text[rest..].find("{{") {
        let start = rest + open;
        let Some(close) = text[start + 2..].find("}}") else {
            return Err(TemplateError(format!(
                "a {{{{ at character {start} is never closed"
            )));
        };
        let end = start + 2 + close + 2;
        let inner = text[start + 2..end - 2].trim();
        let (path, filter) = match inner.split_once('|') {
            Some((p, f)) => (p.trim(), Some(f.trim().to_string())),
            None => (inner, None),
        };
        let valid = !path.is_empty()
            && path.split('.').all(|seg| {
                !seg.is_empty()
                    && seg
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            });
        if !valid {
            return Err(TemplateError(format!(
                "{{{{ {inner} }}}} is not a path like entity.name or nodes.check.status"
            )));
        }
        if let Some(f) = &filter {
            if f != "json" && f != "url" {
                return Err(TemplateError(format!(
                    "{f:?} is not a filter (json or url)"
                )));
            }
        }
        out.push(Hole {
            start,
            end,
            path: path.to_string(),
            filter,
        });
        rest = end;
    }
    Ok(out)
}

/// The value at `path` in `context`.
pub fn lookup<'a>(context: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(context, |v, seg| match v {
        Value::Object(m) => m.get(seg),
        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Fills the holes of `text` from `context`; a path that names nothing is
/// an error naming it.
pub fn render(text: &str, context: &Value) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for h in holes(text)? {
        out.push_str(&text[at..h.start]);
        let value = lookup(context, &h.path).ok_or_else(|| {
            TemplateError(format!("{{{{ {} }}}} names nothing in this run", h.path))
        })?;
        match h.filter.as_deref() {
            Some("json") => out.push_str(&value.to_string()),
            Some("url") => out.push_str(&url_encode(&as_text(value))),
            _ => out.push_str(&as_text(value)),
        }
        at = h.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fills_paths_and_filters() {
        let ctx = json!({"entity": {"name": "Pump 7", "n": 3}, "nodes": {"a": {"ids": [1, 2]}}});
        assert_eq!(
            render("{{ entity.name }} has {{entity.n}}", &ctx).unwrap(),
            "Pump 7 has 3"
        );
        assert_eq!(render("{{ nodes.a.ids | json }}", &ctx).unwrap(), "[1,2]");
        assert_eq!(
            render("q={{ entity.name | url }}", &ctx).unwrap(),
            "q=Pump%207"
        );
        assert_eq!(render("{{ nodes.a.ids.1 }}", &ctx).unwrap(), "2");
    }

    #[test]
    fn refuses_what_is_not_a_path() {
        assert!(render("{{ entity.name", &json!({})).is_err());
        assert!(references("{{ 1 + 2 }}").is_err());
        assert!(references("{{ entity.name | upper }}").is_err());
        assert!(render("{{ entity.missing }}", &json!({"entity": {}}))
            .unwrap_err()
            .0
            .contains("entity.missing"));
    }
}
