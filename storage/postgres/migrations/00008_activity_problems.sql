-- +goose Up
-- Activities failing again and again, for the admins' stuck list (SPEC §4). The worker's
-- interceptor (worker/problems.go) writes a row when an attempt fails from the third attempt on
-- and deletes it when the activity succeeds; the API checks each row against Temporal's pending
-- activities, so a row left behind (the workflow moved on) is never shown and is removed.
CREATE TABLE activity_problems (
    workflow_id    text NOT NULL,
    run_id         text NOT NULL,
    activity_id    text NOT NULL,
    tenant_id      text,          -- NULL when the workflow belongs to no tenant we know
    application_id text,          -- the application whose journey runs the activity, if any
    activity_type  text NOT NULL,
    attempt        int  NOT NULL,
    last_error     text NOT NULL,
    scheduled_at   timestamptz NOT NULL, -- when the activity was first scheduled: stuck since
    failed_at      timestamptz NOT NULL, -- the last failed attempt
    PRIMARY KEY (workflow_id, run_id, activity_id)
);
CREATE INDEX activity_problems_tenant ON activity_problems (tenant_id, scheduled_at);

-- The stuck list's "bounced email" reason starts from the few people whose address has a
-- problem and finds the applications they must act on next.
CREATE INDEX people_email_problem ON people (tenant_id) WHERE email_problem IS NOT NULL;
CREATE INDEX applications_tenant_applicant ON applications (tenant_id, applicant_id) WHERE active;

-- +goose Down
DROP INDEX applications_tenant_applicant;
DROP INDEX people_email_problem;
DROP TABLE activity_problems;
