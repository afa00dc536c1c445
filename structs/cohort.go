package structs

// The cohort import (POST /v1/admin/imports/cohort, services/cohort).

// CohortRowProblem is one problem of a cohort file, by line (the header is line 1) and column.
type CohortRowProblem struct {
	Line    int    `json:"line"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// CohortProblem refuses a whole cohort file (422 cohort-rows): nothing was imported. Rows
// lists every problem found.
type CohortProblem struct {
	Problem
	Rows []CohortRowProblem `json:"rows"`
}

func (p *CohortProblem) Error() string { return p.Title + ": " + p.Detail }

// CohortResult is the answer of a good import (201) or dry run (200).
type CohortResult struct {
	DryRun       bool                `json:"dry_run"`
	Message      string              `json:"message"`
	Applications []CohortApplication `json:"applications"`
}

// CohortApplication is what one row created (or would create, in a dry run).
type CohortApplication struct {
	Line             int    `json:"line"`
	SettingReference string `json:"setting_reference"`
	ApplicationID    string `json:"application_id"`
	ApplicantID      string `json:"applicant_id"`
	ApplicantInvited bool   `json:"applicant_invited"` // a new person, sent a sign-in link
	SupporterID      string `json:"supporter_id,omitempty"`
	SupporterInvited bool   `json:"supporter_invited,omitempty"`
	// Journey is "started", or "starting" when the sweeper will start it within seconds
	// (empty in a dry run).
	Journey string `json:"journey,omitempty"`
}
