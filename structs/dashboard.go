package structs

import (
	"time"

	"awardengine/award"
)

// Dashboard is the answer of GET /v1/admin/dashboard: the tenant's applications now, per
// stage, with those overdue and the flags raised, and the median working days spent in each
// stage over the last MedianDays days (the stays that ended then).
type Dashboard struct {
	GeneratedAt time.Time `json:"generated_at"`
	// Stages counts the applications per stage (every stage, in journey order, zeros too).
	Stages []StageCount `json:"stages"`
	Total  int          `json:"total"`
	Active int          `json:"active"` // applications whose journey is still going (not awarded or closed)
	// Overdue counts the active applications whose current step is past its due date.
	Overdue int `json:"overdue"`
	// Flags counts the active applications per flag raised (no_eligible_assessor,
	// no_eligible_moderator, dormant, …).
	Flags []FlagCount `json:"flags"`
	// MedianWorkingDays is, per stage, the median stay in working days over the stays that
	// ended from MedianFrom to MedianTo (dates, both included).
	MedianWorkingDays []StageMedian `json:"median_working_days"`
	MedianFrom        string        `json:"median_from"`
	MedianTo          string        `json:"median_to"`
}

// StageCount is the number of applications at one stage now.
type StageCount struct {
	Stage        string `json:"stage"`
	Applications int    `json:"applications"`
	Overdue      int    `json:"overdue"` // of them, active with their step past its due date
}

// FlagCount is the number of active applications carrying one flag.
type FlagCount struct {
	Flag         string `json:"flag"`
	Applications int    `json:"applications"`
}

// Admin actions on an application (AdminActions.Actions), each a POST /v1/applications/{id}/<action>.
const (
	ActionNudge    = "nudge"
	ActionExtend   = "extend"
	ActionReassign = "reassign"
	ActionAllocate = "allocate"
	ActionRetry    = "retry"
	ActionWithdraw = "withdraw"
)

// AdminActions is the answer of GET /v1/admin/applications/{id}/actions: the application's
// current step, who holds it and until when, and the admin actions its stage allows (the
// journey still decides each one when it is asked).
type AdminActions struct {
	ApplicationID string         `json:"application_id"`
	Setting       Setting        `json:"setting"`
	Track         string         `json:"track"`
	Variant       string         `json:"variant"`
	Stage         string         `json:"stage"`
	Next          award.NextStep `json:"next"`
	// Holder is the person whose step it is (the applicant, the assessor offered or holding it,
	// the moderator), when it is one person's.
	Holder *PersonRef `json:"holder,omitempty"`
	// Deadline is the current step's deadline that extend moves (none: nothing to extend).
	Deadline *time.Time `json:"deadline,omitempty"`
	Actions  []string   `json:"actions"`
	// Deadlines are the working-day deadlines the journey runs on (none when it did not answer).
	Deadlines *award.Deadlines `json:"deadlines,omitempty"`
	// JourneyError says the journey did not answer: the stage is the projection's, and only
	// retry and withdraw are offered.
	JourneyError string `json:"journey_error,omitempty"`
}

// AllocationCandidates is the answer of GET /v1/admin/applications/{id}/candidates: every
// assessor on the roster as the allocation rules see them for this application now, for an
// admin allocating by hand.
type AllocationCandidates struct {
	ApplicationID string  `json:"application_id"`
	Setting       Setting `json:"setting"`
	Track         string  `json:"track"`
	Variant       string  `json:"variant"`
	Stage         string  `json:"stage"`
	// Open says the stage lets an admin allocate now (awaiting allocation).
	Open bool `json:"open"`
	// Rules is what the allocation rules decide on the roster now: the chosen assessor (or
	// why nobody), the eligible ranked best first, and every excluded one with the reason.
	Rules award.Allocation `json:"rules"`
	// Candidates are the roster's assessors: the eligible first in the rules' order, then
	// those the rules exclude but an admin may still choose, then those nobody may choose.
	Candidates []AllocationCandidate `json:"candidates"`
}

// AllocationCandidate is one assessor as allocation sees them for one application.
type AllocationCandidate struct {
	PersonID string `json:"person_id"`
	Name     string `json:"name"`
	Open     int    `json:"open"`     // open assessments now (offered or accepted)
	Capacity int    `json:"capacity"` // at most at once
	Eligible bool   `json:"eligible"` // by the allocation rules
	Choice   bool   `json:"choice"`   // the rules' first choice
	// Excluded is the rule that excludes them ("" when eligible).
	Excluded string `json:"excluded,omitempty"`
	// ByHand says an admin may allocate them by hand: active, neither the applicant nor the
	// supporter, and below capacity (the journey and the database refuse anyone else). The
	// rules' other exclusions (track, specialism, a declined offer, a declared conflict, the
	// previous cycle) are for the admin to weigh.
	ByHand bool `json:"by_hand"`
}
