-- People and permissions, enforced by PostgreSQL itself.
--
-- Every person logs in as a PostgreSQL role of their own, a member of the
-- group role `eco_studio_people`; `users.pg_role` maps the role to a person.
-- Row-level security (enabled and forced) on every table decides what a
-- person's statements see and change, from `current_user` alone: no session
-- variable, so it holds through a transaction-mode pooler.
--
-- A person sees an entity, and what hangs off it, when the entity is in the
-- tree of a root they hold a live scope on (`user_root_entity_scopes`); the
-- scope's `capabilities` say what else they may do there (`write`, `admin`,
-- `purge`, `secrets:read`, `secrets:write`, `workflows:run`,
-- `workflows:edit`). Scopes are held on roots (entities without a parent).
-- The tag library is readable by everyone. Global administrators
-- (`users.is_admin`) hold every capability on every root and alone change the
-- global definitions (types, property groups and definitions, tag groups,
-- layouts) and the people.
--
-- The role that runs the migrations owns the tables; its own policies let it
-- see everything (it runs maintenance: migrations, rebuilds, bulk loads).

-- ------------------------------------------------------------------ roles

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'eco_studio_people') THEN
        CREATE ROLE eco_studio_people NOLOGIN;
    END IF;
END
$$;

ALTER TABLE users ADD COLUMN is_admin boolean NOT NULL DEFAULT false;

-- --------------------------------------------------------- who is asking

-- The person the current role is (NULL when it is nobody's). The helpers
-- below are PL/pgSQL: their plans are cached per session, and the policies
-- call them on every statement.
CREATE FUNCTION eco_current_user_id() RETURNS uuid
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    RETURN (SELECT id FROM public.users WHERE pg_role = current_user AND deleted_at IS NULL);
END
$$;

-- Whether the current role is a live global administrator.
CREATE FUNCTION eco_is_admin() RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    RETURN coalesce((SELECT is_admin FROM public.users
                      WHERE pg_role = current_user AND deleted_at IS NULL), false);
END
$$;

-- The ids of the roots on which the role `who` holds `cap` (NULL: any live
-- scope, which is what seeing a root takes; the tag library is then always
-- included). A global administrator, a superuser or a role that bypasses
-- row-level security holds everything on every root. Reads the scopes past
-- row-level security (the policies call it, and the scopes' own policies
-- call it), so it answers only for the session's own role or a role the
-- session may become.
CREATE FUNCTION eco_root_ids(who name, cap text) RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    person uuid;
    admin boolean;
    roots uuid[];
BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, who, 'MEMBER') THEN
        RETURN '{}';
    END IF;
    SELECT u.id, u.is_admin INTO person, admin
      FROM public.users u WHERE u.pg_role = who AND u.deleted_at IS NULL;
    IF admin OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                         WHERE r.rolname = who AND (r.rolsuper OR r.rolbypassrls)) THEN
        RETURN ARRAY(SELECT e.id FROM public.entities e WHERE e.parent_entity_id IS NULL);
    END IF;
    IF person IS NULL THEN
        RETURN '{}';
    END IF;
    IF cap IS NULL THEN
        roots := ARRAY(SELECT s.root_entity_id FROM public.user_root_entity_scopes s
                        WHERE s.user_id = person AND s.deleted_at IS NULL);
        RETURN roots || ARRAY(SELECT e.id FROM public.entities e
                                JOIN public.entity_type_definitions t ON t.id = e.entity_type_id
                               WHERE e.parent_entity_id IS NULL AND t.key = 'tag_library');
    END IF;
    RETURN ARRAY(SELECT s.root_entity_id FROM public.user_root_entity_scopes s
                  WHERE s.user_id = person AND s.deleted_at IS NULL AND s.capabilities ? cap);
END
$$;

