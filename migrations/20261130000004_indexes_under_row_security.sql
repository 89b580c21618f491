-- Indexes under row-level security.
--
-- Under row-level security PostgreSQL evaluates the policies' conditions
-- before a statement's own, unless the statement's condition is LEAKPROOF
-- (it cannot reveal anything about the rows it sees). An index scan
-- evaluates its condition first, so a condition whose function is not
-- LEAKPROOF cannot use an index: a subtree's path range, an ancestry test,
-- a JSON or array containment then reads every row a person may see.
--
-- The functions below compare values of valid rows and fail for none, so
-- they are marked LEAKPROOF (which takes a superuser; the embedded
-- database migrates as one). Where the migration does not run as a
-- superuser, they stay as they are and `eco-studio doctor --security`
-- reports it.
--
-- Searching names and path labels uses ILIKE, which can fail on a
-- malformed pattern and so is not marked: two SECURITY DEFINER functions
-- search past row-level security and apply the same visibility as the
-- policies (the roots of the caller's live scopes).

DO $$
DECLARE
    f text;
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE NOTICE 'not a superuser: the index-friendly functions stay non-LEAKPROOF (doctor --security reports it)';
        RETURN;
    END IF;
    FOREACH f IN ARRAY ARRAY[
        'ltree_lt(ltree, ltree)', 'ltree_le(ltree, ltree)', 'ltree_eq(ltree, ltree)',
        'ltree_ge(ltree, ltree)', 'ltree_gt(ltree, ltree)', 'ltree_ne(ltree, ltree)',
        'ltree_isparent(ltree, ltree)', 'ltree_risparent(ltree, ltree)',
        '_ltree_isparent(ltree[], ltree)', '_ltree_r_isparent(ltree, ltree[])',
        '_ltree_risparent(ltree[], ltree)', '_ltree_r_risparent(ltree, ltree[])',
        'jsonb_contains(jsonb, jsonb)', 'jsonb_contained(jsonb, jsonb)',
        'jsonb_exists(jsonb, text)', 'jsonb_exists_any(jsonb, text[])',
        'jsonb_exists_all(jsonb, text[])',
        'arraycontains(anyarray, anyarray)', 'arraycontained(anyarray, anyarray)',
        'arrayoverlap(anyarray, anyarray)']
    LOOP
        EXECUTE format('ALTER FUNCTION %s LEAKPROOF', f);
    END LOOP;
END
$$;

-- Live entities whose name matches `pattern` (ILIKE), at most `lim`, among
-- those `who` sees. Dynamic SQL, so each search is planned for its own
-- pattern (a common word and a rare one want different plans).
CREATE FUNCTION eco_search_names(who name, pattern text, lim bigint)
RETURNS TABLE (id uuid, name text, path_label text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    RETURN QUERY EXECUTE
        'SELECT r.entity_id, r.name, r.path_label
           FROM public.entity_read_model r
          WHERE r.name ILIKE $1 AND r.root_id = ANY ($2)
          LIMIT $3'
        USING pattern, public.eco_root_ids(who, NULL), lim;
END
$$;

-- Live entities whose path label matches `pattern` (ILIKE), at most `lim`,
-- among those `who` sees.
CREATE FUNCTION eco_search_labels(who name, pattern text, lim bigint)
RETURNS TABLE (id uuid, name text, path_label text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    RETURN QUERY EXECUTE
        'SELECT e.id, r.name, e.path_label
           FROM public.entities e
           JOIN public.entity_read_model r ON r.entity_id = e.id
          WHERE e.path_label ILIKE $1 AND e.deleted_at IS NULL AND r.root_id = ANY ($2)
          LIMIT $3'
        USING pattern, public.eco_root_ids(who, NULL), lim;
END
$$;

REVOKE ALL ON FUNCTION eco_search_names(name, text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION eco_search_labels(name, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eco_search_names(name, text, bigint) TO eco_studio_people;
GRANT EXECUTE ON FUNCTION eco_search_labels(name, text, bigint) TO eco_studio_people;
