package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Sign-in links (issue 11 §3). The service (services/signin) makes the secrets and hashes
// them; this file only ever sees hashes.

// SignInLink is one emailed sign-in link, without its secret.
type SignInLink struct {
	ID        string
	TenantID  string
	PersonID  string
	Purpose   string
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// Errors of a link that cannot be used.
var (
	ErrLinkUsed    = errors.New("this link has already been used")
	ErrLinkExpired = errors.New("this link has expired")
)

// SignInAccount is what signing in needs to know about a person.
type SignInAccount struct {
	PersonID           string
	TenantID           string
	Active             bool
	AccessVersion      int64
	SessionsGeneration int64
}

// SignInAccountByEmail finds the person of a tenant with this address, or ErrNotFound.
func (db *DB) SignInAccountByEmail(ctx context.Context, tenantID, email string) (SignInAccount, error) {
	return scanAccount(db.pool.QueryRow(ctx, `
		SELECT id, tenant_id, active, access_version, sessions_generation FROM people
		WHERE tenant_id=$1 AND email=lower($2)`, tenantID, email))
}

// SignInAccount returns one person's sign-in state, or ErrNotFound.
func (db *DB) SignInAccount(ctx context.Context, tenantID, personID string) (SignInAccount, error) {
	return scanAccount(db.pool.QueryRow(ctx, `
		SELECT id, tenant_id, active, access_version, sessions_generation FROM people
		WHERE tenant_id=$1 AND id=$2`, tenantID, personID))
}

func scanAccount(row pgx.Row) (SignInAccount, error) {
	var a SignInAccount
	err := row.Scan(&a.PersonID, &a.TenantID, &a.Active, &a.AccessVersion, &a.SessionsGeneration)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, ErrNotFound
	}
	return a, err
}

// SessionPerson returns the person a browser session names, with the numbers the session is
// checked against, or ErrNotFound.
func (db *DB) SessionPerson(ctx context.Context, tenantID, personID string) (Person, SignInAccount, error) {
	var p Person
	var a SignInAccount
	err := db.pool.QueryRow(ctx, `
		SELECT id, tenant_id, name, email, roles, active, access_version, sessions_generation FROM people
		WHERE tenant_id=$1 AND id=$2`, tenantID, personID).
		Scan(&p.ID, &p.TenantID, &p.Name, &p.Email, &p.Roles, &a.Active, &a.AccessVersion, &a.SessionsGeneration)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, a, ErrNotFound
	}
	a.PersonID, a.TenantID = p.ID, p.TenantID
	p.Active, p.AccessVersion = a.Active, a.AccessVersion
	return p, a, err
}

// EndAllSessions makes every session of the person invalid ("sign out everywhere").
func (db *DB) EndAllSessions(ctx context.Context, tenantID, personID string) error {
	_, err := db.pool.Exec(ctx, `UPDATE people SET sessions_generation = sessions_generation + 1 WHERE tenant_id=$1 AND id=$2`,
		tenantID, personID)
	return err
}

