-- Names are searched in the read model (its `name` column has a trigram
-- index and statistics of its own, one row per live entity), so the
-- partial trigram index on the name values and the statistics on the value
-- expression serve nothing any more; every value write paid for the index.
DROP INDEX IF EXISTS idx_entity_names_trgm;
DROP STATISTICS IF EXISTS stx_entity_property_values_text;
