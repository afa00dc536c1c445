-- +goose Up
-- The assessor roster: what allocation needs to know about people holding the assessor or
-- moderator role. A person with the role but no row here is on the roster with the defaults.
CREATE TABLE assessors (
    person_id         text PRIMARY KEY REFERENCES people(id),
    tenant_id         text NOT NULL REFERENCES tenants(id),
    tracks            text[] NOT NULL DEFAULT '{}',
    specialisms       text[] NOT NULL DEFAULT '{}',
    capacity          int NOT NULL DEFAULT 3 CHECK (capacity >= 0),
    active            boolean NOT NULL DEFAULT true,
    last_allocated_at timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assessors_tenant ON assessors (tenant_id);

-- A declared conflict of interest: the person is never allocated to that setting.
CREATE TABLE assessor_conflicts (
    tenant_id  text NOT NULL REFERENCES tenants(id),
    person_id  text NOT NULL REFERENCES people(id),
    setting_id text NOT NULL REFERENCES settings(id),
    reason     text NOT NULL CHECK (btrim(reason) <> ''),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, setting_id)
);

-- One row per offer of an application to an assessor or moderator. The id is chosen by the
-- workflow (e.g. "<application>/offer/2") so that a retried activity finds its own row.
-- Open work (offered or accepted) counts against an assessor's capacity.
CREATE TABLE assignments (
    id             text PRIMARY KEY,
    tenant_id      text NOT NULL REFERENCES tenants(id),
    application_id text NOT NULL REFERENCES applications(id),
    setting_id     text NOT NULL REFERENCES settings(id),
    person_id      text NOT NULL REFERENCES people(id),
    role           text NOT NULL CHECK (role IN ('assessor', 'moderator')),
    state          text NOT NULL CHECK (state IN ('offered', 'accepted', 'declined', 'expired', 'completed', 'released')),
    reason         text NOT NULL DEFAULT '',
    offered_at     timestamptz NOT NULL DEFAULT now(),
    accepted_at    timestamptz,
    closed_at      timestamptz
);
CREATE INDEX assignments_person_state ON assignments (person_id, state);
CREATE INDEX assignments_application ON assignments (application_id);
CREATE INDEX assignments_setting_completed ON assignments (setting_id, closed_at) WHERE state = 'completed';

-- +goose Down
DROP TABLE assignments;
DROP TABLE assessor_conflicts;
DROP TABLE assessors;
