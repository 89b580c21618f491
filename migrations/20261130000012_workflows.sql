-- Workflows: a draft document per workflow, immutable published versions,
-- executions pinned to the version they started on, one row per step
-- attempt, approval requests with their votes, in-app notifications, and
-- the position of the engine in the audit stream.
--
-- The engine (`studio-core::workflows::engine`) claims executions with
-- `FOR UPDATE SKIP LOCKED` under a lease, so any number of runners share one
-- database; each step commits its effect together with its step row, and a
-- unique index on the succeeded step of a position makes a second
-- application of the same step impossible.

CREATE TABLE workflows (
    id uuid PRIMARY KEY,
    -- The root whose entities it acts on; NULL: the whole registry (global
    -- administrators only).
    root_entity_id uuid NULL REFERENCES entities(id) ON DELETE RESTRICT,
    key text NULL,
    name text NOT NULL,
    description text NULL,
    enabled boolean NOT NULL DEFAULT false,
    -- Since when it is enabled: only later events trigger it.
    enabled_at timestamptz NULL,
    -- The document being edited (unpublished), a versioned DSL document.
    draft jsonb NOT NULL,
    published_version_id uuid NULL,
    -- The next firing of a schedule trigger (published and enabled only).
    next_fire_at timestamptz NULL,
    created_by_user_id uuid NULL REFERENCES users(id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE UNIQUE INDEX uq_workflows_key ON workflows (key) WHERE deleted_at IS NULL AND key IS NOT NULL;
CREATE INDEX idx_workflows_root ON workflows (root_entity_id);
CREATE INDEX idx_workflows_schedule ON workflows (next_fire_at)
    WHERE next_fire_at IS NOT NULL AND deleted_at IS NULL AND enabled;

-- A published document: never changed (people have no UPDATE policy on it,
-- and the core never updates one; only soft-deleted with its workflow).
CREATE TABLE workflow_versions (
    id uuid PRIMARY KEY,
    workflow_id uuid NOT NULL REFERENCES workflows(id) ON DELETE RESTRICT,
    version integer NOT NULL,
    dsl jsonb NOT NULL,
    -- Its nodes act with this person's rights.
    published_by_user_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    published_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE UNIQUE INDEX uq_workflow_versions_number ON workflow_versions (workflow_id, version);

ALTER TABLE workflows ADD CONSTRAINT fk_workflows_published_version
    FOREIGN KEY (published_version_id) REFERENCES workflow_versions(id) ON DELETE RESTRICT;


CREATE TABLE workflow_executions (
    id uuid PRIMARY KEY,
    workflow_id uuid NOT NULL REFERENCES workflows(id) ON DELETE RESTRICT,
    -- The version it started on; it runs on no other.
    version_id uuid NOT NULL REFERENCES workflow_versions(id) ON DELETE RESTRICT,
    root_entity_id uuid NULL REFERENCES entities(id) ON DELETE RESTRICT,
    -- The entity it runs on (NULL for a schedule without one).
    entity_id uuid NULL REFERENCES entities(id) ON DELETE RESTRICT,
    -- manual, entityEvent, schedule, alertRaised, retry.
    trigger_kind text NOT NULL,
    trigger_data jsonb NOT NULL DEFAULT '{}',
    -- The audit event that started it (entity events and alerts).
    trigger_event_id uuid NULL,
    initiated_by_user_id uuid NULL REFERENCES users(id) ON DELETE RESTRICT,
    -- The execution this one retries from its trigger (a reference kept as
    -- history, like an audit row's: no foreign key).
    retry_of_execution_id uuid NULL,
    -- queued, running, waiting, succeeded, failed, cancelled.
    status text NOT NULL,
    -- The node to run next (NULL once finished), its position in the path
    -- and the attempt at it.
    current_node text NULL,
    position integer NOT NULL DEFAULT 0,
    attempt integer NOT NULL DEFAULT 1,
    -- The outputs of the nodes run so far, by node id.
    outputs jsonb NOT NULL DEFAULT '{}',
    error text NULL,
    -- When a runner may take it (queued now, after a back-off, a delay or
    -- an approval's deadline).
    next_run_at timestamptz NULL,
    -- The runner holding it, until the lease ends.
    claimed_by text NULL,
    lease_until timestamptz NULL,
    cancel_requested boolean NOT NULL DEFAULT false,
    started_at timestamptz NULL,
    finished_at timestamptz NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE INDEX idx_workflow_executions_ready ON workflow_executions (next_run_at)
    WHERE status IN ('queued', 'running', 'waiting') AND deleted_at IS NULL;
CREATE INDEX idx_workflow_executions_workflow ON workflow_executions (workflow_id, created_at DESC);
CREATE INDEX idx_workflow_executions_entity ON workflow_executions (entity_id, created_at DESC);
CREATE INDEX idx_workflow_executions_recent ON workflow_executions (created_at DESC);
-- One execution per workflow and audit event: a trigger never fires twice.
CREATE UNIQUE INDEX uq_workflow_executions_event ON workflow_executions (workflow_id, trigger_event_id)
    WHERE trigger_event_id IS NOT NULL;

CREATE TABLE workflow_execution_steps (
    id uuid PRIMARY KEY,
    execution_id uuid NOT NULL REFERENCES workflow_executions(id) ON DELETE RESTRICT,
    node_id text NOT NULL,
    node_type text NOT NULL,
    -- The step's place in the execution's path, and the attempt at it.
    position integer NOT NULL,
    attempt integer NOT NULL,
    -- succeeded, failed, waiting, skipped.
    status text NOT NULL,
    -- The outcome taken (true/false, approved/rejected, done, ...).
    outcome text NULL,
    input jsonb NOT NULL DEFAULT '{}',
    output jsonb NULL,
    error text NULL,
    -- Which runner ran it.
    runner text NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE UNIQUE INDEX uq_workflow_execution_steps_attempt
    ON workflow_execution_steps (execution_id, position, attempt);
-- A step's effect is applied once: one succeeded row per position.
CREATE UNIQUE INDEX uq_workflow_execution_steps_done
    ON workflow_execution_steps (execution_id, position) WHERE status IN ('succeeded', 'skipped');

CREATE TABLE approval_requests (
    id uuid PRIMARY KEY,
    execution_id uuid NOT NULL REFERENCES workflow_executions(id) ON DELETE RESTRICT,
    node_id text NOT NULL,
    position integer NOT NULL,
    entity_id uuid NULL REFERENCES entities(id) ON DELETE RESTRICT,
    root_entity_id uuid NULL REFERENCES entities(id) ON DELETE RESTRICT,
    title text NOT NULL,
    -- How many approvals it takes.
    required integer NOT NULL,
    -- Who may vote: these people, and/or those holding the capability on
    -- the root.
    approver_user_ids uuid[] NOT NULL DEFAULT '{}',
    capability text NULL,
    -- The execution's initiator, who may not vote.
    initiator_user_id uuid NULL REFERENCES users(id) ON DELETE RESTRICT,
    deadline_at timestamptz NULL,
    -- approved, rejected or failed, when the deadline passes.
    on_deadline text NOT NULL DEFAULT 'rejected',
    -- pending, approved, rejected, expired, cancelled.
    status text NOT NULL,
    decided_at timestamptz NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE UNIQUE INDEX uq_approval_requests_step ON approval_requests (execution_id, position);
CREATE INDEX idx_approval_requests_pending ON approval_requests (root_entity_id, created_at DESC)
    WHERE status = 'pending' AND deleted_at IS NULL;

CREATE TABLE approval_votes (
    id uuid PRIMARY KEY,
    request_id uuid NOT NULL REFERENCES approval_requests(id) ON DELETE RESTRICT,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    -- approve or reject.
    decision text NOT NULL,
    comment text NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
-- One vote per person: counted once however often they press.
CREATE UNIQUE INDEX uq_approval_votes_person ON approval_votes (request_id, user_id)
    WHERE deleted_at IS NULL;

CREATE TABLE notifications (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    message text NOT NULL,
    entity_id uuid NULL REFERENCES entities(id) ON DELETE RESTRICT,
    execution_id uuid NULL REFERENCES workflow_executions(id) ON DELETE RESTRICT,
    read_at timestamptz NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE INDEX idx_notifications_user ON notifications (user_id, created_at DESC) WHERE deleted_at IS NULL;

-- Where the engine is in the audit stream: the last transaction (and
-- event) whose entity events became executions. Events are taken only from
-- transactions older than every running one (the snapshot's xmin), so one
-- that commits late is never skipped.
CREATE TABLE workflow_dispatch (
    id uuid PRIMARY KEY,
    last_xact xid8 NOT NULL,
    last_event_id uuid NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);

INSERT INTO workflow_dispatch (id, last_xact, last_event_id, created_at, updated_at)
VALUES ('01900000-0000-7000-8000-0000000000d1', '0', '00000000-0000-0000-0000-000000000000', now(), now());

-- The transaction of each audit row, for the stream above. Older rows keep
-- NULL (the engine starts at the present); no table rewrite.
ALTER TABLE audit_events ADD COLUMN xact_id xid8 NULL;
ALTER TABLE audit_events ALTER COLUMN xact_id SET DEFAULT pg_current_xact_id();
CREATE INDEX idx_audit_events_xact ON audit_events (xact_id, id) WHERE xact_id IS NOT NULL;

-- A vote wakes its execution (the engine recounts): a person cannot update
-- executions, so this narrow function does it for them.
CREATE FUNCTION eco_wake_approval(request uuid) RETURNS void
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
    UPDATE public.workflow_executions e SET next_run_at = now()
      FROM public.approval_requests r
     WHERE r.id = request AND r.status = 'pending' AND e.id = r.execution_id AND e.status = 'waiting';
$$;
REVOKE ALL ON FUNCTION eco_wake_approval(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eco_wake_approval(uuid) TO eco_studio_people;

-- ------------------------------------------------------- row-level security

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['workflows', 'workflow_versions', 'workflow_executions',
                             'workflow_execution_steps', 'approval_requests', 'approval_votes',
                             'notifications', 'workflow_dispatch']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY owner_all ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
    END LOOP;
END
$$;

-- Workflows: seen under a root one sees; edited with workflows:edit on it.
-- Root-less ones belong to global administrators.
CREATE POLICY people_select ON workflows FOR SELECT TO eco_studio_people
    USING (root_entity_id = ANY ((SELECT eco_root_ids(current_user, NULL))::uuid[])
           OR (root_entity_id IS NULL AND (SELECT eco_is_admin())));
CREATE POLICY people_insert ON workflows FOR INSERT TO eco_studio_people
    WITH CHECK (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'workflows:edit'))::uuid[])
                OR (SELECT eco_is_admin()));
CREATE POLICY people_update ON workflows FOR UPDATE TO eco_studio_people
    USING (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'workflows:edit'))::uuid[])
           OR (SELECT eco_is_admin()))
    WITH CHECK (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'workflows:edit'))::uuid[])
                OR (SELECT eco_is_admin()));
CREATE POLICY people_delete ON workflows FOR DELETE TO eco_studio_people
    USING (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'workflows:edit'))::uuid[])
           OR (SELECT eco_is_admin()));

