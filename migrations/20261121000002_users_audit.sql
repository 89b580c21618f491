-- Additions to seed 000 (never renames or removals): the people who use the
-- studio and the audit trail every mutation writes in its own transaction.

CREATE TABLE users (
    id uuid PRIMARY KEY,
    -- The PostgreSQL role this person logs in as; NULL for a person who has
    -- no database login (yet).
    pg_role text NULL,
    display_name text NOT NULL,
    email text NULL,
    preferences jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE UNIQUE INDEX uq_users_pg_role_active ON users(pg_role)
    WHERE deleted_at IS NULL AND pg_role IS NOT NULL;

-- Append-only: rows are never updated or deleted by the application.
CREATE TABLE audit_events (
    id uuid PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor_user_id uuid NULL REFERENCES users(id) ON DELETE RESTRICT,
    actor_pg_role text NOT NULL DEFAULT current_user,
    action text NOT NULL,
    table_name text NOT NULL,
    record_id uuid NULL,
    -- The entity the change concerns (no foreign key: an audit row must not
    -- stop a purge, and it outlives what it describes).
    entity_id uuid NULL,
    request_id uuid NULL,
    source text NULL,
    before jsonb NULL,
    after jsonb NULL
);

CREATE INDEX idx_audit_events_entity ON audit_events(entity_id, occurred_at DESC);
CREATE INDEX idx_audit_events_occurred ON audit_events(occurred_at DESC);

CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER trg_audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- The display name of every entity is the system property `name`
-- (ordinary editable data is a property, seed 000).
INSERT INTO property_groups (id, key, name, description, display_order, created_at, updated_at)
VALUES ('01900000-0000-7000-8000-000000000001', 'general', 'General',
        'Properties every entity has', 0, now(), now());

INSERT INTO property_definitions (id, property_group_id, key, name, description, value_type,
                                  is_required, is_sensitive, is_searchable, validation,
                                  created_at, updated_at)
VALUES ('01900000-0000-7000-8000-000000000002', '01900000-0000-7000-8000-000000000001',
        'name', 'Name', 'The display name of the entity', 'text',
        true, false, true, '{"maxLength": 10000}', now(), now());
