package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Council staff sign in with their council's OpenID provider (services/oidc). This file keeps
// each tenant's provider, the accounts linked to people, and sign-ins under way. The client
// secret is never stored: services/oidc reads it from the environment by the tenant's name.

// OIDCProvider is a tenant's OpenID provider.
type OIDCProvider struct {
	TenantID    string    `json:"-"`
	Issuer      string    `json:"issuer"`       // exact, e.g. https://login.microsoftonline.com/<directory-id>/v2.0
	ClientID    string    `json:"client_id"`    // the product's registration at the provider
	DisplayName string    `json:"display_name"` // on the button: "Sign in with Northshire Council"
	Enabled     bool      `json:"enabled"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// OIDCProvider returns a tenant's provider, or ErrNotFound.
func (db *DB) OIDCProvider(ctx context.Context, tenantID string) (OIDCProvider, error) {
	p := OIDCProvider{TenantID: tenantID}
	err := db.pool.QueryRow(ctx, `
		SELECT issuer, client_id, display_name, enabled, updated_at FROM oidc_providers WHERE tenant_id = $1`, tenantID).
		Scan(&p.Issuer, &p.ClientID, &p.DisplayName, &p.Enabled, &p.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrNotFound
	}
	return p, err
}

// SetOIDCProvider creates or replaces a tenant's provider, with an audit line naming the
// actor (an admin, or "seed"). Validation is the caller's (services/oidc.CheckProvider).
func (db *DB) SetOIDCProvider(ctx context.Context, p OIDCProvider, actor string) (OIDCProvider, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO oidc_providers (tenant_id, issuer, client_id, display_name, enabled, updated_at)
			VALUES ($1, $2, $3, $4, $5, now())
			ON CONFLICT (tenant_id) DO UPDATE
			SET issuer = $2, client_id = $3, display_name = $4, enabled = $5, updated_at = now()
			RETURNING updated_at`,
			p.TenantID, p.Issuer, p.ClientID, p.DisplayName, p.Enabled).Scan(&p.UpdatedAt); err != nil {
			return err
		}
		detail, err := json.Marshal(map[string]any{
			"issuer": p.Issuer, "client_id": p.ClientID, "display_name": p.DisplayName, "enabled": p.Enabled})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO audit_log (tenant_id, actor, action, detail) VALUES ($1, $2, 'oidc_provider_set', $3)`,
			p.TenantID, actor, detail)
		return err
	})
	return p, err
}

// OIDCFlow is a sign-in under way: what the callback needs to finish it. Only hashes of the
// state and of the browser's cookie are kept, so a read of the table cannot finish anyone's
// sign-in.
type OIDCFlow struct {
	StateHash    []byte
	TenantID     string
	BrowserHash  []byte
	Nonce        string
	CodeVerifier string
	ExpiresAt    time.Time
}

// SaveOIDCFlow stores a sign-in under way, and forgets the ones that expired.
func (db *DB) SaveOIDCFlow(ctx context.Context, f OIDCFlow) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM oidc_flows WHERE expires_at < now()`); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, `
		INSERT INTO oidc_flows (state_hash, tenant_id, browser_hash, nonce, code_verifier, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		f.StateHash, f.TenantID, f.BrowserHash, f.Nonce, f.CodeVerifier, f.ExpiresAt)
	return err
}

// TakeOIDCFlow removes and returns the sign-in with this state started by this browser, so a
// callback is accepted once. ErrNotFound if there is none (used, never started, or started in
// another browser); an expired one is removed and reported as ErrNotFound too.
func (db *DB) TakeOIDCFlow(ctx context.Context, stateHash, browserHash []byte) (OIDCFlow, error) {
	f := OIDCFlow{StateHash: stateHash, BrowserHash: browserHash}
	var expired bool
	err := db.pool.QueryRow(ctx, `
		DELETE FROM oidc_flows WHERE state_hash = $1 AND browser_hash = $2
		RETURNING tenant_id, nonce, code_verifier, expires_at, expires_at < now()`, stateHash, browserHash).
		Scan(&f.TenantID, &f.Nonce, &f.CodeVerifier, &f.ExpiresAt, &expired)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && expired) {
		return OIDCFlow{}, ErrNotFound
	}
	return f, err
}

// OIDCIdentity returns the person linked to an account (issuer and subject) in a tenant, or
// ErrNotFound.
func (db *DB) OIDCIdentity(ctx context.Context, tenantID, issuer, subject string) (Person, error) {
	return db.scanPerson(db.pool.QueryRow(ctx, `
		SELECT `+personColumns+`
		FROM oidc_identities i JOIN people p ON p.id = i.person_id AND p.tenant_id = i.tenant_id
		WHERE i.tenant_id = $1 AND i.issuer = $2 AND i.subject = $3`, tenantID, issuer, subject))
}

// ErrIdentityTaken refuses linking an account to a person already linked to a different
// account at the same issuer (or linking an account already linked to someone else).
var ErrIdentityTaken = errors.New("this person is already linked to a different account at this provider")

// LinkOIDCIdentity links an account to a person, once, with an audit line (the person is the
// actor: they proved the address they were invited at). Linking the same account to the same
// person again changes nothing; anything else already linked gives ErrIdentityTaken.
func (db *DB) LinkOIDCIdentity(ctx context.Context, tenantID, issuer, subject, personID string) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO oidc_identities (tenant_id, issuer, subject, person_id) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, tenantID, issuer, subject, personID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var linked string
			err := tx.QueryRow(ctx, `SELECT person_id FROM oidc_identities WHERE tenant_id = $1 AND issuer = $2 AND subject = $3`,
				tenantID, issuer, subject).Scan(&linked)
			if err == nil && linked == personID {
				return nil // linked already (two callbacks raced): nothing to do
			}
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			return ErrIdentityTaken
		}
		detail, err := json.Marshal(map[string]any{"person": personID, "issuer": issuer, "subject": subject})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO audit_log (tenant_id, actor, action, detail) VALUES ($1, $2, 'oidc_identity_linked', $3)`,
			tenantID, personID, detail)
		return err
	})
}