-- Versions go with their workflow; added by its editors; never changed.
CREATE POLICY people_select ON workflow_versions FOR SELECT TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM workflows w WHERE w.id = workflow_id));
CREATE POLICY people_insert ON workflow_versions FOR INSERT TO eco_studio_people
    WITH CHECK (published_by_user_id = (SELECT eco_current_user_id())
                AND EXISTS (SELECT 1 FROM workflows w WHERE w.id = workflow_id
                            AND (w.root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'workflows:edit'))::uuid[])
                                 OR (SELECT eco_is_admin()))));
CREATE POLICY people_update ON workflow_versions FOR UPDATE TO eco_studio_people USING (false);
CREATE POLICY people_delete ON workflow_versions FOR DELETE TO eco_studio_people USING (false);

-- Executions: seen with their workflow; started and cancelled with
-- workflows:run on the root.
CREATE POLICY people_select ON workflow_executions FOR SELECT TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM workflows w WHERE w.id = workflow_id));
CREATE POLICY people_insert ON workflow_executions FOR INSERT TO eco_studio_people
    WITH CHECK (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'workflows:run'))::uuid[])
                OR (SELECT eco_is_admin()));
CREATE POLICY people_update ON workflow_executions FOR UPDATE TO eco_studio_people
    USING (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'workflows:run'))::uuid[])
           OR (SELECT eco_is_admin()))
    WITH CHECK (root_entity_id = ANY ((SELECT eco_root_ids(current_user, 'workflows:run'))::uuid[])
                OR (SELECT eco_is_admin()));
