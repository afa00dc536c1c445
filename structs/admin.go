package structs

import (
	"time"

	"awardengine/award"
)

// AdminDetail is an application's admin page: the application as the API shows it to admins,
// its timeline of stage changes, the allocation's reasons, its emails (to whom by person, not
// address), its audit trail, its offers and assignments, and a link to its workflow in the
// Temporal Web UI (when one is configured).
type AdminDetail struct {
	Summary        AdminSummary    `json:"summary"`
	Application    *Application    `json:"application,omitempty"`
	JourneyError   string          `json:"journey_error,omitempty"` // why application is missing
	Timeline       []TimelineEntry `json:"timeline"`
	Allocation     *AllocationView `json:"allocation"`
	Emails         []SentEmail     `json:"emails"`
	Audit          []AuditLine     `json:"audit"`
	AuditTruncated bool            `json:"audit_truncated"`
	Assignments    []Assignment    `json:"assignments"`
	TemporalUI     string          `json:"temporal_ui,omitempty"`
	WorkflowID     string          `json:"workflow_id"`
}

// AdminSummary is the application's projection in PostgreSQL: there even when the journey
// cannot be asked (a failing workflow task, Temporal unreachable).
type AdminSummary struct {
	ID          string     `json:"id"`
	Setting     Setting    `json:"setting"`
	Track       string     `json:"track"`
	Variant     string     `json:"variant"`
	Stage       string     `json:"stage"`
	Active      bool       `json:"active"`
	NextAction  string     `json:"next_action"`
	DueAt       *time.Time `json:"due_at,omitempty"`
	Flags       []string   `json:"flags"`
	Applicant   PersonRef  `json:"applicant"`
	Supporter   *PersonRef `json:"supporter,omitempty"`
	AssessorID  string     `json:"assessor_id,omitempty"`
	ModeratorID string     `json:"moderator_id,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// PersonRef names a person by id (and name, when known).
type PersonRef struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// TimelineEntry is one stage change: the stage entered, from which, when, by whom and through
// which action, and the working days spent in it (until the next change, or until now).
type TimelineEntry struct {
	Stage       string     `json:"stage"`
	From        string     `json:"from,omitempty"`
	At          time.Time  `json:"at"`
	Until       *time.Time `json:"until,omitempty"`
	WorkingDays int        `json:"working_days"`
	Actor       string     `json:"actor"`
	ActorName   string     `json:"actor_name,omitempty"`
	Action      string     `json:"action"`
}

// AllocationView is the last allocation's choice and reasons, with the people who may not be
// offered the application again and why.
type AllocationView struct {
	Chosen          string            `json:"chosen,omitempty"`
	Reason          string            `json:"reason"`
	Ranked          []string          `json:"ranked"`
	Excluded        []award.Exclusion `json:"excluded"`
	NotOfferedAgain map[string]string `json:"not_offered_again,omitempty"`
}

// ReportQuery is the query of GET /v1/admin/reports: from and to (YYYY-MM-DD, both included,
// both required) and format (json, the default, or csv).
type ReportQuery struct {
	From, To, Format string
}

// AuditQuery is the query of GET /v1/admin/audit: an application id, from and to (optional
// dates) and format (json or csv).
type AuditQuery struct {
	Application, From, To, Format string
}

// AuditPage is the JSON answer of GET /v1/admin/audit: at most Limit lines, oldest first.
type AuditPage struct {
	Entries   []AuditLine `json:"entries"`
	Truncated bool        `json:"truncated"`
	Limit     int         `json:"limit"`
}

// SearchQuery is the query of GET /v1/admin/search: q (required) and limit (1–200, default 50).
type SearchQuery struct {
	Q, Limit string
}

// SearchAnswer is the answer of GET /v1/admin/search.
type SearchAnswer struct {
	Query        string         `json:"query"`
	Applications []SearchResult `json:"applications"`
}

// RetriedActivity is one failing activity of a journey an admin's retry ran again now.
type RetriedActivity struct {
	Activity  string `json:"activity"`
	Attempt   int32  `json:"attempt"`
	LastError string `json:"last_error"`
	State     string `json:"state"`
}

// RetryAnswer is the answer of POST /v1/applications/{id}/retry: the activities run again, or
// (JourneyStarted) the journey a registration was still owed, started now.
type RetryAnswer struct {
	Retried        []RetriedActivity `json:"retried"`
	JourneyStarted bool              `json:"journey_started,omitempty"`
}

// SearchResult is one application found by an admin's search.
type SearchResult struct {
	ID               string    `json:"id"`
	SettingReference string    `json:"setting_reference"`
	SettingName      string    `json:"setting_name"`
	Track            string    `json:"track"`
	Variant          string    `json:"variant"`
	Stage            string    `json:"stage"`
	Active           bool      `json:"active"`
	ApplicantID      string    `json:"applicant_id"`
	ApplicantName    string    `json:"applicant_name"`
	UpdatedAt        time.Time `json:"updated_at"`
	// Match says what matched, best first: id, reference, reference_prefix, setting_name,
	// applicant or supporter.
	Match string `json:"match"`
}

// SentEmail is one email of an application's outbox as admins see it: to whom (the person,
// never the address), what, and how its delivery went.
type SentEmail struct {
	MessageType   string     `json:"message_type"`
	RecipientID   string     `json:"recipient_id"`
	RecipientName string     `json:"recipient_name,omitempty"`
	Subject       string     `json:"subject"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
}

// AuditLine is one line of the audit trail as admins read it: the entry with its sequence
// number (the order lines were written) and the actor's name when the actor is a person.
type AuditLine struct {
	ID int64 `json:"id"`
	AuditEntry
	ActorName string `json:"actor_name,omitempty"`
}

// AuditEntry is one line of the audit trail.
type AuditEntry struct {
	TenantID      string         `json:"-"`
	ApplicationID string         `json:"application_id,omitempty"`
	Actor         string         `json:"actor"`
	Action        string         `json:"action"`
	Detail        map[string]any `json:"detail,omitempty"`
	StageBefore   string         `json:"stage_before,omitempty"`
	StageAfter    string         `json:"stage_after,omitempty"`
	DedupeKey     string         `json:"-"` // a retried write with the same key is recorded once
	At            time.Time      `json:"at"`
}
