-- +goose Up
-- People an admin deactivates can no longer sign in: active is checked on every token and
-- session (at once, not at the next sign-in). access_version counts changes to what a person
-- may do (roles, active); a session made before a change carries an older number and is
-- renewed (or refused), so a removed role or a deactivation takes effect immediately.
ALTER TABLE people ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE people ADD COLUMN access_version bigint NOT NULL DEFAULT 1;
ALTER TABLE people ADD COLUMN access_changed_at timestamptz NOT NULL DEFAULT now();

-- +goose Down
ALTER TABLE people DROP COLUMN access_changed_at;
ALTER TABLE people DROP COLUMN access_version;
ALTER TABLE people DROP COLUMN active;
