package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Retention (SPEC §3): six years after an application closed (withdrawn, closed after "not
// yet", or its award lapsed), its evidence and personal data are erased and an anonymised
// record is kept for reports, unless an admin has set a legal hold. The workflow decides when;
// this file does the database side. Objects in storage are removed by the caller (see
// activities.EraseApplication) before Erase, using ErasureTargets.

// ErrLegalHold means an admin has set a legal hold on the application: nothing is erased.
var ErrLegalHold = errors.New("the application is under a legal hold")

// ErrNotClosed means the application has not closed, so it cannot be erased.
var ErrNotClosed = errors.New("the application has not closed")

// Erased is the text that replaces erased names and subjects.
const Erased = "erased"

// ErasureResult says what an erasure did.
type ErasureResult struct {
	EvidenceRows    int  // evidence rows deleted
	ObjectsToDelete int  // objects of the application no other application references (certificate included)
	SettingErased   bool // the setting had no other live application, so its name and reference were erased
	PersonErased    bool // the applicant had no other live application nor other role, so was anonymised
	AlreadyErased   bool // the application had been erased before: nothing changed, the first result is returned
}

// ErasureAuditKey is the dedupe key of an application's "erased" audit line.
func ErasureAuditKey(applicationID string) string { return "erase/" + applicationID }

// certificateKey is where an application's certificate is stored (activities.CertificateKey,
// which this package cannot import).
func certificateKey(tenantID, applicationID string) string {
	return "tenants/" + tenantID + "/applications/" + applicationID + "/certificate.pdf"
}

// SetLegalHold sets or releases an admin's legal hold on an application (the projection of the
// workflow's hold). While it is set, Erase refuses. Releasing clears the reason.
func (db *DB) SetLegalHold(ctx context.Context, tenantID, applicationID string, on bool, reason string) error {
	tag, err := db.pool.Exec(ctx, `
		UPDATE applications SET legal_hold=$3, legal_hold_reason=CASE WHEN $3 THEN NULLIF($4,'') END
		WHERE tenant_id=$1 AND id=$2`, tenantID, applicationID, on, reason)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("application %s: %w", applicationID, ErrNotFound)
	}
	return nil
}

// LegalHold says whether an application is under a legal hold, and why.
func (db *DB) LegalHold(ctx context.Context, tenantID, applicationID string) (on bool, reason string, err error) {
	err = db.pool.QueryRow(ctx, `SELECT legal_hold, COALESCE(legal_hold_reason,'') FROM applications WHERE tenant_id=$1 AND id=$2`,
		tenantID, applicationID).Scan(&on, &reason)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, "", fmt.Errorf("application %s: %w", applicationID, ErrNotFound)
	}
	return on, reason, err
}

