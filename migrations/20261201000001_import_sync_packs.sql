-- Import and sync (seed 002's ERP sync, for every entity type), mapping
-- presets, and the installed domain packs.
--
-- `external_refs` gives an entity its identity in another system: one live
-- row per (source, external id), with the hash of the row as last imported
-- (`sync_hash`) so an unchanged row is skipped without reading its values.
-- `sync_imports` is the run log: a run is written as `processing` before
-- its transaction starts and closed by that transaction, so a run killed
-- midway is found (its row not locked, still `processing`) and marked
-- `failed` with nothing of it written.

CREATE TABLE external_refs (
    id uuid PRIMARY KEY,
    entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    -- The system the id comes from ('csv', 'erp_sap', 'pack:mes', ...).
    source text NOT NULL,
    external_id text NOT NULL,
    sync_hash text NULL,
    synced_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE UNIQUE INDEX uq_external_refs_source_id_active ON external_refs (source, external_id)
    WHERE deleted_at IS NULL;
CREATE INDEX idx_external_refs_entity ON external_refs (entity_id);

CREATE TABLE sync_imports (
    id uuid PRIMARY KEY,
    source text NOT NULL,
    -- The entity type key the rows were imported as.
    entity_type text NOT NULL,
    -- pending, processing, completed or failed.
    status text NOT NULL,
    -- all_or_nothing or row_by_row.
    mode text NOT NULL,
    total_records integer NOT NULL DEFAULT 0,
    created_count integer NOT NULL DEFAULT 0,
    updated_count integer NOT NULL DEFAULT 0,
    skipped_count integer NOT NULL DEFAULT 0,
    deleted_count integer NOT NULL DEFAULT 0,
    error_count integer NOT NULL DEFAULT 0,
    -- The first errors, by line and column.
    errors jsonb NOT NULL DEFAULT '[]',
    file_name text NULL,
    started_at timestamptz NOT NULL,
    completed_at timestamptz NULL,
    created_by uuid NULL REFERENCES users(id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE INDEX idx_sync_imports_started ON sync_imports (started_at DESC);

-- A saved mapping (columns to properties, parent, tags) for a type.
CREATE TABLE import_presets (
    id uuid PRIMARY KEY,
    owner_user_id uuid NULL REFERENCES users(id) ON DELETE RESTRICT,
    name text NOT NULL,
    entity_type text NOT NULL,
    mapping jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE UNIQUE INDEX uq_import_presets_name_active
    ON import_presets (owner_user_id, name) NULLS NOT DISTINCT WHERE deleted_at IS NULL;

-- A domain pack and what it installed (`contents`: the keys it owns and
-- the ones it found and adopted), by version.
CREATE TABLE installed_packs (
    id uuid PRIMARY KEY,
    key text NOT NULL,
    name text NOT NULL,
    version text NOT NULL,
    description text NULL,
    contents jsonb NOT NULL DEFAULT '{}',
    installed_by uuid NULL REFERENCES users(id) ON DELETE RESTRICT,
    installed_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE UNIQUE INDEX uq_installed_packs_key_active ON installed_packs (key) WHERE deleted_at IS NULL;

-- ------------------------------------------------------- row-level security

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['external_refs', 'sync_imports', 'import_presets', 'installed_packs']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY owner_all ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
    END LOOP;
END
$$;

-- External ids go with their entity: seen with it, written with write on
-- its root.
CREATE POLICY people_select ON external_refs FOR SELECT TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM entities e WHERE e.id = entity_id));
CREATE POLICY people_insert ON external_refs FOR INSERT TO eco_studio_people
    WITH CHECK (EXISTS (SELECT 1 FROM entities e WHERE e.id = entity_id
                        AND (SELECT eco_root_paths(current_user, 'write')) @> e.path));
CREATE POLICY people_update ON external_refs FOR UPDATE TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM entities e WHERE e.id = entity_id
                   AND (SELECT eco_root_paths(current_user, 'write')) @> e.path))
    WITH CHECK (EXISTS (SELECT 1 FROM entities e WHERE e.id = entity_id
                        AND (SELECT eco_root_paths(current_user, 'write')) @> e.path));
CREATE POLICY people_delete ON external_refs FOR DELETE TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM entities e WHERE e.id = entity_id
                   AND (SELECT eco_root_paths(current_user, 'purge')) @> e.path));

-- Runs: one's own, and everyone's for global administrators; written by
-- the person running them; never deleted.
CREATE POLICY people_select ON sync_imports FOR SELECT TO eco_studio_people
    USING (created_by = (SELECT eco_current_user_id()) OR (SELECT eco_is_admin()));
CREATE POLICY people_insert ON sync_imports FOR INSERT TO eco_studio_people
    WITH CHECK (created_by = (SELECT eco_current_user_id()));
CREATE POLICY people_update ON sync_imports FOR UPDATE TO eco_studio_people
    USING (created_by = (SELECT eco_current_user_id()) OR (SELECT eco_is_admin()))
    WITH CHECK (created_by = (SELECT eco_current_user_id()) OR (SELECT eco_is_admin()));
CREATE POLICY people_delete ON sync_imports FOR DELETE TO eco_studio_people USING (false);

-- Presets: one's own, and shared ones (no owner) that global
-- administrators manage.
CREATE POLICY people_select ON import_presets FOR SELECT TO eco_studio_people
    USING (owner_user_id IS NULL OR owner_user_id = (SELECT eco_current_user_id()));
CREATE POLICY people_insert ON import_presets FOR INSERT TO eco_studio_people
    WITH CHECK (owner_user_id = (SELECT eco_current_user_id())
                OR (owner_user_id IS NULL AND (SELECT eco_is_admin())));
CREATE POLICY people_update ON import_presets FOR UPDATE TO eco_studio_people
    USING (owner_user_id = (SELECT eco_current_user_id())
           OR (owner_user_id IS NULL AND (SELECT eco_is_admin())))
    WITH CHECK (owner_user_id = (SELECT eco_current_user_id())
                OR (owner_user_id IS NULL AND (SELECT eco_is_admin())));
CREATE POLICY people_delete ON import_presets FOR DELETE TO eco_studio_people
    USING (owner_user_id = (SELECT eco_current_user_id())
           OR (owner_user_id IS NULL AND (SELECT eco_is_admin())));

-- Packs change global definitions: everyone reads, global administrators
-- install.
CREATE POLICY people_select ON installed_packs FOR SELECT TO eco_studio_people USING (true);
CREATE POLICY people_insert ON installed_packs FOR INSERT TO eco_studio_people
    WITH CHECK ((SELECT eco_is_admin()));
CREATE POLICY people_update ON installed_packs FOR UPDATE TO eco_studio_people
    USING ((SELECT eco_is_admin())) WITH CHECK ((SELECT eco_is_admin()));
CREATE POLICY people_delete ON installed_packs FOR DELETE TO eco_studio_people
    USING ((SELECT eco_is_admin()));

GRANT SELECT, INSERT, UPDATE, DELETE ON external_refs, sync_imports, import_presets, installed_packs
    TO eco_studio_people;
