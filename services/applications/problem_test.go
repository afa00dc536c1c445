package applications

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"awardengine/activities"
	"awardengine/workflows"
)

// TestProblemTellsTheTruth: each way a request can fail says only what is known of its effect.
func TestProblemTellsTheTruth(t *testing.T) {
	cases := []struct {
		name    string
		method  string
		err     error
		status  int
		typ     string
		says    string
		neverOK bool // must not claim that nothing was changed
	}{
		{"update wait timed out", "POST", updateError(client.NewWorkflowUpdateServiceTimeoutOrCanceledError(serviceerror.NewDeadlineExceeded("x"))),
			503, "in-progress", "still in progress", true},
		{"update context ran out", "POST", updateError(fmt.Errorf("waiting: %w", context.DeadlineExceeded)),
			503, "in-progress", "check the application before trying again", true},
		{"server said deadline exceeded", "POST", updateError(serviceerror.NewDeadlineExceeded("update timed out")),
			503, "in-progress", "still in progress", true},
		{"connection broke after sending", "POST", updateError(serviceerror.NewUnavailable("connection reset")),
			503, "in-progress", "may still be in progress", true},
		{"Temporal refused the update itself", "POST", updateError(serviceerror.NewResourceExhausted(0, "too many updates")),
			503, "unavailable", "nothing was changed", false},
		{"the access check's database is down", "POST", Unchanged(errors.New("dial tcp: refused")),
			503, "unavailable", "nothing was changed", false},
		{"a dependency failed mid-way", "POST", errors.New("presign: refused"),
			503, "unavailable", "may not have completed", true},
		{"a read failed", "GET", errors.New("db down"),
			503, "unavailable", "nothing was changed", false},
		{"a read timed out", "GET", context.DeadlineExceeded,
			503, "timeout", "nothing was changed", false},
		{"a non-update step of a change timed out", "POST", context.DeadlineExceeded,
			503, "timeout", "may not have completed", true},
		{"data refused by the database", "POST", updateError(temporal.NewNonRetryableApplicationError(
			"the database refused the data (SQLSTATE 22021: ...)", activities.ErrData, nil)),
			422, "data-error", "SQLSTATE 22021", true},
		{"a refusal", "POST", updateError(temporal.NewNonRetryableApplicationError("evidence is already confirmed", "WrongStage", nil)),
			409, "wrong-stage", "already confirmed", false},
		{"no journey", "POST", updateError(serviceerror.NewNotFound("workflow not found")),
			404, "not-found", "not found", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, _ := Problem(c.err, c.method == "GET")
			if p.Status != c.status || p.Type != c.typ || !strings.Contains(p.Detail, c.says) {
				t.Fatalf("want %d %s saying %q, got %d %s %q", c.status, c.typ, c.says, p.Status, p.Type, p.Detail)
			}
			if c.neverOK && strings.Contains(p.Detail, "nothing was changed") {
				t.Fatalf("claims nothing was changed: %q", p.Detail)
			}
		})
	}
}

// TestRefusalNamesItsField: a journey's "field: what is wrong" refusal lists the field in
// errors (forms link it, the API answers it like any invalid input); prose names none.
func TestRefusalNamesItsField(t *testing.T) {
	named := temporal.NewApplicationError("target_level: a reassessment is for the level held or higher", workflows.ErrInvalid)
	p, _ := Problem(named, false)
	if p.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "target_level" ||
		p.Errors[0].Message != "a reassessment is for the level held or higher" {
		t.Fatalf("named field: %+v", p)
	}
	prose := temporal.NewApplicationError("this assessment was referred back once: confirm or amend it", workflows.ErrInvalid)
	if p, _ := Problem(prose, false); len(p.Errors) != 0 {
		t.Fatalf("prose names no field, got %+v", p.Errors)
	}
}
