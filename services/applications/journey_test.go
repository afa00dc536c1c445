package applications

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"awardengine/structs"
	"awardengine/workflows"
)

// TestUpdateOutcomeUnknown: once an update may have reached the journey, an error that does
// not say what happened is OutcomeUnknownError (never "nothing was changed"); one Temporal
// refused outright is marked unchanged.
func TestUpdateOutcomeUnknown(t *testing.T) {
	cases := []struct {
		name      string
		updateErr error
		getErr    error
		unknown   bool
		timedOut  bool
		unchanged bool
		status    int
		typ       string
	}{
		{"the wait timed out", nil, client.NewWorkflowUpdateServiceTimeoutOrCanceledError(serviceerror.NewDeadlineExceeded("x")), true, true, false, 503, "in-progress"},
		{"the context ran out while waiting", nil, fmt.Errorf("get: %w", context.DeadlineExceeded), true, true, false, 503, "in-progress"},
		{"the connection broke after sending", serviceerror.NewUnavailable("connection reset"), nil, true, false, false, 503, "in-progress"},
		{"Temporal refused the update", serviceerror.NewResourceExhausted(0, "too many updates"), nil, false, false, true, 503, "unavailable"},
		{"Temporal found the request invalid", serviceerror.NewInvalidArgument("bad"), nil, false, false, true, 503, "unavailable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := accessFixture(t)
			tc := s.Temporal.(*fakeTemporal)
			tc.updateErr, tc.getErr = c.updateErr, c.getErr
			_, err := s.Withdraw(context.Background(), applicant, "app-1", structs.ReasonRequest{Reason: "moving away"})
			var unknown *OutcomeUnknownError
			if errors.As(err, &unknown) != c.unknown || (c.unknown && unknown.TimedOut != c.timedOut) || IsUnchanged(err) != c.unchanged {
				t.Fatalf("error %T %v: unknown %v unchanged %v", err, err, errors.As(err, &unknown), IsUnchanged(err))
			}
			p, _ := Problem(err, false)
			if p.Status != c.status || p.Type != c.typ {
				t.Fatalf("problem %d %s, want %d %s", p.Status, p.Type, c.status, c.typ)
			}
		})
	}
}

// TestJourneyStartingIsTold: a journey Temporal does not know, for a registration still owed
// its start, is "starting", not "not found"; one that is not owed is not found.
func TestJourneyStartingIsTold(t *testing.T) {
	s := accessFixture(t)
	db, tc := s.DB.(*fakeStore), s.Temporal.(*fakeTemporal)
	delete(tc.status, workflows.WorkflowID("app-1"))
	db.owed["app-1"] = true
	_, err := s.Submit(context.Background(), admin, "app-1", structs.SubmitRequest{TargetLevel: "gold"})
	var p *structs.Problem
	if !errors.As(err, &p) || p.Type != TypeJourneyStarting || p.Status != http.StatusServiceUnavailable {
		t.Fatalf("owed journey: %v", err)
	}
	db.owed["app-1"] = false
	_, err = s.Submit(context.Background(), admin, "app-1", structs.SubmitRequest{TargetLevel: "gold"})
	if p, _ := Problem(err, false); p.Status != http.StatusNotFound {
		t.Fatalf("a journey that is gone: %v", err)
	}
}

func TestSubmitChecksTheLevelAfterAccess(t *testing.T) {
	s := accessFixture(t)
	if _, err := s.Submit(context.Background(), stranger, "app-1", structs.SubmitRequest{TargetLevel: "platinum"}); status(err) != http.StatusNotFound {
		t.Fatalf("someone else's application: %v", err)
	}
	_, err := s.Submit(context.Background(), applicant, "app-1", structs.SubmitRequest{TargetLevel: "not_met"})
	var p *structs.Problem
	if !errors.As(err, &p) || p.Status != 422 || p.Errors[0].Field != "target_level" {
		t.Fatalf("not an award level: %v", err)
	}
	if tc := s.Temporal.(*fakeTemporal); len(tc.updates) != 0 {
		t.Fatalf("refused requests reached the journey: %v", tc.updates)
	}
	v, err := s.Submit(context.Background(), applicant, "app-1", structs.SubmitRequest{TargetLevel: "silver"})
	if err != nil || v.ID != "app-1" || v.Assessment.Moderation != nil {
		t.Fatalf("submit: %+v %v (the applicant must not see the undecided moderation)", v, err)
	}
}
