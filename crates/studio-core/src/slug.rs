//! Labels: `path` holds one ltree label per entity derived from its id (so a
//! rename never touches it); `path_label` holds human-readable slugs.

use uuid::Uuid;

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
}
