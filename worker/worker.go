// Package worker assembles the process that executes award journeys: it registers the
// workflows and activities on the task queue. It never imports the Temporal server.
package worker

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"

	"awardengine/activities"
	"awardengine/workflows"
)

// Option adjusts the worker's options.
type Option func(*sdkworker.Options)

// StopTimeout is how long Stop waits for running activities to finish before cancelling them
// (the drain on SIGTERM: cmd/worker gives it SHUTDOWN_GRACE).
func StopTimeout(d time.Duration) Option {
	return func(o *sdkworker.Options) { o.WorkerStopTimeout = d }
}

// New returns a worker (not yet started) for the application task queue.
func New(c client.Client, acts *activities.Activities, options ...Option) sdkworker.Worker {
	var opts sdkworker.Options
	for _, o := range options {
		o(&opts)
	}
	if acts != nil && acts.DB != nil {
		// Activities failing again and again go on the admins' stuck list: problems.go.
		opts.Interceptors = []interceptor.WorkerInterceptor{NewProblemRecorder(acts.DB, nil)}
	}
	w := sdkworker.New(c, workflows.TaskQueue, opts)
	Register(w, acts)
	return w
}

// Register adds the award workflows and activities to a registry (a worker or a test env).
func Register(r sdkworker.Registry, acts *activities.Activities) {
	r.RegisterWorkflow(workflows.ApplicationWorkflow)
	r.RegisterWorkflowWithOptions(workflows.DigestWorkflow, workflow.RegisterOptions{Name: activities.DigestWorkflowName})
	r.RegisterActivity(acts)
}
