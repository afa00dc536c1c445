package metrics

import (
	"log/slog"
	"sync"
	"time"

	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
)

var (
	temporalOnce    sync.Once
	temporalHandler client.MetricsHandler
)

// temporalBuckets (seconds) put bounds around the alert on schedule-to-start p99 > 200 ms.
var temporalBuckets = []float64{.001, .005, .01, .025, .05, .1, .2, .3, .5, 1, 2.5, 5, 10, 30, 60}

// Temporal is the SDK's metrics handler (schedule-to-start latency, task slots, sticky cache,
// request latencies...) reporting into Registry, for client.Options.MetricsHandler. It is made
// once per process: the Prometheus reporter registers each series name once, and every client
// of the process shares it.
func Temporal() client.MetricsHandler {
	temporalOnce.Do(func() {
		reporter := tallyprom.NewReporter(tallyprom.Options{
			Registerer:              Registry,
			DefaultTimerType:        tallyprom.HistogramTimerType,
			DefaultHistogramBuckets: temporalBuckets,
			OnRegisterError: func(err error) {
				slog.Warn("registering a Temporal SDK metric", "error", err)
			},
		})
		scope, _ := tally.NewRootScope(tally.ScopeOptions{
			CachedReporter:  reporter,
			Separator:       tallyprom.DefaultSeparator,
			SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
		}, time.Second)
		temporalHandler = sdktally.NewMetricsHandler(sdktally.NewPrometheusNamingScope(scope))
	})
	return temporalHandler
}
