package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"time"

	"github.com/jackc/pgx/v5"

	"awardengine/award"
)

// A tenant's admins change its configuration: the name shown in the pages' header and the
// emails, its journey settings (deadlines, reminder timings, an award's validity, retention)
// and the SendGrid dynamic templates of its emails. Each change is one transaction holding the
// tenant's row lock, with one audit line naming every value changed, before and after.

// ActionSettingsChanged is the audit action of a change of a tenant's configuration.
const ActionSettingsChanged = "settings_changed"

// TenantConfig is what a tenant's admins may change.
type TenantConfig struct {
	Name string
	// Settings are the tenant's journey settings: its own when Own, else the server's defaults.
	Settings award.Settings
	Own      bool
	// EmailTemplates names a SendGrid dynamic template per message type (never nil).
	EmailTemplates map[string]string
}

// TenantConfig reads a tenant's configuration; def are the server's default settings.
func (db *DB) TenantConfig(ctx context.Context, tenantID string, def award.Settings) (TenantConfig, error) {
	return readTenantConfig(db.pool.QueryRow(ctx,
		`SELECT name, settings, email_templates FROM tenants WHERE id=$1`, tenantID), tenantID, def)
}

func readTenantConfig(row pgx.Row, tenantID string, def award.Settings) (TenantConfig, error) {
	var (
		c   TenantConfig
		raw []byte
	)
	err := row.Scan(&c.Name, &raw, &c.EmailTemplates)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("tenant %q: %w", tenantID, ErrNotFound)
	}
	if err != nil {
		return c, err
	}
	if c.EmailTemplates == nil {
		c.EmailTemplates = map[string]string{}
	}
	c.Settings = def
	if raw != nil {
		c.Own = true
		if err := json.Unmarshal(raw, &c.Settings); err != nil {
			return c, fmt.Errorf("settings of tenant %q: %w", tenantID, err)
		}
	}
	return c, nil
}

// UpdateTenantConfig changes a tenant's configuration in one transaction holding its row lock.
// edit gets the configuration as it is and returns it changed, with the audit line's detail
// (what changed, before and after); a nil detail means nothing changed: nothing is written.
// The settings are validated (award.Settings.Validate) and stored only when they differ from
// what the tenant had (a tenant on the server's defaults stays on them until a timing changes).
// It returns the configuration as stored and whether anything changed.
func (db *DB) UpdateTenantConfig(ctx context.Context, tenantID, actor string, def award.Settings,
	edit func(TenantConfig) (TenantConfig, map[string]any, error)) (TenantConfig, bool, error) {
	var (
		out     TenantConfig
		changed bool
	)
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := readTenantConfig(tx.QueryRow(ctx,
			`SELECT name, settings, email_templates FROM tenants WHERE id=$1 FOR UPDATE`, tenantID), tenantID, def)
		if err != nil {
			return err
		}
		in := before
		in.EmailTemplates = maps.Clone(before.EmailTemplates)
		in.Settings.FirstYearReminderMonths = append([]int(nil), before.Settings.FirstYearReminderMonths...)
		in.Settings.ReassessmentReminderMonths = append([]int(nil), before.Settings.ReassessmentReminderMonths...)
		after, detail, err := edit(in)
		if err != nil {
			return err
		}
		out = before
		if detail == nil {
			return nil
		}
		if after.EmailTemplates == nil {
			after.EmailTemplates = map[string]string{}
		}
		var settings any // NULL: the server's defaults
		after.Own = before.Own || !reflect.DeepEqual(after.Settings, before.Settings)
		if after.Own {
			if err := after.Settings.Validate(); err != nil {
				return err
			}
			raw, err := json.Marshal(after.Settings)
			if err != nil {
				return err
			}
			settings = raw
		}
		if _, err := tx.Exec(ctx, `UPDATE tenants SET name=$2, settings=$3, email_templates=$4 WHERE id=$1`,
			tenantID, after.Name, settings, after.EmailTemplates); err != nil {
			return err
		}
		if err := insertAudit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: ActionSettingsChanged,
			At: time.Now(), Detail: detail}); err != nil {
			return err
		}
		out, changed = after, true
		return nil
	})
	return out, changed, err
}
