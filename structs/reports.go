package structs

import "time"

// Report is the panel report of one tenant for one period (SPEC §4 "Reports"): the figures a
// council's award panel quotes. The period is a range of calendar dates in Europe/London,
// both ends included.
type Report struct {
	TenantID    string    `json:"tenant_id"`
	From        string    `json:"from"` // YYYY-MM-DD, first day of the period
	To          string    `json:"to"`   // YYYY-MM-DD, last day of the period (included)
	GeneratedAt time.Time `json:"generated_at"`

	// Awarded counts the distinct settings given an award (decided in the period with level
	// bronze, silver or gold) per track and level; every track and level is listed, zeros too.
	Awarded      []AwardedCount `json:"awarded"`
	AwardedTotal int            `json:"awarded_total"` // distinct settings awarded at any level
	// ReassessedHigher counts the distinct settings awarded in the period by a reassessment at
	// a higher level than the award it replaces.
	ReassessedHigher int `json:"reassessed_higher"`
	// ToolkitsAccessed counts the distinct applications whose toolkit was opened in the period.
	ToolkitsAccessed int `json:"toolkits_accessed"`
	// WorkingTowards counts the active applications at the toolkit or portfolio stage, and
	// InAssessment those awaiting allocation, offered, in assessment or in moderation. Both
	// read the projection as it is now (for applications registered before the period's end),
	// so for a past period they approximate the state at its end.
	WorkingTowards int `json:"working_towards"`
	InAssessment   int `json:"in_assessment"`
	// Lapsed counts the applications whose award lapsed (closed at stage lapsed) in the period.
	Lapsed int `json:"lapsed"`
	// MedianWorkingDays is, per stage, the median number of working days spent in it, over
	// the stays that ended in the period (read from the audit trail's stage changes).
	MedianWorkingDays []StageMedian `json:"median_working_days"`
	// AssessorWorkload is, per person and role (assessor or moderator), what their offers came to.
	AssessorWorkload []Workload `json:"assessor_workload"`
	Notes            []string   `json:"notes"`
}

// AwardedCount is the number of settings awarded one level on one track.
type AwardedCount struct {
	Track    string `json:"track"`
	Level    string `json:"level"`
	Settings int    `json:"settings"`
}

// StageMedian is the median stay in one stage.
type StageMedian struct {
	Stage  string  `json:"stage"`
	Median float64 `json:"median"` // working days
	Spans  int     `json:"spans"`  // the stays it is the median of
}

// Workload is one person's offers in one role: made, accepted, completed, declined and
// expired in the period, and open (offered or accepted) now.
type Workload struct {
	PersonID  string `json:"person_id"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	Offers    int    `json:"offers"`
	Accepted  int    `json:"accepted"`
	Completed int    `json:"completed"`
	Open      int    `json:"open"`
	Declined  int    `json:"declined"`
	Expired   int    `json:"expired"`
}
