package award

import (
	"fmt"
	"slices"
	"strings"
)

// ModeratorRequest is what choosing a moderator needs to know about the application.
type ModeratorRequest struct {
	Parties         // never moderate it
	Assessor string // never moderates their own assessment
}

// ReasonAssessedIt excludes the assessor from moderating their own assessment.
const ReasonAssessedIt = "assessed this application"

// ChooseModerator picks the moderator of one recommendation among the tenant's moderators
// (SPEC §3, Moderation): the least loaded eligible one, then the one allocated longest ago,
// then by person id. Moderators are not capacity-limited and need no track: a moderator is
// passed over only for the parties' bar, being inactive, having assessed the application or
// a declared conflict with the setting. Like Allocate it is a pure function of its inputs.
func ChooseModerator(req ModeratorRequest, roster []Candidate) Allocation {
	out, eligible := rank(roster, func(c Candidate) string { return moderatorExclusion(req, c) })
	switch {
	case len(roster) == 0:
		out.Reason = "no eligible moderator: the authority has no moderator"
	case len(eligible) == 0:
		out.Reason = "no eligible moderator: " + excludedSummary(out.Excluded)
	default:
		out.Chosen = eligible[0].PersonID
		out.Reason = fmt.Sprintf("least loaded moderator (%d open)", eligible[0].Open)
	}
	return out
}

func moderatorExclusion(req ModeratorRequest, c Candidate) string {
	if why := req.Bar(c.PersonID); why != "" {
		return why
	}
	if !c.Active {
		return "inactive"
	}
	if req.Assessor != "" && c.PersonID == req.Assessor {
		return ReasonAssessedIt
	}
	if c.Conflict != "" {
		return "declared conflict: " + c.Conflict
	}
	return ""
}

// excludedSummary counts the exclusions by reason without naming anyone or quoting a
// conflict's wording, as it reaches admins' email ("2 excluded: 1 assessed this application,
// 1 inactive").
func excludedSummary(ex []Exclusion) string {
	counts := map[string]int{}
	var reasons []string
	for _, e := range ex {
		why := e.Reason
		if strings.HasPrefix(why, "declared conflict") {
			why = "declared a conflict"
		}
		if counts[why] == 0 {
			reasons = append(reasons, why)
		}
		counts[why]++
	}
	slices.Sort(reasons)
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%d %s", counts[r], r)
	}
	return fmt.Sprintf("%d excluded: %s", len(ex), strings.Join(parts, ", "))
}
