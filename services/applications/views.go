package applications

import (
	"slices"
	"strings"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/structs"
	"awardengine/workflows"
)

// View is an application's journey status as the API shows it, before redaction (ViewFor).
func View(st workflows.Status) structs.Application {
	ev := make([]structs.Evidence, 0, len(st.Evidence))
	for _, e := range st.Evidence {
		ev = append(ev, ViewEvidence(e))
	}
	return structs.Application{
		ID: st.ApplicationID, TenantID: st.TenantID, Setting: structs.Setting{Reference: st.SettingReference, Name: st.SettingName},
		Track: string(st.Track), Variant: string(st.Variant), Framework: st.Framework, Stage: st.Stage, Next: st.Next,
		RegisteredAt: st.RegisteredAt, ToolkitOpenedAt: st.ToolkitOpenedAt, Evidence: ev, PortfolioBytes: st.PortfolioBytes,
		Missing: st.Missing, TargetLevel: st.TargetLevel, SubmittedAt: st.SubmittedAt, FirstYearDue: st.FirstYearDue, Flags: st.Flags,
		Deadlines: st.Deadlines,
	}
}

// ViewEvidence is an evidence item of the journey as the API shows it.
func ViewEvidence(e activities.Evidence) structs.Evidence {
	return structs.Evidence{ID: e.ID, Filename: e.Filename, Size: e.Size, ContentType: e.ContentType, SHA256: e.SHA256,
		Standards: e.Standards, Note: e.Note, State: e.State, Immutable: e.Immutable, UploadedAt: e.CreatedAt,
		ConfirmedAt: e.ConfirmedAt, CarriedFrom: e.CarriedFrom}
}

// ViewFor is an application as one person may see it. Admins see everything, including the
// allocation's reasons; the assessor and moderator see the assessment but not who else was
// considered, and only its moderator sees the moderation's sampling draw; the applicant and
// supporter see the assessment's outcome once it is decided.
func ViewFor(st workflows.Status, me award.Person) structs.Application {
	v := View(st)
	v.PreviousAward, v.Lifecycle = st.Previous, st.Lifecycle
	if st.Assessment == nil {
		return v
	}
	a := *st.Assessment
	if !me.Has(award.RoleAdmin) {
		a.Allocation, a.Excluded, a.PreferredID = nil, nil, ""
		if a.Moderation != nil && me.ID != a.Moderation.ModeratorID {
			// The sampling draw is the moderator's to see (and admins'), not the assessor's,
			// the applicant's or the supporter's: neither as a number nor in the reason.
			m := *a.Moderation
			m.Draw, m.Reasons = 0, withoutDraw(m.Reasons)
			a.Moderation = &m
		}
		holder := me.ID == a.AssessorID || (a.Moderation != nil && me.ID == a.Moderation.ModeratorID) ||
			(a.Offer != nil && me.ID == a.Offer.PersonID)
		if !holder && a.DecidedAt == nil {
			a.Ratings, a.Feedback, a.Recommended, a.Moderation = nil, "", 0, nil
		}
	}
	v.Assessment = &a
	return v
}

// withoutDraw is the moderation's reasons with the random sample's draw left out ("random
// sample (draw 0.0731 < 0.10)" → "random sample").
func withoutDraw(reasons []string) []string {
	if !slices.ContainsFunc(reasons, isSampleReason) {
		return reasons
	}
	out := make([]string, len(reasons))
	for i, r := range reasons {
		if isSampleReason(r) {
			r = "random sample"
		}
		out[i] = r
	}
	return out
}

func isSampleReason(r string) bool { return strings.HasPrefix(r, "random sample") }
