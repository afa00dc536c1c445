package health

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type pinger func(context.Context) error

func (p pinger) Ping(ctx context.Context) error { return p(ctx) }

// TestReadiness: ready when every check passes; a failing or hanging dependency makes it 503
// within the timeout and names the check, not the error; draining makes it 503 for good.
func TestReadiness(t *testing.T) {
	ok := pinger(func(context.Context) error { return nil })
	hang := pinger(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	down := pinger(func(context.Context) error { return errors.New("dial tcp 10.0.0.7:5432: refused") })

	get := func(c *Checks) (int, string) {
		w := httptest.NewRecorder()
		c.ReadyHandler()(w, httptest.NewRequest("GET", "/readyz", nil))
		return w.Code, w.Body.String()
	}
	c := &Checks{DB: ok, Objects: ok}
	if code, body := get(c); code != 200 || !strings.Contains(body, `"postgres":"ok"`) {
		t.Fatalf("all ok: %d %s", code, body)
	}
	c = &Checks{DB: down, Objects: hang, Timeout: 100 * time.Millisecond}
	began := time.Now()
	code, body := get(c)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, `"postgres":"failing"`) || !strings.Contains(body, `"objects":"failing"`) {
		t.Fatalf("failing: %d %s", code, body)
	}
	if strings.Contains(body, "10.0.0.7") {
		t.Fatalf("the answer leaks the error: %s", body)
	}
	if took := time.Since(began); took > time.Second {
		t.Fatalf("a hanging check held the probe %v", took)
	}
	c = &Checks{DB: ok}
	c.Drain()
	if code, _ := get(c); code != http.StatusServiceUnavailable {
		t.Fatalf("draining: %d", code)
	}
	w := httptest.NewRecorder()
	LiveHandler(w, httptest.NewRequest("GET", "/livez", nil))
	if w.Code != 200 {
		t.Fatalf("livez %d", w.Code)
	}
}
