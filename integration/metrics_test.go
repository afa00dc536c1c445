package integration

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// scrapeMetrics reads the API's /metrics.
func scrapeMetrics(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, body)
	}
	return string(body)
}

// sample is the value of one series in an exposition (series as written: name{labels}), 0 if
// absent; a bare name with "{" after it (name{) sums every series of that name.
func sample(body, series string) float64 {
	total := 0.0
	for _, line := range strings.Split(body, "\n") {
		if strings.HasSuffix(series, "{") {
			if strings.HasPrefix(line, series) {
				v, _ := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64)
				total += v
			}
			continue
		}
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, _ := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v
		}
	}
	return total
}

// TestMetricsMoveDuringAJourney scrapes /metrics before and during a journey and sees the named
// series move: journeys by stage (from the projection), emails sent, upload bytes, request
// durations by route pattern and the Temporal SDK's own; /readyz checks Temporal, PostgreSQL and
// MinIO; and no label carries the application's id.
func TestMetricsMoveDuringAJourney(t *testing.T) {
	s := shared
	resp, err := http.Get(s.APIURL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	ready, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(ready), `"temporal":"ok"`) ||
		!strings.Contains(string(ready), `"postgres":"ok"`) || !strings.Contains(string(ready), `"objects":"ok"`) {
		t.Fatalf("/readyz: %d %s", resp.StatusCode, ready)
	}

	before := scrapeMetrics(t, s.APIURL)
	applicant := as(t, s, "demo-northshire-applicant")
	app := application{ID: registered(t, applicant, "URN-IT-METRICS")}
	standards := bronzeStandards(t, applicant, app.ID)
	content := pdf("metrics")
	applicant.uploadEvidence(app.ID, "metrics.pdf", content, standards[0])

	routeCount := `award_http_request_duration_seconds_count{route="POST /v1/applications"}`
	checks := []struct {
		what   string
		series string
		min    float64 // at least this much above before
	}{
		{"journeys in portfolio", `award_journeys{stage="portfolio"}`, 1},
		{"emails sent", `award_emails_total{outcome="sent"}`, 1},
		{"upload bytes", `award_upload_bytes_total`, float64(len(content))},
		{"registrations timed by route", routeCount, 1},
		{"SDK workflow task schedule-to-start", `temporal_workflow_task_schedule_to_start_latency_seconds_count{`, 1},
	}
	var after string
	eventually(t, "the named series to move", func() bool {
		after = scrapeMetrics(t, s.APIURL)
		for _, c := range checks {
			if sample(after, c.series)-sample(before, c.series) < c.min {
				return false
			}
		}
		return true
	})
	for _, c := range checks {
		t.Logf("%s: %v → %v", c.what, sample(before, c.series), sample(after, c.series))
	}
	for _, want := range []string{`award_stuck_entries{reason="overdue"}`, `award_emails_total{outcome="failed"}`,
		"temporal_sticky_cache_size", "temporal_worker_task_slots_available"} {
		if !strings.Contains(after, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(after, app.ID) {
		t.Fatal("an application id is in the metrics")
	}
	// The journey moves on: submitted, it leaves portfolio, and the gauge follows.
	portfolio := sample(after, `award_journeys{stage="portfolio"}`)
	for _, code := range standards[1:] {
		applicant.uploadEvidence(app.ID, code+".pdf", pdf(code), code)
	}
	applicant.must(200, "POST", "/v1/applications/"+app.ID+"/submit", map[string]any{"target_level": "bronze"})
	eventually(t, "the stage gauge to follow the submission", func() bool {
		return sample(scrapeMetrics(t, s.APIURL), `award_journeys{stage="portfolio"}`) <= portfolio-1
	})
}
