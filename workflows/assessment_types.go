package workflows

import (
	"time"

	"awardengine/award"
)

// Stages after submission (SPEC §3, stages 5–9).
const (
	StageOffered    Stage = "offered"    // an assessor has been offered the assessment
	StageAssessment Stage = "assessment" // the assessor scores the portfolio
	StageModeration Stage = "moderation" // a moderator reviews the recommendation
	StageAwarded    Stage = "awarded"    // an award is held
	StageNotYet     Stage = "not_yet"    // "not yet": the resubmission window is open
	StageClosed     Stage = "closed"     // the resubmission window closed
	StageLapsed     Stage = "lapsed"     // the award expired
	StageSuperseded Stage = "superseded" // a reassessment decided a new award
)

// Roles of people who act after submission.
const (
	RoleAssessor  = "assessor"
	RoleModerator = "moderator"
)

// Flags shown to admins after submission.
const (
	FlagNoAssessor        = "no_eligible_assessor"
	FlagAssessmentOverdue = "assessment_overdue"
	FlagModerationOverdue = "moderation_overdue"
	FlagNoModerator       = "no_eligible_moderator"
)

// Working-day deadlines of SPEC §3 (tenant settings in a later change; these are the defaults).
const (
	offerWorkdays        = 5  // an offer is accepted within 5 working days
	assessmentWorkdays   = 20 // an assessment is due 20 working days after acceptance
	moderationWorkdays   = 10 // a moderation is due 10 working days after the request
	reminderWorkdays     = 5  // the first reminder comes this many working days before the due day
	overdueWorkdays      = 3  // this many working days past due, admins are flagged
	resubmitMonths       = 3  // "not yet": the window to resubmit
	resubmitReminderDays = 14 // the window's reminder comes two weeks before it closes
)

// Assessment is what the journey remembers from submission to decision.
type Assessment struct {
	// Allocation.
	AllocateAt  *time.Time        `json:"allocate_at,omitempty"` // when allocation runs next
	Offers      int               `json:"offers"`                // offers made so far: each offer's key
	Excluded    map[string]string `json:"excluded,omitempty"`    // person → why they may not be offered it again
	Allocation  *award.Allocation `json:"allocation,omitempty"`  // the last allocation's choice and reasons
	Offer       *Offer            `json:"offer,omitempty"`
	NoAssessor  bool              `json:"no_assessor"`
	PreferredID string            `json:"preferred_id,omitempty"` // resubmission: back to the same assessor

	// Assessment.
	AssessorID    string                 `json:"assessor_id,omitempty"`
	AssessorName  string                 `json:"assessor_name,omitempty"`
	AssignmentID  string                 `json:"assignment_id,omitempty"`
	AssessorPrior int                    `json:"assessor_prior"` // assessments the assessor completed before this one
	AcceptedAt    *time.Time             `json:"accepted_at,omitempty"`
	DueAt         *time.Time             `json:"due_at,omitempty"`
	Reminded      []string               `json:"reminded,omitempty"` // reminder steps already sent ("assessment-1-before", …)
	Overdue       bool                   `json:"overdue"`
	Ratings       map[string]award.Level `json:"ratings,omitempty"`
	Feedback      string                 `json:"feedback,omitempty"`
	VisitDate     string                 `json:"visit_date,omitempty"`
	Recommended   award.Level            `json:"recommended"`
	AssessedAt    *time.Time             `json:"assessed_at,omitempty"`
	Round         int                    `json:"round"` // assessment rounds: 1, then 2 after a refer-back or resubmission

	// Moderation.
	Moderation *Moderation `json:"moderation,omitempty"`

	// Decision.
	DecideAt      *time.Time  `json:"decide_at,omitempty"`
	Decision      award.Level `json:"decision"`
	DecidedAt     *time.Time  `json:"decided_at,omitempty"`
	ExpiresAt     *time.Time  `json:"expires_at,omitempty"`
	Certificate   string      `json:"certificate,omitempty"` // object key of the PDF
	ResubmitBy    *time.Time  `json:"resubmit_by,omitempty"`
	ResubmitNoted bool        `json:"resubmit_noted"` // the window's reminder was sent
	Resubmitted   int         `json:"resubmitted"`
}

// Offer is an assessment offered to one assessor, waiting for their answer.
type Offer struct {
	PersonID     string    `json:"person_id"`
	Name         string    `json:"name"`
	AssignmentID string    `json:"assignment_id"`
	OfferedAt    time.Time `json:"offered_at"`
	ExpiresAt    time.Time `json:"expires_at"`
	ByAdmin      string    `json:"by_admin,omitempty"`
}

// Moderation is the review of a recommendation.
type Moderation struct {
	Required     bool                   `json:"required"`
	Reasons      []string               `json:"reasons,omitempty"`
	Draw         float64                `json:"draw"` // the random draw, recorded so replays reach the same answer
	AssignAt     *time.Time             `json:"assign_at,omitempty"`
	ModeratorID  string                 `json:"moderator_id,omitempty"`
	Name         string                 `json:"name,omitempty"`
	AssignmentID string                 `json:"assignment_id,omitempty"`
	RequestedAt  *time.Time             `json:"requested_at,omitempty"`
	DueAt        *time.Time             `json:"due_at,omitempty"`
	Reminded     []string               `json:"reminded,omitempty"`
	Overdue      bool                   `json:"overdue"`
	NoModerator  bool                   `json:"no_moderator"`
	ReferredBack bool                   `json:"referred_back"`       // the one refer-back has been used
	Outcome      string                 `json:"outcome,omitempty"`   // confirmed, amended, referred_back, automatic
	Rationale    string                 `json:"rationale,omitempty"` // for an amendment or a refer-back
	Amended      map[string]award.Level `json:"amended,omitempty"`
}

// Update names of the assessment stages.
const (
	UpdateAcceptOffer  = "accept_offer"
	UpdateDeclineOffer = "decline_offer"
	UpdateSaveRatings  = "save_ratings"
	UpdateSubmitAssess = "submit_assessment"
	UpdateModerate     = "moderate"
	UpdateAllocate     = "allocate"
	UpdateReassign     = "reassign"
)

// OfferReply answers an offer.
type OfferReply struct {
	Actor  Actor
	Reason string // why declined
}

// RatingsRequest saves (or submits) an assessment.
type RatingsRequest struct {
	Actor     Actor
	Ratings   map[string]award.Level
	Feedback  string
	VisitDate string // YYYY-MM-DD, optional
}

// Moderation decisions.
const (
	ModerationConfirm   = "confirm"
	ModerationAmend     = "amend"
	ModerationReferBack = "refer_back"
)

// ModerateRequest is a moderator's decision.
type ModerateRequest struct {
	Actor     Actor
	Decision  string                 // confirm, amend, refer_back
	Ratings   map[string]award.Level // amend: the moderated ratings (all standards)
	Rationale string                 // required to amend or refer back
}

// AllocateRequest is an admin allocating an assessor by hand.
type AllocateRequest struct {
	Actor      Actor
	AssessorID string
	Reason     string
}

// ReassignRequest is an admin taking an assessment away from its assessor.
type ReassignRequest struct {
	Actor  Actor
	Reason string
}
