-- Each person's roots, kept ready for the policies.
--
-- Every policy asks `eco_root_paths` or `eco_root_ids` once per statement
-- which roots the current role holds a capability on. Working that out from
-- `users`, `user_root_entity_scopes` and the catalog took about 30 µs a
-- call; a statement of a fraction of a millisecond paid it twice, which
-- made a scoped person's quick reads 1.5 to 1.7 times slower than the
-- owner's. `person_roots` holds the answer, one row per live person and
-- capability (the empty capability: any live scope, what seeing takes),
-- and the helpers read one row by its key (about 5 µs).
--
-- Triggers keep it true: a change to a person or a scope recomputes that
-- person's rows in the same transaction; a change to the tag library's
-- root (which everyone with a login sees) recomputes everyone's. A role
-- without rows (a maintenance role, a superuser, a capability the schema
-- does not know) is answered the old way, from the tables themselves.

CREATE TABLE person_roots (
    pg_role text NOT NULL,
    -- '' for "any live scope", else one capability.
    capability text NOT NULL,
    -- A global administrator (or a role that bypasses row-level security):
    -- every root, those created later included.
    everything boolean NOT NULL,
    root_ids uuid[] NOT NULL,
    paths ltree[] NOT NULL,
    PRIMARY KEY (pg_role, capability)
);

-- Read only through the helpers (as the owner). A person may read their
-- own rows; nobody but the owner writes them.
ALTER TABLE person_roots ENABLE ROW LEVEL SECURITY;
ALTER TABLE person_roots FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON person_roots TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY people_select ON person_roots FOR SELECT TO eco_studio_people
    USING (pg_role = current_user);
CREATE POLICY people_insert ON person_roots FOR INSERT TO eco_studio_people WITH CHECK (false);
CREATE POLICY people_update ON person_roots FOR UPDATE TO eco_studio_people
    USING (false) WITH CHECK (false);
CREATE POLICY people_delete ON person_roots FOR DELETE TO eco_studio_people USING (false);
GRANT SELECT ON person_roots TO eco_studio_people;

-- Recomputes the rows of the people whose roles are in `roles` (NULL:
-- everyone). Two transactions changing one person's scopes at once must
-- not leave the rows of whichever computed first: the first statement
-- takes the person's rows, so a second refresh waits for the first to
-- commit and then reads the scopes afresh (read committed), or fails to
-- serialize and is retried (repeatable read and above).
CREATE FUNCTION eco_refresh_person_roots(roles text[]) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    UPDATE public.person_roots r SET everything = r.everything
     WHERE roles IS NULL OR r.pg_role = ANY (roles);

    DELETE FROM public.person_roots r
     WHERE (roles IS NULL OR r.pg_role = ANY (roles))
       AND NOT EXISTS (SELECT 1 FROM public.users u
                        WHERE u.pg_role = r.pg_role AND u.deleted_at IS NULL);

    INSERT INTO public.person_roots AS r (pg_role, capability, everything, root_ids, paths)
    SELECT u.pg_role, c.capability,
           u.is_admin OR coalesce(b.bypasses, false),
           held.ids || CASE WHEN c.capability = '' THEN library.ids ELSE '{}' END,
           ARRAY(SELECT public.text2ltree(replace(i::text, '-', '')) FROM unnest(held.ids) i)
             || CASE WHEN c.capability = '' THEN library.paths ELSE '{}' END
      FROM public.users u
      CROSS JOIN unnest(ARRAY['', 'read', 'write', 'admin', 'purge', 'secrets:read',
                              'secrets:write', 'workflows:run', 'workflows:edit']) AS c(capability)
      LEFT JOIN LATERAL (SELECT rr.rolsuper OR rr.rolbypassrls AS bypasses
                           FROM pg_catalog.pg_roles rr WHERE rr.rolname = u.pg_role) b ON true
      CROSS JOIN LATERAL (SELECT ARRAY(SELECT s.root_entity_id FROM public.user_root_entity_scopes s
                                        WHERE s.user_id = u.id AND s.deleted_at IS NULL
                                          AND (c.capability = '' OR s.capabilities ? c.capability)
                                        ORDER BY s.root_entity_id) AS ids) held
      CROSS JOIN (SELECT coalesce(array_agg(e.id ORDER BY e.id), '{}') AS ids,
                         coalesce(array_agg(e.path ORDER BY e.id), '{}') AS paths
                    FROM public.entities e
                    JOIN public.entity_type_definitions t ON t.id = e.entity_type_id
                   WHERE e.parent_entity_id IS NULL AND t.key = 'tag_library') library
     WHERE u.deleted_at IS NULL AND u.pg_role IS NOT NULL
       AND (roles IS NULL OR u.pg_role = ANY (roles))
    ON CONFLICT (pg_role, capability) DO UPDATE
       SET everything = excluded.everything, root_ids = excluded.root_ids, paths = excluded.paths;
END
$$;

REVOKE ALL ON FUNCTION eco_refresh_person_roots(text[]) FROM PUBLIC;
-- The triggers below run as whoever changes a person or a scope.
GRANT EXECUTE ON FUNCTION eco_refresh_person_roots(text[]) TO eco_studio_people;

