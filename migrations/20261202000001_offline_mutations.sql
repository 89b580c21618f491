-- Offline edits replayed by a client: each carries a mutation id chosen on
-- the client, recorded here in the same transaction as the edit's effect,
-- so a replay that is repeated (the client killed after the server
-- committed, a network cut before the answer) applies it exactly once.

CREATE TABLE offline_mutations (
    -- The mutation id the client gave the edit.
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    -- What was applied ('set_values', 'rename', ...) and to which entity
    -- (no foreign key: the record outlives a purge, like an audit row).
    kind text NOT NULL,
    entity_id uuid NULL,
    -- The transaction that applied it: a second record of the same id in
    -- the same transaction is the same application.
    applied_xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
    applied_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE INDEX idx_offline_mutations_user ON offline_mutations (user_id, applied_at DESC);

ALTER TABLE offline_mutations ENABLE ROW LEVEL SECURITY;
ALTER TABLE offline_mutations FORCE ROW LEVEL SECURITY;
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_all ON offline_mutations TO %I USING (true) WITH CHECK (true)',
                   current_user);
END
$$;

-- A person sees and records their own mutations; nobody changes or removes
-- one.
CREATE POLICY people_select ON offline_mutations FOR SELECT TO eco_studio_people
    USING (user_id = (SELECT eco_current_user_id()) OR (SELECT eco_is_admin()));
CREATE POLICY people_insert ON offline_mutations FOR INSERT TO eco_studio_people
    WITH CHECK (user_id = (SELECT eco_current_user_id()));
CREATE POLICY people_update ON offline_mutations FOR UPDATE TO eco_studio_people
    USING (false) WITH CHECK (false);
CREATE POLICY people_delete ON offline_mutations FOR DELETE TO eco_studio_people
    USING (false);

GRANT SELECT, INSERT ON offline_mutations TO eco_studio_people;

-- Where a client's next refresh of the audit stream must start: the
-- earliest start of a transaction still open in another session (an audit
-- row carries its transaction's start time and is not visible before it
-- commits), else the present. Runs as the schema's owner so every
-- session's transactions are seen.
CREATE FUNCTION eco_change_horizon() RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT LEAST(clock_timestamp(),
                 (SELECT min(xact_start) FROM pg_stat_activity
                   WHERE xact_start IS NOT NULL AND backend_type = 'client backend'
                     AND pid <> pg_backend_pid()))
$$;
REVOKE ALL ON FUNCTION eco_change_horizon() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eco_change_horizon() TO eco_studio_people;
