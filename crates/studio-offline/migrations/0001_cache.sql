-- The offline cache of one connection: the subtrees a person made
-- available offline, what browsing, search and views read of them, and
-- the outbox of edits made offline. Never a secret's plaintext or a key:
-- values of sensitive properties are not downloaded, secret references
-- are ids.

-- Facts about the cache: whose it is, the refresh cursor.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per subtree made available offline. `state`: ready, or revoked
-- (the person lost access; its data removed, its queued edits kept).
CREATE TABLE scopes (
    root_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    path_label TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NULL,
    -- JSON: the root's ancestors (breadcrumb steps), root first
    crumbs TEXT NOT NULL,
    added_at TEXT NOT NULL,
    refreshed_at TEXT NOT NULL,
    entities INTEGER NOT NULL DEFAULT 0,
    vals INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE entities (
    id TEXT PRIMARY KEY,
    scope_id TEXT NOT NULL,
    parent_id TEXT NULL,
    entity_type_id TEXT NOT NULL,
    type_key TEXT NOT NULL,
    type_name TEXT NOT NULL,
    icon TEXT NULL,
    name TEXT NOT NULL,
    -- lower-case name, for search
    name_fold TEXT NOT NULL,
    path_label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- JSON: ancestor ids, the read model's values by key, tag ids
    ancestor_ids TEXT NOT NULL,
    properties TEXT NOT NULL,
    tag_ids TEXT NOT NULL
);
CREATE INDEX entities_children ON entities (parent_id, path_label);
CREATE INDEX entities_scope ON entities (scope_id);

CREATE TABLE vals (
    entity_id TEXT NOT NULL,
    definition_id TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (entity_id, definition_id)
) WITHOUT ROWID;

CREATE TABLE relationships (
    id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    relationship_type TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX relationships_source ON relationships (source_id);

-- The registry's catalog as JSON documents: kind is type, definition,
-- group, layout, tag_group, tag or view.
CREATE TABLE docs (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;

-- Edits made offline, in the order they were made. `status`: pending,
-- applied, conflict (waiting for the person), refused (kept for export),
-- discarded (the person kept the server's version).
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    mutation TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NULL,
    -- JSON: the server's side of a conflict when it was found
    theirs TEXT NULL,
    -- JSON: the versions the edit gave the cache (entity, values), which
    -- later edits in the outbox expect
    produced TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    settled_at TEXT NULL
);
CREATE INDEX outbox_status ON outbox (status, seq);

-- A version the cache gave an edit, and the version the server gave it
-- when it was replayed: later edits expecting the first are sent with the
-- second.
CREATE TABLE versions (
    local TEXT PRIMARY KEY,
    server TEXT NOT NULL
) WITHOUT ROWID;
