//! The migrated schema must implement the core schema document (seed 000)
//! exactly. The seed is transcribed into `tests/fixtures/seed_000.schema`
//! (the build never reads anything outside the repository); this test parses
//! that fixture, reads the catalog of a fresh migrated database and lists
//! every difference between the two.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use sqlx::{PgPool, Row};

/// The transcription of seed 000, embedded at compile time.
const SEED_000: &str = include_str!("fixtures/seed_000.schema");

// ---------------------------------------------------------------------------
// The fixture: a small line format close to the seed's own notation.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct Schema {
    extensions: Vec<String>,
    tables: Vec<Table>,
    indexes: Vec<Index>,
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<Column>,
}

#[derive(Debug, Clone)]
struct Column {
    name: String,
    /// The seed's type name (`boolean`, `integer`, ...).
    seed_type: String,
    primary_key: bool,
    unique: bool,
    nullable: bool,
    /// The default as the seed writes it (`'[]'`, `false`, `0`), if any.
    default: Option<String>,
    references: Option<ForeignKey>,
}

#[derive(Debug, Clone)]
struct ForeignKey {
    table: String,
    column: String,
    on_delete: OnDelete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnDelete {
    Restrict,
    NoAction,
    Cascade,
    SetNull,
    SetDefault,
}

#[derive(Debug, Clone)]
struct Index {
    name: String,
    table: String,
    unique: bool,
    method: String,
    columns: Vec<String>,
    predicate: Option<String>,
}

impl OnDelete {
    /// `pg_constraint.confdeltype` for this rule.
    fn code(self) -> &'static str {
        match self {
            OnDelete::Restrict => "r",
            OnDelete::NoAction => "a",
            OnDelete::Cascade => "c",
            OnDelete::SetNull => "n",
            OnDelete::SetDefault => "d",
        }
    }

    fn sql(self) -> &'static str {
        match self {
            OnDelete::Restrict => "restrict",
            OnDelete::NoAction => "no action",
            OnDelete::Cascade => "cascade",
            OnDelete::SetNull => "set null",
            OnDelete::SetDefault => "set default",
        }
    }
}

/// The rule a `confdeltype` code stands for, for messages.
fn on_delete_name(code: &str) -> String {
    match code {
        "r" => "restrict".to_string(),
        "a" => "no action".to_string(),
        "c" => "cascade".to_string(),
        "n" => "set null".to_string(),
        "d" => "set default".to_string(),
        other => format!("unknown ({other:?})"),
    }
}

/// The catalog's `udt_name` (`pg_type.typname`) for a seed type name.
fn udt_name(seed_type: &str) -> Option<&'static str> {
    Some(match seed_type {
        "uuid" => "uuid",
        "text" => "text",
        "boolean" => "bool",
        "integer" => "int4",
        "jsonb" => "jsonb",
        "bytea" => "bytea",
        "timestamptz" => "timestamptz",
        "ltree" => "ltree",
        _ => return None,
    })
}

impl Column {
    fn udt(&self) -> &'static str {
        udt_name(&self.seed_type).expect("the parser only accepts known types")
    }
}

impl fmt::Display for Column {
    /// The column as the fixture writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.seed_type)?;
        if self.primary_key {
            write!(f, " primary key")?;
        }
        if self.unique {
            write!(f, " unique")?;
        }
        if !self.primary_key {
            write!(f, " {}", if self.nullable { "null" } else { "not null" })?;
        }
        if let Some(default) = &self.default {
            write!(f, " default {default}")?;
        }
        if let Some(fk) = &self.references {
            write!(
                f,
                " references {}({}) on delete {}",
                fk.table,
                fk.column,
                fk.on_delete.sql()
            )?;
        }
        Ok(())
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn identifier<'a>(s: &'a str, what: &str) -> Result<&'a str, String> {
    if is_identifier(s) {
        Ok(s)
    } else {
        Err(format!("{what} `{s}` is not a lower-case SQL identifier"))
    }
}

