package admin

import (
	"cmp"
	"context"
	"slices"

	"awardengine/award"
	"awardengine/structs"
)

// Candidates is the assessor roster as allocation sees it for one application now, for an
// admin allocating by hand: what the rules decide (the eligible, best first, and why each other
// assessor is excluded), and whom an admin may still choose by hand. The journey and the
// database decide the allocation itself when it is asked (Apps.Allocate).
func (s *Service) Candidates(ctx context.Context, me award.Person, id string) (structs.AllocationCandidates, error) {
	app, err := s.Apps.AdminApplication(ctx, me, id)
	if err != nil {
		return structs.AllocationCandidates{}, err
	}
	st, err := s.Apps.Status(ctx, app.ID)
	if err != nil {
		return structs.AllocationCandidates{}, err
	}
	cands, err := s.DB.Candidates(ctx, me.TenantID, app.SettingID)
	if err != nil {
		return structs.AllocationCandidates{}, err
	}
	prev, err := s.DB.PreviousAssessor(ctx, me.TenantID, app.SettingID, app.ID)
	if err != nil {
		return structs.AllocationCandidates{}, err
	}
	req := award.AllocationRequest{Track: st.Track, Variant: st.Variant, PreviousAssessor: prev,
		Applicant: app.ApplicantID, Supporter: app.SupporterID}
	if st.Assessment != nil {
		req.Excluded = st.Assessment.Excluded
	}
	rules := award.Allocate(req, cands)
	out := structs.AllocationCandidates{ApplicationID: app.ID, Setting: structs.Setting{Reference: app.SettingReference, Name: app.SettingName},
		Track: string(st.Track), Variant: string(st.Variant), Stage: string(st.Stage), Open: st.Stage == award.StageAwaitingAllocation,
		Rules: rules, Candidates: []structs.AllocationCandidate{}}
	excluded := map[string]string{}
	for _, e := range rules.Excluded {
		excluded[e.PersonID] = e.Reason
	}
	rank := map[string]int{}
	for i, p := range rules.Ranked {
		rank[p] = i
	}
	parties := req.Parties()
	for _, c := range cands {
		why, out2 := excluded[c.PersonID]
		out.Candidates = append(out.Candidates, structs.AllocationCandidate{PersonID: c.PersonID, Name: c.Name,
			Open: c.Open, Capacity: c.Capacity, Eligible: !out2, Choice: c.PersonID == rules.Chosen, Excluded: why,
			ByHand: c.Active && parties.Bar(c.PersonID) == "" && c.Open < c.Capacity})
	}
	group := func(c structs.AllocationCandidate) int {
		switch {
		case c.Eligible:
			return 0
		case c.ByHand:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(out.Candidates, func(a, b structs.AllocationCandidate) int {
		if n := cmp.Compare(group(a), group(b)); n != 0 {
			return n
		}
		if a.Eligible {
			return cmp.Compare(rank[a.PersonID], rank[b.PersonID])
		}
		if n := cmp.Compare(a.Name, b.Name); n != 0 {
			return n
		}
		return cmp.Compare(a.PersonID, b.PersonID)
	})
	return out, nil
}
