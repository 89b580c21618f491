//! Soft deletion of catalog rows: a row is deleted by stamping
//! `deleted_at` and restored by clearing it; both move `updated_at` on.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::CoreResult;

/// The catalog tables whose rows are deleted and restored by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Catalog {
    EntityTypes,
    PropertyGroups,
    PropertyDefinitions,
    TagGroups,
    SavedViews,
    Dashboards,
}

impl Catalog {
    /// (delete, restore) statements, `$1` the row's id.
    fn statements(self) -> (&'static str, &'static str) {
        macro_rules! both {
            ($table:literal) => {
                (
                    concat!(
                        "UPDATE ",
                        $table,
                        " SET deleted_at = clock_timestamp(), updated_at = clock_timestamp() WHERE id = $1"
                    ),
                    concat!(
                        "UPDATE ",
                        $table,
                        " SET deleted_at = NULL, updated_at = clock_timestamp() WHERE id = $1"
                    ),
                )
            };
        }
        match self {
            Catalog::EntityTypes => both!("entity_type_definitions"),
            Catalog::PropertyGroups => both!("property_groups"),
            Catalog::PropertyDefinitions => both!("property_definitions"),
            Catalog::TagGroups => both!("tag_groups"),
            Catalog::SavedViews => both!("admin_saved_views"),
            Catalog::Dashboards => both!("dashboards"),
        }
    }
}

/// Marks the row `id` of `catalog` deleted (`true`) or live again.
pub(crate) async fn set_deleted(
    conn: &mut PgConnection,
    catalog: Catalog,
    id: Uuid,
    deleted: bool,
) -> CoreResult<()> {
    let (delete, restore) = catalog.statements();
    sqlx::query(if deleted { delete } else { restore })
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
