-- +goose Up
-- Sign-in by emailed link (issue 11 §3). Only the SHA-256 of a link's token is kept: a copy
-- of this table signs nobody in. A link is single use (used_at), expires (15 minutes), and is
-- bound to its tenant and person. A link asked for by `starter login` (purpose 'cli') carries
-- the hash of a nonce only that command holds; its Continue page shows a short one-time code
-- (hash in code_hash) that the command exchanges, with the nonce, for an API token.
CREATE TABLE sign_in_links (
    id             text PRIMARY KEY,
    tenant_id      text NOT NULL REFERENCES tenants(id),
    person_id      text NOT NULL REFERENCES people(id),
    purpose        text NOT NULL,
    token_hash     bytea NOT NULL UNIQUE,
    cli_nonce_hash bytea,
    code_hash      bytea,
    code_attempts  int NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    code_used_at   timestamptz
);
CREATE INDEX sign_in_links_expiry ON sign_in_links (expires_at);
CREATE INDEX sign_in_links_cli_nonce ON sign_in_links (cli_nonce_hash) WHERE cli_nonce_hash IS NOT NULL;

-- Fixed-window counters for the sign-in rate limits, in the database so that every API
-- process shares them. bucket names a hashed address or an IP address, never an address in
-- clear.
CREATE TABLE sign_in_rate_limits (
    bucket       text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    hits         int NOT NULL
);

-- Browser sessions (github.com/alexedwards/scs/pgxstore's table).
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- "Sign out everywhere" bumps the number; a session made under an older one is refused.
ALTER TABLE people ADD COLUMN sessions_generation bigint NOT NULL DEFAULT 1;

-- API tokens get an id (to list and revoke them without the secret), an expiry, the time of
-- last use (written at most once a minute) and revocation. Tokens made before this migration
-- (the fixed demo tokens, which the seed stores again at every start without an expiry) get a
-- far expiry from the column default; tokens made through the API always name their own.
ALTER TABLE api_tokens ADD COLUMN id text NOT NULL DEFAULT ('tok_' || substr(md5(random()::text || clock_timestamp()::text), 1, 20));
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz NOT NULL DEFAULT (now() + interval '100 years');
ALTER TABLE api_tokens ADD COLUMN last_used_at timestamptz;
ALTER TABLE api_tokens ADD COLUMN revoked_at timestamptz;
CREATE UNIQUE INDEX api_tokens_id ON api_tokens (id);
CREATE INDEX api_tokens_person ON api_tokens (person_id);

-- +goose Down
DROP INDEX api_tokens_person;
DROP INDEX api_tokens_id;
ALTER TABLE api_tokens DROP COLUMN revoked_at;
ALTER TABLE api_tokens DROP COLUMN last_used_at;
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE api_tokens DROP COLUMN id;
ALTER TABLE people DROP COLUMN sessions_generation;
DROP TABLE sessions;
DROP TABLE sign_in_rate_limits;
DROP TABLE sign_in_links;
