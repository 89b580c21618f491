//! Properties: the typed values of entities (seed 000: ordinary editable
//! data is a property, not a column). Every entity's display name is the
//! system property `name`, created by the second migration; its id is
//! written here once and every statement that reads names is built from it
//! (a test checks the migrations agree).

use uuid::Uuid;

/// The id of the system property `name`, as SQL text. A macro so that SQL
/// constants can be assembled with `concat!` at compile time: the planner
/// sees a constant and can use the partial trigram index on names.
macro_rules! name_property_id {
    () => {
        "01900000-0000-7000-8000-000000000002"
    };
}
pub(crate) use name_property_id;

/// The id of the system property `name`.
pub const NAME_PROPERTY_ID: Uuid = match Uuid::try_parse(name_property_id!()) {
    Ok(id) => id,
    Err(_) => panic!("the name property id is not a uuid"),
};

/// The key of the system property `name`.
pub const NAME_PROPERTY_KEY: &str = "name";

/// The live `name` value `v` of the entity `e`, for a `FROM entities e`
/// (read it as `COALESCE(v.value #>> '{}', '')`). A macro, for `concat!`.
macro_rules! name_join {
    () => {
        concat!(
            "LEFT JOIN entity_property_values v
                    ON v.entity_id = e.id AND v.deleted_at IS NULL
                   AND v.property_definition_id = '",
            $crate::properties::name_property_id!(),
            "'"
        )
    };
}
pub(crate) use name_join;

/// The condition selecting live `name` values `v`, for statements that
/// start from the values. A macro, for `concat!`.
macro_rules! is_live_name {
    () => {
        concat!(
            "v.property_definition_id = '",
            $crate::properties::name_property_id!(),
            "' AND v.deleted_at IS NULL"
        )
    };
}
pub(crate) use is_live_name;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_fragments_carry_the_id() {
        let id = NAME_PROPERTY_ID.to_string();
        assert!(name_join!().contains(&id));
        assert!(is_live_name!().contains(&id));
    }
}
