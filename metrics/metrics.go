// Package metrics holds the product's Prometheus metrics: one registry per process that
// /metrics serves, with the Go runtime's, the Temporal SDK's (temporal.go), the product's
// counters (this file) and the gauges read from PostgreSQL's projection (projection.go).
//
// Labels are bounded sets chosen here (an outcome, a stage, a reason, a route pattern): never
// an id, an address, a name or a raw path, so that no personal data reaches the metrics store.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry is the process's registry: package-level because the counters are bumped from
// activities and handlers that have no other way to reach one.
var Registry = prometheus.NewRegistry()

// Outcomes of an email send attempt (award_emails_total{outcome}).
const (
	EmailSent     = "sent"     // the provider took it (or had taken it: its processed event arrived)
	EmailFailed   = "failed"   // refused for good (bad address, provider configuration)
	EmailRetrying = "retrying" // this attempt did not send it; Temporal retries
)

var (
	emails = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "award_emails_total",
		Help: "Email send attempts by outcome: sent, failed (refused for good), retrying (Temporal tries again).",
	}, []string{"outcome"})
	uploadBytes = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "award_upload_bytes_total",
		Help: "Bytes of evidence confirmed (checked and moved out of staging).",
	})
	httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "award_http_request_duration_seconds",
		Help:    "HTTP request duration by route pattern (the mux's pattern, never the raw path).",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"route"})
)

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		emails, uploadBytes, httpDuration, projection,
	)
	// Every outcome is exported from the start, so rate() and alerts see a 0 rather than nothing.
	for _, o := range []string{EmailSent, EmailFailed, EmailRetrying} {
		emails.WithLabelValues(o)
	}
}

// Email counts one send attempt's outcome.
func Email(outcome string) { emails.WithLabelValues(outcome).Inc() }

// UploadBytes counts bytes of evidence confirmed.
func UploadBytes(n int64) {
	if n > 0 {
		uploadBytes.Add(float64(n))
	}
}

// UnmatchedRoute labels requests that no route pattern matched (refused before the mux, or
// unknown paths), so that probing random paths cannot create new series.
const UnmatchedRoute = "unmatched"

// ObserveHTTP records one request's duration under its route pattern ("" = unmatched).
func ObserveHTTP(route string, d time.Duration) {
	if route == "" {
		route = UnmatchedRoute
	}
	httpDuration.WithLabelValues(route).Observe(d.Seconds())
}

// Handler serves the registry in Prometheus' text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry})
}
