//! Search: live entities whose name (or, for a dotted query, path label)
//! contains a text, ranked, with counts exact up to a cap and custom plans
//! (BENCHMARKS.md: a generic plan was 1000× slower).

use sqlx::{PgExecutor, PgPool};
use tracing::instrument;

use super::records::SearchResults;
use super::sql::{BY_NAME, BY_PATH_LABEL, TREE_SELECT};
use crate::error::{CoreError, CoreResult, Rule};
use crate::records::TreeNode;

/// Search needs this many characters (trigrams).
pub const MIN_SEARCH_CHARS: usize = 3;
/// Search counts are exact up to this many.
pub const SEARCH_COUNT_CAP: i64 = 1_000;

/// Live entities whose name or path label contains `text` (at least
/// [`MIN_SEARCH_CHARS`] characters, case-insensitive), best first: exact
/// name, then names starting with the text, then the rest by path label.
/// The count is exact up to [`SEARCH_COUNT_CAP`].
#[instrument(skip_all)]
pub async fn search(pool: &PgPool, text: &str, limit: u32) -> CoreResult<SearchResults> {
    let needle = text.trim();
    if needle.chars().count() < MIN_SEARCH_CHARS {
        return Err(CoreError::invalid(
            Some("query"),
            Rule::TooShort,
            format!("type at least {MIN_SEARCH_CHARS} characters to search"),
        ));
    }
    let query = SearchQuery::new(needle, limit);
    let mut tx = pool.begin().await?;
    // A generic plan of these queries can be 1000x slower than a custom one.
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await?;
    let rows = query.rows(&mut *tx, true).await?;
    tx.commit().await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(SearchResults {
        hits: rows.into_iter().map(|r| r.node).collect(),
        total,
        total_capped: total >= SEARCH_COUNT_CAP,
    })
}

/// The search statement for one text: shared by [`search`] and the
/// benchmark's raw-SQL floor, so both run exactly the same SQL.
pub struct SearchQuery {
    sql: String,
    pattern: String,
    needle: String,
    limit: i64,
}

impl SearchQuery {
    pub fn new(needle: &str, limit: u32) -> Self {
        let limit = i64::from(limit.clamp(1, 200));
        // A plain word matches names; a dotted query ("site.building") matches
        // path labels, which hold every ancestor's slug.
        let (candidates, pattern) = if needle.contains('.') {
            (
                BY_PATH_LABEL,
                format!(
                    "%{}%",
                    escape_like(&needle.to_lowercase().replace(' ', "_"))
                ),
            )
        } else {
            (BY_NAME, format!("%{}%", escape_like(needle)))
        };
        // One statement: a capped candidate set (name and label included), its
        // size as the count, ranked there, and tree rows built only for the top
        // `limit`: exact name first, then names starting with the text, then
        // the shortest paths.
        let sql = format!(
            "WITH m AS MATERIALIZED ({candidates} LIMIT $2),
                  ranked AS (
                    SELECT id, row_number() OVER (
                             ORDER BY (lower(name) = lower($3)) DESC,
                                      (lower(name) LIKE lower($4)) DESC,
                                      length(path_label), path_label) AS rank
                    FROM m ORDER BY rank LIMIT $5)
             SELECT n.*, (SELECT count(*) FROM m) AS total
             FROM ranked r
             CROSS JOIN LATERAL ({TREE_SELECT} WHERE e.id = r.id) n
             ORDER BY r.rank"
        );
        SearchQuery {
            sql,
            pattern,
            needle: needle.to_string(),
            limit,
        }
    }

    /// Runs it; `prepared` false sends it as a one-off statement.
    pub async fn rows<'e>(
        &self,
        db: impl PgExecutor<'e>,
        prepared: bool,
    ) -> CoreResult<Vec<SearchRow>> {
        Ok(
            sqlx::query_as::<_, SearchRow>(sqlx::AssertSqlSafe(self.sql.clone()))
                .bind(&self.pattern)
                .bind(SEARCH_COUNT_CAP)
                .bind(&self.needle)
                .bind(format!("{}%", escape_like(&self.needle)))
                .bind(self.limit)
                .persistent(prepared)
                .fetch_all(db)
                .await?,
        )
    }
}

/// One search hit and the (capped) number of matches.
#[derive(sqlx::FromRow)]
pub struct SearchRow {
    #[sqlx(flatten)]
    pub node: TreeNode,
    pub total: i64,
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
