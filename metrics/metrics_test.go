package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func TestCountersAndTheirExposition(t *testing.T) {
	sent := value(emails.WithLabelValues(EmailSent))
	Email(EmailSent)
	Email(EmailRetrying)
	if got := value(emails.WithLabelValues(EmailSent)); got != sent+1 {
		t.Fatalf("sent %v, want %v", got, sent+1)
	}
	bytes := value(uploadBytes)
	UploadBytes(1234)
	UploadBytes(-5) // ignored
	if got := value(uploadBytes); got != bytes+1234 {
		t.Fatalf("upload bytes %v", got)
	}
	ObserveHTTP("", time.Millisecond)
	body := scrape(t)
	for _, want := range []string{`award_emails_total{outcome="failed"}`, `award_emails_total{outcome="sent"}`,
		"award_upload_bytes_total", `award_http_request_duration_seconds_count{route="unmatched"}`, "go_goroutines"} {
		if !strings.Contains(body, want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
}

// value reads a counter's current value.
func value(c prometheus.Counter) float64 {
	var m dto.Metric
	_ = c.Write(&m)
	return m.GetCounter().GetValue()
}

func scrape(t *testing.T) string {
	t.Helper()
	w := httptest.NewRecorder()
	Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(w.Body)
	return string(b)
}

type fakeSource struct {
	stages  map[string]int
	reasons map[string]int
	err     error
	reads   int
}

func (f *fakeSource) JourneysByStage(context.Context) (map[string]int, error) {
	f.reads++
	return f.stages, f.err
}
func (f *fakeSource) StuckByReason(context.Context, time.Time) (map[string]int, error) {
	return f.reasons, f.err
}

// TestProjectionGauges: counts come from the source, an emptied stage reads 0 rather than
// vanishing, every known stuck reason is exported, a failed read keeps the last values and
// counts the error, and reads are reused for maxAge.
func TestProjectionGauges(t *testing.T) {
	src := &fakeSource{stages: map[string]int{"toolkit": 2, "portfolio": 1}, reasons: map[string]int{"overdue": 3}}
	stop := ObserveProjection(src, 0)
	defer stop()
	body := scrape(t)
	for _, want := range []string{`award_journeys{stage="toolkit"} 2`, `award_journeys{stage="portfolio"} 1`,
		`award_stuck_entries{reason="overdue"} 3`, `award_stuck_entries{reason="journey_missing"} 0`} {
		if !strings.Contains(body, want) {
			t.Fatalf("exposition lacks %s:\n%s", want, body)
		}
	}
	src.stages = map[string]int{"portfolio": 3}
	if body = scrape(t); !strings.Contains(body, `award_journeys{stage="toolkit"} 0`) || !strings.Contains(body, `award_journeys{stage="portfolio"} 3`) {
		t.Fatalf("after the move:\n%s", body)
	}
	src.err = errors.New("database down")
	if body = scrape(t); !strings.Contains(body, `award_journeys{stage="portfolio"} 3`) || !strings.Contains(body, "award_projection_read_errors_total 1") {
		t.Fatalf("after a failed read:\n%s", body)
	}
	// Cached: a second source with a long max age is read once for two scrapes.
	other := &fakeSource{stages: map[string]int{"toolkit": 1}}
	stopOther := ObserveProjection(other, time.Hour)
	scrape(t)
	scrape(t)
	if other.reads != 1 {
		t.Fatalf("%d reads within max age", other.reads)
	}
	stop() // not the current source: changes nothing
	if !strings.Contains(scrape(t), `award_journeys{stage="toolkit"} 1`) {
		t.Fatal("stopping an old source dropped the current one")
	}
	src.err = nil
	stopOther() // back to src, which was current before
	if !strings.Contains(scrape(t), `award_journeys{stage="portfolio"} 3`) {
		t.Fatal("stopping the current source did not give the gauges back")
	}
}

// TestTemporalHandlerReportsIntoTheRegistry: the SDK's metrics handler is made once and its
// series appear on /metrics with Prometheus names.
func TestTemporalHandlerReportsIntoTheRegistry(t *testing.T) {
	h := Temporal()
	if Temporal() != h {
		t.Fatal("a second handler: series would be registered twice")
	}
	h.WithTags(map[string]string{"task_queue": "q"}).Counter("temporal_test_requests").Inc(2)
	h.Timer("temporal_test_latency").Record(150 * time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for {
		body := scrape(t)
		if strings.Contains(body, `temporal_test_requests_total{task_queue="q"} 2`) &&
			strings.Contains(body, `temporal_test_latency_seconds_bucket{le="0.2"} 1`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("SDK series missing:\n%s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
