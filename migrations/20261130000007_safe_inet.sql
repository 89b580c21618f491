-- A view may ask whether an IP address property lies in a subnet. Values
-- are checked when they are written, but a value kept from an earlier type
-- of the property may be any text, and a failing cast would fail the whole
-- view. This reads text as an address, or NULL when it is not one.
CREATE FUNCTION eco_try_inet(value text) RETURNS inet
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN value::inet;
EXCEPTION WHEN invalid_text_representation OR invalid_parameter_value THEN
    RETURN NULL;
END
$$;
