package payloadcrypt

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Errors of decoding. Each names the key id it concerns.
var (
	// ErrKeyShredded: the data key was destroyed by the retention erasure (crypto-shredding).
	// The payloads encrypted under it can never be decoded again: replaying, querying or
	// showing that application's workflow fails with this error, by design.
	ErrKeyShredded = errors.New("payloadcrypt: the data key was destroyed by the retention erasure (crypto-shredded): its payloads can never be decoded")
	// ErrUnknownKey: no data key with that id exists (another deployment's payload, or a
	// forged key id).
	ErrUnknownKey = errors.New("payloadcrypt: no such data key")
	// ErrTampered: the ciphertext (or its key id) was altered, or it is not this key's.
	ErrTampered = errors.New("payloadcrypt: payload failed authentication (altered, or encrypted under another key)")
)

// IsShredded says whether err comes from a destroyed data key, here or in another process (a
// query of an erased journey fails in the worker; the client gets the message only).
func IsShredded(err error) bool {
	return err != nil && (errors.Is(err, ErrKeyShredded) || strings.Contains(err.Error(), "crypto-shredded"))
}

// StoredKey is a data key as stored: wrapped by a KEK, or destroyed.
type StoredKey struct {
	KeyID         string // "app/<id>", "tenant/<id>" or "system"
	TenantID      string // "" when not known
	ApplicationID string // "" for tenant and system keys
	KEKID         string
	Wrapped       []byte     // nil once shredded
	ShreddedAt    *time.Time // set once shredded
}

// Store keeps wrapped data keys (storage/postgres.PayloadKeys; MemoryStore in tests).
type Store interface {
	// PayloadKey returns the stored key, or an error wrapping ErrUnknownKey.
	PayloadKey(ctx context.Context, keyID string) (StoredKey, error)
	// CreatePayloadKey stores k unless a key with its id exists (destroyed or not), and
	// returns the key stored under that id (k, or the one that was there first). An
	// application key with no tenant takes the application's tenant.
	CreatePayloadKey(ctx context.Context, k StoredKey) (StoredKey, error)
	// ShredPayloadKey destroys the wrapped key (idempotent; a missing key is recorded as
	// destroyed, so it is never created afterwards).
	ShredPayloadKey(ctx context.Context, keyID, tenantID, applicationID string, at time.Time) error
	// RewrapPayloadKey replaces a key's wrapping by oldKEK with one by newKEK (KEK rotation),
	// unless it changed meanwhile (destroyed, or rewrapped by another process): then nothing.
	RewrapPayloadKey(ctx context.Context, keyID, oldKEK, newKEK string, wrapped []byte) error
}

// cacheTTL bounds how long a process keeps an unwrapped data key in memory: after a shred,
// another process (a second worker, the API) may still decode that application's payloads
// for at most this long.
const cacheTTL = time.Minute

// Keys hands out data keys: unwrapped from the Store, created on first use, destroyed on
// erasure. Safe for concurrent use.
type Keys struct {
	Store   Store
	Wrapper KeyWrapper
	// Timeout bounds each Store call made while encoding or decoding (default 10 s): the SDK's
	// codecs have no context of their own.
	Timeout time.Duration
	now     func() time.Time

	mu    sync.Mutex
	cache map[string]cachedKey
}

type cachedKey struct {
	aead     cipher.AEAD
	tenantID string
	at       time.Time
}

// NewKeys returns the data keys kept in store and wrapped by w.
func NewKeys(store Store, w KeyWrapper) *Keys {
	return &Keys{Store: store, Wrapper: w, Timeout: 10 * time.Second, now: time.Now, cache: map[string]cachedKey{}}
}

func (k *Keys) context() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), k.Timeout)
}

func (k *Keys) cached(keyID string) (cachedKey, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	c, ok := k.cache[keyID]
	if ok && k.now().Sub(c.at) > cacheTTL {
		delete(k.cache, keyID)
		return cachedKey{}, false
	}
	return c, ok
}

func (k *Keys) remember(keyID string, c cachedKey) {
	c.at = k.now()
	k.mu.Lock()
	k.cache[keyID] = c
	k.mu.Unlock()
}

// forDecrypt returns the existing key keyID.
func (k *Keys) forDecrypt(ctx context.Context, keyID string) (cipher.AEAD, error) {
	if c, ok := k.cached(keyID); ok {
		return c.aead, nil
	}
	sk, err := k.Store.PayloadKey(ctx, keyID)
	if err != nil {
		return nil, err
	}
	c, err := k.unwrap(ctx, sk)
	if err != nil {
		return nil, err
	}
	return c.aead, nil
}

func (k *Keys) unwrap(ctx context.Context, sk StoredKey) (cachedKey, error) {
	if sk.Wrapped == nil {
		return cachedKey{tenantID: sk.TenantID}, fmt.Errorf("%w (key %s)", ErrKeyShredded, sk.KeyID)
	}
	raw, err := k.Wrapper.Unwrap(ctx, sk.KEKID, sk.KeyID, sk.Wrapped)
	if err != nil {
		return cachedKey{}, err
	}
	if current := k.Wrapper.CurrentID(); sk.KEKID != current {
		k.rewrap(ctx, sk, raw)
	}
	aead, err := newGCM(raw)
	if err != nil {
		return cachedKey{}, err
	}
	c := cachedKey{aead: aead, tenantID: sk.TenantID}
	k.remember(sk.KeyID, c)
	return c, nil
}

