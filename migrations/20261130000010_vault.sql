-- The vault: the `secret` entity type, one live key per root, unique
-- version numbers, the index the rewrap and the key screen read by, and
-- tighter reading rules: a secret's versions are read only with
-- `secrets:read` on its root, and a root's key versions (wrapped data keys)
-- only by those who administer the root or read or write its secrets.

INSERT INTO entity_type_definitions (id, key, name, description, icon, is_system, created_at, updated_at)
VALUES ('019ad5a0-0000-7000-8000-00000000c0de', 'secret', 'Secret',
        'A value kept encrypted in the vault; its versions are sealed per root', 'key', true,
        now(), now())
ON CONFLICT (key) DO NOTHING;

CREATE UNIQUE INDEX uq_tenant_encryption_keys_live_root ON tenant_encryption_keys (root_entity_id)
    WHERE deleted_at IS NULL AND retired_at IS NULL;
CREATE UNIQUE INDEX uq_tenant_encryption_key_versions_version
    ON tenant_encryption_key_versions (tenant_encryption_key_id, version);
CREATE UNIQUE INDEX uq_vault_secret_versions_version ON vault_secret_versions (secret_entity_id, version);
CREATE INDEX idx_vault_secret_versions_key_version ON vault_secret_versions (tenant_encryption_key_version_id);
CREATE INDEX idx_vault_secret_versions_root ON vault_secret_versions (root_entity_id);

DROP POLICY people_select ON vault_secret_versions;
CREATE POLICY people_select ON vault_secret_versions FOR SELECT TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM entities e WHERE e.id = secret_entity_id)
           AND root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'secrets:read'))::uuid[]));

DROP POLICY people_select ON tenant_encryption_key_versions;
CREATE POLICY people_select ON tenant_encryption_key_versions FOR SELECT TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM tenant_encryption_keys k WHERE k.id = tenant_encryption_key_id
                   AND (k.root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'secrets:read'))::uuid[])
                        OR k.root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'secrets:write'))::uuid[])
                        OR k.root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[]))));