-- The same roots as paths, for `@>` on `entities.path` (a root's path is
-- its id label). For those who hold everything, the empty path: the
-- ancestor of every path, roots created in the same statement included.
CREATE FUNCTION eco_root_paths(who name, cap text) RETURNS ltree[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    person uuid;
    admin boolean;
    paths public.ltree[];
BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, who, 'MEMBER') THEN
        RETURN '{}';
    END IF;
    SELECT u.id, u.is_admin INTO person, admin
      FROM public.users u WHERE u.pg_role = who AND u.deleted_at IS NULL;
    IF admin OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                         WHERE r.rolname = who AND (r.rolsuper OR r.rolbypassrls)) THEN
        RETURN ARRAY[''::public.ltree];
    END IF;
    IF person IS NULL THEN
        RETURN '{}';
    END IF;
    paths := ARRAY(SELECT public.text2ltree(replace(s.root_entity_id::text, '-', ''))
                     FROM public.user_root_entity_scopes s
                    WHERE s.user_id = person AND s.deleted_at IS NULL
                      AND (cap IS NULL OR s.capabilities ? cap));
    IF cap IS NULL THEN
        paths := paths || ARRAY(SELECT e.path FROM public.entities e
                                  JOIN public.entity_type_definitions t ON t.id = e.entity_type_id
                                 WHERE e.parent_entity_id IS NULL AND t.key = 'tag_library');
    END IF;
    RETURN paths;
END
$$;

-- Whether the current role holds `cap` on the root `root` (the core asks it
-- before a change, to refuse with a clear reason; the policies decide).
CREATE FUNCTION eco_has_capability(root uuid, cap text) RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    RETURN root = ANY (public.eco_root_ids(current_user, cap));
END
$$;

-- Who wrote an audit row, by default.
ALTER TABLE audit_events ALTER COLUMN actor_user_id SET DEFAULT eco_current_user_id();

-- ------------------------------------------------------------- policies

DO $$
DECLARE
    t text;
    a text;
    b text;
    owner_role name := current_user;
    -- Visible and writable, for a table with the entity in `entity_id`.
    seen constant text := 'EXISTS (SELECT 1 FROM entities e WHERE e.id = %s)';
    writable constant text :=
        'EXISTS (SELECT 1 FROM entities e WHERE e.id = %s '
        'AND (SELECT eco_root_paths(current_user, ''write'')) @> e.path)';
