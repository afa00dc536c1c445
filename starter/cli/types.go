package cli

import (
	"bytes"
	"encoding/json"
	"strings"
)

// The API's JSON shapes, as far as the client reads or sends them (see
// starter/api/openapi.yaml). Timestamps stay strings so that an unexpected
// format never stops a command; they are formatted for display only.

type registerRequest struct {
	SettingReference string `json:"setting_reference"`
	SettingName      string `json:"setting_name"`
	Track            string `json:"track"`
	Variant          string `json:"variant"`
	ApprovalDate     string `json:"approval_date,omitempty"`
	ApplicantName    string `json:"applicant_name,omitempty"`
	ApplicantEmail   string `json:"applicant_email,omitempty"`
	SupporterEmail   string `json:"supporter_email,omitempty"`
}

type application struct {
	ID      string `json:"id"`
	Setting struct {
		Reference string `json:"reference"`
		Name      string `json:"name"`
	} `json:"setting"`
	Track     string `json:"track"`
	Variant   string `json:"variant"`
	Framework struct {
		ID      string     `json:"id"`
		Version flexString `json:"version"`
		Title   string     `json:"title"`
		Sample  bool       `json:"sample"`
	} `json:"framework"`
	Stage           string              `json:"stage"`
	Next            nextStep            `json:"next"`
	RegisteredAt    string              `json:"registered_at"`
	ToolkitOpenedAt string              `json:"toolkit_opened_at"`
	Evidence        []evidenceItem      `json:"evidence"`
	PortfolioBytes  int64               `json:"portfolio_bytes"`
	Missing         map[string][]string `json:"missing"`
	TargetLevel     string              `json:"target_level"`
	SubmittedAt     string              `json:"submitted_at"`
	FirstYearDue    string              `json:"first_year_due"`
	Flags           []string            `json:"flags"`
}

type nextStep struct {
	Action string `json:"action"`
	Who    string `json:"who"`
	DueAt  string `json:"due_at"`
}

type applicationSummary struct {
	ID               string   `json:"id"`
	SettingReference string   `json:"setting_reference"`
	SettingName      string   `json:"setting_name"`
	Track            string   `json:"track"`
	Variant          string   `json:"variant"`
	Stage            string   `json:"stage"`
	NextAction       string   `json:"next_action"`
	DueAt            string   `json:"due_at"`
	Flags            []string `json:"flags"`
	UpdatedAt        string   `json:"updated_at"`
}

type evidenceItem struct {
	ID          string   `json:"id"`
	Filename    string   `json:"filename"`
	Size        int64    `json:"size"`
	ContentType string   `json:"content_type"`
	SHA256      string   `json:"sha256"`
	Standards   []string `json:"standards"`
	Note        string   `json:"note"`
	State       string   `json:"state"`
	Immutable   bool     `json:"immutable"`
	UploadedAt  string   `json:"uploaded_at"`
	ConfirmedAt string   `json:"confirmed_at"`
}

type evidenceRequest struct {
	Filename    string   `json:"filename"`
	Size        int64    `json:"size"`
	ContentType string   `json:"content_type"`
	SHA256      string   `json:"sha256"`
	Standards   []string `json:"standards"`
	Note        string   `json:"note,omitempty"`
}

type evidenceCreated struct {
	Evidence evidenceItem `json:"evidence"`
	Upload   struct {
		Method    string            `json:"method"`
		URL       string            `json:"url"`
		Headers   map[string]string `json:"headers"`
		ExpiresAt string            `json:"expires_at"`
	} `json:"upload"`
}

type toolkitDocument struct {
	Title       string `json:"title"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	URL         string `json:"url"`
	ExpiresAt   string `json:"expires_at"`
}

// flexString accepts a JSON string or number (e.g. a framework version).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

// splitCodes parses "LD1, RB2,LD1" into ["LD1", "RB2"].
func splitCodes(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range strings.Split(s, ",") {
		c = strings.TrimSpace(c)
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}
