package structs

import (
	"time"

	"awardengine/storage/postgres"
)

// StuckEntry is one entry of the admins' stuck list as the API shows it.
type StuckEntry struct {
	postgres.StuckEntry
	Age        string `json:"age"`         // how long, for people: "3 days"
	AgeSeconds int64  `json:"age_seconds"` // how long, for sorting and scripts
}

// StuckList is the answer to GET /v1/admin/stuck.
type StuckList struct {
	Stuck     []StuckEntry `json:"stuck"`
	CheckedAt time.Time    `json:"checked_at"`
	Warnings  []string     `json:"warnings,omitempty"`
}