BEGIN
    -- Every table: row-level security on and forced, the owner unrestricted.
    FOR t IN SELECT c.relname FROM pg_class c
              WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                AND c.relname <> '_sqlx_migrations'
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY owner_all ON %I TO %I USING (true) WITH CHECK (true)',
                       t, owner_role);
    END LOOP;

    -- Global definitions: everyone reads, global administrators write. An
    -- update's USING is true so that anyone may lock a definition while
    -- writing values against it (SELECT ... FOR SHARE applies the UPDATE
    -- policy), and so that an update by anyone else fails loudly on the
    -- WITH CHECK instead of changing nothing.
    FOREACH t IN ARRAY ARRAY['entity_type_definitions', 'property_groups',
                             'property_definitions', 'tag_groups',
                             'entity_type_properties', 'users']
    LOOP
        EXECUTE format('CREATE POLICY people_select ON %I FOR SELECT TO eco_studio_people USING (true)', t);
        EXECUTE format('CREATE POLICY people_insert ON %I FOR INSERT TO eco_studio_people '
                       'WITH CHECK ((SELECT eco_is_admin()))', t);
        EXECUTE format('CREATE POLICY people_update ON %I FOR UPDATE TO eco_studio_people '
                       'USING (true) WITH CHECK ((SELECT eco_is_admin()))', t);
        EXECUTE format('CREATE POLICY people_delete ON %I FOR DELETE TO eco_studio_people '
                       'USING ((SELECT eco_is_admin()))', t);
    END LOOP;

    -- Tables of one entity's data: seen with the entity, written with write
    -- on its root.
    FOREACH t IN ARRAY ARRAY['entity_property_values', 'tags', 'entity_groups']
    LOOP
        EXECUTE format('CREATE POLICY people_select ON %I FOR SELECT TO eco_studio_people USING (%s)',
                       t, format(seen, 'entity_id'));
        EXECUTE format('CREATE POLICY people_insert ON %I FOR INSERT TO eco_studio_people WITH CHECK (%s)',
                       t, format(writable, 'entity_id'));
        EXECUTE format('CREATE POLICY people_update ON %I FOR UPDATE TO eco_studio_people '
                       'USING (%s) WITH CHECK (%s)',
                       t, format(writable, 'entity_id'), format(writable, 'entity_id'));
        EXECUTE format('CREATE POLICY people_delete ON %I FOR DELETE TO eco_studio_people USING (%s)',
                       t, format(writable, 'entity_id'));
    END LOOP;

    -- Links between two entities: seen when both ends are, written with
    -- write on the first end's root (the other end only has to be seen).
    FOR t, a, b IN SELECT * FROM (VALUES
            ('entity_tags', 'entity_id', 'tag_entity_id'),
            ('entity_group_members', 'group_entity_id', 'member_entity_id'),
            ('entity_relationships', 'source_entity_id', 'target_entity_id')) AS l(t, a, b)
    LOOP
        EXECUTE format('CREATE POLICY people_select ON %I FOR SELECT TO eco_studio_people '
                       'USING (%s AND %s)', t, format(seen, a), format(seen, b));
        EXECUTE format('CREATE POLICY people_insert ON %I FOR INSERT TO eco_studio_people '
                       'WITH CHECK (%s AND %s)', t, format(writable, a), format(seen, b));
        EXECUTE format('CREATE POLICY people_update ON %I FOR UPDATE TO eco_studio_people '
                       'USING (%s AND %s) WITH CHECK (%s AND %s)',
                       t, format(writable, a), format(seen, b), format(writable, a), format(seen, b));
        EXECUTE format('CREATE POLICY people_delete ON %I FOR DELETE TO eco_studio_people '
                       'USING (%s AND %s)', t, format(writable, a), format(seen, b));
    END LOOP;
END
$$;

-- Entities: seen under a root with any scope, changed with write there
-- (a move needs write where the entity is and where it goes), purged with
-- purge. Global administrators hold every root (and new ones: see
-- eco_root_paths).
CREATE POLICY people_select ON entities FOR SELECT TO eco_studio_people
    USING ((SELECT eco_root_paths(current_user, NULL)) @> path);
CREATE POLICY people_insert ON entities FOR INSERT TO eco_studio_people
    WITH CHECK ((SELECT eco_root_paths(current_user, 'write')) @> path);
CREATE POLICY people_update ON entities FOR UPDATE TO eco_studio_people
    USING ((SELECT eco_root_paths(current_user, 'write')) @> path)
    WITH CHECK ((SELECT eco_root_paths(current_user, 'write')) @> path);
CREATE POLICY people_delete ON entities FOR DELETE TO eco_studio_people
    USING ((SELECT eco_root_paths(current_user, 'purge')) @> path);

-- The read model carries its root: no join.
CREATE POLICY people_select ON entity_read_model FOR SELECT TO eco_studio_people
    USING (root_id = ANY ((SELECT eco_root_ids(current_user, NULL))::uuid[]));
CREATE POLICY people_insert ON entity_read_model FOR INSERT TO eco_studio_people
    WITH CHECK (root_id = ANY ((SELECT eco_root_ids(current_user, 'write'))::uuid[]));
CREATE POLICY people_update ON entity_read_model FOR UPDATE TO eco_studio_people
    USING (root_id = ANY ((SELECT eco_root_ids(current_user, 'write'))::uuid[]))
    WITH CHECK (root_id = ANY ((SELECT eco_root_ids(current_user, 'write'))::uuid[]));
CREATE POLICY people_delete ON entity_read_model FOR DELETE TO eco_studio_people
    USING (root_id = ANY ((SELECT eco_root_ids(current_user, 'write'))::uuid[]));

