package award

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// RequiredSpecialism returns the specialism an assessor needs for variant v on top of the
// track, or "" when the track alone suffices.
func RequiredSpecialism(v Variant) Specialism {
	switch v {
	case VariantEarlyYearsSetting, VariantEarlyYearsFoster:
		return EarlyYears
	case VariantResidentialHome:
		return Residential
	}
	return ""
}

var specialismTitles = map[Specialism]string{EarlyYears: "early-years", Residential: "residential"}

// rank splits a roster into the excluded (with the first reason each fails, by person id) and the
// eligible, best first; the caller chooses and says why.
func rank(roster []Candidate, exclusion func(Candidate) string) (Allocation, []Candidate) {
	out := Allocation{Ranked: []string{}, Excluded: []Exclusion{}}
	var eligible []Candidate
	for _, c := range roster {
		if why := exclusion(c); why != "" {
			out.Excluded = append(out.Excluded, Exclusion{PersonID: c.PersonID, Name: c.Name, Reason: why})
		} else {
			eligible = append(eligible, c)
		}
	}
	slices.SortStableFunc(out.Excluded, func(a, b Exclusion) int { return cmp.Compare(a.PersonID, b.PersonID) })
	slices.SortStableFunc(eligible, compareCandidates)
	for _, c := range eligible {
		out.Ranked = append(out.Ranked, c.PersonID)
	}
	return out, eligible
}

// Allocate chooses an assessor for one application among the tenant's roster (SPEC §3,
// Allocation). It runs inside workflow code, so it is a pure function of its inputs: the
// output order comes from sorting, never from map iteration, the clock or chance.
func Allocate(req AllocationRequest, roster []Candidate) Allocation {
	out, eligible := rank(roster, func(c Candidate) string { return exclusionReason(req, c) })
	switch {
	case len(roster) == 0:
		out.Reason = "no eligible assessor: the roster is empty"
	case len(eligible) == 0:
		out.Reason = fmt.Sprintf("no eligible assessor: %d excluded", len(out.Excluded))
	default:
		out.Chosen = eligible[0].PersonID
		out.Reason = choiceReason(eligible)
	}
	return out
}

// exclusionReason returns the first rule c fails, in the order admins read them (the
// parties' bar first, as no change to the roster can lift it; then hard facts about the
// person before facts about this setting, load last), or "" if eligible.
func exclusionReason(req AllocationRequest, c Candidate) string {
	if why := req.Parties().Bar(c.PersonID); why != "" {
		return why
	}
	if !c.Active {
		return "inactive"
	}
	if !slices.Contains(c.Tracks, req.Track) {
		return "not qualified for the " + req.Track.Title()
	}
	if s := RequiredSpecialism(req.Variant); s != "" && !slices.Contains(c.Specialisms, s) {
		return "no " + specialismTitles[s] + " specialism"
	}
	if why, ok := req.Excluded[c.PersonID]; ok {
		if why == "" {
			return "excluded" // an empty reason must still exclude
		}
		return why
	}
	if c.Conflict != "" {
		return "declared conflict: " + c.Conflict
	}
	if req.PreviousAssessor != "" && c.PersonID == req.PreviousAssessor {
		return "assessed this setting in its previous cycle"
	}
	if capacity := capacityOf(c); c.Open >= capacity {
		return fmt.Sprintf("at capacity (%d of %d open)", c.Open, capacity)
	}
	return ""
}

func capacityOf(c Candidate) int {
	if c.Capacity <= 0 {
		return DefaultAssessorCapacity
	}
	return c.Capacity
}

// compareCandidates orders the least loaded first, then the longest since the last
// allocation (never allocated counts as longest), then by person id so ties are stable.
func compareCandidates(a, b Candidate) int {
	if n := cmp.Compare(a.Open, b.Open); n != 0 {
		return n
	}
	if n := compareLastAllocated(a.LastAllocatedAt, b.LastAllocatedAt); n != 0 {
		return n
	}
	return cmp.Compare(a.PersonID, b.PersonID)
}

func compareLastAllocated(a, b time.Time) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return -1
	case b.IsZero():
		return 1
	}
	return a.Compare(b)
}

// choiceReason explains the winner against the runner-up, naming only the criteria that
// actually decided, so admins are not told "longest ago" when load alone settled it.
func choiceReason(ranked []Candidate) string {
	c := ranked[0]
	load := fmt.Sprintf("%d open of %d", c.Open, capacityOf(c))
	if len(ranked) == 1 {
		return "only eligible assessor (" + load + ")"
	}
	next := ranked[1]
	reason := "least loaded (" + load + ")"
	if c.Open != next.Open {
		return reason
	}
	reason += "; allocated longest ago (" + lastAllocatedText(c.LastAllocatedAt) + ")"
	if compareLastAllocated(c.LastAllocatedAt, next.LastAllocatedAt) != 0 {
		return reason
	}
	return reason + "; first by person id among equals"
}

func lastAllocatedText(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.DateOnly) // UTC so the text does not depend on the worker's zone
}
