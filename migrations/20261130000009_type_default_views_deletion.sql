-- A type's view follows the registry's deletion model: clearing the choice
-- marks its row deleted (the audit keeps what it was), choosing again for
-- the type brings the row back with the new view.
ALTER TABLE entity_type_default_views
    ADD COLUMN created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    ADD COLUMN deleted_at timestamptz NULL;
ALTER TABLE entity_type_default_views ALTER COLUMN created_at DROP DEFAULT;
