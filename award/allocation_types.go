package award

import "time"

// Specialism is an assessor qualification some variants require on top of the track.
type Specialism string

const (
	EarlyYears  Specialism = "early_years"
	Residential Specialism = "residential"
)

// Candidate is one person on a tenant's assessor roster, as allocation sees them for one
// application.
type Candidate struct {
	PersonID        string
	Name            string
	Active          bool
	Tracks          []Track      // tracks the person is qualified to assess
	Specialisms     []Specialism // early years, residential
	Capacity        int          // open assessments they may hold at once (default 3)
	Open            int          // open assessments now (offered or accepted)
	LastAllocatedAt time.Time    // zero: never allocated
	Conflict        string       // a declared conflict with this setting ("" = none)
}

// AllocationRequest is what allocation needs to know about the application.
type AllocationRequest struct {
	Track            Track
	Variant          Variant
	PreviousAssessor string            // the setting's assessor in its previous cycle
	Applicant        string            // the person whose application it is: never allocated
	Supporter        string            // the person who supports the setting: never allocated
	Excluded         map[string]string // person → why (declined, did not answer, reassigned)
}

// Parties are the request's applicant and supporter, whom nobody may allocate.
func (r AllocationRequest) Parties() Parties {
	return Parties{Applicant: r.Applicant, Supporter: r.Supporter}
}

// Exclusion says why a candidate could not be chosen.
type Exclusion struct {
	PersonID string `json:"person_id"`
	Name     string `json:"name"`
	Reason   string `json:"reason"`
}

// Allocation is the outcome: the chosen assessor (or none), the eligible candidates in order
// of preference, and every excluded candidate with its reason.
type Allocation struct {
	Chosen   string      `json:"chosen,omitempty"`
	Reason   string      `json:"reason"`   // why the chosen one (or why nobody)
	Ranked   []string    `json:"ranked"`   // eligible person ids, best first
	Excluded []Exclusion `json:"excluded"` // sorted by person id
}

// DefaultAssessorCapacity is the number of open assessments an assessor holds at most.
const DefaultAssessorCapacity = 3