/// A default the fixture may write: a quoted literal, a boolean or an integer.
fn is_default_literal(s: &str) -> bool {
    if let Some(inner) = s.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return !inner.replace("''", "").contains('\'');
    }
    if s == "true" || s == "false" {
        return true;
    }
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// Parses the fixture; every error names its line.
fn parse_schema(src: &str) -> Result<Schema, String> {
    let mut schema = Schema::default();
    // The table that indented column lines belong to.
    let mut current_table: Option<usize> = None;

    for (index, raw) in src.lines().enumerate() {
        let line_no = index + 1;
        let err = |msg: String| format!("line {line_no}: {msg}: `{}`", raw.trim());
        let line = raw.trim_end();
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }

        if content.len() != line.len() {
            let Some(t) = current_table else {
                return Err(err(
                    "an indented column line must follow a `table` line".to_string()
                ));
            };
            let column = parse_column(content).map_err(err)?;
            let table = &mut schema.tables[t];
            if table.columns.iter().any(|c| c.name == column.name) {
                return Err(err(format!(
                    "column {} is declared twice in table {}",
                    column.name, table.name
                )));
            }
            table.columns.push(column);
            continue;
        }

        current_table = None;
        if let Some(rest) = content.strip_prefix("table ") {
            let name = identifier(rest.trim(), "table name").map_err(err)?;
            if schema.tables.iter().any(|t| t.name == name) {
                return Err(err(format!("table {name} is declared twice")));
            }
            schema.tables.push(Table {
                name: name.to_string(),
                columns: Vec::new(),
            });
            current_table = Some(schema.tables.len() - 1);
        } else if let Some(rest) = content.strip_prefix("extension ") {
            let name = identifier(rest.trim(), "extension name").map_err(err)?;
            if schema.extensions.iter().any(|e| e == name) {
                return Err(err(format!("extension {name} is declared twice")));
            }
            schema.extensions.push(name.to_string());
        } else if let Some(rest) = content.strip_prefix("unique index ") {
            schema.indexes.push(parse_index(rest, true).map_err(err)?);
        } else if let Some(rest) = content.strip_prefix("index ") {
            schema.indexes.push(parse_index(rest, false).map_err(err)?);
        } else {
            return Err(err(
                "expected `extension`, `table`, `index` or `unique index` \
                 (column lines are indented under their table)"
                    .to_string(),
            ));
        }
    }

    validate(&schema)?;
    Ok(schema)
}

/// `NAME TYPE [primary key] [unique] (null | not null) [default V] [references T(C) on delete RULE]`
fn parse_column(s: &str) -> Result<Column, String> {
    let tokens: Vec<&str> = s.split_whitespace().collect();
    let [name, seed_type, rest @ ..] = tokens.as_slice() else {
        return Err("a column line needs a name and a type".to_string());
    };
    let name = identifier(name, "column name")?;
    if udt_name(seed_type).is_none() {
        return Err(format!(
            "unknown type `{seed_type}` (known: uuid, text, boolean, integer, jsonb, bytea, timestamptz, ltree)"
        ));
    }

    let mut primary_key = false;
    let mut unique = false;
    let mut nullable: Option<bool> = None;
    let mut default: Option<String> = None;
    let mut references: Option<ForeignKey> = None;

    let mut i = 0;
    while i < rest.len() {
        let next = rest.get(i + 1).copied();
        match (rest[i], next) {
            ("primary", Some("key")) => {
                if primary_key {
                    return Err("`primary key` is written twice".to_string());
                }
                primary_key = true;
                i += 2;
            }
            ("unique", _) => {
                if unique {
                    return Err("`unique` is written twice".to_string());
                }
                unique = true;
                i += 1;
            }
            ("null", _) | ("not", Some("null")) => {
                if nullable.is_some() {
                    return Err("the nullability is written twice".to_string());
                }
                let is_null = rest[i] == "null";
                nullable = Some(is_null);
                i += if is_null { 1 } else { 2 };
            }
            ("default", value) => {
                let Some(value) = value else {
                    return Err("`default` needs a value".to_string());
                };
                if default.is_some() {
                    return Err("`default` is written twice".to_string());
                }
                if !is_default_literal(value) {
                    return Err(format!(
                        "default `{value}` is not a quoted literal, boolean or integer"
                    ));
                }
                default = Some(value.to_string());
                i += 2;
            }
            ("references", target) => {
                if references.is_some() {
                    return Err("`references` is written twice".to_string());
                }
                let target = target.ok_or("`references` needs TABLE(COLUMN)")?;
                let (table, column) = target
                    .strip_suffix(')')
                    .and_then(|t| t.split_once('('))
                    .ok_or_else(|| format!("`{target}` is not TABLE(COLUMN)"))?;
                let table = identifier(table, "referenced table")?;
                let column = identifier(column, "referenced column")?;
                if rest.get(i + 2..i + 4) != Some(&["on", "delete"][..]) {
                    return Err(
                        "a foreign key must state its rule: `on delete restrict`".to_string()
                    );
                }
                let (on_delete, words) = match (rest.get(i + 4).copied(), rest.get(i + 5).copied())
                {
                    (Some("restrict"), _) => (OnDelete::Restrict, 1),
                    (Some("cascade"), _) => (OnDelete::Cascade, 1),
                    (Some("no"), Some("action")) => (OnDelete::NoAction, 2),
                    (Some("set"), Some("null")) => (OnDelete::SetNull, 2),
                    (Some("set"), Some("default")) => (OnDelete::SetDefault, 2),
                    _ => return Err("unknown `on delete` rule".to_string()),
                };
                references = Some(ForeignKey {
                    table: table.to_string(),
                    column: column.to_string(),
                    on_delete,
                });
                i += 4 + words;
            }
            (other, _) => return Err(format!("unexpected `{other}` in a column line")),
        }
    }

    let nullable = if primary_key {
        if nullable == Some(true) {
            return Err("a primary key column cannot be `null`".to_string());
        }
        false
    } else {
        nullable.ok_or("a column line must say `null` or `not null`")?
    };

    Ok(Column {
        name: name.to_string(),
        seed_type: seed_type.to_string(),
        primary_key,
        unique,
        nullable,
        default,
        references,
    })
}

