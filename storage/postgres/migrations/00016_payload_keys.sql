-- +goose Up
-- Payload data keys (issue 14): every Temporal payload (workflow inputs, activity inputs and
-- results, signals, updates, queries, failure messages) is encrypted with AES-256-GCM under a
-- data key (payloadcrypt). Each application has its own key ("app/<application id>"); payloads
-- that belong to no application use their tenant's ("tenant/<tenant id>") or, failing that, the
-- system key ("system").
--
-- A data key is stored only wrapped (encrypted) by a key-encryption key (KEK) that is never in
-- the database: PAYLOAD_KEYS / PAYLOAD_KEY_FILE (or a cloud KMS later). kek_id names the KEK
-- that wrapped it, so the KEK can be rotated: new keys are wrapped by the current KEK and old
-- ones still unwrap under theirs.
--
-- Crypto-shredding: the retention erasure sets wrapped to NULL and shredded_at; the row stays
-- so that the key id is never handed out again and a decode says "destroyed", not "unknown".
-- Once the row's wrapped key is gone (and the database backups that held it have expired),
-- nothing can decrypt the application's Temporal histories.
CREATE TABLE payload_keys (
    key_id         text PRIMARY KEY,
    tenant_id      text,
    application_id text,
    kek_id         text,
    wrapped        bytea,
    created_at     timestamptz NOT NULL DEFAULT now(),
    shredded_at    timestamptz,
    CHECK ((wrapped IS NULL) = (shredded_at IS NOT NULL)),
    CHECK ((wrapped IS NULL) OR (kek_id IS NOT NULL))
);
CREATE INDEX payload_keys_application ON payload_keys (application_id) WHERE application_id IS NOT NULL;

-- +goose Down
DROP TABLE payload_keys;
