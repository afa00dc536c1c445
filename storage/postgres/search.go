package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"awardengine/structs"
)

// SearchResult is structs.SearchResult: the wire type is declared once, in structs.
type SearchResult = structs.SearchResult

// Search finds a tenant's applications by application id, setting reference (exact or
// prefix, ignoring case), setting name (substring, ignoring case), or person: the
// applicant's or the supporter's name or email (substring, ignoring case). Results come best
// match first, then most recently updated; at most limit (1–200, default 50).
func (db *DB) Search(ctx context.Context, tenantID, q string, limit int) ([]SearchResult, error) {
	q = strings.TrimSpace(q)
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	out := []SearchResult{}
	if q == "" {
		return out, nil
	}
	like := escapeLike(q)
	rows, err := db.pool.Query(ctx, `
		SELECT id, reference, name, track, variant, stage, active, applicant_id, applicant_name, updated_at, match
		FROM (
			SELECT a.id, s.reference, s.name, a.track, a.variant, a.stage, a.active, a.applicant_id,
				ap.name AS applicant_name, a.updated_at,
				CASE
					WHEN a.id = $2 THEN 1
					WHEN lower(s.reference) = lower($2) THEN 2
					WHEN s.reference ILIKE $3 || '%' THEN 3
					WHEN s.name ILIKE '%' || $3 || '%' THEN 4
					WHEN ap.name ILIKE '%' || $3 || '%' OR ap.email ILIKE '%' || $3 || '%' THEN 5
					WHEN sp.name ILIKE '%' || $3 || '%' OR sp.email ILIKE '%' || $3 || '%' THEN 6
				END AS rank
			FROM applications a
			JOIN settings s ON s.id = a.setting_id
			JOIN people ap ON ap.id = a.applicant_id
			LEFT JOIN people sp ON sp.id = s.supporter_id
			WHERE a.tenant_id = $1
		) m
		CROSS JOIN LATERAL (SELECT (ARRAY['id','reference','reference_prefix','setting_name','applicant','supporter'])[m.rank] AS match) x
		WHERE m.rank IS NOT NULL
		ORDER BY m.rank, m.updated_at DESC, m.id
		LIMIT $4`, tenantID, q, like, limit)
	if err != nil {
		return nil, err
	}
	found, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (SearchResult, error) {
		var r SearchResult
		err := row.Scan(&r.ID, &r.SettingReference, &r.SettingName, &r.Track, &r.Variant, &r.Stage, &r.Active,
			&r.ApplicantID, &r.ApplicantName, &r.UpdatedAt, &r.Match)
		return r, err
	})
	if err != nil {
		return nil, err
	}
	return append(out, found...), nil
}

// escapeLike makes s match itself in a LIKE pattern (backslash is PostgreSQL's default escape).
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SentEmail is structs.SentEmail: the wire type is declared once, in structs.
type SentEmail = structs.SentEmail

// ApplicationEmails lists the outbox rows of an application, oldest first.
func (db *DB) ApplicationEmails(ctx context.Context, tenantID, applicationID string) ([]SentEmail, error) {
	return db.sentEmails(ctx, `o.tenant_id = $1 AND o.application_id = $2`, tenantID, applicationID)
}

// EmailsTo lists the outbox rows of one application addressed to one person, oldest first
// (a supporter's copies of reminders).
func (db *DB) EmailsTo(ctx context.Context, tenantID, applicationID, personID string) ([]SentEmail, error) {
	return db.sentEmails(ctx, `o.tenant_id = $1 AND o.application_id = $2 AND o.recipient = $3`, tenantID, applicationID, personID)
}

func (db *DB) sentEmails(ctx context.Context, where string, args ...any) ([]SentEmail, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT o.message_type, o.recipient, COALESCE(p.name, ''), o.subject, o.status, o.attempts,
			COALESCE(o.last_error, ''), o.created_at, o.sent_at
		FROM email_outbox o LEFT JOIN people p ON p.id = o.recipient AND p.tenant_id = o.tenant_id
		WHERE `+where+`
		ORDER BY o.created_at, o.dedupe_key`, args...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (SentEmail, error) {
		var e SentEmail
		err := row.Scan(&e.MessageType, &e.RecipientID, &e.RecipientName, &e.Subject, &e.Status, &e.Attempts,
			&e.LastError, &e.CreatedAt, &e.SentAt)
		return e, err
	})
	if out == nil {
		out = []SentEmail{}
	}
	return out, err
}
