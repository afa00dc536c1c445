package structs

import (
	"time"

	"awardengine/award"
)

// RosterUpdate is the body of PUT /v1/roster/{person}: omitted fields keep their value (for a
// person new to the roster: no tracks or specialisms, capacity 3, active).
type RosterUpdate struct {
	Tracks      *[]award.Track      `json:"tracks"`
	Specialisms *[]award.Specialism `json:"specialisms"`
	Capacity    *int                `json:"capacity"`
	Active      *bool               `json:"active"`
}

// ConflictRequest is the body of POST /v1/roster/{person}/conflicts.
type ConflictRequest struct {
	SettingReference string `json:"setting_reference"`
	SettingID        string `json:"setting_id"`
	Reason           string `json:"reason" text:"multiline"`
}

// RoleView is a person's roles after PUT or DELETE /v1/roster/{person}/roles/{role}.
type RoleView struct {
	PersonID string   `json:"person_id"`
	Name     string   `json:"name"`
	Roles    []string `json:"roles"`
	Changed  bool     `json:"changed"` // false: the person already had (or lacked) the role
}

// AssessorProfile is one person on the roster, as admins manage it.
type AssessorProfile struct {
	PersonID        string             `json:"person_id"`
	Name            string             `json:"name"`
	Email           string             `json:"email"`
	Roles           []string           `json:"roles"`
	Tracks          []award.Track      `json:"tracks"`
	Specialisms     []award.Specialism `json:"specialisms"`
	Capacity        int                `json:"capacity"`
	Active          bool               `json:"active"`
	Open            int                `json:"open"` // open assessments (offered or accepted)
	LastAllocatedAt *time.Time         `json:"last_allocated_at,omitempty"`
	Conflicts       []RosterConflict   `json:"conflicts"`
}

// RosterConflict is a declared conflict of interest with a setting.
type RosterConflict struct {
	SettingID        string `json:"setting_id"`
	SettingReference string `json:"setting_reference"`
	SettingName      string `json:"setting_name"`
	Reason           string `json:"reason"`
}
