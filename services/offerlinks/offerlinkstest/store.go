// Package offerlinkstest is an in-memory fake of the offer-link service's Store, for the
// service's own tests and the pages' handler tests. Only tests import it.
package offerlinkstest

import (
	"context"
	"encoding/hex"
	"sync"
	"time"

	"awardengine/services/offerlinks/offertoken"
	"awardengine/storage/postgres"
)

// People is where the fake finds people and applications (the applications fakes' store:
// appstest.Store).
type People interface {
	Person(ctx context.Context, tenantID, id string) (postgres.Person, error)
	Application(ctx context.Context, tenantID, id string) (postgres.Application, error)
	Framework(ctx context.Context, id string, version int, out any) error
}

// Store keeps offer links by their token's hash, as the database does, and the assignments
// the service reads to say why an offer closed.
type Store struct {
	mu          sync.Mutex
	people      People
	links       map[string]*postgres.OfferLink // by hex of the token's hash
	assignments map[string]postgres.Assignment // by tenant|id
	key         []byte
	// Err, when set, fails every call (the database down).
	Err error
}

// New returns an empty store that finds people in people.
func New(people People) *Store {
	key, _ := offertoken.ParseKey(offertoken.NewKey())
	return &Store{people: people, links: map[string]*postgres.OfferLink{}, assignments: map[string]postgres.Assignment{}, key: key}
}

// Mint stores the link of an offer as the email activity does and returns its token.
func (s *Store) Mint(l postgres.OfferLink) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	token := offertoken.Derive(s.key, offertoken.Offer{TenantID: l.TenantID, ApplicationID: l.ApplicationID,
		AssignmentID: l.AssignmentID, PersonID: l.PersonID}, offertoken.NewSalt())
	if l.EmailedAt.IsZero() {
		l.EmailedAt = time.Now()
	}
	s.links[hex.EncodeToString(offertoken.Hash(token))] = &l
	return token
}

// SetAssignment adds or replaces an assignment of tenantID.
func (s *Store) SetAssignment(tenantID string, a postgres.Assignment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.assignments[tenantID+"|"+a.ID] = a
}

// Link is the stored link of a token (for assertions).
func (s *Store) Link(token string) (postgres.OfferLink, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.links[hex.EncodeToString(offertoken.Hash(token))]
	if !ok {
		return postgres.OfferLink{}, false
	}
	return *l, true
}

// --- offerlinks.Store ---

func (s *Store) OfferLinkByHash(_ context.Context, tokenHash []byte) (postgres.OfferLink, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return postgres.OfferLink{}, s.Err
	}
	l, ok := s.links[hex.EncodeToString(tokenHash)]
	if !ok {
		return postgres.OfferLink{}, postgres.ErrNotFound
	}
	return *l, nil
}

func (s *Store) UseOfferLink(_ context.Context, tokenHash []byte, answer string) (postgres.OfferLink, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return postgres.OfferLink{}, s.Err
	}
	l, ok := s.links[hex.EncodeToString(tokenHash)]
	switch {
	case !ok:
		return postgres.OfferLink{}, postgres.ErrNotFound
	case l.UsedAt != nil:
		return *l, postgres.ErrLinkUsed
	}
	now := time.Now().Truncate(time.Microsecond)
	l.UsedAt, l.Answer = &now, answer
	return *l, nil
}

func (s *Store) ReleaseOfferLink(_ context.Context, tokenHash []byte, usedAt time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	if l, ok := s.links[hex.EncodeToString(tokenHash)]; ok && l.UsedAt != nil && l.UsedAt.Equal(usedAt) {
		l.UsedAt, l.Answer = nil, ""
	}
	return nil
}

func (s *Store) OfferAssignment(_ context.Context, tenantID, id string) (postgres.Assignment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return postgres.Assignment{}, s.Err
	}
	a, ok := s.assignments[tenantID+"|"+id]
	if !ok {
		return postgres.Assignment{}, postgres.ErrNotFound
	}
	return a, nil
}

func (s *Store) Person(ctx context.Context, tenantID, id string) (postgres.Person, error) {
	s.mu.Lock()
	err := s.Err
	s.mu.Unlock()
	if err != nil {
		return postgres.Person{}, err
	}
	return s.people.Person(ctx, tenantID, id)
}

func (s *Store) Application(ctx context.Context, tenantID, id string) (postgres.Application, error) {
	s.mu.Lock()
	err := s.Err
	s.mu.Unlock()
	if err != nil {
		return postgres.Application{}, err
	}
	return s.people.Application(ctx, tenantID, id)
}

func (s *Store) Framework(ctx context.Context, id string, version int, out any) error {
	s.mu.Lock()
	err := s.Err
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.people.Framework(ctx, id, version, out)
}