CREATE POLICY people_delete ON workflow_executions FOR DELETE TO eco_studio_people USING (false);

-- Steps and approval requests: with their execution; written by the engine.
CREATE POLICY people_select ON workflow_execution_steps FOR SELECT TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM workflow_executions e WHERE e.id = execution_id));
CREATE POLICY people_select ON approval_requests FOR SELECT TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM workflow_executions e WHERE e.id = execution_id)
           OR (SELECT eco_current_user_id()) = ANY (approver_user_ids));
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['workflow_execution_steps', 'approval_requests']
    LOOP
        EXECUTE format('CREATE POLICY people_insert ON %I FOR INSERT TO eco_studio_people WITH CHECK (false)', t);
        EXECUTE format('CREATE POLICY people_update ON %I FOR UPDATE TO eco_studio_people USING (false)', t);
        EXECUTE format('CREATE POLICY people_delete ON %I FOR DELETE TO eco_studio_people USING (false)', t);
    END LOOP;
END
$$;

-- Votes: seen with their request; cast by an eligible approver for
-- themselves on a pending request, never by the execution's initiator.
CREATE POLICY people_select ON approval_votes FOR SELECT TO eco_studio_people
    USING (EXISTS (SELECT 1 FROM approval_requests r WHERE r.id = request_id));
