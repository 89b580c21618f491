//! Labels: `path` holds one ltree label per entity derived from its id (so a
//! rename never touches it); `path_label` holds human-readable slugs, one per
//! level, unique among siblings. The rules here are the only copy: the
//! registry's operations and the bulk generator both use them.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::CoreResult;

/// The longest slug kept from a name (the full name stays in the `name`
/// property).
pub const MAX_SLUG_LEN: usize = 48;

/// The ltree label of an entity: its id as 32 lowercase hex digits.
pub fn id_label(id: Uuid) -> String {
    id.simple().to_string()
}

/// A slug for a name: lowercase ASCII letters, digits and single
/// underscores, never empty (falls back to `fallback`). Characters outside
/// ASCII (accents, emoji, right-to-left scripts) collapse to `_`; the name
/// itself is kept exactly in the `name` property.
pub fn slugify(name: &str, fallback: &str) -> String {
    let mut out = String::with_capacity(name.len().min(MAX_SLUG_LEN));
    let mut pending_sep = false;
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            if pending_sep && !out.is_empty() {
                out.push('_');
            }
            pending_sep = false;
            out.push(ch.to_ascii_lowercase());
            if out.len() >= MAX_SLUG_LEN {
                break;
            }
        } else {
            pending_sep = true;
        }
    }
    if out.is_empty() {
        let fb: String = fallback
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if fb.is_empty() {
            "item".to_string()
        } else {
            fb.to_ascii_lowercase()
        }
    } else {
        out
    }
}

/// The labels a new entity with slug `base` may take under a parent whose
/// label is `parent` (None: a root), in order of preference: the slug, then
/// `slug_2`, `slug_3`, then the slug with the last ten hex digits of the
/// entity's id, which no sibling can hold.
pub fn candidates(parent: Option<&str>, base: &str, id: Uuid) -> [String; 4] {
    let full = |s: &str| match parent {
        Some(p) => format!("{p}.{s}"),
        None => s.to_string(),
    };
    [
        full(base),
        full(&format!("{base}_2")),
        full(&format!("{base}_3")),
        full(&format!("{base}_{}", id_piece(id))),
    ]
}

/// The first of [`candidates`] that `taken` says is free (the last one is
/// always free).
pub fn first_free(
    parent: Option<&str>,
    base: &str,
    id: Uuid,
    mut taken: impl FnMut(&str) -> bool,
) -> String {
    let [a, b, c, own] = candidates(parent, base, id);
    [a, b, c].into_iter().find(|l| !taken(l)).unwrap_or(own)
}

/// The last ten hex digits of an id: the tie-breaker of duplicate slugs.
fn id_piece(id: Uuid) -> String {
    let hex = id_label(id);
    hex[hex.len() - 10..].to_string()
}

/// `pump_2`, `pump_3` or `pump_<own id piece>` (the forms [`candidates`]
/// gives a duplicate) keep their label when renamed to something that slugs
/// to `pump`; any other tail is part of the old name.
pub(crate) fn keeps_suffixed_slug(current: &str, base: &str, id: Uuid) -> bool {
    let piece = id_piece(id);
    current
        .strip_prefix(base)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|tail| tail == "2" || tail == "3" || tail == piece)
}

/// The last slug of a label.
pub(crate) fn last_segment(label: &str) -> &str {
    label.rsplit('.').next().unwrap_or(label)
}

/// The label of the parent (None for a root).
pub(crate) fn parent_label_of(label: &str) -> Option<&str> {
    label.rsplit_once('.').map(|(p, _)| p)
}

/// Picks a `path_label` under the parent that no entity (live or deleted)
/// holds (see [`candidates`]). `own` is the entity's current label, which it
/// may keep.
pub(crate) async fn free_path_label(
    conn: &mut PgConnection,
    parent_label: Option<&str>,
    base: &str,
    id: Uuid,
    own: Option<&str>,
) -> CoreResult<String> {
    let wanted = candidates(parent_label, base, id);
    let taken: Vec<String> =
        sqlx::query_scalar("SELECT path_label FROM entities WHERE path_label = ANY($1)")
            .bind(&wanted[..3])
            .fetch_all(&mut *conn)
            .await?;
    Ok(first_free(parent_label, base, id, |l| {
        taken.iter().any(|t| t == l) && own != Some(l)
    }))
}

/// Rewrites the `path_label` prefix `old` to `new` for the subtree at `path`.
pub(crate) async fn rewrite_labels(
    conn: &mut PgConnection,
    path: &str,
    old: &str,
    new: &str,
) -> CoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE entities SET path_label = $3 || substr(path_label, length($2) + 1)
         WHERE path <@ $1::ltree",
    )
    .bind(path)
    .bind(old)
    .bind(new)
    .execute(conn)
    .await?
    .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_and_collapse_separators() {
        assert_eq!(slugify("Plant Room  B-2", "room"), "plant_room_b_2");
        assert_eq!(slugify("  Ünïcode  ", "room"), "n_code");
        assert_eq!(
            slugify("🔥🔥", "device"),
            "device",
            "emoji-only names fall back to the type"
        );
        assert_eq!(
            slugify("مبنى", "building"),
            "building",
            "RTL names fall back to the type"
        );
        assert_eq!(slugify(&"a".repeat(500), "x").len(), MAX_SLUG_LEN);
    }

    #[test]
    fn id_label_is_a_valid_ltree_label() {
        let label = id_label(Uuid::now_v7());
        assert_eq!(label.len(), 32);
        assert!(label.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn duplicates_take_2_then_3_then_a_piece_of_the_id() {
        let id = Uuid::from_u128(0x0123456789abcdef0123456789abcdef);
        let [a, b, c, d] = candidates(Some("site"), "pump", id);
        assert_eq!(
            [a.as_str(), b.as_str(), c.as_str()],
            ["site.pump", "site.pump_2", "site.pump_3"]
        );
        assert_eq!(d, "site.pump_6789abcdef");
        let taken = ["site.pump", "site.pump_2"];
        assert_eq!(
            first_free(Some("site"), "pump", id, |l| taken.contains(&l)),
            "site.pump_3"
        );
        assert_eq!(first_free(None, "pump", id, |_| true), "pump_6789abcdef");
        assert!(keeps_suffixed_slug("pump_6789abcdef", "pump", id));
        assert!(keeps_suffixed_slug("pump_2", "pump", id));
        assert!(!keeps_suffixed_slug("pump_4", "pump", id));
    }
}