-- A person changed: their rows, under the old role and the new.
CREATE FUNCTION eco_person_changed() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM public.eco_refresh_person_roots(ARRAY[NEW.pg_role]);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM public.eco_refresh_person_roots(ARRAY[OLD.pg_role]);
    ELSE
        PERFORM public.eco_refresh_person_roots(ARRAY[OLD.pg_role, NEW.pg_role]);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_person_roots
    AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION eco_person_changed();

-- A scope changed: the rows of the person it belongs to.
CREATE FUNCTION eco_scope_changed() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    people uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        people := ARRAY[NEW.user_id];
    ELSIF TG_OP = 'DELETE' THEN
        people := ARRAY[OLD.user_id];
    ELSE
        people := ARRAY[OLD.user_id, NEW.user_id];
    END IF;
    PERFORM public.eco_refresh_person_roots(
        ARRAY(SELECT u.pg_role FROM public.users u
               WHERE u.id = ANY (people) AND u.pg_role IS NOT NULL));
    RETURN NULL;
END
$$;

CREATE TRIGGER scopes_person_roots
    AFTER INSERT OR UPDATE OR DELETE ON user_root_entity_scopes
    FOR EACH ROW EXECUTE FUNCTION eco_scope_changed();

-- A root came, went or changed type: if it is (or was) the tag library,
-- everyone's "seeing" rows. Only roots reach the function.
CREATE FUNCTION eco_root_changed() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    types uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        types := ARRAY[NEW.entity_type_id];
    ELSIF TG_OP = 'DELETE' THEN
        types := ARRAY[OLD.entity_type_id];
    ELSE
        types := ARRAY[OLD.entity_type_id, NEW.entity_type_id];
    END IF;
    IF EXISTS (SELECT 1 FROM public.entity_type_definitions t
                WHERE t.id = ANY (types) AND t.key = 'tag_library') THEN
        PERFORM public.eco_refresh_person_roots(NULL);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER roots_person_roots_insert
    AFTER INSERT ON entities
    FOR EACH ROW WHEN (NEW.parent_entity_id IS NULL)
    EXECUTE FUNCTION eco_root_changed();
CREATE TRIGGER roots_person_roots_delete
    AFTER DELETE ON entities
    FOR EACH ROW WHEN (OLD.parent_entity_id IS NULL)
    EXECUTE FUNCTION eco_root_changed();
CREATE TRIGGER roots_person_roots_update
    AFTER UPDATE OF parent_entity_id, entity_type_id ON entities
    FOR EACH ROW WHEN ((OLD.parent_entity_id IS NULL OR NEW.parent_entity_id IS NULL)
                       AND (OLD.parent_entity_id IS DISTINCT FROM NEW.parent_entity_id
                            OR OLD.entity_type_id IS DISTINCT FROM NEW.entity_type_id))
    EXECUTE FUNCTION eco_root_changed();

-- A type's key changed (the tag library is found by its key): everyone.
CREATE FUNCTION eco_type_key_changed() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    PERFORM public.eco_refresh_person_roots(NULL);
    RETURN NULL;
END
$$;

CREATE TRIGGER types_person_roots
    AFTER UPDATE OF key ON entity_type_definitions
    FOR EACH STATEMENT EXECUTE FUNCTION eco_type_key_changed();

-- The helpers read the rows; without one they work it out as before.
CREATE OR REPLACE FUNCTION eco_root_ids(who name, cap text) RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    everything boolean;
    ids uuid[];
    person uuid;
    admin boolean;
BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, who, 'MEMBER') THEN
        RETURN '{}';
    END IF;
    SELECT r.everything, r.root_ids INTO everything, ids
      FROM public.person_roots r WHERE r.pg_role = who::text AND r.capability = coalesce(cap, '');
    IF FOUND AND NOT everything THEN
        RETURN ids;
    END IF;
    IF NOT FOUND THEN
        SELECT u.id, u.is_admin INTO person, admin
          FROM public.users u WHERE u.pg_role = who AND u.deleted_at IS NULL;
        everything := coalesce(admin, false)
            OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                        WHERE r.rolname = who AND (r.rolsuper OR r.rolbypassrls));
    END IF;
    IF everything THEN
        RETURN ARRAY(SELECT e.id FROM public.entities e WHERE e.parent_entity_id IS NULL);
    END IF;
    IF person IS NULL THEN
        RETURN '{}';
    END IF;
    ids := ARRAY(SELECT s.root_entity_id FROM public.user_root_entity_scopes s
                  WHERE s.user_id = person AND s.deleted_at IS NULL
                    AND (cap IS NULL OR s.capabilities ? cap));
    IF cap IS NULL THEN
        ids := ids || ARRAY(SELECT e.id FROM public.entities e
                              JOIN public.entity_type_definitions t ON t.id = e.entity_type_id
                             WHERE e.parent_entity_id IS NULL AND t.key = 'tag_library');
    END IF;
    RETURN ids;
END
$$;

CREATE OR REPLACE FUNCTION eco_root_paths(who name, cap text) RETURNS ltree[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    everything boolean;
    person uuid;
    admin boolean;
    paths public.ltree[];
BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, who, 'MEMBER') THEN
        RETURN '{}';
    END IF;
    SELECT r.everything, r.paths INTO everything, paths
      FROM public.person_roots r WHERE r.pg_role = who::text AND r.capability = coalesce(cap, '');
    IF FOUND THEN
        RETURN CASE WHEN everything THEN ARRAY[''::public.ltree] ELSE paths END;
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

-- The people there already.
SELECT eco_refresh_person_roots(NULL);
