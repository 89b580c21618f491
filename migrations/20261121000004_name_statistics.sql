-- Statistics on the name expression, so the planner knows how common a
-- searched word is: a common word is then found by a scan that stops at
-- the count cap instead of a trigram bitmap over every match.
CREATE STATISTICS stx_entity_property_values_text ON ((value #>> '{}')) FROM entity_property_values;
ANALYZE entity_property_values;
