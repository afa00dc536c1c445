package postgres

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// JourneyStartGrace is how long a registration may wait for its journey before the sweeper
// starts it and the stuck list shows it: the registering request normally starts it within
// a second, so anything older was left behind by a process that stopped.
const JourneyStartGrace = 10 * time.Second

// JourneyStart is a registration whose journey has not been seen started (a row of the
// journey_starts outbox, see migration 00009).
type JourneyStart struct {
	ApplicationID string
	TenantID      string
	Input         []byte // the journey's start input, as JSON
	CreatedAt     time.Time
	Attempts      int // sweeps that tried to start it, this one included
}

// PendingJourneyStart returns the stored start input of an application whose journey has not
// been seen started; pending is false when it has (or when the application predates the
// outbox, or is another tenant's).
func (db *DB) PendingJourneyStart(ctx context.Context, tenantID, applicationID string) (input []byte, pending bool, err error) {
	err = db.pool.QueryRow(ctx, `
		SELECT input FROM journey_starts WHERE tenant_id=$1 AND application_id=$2 AND started_at IS NULL`,
		tenantID, applicationID).Scan(&input)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	return input, err == nil, err
}

// JourneyStartOwed says whether an application's registration is still waiting for its journey
// to start (the caller has checked the application's tenant).
func (db *DB) JourneyStartOwed(ctx context.Context, applicationID string) (bool, error) {
	var owed bool
	err := db.pool.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM journey_starts WHERE application_id=$1 AND started_at IS NULL)`,
		applicationID).Scan(&owed)
	return owed, err
}

// ClaimJourneyStarts takes up to limit registrations whose journey has not started and that are
// older than grace, and holds them for lease: several sweepers (one per worker process) then
// share the work without waiting on each other's locks (SKIP LOCKED) and without starting the
// same journey twice at once. A sweeper that dies releases its rows when the lease ends; one
// whose start failed leaves them held until then, which is its backoff.
func (db *DB) ClaimJourneyStarts(ctx context.Context, grace, lease time.Duration, limit int) ([]JourneyStart, error) {
	rows, err := db.pool.Query(ctx, `
		UPDATE journey_starts j SET attempts = j.attempts + 1, retry_at = now() + make_interval(secs => $2)
		WHERE j.application_id IN (
			SELECT application_id FROM journey_starts
			WHERE started_at IS NULL AND created_at <= now() - make_interval(secs => $1)
			  AND (retry_at IS NULL OR retry_at <= now())
			ORDER BY created_at
			LIMIT $3
			FOR UPDATE SKIP LOCKED)
		RETURNING j.application_id, j.tenant_id, j.input, j.created_at, j.attempts`,
		grace.Seconds(), lease.Seconds(), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (JourneyStart, error) {
		var s JourneyStart
		err := row.Scan(&s.ApplicationID, &s.TenantID, &s.Input, &s.CreatedAt, &s.Attempts)
		return s, err
	})
}

// MarkJourneyStarted records that the application's journey runs (or ran) in Temporal and drops
// its stored input, which the journey's history now holds. It reports whether this call was the
// one that marked it; only then is audit (if given) written, in the same transaction, so that a
// repair is audited once however many processes raced to make it.
func (db *DB) MarkJourneyStarted(ctx context.Context, applicationID string, audit *AuditEntry) (bool, error) {
	marked := false
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE journey_starts SET started_at = now(), input = NULL, retry_at = NULL, last_error = NULL
			WHERE application_id = $1 AND started_at IS NULL`, applicationID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		marked = true
		if audit == nil {
			return nil
		}
		return insertAudit(ctx, tx, *audit)
	})
	return marked && err == nil, err
}

// JourneyStartFailed records why a sweep could not start the journey, for the stuck list.
func (db *DB) JourneyStartFailed(ctx context.Context, applicationID, reason string) error {
	_, err := db.pool.Exec(ctx, `UPDATE journey_starts SET last_error = $2 WHERE application_id = $1 AND started_at IS NULL`,
		applicationID, shortError(reason))
	return err
}

// shortError keeps a stored error message short enough for a list, cut at a rune boundary.
func shortError(msg string) string {
	if len(msg) <= maxProblemError {
		return msg
	}
	cut := maxProblemError
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}

// insertAudit writes one audit line (a line with a dedupe key already written is skipped).
func insertAudit(ctx context.Context, tx pgx.Tx, a AuditEntry) error {
	detail := a.Detail
	if detail == nil {
		detail = map[string]any{}
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO audit_log (tenant_id, application_id, actor, action, detail, dedupe_key, at)
		VALUES ($1, NULLIF($2,''), $3, $4, $5, NULLIF($6,''), $7) ON CONFLICT (dedupe_key) DO NOTHING`,
		a.TenantID, a.ApplicationID, a.Actor, a.Action, detail, a.DedupeKey, a.At)
	return err
}