-- Scopes: a person sees their own; a root's administrators see and manage
-- the scopes on it.
CREATE POLICY people_select ON user_root_entity_scopes FOR SELECT TO eco_studio_people
    USING (user_id = (SELECT eco_current_user_id())
           OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[]));
CREATE POLICY people_insert ON user_root_entity_scopes FOR INSERT TO eco_studio_people
    WITH CHECK (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[]));
CREATE POLICY people_update ON user_root_entity_scopes FOR UPDATE TO eco_studio_people
    USING (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[]))
    WITH CHECK (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[]));
CREATE POLICY people_delete ON user_root_entity_scopes FOR DELETE TO eco_studio_people
    USING (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[]));

-- Tenant keys: seen with the root, managed by its administrators.
CREATE POLICY people_select ON tenant_encryption_keys FOR SELECT TO eco_studio_people
    USING (root_entity_id = ANY ((SELECT eco_root_ids(current_user, NULL))::uuid[]));
CREATE POLICY people_insert ON tenant_encryption_keys FOR INSERT TO eco_studio_people
    WITH CHECK (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[]));
CREATE POLICY people_update ON tenant_encryption_keys FOR UPDATE TO eco_studio_people
    USING (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[]))
    WITH CHECK (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[]));
CREATE POLICY people_delete ON tenant_encryption_keys FOR DELETE TO eco_studio_people
    USING (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[]));

CREATE POLICY people_select ON tenant_encryption_key_versions FOR SELECT TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM tenant_encryption_keys k WHERE k.id = tenant_encryption_key_id));
CREATE POLICY people_insert ON tenant_encryption_key_versions FOR INSERT TO eco_studio_people
    WITH CHECK (EXISTS (SELECT 1 FROM tenant_encryption_keys k WHERE k.id = tenant_encryption_key_id
                        AND k.root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])));
CREATE POLICY people_update ON tenant_encryption_key_versions FOR UPDATE TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM tenant_encryption_keys k WHERE k.id = tenant_encryption_key_id
                   AND k.root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])))
    WITH CHECK (EXISTS (SELECT 1 FROM tenant_encryption_keys k WHERE k.id = tenant_encryption_key_id
                        AND k.root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])));
CREATE POLICY people_delete ON tenant_encryption_key_versions FOR DELETE TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM tenant_encryption_keys k WHERE k.id = tenant_encryption_key_id
                   AND k.root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])));

-- Secret versions: seen with the secret's entity, written with
-- secrets:write on its root.
CREATE POLICY people_select ON vault_secret_versions FOR SELECT TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM entities e WHERE e.id = secret_entity_id)
           AND root_entity_id = ANY ((SELECT eco_root_ids(current_user, NULL))::uuid[]));
CREATE POLICY people_insert ON vault_secret_versions FOR INSERT TO eco_studio_people
    WITH CHECK (EXISTS (SELECT 1 FROM entities e WHERE e.id = secret_entity_id)
                AND root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'secrets:write'))::uuid[]));
CREATE POLICY people_update ON vault_secret_versions FOR UPDATE TO eco_studio_people
    USING (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'secrets:write'))::uuid[]))
    WITH CHECK (EXISTS (SELECT 1 FROM entities e WHERE e.id = secret_entity_id)
                AND root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'secrets:write'))::uuid[]));
CREATE POLICY people_delete ON vault_secret_versions FOR DELETE TO eco_studio_people
    USING (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'secrets:write'))::uuid[]));

-- Saved views: one's own; those pinned to a root one sees; unpinned views
-- without an owner are everyone's. A root's administrators manage its views.
CREATE POLICY people_select ON admin_saved_views FOR SELECT TO eco_studio_people
    USING (owner_user_id = (SELECT eco_current_user_id())
           OR (root_entity_id IS NULL AND owner_user_id IS NULL)
           OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, NULL))::uuid[]));
