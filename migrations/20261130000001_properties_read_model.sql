-- Typed properties per entity type, and the read model (additions; seed 000's
-- tables stay as they are).

CREATE EXTENSION IF NOT EXISTS btree_gin;

-- Which properties an entity type shows, in which order, and which of them
-- it requires (beyond a definition's own `is_required`).
CREATE TABLE entity_type_properties (
    id uuid PRIMARY KEY,
    entity_type_id uuid NOT NULL REFERENCES entity_type_definitions(id) ON DELETE RESTRICT,
    property_definition_id uuid NOT NULL REFERENCES property_definitions(id) ON DELETE RESTRICT,
    display_order integer NOT NULL DEFAULT 0,
    is_required boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE UNIQUE INDEX uq_entity_type_properties_active
    ON entity_type_properties(entity_type_id, property_definition_id)
    WHERE deleted_at IS NULL;
CREATE INDEX idx_entity_type_properties_definition
    ON entity_type_properties(property_definition_id) WHERE deleted_at IS NULL;

-- Lookups the property pane and the tag and group editors make.
CREATE INDEX idx_entity_property_values_definition
    ON entity_property_values(property_definition_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_entity_tags_entity ON entity_tags(entity_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_entity_tags_tag ON entity_tags(tag_entity_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX uq_entity_tags_active ON entity_tags(entity_id, tag_entity_id)
    WHERE deleted_at IS NULL;
CREATE INDEX idx_entity_group_members_member
    ON entity_group_members(member_entity_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_entity_relationships_source
    ON entity_relationships(source_entity_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_entity_relationships_target
    ON entity_relationships(target_entity_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX uq_entity_relationships_active
    ON entity_relationships(source_entity_id, target_entity_id, relationship_type)
    WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX uq_tags_group_key_active ON tags(tag_group_id, key)
    WHERE deleted_at IS NULL;

-- The read model: one row per LIVE entity, derived from the system of record
-- (entities, entity_property_values, entity_tags) in the same transaction as
-- every write to it (studio-core's change pipeline). It serves the tree's
-- pages and counts, and the saved views, search and exports to come.
-- `properties` holds the searchable, non-sensitive values by property key;
-- `descendant_count` counts the live entities below (the entity excluded).
CREATE TABLE entity_read_model (
    entity_id uuid PRIMARY KEY REFERENCES entities(id) ON DELETE RESTRICT,
    root_id uuid NOT NULL,
    parent_id uuid NULL,
    entity_type_id uuid NOT NULL,
    name text NOT NULL,
    path_label text NOT NULL,
    properties jsonb NOT NULL DEFAULT '{}',
    tag_ids uuid[] NOT NULL DEFAULT '{}',
    ancestor_ids uuid[] NOT NULL DEFAULT '{}',
    child_count integer NOT NULL DEFAULT 0,
    descendant_count integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL
);

-- Children pages in label order (keyset paging), and the views' filters.
CREATE INDEX idx_read_model_children ON entity_read_model(parent_id, path_label);
CREATE INDEX idx_read_model_filters ON entity_read_model
    USING gin (entity_type_id, root_id, properties jsonb_path_ops, tag_ids, ancestor_ids);
CREATE INDEX idx_read_model_name_trgm ON entity_read_model USING gin (name gin_trgm_ops);
