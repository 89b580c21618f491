-- The core registry schema (seed 000), with the seed's names.
-- Every foreign key is ON DELETE RESTRICT: deletion is soft, and hard deletion
-- happens only through explicit, audited purge operations.

CREATE EXTENSION IF NOT EXISTS ltree;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE entity_type_definitions (
    id uuid PRIMARY KEY,
    key text UNIQUE NOT NULL,
    name text NOT NULL,
    description text NULL,
    icon text NULL,
    is_system boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE TABLE entities (
    id uuid PRIMARY KEY,
    entity_type_id uuid NOT NULL REFERENCES entity_type_definitions(id) ON DELETE RESTRICT,
    parent_entity_id uuid NULL REFERENCES entities(id) ON DELETE RESTRICT,
    path ltree NOT NULL,
    path_label text UNIQUE NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE INDEX idx_entities_parent ON entities(parent_entity_id);
CREATE INDEX idx_entities_path_gist ON entities USING GIST(path);
CREATE INDEX idx_entities_path_btree ON entities(path);
CREATE INDEX idx_entities_active_type ON entities(entity_type_id) WHERE deleted_at IS NULL;

CREATE TABLE entity_relationships (
    id uuid PRIMARY KEY,
    source_entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    target_entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    relationship_type text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE TABLE entity_groups (
    id uuid PRIMARY KEY,
    entity_id uuid UNIQUE NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    key text NULL,
    name text NOT NULL,
    description text NULL,
    allows_mixed_types boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE TABLE entity_group_members (
    id uuid PRIMARY KEY,
    group_entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    member_entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE UNIQUE INDEX uq_entity_group_members_active
    ON entity_group_members(group_entity_id, member_entity_id)
    WHERE deleted_at IS NULL;

CREATE TABLE user_root_entity_scopes (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    root_entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    capabilities jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE TABLE tenant_encryption_keys (
    id uuid PRIMARY KEY,
    root_entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    key_provider text NOT NULL,
    key_reference text NOT NULL,
    status text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    retired_at timestamptz NULL,
    deleted_at timestamptz NULL
);

CREATE TABLE tenant_encryption_key_versions (
    id uuid PRIMARY KEY,
    tenant_encryption_key_id uuid NOT NULL REFERENCES tenant_encryption_keys(id) ON DELETE RESTRICT,
    version integer NOT NULL,
    wrapped_key jsonb NOT NULL,
    algorithm text NOT NULL,
    created_at timestamptz NOT NULL,
    activated_at timestamptz NULL,
    retired_at timestamptz NULL,
    deleted_at timestamptz NULL
);

CREATE TABLE vault_secret_versions (
    id uuid PRIMARY KEY,
    secret_entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    root_entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    tenant_encryption_key_version_id uuid NOT NULL REFERENCES tenant_encryption_key_versions(id) ON DELETE RESTRICT,
    version integer NOT NULL,
    algorithm text NOT NULL,
    nonce text NOT NULL,
    ciphertext bytea NOT NULL,
    auth_tag text NOT NULL,
    aad jsonb NOT NULL,
    created_by_user_id uuid NOT NULL,
    created_at timestamptz NOT NULL,
    reason text NULL,
    deleted_at timestamptz NULL
);

CREATE TABLE property_groups (
    id uuid PRIMARY KEY,
    key text UNIQUE NOT NULL,
    name text NOT NULL,
    description text NULL,
    display_order integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE TABLE property_definitions (
    id uuid PRIMARY KEY,
    property_group_id uuid NULL REFERENCES property_groups(id) ON DELETE RESTRICT,
    key text UNIQUE NOT NULL,
    name text NOT NULL,
    description text NULL,
    value_type text NOT NULL,
    is_required boolean NOT NULL DEFAULT false,
    is_sensitive boolean NOT NULL DEFAULT false,
    is_searchable boolean NOT NULL DEFAULT true,
    validation jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE TABLE entity_property_values (
    id uuid PRIMARY KEY,
    entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    property_definition_id uuid NOT NULL REFERENCES property_definitions(id) ON DELETE RESTRICT,
    value jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE UNIQUE INDEX uq_entity_property_values_active
    ON entity_property_values(entity_id, property_definition_id)
    WHERE deleted_at IS NULL;

CREATE TABLE tag_groups (
    id uuid PRIMARY KEY,
    key text UNIQUE NOT NULL,
    name text NOT NULL,
    description text NULL,
    selection_mode text NOT NULL DEFAULT 'multi',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE TABLE tags (
    id uuid PRIMARY KEY,
    entity_id uuid UNIQUE NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    tag_group_id uuid NULL REFERENCES tag_groups(id) ON DELETE RESTRICT,
    key text NOT NULL,
    name text NOT NULL,
    color text NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE TABLE entity_tags (
    id uuid PRIMARY KEY,
    entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    tag_entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

CREATE TABLE admin_saved_views (
    id uuid PRIMARY KEY,
    owner_user_id uuid NULL,
    root_entity_id uuid NULL REFERENCES entities(id) ON DELETE RESTRICT,
    key text NULL,
    name text NOT NULL,
    description text NULL,
    view_type text NOT NULL,
    config jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
