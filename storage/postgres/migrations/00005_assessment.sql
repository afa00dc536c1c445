-- +goose Up
-- Who holds an application now (for inboxes and access checks) and what it was awarded.
ALTER TABLE applications ADD COLUMN assessor_id text;
ALTER TABLE applications ADD COLUMN moderator_id text;
ALTER TABLE applications ADD COLUMN level_awarded text;
ALTER TABLE applications ADD COLUMN decided_at timestamptz;
CREATE INDEX applications_assessor ON applications (tenant_id, assessor_id) WHERE assessor_id IS NOT NULL;
CREATE INDEX applications_moderator ON applications (tenant_id, moderator_id) WHERE moderator_id IS NOT NULL;

-- +goose Down
DROP INDEX applications_moderator;
DROP INDEX applications_assessor;
ALTER TABLE applications DROP COLUMN decided_at;
ALTER TABLE applications DROP COLUMN level_awarded;
ALTER TABLE applications DROP COLUMN moderator_id;
ALTER TABLE applications DROP COLUMN assessor_id;
