// Package health answers the orchestrator's probes: /livez (the process runs) and /readyz (it
// can do its work: Temporal's CheckHealth, PostgreSQL and the object store all answer within a
// short timeout, and it is not shutting down), and serves /metrics beside them.
package health

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"

	"awardengine/metrics"
)

// DefaultTimeout bounds each readiness check: a probe that hangs is a failed probe.
const DefaultTimeout = 2 * time.Second

// Pinger is a dependency that answers a ping (PostgreSQL's pool, the object store).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Checks are what /readyz asks. Nil dependencies are skipped.
type Checks struct {
	Temporal client.Client
	DB       Pinger
	Objects  Pinger
	Timeout  time.Duration // each check's; DefaultTimeout if 0

	draining atomic.Bool
}

// Drain makes /readyz fail from now on: the process is shutting down, and the load balancer
// should stop sending it requests while in-flight ones finish.
func (c *Checks) Drain() { c.draining.Store(true) }

// Ready runs the checks concurrently and returns each one's error (nil = ok).
func (c *Checks) Ready(ctx context.Context) map[string]error {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	checks := map[string]func(context.Context) error{}
	if c.Temporal != nil {
		checks["temporal"] = func(ctx context.Context) error {
			_, err := c.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		}
	}
	if c.DB != nil {
		checks["postgres"] = c.DB.Ping
	}
	if c.Objects != nil {
		checks["objects"] = c.Objects.Ping
	}
	out := make(map[string]error, len(checks))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, check := range checks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			err := check(ctx)
			mu.Lock()
			out[name] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// ReadyHandler answers 200 when every check passes, else 503. The answer names each check
// as ok or failing, never the error (it can name hosts); errors go to the log.
func (c *Checks) ReadyHandler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status, body := http.StatusOK, map[string]any{"status": "ready"}
		if c.draining.Load() {
			status, body["status"] = http.StatusServiceUnavailable, "shutting down"
		} else {
			results := map[string]string{}
			for name, err := range c.Ready(r.Context()) {
				results[name] = "ok"
				if err != nil {
					results[name] = "failing"
					status, body["status"] = http.StatusServiceUnavailable, "not ready"
					slog.WarnContext(r.Context(), "readiness check failing", "check", name, "error", err)
				}
			}
			body["checks"] = results
		}
		writeJSON(w, status, body)
	}
}

// LiveHandler answers 200 while the process can serve HTTP at all: it checks nothing else,
// so that a dependency's outage never makes the orchestrator restart healthy processes.
func LiveHandler(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "alive"})
}

// Register adds GET /livez, /readyz and /metrics to mux.
func (c *Checks) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /livez", LiveHandler)
	mux.HandleFunc("GET /readyz", c.ReadyHandler())
	mux.Handle("GET /metrics", metrics.Handler())
}

// NewServer is the worker's small HTTP server on addr: probes and metrics only.
func (c *Checks) NewServer(addr string) *http.Server {
	mux := http.NewServeMux()
	c.Register(mux)
	return &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
