-- +goose Up
-- The outbox of journey starts. Registration writes the application row and the journey's start
-- input (workflows.ApplicationInput as JSON) in one transaction, then starts the workflow by its
-- id and sets started_at. A process that dies in between leaves started_at NULL, and a sweeper
-- (journeys.Sweeper, in the worker and the embedded stack) starts the journey from the stored
-- input: so there is never an application without a journey for longer than the sweep.
--
-- A table of its own rather than columns on applications: the input is several kilobytes (the
-- framework's standards, the tenant's settings, carried evidence) that only matters until the
-- journey holds it, so it is cleared once started (the journey's history keeps it; erasure need
-- not know about this table), and the projection that every list reads stays narrow. Existing
-- applications have no row here, which means "started": their journeys were started the old way.
CREATE TABLE journey_starts (
    application_id text PRIMARY KEY REFERENCES applications(id),
    tenant_id      text NOT NULL,
    input          jsonb,                  -- the journey's start input; NULL once started
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,            -- when the journey was seen started; NULL = not yet
    attempts       int NOT NULL DEFAULT 0, -- sweeps that tried to start it
    retry_at       timestamptz,            -- a sweeper holds it (or backs off) until then
    last_error     text                    -- why the last sweep could not start it
);
-- The sweeper's and the stuck list's work: only registrations whose journey has not started.
CREATE INDEX journey_starts_pending ON journey_starts (tenant_id, created_at) WHERE started_at IS NULL;

-- +goose Down
DROP TABLE journey_starts;
