package cli

import (
	"bytes"
	"encoding/json"
	"strings"

	"awardengine/structs"
)

// The requests the client sends, and the evidence and toolkit answers, are the API's own
// types (package structs). What remains here are read-side projections of larger answers
// (an application, a summary row) whose timestamps stay strings, so that an unexpected format
// never stops a command; they are formatted for display only.

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
	Evidence        []structs.Evidence  `json:"evidence"`
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