CREATE POLICY people_insert ON approval_votes FOR INSERT TO eco_studio_people
    WITH CHECK (user_id = (SELECT eco_current_user_id())
                AND EXISTS (SELECT 1 FROM approval_requests r
                             WHERE r.id = request_id AND r.status = 'pending' AND r.deleted_at IS NULL
                               AND r.initiator_user_id IS DISTINCT FROM (SELECT eco_current_user_id())
                               AND ((SELECT eco_current_user_id()) = ANY (r.approver_user_ids)
                                    OR (r.capability IS NOT NULL
                                        AND r.root_entity_id = ANY ((SELECT eco_root_ids(current_user, r.capability))::uuid[])))));
CREATE POLICY people_update ON approval_votes FOR UPDATE TO eco_studio_people USING (false);
CREATE POLICY people_delete ON approval_votes FOR DELETE TO eco_studio_people USING (false);

-- Notifications: one's own; marked read by their reader.
CREATE POLICY people_select ON notifications FOR SELECT TO eco_studio_people
    USING (user_id = (SELECT eco_current_user_id()));
CREATE POLICY people_insert ON notifications FOR INSERT TO eco_studio_people WITH CHECK (false);
CREATE POLICY people_update ON notifications FOR UPDATE TO eco_studio_people
    USING (user_id = (SELECT eco_current_user_id()))
    WITH CHECK (user_id = (SELECT eco_current_user_id()));
CREATE POLICY people_delete ON notifications FOR DELETE TO eco_studio_people USING (false);

-- The dispatch position is the engine's alone.
CREATE POLICY people_select ON workflow_dispatch FOR SELECT TO eco_studio_people USING (false);
CREATE POLICY people_insert ON workflow_dispatch FOR INSERT TO eco_studio_people WITH CHECK (false);
CREATE POLICY people_update ON workflow_dispatch FOR UPDATE TO eco_studio_people USING (false);
CREATE POLICY people_delete ON workflow_dispatch FOR DELETE TO eco_studio_people USING (false);

GRANT SELECT, INSERT, UPDATE, DELETE ON workflows, workflow_versions, workflow_executions,
    workflow_execution_steps, approval_requests, approval_votes, notifications, workflow_dispatch
    TO eco_studio_people;
