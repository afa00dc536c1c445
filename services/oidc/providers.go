package oidc

import (
	"context"
	"net/http"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// providers caches discovery documents by issuer: fetched with the client's timeout, kept
// for a TTL, and not kept when the fetch fails (the next sign-in tries again). go-oidc keeps
// each provider's signing keys and refreshes them when a token names an unknown key.
type providers struct {
	client *http.Client
	ttl    time.Duration
	now    func() time.Time

	mu     sync.Mutex
	byName map[string]cachedProvider
}

type cachedProvider struct {
	provider *gooidc.Provider
	fetched  time.Time
}

func (ps *providers) get(ctx context.Context, issuer string) (*gooidc.Provider, error) {
	ps.mu.Lock()
	c, ok := ps.byName[issuer]
	ps.mu.Unlock()
	if ok && ps.now().Sub(c.fetched) < ps.ttl {
		return c.provider, nil
	}
	// NewProvider checks that the document's issuer is exactly this one.
	timeout := ps.client.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p, err := gooidc.NewProvider(gooidc.ClientContext(ctx, ps.client), issuer)
	if err != nil {
		return nil, err
	}
	ps.mu.Lock()
	ps.byName[issuer] = cachedProvider{provider: p, fetched: ps.now()}
	ps.mu.Unlock()
	return p, nil
}
