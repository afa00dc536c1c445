package structs

import (
	"time"

	"awardengine/award"
)

// RegisterRequest is the body of POST /v1/applications (stage 1). An admin registering on
// someone's behalf gives ApplicantName and ApplicantEmail; a first-year foster carer gives
// ApprovalDate (YYYY-MM-DD). Empty optional fields are left out when sent.
type RegisterRequest struct {
	SettingReference string `json:"setting_reference"`
	SettingName      string `json:"setting_name"`
	Track            string `json:"track"`
	Variant          string `json:"variant"`
	ApprovalDate     string `json:"approval_date,omitempty"`
	ApplicantName    string `json:"applicant_name,omitempty"`
	ApplicantEmail   string `json:"applicant_email,omitempty"`
	SupporterEmail   string `json:"supporter_email,omitempty"`
}

// SubmitRequest is the body of POST /v1/applications/{id}/submit.
type SubmitRequest struct {
	TargetLevel string `json:"target_level"`
}

// ReasonRequest is a body holding only a reason: withdraw, reassign, nudge, an offer's reply.
type ReasonRequest struct {
	Reason string `json:"reason" text:"multiline"`
}

// AddEvidenceRequest is the body of POST /v1/applications/{id}/evidence: a file about to be
// uploaded.
type AddEvidenceRequest struct {
	Filename    string   `json:"filename"`
	Size        int64    `json:"size"`
	ContentType string   `json:"content_type"`
	SHA256      string   `json:"sha256"`
	Standards   []string `json:"standards"`
	Note        string   `json:"note,omitempty" text:"multiline"`
}

// AddEvidenceBatchRequest is the body of POST /v1/applications/{id}/evidence/batch: several
// files about to be uploaded (at most 50), declared in one action. The batch is checked as a
// whole: an item that would be refused alone refuses the batch (the problem names it, as
// items[i]), and nothing is declared.
type AddEvidenceBatchRequest struct {
	Items []AddEvidenceRequest `json:"items"`
}

// EvidenceBatchCreated is the answer to POST /v1/applications/{id}/evidence/batch: each item
// with its own presigned PUT, in the order declared.
type EvidenceBatchCreated struct {
	Items []EvidenceCreated `json:"items"`
}

// ConfirmEvidenceBatchRequest is the body of POST /v1/applications/{id}/evidence/batch/confirm:
// the items whose uploads to confirm in one action (at most 50). An unknown or repeated id
// refuses the batch; otherwise each item has its own outcome.
type ConfirmEvidenceBatchRequest struct {
	EvidenceIDs []string `json:"evidence_ids"`
}

// EvidenceConfirmation is one item's outcome in a confirmed batch: confirmed, or the problem a
// confirm of that item alone would have answered (not-uploaded, checksum-mismatch, …), the
// item then still pending.
type EvidenceConfirmation struct {
	Evidence  Evidence `json:"evidence"`
	Confirmed bool     `json:"confirmed"`
	Problem   *Problem `json:"problem,omitempty"`
}

// EvidenceBatchConfirmed is the answer to POST /v1/applications/{id}/evidence/batch/confirm:
// every item's outcome in the order asked, and how many were confirmed and refused.
type EvidenceBatchConfirmed struct {
	Items     []EvidenceConfirmation `json:"items"`
	Confirmed int                    `json:"confirmed"`
	Refused   int                    `json:"refused"`
}

// MapEvidenceRequest is the body of PUT /v1/applications/{id}/evidence/{evidence}/standards.
type MapEvidenceRequest struct {
	Standards []string `json:"standards"`
}

// Application is an application as the API shows it to one person (admins see everything; see
// services/applications.ViewFor for what others see).
type Application struct {
	ID              string               `json:"id"`
	TenantID        string               `json:"tenant_id"`
	Setting         Setting              `json:"setting"`
	Track           string               `json:"track"`
	Variant         string               `json:"variant"`
	Framework       award.FrameworkRef   `json:"framework"`
	Stage           award.Stage          `json:"stage"`
	Next            award.NextStep       `json:"next"`
	RegisteredAt    time.Time            `json:"registered_at"`
	ToolkitOpenedAt *time.Time           `json:"toolkit_opened_at,omitempty"`
	Evidence        []Evidence           `json:"evidence"`
	PortfolioBytes  int64                `json:"portfolio_bytes"`
	Missing         map[string][]string  `json:"missing"`
	TargetLevel     string               `json:"target_level,omitempty"`
	SubmittedAt     *time.Time           `json:"submitted_at,omitempty"`
	FirstYearDue    *time.Time           `json:"first_year_due,omitempty"`
	Flags           []string             `json:"flags"`
	Assessment      *award.Assessment    `json:"assessment,omitempty"`
	PreviousAward   *award.PreviousAward `json:"previous_award,omitempty"`
	Lifecycle       *award.Lifecycle     `json:"lifecycle,omitempty"`
	// Deadlines are the working-day deadlines after submission this application runs on: its
	// council's settings when it was registered.
	Deadlines award.Deadlines `json:"deadlines"`
	// Source says where the answer came from: absent when the journey answered (its state
	// now); SourceProjection when the journey was busy and did not answer within a moment, and
	// the answer is what PostgreSQL knows as of AsOf (the journey's last recorded step): the
	// stage, next step, target level, flags and evidence, without the assessment's details
	// and the deadlines.
	Source string     `json:"source,omitempty"`
	AsOf   *time.Time `json:"as_of,omitempty"`
}

// SourceProjection is the Source of an application answered from the projection.
const SourceProjection = "projection"

// Setting is the setting (school, nursery, fostering household) an application is for.
type Setting struct {
	Reference string `json:"reference"`
	Name      string `json:"name"`
}

// Evidence is one evidence item as the API shows it: the one wire shape of evidence.
type Evidence struct {
	ID          string     `json:"id"`
	Filename    string     `json:"filename"`
	Size        int64      `json:"size"`
	ContentType string     `json:"content_type"`
	SHA256      string     `json:"sha256"`
	Standards   []string   `json:"standards"`
	Note        string     `json:"note,omitempty"`
	State       string     `json:"state"` // award.EvidencePending, EvidenceConfirmed, EvidenceRemoved
	Immutable   bool       `json:"immutable"`
	UploadedAt  time.Time  `json:"uploaded_at"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
	CarriedFrom string     `json:"carried_from,omitempty"` // carried forward from this earlier application
}

// Upload is a presigned PUT: the client sends the file's bytes to URL with Method and exactly
// these Headers (they are signed).
type Upload struct {
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expires_at"`
}

// EvidenceCreated is the answer to POST /v1/applications/{id}/evidence.
type EvidenceCreated struct {
	Evidence Evidence `json:"evidence"`
	Upload   Upload   `json:"upload"`
}

// ToolkitDocument is one document of the toolkit, with a short-lived download link.
type ToolkitDocument struct {
	Title       string    `json:"title"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	URL         string    `json:"url"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// Toolkit is the answer to GET /v1/applications/{id}/toolkit.
type Toolkit struct {
	Documents []ToolkitDocument `json:"documents"`
}

// DownloadLink is a short-lived link to one file (evidence, certificate).
type DownloadLink struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Registered is the answer to a registration whose journey has not answered yet (201 without
// the application's detail, or 202 with Message when the journey is still starting).
type Registered struct {
	ID      string      `json:"id"`
	Stage   award.Stage `json:"stage"`
	Message string      `json:"message,omitempty"`
}
