package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"awardengine/structs"
)

// Application is structs.ApplicationSummary: the wire type is declared once, in structs.
type Application = structs.ApplicationSummary

// Registration is what a new application needs in the database.
type Registration struct {
	ApplicationID    string
	TenantID         string
	SettingReference string
	SettingName      string
	Track            string
	Variant          string
	ApplicantID      string
	SupporterID      string // optional
	FrameworkID      string
	FrameworkVersion int
	Stage            string
	// JourneyInput is the journey's start input (workflows.ApplicationInput as JSON), kept in
	// the journey_starts outbox until the journey is seen started.
	JourneyInput []byte
}

// DuplicateError says a setting already has an active application.
type DuplicateError struct{ ExistingID string }

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("this setting already has an active application (%s); withdraw it or wait for its decision before registering again", e.ExistingID)
}

// SettingOwnedError says the setting reference belongs to another applicant.
type SettingOwnedError struct{ Reference string }

func (e *SettingOwnedError) Error() string {
	return fmt.Sprintf("setting %q is registered to another applicant; ask your award team to register you", e.Reference)
}

// SettingVariantError says the setting is already registered as another track or variant.
type SettingVariantError struct{ Reference, Track, Variant string }

func (e *SettingVariantError) Error() string {
	return fmt.Sprintf("setting %q is registered as %s/%s", e.Reference, e.Track, e.Variant)
}

// Register records a new application and its setting in one transaction. The partial unique
// index on active applications makes a second active application for a setting impossible,
// even when two registrations race.
func (db *DB) Register(ctx context.Context, r Registration, asAdmin bool) error {
	return db.inTx(ctx, func(tx pgx.Tx) error { return db.registerTx(ctx, tx, r, asAdmin) })
}

// registerTx is Register within tx (a cohort import registers many in one transaction).
func (db *DB) registerTx(ctx context.Context, tx pgx.Tx, r Registration, asAdmin bool) error {
	var settingID, applicantID, track, variant string
	err := tx.QueryRow(ctx, `SELECT id, applicant_id, track, variant FROM settings WHERE tenant_id=$1 AND reference=$2 FOR UPDATE`,
		r.TenantID, r.SettingReference).Scan(&settingID, &applicantID, &track, &variant)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		settingID = NewID("set")
		_, err = tx.Exec(ctx, `
				INSERT INTO settings (id, tenant_id, reference, name, track, variant, applicant_id, supporter_id)
				VALUES ($1,$2,$3,$4,$5,$6,$7,NULLIF($8,''))`,
			settingID, r.TenantID, r.SettingReference, r.SettingName, r.Track, r.Variant, r.ApplicantID, r.SupporterID)
		if err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if applicantID != r.ApplicantID && !asAdmin {
			return &SettingOwnedError{Reference: r.SettingReference}
		}
		if track != r.Track || variant != r.Variant {
			return &SettingVariantError{Reference: r.SettingReference, Track: track, Variant: variant}
		}
		var existing string
		err := tx.QueryRow(ctx, `SELECT id FROM applications WHERE setting_id=$1 AND active`, settingID).Scan(&existing)
		if err == nil {
			return &DuplicateError{ExistingID: existing}
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE settings SET name=$2, applicant_id=$3, supporter_id=COALESCE(NULLIF($4,''), supporter_id) WHERE id=$1`,
			settingID, r.SettingName, r.ApplicantID, r.SupporterID); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `
			INSERT INTO applications (id, tenant_id, setting_id, applicant_id, track, variant, framework_id, framework_version, stage)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
		r.ApplicationID, r.TenantID, settingID, r.ApplicantID, r.Track, r.Variant, r.FrameworkID, r.FrameworkVersion, r.Stage)
	if isUniqueViolation(err, "applications_one_active_per_setting") {
		var existing string
		_ = db.pool.QueryRow(ctx, `SELECT id FROM applications WHERE setting_id=$1 AND active`, settingID).Scan(&existing)
		return &DuplicateError{ExistingID: existing}
	}
	if err != nil {
		return err
	}
	// The outbox row, in the same transaction: no application is ever committed without the
	// means to start its journey.
	if len(r.JourneyInput) == 0 {
		return errors.New("registering an application: the journey's start input is missing")
	}
	_, err = tx.Exec(ctx, `INSERT INTO journey_starts (application_id, tenant_id, input) VALUES ($1, $2, $3)`,
		r.ApplicationID, r.TenantID, string(r.JourneyInput))
	return err
}

const applicationColumns = `
	a.id, a.tenant_id, a.setting_id, s.reference, s.name, a.applicant_id, COALESCE(s.supporter_id, ''),
	a.track, a.variant, a.framework_id, a.framework_version, a.stage, a.active, a.next_action, a.due_at, a.flags,
	COALESCE(a.assessor_id, ''), COALESCE(a.moderator_id, ''), a.updated_at,
	a.created_at, COALESCE(a.target_level, ''), a.next_who, a.submitted_at, a.assessor_name, COALESCE(a.recommended, ''), a.moderation_reasons`

func scanApplication(row pgx.Row) (Application, error) {
	var a Application
	err := row.Scan(&a.ID, &a.TenantID, &a.SettingID, &a.SettingReference, &a.SettingName, &a.ApplicantID, &a.SupporterID,
		&a.Track, &a.Variant, &a.FrameworkID, &a.FrameworkVersion, &a.Stage, &a.Active, &a.NextAction, &a.DueAt, &a.Flags,
		&a.AssessorID, &a.ModeratorID, &a.UpdatedAt,
		&a.RegisteredAt, &a.TargetLevel, &a.NextWho, &a.SubmittedAt, &a.AssessorName, &a.Recommended, &a.ModerationReasons)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, ErrNotFound
	}
	return a, err
}

// Application returns one application of a tenant.
func (db *DB) Application(ctx context.Context, tenantID, id string) (Application, error) {
	return scanApplication(db.pool.QueryRow(ctx, `SELECT `+applicationColumns+`
		FROM applications a JOIN settings s ON s.id = a.setting_id WHERE a.tenant_id=$1 AND a.id=$2`, tenantID, id))
}

// ApplicationFilter narrows a list to what one person may see.
type ApplicationFilter struct {
	TenantID    string
	ApplicantID string // only this applicant's
	SupporterID string // only the settings this supporter is linked to
	HolderID    string // only those this assessor or moderator holds now
}

// Applications lists applications, newest first.
func (db *DB) Applications(ctx context.Context, f ApplicationFilter) ([]Application, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+applicationColumns+`
		FROM applications a JOIN settings s ON s.id = a.setting_id
		WHERE a.tenant_id=$1 AND ($2 = '' OR a.applicant_id=$2) AND ($3 = '' OR s.supporter_id=$3)
		  AND ($4 = '' OR a.assessor_id=$4 OR a.moderator_id=$4)
		ORDER BY a.created_at DESC LIMIT 1000`, f.TenantID, f.ApplicantID, f.SupporterID, f.HolderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Application
	for rows.Next() {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
