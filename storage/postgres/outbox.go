package postgres

import (
	"context"
	"time"
)

// Outbox states of an email.
const (
	EmailPending = "pending" // recorded, not yet handed to the provider
	EmailSending = "sending" // handed to the provider; whether it accepted is not yet known
	EmailSent    = "sent"    // accepted by the provider (its message id recorded)
	EmailFailed  = "failed"  // refused by the provider for good (bad address or configuration)
)

// OutboxEmail is one email to one person for one event.
type OutboxEmail struct {
	DedupeKey     string
	TenantID      string
	ApplicationID string
	MessageType   string
	Recipient     string
	Subject       string
}

// ClaimEmail records the intent to send an email and returns its state and when it was last
// handed to the provider. The dedupe key is the primary key, so however often a step is
// retried there is one row per (journey, step, message type, recipient).
func (db *DB) ClaimEmail(ctx context.Context, e OutboxEmail) (status string, claimedAt *time.Time, err error) {
	err = db.pool.QueryRow(ctx, `
		INSERT INTO email_outbox (dedupe_key, tenant_id, application_id, message_type, recipient, subject, status)
		VALUES ($1,$2,NULLIF($3,''),$4,$5,$6,'pending')
		ON CONFLICT (dedupe_key) DO UPDATE SET attempts = email_outbox.attempts + 1
		RETURNING status, claimed_at`,
		e.DedupeKey, e.TenantID, e.ApplicationID, e.MessageType, e.Recipient, e.Subject).Scan(&status, &claimedAt)
	return status, claimedAt, err
}

// MarkEmailSending records, before the request goes out, that the provider may accept it.
func (db *DB) MarkEmailSending(ctx context.Context, key string) error {
	_, err := db.pool.Exec(ctx, `UPDATE email_outbox SET status='sending', claimed_at=now() WHERE dedupe_key=$1 AND status IN ('pending','sending')`, key)
	return err
}

// MarkEmailPending records that the provider certainly did not accept the message (429, 5xx).
func (db *DB) MarkEmailPending(ctx context.Context, key, reason string) error {
	_, err := db.pool.Exec(ctx, `UPDATE email_outbox SET status='pending', last_error=$2 WHERE dedupe_key=$1 AND status='sending'`, key, reason)
	return err
}

// MarkEmailSent records the provider's acceptance.
func (db *DB) MarkEmailSent(ctx context.Context, key, providerID string) error {
	_, err := db.pool.Exec(ctx, `UPDATE email_outbox SET status='sent', provider_id=$2, sent_at=now(), last_error=NULL WHERE dedupe_key=$1`, key, providerID)
	return err
}

// MarkEmailFailed records a permanent refusal.
func (db *DB) MarkEmailFailed(ctx context.Context, key, reason string) error {
	_, err := db.pool.Exec(ctx, `UPDATE email_outbox SET status='failed', last_error=$2 WHERE dedupe_key=$1`, key, reason)
	return err
}

// NoteEmailError records a passing error (the send will be retried).
func (db *DB) NoteEmailError(ctx context.Context, key, reason string) error {
	_, err := db.pool.Exec(ctx, `UPDATE email_outbox SET last_error=$2 WHERE dedupe_key=$1`, key, reason)
	return err
}

// EmailEvent is one event of SendGrid's event webhook.
type EmailEvent struct {
	EventID    string
	TenantID   string
	DedupeKey  string
	Kind       string
	Email      string
	MessageID  string
	Reason     string
	OccurredAt time.Time
}

// RecordEmailEvent stores an event once; it reports whether it was new.
func (db *DB) RecordEmailEvent(ctx context.Context, e EmailEvent) (bool, error) {
	tag, err := db.pool.Exec(ctx, `
		INSERT INTO email_events (event_id, tenant_id, dedupe_key, kind, email, message_id, reason, occurred_at)
		VALUES ($1,$2,$3,$4,lower($5),$6,$7,$8) ON CONFLICT (event_id) DO NOTHING`,
		e.EventID, e.TenantID, e.DedupeKey, e.Kind, e.Email, e.MessageID, e.Reason, e.OccurredAt)
	return tag.RowsAffected() == 1, err
}

// ProcessedMessageID returns the provider's message id if SendGrid reported the message with
// this dedupe key as processed (i.e. it was accepted), or "".
func (db *DB) ProcessedMessageID(ctx context.Context, dedupeKey string) (string, error) {
	var id string
	err := db.pool.QueryRow(ctx, `
		SELECT COALESCE((SELECT message_id FROM email_events WHERE dedupe_key=$1 AND kind='processed' LIMIT 1), '')`, dedupeKey).Scan(&id)
	return id, err
}

// FlagEmailProblem marks a person's address as a problem (bounced, dropped, refused) for admins.
func (db *DB) FlagEmailProblem(ctx context.Context, tenantID, email, problem string) error {
	_, err := db.pool.Exec(ctx, `UPDATE people SET email_problem=$3, email_problem_at=now() WHERE tenant_id=$1 AND email=lower($2)`,
		tenantID, email, problem)
	return err
}

// EmailProblem returns the flagged problem of a person's address, or "".
func (db *DB) EmailProblem(ctx context.Context, tenantID, personID string) (string, error) {
	var p *string
	err := db.pool.QueryRow(ctx, `SELECT email_problem FROM people WHERE tenant_id=$1 AND id=$2`, tenantID, personID).Scan(&p)
	if p == nil {
		return "", err
	}
	return *p, err
}
