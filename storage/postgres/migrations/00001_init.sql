-- +goose Up
-- Every row belongs to a tenant (a local authority); queries always filter by tenant_id.

CREATE TABLE tenants (
    id           text PRIMARY KEY,
    name         text NOT NULL,
    sender_email text NOT NULL,
    sender_name  text NOT NULL,
    reply_to     text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE people (
    id         text PRIMARY KEY,
    tenant_id  text NOT NULL REFERENCES tenants(id),
    name       text NOT NULL,
    email      text NOT NULL,
    roles      text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, email)
);

-- Tokens are stored as SHA-256 hashes; the plain token is shown once.
CREATE TABLE api_tokens (
    token_hash bytea PRIMARY KEY,
    person_id  text NOT NULL REFERENCES people(id),
    label      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A setting is the applicant organisation or household; its reference is unique within the tenant.
CREATE TABLE settings (
    id           text PRIMARY KEY,
    tenant_id    text NOT NULL REFERENCES tenants(id),
    reference    text NOT NULL,
    name         text NOT NULL,
    track        text NOT NULL,
    variant      text NOT NULL,
    applicant_id text NOT NULL REFERENCES people(id),
    supporter_id text REFERENCES people(id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, reference)
);

CREATE TABLE frameworks (
    id         text NOT NULL,
    version    int  NOT NULL,
    variant    text NOT NULL,
    sample     boolean NOT NULL,
    body       jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, version)
);

CREATE TABLE toolkit_documents (
    variant      text NOT NULL,
    filename     text NOT NULL,
    title        text NOT NULL,
    content_type text NOT NULL,
    object_key   text NOT NULL,
    PRIMARY KEY (variant, filename)
);

-- The projection of each application's workflow state, for lists and access checks.
-- The workflow is the source of truth; `seq` makes projection writes idempotent and ordered.
CREATE TABLE applications (
    id                text PRIMARY KEY,
    tenant_id         text NOT NULL REFERENCES tenants(id),
    setting_id        text NOT NULL REFERENCES settings(id),
    applicant_id      text NOT NULL REFERENCES people(id),
    track             text NOT NULL,
    variant           text NOT NULL,
    framework_id      text NOT NULL,
    framework_version int  NOT NULL,
    stage             text NOT NULL,
    active            boolean NOT NULL DEFAULT true,
    next_action       text NOT NULL DEFAULT '',
    due_at            timestamptz,
    target_level      text,
    flags             text[] NOT NULL DEFAULT '{}',
    seq               bigint NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    submitted_at      timestamptz,
    closed_at         timestamptz
);
-- One active application per setting, enforced by the database so concurrent registrations cannot race.
CREATE UNIQUE INDEX applications_one_active_per_setting ON applications (setting_id) WHERE active;
CREATE INDEX applications_tenant_stage ON applications (tenant_id, stage);

CREATE TABLE evidence (
    id             text PRIMARY KEY,
    application_id text NOT NULL REFERENCES applications(id),
    tenant_id      text NOT NULL REFERENCES tenants(id),
    object_key     text NOT NULL,
    filename       text NOT NULL,
    content_type   text NOT NULL,
    size_bytes     bigint NOT NULL,
    sha256         text NOT NULL,
    standards      text[] NOT NULL,
    note           text NOT NULL DEFAULT '',
    state          text NOT NULL,
    immutable      boolean NOT NULL DEFAULT false,
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    confirmed_at   timestamptz,
    removed_at     timestamptz,
    submitted_at   timestamptz
);
CREATE INDEX evidence_application ON evidence (application_id);

-- Submitted evidence is immutable: the database refuses to change or delete it.
-- +goose StatementBegin
CREATE FUNCTION evidence_immutable() RETURNS trigger AS $$
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
CREATE TRIGGER evidence_immutable BEFORE UPDATE OR DELETE ON evidence
    FOR EACH ROW EXECUTE FUNCTION evidence_immutable();

-- Append-only audit trail: who did what, when.
CREATE TABLE audit_log (
    id             bigserial PRIMARY KEY,
    tenant_id      text NOT NULL,
    application_id text,
    actor          text NOT NULL,
    action         text NOT NULL,
    detail         jsonb NOT NULL DEFAULT '{}',
    dedupe_key     text UNIQUE,
    at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_application ON audit_log (application_id, id);
-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Outbox of emails: one row per (journey, step, message type, recipient), so a message is sent at most once.
CREATE TABLE email_outbox (
    dedupe_key     text PRIMARY KEY,
    tenant_id      text NOT NULL,
    application_id text,
    message_type   text NOT NULL,
    recipient      text NOT NULL,
    subject        text NOT NULL,
    status         text NOT NULL,
    provider_id    text,
    attempts       int NOT NULL DEFAULT 0,
    last_error     text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    sent_at        timestamptz
);

-- +goose Down
DROP TABLE email_outbox;
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only;
DROP TABLE evidence;
DROP FUNCTION evidence_immutable;
DROP TABLE applications;
DROP TABLE toolkit_documents;
DROP TABLE frameworks;
DROP TABLE settings;
DROP TABLE api_tokens;
DROP TABLE people;
DROP TABLE tenants;
