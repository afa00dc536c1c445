-- +goose Up
-- A tenant may override the journey's default timers, and may name its own SendGrid dynamic
-- templates per message type (then the app sends template_id with the same data).
ALTER TABLE tenants ADD COLUMN settings jsonb;
ALTER TABLE tenants ADD COLUMN email_templates jsonb NOT NULL DEFAULT '{}';

-- Reminders to one person are merged into one email a day (SPEC §3 rules). A digest is one
-- person's bucket for one day; its items are the reminders that fell into it. Once sent_at is
-- set the bucket is closed: a later reminder that day goes into the next day's digest, so no
-- one gets two digests in a day.
CREATE TABLE email_digests (
    tenant_id text NOT NULL,
    person_id text NOT NULL,
    day       date NOT NULL,
    send_at   timestamptz NOT NULL,
    sent_at   timestamptz,
    PRIMARY KEY (person_id, day)
);

CREATE TABLE email_digest_items (
    dedupe_key     text PRIMARY KEY, -- the reminder's own (journey, step, type, recipient) key
    tenant_id      text NOT NULL,
    person_id      text NOT NULL,
    day            date NOT NULL,
    application_id text,
    kind           text NOT NULL,
    data           jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_digest_items_bucket ON email_digest_items (person_id, day);

-- +goose Down
DROP TABLE email_digest_items;
DROP TABLE email_digests;
ALTER TABLE tenants DROP COLUMN email_templates;
ALTER TABLE tenants DROP COLUMN settings;