CREATE POLICY people_insert ON admin_saved_views FOR INSERT TO eco_studio_people
    WITH CHECK ((owner_user_id = (SELECT eco_current_user_id())
                 AND (root_entity_id IS NULL
                      OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, NULL))::uuid[])))
                OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])
                OR (SELECT eco_is_admin()));
CREATE POLICY people_update ON admin_saved_views FOR UPDATE TO eco_studio_people
    USING (owner_user_id = (SELECT eco_current_user_id())
           OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])
           OR (SELECT eco_is_admin()))
    WITH CHECK ((owner_user_id = (SELECT eco_current_user_id())
                 AND (root_entity_id IS NULL
                      OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, NULL))::uuid[])))
                OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])
                OR (SELECT eco_is_admin()));
CREATE POLICY people_delete ON admin_saved_views FOR DELETE TO eco_studio_people
    USING (owner_user_id = (SELECT eco_current_user_id())
           OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])
           OR (SELECT eco_is_admin()));

-- Audit rows: seen with their entity (rows about no entity, such as a type's
-- changes, by everyone); written only as oneself; never changed (the
-- append-only trigger refuses it too).
CREATE POLICY people_select ON audit_events FOR SELECT TO eco_studio_people
    USING (entity_id IS NULL OR EXISTS (SELECT 1 FROM entities e WHERE e.id = entity_id));
CREATE POLICY people_insert ON audit_events FOR INSERT TO eco_studio_people
    WITH CHECK (actor_pg_role = current_user
                AND (entity_id IS NULL OR EXISTS (SELECT 1 FROM entities e WHERE e.id = entity_id)));
CREATE POLICY people_update ON audit_events FOR UPDATE TO eco_studio_people
    USING (false) WITH CHECK (false);
CREATE POLICY people_delete ON audit_events FOR DELETE TO eco_studio_people
    USING (false);

-- ----------------------------------------------------------------- grants

GRANT USAGE ON SCHEMA public TO eco_studio_people;
GRANT SELECT, INSERT, UPDATE, DELETE ON
    entity_type_definitions, entities, entity_relationships, entity_groups,
    entity_group_members, user_root_entity_scopes, tenant_encryption_keys,
    tenant_encryption_key_versions, vault_secret_versions, property_groups,
    property_definitions, entity_property_values, tag_groups, tags,
    entity_tags, admin_saved_views, entity_type_properties, entity_read_model
    TO eco_studio_people;
GRANT SELECT ON users TO eco_studio_people;
GRANT SELECT, INSERT ON audit_events TO eco_studio_people;
-- The app checks that the schema is current before it works.
GRANT SELECT ON _sqlx_migrations TO eco_studio_people;