// forEncrypt returns the key of scope s, creating it on first use. An application whose key
// was destroyed falls back to its tenant's key (what its journey still writes after the
// erasure carries no personal data).
func (k *Keys) forEncrypt(ctx context.Context, s Scope) (string, cipher.AEAD, error) {
	if s.TenantKey && s.ApplicationID != "" {
		tenant, err := k.tenantOf(ctx, s.ApplicationID)
		if err != nil {
			return "", nil, err
		}
		return k.forEncrypt(ctx, Scope{TenantID: tenant})
	}
	keyID := s.KeyID()
	if c, ok := k.cached(keyID); ok {
		return keyID, c.aead, nil
	}
	sk, err := k.Store.PayloadKey(ctx, keyID)
	if errors.Is(err, ErrUnknownKey) {
		sk, err = k.create(ctx, s)
	}
	if err != nil {
		return "", nil, err
	}
	c, err := k.unwrap(ctx, sk)
	if errors.Is(err, ErrKeyShredded) && s.ApplicationID != "" {
		return k.forEncrypt(ctx, Scope{TenantID: c.tenantID})
	}
	if err != nil {
		return "", nil, err
	}
	return keyID, c.aead, nil
}

// tenantOf is the tenant of an application, from its data key's row (created if need be:
// the store fills the tenant in from the application).
func (k *Keys) tenantOf(ctx context.Context, applicationID string) (string, error) {
	keyID := ApplicationScope(applicationID).KeyID()
	if c, ok := k.cached(keyID); ok && c.tenantID != "" {
		return c.tenantID, nil
	}
	sk, err := k.Store.PayloadKey(ctx, keyID)
	if errors.Is(err, ErrUnknownKey) {
		sk, err = k.create(ctx, ApplicationScope(applicationID))
	}
	return sk.TenantID, err
}

// rewrap moves a data key wrapped by an older KEK onto the current one, as it is used: after a
// rotation, every key in use leaves the old KEK by itself. A failure changes nothing (the key
// still unwraps under its old KEK; the next use tries again).
func (k *Keys) rewrap(ctx context.Context, sk StoredKey, raw []byte) {
	kekID, wrapped, err := k.Wrapper.Wrap(ctx, sk.KeyID, raw)
	if err == nil {
		_ = k.Store.RewrapPayloadKey(ctx, sk.KeyID, sk.KEKID, kekID, wrapped)
	}
}

func (k *Keys) create(ctx context.Context, s Scope) (StoredKey, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return StoredKey{}, err
	}
	keyID := s.KeyID()
	kekID, wrapped, err := k.Wrapper.Wrap(ctx, keyID, raw)
	if err != nil {
		return StoredKey{}, err
	}
	return k.Store.CreatePayloadKey(ctx, StoredKey{KeyID: keyID, TenantID: s.TenantID, ApplicationID: s.ApplicationID, KEKID: kekID, Wrapped: wrapped})
}

// Shred destroys an application's data key: every payload encrypted under it becomes
// unreadable, in this process at once and in others within cacheTTL. Idempotent.
func (k *Keys) Shred(ctx context.Context, tenantID, applicationID string) error {
	keyID := ApplicationScope(applicationID).KeyID()
	if err := k.Store.ShredPayloadKey(ctx, keyID, tenantID, applicationID, k.now().UTC()); err != nil {
		return err
	}
	k.mu.Lock()
	delete(k.cache, keyID)
	k.mu.Unlock()
	return nil
}

// Forget drops every cached data key (tests: act as a fresh process).
func (k *Keys) Forget() {
	k.mu.Lock()
	k.cache = map[string]cachedKey{}
	k.mu.Unlock()
}

// MemoryStore is a Store in memory (unit tests, the replay test's keys).
type MemoryStore struct {
	mu   sync.Mutex
	Keys map[string]StoredKey
	// Tenants maps application ids to their tenants (what PostgreSQL finds in applications).
	Tenants map[string]string
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{Keys: map[string]StoredKey{}, Tenants: map[string]string{}}
}

// PayloadKey implements Store.
func (m *MemoryStore) PayloadKey(_ context.Context, keyID string) (StoredKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.Keys[keyID]
	if !ok {
		return StoredKey{}, fmt.Errorf("%w: %s", ErrUnknownKey, keyID)
	}
	return k, nil
}

// CreatePayloadKey implements Store.
func (m *MemoryStore) CreatePayloadKey(_ context.Context, k StoredKey) (StoredKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if have, ok := m.Keys[k.KeyID]; ok {
		return have, nil
	}
	if k.TenantID == "" && k.ApplicationID != "" {
		k.TenantID = m.Tenants[k.ApplicationID]
	}
	m.Keys[k.KeyID] = k
	return k, nil
}

// RewrapPayloadKey implements Store.
func (m *MemoryStore) RewrapPayloadKey(_ context.Context, keyID, oldKEK, newKEK string, wrapped []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k, ok := m.Keys[keyID]; ok && k.KEKID == oldKEK && k.Wrapped != nil {
		k.KEKID, k.Wrapped = newKEK, wrapped
		m.Keys[keyID] = k
	}
	return nil
}

// ShredPayloadKey implements Store.
func (m *MemoryStore) ShredPayloadKey(_ context.Context, keyID, tenantID, applicationID string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.Keys[keyID]
	if !ok {
		k = StoredKey{KeyID: keyID, TenantID: tenantID, ApplicationID: applicationID}
	}
	if k.ShreddedAt == nil {
		k.Wrapped, k.KEKID, k.ShreddedAt = nil, "", &at
	}
	m.Keys[keyID] = k
	return nil
}
