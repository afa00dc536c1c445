package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"awardengine/award"
)

// TenantSettings returns the tenant's journey settings: its own if an admin set them,
// otherwise def (the server's defaults).
func (db *DB) TenantSettings(ctx context.Context, tenantID string, def award.Settings) (award.Settings, error) {
	var raw []byte
	err := db.pool.QueryRow(ctx, `SELECT settings FROM tenants WHERE id=$1`, tenantID).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return def, fmt.Errorf("tenant %q: %w", tenantID, ErrNotFound)
	}
	if err != nil || raw == nil {
		return def, err
	}
	s := def
	if err := json.Unmarshal(raw, &s); err != nil {
		return def, fmt.Errorf("settings of tenant %q: %w", tenantID, err)
	}
	return s, nil
}

// SetTenantSettings stores a tenant's journey settings (validated first). New journeys use
// them; running journeys keep the absolute dates they already computed.
func (db *DB) SetTenantSettings(ctx context.Context, tenantID string, s award.Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	tag, err := db.pool.Exec(ctx, `UPDATE tenants SET settings=$2 WHERE id=$1`, tenantID, raw)
	if err == nil && tag.RowsAffected() == 0 {
		return fmt.Errorf("tenant %q: %w", tenantID, ErrNotFound)
	}
	return err
}

// SetEmailTemplates names the tenant's SendGrid dynamic templates by message type.
func (db *DB) SetEmailTemplates(ctx context.Context, tenantID string, templates map[string]string) error {
	if templates == nil {
		templates = map[string]string{}
	}
	tag, err := db.pool.Exec(ctx, `UPDATE tenants SET email_templates=$2 WHERE id=$1`, tenantID, templates)
	if err == nil && tag.RowsAffected() == 0 {
		return fmt.Errorf("tenant %q: %w", tenantID, ErrNotFound)
	}
	return err
}