// CreateSignInLink stores a link (its token's hash).
func (db *DB) CreateSignInLink(ctx context.Context, l SignInLink, tokenHash, cliNonceHash []byte) error {
	_, err := db.pool.Exec(ctx, `
		INSERT INTO sign_in_links (id, tenant_id, person_id, purpose, token_hash, cli_nonce_hash, expires_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		l.ID, l.TenantID, l.PersonID, l.Purpose, tokenHash, cliNonceHash, l.ExpiresAt)
	return err
}

// PeekSignInLink returns the link with this token hash without using it (the Continue page,
// which mail scanners open too), or ErrNotFound, ErrLinkUsed, ErrLinkExpired.
func (db *DB) PeekSignInLink(ctx context.Context, tokenHash []byte) (SignInLink, error) {
	var l SignInLink
	err := db.pool.QueryRow(ctx, `
		SELECT id, tenant_id, person_id, purpose, expires_at, used_at FROM sign_in_links WHERE token_hash=$1`, tokenHash).
		Scan(&l.ID, &l.TenantID, &l.PersonID, &l.Purpose, &l.ExpiresAt, &l.UsedAt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return l, ErrNotFound
	case err != nil:
		return l, err
	case l.UsedAt != nil:
		return l, ErrLinkUsed
	case !time.Now().Before(l.ExpiresAt):
		return l, ErrLinkExpired
	}
	return l, nil
}

// UseSignInLink uses the link with this token hash, once: of two requests racing, one wins and
// the other gets ErrLinkUsed. For a CLI link, codeHash is stored with it (the one-time code
// the Continue page shows). It returns ErrNotFound, ErrLinkUsed or ErrLinkExpired otherwise.
func (db *DB) UseSignInLink(ctx context.Context, tokenHash, codeHash []byte) (SignInLink, error) {
	var l SignInLink
	err := db.pool.QueryRow(ctx, `
		UPDATE sign_in_links SET used_at = now(), code_hash = $2
		WHERE token_hash=$1 AND used_at IS NULL AND expires_at > now()
		RETURNING id, tenant_id, person_id, purpose, expires_at, used_at`, tokenHash, codeHash).
		Scan(&l.ID, &l.TenantID, &l.PersonID, &l.Purpose, &l.ExpiresAt, &l.UsedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		// Say why: peek tells used from expired from unknown.
		_, err = db.PeekSignInLink(ctx, tokenHash)
		if err == nil { // it expired or was used between the two statements
			err = ErrLinkUsed
		}
		return l, err
	}
	return l, err
}

// MaxCodeAttempts is how many wrong codes a CLI sign-in survives before it is spent.
const MaxCodeAttempts = 5

// UseSignInCode uses the one-time code of a CLI link found by its nonce hash. check compares
// the stored code hash with the one given (in constant time); a wrong code counts an attempt,
// and after MaxCodeAttempts the code is spent. It returns ErrNotFound when no usable code
// waits for this nonce (none, used, expired or spent), so guesses learn nothing.
func (db *DB) UseSignInCode(ctx context.Context, nonceHash []byte, check func(codeHash []byte) bool) (SignInLink, error) {
	var l SignInLink
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var codeHash []byte
		err := tx.QueryRow(ctx, `
			SELECT id, tenant_id, person_id, purpose, expires_at, code_hash FROM sign_in_links
			WHERE cli_nonce_hash=$1 AND code_hash IS NOT NULL AND code_used_at IS NULL
			  AND code_attempts < $2 AND expires_at > now()
			ORDER BY created_at DESC LIMIT 1 FOR UPDATE`, nonceHash, MaxCodeAttempts).
			Scan(&l.ID, &l.TenantID, &l.PersonID, &l.Purpose, &l.ExpiresAt, &codeHash)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !check(codeHash) {
			_, err := tx.Exec(ctx, `UPDATE sign_in_links SET code_attempts = code_attempts + 1 WHERE id=$1`, l.ID)
			if err != nil {
				return err
			}
			return errWrongCode
		}
		_, err = tx.Exec(ctx, `UPDATE sign_in_links SET code_used_at = now() WHERE id=$1`, l.ID)
		return err
	})
	if errors.Is(err, errWrongCode) {
		return l, ErrNotFound
	}
	return l, err
}

var errWrongCode = errors.New("wrong code") // commits the attempt count, then answers ErrNotFound

// HitRateLimit counts one request in a fixed window for the bucket and says whether it is
// within limit; when it is not, retryAfter is how long until the window ends. The counter is
// one row per bucket, updated in one statement, so concurrent API processes share it.
func (db *DB) HitRateLimit(ctx context.Context, bucket string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error) {
	var hits int
	var left float64 // seconds
	err = db.pool.QueryRow(ctx, `
		INSERT INTO sign_in_rate_limits AS r (bucket, window_start, hits) VALUES ($1, now(), 1)
		ON CONFLICT (bucket) DO UPDATE SET
			hits = CASE WHEN r.window_start + $2 <= now() THEN 1 ELSE r.hits + 1 END,
			window_start = CASE WHEN r.window_start + $2 <= now() THEN now() ELSE r.window_start END
		RETURNING hits, extract(epoch FROM r.window_start + $2 - now())::float8`, bucket, window).Scan(&hits, &left)
	if err != nil {
		return false, 0, err
	}
	if hits <= limit {
		return true, 0, nil
	}
	return false, time.Duration(left * float64(time.Second)), nil
}

// ForgetSignInLinks removes links and counters that ended more than a day ago.
func (db *DB) ForgetSignInLinks(ctx context.Context) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM sign_in_links WHERE expires_at < now() - interval '1 day'`); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, `DELETE FROM sign_in_rate_limits WHERE window_start < now() - interval '1 day'`)
	return err
}
