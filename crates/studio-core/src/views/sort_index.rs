//! What the schema owner adds so big views stay fast:
//!
//! - **Sort indexes** let a view filtered by one entity type come back
//!   already sorted by a property: one per property a deployment sorts big
//!   views by, over (type, the compiler's own sort expression, id), so
//!   PostgreSQL walks the index in order and stops at a page instead of
//!   sorting every match (`eco-studio view sort-index`, built concurrently
//!   so the registry stays writable).
//! - **Filter statistics** tell the planner how a number or a date property
//!   is spread, on the very expression the compiler filters with (a range
//!   over a JSON value otherwise gets a fixed guess of a fraction of a
//!   percent, and the planner then prefers to sort every match over
//!   reading a sort index in order) (`eco-studio view statistics`).

use sqlx::PgPool;

use super::compile::{day_of, number_of, property_sort_expr};
use crate::error::{CoreError, CoreResult, Rule};
use crate::records::ValueType;

/// Every sort index's name starts with this.
const PREFIX: &str = "idx_read_model_sort_";

/// The property `key`'s type, once `key` is known to be one views can
/// filter and sort by and to hold nothing a SQL literal could escape from.
async fn checked_property(pool: &PgPool, key: &str) -> CoreResult<ValueType> {
    let valid = !key.is_empty()
        && key.len() <= 63 - PREFIX.len()
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(CoreError::invalid(
            Some("key"),
            Rule::Format,
            format!(
                "a property key of lower-case letters, digits and _ (at most {} characters)",
                63 - PREFIX.len()
            ),
        ));
    }
    let mut conn = pool.acquire().await?;
    let catalog = super::catalog(&mut conn).await?;
    let info = catalog.properties.get(key).ok_or_else(|| {
        CoreError::invalid(
            Some("key"),
            Rule::Reference,
            format!("there is no property with the key {key:?}"),
        )
    })?;
    if !info.in_read_model {
        return Err(CoreError::invalid(
            Some("key"),
            Rule::State,
            "views cannot filter or sort by this property (sensitive or not searchable)",
        ));
    }
    Ok(info.value_type)
}

/// The index's name and the statement that creates it, for property `key`
/// (checked against the definitions first).
pub async fn sort_index_sql(pool: &PgPool, key: &str) -> CoreResult<(String, String)> {
    let value_type = checked_property(pool, key).await?;
    // The key is checked to hold nothing a literal could escape from.
    let expr = property_sort_expr(
        "entity_read_model",
        &format!("'{key}'::text"),
        value_type == ValueType::Number,
    );
    let name = format!("{PREFIX}{key}");
    let sql = format!(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS {name}
             ON entity_read_model (entity_type_id, ({expr}), entity_id)"
    );
    Ok((name, sql))
}

/// Creates the sort index of `key` (nothing when it exists); returns its name.
pub async fn create_sort_index(pool: &PgPool, key: &str) -> CoreResult<String> {
    if crate::db::pooling::is_pooled(pool) {
        // CREATE INDEX CONCURRENTLY cannot run inside a transaction.
        return Err(crate::db::pooling::needs_session("building a sort index"));
    }
    let (name, sql) = sort_index_sql(pool, key).await?;
    // A concurrent build that failed leaves an invalid index behind: drop
    // it so this build starts over.
    let invalid: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                         WHERE c.relname = $1 AND NOT i.indisvalid)",
    )
    .bind(&name)
    .fetch_one(pool)
    .await?;
    if invalid {
        drop_sort_index(pool, key).await?;
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(pool)
        .await?;
    Ok(name)
}

/// Drops the sort index of `key`; false when there was none.
pub async fn drop_sort_index(pool: &PgPool, key: &str) -> CoreResult<bool> {
    if crate::db::pooling::is_pooled(pool) {
        // DROP INDEX CONCURRENTLY cannot run inside a transaction.
        return Err(crate::db::pooling::needs_session("dropping a sort index"));
    }
    let existing = sort_indexes(pool).await?;
    let Some(name) = existing
        .into_iter()
        .find(|n| n.strip_prefix(PREFIX) == Some(key))
    else {
        return Ok(false);
    };
    // `name` came from the catalog and starts with the prefix.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP INDEX CONCURRENTLY IF EXISTS {name}"
    )))
    .execute(pool)
    .await?;
    Ok(true)
}

/// The sort indexes there are, by name.
pub async fn sort_indexes(pool: &PgPool) -> CoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes
          WHERE schemaname = 'public' AND tablename = 'entity_read_model'
            AND starts_with(indexname, $1) ORDER BY 1",
    )
    .bind(PREFIX)
    .fetch_all(pool)
    .await?)
}

/// Every filter statistics object's name starts with this.
const STATISTICS_PREFIX: &str = "st_read_model_";

/// Gathers statistics on how the number or date property `key` is spread,
/// on the expression the compiler filters it with, and analyses the read
/// model so the planner uses them at once. Returns the statistics' name.
pub async fn create_filter_statistics(pool: &PgPool, key: &str) -> CoreResult<String> {
    let value_type = checked_property(pool, key).await?;
    let literal = format!("'{key}'::text");
    let expr = match value_type {
        ValueType::Number => number_of("entity_read_model", &literal),
        ValueType::Date => day_of("entity_read_model", &literal),
        _ => {
            return Err(CoreError::invalid(
                Some("key"),
                Rule::Choice,
                "filter statistics are for number and date properties (the others are estimated from the index)",
            ))
        }
    };
    let name = format!("{STATISTICS_PREFIX}{key}");
    // In a transaction of its own, committed before this returns: through a
    // transaction pooler a statement on the pool commits only when its
    // lease ends, after the caller may already look for the statistics.
    let mut tx = pool.begin().await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE STATISTICS IF NOT EXISTS {name} ON ({expr}) FROM entity_read_model"
    )))
    .execute(&mut *tx)
    .await?;
    sqlx::raw_sql("ANALYZE entity_read_model")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(name)
}

/// Drops the filter statistics of `key`; false when there were none.
pub async fn drop_filter_statistics(pool: &PgPool, key: &str) -> CoreResult<bool> {
    let Some(name) = filter_statistics(pool)
        .await?
        .into_iter()
        .find(|n| n.strip_prefix(STATISTICS_PREFIX) == Some(key))
    else {
        return Ok(false);
    };
    // `name` came from the catalog and starts with the prefix. Committed
    // before this returns (see `create_filter_statistics`).
    let mut tx = pool.begin().await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP STATISTICS IF EXISTS {name}"
    )))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The filter statistics there are, by name.
pub async fn filter_statistics(pool: &PgPool) -> CoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT stxname::text FROM pg_statistic_ext
          WHERE stxrelid = 'public.entity_read_model'::regclass AND starts_with(stxname, $1)
          ORDER BY 1",
    )
    .bind(STATISTICS_PREFIX)
    .fetch_all(pool)
    .await?)
}
