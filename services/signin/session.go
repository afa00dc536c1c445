package signin

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"

	"awardengine/storage/postgres"
)

// Session lifetimes: a browser session ends after 30 minutes without a request, and in any
// case 12 hours after sign-in.
const (
	SessionIdleTimeout = 30 * time.Minute
	SessionLifetime    = 12 * time.Hour
)

// Keys of what a session holds.
const (
	keyPerson     = "person"
	keyTenant     = "tenant"
	keyAccess     = "access_version"
	keyGeneration = "sessions_generation"
)

// NewSessions returns the browser session manager, its sessions kept in PostgreSQL (the
// sessions table of migration 00014) so every API process shares them. secure marks the
// cookie Secure: only plain-HTTP development (`make run` on http://127.0.0.1) turns it off.
func NewSessions(db *postgres.DB, secure bool) *scs.SessionManager {
	sm := scs.New()
	if db != nil { // nil only in unit tests of the routes, which keep sessions in memory
		sm.Store = pgxstore.NewWithCleanupInterval(db.Pool(), 30*time.Minute)
	}
	sm.IdleTimeout = SessionIdleTimeout
	sm.Lifetime = SessionLifetime
	sm.Cookie.Name = "award_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false // a browser session: closing the browser ends it
	return sm
}

// StartSession makes the request's session that of the person just signed in, under a new
// session token (so a token planted before sign-in is worth nothing).
func StartSession(ctx context.Context, sm *scs.SessionManager, in SignedIn) error {
	if err := sm.RenewToken(ctx); err != nil {
		return err
	}
	sm.Put(ctx, keyPerson, in.PersonID)
	sm.Put(ctx, keyTenant, in.TenantID)
	sm.Put(ctx, keyAccess, in.AccessVersion)
	sm.Put(ctx, keyGeneration, in.SessionsGeneration)
	return nil
}

// HasSession says whether the request's session names a person.
func HasSession(ctx context.Context, sm *scs.SessionManager) bool {
	return sm.GetString(ctx, keyPerson) != ""
}

// SessionPerson returns the person of the request's session, checked on every request: a
// deactivated person, or a session from before "sign out everywhere", is refused (and the
// session destroyed); a change of the person's roles renews the session token and carries on
// with the new roles.
func (s *Service) SessionPerson(ctx context.Context, sm *scs.SessionManager) (postgres.Person, error) {
	personID, tenantID := sm.GetString(ctx, keyPerson), sm.GetString(ctx, keyTenant)
	if personID == "" || tenantID == "" {
		return postgres.Person{}, ErrNotSignedIn
	}
	p, acct, err := s.DB.SessionPerson(ctx, tenantID, personID)
	switch {
	case errors.Is(err, postgres.ErrNotFound):
		_ = sm.Destroy(ctx)
		return p, ErrSessionEnded
	case err != nil:
		return p, err
	case !acct.Active:
		_ = sm.Destroy(ctx)
		return p, ErrAccountDeactivated
	case acct.SessionsGeneration != sm.GetInt64(ctx, keyGeneration):
		_ = sm.Destroy(ctx)
		return p, ErrSessionEnded
	case acct.AccessVersion != sm.GetInt64(ctx, keyAccess):
		if err := sm.RenewToken(ctx); err != nil {
			return p, err
		}
		sm.Put(ctx, keyAccess, acct.AccessVersion)
	}
	return p, nil
}

// SignOut ends the request's session.
func SignOut(ctx context.Context, sm *scs.SessionManager) error { return sm.Destroy(ctx) }

// EndAllSessions ends every session of the person ("sign out everywhere"): each is refused
// at its next request.
func (s *Service) EndAllSessions(ctx context.Context, me postgres.Person) error {
	return s.DB.EndAllSessions(ctx, me.TenantID, me.ID)
}
