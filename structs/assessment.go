package structs

import (
	"time"

	"awardengine/award"
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
	Assignments  []Assignment         `json:"assignments"`
	Applications []ApplicationSummary `json:"applications"`
}

// AllocationAnswer is the answer to GET /v1/applications/{id}/allocation (admins).
type AllocationAnswer struct {
	Assignments        []Assignment      `json:"assignments"`
	Allocation         *award.Allocation `json:"allocation"`
	ExcludedFromOffers map[string]string `json:"excluded_from_offers"`
}

// ApplicationSummary is the projection of one application's journey, kept for lists and access checks.
type ApplicationSummary struct {
	ID               string     `json:"id"`
	TenantID         string     `json:"tenant_id"`
	SettingID        string     `json:"-"`
	SettingReference string     `json:"setting_reference"`
	SettingName      string     `json:"setting_name"`
	ApplicantID      string     `json:"-"`
	SupporterID      string     `json:"-"`
	Track            string     `json:"track"`
	Variant          string     `json:"variant"`
	FrameworkID      string     `json:"-"`
	FrameworkVersion int        `json:"-"`
	Stage            string     `json:"stage"`
	Active           bool       `json:"-"`
	NextAction       string     `json:"next_action"`
	DueAt            *time.Time `json:"due_at,omitempty"`
	Flags            []string   `json:"flags"`
	AssessorID       string     `json:"-"`
	ModeratorID      string     `json:"-"`
	UpdatedAt        time.Time  `json:"updated_at"`

	// What reads answered from the projection show (services/applications: a status while
	// the journey is busy, the moderation queue); not part of the list's wire shape.
	RegisteredAt      time.Time  `json:"-"`
	TargetLevel       string     `json:"-"` // "" until submitted
	NextWho           string     `json:"-"` // the role that acts next
	SubmittedAt       *time.Time `json:"-"`
	AssessorName      string     `json:"-"` // of the assessor holding it (assessment, moderation)
	Recommended       string     `json:"-"` // the assessor's recommendation; "" until assessed, or on rows written before it was kept
	ModerationReasons []string   `json:"-"` // why the assessment is moderated
}

// Assignment is one offer of an application to an assessor or moderator, and what became of it.
type Assignment struct {
	ID               string     `json:"id"`
	ApplicationID    string     `json:"application_id"`
	SettingID        string     `json:"setting_id"`
	SettingReference string     `json:"setting_reference"`
	SettingName      string     `json:"setting_name"`
	PersonID         string     `json:"person_id"`
	PersonName       string     `json:"person_name"`
	Role             string     `json:"role"`
	State            string     `json:"state"`
	Reason           string     `json:"reason,omitempty"`
	OfferedAt        time.Time  `json:"offered_at"`
	AcceptedAt       *time.Time `json:"accepted_at,omitempty"`
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
}
