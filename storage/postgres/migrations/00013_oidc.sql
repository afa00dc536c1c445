-- +goose Up
-- Council staff sign in with their council's OpenID provider (OIDC), configured per tenant.
-- The issuer is exact (Microsoft Entra ID issuers are per directory:
-- https://login.microsoftonline.com/<directory-id>/v2.0), never a pattern. The client secret
-- is not stored here: it comes from the environment as OIDC_SECRET_<TENANT> (see
-- services/oidc), so a database dump holds no secret and an admin cannot point the product at
-- some other environment variable.
CREATE TABLE oidc_providers (
    tenant_id    text PRIMARY KEY REFERENCES tenants(id),
    issuer       text NOT NULL,
    client_id    text NOT NULL,
    display_name text NOT NULL,
    enabled      boolean NOT NULL DEFAULT false,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- A staff member's account at a provider: matched on the issuer's subject, never on email
-- alone. One subject per person per issuer: a second account at the same issuer claiming the
-- same email is refused, not linked.
CREATE TABLE oidc_identities (
    tenant_id  text NOT NULL REFERENCES tenants(id),
    issuer     text NOT NULL,
    subject    text NOT NULL,
    person_id  text NOT NULL REFERENCES people(id),
    linked_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, issuer, subject),
    UNIQUE (tenant_id, issuer, person_id)
);

-- A sign-in under way: kept server-side so it is single use (the callback deletes it) and
-- bound to the browser that started it (browser_hash is the SHA-256 of a random HttpOnly
-- cookie). state_hash is the SHA-256 of the state sent to the provider.
CREATE TABLE oidc_flows (
    state_hash    bytea PRIMARY KEY,
    tenant_id     text NOT NULL REFERENCES tenants(id),
    browser_hash  bytea NOT NULL,
    nonce         text NOT NULL,
    code_verifier text NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX oidc_flows_expires ON oidc_flows (expires_at);

-- +goose Down
DROP TABLE oidc_flows;
DROP TABLE oidc_identities;
DROP TABLE oidc_providers;
