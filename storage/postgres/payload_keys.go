package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"awardengine/payloadcrypt"
)

// PayloadKeys keeps the wrapped data keys of Temporal payload encryption (payloadcrypt.Store,
// migration 00016).
type PayloadKeys struct{ DB *DB }

var _ payloadcrypt.Store = PayloadKeys{}

// PayloadKey implements payloadcrypt.Store.
func (s PayloadKeys) PayloadKey(ctx context.Context, keyID string) (payloadcrypt.StoredKey, error) {
	var k payloadcrypt.StoredKey
	var tenant, app, kek *string
	err := s.DB.pool.QueryRow(ctx, `
		SELECT key_id, tenant_id, application_id, kek_id, wrapped, shredded_at FROM payload_keys WHERE key_id=$1`, keyID).
		Scan(&k.KeyID, &tenant, &app, &kek, &k.Wrapped, &k.ShreddedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return k, fmt.Errorf("%w: %s", payloadcrypt.ErrUnknownKey, keyID)
	}
	if err != nil {
		return k, fmt.Errorf("reading data key %s: %w", keyID, err)
	}
	k.TenantID, k.ApplicationID, k.KEKID = deref(tenant), deref(app), deref(kek)
	return k, nil
}

// CreatePayloadKey implements payloadcrypt.Store: the first key stored under an id stays (two
// processes creating it at once both end up with the same one). An application key takes its
// tenant from the application's row when it exists.
func (s PayloadKeys) CreatePayloadKey(ctx context.Context, k payloadcrypt.StoredKey) (payloadcrypt.StoredKey, error) {
	_, err := s.DB.pool.Exec(ctx, `
		INSERT INTO payload_keys (key_id, tenant_id, application_id, kek_id, wrapped)
		VALUES ($1, COALESCE(NULLIF($2, ''), (SELECT tenant_id FROM applications WHERE id = NULLIF($3, ''))), NULLIF($3, ''), $4, $5)
		ON CONFLICT (key_id) DO NOTHING`, k.KeyID, k.TenantID, k.ApplicationID, k.KEKID, k.Wrapped)
	if err != nil {
		return k, fmt.Errorf("storing data key %s: %w", k.KeyID, err)
	}
	return s.PayloadKey(ctx, k.KeyID)
}

// ShredPayloadKey implements payloadcrypt.Store: the wrapped key is overwritten with NULL (the
// row stays, so the id is never handed out again). A key never created is recorded as
// destroyed.
func (s PayloadKeys) ShredPayloadKey(ctx context.Context, keyID, tenantID, applicationID string, at time.Time) error {
	_, err := s.DB.pool.Exec(ctx, `
		INSERT INTO payload_keys (key_id, tenant_id, application_id, kek_id, wrapped, shredded_at)
		VALUES ($1, NULLIF($2, ''), NULLIF($3, ''), NULL, NULL, $4)
		ON CONFLICT (key_id) DO UPDATE SET wrapped = NULL, kek_id = NULL,
			shredded_at = COALESCE(payload_keys.shredded_at, EXCLUDED.shredded_at)`,
		keyID, tenantID, applicationID, at)
	if err != nil {
		return fmt.Errorf("destroying data key %s: %w", keyID, err)
	}
	return nil
}

// RewrapPayloadKey implements payloadcrypt.Store: only a key still wrapped by oldKEK changes
// (a key destroyed meanwhile stays destroyed).
func (s PayloadKeys) RewrapPayloadKey(ctx context.Context, keyID, oldKEK, newKEK string, wrapped []byte) error {
	_, err := s.DB.pool.Exec(ctx, `
		UPDATE payload_keys SET kek_id=$3, wrapped=$4 WHERE key_id=$1 AND kek_id=$2 AND wrapped IS NOT NULL`,
		keyID, oldKEK, newKEK, wrapped)
	if err != nil {
		return fmt.Errorf("rewrapping data key %s: %w", keyID, err)
	}
	return nil
}

// PayloadKeysByKEK counts the live data keys wrapped by each KEK: a rotated-out KEK may leave
// the configuration once it wraps none (keys move to the current KEK as they are used).
func (s PayloadKeys) PayloadKeysByKEK(ctx context.Context) (map[string]int, error) {
	rows, err := s.DB.pool.Query(ctx, `SELECT kek_id, count(*) FROM payload_keys WHERE wrapped IS NOT NULL GROUP BY kek_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// PayloadKeyTenant is the tenant a data key belongs to: an application key's application's
// tenant (from applications, whatever the key row says), a tenant key's tenant; "" for the
// system key. ErrNotFound for an application that does not exist.
func (s PayloadKeys) PayloadKeyTenant(ctx context.Context, scope payloadcrypt.Scope) (string, error) {
	switch {
	case scope.ApplicationID != "":
		var tenant string
		err := s.DB.pool.QueryRow(ctx, `SELECT tenant_id FROM applications WHERE id=$1`, scope.ApplicationID).Scan(&tenant)
		if errors.Is(err, pgx.ErrNoRows) {
			return "", ErrNotFound
		}
		return tenant, err
	case scope.TenantID != "":
		return scope.TenantID, nil
	}
	return "", nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