/// `NAME on TABLE [using METHOD] (COLUMN, ...) [where PREDICATE]` (after `[unique] index`).
fn parse_index(s: &str, unique: bool) -> Result<Index, String> {
    let mut words = s.splitn(3, char::is_whitespace);
    let name = identifier(words.next().unwrap_or(""), "index name")?;
    if words.next() != Some("on") {
        return Err("expected `on TABLE` after the index name".to_string());
    }
    let rest = words.next().unwrap_or("").trim_start();
    let (table, rest) = rest
        .split_once(|c: char| c.is_whitespace() || c == '(')
        .map(|(t, _)| (t, rest[t.len()..].trim_start()))
        .unwrap_or((rest, ""));
    let table = identifier(table, "table name")?;

    let (method, rest) = match rest.strip_prefix("using ") {
        Some(after) => {
            let after = after.trim_start();
            let end = after
                .find(|c: char| c.is_whitespace() || c == '(')
                .unwrap_or(after.len());
            (&after[..end], after[end..].trim_start())
        }
        None => ("btree", rest),
    };
    if !["btree", "gist", "gin", "hash", "brin", "spgist"].contains(&method) {
        return Err(format!("unknown index method `{method}`"));
    }

    let rest = rest
        .strip_prefix('(')
        .ok_or("expected `(COLUMN, ...)` after the table (and method)")?;
    let (list, rest) = rest
        .split_once(')')
        .ok_or("the column list has no closing `)`")?;
    let columns = list
        .split(',')
        .map(|c| identifier(c.trim(), "index column").map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;

    let rest = rest.trim();
    let predicate = if rest.is_empty() {
        None
    } else {
        let predicate = rest
            .strip_prefix("where ")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .ok_or_else(|| format!("expected `where PREDICATE` or nothing, found `{rest}`"))?;
        Some(predicate.to_string())
    };

    Ok(Index {
        name: name.to_string(),
        table: table.to_string(),
        unique,
        method: method.to_string(),
        columns,
        predicate,
    })
}

/// Cross-references: every table has a primary key, every foreign key and
/// index names a declared table and column, index names are unique.
fn validate(schema: &Schema) -> Result<(), String> {
    let column_of = |table: &str, column: &str| {
        schema
            .tables
            .iter()
            .find(|t| t.name == table)
            .map(|t| t.columns.iter().any(|c| c.name == column))
    };
    for table in &schema.tables {
        if !table.columns.iter().any(|c| c.primary_key) {
            return Err(format!("table {} has no primary key column", table.name));
        }
        for column in &table.columns {
            if let Some(fk) = &column.references {
                match column_of(&fk.table, &fk.column) {
                    None => {
                        return Err(format!(
                            "{}.{} references undeclared table {}",
                            table.name, column.name, fk.table
                        ))
                    }
                    Some(false) => {
                        return Err(format!(
                            "{}.{} references undeclared column {}.{}",
                            table.name, column.name, fk.table, fk.column
                        ))
                    }
                    Some(true) => {}
                }
            }
        }
    }
    let mut index_names = BTreeSet::new();
    for index in &schema.indexes {
        if !index_names.insert(index.name.as_str()) {
            return Err(format!("index {} is declared twice", index.name));
        }
        for column in &index.columns {
            if column_of(&index.table, column) != Some(true) {
                return Err(format!(
                    "index {} is on {}({column}), which is not declared",
                    index.name, index.table
                ));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The catalog of a migrated database.
// ---------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Catalog {
    extensions: BTreeSet<String>,
    /// Relations of the current schema, by name.
    tables: BTreeMap<String, CatalogTable>,
    /// Indexes of the current schema, by name.
    indexes: BTreeMap<String, CatalogIndex>,
}

#[derive(Debug, Default)]
struct CatalogTable {
    /// `pg_class.relkind` (`r` for an ordinary table).
    relkind: String,
    columns: BTreeMap<String, CatalogColumn>,
    primary_key: Option<Vec<String>>,
    /// Column lists of the UNIQUE constraints.
    unique_constraints: Vec<(String, Vec<String>)>,
    foreign_keys: Vec<CatalogForeignKey>,
}

#[derive(Debug)]
struct CatalogColumn {
    udt_name: String,
    not_null: bool,
    default: Option<String>,
    identity: String,
    generated: String,
}

#[derive(Debug)]
struct CatalogForeignKey {
    name: String,
    columns: Vec<String>,
    ref_table: String,
    ref_columns: Vec<String>,
    on_delete: String,
    validated: bool,
}

#[derive(Debug)]
struct CatalogIndex {
    table: String,
    method: String,
    unique: bool,
    valid: bool,
    columns: Vec<String>,
    included_columns: i32,
    options: Vec<i16>,
    predicate: Option<String>,
    definition: String,
}

async fn load_catalog(pool: &PgPool) -> Result<Catalog, sqlx::Error> {
    let mut catalog = Catalog::default();

    for row in sqlx::query("SELECT extname::text AS name FROM pg_extension")
        .fetch_all(pool)
        .await?
    {
        catalog.extensions.insert(row.try_get("name")?);
    }

    let columns = sqlx::query(
        "SELECT c.relname::text AS table_name, c.relkind::text AS relkind,
                a.attname::text AS column_name, t.typname::text AS udt_name,
                a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS column_default,
                a.attidentity::text AS identity, a.attgenerated::text AS generated
           FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           JOIN pg_type t ON t.oid = a.atttypid
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          ORDER BY c.relname, a.attnum",
    )
    .fetch_all(pool)
    .await?;
    for row in columns {
        let table = catalog
            .tables
            .entry(row.try_get("table_name")?)
            .or_default();
        table.relkind = row.try_get("relkind")?;
        table.columns.insert(
            row.try_get("column_name")?,
            CatalogColumn {
                udt_name: row.try_get("udt_name")?,
                not_null: row.try_get("not_null")?,
                default: row.try_get("column_default")?,
                identity: row.try_get("identity")?,
                generated: row.try_get("generated")?,
            },
        );
    }

    let constraints = sqlx::query(
        "SELECT cl.relname::text AS table_name, con.conname::text AS name,
                con.contype::text AS kind,
                ARRAY(SELECT a.attname::text
                        FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                       ORDER BY k.ord) AS columns,
                rc.relname::text AS ref_table,
                ARRAY(SELECT a.attname::text
                        FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                       ORDER BY k.ord) AS ref_columns,
                con.confdeltype::text AS on_delete, con.convalidated AS validated
           FROM pg_constraint con
           JOIN pg_class cl ON cl.oid = con.conrelid
           JOIN pg_namespace n ON n.oid = cl.relnamespace
           LEFT JOIN pg_class rc ON rc.oid = con.confrelid
          WHERE n.nspname = current_schema() AND con.contype IN ('p', 'u', 'f')
          ORDER BY cl.relname, con.conname",
    )
    .fetch_all(pool)
    .await?;
    for row in constraints {
        let table = catalog
            .tables
            .entry(row.try_get("table_name")?)
            .or_default();
        let name: String = row.try_get("name")?;
        let columns: Vec<String> = row.try_get("columns")?;
        match row.try_get::<String, _>("kind")?.as_str() {
            "p" => table.primary_key = Some(columns),
            "u" => table.unique_constraints.push((name, columns)),
            _ => table.foreign_keys.push(CatalogForeignKey {
                name,
                columns,
                ref_table: row
                    .try_get::<Option<String>, _>("ref_table")?
                    .unwrap_or_default(),
                ref_columns: row.try_get("ref_columns")?,
                on_delete: row.try_get("on_delete")?,
                validated: row.try_get("validated")?,
            }),
        }
    }

    let indexes = sqlx::query(
        "SELECT ic.relname::text AS index_name, tc.relname::text AS table_name,
                am.amname::text AS method, i.indisunique AS is_unique, i.indisvalid AS is_valid,
                ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
                        FROM generate_series(1, i.indnkeyatts::int) AS k
                       ORDER BY k) AS columns,
                (i.indnatts - i.indnkeyatts)::int4 AS included_columns,
                -- int2vector is 0-based; re-base it for the decoder.
                ARRAY(SELECT x.o
                        FROM unnest(i.indoption::int2[]) WITH ORDINALITY AS x(o, ord)
                       ORDER BY x.ord) AS options,
                pg_get_expr(i.indpred, i.indrelid) AS predicate,
                pg_get_indexdef(i.indexrelid) AS definition
           FROM pg_index i
           JOIN pg_class ic ON ic.oid = i.indexrelid
           JOIN pg_class tc ON tc.oid = i.indrelid
           JOIN pg_namespace n ON n.oid = tc.relnamespace
           JOIN pg_am am ON am.oid = ic.relam
          WHERE n.nspname = current_schema()",
    )
    .fetch_all(pool)
    .await?;
    for row in indexes {
        catalog.indexes.insert(
            row.try_get("index_name")?,
            CatalogIndex {
                table: row.try_get("table_name")?,
                method: row.try_get("method")?,
                unique: row.try_get("is_unique")?,
                valid: row.try_get("is_valid")?,
                columns: row.try_get("columns")?,
                included_columns: row.try_get("included_columns")?,
                options: row.try_get("options")?,
                predicate: row.try_get("predicate")?,
                definition: row.try_get("definition")?,
            },
        );
    }

    Ok(catalog)
}

// ---------------------------------------------------------------------------
// Normalisation and comparison.
// ---------------------------------------------------------------------------

/// A catalog default in the seed's notation: `'[]'::jsonb` → `'[]'`,
/// `'multi'::text` → `'multi'`; `false` and `0` stay as they are.
fn normalize_default(expr: &str) -> String {
    let expr = expr.trim();
    if let Some(body) = expr.strip_prefix('\'') {
        // Find the closing quote of the literal ('' is an escaped quote).
        let bytes = body.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\'' {
                if bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                let literal = &expr[..i + 2];
                let rest = &expr[i + 2..];
                if rest.is_empty() || rest.starts_with("::") {
                    return literal.to_string();
                }
                break;
            }
            i += 1;
        }
    }
    expr.to_string()
}

/// A predicate for comparison: lower case outside string literals, single
/// spaces, no spaces inside parentheses, no enclosing parentheses.
fn normalize_predicate(expr: &str) -> String {
    let mut out = String::new();
    let mut in_literal = false;
    let mut pending_space = false;
    for c in expr.chars() {
        if in_literal {
            out.push(c);
            if c == '\'' {
                in_literal = false;
            }
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() && !out.ends_with('(') && c != ')' {
            out.push(' ');
        }
        pending_space = false;
        if c == '\'' {
            in_literal = true;
        }
        out.extend(c.to_lowercase());
    }
    while let Some(inner) = out.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        // Only strip when the first `(` closes at the very end.
        let mut depth = 0i32;
        let balanced = inner.chars().all(|c| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            depth >= 0
        });
        if !balanced || depth != 0 {
            break;
        }
        out = inner.to_string();
    }
    out
}

/// Every difference between the fixture and the catalog, one readable line
/// each; empty when the catalog implements the fixture exactly.
fn compare(expected: &Schema, catalog: &Catalog) -> Vec<String> {
    let mut out = Vec::new();

    for extension in &expected.extensions {
        if !catalog.extensions.contains(extension) {
            out.push(format!(
                "extension {extension}: not installed (installed: {})",
                catalog
                    .extensions
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }

    for table in &expected.tables {
        let t = &table.name;
        let Some(actual) = catalog.tables.get(t) else {
            out.push(format!("table {t}: missing"));
            continue;
        };
        if actual.relkind != "r" {
            out.push(format!(
                "table {t}: is a relation of kind {:?}, not an ordinary table",
                actual.relkind
            ));
        }

        // Columns: exactly the seed's, each with its type, nullability and default.
        for column in &table.columns {
            let c = &column.name;
            let Some(got) = actual.columns.get(c) else {
                out.push(format!("{t}.{c}: column missing (seed: `{column}`)"));
                continue;
            };
            if got.udt_name != column.udt() {
                out.push(format!(
                    "{t}.{c}: type is {}, seed says {} ({})",
                    got.udt_name,
                    column.seed_type,
                    column.udt()
                ));
            }
            if got.not_null == column.nullable {
                out.push(format!(
                    "{t}.{c}: catalog says {}, seed says {}",
                    if got.not_null { "NOT NULL" } else { "NULL" },
                    if column.nullable { "null" } else { "not null" }
                ));
            }
            let got_default = got.default.as_deref().map(normalize_default);
            if got_default != column.default {
                out.push(format!(
                    "{t}.{c}: default is {}, seed says {}",
                    got.default
                        .as_deref()
                        .map_or("none".to_string(), |d| format!("`{d}`")),
                    column
                        .default
                        .as_deref()
                        .map_or("none".to_string(), |d| format!("`default {d}`"))
                ));
            }
            if !got.identity.is_empty() {
                out.push(format!(
                    "{t}.{c}: is an identity column ({:?}), the seed has no generated values",
                    got.identity
                ));
            }
            if !got.generated.is_empty() {
                out.push(format!(
                    "{t}.{c}: is a generated column ({:?}), the seed has none",
                    got.generated
                ));
            }
        }
        for (c, got) in &actual.columns {
            if !table.columns.iter().any(|column| &column.name == c) {
                out.push(format!(
                    "{t}.{c}: unexpected column ({}) that the seed does not have",
                    got.udt_name
                ));
            }
        }

        // Primary key.
        let mut expected_pk: Vec<String> = table
            .columns
            .iter()
            .filter(|c| c.primary_key)
            .map(|c| c.name.clone())
            .collect();
        expected_pk.sort();
        match &actual.primary_key {
            None => out.push(format!(
                "{t}: no primary key, seed says primary key ({})",
                expected_pk.join(", ")
            )),
            Some(got) => {
                let mut sorted = got.clone();
                sorted.sort();
                if sorted != expected_pk {
                    out.push(format!(
                        "{t}: primary key is ({}), seed says ({})",
                        got.join(", "),
                        expected_pk.join(", ")
                    ));
                }
            }
        }

        // Single-column UNIQUE constraints: exactly the seed's `unique` columns.
        for column in table.columns.iter().filter(|c| c.unique) {
            let wanted = std::slice::from_ref(&column.name);
            if !actual
                .unique_constraints
                .iter()
                .any(|(_, cols)| cols.as_slice() == wanted)
            {
                out.push(format!(
                    "{t}.{}: no UNIQUE constraint, seed says `unique`",
                    column.name
                ));
            }
        }
        for (name, cols) in &actual.unique_constraints {
            let matches_seed = matches!(cols.as_slice(), [c] if table
                .columns
                .iter()
                .any(|column| column.unique && &column.name == c));
            if !matches_seed {
                out.push(format!(
                    "{t}: unexpected UNIQUE constraint {name} ({}) that the seed does not have",
                    cols.join(", ")
                ));
            }
        }

        // Foreign keys: exactly the seed's, each ON DELETE RESTRICT.
        for column in &table.columns {
            let Some(fk) = &column.references else {
                continue;
            };
            let c = &column.name;
            let found: Vec<&CatalogForeignKey> = actual
                .foreign_keys
                .iter()
                .filter(|got| got.columns.as_slice() == std::slice::from_ref(c))
                .collect();
            let Some(got) = found.first() else {
                out.push(format!(
                    "{t}.{c}: foreign key missing, seed says references {}({}) on delete {}",
                    fk.table,
                    fk.column,
                    fk.on_delete.sql()
                ));
                continue;
            };
            if got.ref_table != fk.table || got.ref_columns != [fk.column.clone()] {
                out.push(format!(
                    "{t}.{c}: foreign key {} references {}({}), seed says {}({})",
                    got.name,
                    got.ref_table,
                    got.ref_columns.join(", "),
                    fk.table,
                    fk.column
                ));
            }
            if got.on_delete != fk.on_delete.code() {
                out.push(format!(
                    "{t}.{c}: foreign key {} is on delete {}, seed says on delete {}",
                    got.name,
                    on_delete_name(&got.on_delete),
                    fk.on_delete.sql()
                ));
            }
            if !got.validated {
                out.push(format!(
                    "{t}.{c}: foreign key {} is NOT VALID (not enforced on existing rows)",
                    got.name
                ));
            }
            for extra in &found[1..] {
                out.push(format!(
                    "{t}.{c}: unexpected second foreign key {} on the column",
                    extra.name
                ));
            }
        }
        for got in &actual.foreign_keys {
            let expected_here = matches!(got.columns.as_slice(), [c] if table
                .columns
                .iter()
                .any(|column| &column.name == c && column.references.is_some()));
            if !expected_here {
                out.push(format!(
                    "{t}: unexpected foreign key {} ({}) → {}({}) that the seed does not have",
                    got.name,
                    got.columns.join(", "),
                    got.ref_table,
                    got.ref_columns.join(", ")
                ));
            }
        }
    }

    // Named indexes.
    for index in &expected.indexes {
        let n = &index.name;
        let Some(got) = catalog.indexes.get(n) else {
            out.push(format!("index {n}: missing (on {})", index.table));
            continue;
        };
        let mut problems = Vec::new();
        if got.table != index.table {
            problems.push(format!(
                "is on table {}, seed says {}",
                got.table, index.table
            ));
        }
        if got.method != index.method {
            problems.push(format!("uses {}, seed says {}", got.method, index.method));
        }
        if got.unique != index.unique {
            problems.push(format!(
                "is {}, seed says {}",
                if got.unique { "UNIQUE" } else { "not unique" },
                if index.unique { "unique" } else { "not unique" }
            ));
        }
        if got.columns != index.columns {
            problems.push(format!(
                "is on ({}), seed says ({})",
                got.columns.join(", "),
                index.columns.join(", ")
            ));
        }
        if got.included_columns != 0 {
            problems.push(format!(
                "has {} INCLUDE column(s), seed has none",
                got.included_columns
            ));
        }
        if got.options.iter().any(|&o| o != 0) {
            problems.push("has DESC / NULLS FIRST options, seed has none".to_string());
        }
        let got_predicate = got.predicate.as_deref().map(normalize_predicate);
        let want_predicate = index.predicate.as_deref().map(normalize_predicate);
        if got_predicate != want_predicate {
            problems.push(format!(
                "predicate is {}, seed says {}",
                got.predicate
                    .as_deref()
                    .map_or("none".to_string(), |p| format!("`{p}`")),
                index
                    .predicate
                    .as_deref()
                    .map_or("none".to_string(), |p| format!("`where {p}`"))
            ));
        }
        if !got.valid {
            problems.push("is not valid (a failed concurrent build?)".to_string());
        }
        for problem in problems {
            out.push(format!("index {n}: {problem} [{}]", got.definition));
        }
    }

    out
}

fn seed() -> Schema {
    parse_schema(SEED_000).unwrap_or_else(|e| {
        panic!("tests/fixtures/seed_000.schema must parse, it is the test's expectation: {e}")
    })
}

// ---------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------

#[test]
fn fixture_transcribes_the_whole_seed() {
    let schema = seed();
    let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names.len(),
        16,
        "seed 000 defines 16 core tables; a shorter fixture would silently check less: {names:?}"
    );
    assert_eq!(
        schema.indexes.len(),
        6,
        "seed 000 names 6 indexes (4 on entities, 2 unique active-row indexes)"
    );
    let columns: usize = schema.tables.iter().map(|t| t.columns.len()).sum();
    assert_eq!(
        columns, 138,
        "seed 000 defines 138 columns over its 16 tables; the fixture must transcribe every one"
    );
    for table in &schema.tables {
        for column in &table.columns {
            if let Some(fk) = &column.references {
                assert_eq!(
                    fk.on_delete,
                    OnDelete::Restrict,
                    "{}.{}: the project applies ON DELETE RESTRICT to every foreign key",
                    table.name,
                    column.name
                );
            }
        }
        assert!(
            table
                .columns
                .iter()
                .any(|c| c.name == "deleted_at" && c.nullable),
            "{}: the seed's deletion model gives every table a nullable deleted_at",
            table.name
        );
    }
}

#[test]
fn parser_rejects_malformed_lines() {
    let cases: &[(&str, &str)] = &[
        ("table t\n    id uuid primary key\n    name varchar not null\n", "unknown type"),
        ("table t\n    id uuid primary key\n    name text\n", "`null` or `not null`"),
        ("table t\n    id uuid primary key\n    name text not null sometimes\n", "unexpected `sometimes`"),
        ("table t\n    id uuid primary key\n    name text null not null\n", "nullability is written twice"),
        ("table t\n    id uuid primary key\n    name text not null default\n", "needs a value"),
        ("table t\n    id uuid primary key\n    p uuid null references t(id)\n", "on delete restrict"),
        ("table t\n    id uuid primary key\n    p uuid null references t on delete restrict\n", "TABLE(COLUMN)"),
        ("table t\n    id uuid primary key\n    id text null\n", "declared twice"),
        ("    id uuid primary key\n", "must follow a `table` line"),
        ("table t\n    id uuid primary key\nview v\n", "expected `extension`"),
        ("table t\n    id uuid primary key\nindex i on t (id\n", "closing `)`"),
        ("table t\n    id uuid primary key\nindex i on t using hashish (id)\n", "unknown index method"),
        ("table t\n    id uuid primary key\nindex i on t (id) when x\n", "expected `where PREDICATE`"),
        ("table t\n    id uuid primary key\nindex i on t (nope)\n", "not declared"),
        ("table t\n    id uuid null\n", "no primary key"),
        ("table t\n    id uuid primary key\n    p uuid null references u(id) on delete restrict\n", "undeclared table"),
    ];
    for (src, expected) in cases {
        match parse_schema(src) {
            Ok(schema) => panic!(
                "the parser must reject malformed input, or a typo in the fixture would silently \
                 weaken the schema test; accepted {src:?} as {schema:?}"
            ),
            Err(e) => assert!(
                e.contains(expected),
                "the parser's error for {src:?} must explain the problem ({expected:?}), got: {e}"
            ),
        }
    }
    let e = parse_schema("table t\n    id uuid primary key\n    name text nul\n").unwrap_err();
    assert!(
        e.starts_with("line 3:"),
        "a parse error must name its line so the fixture can be fixed: {e}"
    );
}

#[test]
fn normalisation_matches_postgres_spellings() {
    for (catalog, seed) in [
        ("'[]'::jsonb", "'[]'"),
        ("'{}'::jsonb", "'{}'"),
        ("'multi'::text", "'multi'"),
        ("'it''s'::text", "'it''s'"),
        ("'a'::character varying", "'a'"),
        ("false", "false"),
        ("0", "0"),
    ] {
        assert_eq!(
            normalize_default(catalog),
            seed,
            "PostgreSQL's stored default must compare equal to the seed's notation"
        );
    }
    assert_eq!(
        normalize_default("now()"),
        "now()",
        "a function default stays itself"
    );
    assert_eq!(
        normalize_predicate("(deleted_at IS NULL)"),
        normalize_predicate("deleted_at is null"),
        "pg_get_expr's parenthesised predicate must equal the seed's"
    );
    assert_ne!(
        normalize_predicate("(a IS NULL) AND (b IS NULL)"),
        normalize_predicate("a is null) and (b is null"),
        "only enclosing parentheses that match each other may be stripped"
    );
    assert_ne!(
        normalize_predicate("(status = 'A'::text)"),
        normalize_predicate("status = 'a'::text"),
        "string literals are compared case-sensitively"
    );
}

#[tokio::test]
async fn migrated_schema_matches_seed_000() {
    let expected = seed();
    let db = studio_core::testing::test_db().await;
    let catalog = load_catalog(&db.pool)
        .await
        .expect("read the catalog of the migrated test database");
    let mismatches = compare(&expected, &catalog);
    assert!(
        mismatches.is_empty(),
        "the migrations must implement the core schema document (seed 000) exactly — every \
         table, column, type, nullability, default, key, ON DELETE RESTRICT foreign key, index \
         and extension, with the seed's names — because the rest of Eco Studio and every other \
         client of the database rely on it; {} mismatch(es) with tests/fixtures/seed_000.schema:\n  - {}",
        mismatches.len(),
        mismatches.join("\n  - ")
    );
}

#[tokio::test]
async fn comparison_reports_altered_expectations() {
    let db = studio_core::testing::test_db().await;
    let catalog = load_catalog(&db.pool)
        .await
        .expect("read the catalog of the migrated test database");

    fn column<'a>(schema: &'a mut Schema, table: &str, column: &str) -> &'a mut Column {
        schema
            .tables
            .iter_mut()
            .find(|t| t.name == table)
            .and_then(|t| t.columns.iter_mut().find(|c| c.name == column))
            .unwrap_or_else(|| panic!("the fixture declares {table}.{column}"))
    }

    // Each alteration, alone, must be reported, naming what differs.
    type Alteration = (&'static str, fn(&mut Schema));
    let alterations: [Alteration; 10] = [
        ("entities.parent_entity_id: catalog says NULL, seed says not null", |s| {
            let c = column(s, "entities", "parent_entity_id");
            c.nullable = !c.nullable;
        }),
        ("tag_groups.selection_mode: default is `'multi'::text`, seed says `default 'single'`", |s| {
            column(s, "tag_groups", "selection_mode").default = Some("'single'".to_string());
        }),
        ("entities.created_at: default is none, seed says `default '0'`", |s| {
            column(s, "entities", "created_at").default = Some("'0'".to_string());
        }),
        ("tags.key: type is text, seed says integer (int4)", |s| {
            column(s, "tags", "key").seed_type = "integer".to_string();
        }),
        ("entity_tags.deleted_at: unexpected column", |s| {
            let t = s.tables.iter_mut().find(|t| t.name == "entity_tags").expect("entity_tags");
            t.columns.retain(|c| c.name != "deleted_at");
        }),
        ("tags.key: no UNIQUE constraint", |s| {
            column(s, "tags", "key").unique = true;
        }),
        ("entities.parent_entity_id: foreign key entities_parent_entity_id_fkey is on delete restrict, seed says on delete cascade", |s| {
            let fk = column(s, "entities", "parent_entity_id").references.as_mut().expect("fk");
            fk.on_delete = OnDelete::Cascade;
        }),
        ("entities: unexpected foreign key", |s| {
            column(s, "entities", "entity_type_id").references = None;
        }),
        ("index idx_entities_path_gist: uses gist, seed says btree", |s| {
            let i = s.indexes.iter_mut().find(|i| i.name == "idx_entities_path_gist").expect("index");
            i.method = "btree".to_string();
        }),
        ("index uq_entity_group_members_active: predicate is `(deleted_at IS NULL)`, seed says none", |s| {
            let i = s.indexes.iter_mut().find(|i| i.name == "uq_entity_group_members_active").expect("index");
            i.predicate = None;
        }),
    ];
    for (expected_message, alter) in alterations {
        let mut schema = seed();
        alter(&mut schema);
        let mismatches = compare(&schema, &catalog);
        assert!(
            mismatches.iter().any(|m| m.starts_with(expected_message)),
            "the comparison must report an expectation the catalog does not meet, or the schema \
             test could never fail; expected a mismatch starting with {expected_message:?}, got: {mismatches:#?}"
        );
    }

    // Several alterations at once are all reported, not only the first.
    let mut schema = seed();
    column(&mut schema, "entities", "path").nullable = true;
    column(&mut schema, "property_groups", "display_order").default = None;
    schema.extensions.push("postgis".to_string());
    schema.tables.push(Table {
        name: "no_such_table".to_string(),
        columns: Vec::new(),
    });
    let mismatches = compare(&schema, &catalog);
    for subject in [
        "entities.path:",
        "property_groups.display_order:",
        "extension postgis:",
        "table no_such_table:",
    ] {
        assert!(
            mismatches.iter().any(|m| m.starts_with(subject)),
            "every mismatch must be listed, not only the first; {subject:?} missing from {mismatches:#?}"
        );
    }
}
