-- The view an entity type opens with: one shared saved view per type, chosen
-- by a global administrator. A deleted view, or one a person cannot see
-- (pinned to a root they do not see), is passed over: they get the type's
-- generated view instead.
CREATE TABLE entity_type_default_views (
    id uuid PRIMARY KEY,
    entity_type_id uuid UNIQUE NOT NULL REFERENCES entity_type_definitions(id) ON DELETE RESTRICT,
    saved_view_id uuid NOT NULL REFERENCES admin_saved_views(id) ON DELETE RESTRICT,
    updated_at timestamptz NOT NULL
);
CREATE INDEX idx_entity_type_default_views_view ON entity_type_default_views (saved_view_id);

ALTER TABLE entity_type_default_views ENABLE ROW LEVEL SECURITY;
ALTER TABLE entity_type_default_views FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON entity_type_default_views TO CURRENT_USER USING (true) WITH CHECK (true);
-- Like the type definitions themselves: everyone reads, global
-- administrators write.
CREATE POLICY people_select ON entity_type_default_views FOR SELECT TO eco_studio_people
    USING (true);
CREATE POLICY people_insert ON entity_type_default_views FOR INSERT TO eco_studio_people
    WITH CHECK ((SELECT eco_is_admin()));
CREATE POLICY people_update ON entity_type_default_views FOR UPDATE TO eco_studio_people
    USING (true) WITH CHECK ((SELECT eco_is_admin()));
CREATE POLICY people_delete ON entity_type_default_views FOR DELETE TO eco_studio_people
    USING ((SELECT eco_is_admin()));
GRANT SELECT, INSERT, UPDATE, DELETE ON entity_type_default_views TO eco_studio_people;
