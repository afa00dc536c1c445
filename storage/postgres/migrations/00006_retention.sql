-- +goose Up
-- Retention (SPEC §3): six years after an application closed, its evidence and personal data
-- are erased and an anonymised record is kept for reports, unless an admin set a legal hold.
ALTER TABLE applications ADD COLUMN legal_hold boolean NOT NULL DEFAULT false;
ALTER TABLE applications ADD COLUMN legal_hold_reason text;
ALTER TABLE applications ADD COLUMN erased_at timestamptz;
-- Erasure keeps an object that a later application still references (evidence carried forward).
CREATE INDEX evidence_object_key ON evidence (object_key);

-- Submitted evidence stays immutable, except that erasure may delete the rows of the
-- application it erases: storage/postgres/retention.go sets award.erasing for its own
-- transaction only (SET LOCAL), so nothing else can delete submitted evidence.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION evidence_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('award.erasing', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF OLD.immutable THEN
        RAISE EXCEPTION 'evidence % was submitted and is immutable', OLD.id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION evidence_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.immutable THEN
        RAISE EXCEPTION 'evidence % was submitted and is immutable', OLD.id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
DROP INDEX evidence_object_key;
ALTER TABLE applications DROP COLUMN erased_at;
ALTER TABLE applications DROP COLUMN legal_hold_reason;
ALTER TABLE applications DROP COLUMN legal_hold;
