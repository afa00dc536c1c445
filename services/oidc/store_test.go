package oidc

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"time"

	"awardengine/storage/postgres"
)

// memStore is the database in memory, with the same rules as storage/postgres/oidc.go: a
// flow is taken once and only by its browser, one account per person per issuer.
type memStore struct {
	mu         sync.Mutex
	providers  map[string]postgres.OIDCProvider
	flows      []postgres.OIDCFlow
	people     []postgres.Person
	identities map[[3]string]string // tenant, issuer, subject → person
	links      int                  // audited links
	hits       map[string]int       // rate-limit buckets (one window: tests are short)
	now        func() time.Time
}

func newMemStore() *memStore {
	return &memStore{providers: map[string]postgres.OIDCProvider{}, identities: map[[3]string]string{}, hits: map[string]int{}, now: time.Now}
}

func (s *memStore) OIDCProvider(_ context.Context, tenantID string) (postgres.OIDCProvider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.providers[tenantID]
	if !ok {
		return p, postgres.ErrNotFound
	}
	return p, nil
}

func (s *memStore) SetOIDCProvider(_ context.Context, p postgres.OIDCProvider, _ string) (postgres.OIDCProvider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p.UpdatedAt = s.now()
	s.providers[p.TenantID] = p
	return p, nil
}

func (s *memStore) SaveOIDCFlow(_ context.Context, f postgres.OIDCFlow) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flows = append(s.flows, f)
	return nil
}

func (s *memStore) TakeOIDCFlow(_ context.Context, stateHash, browserHash []byte) (postgres.OIDCFlow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.flows {
		if bytes.Equal(f.StateHash, stateHash) && bytes.Equal(f.BrowserHash, browserHash) {
			s.flows = append(s.flows[:i], s.flows[i+1:]...)
			if !f.ExpiresAt.After(s.now()) {
				return postgres.OIDCFlow{}, postgres.ErrNotFound
			}
			return f, nil
		}
	}
	return postgres.OIDCFlow{}, postgres.ErrNotFound
}

// flowFor changes the sign-in under way stored for tenant (tests that tamper with it).
func (s *memStore) lastFlow(change func(*postgres.OIDCFlow)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	change(&s.flows[len(s.flows)-1])
}

func (s *memStore) person(tenantID string, match func(postgres.Person) bool) (postgres.Person, error) {
	for _, p := range s.people {
		if p.TenantID == tenantID && match(p) {
			return p, nil
		}
	}
	return postgres.Person{}, postgres.ErrNotFound
}

func (s *memStore) OIDCIdentity(_ context.Context, tenantID, issuer, subject string) (postgres.Person, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.identities[[3]string{tenantID, issuer, subject}]
	if !ok {
		return postgres.Person{}, postgres.ErrNotFound
	}
	return s.person(tenantID, func(p postgres.Person) bool { return p.ID == id })
}

func (s *memStore) PersonByEmail(_ context.Context, tenantID, email string) (postgres.Person, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.person(tenantID, func(p postgres.Person) bool { return p.Email == strings.ToLower(email) })
}

func (s *memStore) LinkOIDCIdentity(_ context.Context, tenantID, issuer, subject, personID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := [3]string{tenantID, issuer, subject}
	if linked, ok := s.identities[key]; ok {
		if linked == personID {
			return nil
		}
		return postgres.ErrIdentityTaken
	}
	for k, linked := range s.identities {
		if k[0] == tenantID && k[1] == issuer && linked == personID {
			return postgres.ErrIdentityTaken
		}
	}
	s.identities[key] = personID
	s.links++
	return nil
}

func (s *memStore) addPerson(tenantID, id, email string, active bool, roles ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.people = append(s.people, postgres.Person{ID: id, TenantID: tenantID, Name: id, Email: email, Roles: roles, Active: active})
}

func (s *memStore) HitRateLimit(_ context.Context, bucket string, limit int, window time.Duration) (bool, time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[bucket]++
	if s.hits[bucket] > limit {
		return false, window, nil
	}
	return true, 0, nil
}
