//! The entity types of an energy estate: five levels (tenant, site,
//! building, floor, room) and fifteen device kinds. Data, not code
//! (`estate_types.json`): the demo registry uses a subset, the bulk
//! generator (`studio-bench`) all of them.

use std::sync::OnceLock;

use crate::registry::EntityTypeSpec;

const ESTATE_TYPES_JSON: &str = include_str!("estate_types.json");

/// The estate's entity types, in the file's order.
pub fn estate_types() -> &'static [EntityTypeSpec<'static>] {
    static TYPES: OnceLock<Vec<EntityTypeSpec<'static>>> = OnceLock::new();
    TYPES.get_or_init(|| {
        serde_json::from_str(ESTATE_TYPES_JSON)
            .expect("estate_types.json is checked by a unit test; it parses")
    })
}

/// The estate type with this key.
pub fn estate_type(key: &str) -> Option<&'static EntityTypeSpec<'static>> {
    estate_types().iter().find(|t| t.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estate_types_parse_with_unique_plain_keys_and_icons() {
        let types = estate_types();
        assert_eq!(types.len(), 20, "five levels and fifteen device kinds");
        let mut keys: Vec<_> = types.iter().map(|t| t.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), types.len(), "keys are unique");
        for t in types {
            assert!(
                crate::db::is_plain_identifier(t.key),
                "{} is a plain key",
                t.key
            );
            assert!(
                t.icon.is_some() && t.description.is_some(),
                "{} is described",
                t.key
            );
            assert!(!t.is_system, "{} is an ordinary type", t.key);
        }
        assert_eq!(estate_type("site").map(|t| t.name), Some("Site"));
    }
}
