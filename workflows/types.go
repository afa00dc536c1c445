// Package workflows holds the deterministic workflow code of award journeys. One
// application is one workflow: it owns the journey's state; people act on it through
// Updates (each with a validator, so a wrong action is refused with a reason and changes
// nothing) and read it through Queries.
package workflows

import (
	"time"

	"awardengine/activities"
	"awardengine/award"
)

// TaskQueue is where application workflows and their activities run.
const TaskQueue = activities.TaskQueue

// ApplicationInput starts (or, with State, continues) an application's journey.
// It carries person ids, never addresses: activities look people up when they need to.
type ApplicationInput struct {
	ApplicationID    string
	TenantID         string
	SettingReference string
	SettingName      string
	Track            award.Track
	Variant          award.Variant
	Framework        FrameworkRef
	ApplicantID      string
	SupporterID      string
	ApprovalDate     *time.Time // first-year foster carers: the date of approval
	RegisteredBy     Actor
	Settings         award.Settings
	Limits           award.UploadLimits
	Previous         *PreviousAward        // a reassessment: the award this application may replace
	Carried          []activities.Evidence // evidence carried forward from the previous portfolio, by reference
	State            *State                // set when the workflow continues as new
}

// State is everything the journey remembers.
type State struct {
	Stage            Stage
	Seq              int64
	RegisteredAt     time.Time
	ToolkitOpenedAt  *time.Time
	ToolkitNudged    bool
	LastActivityAt   time.Time
	InactivityNudges int
	Dormant          bool
	FirstYearDue     *time.Time
	FirstYearSent    []int // reminder months already sent
	FirstYearOverdue bool
	AllocationFlag   bool
	Evidence         []activities.Evidence
	TargetLevel      award.Level
	SubmittedAt      *time.Time
	ClosedAt         *time.Time
	Flags            []string
	Assessment       Assessment
	Life             Lifecycle
	Nudges           int  // admins' nudges so far: each nudge's message key
	Extended         bool // an admin has moved a deadline: reminder steps carry their date
}

// Status is the answer to the status query.
type Status struct {
	ApplicationID    string                `json:"id"`
	TenantID         string                `json:"tenant_id"`
	SettingReference string                `json:"setting_reference"`
	SettingName      string                `json:"setting_name"`
	Track            award.Track           `json:"track"`
	Variant          award.Variant         `json:"variant"`
	Framework        FrameworkRef          `json:"framework"`
	Stage            Stage                 `json:"stage"`
	Next             NextStep              `json:"next"`
	RegisteredAt     time.Time             `json:"registered_at"`
	ToolkitOpenedAt  *time.Time            `json:"toolkit_opened_at,omitempty"`
	Evidence         []activities.Evidence `json:"evidence"`
	PortfolioBytes   int64                 `json:"portfolio_bytes"`
	Missing          map[string][]string   `json:"missing"`
	TargetLevel      string                `json:"target_level,omitempty"`
	SubmittedAt      *time.Time            `json:"submitted_at,omitempty"`
	FirstYearDue     *time.Time            `json:"first_year_due,omitempty"`
	Flags            []string              `json:"flags"`
	Assessment       *Assessment           `json:"assessment,omitempty"` // from submission on
	Previous         *PreviousAward        `json:"previous_award,omitempty"`
	Lifecycle        *Lifecycle            `json:"lifecycle,omitempty"` // once there is an award or the journey closed
	Deadlines        award.Deadlines       `json:"deadlines"`           // the working-day deadlines this journey runs on
}

// Update and query names.
const (
	QueryStatus          = "status"
	UpdateOpenToolkit    = "open_toolkit"
	UpdateAddEvidence    = "add_evidence"
	UpdateConfirmUpload  = "confirm_evidence"
	UpdateMapEvidence    = "map_evidence"
	UpdateRemoveEvidence = "remove_evidence"
	UpdateSubmit         = "submit"
	UpdateWithdraw       = "withdraw"
)

// OpenToolkitRequest records that the applicant opened the toolkit.
type OpenToolkitRequest struct{ Actor Actor }

// AddEvidenceRequest declares a file about to be uploaded.
type AddEvidenceRequest struct {
	Actor       Actor
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
	Standards   []string
	Note        string
}

// EvidenceRequest names one evidence item (confirm, remove).
type EvidenceRequest struct {
	Actor      Actor
	EvidenceID string
}

// MapEvidenceRequest changes which standards an item is evidence for.
type MapEvidenceRequest struct {
	Actor      Actor
	EvidenceID string
	Standards  []string
}

// SubmitRequest submits the portfolio for a target level.
type SubmitRequest struct {
	Actor       Actor
	TargetLevel award.Level
}

// WithdrawRequest ends the journey at the applicant's or an admin's request.
type WithdrawRequest struct {
	Actor  Actor
	Reason string
}

// Outcome is the workflow's result.
type Outcome struct {
	Stage Stage
}
