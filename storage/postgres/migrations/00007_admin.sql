-- +goose Up
-- What admins need to find stuck applications and report: who acts next, what an application
-- reassesses, the stage each audit line moved from and to, and indexes for the stuck list.
ALTER TABLE applications ADD COLUMN next_who text NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN reassessment_of text;
ALTER TABLE applications ADD COLUMN previous_level text;
CREATE INDEX applications_tenant_due ON applications (tenant_id, due_at) WHERE active;
CREATE INDEX applications_flags ON applications USING gin (flags);
ALTER TABLE audit_log ADD COLUMN stage_before text;
ALTER TABLE audit_log ADD COLUMN stage_after text;
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);

-- +goose Down
DROP INDEX audit_log_tenant_at;
ALTER TABLE audit_log DROP COLUMN stage_after;
ALTER TABLE audit_log DROP COLUMN stage_before;
DROP INDEX applications_flags;
DROP INDEX applications_tenant_due;
ALTER TABLE applications DROP COLUMN previous_level;
ALTER TABLE applications DROP COLUMN reassessment_of;
ALTER TABLE applications DROP COLUMN next_who;