// ErasureTargets lists the objects to remove from storage before the application is erased:
// the objects of its evidence rows that no evidence row of another application not yet erased
// references (evidence carried forward to a later application stays, unless that application
// removed it from its portfolio), and its certificate.
// It returns ErrLegalHold under a legal hold, ErrNotClosed for an open application, and
// nothing once the application is erased.
func (db *DB) ErasureTargets(ctx context.Context, tenantID, applicationID string) ([]string, error) {
	var hold, active bool
	var closedAt, erasedAt *time.Time
	err := db.pool.QueryRow(ctx, `SELECT legal_hold, active, closed_at, erased_at FROM applications WHERE tenant_id=$1 AND id=$2`,
		tenantID, applicationID).Scan(&hold, &active, &closedAt, &erasedAt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("application %s: %w", applicationID, ErrNotFound)
	case err != nil:
		return nil, err
	case erasedAt != nil:
		return nil, nil
	case hold:
		return nil, ErrLegalHold
	case active || closedAt == nil:
		return nil, ErrNotClosed
	}
	return erasureTargets(ctx, db.pool, tenantID, applicationID)
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func erasureTargets(ctx context.Context, q querier, tenantID, applicationID string) ([]string, error) {
	rows, err := q.Query(ctx, `
		SELECT DISTINCT e.object_key FROM evidence e
		WHERE e.tenant_id=$1 AND e.application_id=$2 AND NOT EXISTS (
			SELECT 1 FROM evidence o JOIN applications oa ON oa.id = o.application_id
			WHERE o.object_key = e.object_key AND o.application_id <> e.application_id AND o.state <> 'removed'
				AND oa.erased_at IS NULL)
		ORDER BY 1`, tenantID, applicationID)
	if err != nil {
		return nil, err
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	return append(keys, certificateKey(tenantID, applicationID)), nil
}

// Erase erases a closed application's evidence rows and personal data in one transaction and
// keeps an anonymised record for reports:
//   - its evidence rows and pending digest items are deleted (the evidence trigger lets this
//     transaction delete submitted evidence: SET LOCAL award.erasing);
//   - the application row keeps tenant, track, variant, framework, stage, target level, level
//     awarded and the dates, and gets erased_at;
//   - its setting's name and reference are erased if no other application of the setting is
//     still to be erased; its applicant is anonymised (and their API tokens revoked) if they have
//     no other such application and no role but applicant;
//   - its outbox emails keep their status (for counts) but lose their subject and last error;
//     free-text reasons of its assignments are cleared;
//   - an "erased" audit line with the counts is appended (dedupe key ErasureAuditKey).
//
// The audit trail itself is append-only and stays. Erase refuses with ErrLegalHold under a legal
// hold and ErrNotClosed for an open application. It is idempotent: once erased, a call changes
// nothing and returns the first result with AlreadyErased set.
func (db *DB) Erase(ctx context.Context, tenantID, applicationID string, at time.Time) (ErasureResult, error) {
	var res ErasureResult
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		res = ErasureResult{}
		var settingID, applicantID string
		var hold, active bool
		var closedAt, erasedAt *time.Time
		err := tx.QueryRow(ctx, `
			SELECT setting_id, applicant_id, legal_hold, active, closed_at, erased_at FROM applications
			WHERE tenant_id=$1 AND id=$2 FOR UPDATE`, tenantID, applicationID).
			Scan(&settingID, &applicantID, &hold, &active, &closedAt, &erasedAt)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("application %s: %w", applicationID, ErrNotFound)
		case err != nil:
			return err
		case erasedAt != nil:
			res, err = previousErasure(ctx, tx, applicationID)
			res.AlreadyErased = true
			return err
		case hold:
			return ErrLegalHold
		case active || closedAt == nil:
			return ErrNotClosed
		}
		if _, err := tx.Exec(ctx, `SET LOCAL award.erasing = 'on'`); err != nil {
			return err
		}
		keys, err := erasureTargets(ctx, tx, tenantID, applicationID)
		if err != nil {
			return err
		}
		res.ObjectsToDelete = len(keys)

		tag, err := tx.Exec(ctx, `DELETE FROM evidence WHERE tenant_id=$1 AND application_id=$2`, tenantID, applicationID)
		if err != nil {
			return fmt.Errorf("deleting evidence: %w", err)
		}
		res.EvidenceRows = int(tag.RowsAffected())
		if _, err := tx.Exec(ctx, `DELETE FROM email_digest_items WHERE tenant_id=$1 AND application_id=$2`, tenantID, applicationID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE email_outbox SET subject=$3, last_error=NULL WHERE tenant_id=$1 AND application_id=$2`,
			tenantID, applicationID, Erased); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE assignments SET reason='' WHERE tenant_id=$1 AND application_id=$2`, tenantID, applicationID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE applications SET erased_at=$3, updated_at=$3, active=false, next_action='', due_at=NULL, flags='{}',
				legal_hold_reason=NULL
			WHERE tenant_id=$1 AND id=$2`, tenantID, applicationID, at); err != nil {
			return err
		}

		// The setting, unless another application of it is still to be erased (settings are
		// shared by a setting's successive applications).
		tag, err = tx.Exec(ctx, `
			UPDATE settings SET name=$3, reference='erased-' || $2::text
			WHERE tenant_id=$1 AND id=$4 AND NOT EXISTS (
				SELECT 1 FROM applications WHERE setting_id=$4 AND id<>$2 AND erased_at IS NULL)`,
			tenantID, applicationID, Erased, settingID)
		if err != nil {
			return fmt.Errorf("erasing the setting: %w", err)
		}
		if res.SettingErased = tag.RowsAffected() == 1; res.SettingErased {
			// A declared conflict may say why in the assessor's words about the setting.
			if _, err := tx.Exec(ctx, `UPDATE assessor_conflicts SET reason=$3 WHERE tenant_id=$1 AND setting_id=$2`,
				tenantID, settingID, Erased); err != nil {
				return err
			}
		}

		// The applicant, unless they have another application still to be erased or another role.
		var oldEmail string
		err = tx.QueryRow(ctx, `
			SELECT email FROM people p
			WHERE tenant_id=$1 AND id=$2 AND roles <@ ARRAY['applicant']::text[] AND NOT EXISTS (
				SELECT 1 FROM applications a WHERE a.applicant_id=p.id AND a.id<>$3 AND a.erased_at IS NULL)
			FOR UPDATE`, tenantID, applicantID, applicationID).Scan(&oldEmail)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		default:
			anon := "erased-" + applicantID + "@invalid"
			if _, err := tx.Exec(ctx, `
				UPDATE people SET name=$3, email=$4, email_problem=NULL, email_problem_at=NULL WHERE tenant_id=$1 AND id=$2`,
				tenantID, applicantID, Erased, anon); err != nil {
				return fmt.Errorf("anonymising the applicant: %w", err)
			}
			if _, err := tx.Exec(ctx, `DELETE FROM api_tokens WHERE person_id=$1`, applicantID); err != nil {
				return err
			}
			if oldEmail != anon {
				if _, err := tx.Exec(ctx, `UPDATE email_events SET email=$3, reason='' WHERE tenant_id IN ($1,'') AND email=$2`,
					tenantID, oldEmail, anon); err != nil {
					return err
				}
			}
			res.PersonErased = true
		}

		_, err = tx.Exec(ctx, `
			INSERT INTO audit_log (tenant_id, application_id, actor, action, detail, dedupe_key, at)
			VALUES ($1, $2, 'system', 'erased', $3, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING`,
			tenantID, applicationID, map[string]any{
				"evidence_rows": res.EvidenceRows, "objects": res.ObjectsToDelete,
				"setting_erased": res.SettingErased, "person_erased": res.PersonErased,
			}, ErasureAuditKey(applicationID), at)
		return err
	})
	if err != nil {
		return ErasureResult{}, err
	}
	return res, nil
}

// previousErasure reads the result of an earlier erasure back from its audit line.
func previousErasure(ctx context.Context, tx pgx.Tx, applicationID string) (ErasureResult, error) {
	var d struct {
		EvidenceRows  int  `json:"evidence_rows"`
		Objects       int  `json:"objects"`
		SettingErased bool `json:"setting_erased"`
		PersonErased  bool `json:"person_erased"`
	}
	err := tx.QueryRow(ctx, `SELECT detail FROM audit_log WHERE dedupe_key=$1`, ErasureAuditKey(applicationID)).Scan(&d)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErasureResult{}, nil
	}
	return ErasureResult{EvidenceRows: d.EvidenceRows, ObjectsToDelete: d.Objects, SettingErased: d.SettingErased,
		PersonErased: d.PersonErased}, err
}
