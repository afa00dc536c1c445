package structs

import (
	"time"
)

// StuckEntry is one entry of the admins' stuck list as the API shows it.
type StuckEntry struct {
	StuckReason
	Age        string `json:"age"`         // how long, for people: "3 days"
	AgeSeconds int64  `json:"age_seconds"` // how long, for sorting and scripts
}

// StuckList is the answer to GET /v1/admin/stuck.
type StuckList struct {
	Stuck     []StuckEntry `json:"stuck"`
	CheckedAt time.Time    `json:"checked_at"`
	Warnings  []string     `json:"warnings,omitempty"`
}

// StuckReason is one reason one application is stuck: since when, who holds it and what would
// unstick it. An application stuck for several reasons has several entries.
type StuckReason struct {
	ApplicationID    string     `json:"application_id"`
	SettingName      string     `json:"setting_name"`
	SettingReference string     `json:"setting_reference"`
	Stage            string     `json:"stage"`
	Reason           string     `json:"reason"`
	Detail           string     `json:"detail"`
	Who              string     `json:"who"` // the role holding it: applicant, assessor, moderator, admin, system
	HolderID         string     `json:"holder_id,omitempty"`
	HolderName       string     `json:"holder_name"`
	Unstick          string     `json:"unstick"`
	Since            time.Time  `json:"since"`
	Attempt          int        `json:"attempt,omitempty"`
	LastError        string     `json:"last_error,omitempty"`
	NextRetry        *time.Time `json:"next_retry,omitempty"`
	// The failing activity or workflow, for engineers (activity_failing, workflow_task_failing).
	WorkflowID   string `json:"workflow_id,omitempty"`
	RunID        string `json:"run_id,omitempty"`
	ActivityID   string `json:"activity_id,omitempty"`
	ActivityType string `json:"activity_type,omitempty"`
}
