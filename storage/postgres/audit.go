package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"awardengine/structs"
)

// AuditFilter selects audit lines of one tenant for admins to read or export.
type AuditFilter struct {
	TenantID      string
	ApplicationID string    // only this application's lines ("" = all)
	From, To      time.Time // only lines at or after From and before To (zero = unbounded)
	Limit         int       // at most this many lines (0 = all: for streaming exports)
}

// AuditLine is structs.AuditLine: the wire type is declared once, in structs.
type AuditLine = structs.AuditLine

// AuditLog returns the lines the filter selects, oldest first. The trail is append-only (a
// trigger refuses updates and deletes), so there is nothing here to change it.
func (db *DB) AuditLog(ctx context.Context, f AuditFilter) ([]AuditLine, error) {
	out := []AuditLine{}
	err := db.EachAudit(ctx, f, func(l AuditLine) error {
		out = append(out, l)
		return nil
	})
	return out, err
}

// EachAudit calls fn for every line the filter selects, oldest first, reading them as a
// stream (for CSV exports of a whole period). An error from fn stops it and is returned.
func (db *DB) EachAudit(ctx context.Context, f AuditFilter, fn func(AuditLine) error) error {
	var from, to *time.Time
	if !f.From.IsZero() {
		from = &f.From
	}
	if !f.To.IsZero() {
		to = &f.To
	}
	limit := any(nil)
	if f.Limit > 0 {
		limit = f.Limit
	}
	rows, err := db.pool.Query(ctx, `
		SELECT l.id, COALESCE(l.application_id, ''), l.actor, COALESCE(p.name, ''), l.action, l.detail,
			COALESCE(l.stage_before, ''), COALESCE(l.stage_after, ''), l.at
		FROM audit_log l LEFT JOIN people p ON p.id = l.actor AND p.tenant_id = l.tenant_id
		WHERE l.tenant_id = $1 AND ($2 = '' OR l.application_id = $2)
		  AND ($3::timestamptz IS NULL OR l.at >= $3) AND ($4::timestamptz IS NULL OR l.at < $4)
		ORDER BY l.id
		LIMIT $5`, f.TenantID, f.ApplicationID, from, to, limit)
	if err != nil {
		return err
	}
	var l AuditLine
	_, err = pgx.ForEachRow(rows, []any{&l.ID, &l.ApplicationID, &l.Actor, &l.ActorName, &l.Action, &l.Detail,
		&l.StageBefore, &l.StageAfter, &l.At}, func() error {
		line := l
		line.TenantID = f.TenantID
		l.Detail = nil // a fresh map for the next row
		return fn(line)
	})
	return err
}
