//! The security checker (`eco-studio doctor --security`): reads the catalog
//! and reports every place where the database would not be the boundary
//! the people rely on. An empty report is the only good one.

use serde::Serialize;
use sqlx::PgPool;

use super::PEOPLE_ROLE;
use crate::error::CoreResult;

/// The SECURITY DEFINER functions the schema is allowed to have (each with
/// a fixed `search_path`): reading a person's roots past row-level security,
/// managing people (which needs CREATEROLE), and waking the workflow
/// execution an approval vote concerns, and the change horizon an offline
/// client's refresh starts from (it reads every session's transaction
/// start, nothing else).
pub const DEFINER_ALLOW_LIST: [&str; 10] = [
    "eco_allow_view_as",
    "eco_root_ids",
    "eco_root_paths",
    "eco_refresh_person_roots",
    "eco_add_person",
    "eco_deactivate_person",
    "eco_search_names",
    "eco_search_labels",
    "eco_wake_approval",
    "eco_change_horizon",
];

/// The functions behind the indexed conditions (path ranges and ancestry,
/// JSON and array containment), which must be LEAKPROOF for an index to
/// serve them under row-level security.
const INDEXED_CONDITIONS: [&str; 9] = [
    "ltree_lt",
    "ltree_ge",
    "ltree_isparent",
    "ltree_risparent",
    "jsonb_contains",
    "jsonb_exists",
    "arraycontains",
    "arrayoverlap",
    "_ltree_isparent",
];

/// Tables outside the rules: the migrator's own bookkeeping.
const EXEMPT_TABLES: [&str; 1] = ["_sqlx_migrations"];

/// One thing the checker found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The table, role, view or function concerned.
    pub object: String,
    pub problem: String,
}

/// Checks the schema and the people's roles; returns what is wrong.
pub async fn check(pool: &PgPool) -> CoreResult<Vec<Finding>> {
    let mut findings = Vec::new();

    // Tables: row-level security enabled and forced, and a policy for the
    // people for every command.
    let tables: Vec<(String, bool, bool, Vec<String>)> = sqlx::query_as(
        "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity,
                coalesce(array_agg(DISTINCT p.polcmd::text) FILTER (WHERE p.polcmd IS NOT NULL), '{}')
           FROM pg_class c
           LEFT JOIN pg_policy p ON p.polrelid = c.oid
                AND (SELECT oid FROM pg_roles WHERE rolname = $1) = ANY (p.polroles)
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
            AND c.relname <> ALL ($2)
          GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity
          ORDER BY c.relname",
    )
    .bind(PEOPLE_ROLE)
    .bind(&EXEMPT_TABLES[..])
    .fetch_all(pool)
    .await?;
    for (table, enabled, forced, commands) in tables {
        if !enabled {
            findings.push(finding(&table, "row-level security is not enabled"));
        }
        if !forced {
            findings.push(finding(&table, "row-level security is not forced"));
        }
        let all = commands.iter().any(|c| c == "*");
        for (cmd, name) in [
            ("r", "SELECT"),
            ("a", "INSERT"),
            ("w", "UPDATE"),
            ("d", "DELETE"),
        ] {
            if !all && !commands.iter().any(|c| c == cmd) {
                findings.push(finding(
                    &table,
                    &format!("no {name} policy for {PEOPLE_ROLE}"),
                ));
            }
        }
    }

    // The people's roles: none a superuser, none bypassing row-level
    // security, none owning a table.
    let roles: Vec<(String, bool, bool, i64)> = sqlx::query_as(
        "SELECT r.rolname::text, r.rolsuper, r.rolbypassrls,
                (SELECT count(*) FROM pg_class c
                  WHERE c.relowner = r.oid AND c.relnamespace = 'public'::regnamespace)
           FROM pg_roles r
          WHERE r.oid IN (WITH RECURSIVE m(oid) AS (
                              SELECT oid FROM pg_roles WHERE rolname = $1
                              UNION SELECT a.member FROM pg_auth_members a JOIN m ON a.roleid = m.oid)
                          SELECT oid FROM m)
          ORDER BY r.rolname",
    )
    .bind(PEOPLE_ROLE)
    .fetch_all(pool)
    .await?;
    for (role, superuser, bypass, owned) in roles {
        if superuser {
            findings.push(finding(&role, "a person's role is a superuser"));
        }
        if bypass {
            findings.push(finding(
                &role,
                "a person's role bypasses row-level security",
            ));
        }
        if owned > 0 {
            findings.push(finding(
                &role,
                &format!("a person's role owns {owned} relations"),
            ));
        }
    }

    // Views run with the rights of who reads them.
    let views: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('v', 'm')
            AND NOT coalesce('security_invoker=true' = ANY (c.reloptions)
                             OR 'security_invoker=on' = ANY (c.reloptions), false)
          ORDER BY 1",
    )
    .fetch_all(pool)
    .await?;
    for view in views {
        findings.push(finding(&view, "a view without security_invoker"));
    }

    // SECURITY DEFINER functions: only the allowed ones, each with a fixed
    // search_path.
    let definers: Vec<(String, bool)> = sqlx::query_as(
        "SELECT p.proname::text,
                coalesce(EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%pg\\_temp'), false)
           FROM pg_proc p
          WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
          ORDER BY 1",
    )
    .fetch_all(pool)
    .await?;
    for (function, fixed_path) in definers {
        if !DEFINER_ALLOW_LIST.contains(&function.as_str()) {
            findings.push(finding(
                &function,
                "a SECURITY DEFINER function not on the allow-list",
            ));
        } else if !fixed_path {
            findings.push(finding(
                &function,
                "a SECURITY DEFINER function without a fixed search_path",
            ));
        }
    }
    // Indexed conditions usable under row-level security.
    let slow: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT proname::text FROM pg_proc WHERE proname = ANY ($1) AND NOT proleakproof ORDER BY 1",
    )
    .bind(&INDEXED_CONDITIONS[..])
    .fetch_all(pool)
    .await?;
    for function in slow {
        findings.push(finding(
            &function,
            "not LEAKPROOF: under row-level security its condition cannot use an index \
             (a superuser runs the migration indexes_under_row_security to fix it)",
        ));
    }
    Ok(findings)
}

fn finding(object: &str, problem: &str) -> Finding {
    Finding {
        object: object.into(),
        problem: problem.into(),
    }
}
