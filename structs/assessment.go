package structs

import (
	"awardengine/award"
	"awardengine/storage/postgres"
)

// RatingsRequest is the body of PUT and POST /v1/applications/{id}/assessment: a rating per
// standard code (not_met, bronze, silver or gold).
type RatingsRequest struct {
	Ratings   map[string]string `json:"ratings"`
	Feedback  string            `json:"feedback" text:"multiline"`
	VisitDate string            `json:"visit_date"`
}

// ModerateRequest is the body of POST /v1/applications/{id}/moderation.
type ModerateRequest struct {
	Decision  string            `json:"decision"`
	Ratings   map[string]string `json:"ratings"`
	Rationale string            `json:"rationale" text:"multiline"`
}

// AllocateRequest is the body of POST /v1/applications/{id}/allocate: an admin's choice.
type AllocateRequest struct {
	Assessor string `json:"assessor"`
	Reason   string `json:"reason" text:"multiline"`
}

// ReapplyRequest is the body of POST /v1/applications/{id}/reapply.
type ReapplyRequest struct {
	CarryForward bool `json:"carry_forward"`
}

// LegalHoldRequest is the body of POST /v1/applications/{id}/legal-hold.
type LegalHoldRequest struct {
	On     *bool  `json:"on"`
	Reason string `json:"reason" text:"multiline"`
}

// ExtendRequest is the body of POST /v1/applications/{id}/extend: Until or WorkingDays.
type ExtendRequest struct {
	Until       string `json:"until"`        // YYYY-MM-DD: the new deadline, at the end of that working day
	WorkingDays int    `json:"working_days"` // or: this many working days after the current deadline
	Reason      string `json:"reason" text:"multiline"`
}

// Assignments is the answer to GET /v1/assignments: an assessor's or moderator's inbox.
type Assignments struct {
	Assignments  []postgres.Assignment  `json:"assignments"`
	Applications []postgres.Application `json:"applications"`
}

// AllocationAnswer is the answer to GET /v1/applications/{id}/allocation (admins).
type AllocationAnswer struct {
	Assignments        []postgres.Assignment `json:"assignments"`
	Allocation         *award.Allocation     `json:"allocation"`
	ExcludedFromOffers map[string]string     `json:"excluded_from_offers"`
}