REVOKE ALL ON FUNCTION eco_root_ids(name, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION eco_root_paths(name, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eco_root_ids(name, text) TO eco_studio_people;
GRANT EXECUTE ON FUNCTION eco_root_paths(name, text) TO eco_studio_people;

-- ------------------------------------------------------- managing people

-- Whether the session may manage people: a live global administrator, or a
-- maintenance role that could create roles anyway (the owner, a superuser).
CREATE FUNCTION eco_may_manage_people() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, public, pg_temp
AS $$
    SELECT coalesce((SELECT rolsuper OR rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = session_user), false)
        OR EXISTS (SELECT 1 FROM public.users
                    WHERE pg_role = session_user AND is_admin AND deleted_at IS NULL)
$$;

-- Adds a person. With `create_role`, creates their login role (with the
-- SCRAM verifier of their password when given: the password itself never
-- reaches the server); otherwise links an existing role, which must not be
-- a superuser or bypass row-level security. Either way the role joins
-- eco_studio_people. Returns the person's id.
CREATE FUNCTION eco_add_person(role_name name, display_name text, email text,
                               create_role boolean, password_verifier text, admin boolean)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    person uuid := gen_random_uuid();
    found pg_catalog.pg_roles%ROWTYPE;
BEGIN
    IF NOT public.eco_may_manage_people() THEN
        RAISE EXCEPTION 'only a global administrator can add people'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF role_name !~ '^[a-z_][a-z0-9_]{0,62}$' OR role_name LIKE 'pg\_%' THEN
        RAISE EXCEPTION 'a role name is lowercase letters, digits and underscores, not starting with pg_'
            USING ERRCODE = 'check_violation', COLUMN = 'pg_role';
    END IF;
    IF coalesce(btrim(display_name), '') = '' THEN
        RAISE EXCEPTION 'a person needs a name'
            USING ERRCODE = 'check_violation', COLUMN = 'display_name';
    END IF;
    IF EXISTS (SELECT 1 FROM public.users u WHERE u.pg_role = role_name AND u.deleted_at IS NULL) THEN
        RAISE EXCEPTION 'the role % already belongs to a person', role_name
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'uq_users_pg_role_active';
    END IF;
    SELECT * INTO found FROM pg_catalog.pg_roles r WHERE r.rolname = role_name;
    IF create_role THEN
        IF found.rolname IS NOT NULL THEN
            RAISE EXCEPTION 'a role named % exists already; link it instead', role_name
                USING ERRCODE = 'duplicate_object', COLUMN = 'pg_role';
        END IF;
        IF password_verifier IS NULL THEN
            EXECUTE format('CREATE ROLE %I LOGIN', role_name);
        ELSE
            IF password_verifier !~ '^SCRAM-SHA-256\$' THEN
                RAISE EXCEPTION 'a password is given as its SCRAM-SHA-256 verifier'
                    USING ERRCODE = 'check_violation', COLUMN = 'password';
            END IF;
            EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', role_name, password_verifier);
        END IF;
    ELSE
        IF found.rolname IS NULL THEN
            RAISE EXCEPTION 'there is no role named %', role_name
                USING ERRCODE = 'undefined_object', COLUMN = 'pg_role';
        END IF;
        IF found.rolsuper OR found.rolbypassrls THEN
            RAISE EXCEPTION 'the role % is a superuser or bypasses row-level security: it cannot be a person''s', role_name
                USING ERRCODE = 'check_violation', COLUMN = 'pg_role';
        END IF;
        EXECUTE format('ALTER ROLE %I LOGIN', role_name);
    END IF;
    EXECUTE format('GRANT eco_studio_people TO %I', role_name);
    INSERT INTO public.users (id, pg_role, display_name, email, is_admin, created_at, updated_at)
    VALUES (person, role_name, btrim(display_name), nullif(btrim(email), ''), admin, now(), now());
    RETURN person;
END
$$;

-- Deactivates a person: their role can no longer log in and leaves
-- eco_studio_people; their user row is kept (soft-deleted) for history.
CREATE FUNCTION eco_deactivate_person(person uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    role_name name;
BEGIN
    IF NOT public.eco_may_manage_people() THEN
        RAISE EXCEPTION 'only a global administrator can deactivate people'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT u.pg_role INTO role_name FROM public.users u WHERE u.id = person AND u.deleted_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no active person with id %', person USING ERRCODE = 'no_data_found';
    END IF;
    IF role_name = session_user THEN
        RAISE EXCEPTION 'you cannot deactivate yourself' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE public.users SET deleted_at = now(), updated_at = now() WHERE id = person;
    IF role_name IS NOT NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = role_name) THEN
        EXECUTE format('ALTER ROLE %I NOLOGIN', role_name);
        EXECUTE format('REVOKE eco_studio_people FROM %I', role_name);
    END IF;
END
$$;

REVOKE ALL ON FUNCTION eco_add_person(name, text, text, boolean, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION eco_deactivate_person(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eco_add_person(name, text, text, boolean, text, boolean) TO eco_studio_people;
GRANT EXECUTE ON FUNCTION eco_deactivate_person(uuid) TO eco_studio_people;
