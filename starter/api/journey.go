package api

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"

	"awardengine/workflows"
)

// updateTimeout bounds how long a person waits for the journey to accept an action.
const updateTimeout = 30 * time.Second

// update runs a Temporal Update on an application's workflow and waits for its result.
// A validator's refusal comes back as an error before anything is written to history.
func (s *Server) update(ctx context.Context, applicationID, name string, arg, result any) error {
	ctx, cancel := context.WithTimeout(ctx, updateTimeout)
	defer cancel()
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.WorkflowID(applicationID),
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, result)
}

// status queries the journey's current state.
func (s *Server) status(ctx context.Context, applicationID string) (workflows.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, updateTimeout)
	defer cancel()
	var st workflows.Status
	v, err := s.Temporal.QueryWorkflow(ctx, workflows.WorkflowID(applicationID), "", workflows.QueryStatus)
	if err != nil {
		return st, err
	}
	return st, v.Get(&st)
}
