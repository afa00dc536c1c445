-- +goose Up
-- Reads that never wait on a busy journey (issue 16): the moderation queue is read from the
-- projection, so it keeps what the queue shows of an assessment waiting for its moderator.
-- The Record activity writes them on every step; rows written before this migration get them
-- on their application's next step (until then recommended is NULL, and the queue asks the
-- journey for that row).
ALTER TABLE applications ADD COLUMN assessor_name text NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN recommended text;
ALTER TABLE applications ADD COLUMN moderation_reasons text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE applications DROP COLUMN moderation_reasons;
ALTER TABLE applications DROP COLUMN recommended;
ALTER TABLE applications DROP COLUMN assessor_name;
