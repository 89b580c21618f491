-- Dashboards and their widgets, metric series with their samples and daily
-- rollups, and alerts.
--
-- Samples: one plain table keyed by (series, time) with the value carried in
-- the key's index (an index-only scan reads a series' range without touching
-- the heap). Measured at 50 million samples this serves a 30-day series in
-- well under a millisecond and a year in a few; BRIN on time alone could not
-- find one series' rows (0.5 to 1 s per query), and partitions by time added
-- planning work without making any of these faster. Daily rollups serve the
-- ranges where a bucket spans whole days, and the totals over many series.
--
-- Samples and rollups carry no `id` and no `deleted_at`: a reading is a fact
-- that is never edited (a re-import of the same (series, time) is skipped),
-- and it is removed with its series, which is soft-deleted like every other
-- record. Their series key is checked once per statement (a row trigger, as
-- a foreign key would add, halved the import rate in measurement).

CREATE TABLE dashboards (
    id uuid PRIMARY KEY,
    owner_user_id uuid NULL REFERENCES users(id) ON DELETE RESTRICT,
    root_entity_id uuid NULL REFERENCES entities(id) ON DELETE RESTRICT,
    key text NULL,
    name text NOT NULL,
    description text NULL,
    -- Seconds between automatic refreshes; NULL: refreshed by hand.
    refresh_seconds integer NULL,
    -- The dashboard's variables (a root, a time range), a versioned document.
    variables jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE UNIQUE INDEX uq_dashboards_key ON dashboards (key) WHERE deleted_at IS NULL AND key IS NOT NULL;
CREATE INDEX idx_dashboards_root ON dashboards (root_entity_id);

CREATE TABLE dashboard_widgets (
    id uuid PRIMARY KEY,
    dashboard_id uuid NOT NULL REFERENCES dashboards(id) ON DELETE RESTRICT,
    widget_type text NOT NULL,
    title text NULL,
    layout_x integer NOT NULL,
    layout_y integer NOT NULL,
    layout_w integer NOT NULL,
    layout_h integer NOT NULL,
    config jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE INDEX idx_dashboard_widgets_dashboard ON dashboard_widgets (dashboard_id);

CREATE TABLE metric_series (
    id uuid PRIMARY KEY,
    entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    -- The entity's root, kept in step on moves: the series' readers.
    root_entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    metric_key text NOT NULL,
    unit text NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE UNIQUE INDEX uq_metric_series_entity_metric ON metric_series (entity_id, metric_key)
    WHERE deleted_at IS NULL;
CREATE INDEX idx_metric_series_metric ON metric_series (metric_key, entity_id);
CREATE INDEX idx_metric_series_root ON metric_series (root_entity_id);

CREATE TABLE metric_samples (
    series_id uuid NOT NULL,
    ts timestamptz NOT NULL,
    value double precision NOT NULL,
    CONSTRAINT metric_samples_pkey PRIMARY KEY (series_id, ts) INCLUDE (value)
);

-- One row per series and UTC day: count, least, greatest and sum.
CREATE TABLE metric_rollups_daily (
    series_id uuid NOT NULL,
    day timestamptz NOT NULL,
    n integer NOT NULL,
    min_value double precision NOT NULL,
    max_value double precision NOT NULL,
    sum_value double precision NOT NULL,
    CONSTRAINT metric_rollups_daily_pkey PRIMARY KEY (series_id, day)
        INCLUDE (n, min_value, max_value, sum_value)
);

-- The series key of samples and rollups, checked per statement.
CREATE FUNCTION eco_check_series_rows() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT series_id FROM new_rows) n
               WHERE NOT EXISTS (SELECT 1 FROM metric_series s WHERE s.id = n.series_id)) THEN
        RAISE EXCEPTION 'a metric sample names a series that does not exist'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_TABLE_NAME || '_series_id_fkey';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER metric_samples_series_check AFTER INSERT ON metric_samples
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION eco_check_series_rows();
CREATE TRIGGER metric_rollups_daily_series_check AFTER INSERT ON metric_rollups_daily
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION eco_check_series_rows();

-- A series with samples is not removed (its samples would be orphans).
CREATE FUNCTION eco_keep_series_with_samples() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows o WHERE EXISTS (SELECT 1 FROM metric_samples m WHERE m.series_id = o.id)
                                          OR EXISTS (SELECT 1 FROM metric_rollups_daily m WHERE m.series_id = o.id)) THEN
        RAISE EXCEPTION 'a metric series still has samples'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'metric_samples_series_id_fkey';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER metric_series_keep_samples AFTER DELETE ON metric_series
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION eco_keep_series_with_samples();

CREATE TABLE alerts (
    id uuid PRIMARY KEY,
    entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    root_entity_id uuid NOT NULL REFERENCES entities(id) ON DELETE RESTRICT,
    -- info, warning or critical.
    level text NOT NULL,
    message text NOT NULL,
    -- pending, acknowledged or resolved.
    status text NOT NULL,
    -- Who or what raised it: a person, the command line, a workflow.
    source text NOT NULL,
    raised_at timestamptz NOT NULL,
    raised_by_user_id uuid NULL REFERENCES users(id) ON DELETE RESTRICT,
    acknowledged_at timestamptz NULL,
    acknowledged_by_user_id uuid NULL REFERENCES users(id) ON DELETE RESTRICT,
    resolved_at timestamptz NULL,
    resolved_by_user_id uuid NULL REFERENCES users(id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE INDEX idx_alerts_entity ON alerts (entity_id, raised_at DESC);
CREATE INDEX idx_alerts_open ON alerts (root_entity_id, raised_at DESC)
    WHERE status <> 'resolved' AND deleted_at IS NULL;

-- ------------------------------------------------------- row-level security

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['dashboards', 'dashboard_widgets', 'metric_series', 'metric_samples',
                             'metric_rollups_daily', 'alerts']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY owner_all ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
    END LOOP;
END
$$;

-- Dashboards, as saved views: one's own; those pinned to a root one sees;
-- unpinned ones without an owner are everyone's. A root's administrators
-- manage its dashboards.
CREATE POLICY people_select ON dashboards FOR SELECT TO eco_studio_people
    USING (owner_user_id = (SELECT eco_current_user_id())
           OR (root_entity_id IS NULL AND owner_user_id IS NULL)
           OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, NULL))::uuid[]));
