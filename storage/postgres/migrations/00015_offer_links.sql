-- +goose Up
-- One-click offer links (issue 13): the link in an assessor_offer email opens that one offer's
-- accept-or-decline page without signing in, answers it once, and is a credential nowhere
-- else. One row per offer (assignment), bound to its tenant, application and person.
--
-- The token is HMAC-SHA256(OFFER_LINK_KEY, offer, salt) (services/offerlinks/offertoken): the
-- email activity derives it again on a retry or a nudge, so the link already sent keeps
-- working and an offer never has two live tokens. Only the token's SHA-256 and the salt are
-- kept: neither this table nor the key alone answers an offer.
--
-- expires_at is the offer's deadline when the link was last emailed; the page checks the
-- journey's own deadline (an admin may extend it). used_at and answer say how the link was
-- used (a row is kept 30 days after its offer closed, to say so).
CREATE TABLE offer_links (
    assignment_id  text PRIMARY KEY REFERENCES assignments(id) ON DELETE CASCADE,
    tenant_id      text NOT NULL REFERENCES tenants(id),
    application_id text NOT NULL REFERENCES applications(id),
    person_id      text NOT NULL REFERENCES people(id),
    salt           bytea NOT NULL CHECK (length(salt) = 32),
    token_hash     bytea UNIQUE CHECK (length(token_hash) = 32),
    created_at     timestamptz NOT NULL DEFAULT now(),
    emailed_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    answer         text CHECK (answer IN ('accepted', 'declined')),
    CHECK ((used_at IS NULL) = (answer IS NULL))
);

-- +goose Down
DROP TABLE offer_links;
