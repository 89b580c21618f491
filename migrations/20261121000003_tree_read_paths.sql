-- Indexes for the tree's read paths (additions; seed 000's indexes stay).

-- Children of a node in path-label order, live only: keyset paging of very
-- wide nodes and the has-children probe.
CREATE INDEX idx_entities_live_children ON entities(parent_entity_id, path_label)
    WHERE deleted_at IS NULL;

-- Search over names (the system `name` property) and path labels.
CREATE INDEX idx_entity_names_trgm ON entity_property_values
    USING gin ((value #>> '{}') gin_trgm_ops)
    WHERE property_definition_id = '01900000-0000-7000-8000-000000000002' AND deleted_at IS NULL;

CREATE INDEX idx_entities_path_label_trgm ON entities USING gin (path_label gin_trgm_ops);

-- The trash: deleted entities, newest first.
CREATE INDEX idx_entities_deleted ON entities(deleted_at DESC) WHERE deleted_at IS NOT NULL;