CREATE POLICY people_insert ON dashboards FOR INSERT TO eco_studio_people
    WITH CHECK ((owner_user_id = (SELECT eco_current_user_id())
                 AND (root_entity_id IS NULL
                      OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, NULL))::uuid[])))
                OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])
                OR (SELECT eco_is_admin()));
CREATE POLICY people_update ON dashboards FOR UPDATE TO eco_studio_people
    USING (owner_user_id = (SELECT eco_current_user_id())
           OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])
           OR (SELECT eco_is_admin()))
    WITH CHECK ((owner_user_id = (SELECT eco_current_user_id())
                 AND (root_entity_id IS NULL
                      OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, NULL))::uuid[])))
                OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])
                OR (SELECT eco_is_admin()));
CREATE POLICY people_delete ON dashboards FOR DELETE TO eco_studio_people
    USING (owner_user_id = (SELECT eco_current_user_id())
           OR root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])
           OR (SELECT eco_is_admin()));

-- Widgets go with their dashboard (its own policies decide, inside EXISTS).
CREATE POLICY people_select ON dashboard_widgets FOR SELECT TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM dashboards d WHERE d.id = dashboard_id));
CREATE POLICY people_insert ON dashboard_widgets FOR INSERT TO eco_studio_people
    WITH CHECK (EXISTS (SELECT 1 FROM dashboards d WHERE d.id = dashboard_id
                        AND (d.owner_user_id = (SELECT eco_current_user_id())
                             OR d.root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])
                             OR (SELECT eco_is_admin()))));
CREATE POLICY people_update ON dashboard_widgets FOR UPDATE TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM dashboards d WHERE d.id = dashboard_id
                   AND (d.owner_user_id = (SELECT eco_current_user_id())
                        OR d.root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])
                        OR (SELECT eco_is_admin()))));
CREATE POLICY people_delete ON dashboard_widgets FOR DELETE TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM dashboards d WHERE d.id = dashboard_id
                   AND (d.owner_user_id = (SELECT eco_current_user_id())
                        OR d.root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'admin'))::uuid[])
                        OR (SELECT eco_is_admin()))));

-- Series and alerts: seen under a root with any scope, written with write.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['metric_series', 'alerts']
    LOOP
        EXECUTE format('CREATE POLICY people_select ON %I FOR SELECT TO eco_studio_people '
                       'USING (root_entity_id = ANY ((SELECT eco_root_ids(current_user, NULL))::uuid[]))', t);
        EXECUTE format('CREATE POLICY people_insert ON %I FOR INSERT TO eco_studio_people '
                       'WITH CHECK (root_entity_id = ANY ((SELECT eco_root_ids(current_user, ''write''))::uuid[]))', t);
        EXECUTE format('CREATE POLICY people_update ON %I FOR UPDATE TO eco_studio_people '
                       'USING (root_entity_id = ANY ((SELECT eco_root_ids(current_user, ''write''))::uuid[])) '
                       'WITH CHECK (root_entity_id = ANY ((SELECT eco_root_ids(current_user, ''write''))::uuid[]))', t);
        EXECUTE format('CREATE POLICY people_delete ON %I FOR DELETE TO eco_studio_people '
                       'USING (root_entity_id = ANY ((SELECT eco_root_ids(current_user, ''write''))::uuid[]))', t);
    END LOOP;

    -- Samples and rollups: with their series (whose policies decide inside
    -- EXISTS); added with write on the series' root; never changed.
    FOREACH t IN ARRAY ARRAY['metric_samples', 'metric_rollups_daily']
    LOOP
        EXECUTE format('CREATE POLICY people_select ON %I FOR SELECT TO eco_studio_people '
                       'USING (EXISTS (SELECT 1 FROM metric_series s WHERE s.id = series_id))', t);
        EXECUTE format('CREATE POLICY people_insert ON %I FOR INSERT TO eco_studio_people '
                       'WITH CHECK (EXISTS (SELECT 1 FROM metric_series s WHERE s.id = series_id '
                       'AND s.root_entity_id = ANY ((SELECT eco_root_ids(current_user, ''write''))::uuid[])))', t);
        EXECUTE format('CREATE POLICY people_update ON %I FOR UPDATE TO eco_studio_people '
                       'USING (EXISTS (SELECT 1 FROM metric_series s WHERE s.id = series_id '
                       'AND s.root_entity_id = ANY ((SELECT eco_root_ids(current_user, ''write''))::uuid[])))', t);
        EXECUTE format('CREATE POLICY people_delete ON %I FOR DELETE TO eco_studio_people '
                       'USING (EXISTS (SELECT 1 FROM metric_series s WHERE s.id = series_id '
                       'AND s.root_entity_id = ANY ((SELECT eco_root_ids(current_user, ''write''))::uuid[])))', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON dashboards, dashboard_widgets, metric_series, metric_samples,
    metric_rollups_daily, alerts TO eco_studio_people;
