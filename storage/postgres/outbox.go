package postgres

import (
	"context"
)

// Outbox states of an email.
const (
	EmailPending = "pending" // claimed, not yet accepted by the provider
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

// ClaimEmail records the intent to send an email and returns its state. The dedupe key is the
// primary key, so however often a step is retried there is one row per (journey, step,
// message type, recipient): a row already "sent" or "failed" is not sent again.
func (db *DB) ClaimEmail(ctx context.Context, e OutboxEmail) (status string, err error) {
	err = db.pool.QueryRow(ctx, `
		INSERT INTO email_outbox (dedupe_key, tenant_id, application_id, message_type, recipient, subject, status)
		VALUES ($1,$2,NULLIF($3,''),$4,$5,$6,'pending')
		ON CONFLICT (dedupe_key) DO UPDATE SET attempts = email_outbox.attempts + 1
		RETURNING status`,
		e.DedupeKey, e.TenantID, e.ApplicationID, e.MessageType, e.Recipient, e.Subject).Scan(&status)
	return status, err
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
