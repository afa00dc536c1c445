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

// WorkflowTaskPollers is how many workflow-task polls a worker keeps open (the SDK splits
// them between its sticky queue and the task queue).
const WorkflowTaskPollers = 8

// New returns a worker (not yet started) for the application task queue.
func New(c client.Client, acts *activities.Activities, options ...Option) sdkworker.Worker {
	// The SDK's default of 2 workflow-task pollers, shared between the sticky queue and the
	// task queue, kept new journeys' first tasks waiting for tens of seconds under load while
	// both polled the busy sticky queue (issue 16, docs/performance.md).
	opts := sdkworker.Options{MaxConcurrentWorkflowTaskPollers: WorkflowTaskPollers}
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
