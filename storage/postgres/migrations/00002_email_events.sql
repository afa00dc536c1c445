-- +goose Up
-- Events from SendGrid's event webhook, once each (SendGrid may deliver an event twice).
CREATE TABLE email_events (
    event_id    text PRIMARY KEY,
    tenant_id   text NOT NULL DEFAULT '',
    dedupe_key  text NOT NULL DEFAULT '',
    kind        text NOT NULL,
    email       text NOT NULL,
    message_id  text NOT NULL DEFAULT '',
    reason      text NOT NULL DEFAULT '',
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_events_dedupe ON email_events (dedupe_key, kind);

-- An address the provider refused or bounced is flagged on the person, for admins.
ALTER TABLE people ADD COLUMN email_problem text;
ALTER TABLE people ADD COLUMN email_problem_at timestamptz;

-- "sending": handed to the provider, outcome not yet recorded (see activities/mail.go).
ALTER TABLE email_outbox ADD COLUMN claimed_at timestamptz;

-- +goose Down
ALTER TABLE email_outbox DROP COLUMN claimed_at;
ALTER TABLE people DROP COLUMN email_problem_at;
ALTER TABLE people DROP COLUMN email_problem;
DROP TABLE email_events;
