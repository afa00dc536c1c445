package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// DigestItem is one reminder waiting for its person's daily digest.
type DigestItem struct {
	DedupeKey     string
	TenantID      string
	PersonID      string
	ApplicationID string
	Kind          string
	Data          json.RawMessage
}

// DigestSlot says which day's digest a reminder joined and when that digest goes out.
type DigestSlot struct {
	Day    time.Time // the date (midnight UTC of the London date)
	SendAt time.Time
}

// QueueDigestItem puts a reminder into its person's digest for today. The first reminder of
// the day fixes when the digest goes out (sendAt). If today's digest has already gone out, the
// reminder joins the next day's, sent at laterDay(day) — so a person
// gets at most one digest a day. Queuing the same reminder again (a retried activity) returns
// the slot it joined the first time.
func (db *DB) QueueDigestItem(ctx context.Context, it DigestItem, today, sendAt time.Time, laterDay func(day time.Time) time.Time) (DigestSlot, error) {
	var slot DigestSlot
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// An item queued before keeps its day.
		var day time.Time
		err := tx.QueryRow(ctx, `SELECT day FROM email_digest_items WHERE dedupe_key=$1`, it.DedupeKey).Scan(&day)
		if err == nil {
			slot.Day = day
			return tx.QueryRow(ctx, `SELECT send_at FROM email_digests WHERE person_id=$1 AND day=$2`, it.PersonID, day).Scan(&slot.SendAt)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		day = today
		for {
			at := sendAt
			if !day.Equal(today) {
				at = laterDay(day)
			}
			// Lock the day's bucket (creating it if this is the day's first reminder), so a
			// digest being sent and a reminder being queued cannot interleave.
			if _, err := tx.Exec(ctx, `INSERT INTO email_digests (tenant_id, person_id, day, send_at) VALUES ($1,$2,$3,$4)
				ON CONFLICT (person_id, day) DO NOTHING`, it.TenantID, it.PersonID, day, at); err != nil {
				return err
			}
			var sent *time.Time
			if err := tx.QueryRow(ctx, `SELECT send_at, sent_at FROM email_digests WHERE person_id=$1 AND day=$2 FOR UPDATE`,
				it.PersonID, day).Scan(&slot.SendAt, &sent); err != nil {
				return err
			}
			if sent == nil {
				break
			}
			day = day.AddDate(0, 0, 1)
		}
		slot.Day = day
		_, err = tx.Exec(ctx, `INSERT INTO email_digest_items (dedupe_key, tenant_id, person_id, day, application_id, kind, data)
			VALUES ($1,$2,$3,$4,NULLIF($5,''),$6,$7)`, it.DedupeKey, it.TenantID, it.PersonID, day, it.ApplicationID, it.Kind, it.Data)
		return err
	})
	return slot, err
}

// CloseDigest closes a person's digest for a day (later reminders go to the next day) and
// returns its items in the order they were queued. Closing twice returns the same items, so a
// retried send sees what the first attempt saw.
func (db *DB) CloseDigest(ctx context.Context, personID string, day time.Time) ([]DigestItem, error) {
	var items []DigestItem
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE email_digests SET sent_at = COALESCE(sent_at, now()) WHERE person_id=$1 AND day=$2`,
			personID, day); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT dedupe_key, tenant_id, person_id, COALESCE(application_id,''), kind, data
			FROM email_digest_items WHERE person_id=$1 AND day=$2 ORDER BY created_at, dedupe_key`, personID, day)
		if err != nil {
			return err
		}
		items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (DigestItem, error) {
			var it DigestItem
			err := r.Scan(&it.DedupeKey, &it.TenantID, &it.PersonID, &it.ApplicationID, &it.Kind, &it.Data)
			return it, err
		})
		return err
	})
	return items, err
}
