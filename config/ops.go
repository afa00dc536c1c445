package config

import (
	"fmt"
	"os"
	"time"
)

// Ops is how a process is run and observed, apart from what it connects to.
type Ops struct {
	// MetricsAddr (METRICS_ADDR, default :9090) is the worker's probes-and-metrics listener
	// (/livez, /readyz, /metrics); the web process serves them on HTTP_ADDR.
	MetricsAddr string
	// ShutdownGrace (SHUTDOWN_GRACE, a Go duration, default 25s) bounds the drain after
	// SIGTERM: in-flight activities and requests finish within it. Keep it below the pod's
	// terminationGracePeriodSeconds (30 s by default).
	ShutdownGrace time.Duration
	// LogFormat (LOG_FORMAT) is "json" (default: production) or "text" (a person's terminal);
	// LogLevel (LOG_LEVEL) is debug, info (default), warn or error.
	LogFormat, LogLevel string
}

// DefaultShutdownGrace leaves 5 s of Kubernetes' default 30 s termination grace for the rest.
const DefaultShutdownGrace = 25 * time.Second

// OpsFromEnv reads Ops.
func OpsFromEnv() (Ops, error) {
	o := Ops{MetricsAddr: env("METRICS_ADDR", ":9090"), ShutdownGrace: DefaultShutdownGrace,
		LogFormat: env("LOG_FORMAT", "json"), LogLevel: env("LOG_LEVEL", "info")}
	if v := os.Getenv("SHUTDOWN_GRACE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return o, fmt.Errorf("SHUTDOWN_GRACE=%q: want a positive duration such as 25s", v)
		}
		o.ShutdownGrace = d
	}
	switch o.LogFormat {
	case "json", "text":
	default:
		return o, fmt.Errorf("LOG_FORMAT=%q: want json or text", o.LogFormat)
	}
	return o, nil
}
