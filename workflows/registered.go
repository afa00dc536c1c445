package workflows

import (
	"time"

	"awardengine/award"
)

// registered sets the state registration gives a journey at now (before any evidence is
// carried forward): the one place both register and RegisteredStatus take it from.
func (j *journey) registered(now time.Time) {
	j.st.Stage = StageToolkit
	j.st.RegisteredAt = now
	j.st.LastActivityAt = now
	if j.in.Variant == award.VariantFirstYearFoster && j.in.ApprovalDate != nil {
		due := j.in.ApprovalDate.AddDate(0, j.in.Settings.FirstYearDueMonths, 0)
		j.st.FirstYearDue = &due
	}
}

// RegisteredStatus is the status query's answer right after a journey started with in has
// registered at the given time, computed without the workflow: the API answers a registration
// from it instead of querying a journey whose first workflow task may still be waiting for a
// worker (issue 16: registrations waited for the query's timeout under load). ok is false for
// a reapplication carrying evidence forward, which only the journey knows.
func RegisteredStatus(in ApplicationInput, at time.Time) (st Status, ok bool) {
	if in.Previous != nil || in.State != nil {
		return Status{}, false
	}
	j := &journey{in: in, st: &State{}}
	j.registered(at)
	return j.status(), true
}
