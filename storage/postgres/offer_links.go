package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// One-click offer links (issue 13; migration 00015). The email activity makes a link's token
// (services/offerlinks/offertoken) and the offer-link service uses it; this file only ever
// sees salts and hashes.

// OfferLink is the link of one offer (an assessor's assignment), without its secret.
type OfferLink struct {
	AssignmentID  string
	TenantID      string
	ApplicationID string
	PersonID      string
	EmailedAt     time.Time
	// ExpiresAt is the offer's deadline when the link was last emailed (the journey's own
	// deadline, which an admin may move, is what decides).
	ExpiresAt time.Time
	UsedAt    *time.Time
	Answer    string // "accepted" or "declined" once used
}

// Answers of an offer link.
const (
	OfferAccepted = "accepted"
	OfferDeclined = "declined"
)

// offerLinkRetention is how long a link's row outlives its offer, so that an old email's
// link still says what became of the offer.
const offerLinkRetention = 30 * 24 * time.Hour

const offerLinkColumns = `assignment_id, tenant_id, application_id, person_id, emailed_at, expires_at, used_at, COALESCE(answer, '')`

func scanOfferLink(row pgx.Row) (OfferLink, error) {
	var l OfferLink
	err := row.Scan(&l.AssignmentID, &l.TenantID, &l.ApplicationID, &l.PersonID, &l.EmailedAt, &l.ExpiresAt, &l.UsedAt, &l.Answer)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, ErrNotFound
	}
	return l, err
}

// LatestOffer is the newest assessor's assignment of a person on an application: the offer
// an assessor_offer email to them is about. ErrNotFound if there is none.
func (db *DB) LatestOffer(ctx context.Context, tenantID, applicationID, personID string) (Assignment, error) {
	as, err := db.assignments(ctx, assignmentQuery+`AND x.application_id = $2 AND x.person_id = $3 AND x.role = 'assessor'
		ORDER BY x.offered_at DESC, x.id DESC LIMIT 1`, tenantID, applicationID, personID)
	if err != nil {
		return Assignment{}, err
	}
	if len(as) == 0 {
		return Assignment{}, ErrNotFound
	}
	return as[0], nil
}

// OfferAssignment is one assignment of a tenant by id, or ErrNotFound.
func (db *DB) OfferAssignment(ctx context.Context, tenantID, id string) (Assignment, error) {
	as, err := db.assignments(ctx, assignmentQuery+`AND x.id = $2`, tenantID, id)
	if err != nil {
		return Assignment{}, err
	}
	if len(as) == 0 {
		return Assignment{}, ErrNotFound
	}
	return as[0], nil
}

// PutOfferLink stores the link of an offer, once per offer: the first call keeps newSalt as
// the offer's salt, and every call stores hash(salt) as the token's hash, where salt is the
// one kept. A retried or repeated email of the same offer therefore stores the same hash
// (the token is derived from the salt), and an offer never has two live tokens. hash is
// called once whatever happens; a link already used is left as it is. The link is bound to the assignment's own tenant,
// application and person: an assignment that is not this person's offer of this application
// is ErrNotFound.
func (db *DB) PutOfferLink(ctx context.Context, l OfferLink, newSalt []byte, hash func(salt []byte) []byte) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO offer_links (assignment_id, tenant_id, application_id, person_id, salt, expires_at)
			SELECT id, tenant_id, application_id, person_id, $5, $6 FROM assignments
			WHERE id = $1 AND tenant_id = $2 AND application_id = $3 AND person_id = $4 AND role = 'assessor'
			ON CONFLICT (assignment_id) DO NOTHING`,
			l.AssignmentID, l.TenantID, l.ApplicationID, l.PersonID, newSalt, l.ExpiresAt); err != nil {
			return err
		}
		var salt []byte
		var used *time.Time
		err := tx.QueryRow(ctx, `
			SELECT salt, used_at FROM offer_links
			WHERE assignment_id = $1 AND tenant_id = $2 AND application_id = $3 AND person_id = $4 FOR UPDATE`,
			l.AssignmentID, l.TenantID, l.ApplicationID, l.PersonID).Scan(&salt, &used)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("no offer %s of application %s to %s: %w", l.AssignmentID, l.ApplicationID, l.PersonID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		h := hash(salt)
		if used != nil {
			return nil // a used link stays as it was used
		}
		_, err = tx.Exec(ctx, `UPDATE offer_links SET token_hash = $2, emailed_at = now(), expires_at = $3 WHERE assignment_id = $1`,
			l.AssignmentID, h, l.ExpiresAt)
		return err
	})
}

// OfferLinkByHash is the link whose token has this hash, used or not (the page's GET, which
// mail scanners open too, never uses it), or ErrNotFound.
func (db *DB) OfferLinkByHash(ctx context.Context, tokenHash []byte) (OfferLink, error) {
	return scanOfferLink(db.pool.QueryRow(ctx, `SELECT `+offerLinkColumns+` FROM offer_links WHERE token_hash = $1`, tokenHash))
}

// UseOfferLink uses the link whose token has this hash, once, for answer (OfferAccepted or
// OfferDeclined): of two requests racing, one wins and the other gets ErrLinkUsed (with the
// link as it is). ErrNotFound if there is no such link.
func (db *DB) UseOfferLink(ctx context.Context, tokenHash []byte, answer string) (OfferLink, error) {
	if answer != OfferAccepted && answer != OfferDeclined {
		return OfferLink{}, fmt.Errorf("offer link answer %q", answer)
	}
	l, err := scanOfferLink(db.pool.QueryRow(ctx, `
		UPDATE offer_links SET used_at = now(), answer = $2 WHERE token_hash = $1 AND used_at IS NULL
		RETURNING `+offerLinkColumns, tokenHash, answer))
	if errors.Is(err, ErrNotFound) {
		l, err = db.OfferLinkByHash(ctx, tokenHash)
		if err == nil {
			err = ErrLinkUsed
		}
	}
	return l, err
}

// ReleaseOfferLink undoes a use whose answer was certainly not given (the journey refused it,
// or the request never reached it), so the person may try again. usedAt names the use undone:
// a later use is left alone.
func (db *DB) ReleaseOfferLink(ctx context.Context, tokenHash []byte, usedAt time.Time) error {
	_, err := db.pool.Exec(ctx, `UPDATE offer_links SET used_at = NULL, answer = NULL WHERE token_hash = $1 AND used_at = $2`,
		tokenHash, usedAt)
	return err
}

// ForgetOfferLinks removes the links of offers that closed (answered, expired, released) more
// than 30 days ago.
func (db *DB) ForgetOfferLinks(ctx context.Context) error {
	_, err := db.pool.Exec(ctx, `
		DELETE FROM offer_links l USING assignments x
		WHERE x.id = l.assignment_id AND x.state <> 'offered' AND COALESCE(x.closed_at, x.accepted_at) < now() - $1::interval`,
		offerLinkRetention)
	return err
}
