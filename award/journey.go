package award

import "time"

// The journey's vocabulary: where an application is (Stage), who acts on it (Actor), what is
// next, and what the journey remembers of its assessment and its award. These are data only;
// the workflows own the rules. They are serialised into workflow histories and shown by the
// API as they are: a JSON name never changes.

// Stage is where a journey is.
type Stage string

// Stages of SPEC §3 built so far.
const (
	StageToolkit            Stage = "toolkit"
	StagePortfolio          Stage = "portfolio"
	StageAwaitingAllocation Stage = "awaiting_allocation"
	StageWithdrawn          Stage = "withdrawn"
)

// Closed says whether the journey has ended.
func (s Stage) Closed() bool {
	return s == StageWithdrawn || s == StageClosed || s == StageLapsed || s == StageSuperseded
}

// AcceptsEvidence says whether the portfolio may change in this stage.
// "Not yet" reopens the portfolio for more evidence until it is resubmitted.
func (s Stage) AcceptsEvidence() bool {
	return s == StageToolkit || s == StagePortfolio || s == StageNotYet
}

// RoleSystem is the actor role of the journey itself (timers, the sweeper).
const RoleSystem = "system"

// Actor is the person (or the system) behind an action.
type Actor struct {
	ID   string `json:"id"`
	Role string `json:"role"` // applicant, admin, system
}

// StandardRef is what the workflow needs of a framework standard.
type StandardRef struct {
	Code string `json:"code"`
	From Level  `json:"from"`
}

// FrameworkRef pins the framework version an application is assessed on.
type FrameworkRef struct {
	ID        string        `json:"id"`
	Version   int           `json:"version"`
	Title     string        `json:"title"`
	Sample    bool          `json:"sample"`
	Standards []StandardRef `json:"standards,omitempty"`
}

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

// NextStep tells people what is next, who acts and by when.
type NextStep struct {
	Action string     `json:"action"`
	Who    string     `json:"who"`
	DueAt  *time.Time `json:"due_at,omitempty"`
}

// PreviousAward is the award a reassessment may replace.
type PreviousAward struct {
	ApplicationID string `json:"application_id"`
	Level         Level  `json:"level"`
}

// Assessment is what the journey remembers from submission to decision.
type Assessment struct {
	// Allocation.
	AllocateAt  *time.Time        `json:"allocate_at,omitempty"` // when allocation runs next
	Offers      int               `json:"offers"`                // offers made so far: each offer's key
	Excluded    map[string]string `json:"excluded,omitempty"`    // person → why they may not be offered it again
	Allocation  *Allocation       `json:"allocation,omitempty"`  // the last allocation's choice and reasons
	Offer       *Offer            `json:"offer,omitempty"`
	NoAssessor  bool              `json:"no_assessor"`
	PreferredID string            `json:"preferred_id,omitempty"` // resubmission: back to the same assessor

	// Assessment.
	AssessorID    string           `json:"assessor_id,omitempty"`
	AssessorName  string           `json:"assessor_name,omitempty"`
	AssignmentID  string           `json:"assignment_id,omitempty"`
	AssessorPrior int              `json:"assessor_prior"` // assessments the assessor completed before this one
	AcceptedAt    *time.Time       `json:"accepted_at,omitempty"`
	DueAt         *time.Time       `json:"due_at,omitempty"`
	Reminded      []string         `json:"reminded,omitempty"` // reminder steps already sent ("assessment-1-before", …)
	Overdue       bool             `json:"overdue"`
	Ratings       map[string]Level `json:"ratings,omitempty"`
	Feedback      string           `json:"feedback,omitempty"`
	VisitDate     string           `json:"visit_date,omitempty"`
	Recommended   Level            `json:"recommended"`
	AssessedAt    *time.Time       `json:"assessed_at,omitempty"`
	Round         int              `json:"round"` // assessment rounds: 1, then 2 after a refer-back or resubmission

	// Moderation.
	Moderation *Moderation `json:"moderation,omitempty"`

	// Decision.
	DecideAt      *time.Time `json:"decide_at,omitempty"`
	Decision      Level      `json:"decision"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
	Certificate   string     `json:"certificate,omitempty"` // object key of the PDF
	ResubmitBy    *time.Time `json:"resubmit_by,omitempty"`
	ResubmitNoted bool       `json:"resubmit_noted"` // the window's reminder was sent
	Resubmitted   int        `json:"resubmitted"`
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
	Required     bool             `json:"required"`
	Reasons      []string         `json:"reasons,omitempty"`
	Draw         float64          `json:"draw"` // the random draw, recorded so replays reach the same answer
	AssignAt     *time.Time       `json:"assign_at,omitempty"`
	ModeratorID  string           `json:"moderator_id,omitempty"`
	Name         string           `json:"name,omitempty"`
	AssignmentID string           `json:"assignment_id,omitempty"`
	RequestedAt  *time.Time       `json:"requested_at,omitempty"`
	DueAt        *time.Time       `json:"due_at,omitempty"`
	Reminded     []string         `json:"reminded,omitempty"`
	Overdue      bool             `json:"overdue"`
	NoModerator  bool             `json:"no_moderator"`
	ReferredBack bool             `json:"referred_back"`       // the one refer-back has been used
	Outcome      string           `json:"outcome,omitempty"`   // confirmed, amended, referred_back, automatic
	Rationale    string           `json:"rationale,omitempty"` // for an amendment or a refer-back
	Amended      map[string]Level `json:"amended,omitempty"`
}

// Lifecycle is what the journey remembers after a decision (SPEC §3 stages 10–11, retention).
type Lifecycle struct {
	RemindersDone []int      `json:"reminders_done,omitempty"` // months-before-expiry reminders sent (or passed while paused)
	Reassessment  string     `json:"reassessment,omitempty"`   // the application reassessing this award: reminders pause
	SupersededBy  string     `json:"superseded_by,omitempty"`  // the application whose award replaced this one
	LegalHold     bool       `json:"legal_hold"`               // erasure waits while an admin holds it
	LegalReason   string     `json:"legal_hold_reason,omitempty"`
	RetainUntil   *time.Time `json:"retain_until,omitempty"` // when evidence and personal data are erased
	Erased        bool       `json:"erased"`
	ErasedAt      *time.Time `json:"erased_at,omitempty"`
	// Reminders are planned for awards decided by code that knows them (see decide).
	RemindersPlanned bool `json:"reminders_planned"`
}
