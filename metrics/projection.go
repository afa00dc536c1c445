package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Source reads the counts behind the projection gauges (postgres.go reads them from
// PostgreSQL: the applications projection and the stuck list's query, not the workflows).
type Source interface {
	// JourneysByStage counts active applications by stage.
	JourneysByStage(ctx context.Context) (map[string]int, error)
	// StuckByReason counts the stuck list's entries (every tenant) by reason at now.
	StuckByReason(ctx context.Context, now time.Time) (map[string]int, error)
}

// Defaults of the projection gauges' reads.
const (
	// DefaultMaxAge is how long counts are reused across scrapes: each API and worker replica
	// is scraped, and the stuck query runs once per tenant.
	DefaultMaxAge = 15 * time.Second
	// readTimeout bounds one refresh, well inside Prometheus' scrape timeout.
	readTimeout = 5 * time.Second
)

var (
	journeysDesc = prometheus.NewDesc("award_journeys",
		"Active journeys by stage, from PostgreSQL's applications projection.", []string{"stage"}, nil)
	stuckDesc = prometheus.NewDesc("award_stuck_entries",
		"Entries of the admins' stuck list by reason, across tenants, from PostgreSQL (workflow_task_failing, which comes from Temporal's visibility, is not counted).",
		[]string{"reason"}, nil)
	readErrorsDesc = prometheus.NewDesc("award_projection_read_errors_total",
		"Failed reads of the projection gauges (the gauges then keep their last values).", nil, nil)
)

// projectionCollector reads the Source at scrape time, at most once per maxAge.
type projectionCollector struct {
	mu      sync.Mutex
	src     Source
	maxAge  time.Duration
	readAt  time.Time
	stages  map[string]int
	reasons map[string]int
	errors  int
}

var projection = &projectionCollector{stages: map[string]int{}, reasons: map[string]int{}}

// ObserveProjection makes the gauges read src (one source per process: a test that starts a
// second stack takes them over), reusing counts for maxAge (0 = read at every scrape). The
// returned func gives them back to the source before, if src is still the current one.
func ObserveProjection(src Source, maxAge time.Duration) (stop func()) {
	projection.mu.Lock()
	defer projection.mu.Unlock()
	prevSrc, prevAge := projection.src, projection.maxAge
	projection.src, projection.maxAge, projection.readAt = src, maxAge, time.Time{}
	return func() {
		projection.mu.Lock()
		defer projection.mu.Unlock()
		if projection.src == src {
			projection.src, projection.maxAge, projection.readAt = prevSrc, prevAge, time.Time{}
		}
	}
}

// KnownStuckReasons are exported at 0 when absent, so "stuck count rising" compares numbers.
var KnownStuckReasons = []string{"overdue", "activity_failing", "data_error", "no_eligible_assessor",
	"no_eligible_moderator", "dormant", "email_bounced", "journey_missing"}

func (c *projectionCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- journeysDesc
	ch <- stuckDesc
	ch <- readErrorsDesc
}

func (c *projectionCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.src == nil {
		return
	}
	if c.readAt.IsZero() || time.Since(c.readAt) >= c.maxAge {
		c.refresh()
	}
	for stage, n := range c.stages {
		ch <- prometheus.MustNewConstMetric(journeysDesc, prometheus.GaugeValue, float64(n), stage)
	}
	for reason, n := range c.reasons {
		ch <- prometheus.MustNewConstMetric(stuckDesc, prometheus.GaugeValue, float64(n), reason)
	}
	ch <- prometheus.MustNewConstMetric(readErrorsDesc, prometheus.CounterValue, float64(c.errors))
}

// refresh reads both counts; a failed read keeps the last values and counts the error.
func (c *projectionCollector) refresh() {
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	stages, err := c.src.JourneysByStage(ctx)
	if err == nil {
		var reasons map[string]int
		if reasons, err = c.src.StuckByReason(ctx, time.Now()); err == nil {
			// A stage or reason seen before and now empty is reported as 0, not dropped.
			for k := range c.stages {
				c.stages[k] = 0
			}
			for k, n := range stages {
				c.stages[k] = n
			}
			for _, k := range KnownStuckReasons {
				c.reasons[k] = 0
			}
			for k, n := range reasons {
				c.reasons[k] = n
			}
			c.readAt = time.Now()
			return
		}
	}
	c.errors++
	slog.Warn("reading the projection gauges", "error", err)
}
