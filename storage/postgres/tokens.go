package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// API tokens (issue 11 §3): a person's tokens for the CLI and scripts, each with a label, an
// expiry, the time of last use, and revocation. Only the SHA-256 of a token is stored; the
// service makes the token and shows it once.

// APIToken is one token, without its secret.
type APIToken struct {
	ID         string     `json:"id"`
	PersonID   string     `json:"person_id"`
	Label      string     `json:"label"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Why a token is refused.
var (
	ErrTokenExpired   = errors.New("this API token has expired")
	ErrTokenRevoked   = errors.New("this API token was revoked")
	ErrPersonInactive = errors.New("this account is deactivated")
)

// CreateToken stores a new token's hash for a person of the tenant and returns its record.
func (db *DB) CreateToken(ctx context.Context, tenantID, personID, label string, tokenHash []byte, expiresAt time.Time) (APIToken, error) {
	t := APIToken{ID: NewID("tok"), PersonID: personID, Label: label, ExpiresAt: expiresAt}
	err := db.pool.QueryRow(ctx, `
		INSERT INTO api_tokens (token_hash, person_id, label, id, expires_at)
		SELECT $1, p.id, $3, $4, $5 FROM people p WHERE p.tenant_id=$6 AND p.id=$2
		RETURNING created_at`, tokenHash, personID, label, t.ID, expiresAt, tenantID).Scan(&t.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, ErrNotFound
	}
	return t, err
}

// Tokens lists a person's tokens, newest first (revoked and expired ones included, so a person
// sees what happened to each).
func (db *DB) Tokens(ctx context.Context, tenantID, personID string) ([]APIToken, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT t.id, t.person_id, t.label, t.created_at, t.expires_at, t.last_used_at, t.revoked_at
		FROM api_tokens t JOIN people p ON p.id = t.person_id
		WHERE p.tenant_id=$1 AND p.id=$2 ORDER BY t.created_at DESC, t.id`, tenantID, personID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (APIToken, error) {
		var t APIToken
		err := r.Scan(&t.ID, &t.PersonID, &t.Label, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt, &t.RevokedAt)
		return t, err
	})
}

// RevokeToken revokes a token of the tenant; with personID set, only that person's. Revoking
// a revoked token changes nothing and succeeds. It returns the token, or ErrNotFound.
func (db *DB) RevokeToken(ctx context.Context, tenantID, personID, id string) (APIToken, error) {
	var t APIToken
	err := db.pool.QueryRow(ctx, `
		UPDATE api_tokens t SET revoked_at = COALESCE(t.revoked_at, now())
		FROM people p
		WHERE p.id = t.person_id AND p.tenant_id=$1 AND t.id=$3 AND ($2 = '' OR p.id = $2)
		RETURNING t.id, t.person_id, t.label, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`,
		tenantID, personID, id).Scan(&t.ID, &t.PersonID, &t.Label, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt, &t.RevokedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, ErrNotFound
	}
	return t, err
}

// RevokeTokenByHash revokes the token with this hash (`starter logout`), returning ErrNotFound
// if there is none.
func (db *DB) RevokeTokenByHash(ctx context.Context, tokenHash []byte) error {
	tag, err := db.pool.Exec(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE token_hash=$1`, tokenHash)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return err
}

// lastUseGranularity bounds the writes of last_used_at: at most one a minute per token.
const lastUseGranularity = time.Minute

// AuthenticateToken returns the person a token (by its hash) belongs to and the token's id.
// It refuses, with a reason, a token that is revoked (ErrTokenRevoked), expired
// (ErrTokenExpired) or whose person is deactivated (ErrPersonInactive); an unknown token is
// ErrNotFound. It records the use when the last one recorded is over a minute old.
func (db *DB) AuthenticateToken(ctx context.Context, tokenHash []byte) (Person, string, error) {
	var p Person
	var id string
	var expiresAt time.Time
	var lastUsed, revoked *time.Time
	var active bool
	err := db.pool.QueryRow(ctx, `
		SELECT p.id, p.tenant_id, p.name, p.email, p.roles, p.active, p.access_version, t.id, t.expires_at, t.last_used_at, t.revoked_at
		FROM api_tokens t JOIN people p ON p.id = t.person_id WHERE t.token_hash=$1`, tokenHash).
		Scan(&p.ID, &p.TenantID, &p.Name, &p.Email, &p.Roles, &active, &p.AccessVersion, &id, &expiresAt, &lastUsed, &revoked)
	p.Active = active
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return p, "", ErrNotFound
	case err != nil:
		return p, "", err
	case revoked != nil:
		return p, id, ErrTokenRevoked
	case !time.Now().Before(expiresAt):
		return p, id, ErrTokenExpired
	case !active:
		return p, id, ErrPersonInactive
	}
	if lastUsed == nil || time.Since(*lastUsed) >= lastUseGranularity {
		// The condition in SQL too: of many requests at once, about one writes.
		_, err = db.pool.Exec(ctx, `
			UPDATE api_tokens SET last_used_at = now()
			WHERE token_hash=$1 AND (last_used_at IS NULL OR last_used_at < now() - $2::interval)`, tokenHash, lastUseGranularity)
		if err != nil {
			return p, id, err
		}
	}
	return p, id, nil
}
