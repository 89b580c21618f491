-- "View as": a global administrator sees the registry as one person sees
-- it, without their password. The administrator's login role is made a
-- member of the person's role, so its session may `SET ROLE` to it; the
-- policies then answer for the person (they read `current_user`). Person
-- roles hold nothing beyond eco_studio_people, so the membership grants
-- nothing else. The app keeps such a session read-only.
CREATE FUNCTION eco_allow_view_as(person uuid) RETURNS name
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    target name;
BEGIN
    IF NOT public.eco_may_manage_people() THEN
        RAISE EXCEPTION 'only a global administrator can view as another person'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT u.pg_role INTO target FROM public.users u WHERE u.id = person AND u.deleted_at IS NULL;
    IF target IS NULL THEN
        RAISE EXCEPTION 'no active person with id % and a role', person USING ERRCODE = 'no_data_found';
    END IF;
    IF NOT pg_catalog.pg_has_role(session_user, target, 'MEMBER') THEN
        EXECUTE format('GRANT %I TO %I', target, session_user);
    END IF;
    RETURN target;
END
$$;

REVOKE ALL ON FUNCTION eco_allow_view_as(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eco_allow_view_as(uuid) TO eco_studio_people;
