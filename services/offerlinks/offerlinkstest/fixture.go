package offerlinkstest

import (
	"time"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/services/applications/appstest"
	"awardengine/services/offerlinks"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// Fixture is one application of the "north" council at the offered stage, its offer made to
// Assessor, and the offer's emailed link (Token), over the applications fakes.
type Fixture struct {
	Fakes   *appstest.Fakes
	Store   *Store
	Service *offerlinks.Service

	Assessor, Other, Applicant award.Person
	AppID, AssignmentID, Token string
	OfferedAt, ExpiresAt       time.Time
	// Now is the service's clock: an hour after the offer; tests move it.
	Now time.Time
}

// People of the fixture.
var (
	Ada = award.Person{ID: "p-ada", TenantID: "north", Name: "Ada Assessor", Email: "ada@north.example",
		Roles: []string{award.RoleAssessor}, Active: true}
	Carl = award.Person{ID: "p-carl", TenantID: "north", Name: "Carl Assessor", Email: "carl@north.example",
		Roles: []string{award.RoleAssessor}, Active: true}
	Asha = award.Person{ID: "p-asha", TenantID: "north", Name: "Asha Applicant", Email: "asha@north.example",
		Roles: []string{award.RoleApplicant}, Active: true}
)

// NewFixture seeds f (nil: new fakes) with the offered application and its link.
func NewFixture(f *appstest.Fakes) *Fixture {
	if f == nil {
		f = appstest.New()
	}
	x := &Fixture{Fakes: f, Assessor: Ada, Other: Carl, Applicant: Asha, AppID: "app-offer-1", AssignmentID: "app-offer-1/offer/1",
		OfferedAt: appstest.Time, ExpiresAt: appstest.Time.Add(7 * 24 * time.Hour)}
	x.Now = x.OfferedAt.Add(time.Hour)
	for _, p := range []award.Person{Ada, Carl, Asha} {
		f.Store.AddPerson(p)
	}
	fw := appstest.Framework("fw-primary", 1, award.VariantPrimary)
	f.Store.AddFramework(fw, true)
	evidence := []activities.Evidence{
		{ID: "ev-1", Filename: "policy.pdf", State: activities.EvidenceConfirmed, Standards: []string{"A1"}, Immutable: true},
		{ID: "ev-2", Filename: "plan.pdf", State: activities.EvidenceConfirmed, Standards: []string{"B1"}, Immutable: true},
		{ID: "ev-3", Filename: "old.pdf", State: activities.EvidenceRemoved},
	}
	f.AddApplication(postgres.Application{ID: x.AppID, TenantID: "north", SettingReference: "URN 100200",
		SettingName: `Hill & "Dale" <Primary>`, Track: string(award.CaringSchools), Variant: string(award.VariantPrimary),
		ApplicantID: Asha.ID, Stage: string(workflows.StageOffered), AssessorID: Ada.ID},
		workflows.Status{Stage: workflows.StageOffered, TargetLevel: "silver", Evidence: evidence, SubmittedAt: appstest.Ptr(appstest.Time),
			Next: workflows.NextStep{Action: "Ada Assessor accepts or declines the offer to assess", Who: award.RoleAssessor, DueAt: &x.ExpiresAt},
			Assessment: &workflows.Assessment{Offers: 1, Offer: &workflows.Offer{PersonID: Ada.ID, Name: Ada.Name,
				AssignmentID: x.AssignmentID, OfferedAt: x.OfferedAt, ExpiresAt: x.ExpiresAt}}})
	x.Store = New(f.Store)
	x.Store.SetAssignment("north", postgres.Assignment{ID: x.AssignmentID, ApplicationID: x.AppID, PersonID: Ada.ID,
		PersonName: Ada.Name, Role: "assessor", State: "offered", OfferedAt: x.OfferedAt})
	x.Token = x.Store.Mint(postgres.OfferLink{AssignmentID: x.AssignmentID, TenantID: "north", ApplicationID: x.AppID,
		PersonID: Ada.ID, ExpiresAt: x.ExpiresAt})
	x.Service = &offerlinks.Service{DB: x.Store, Apps: f.Service(), Now: func() time.Time { return x.Now }}
	// The journey's answers, as workflows/allocation.go gives them.
	f.Temporal.OnUpdate(workflows.UpdateAcceptOffer, func(st *workflows.Status, arg any) (any, error) {
		r := arg.(workflows.OfferReply)
		a := st.Assessment
		if st.Stage != workflows.StageOffered || a.Offer == nil {
			return nil, appstest.Refusal(workflows.ErrWrongStage, "cannot answer an offer at stage "+string(st.Stage))
		}
		if r.Actor.ID != a.Offer.PersonID {
			return nil, appstest.Refusal(workflows.ErrForbidden, "this offer was made to another assessor")
		}
		now, due := x.Now, x.Now.Add(28*24*time.Hour)
		a.AssessorID, a.AssessorName, a.AssignmentID, a.AcceptedAt, a.DueAt = a.Offer.PersonID, a.Offer.Name, a.Offer.AssignmentID, &now, &due
		a.Offer, st.Stage = nil, workflows.StageAssessment
		st.Next = workflows.NextStep{Action: a.AssessorName + " assesses the portfolio", Who: award.RoleAssessor, DueAt: &due}
		x.Store.SetAssignment("north", postgres.Assignment{ID: x.AssignmentID, ApplicationID: x.AppID, PersonID: Ada.ID,
			Role: "assessor", State: "accepted", OfferedAt: x.OfferedAt, AcceptedAt: &now})
		return nil, nil
	})
	f.Temporal.OnUpdate(workflows.UpdateDeclineOffer, func(st *workflows.Status, arg any) (any, error) {
		r := arg.(workflows.OfferReply)
		a := st.Assessment
		if st.Stage != workflows.StageOffered || a.Offer == nil {
			return nil, appstest.Refusal(workflows.ErrWrongStage, "cannot answer an offer at stage "+string(st.Stage))
		}
		if r.Actor.ID != a.Offer.PersonID {
			return nil, appstest.Refusal(workflows.ErrForbidden, "this offer was made to another assessor")
		}
		now := x.Now
		a.Offer, st.Stage = nil, workflows.StageAwaitingAllocation
		st.Next = workflows.NextStep{Action: "allocate an assessor", Who: award.RoleSystem}
		x.Store.SetAssignment("north", postgres.Assignment{ID: x.AssignmentID, ApplicationID: x.AppID, PersonID: Ada.ID,
			Role: "assessor", State: "declined", Reason: r.Reason, OfferedAt: x.OfferedAt, ClosedAt: &now})
		return nil, nil
	})
	return x
}

// Reoffer closes the fixture's offer as state ("released" by a reassignment, "expired",
// "declined" or "accepted" from the inbox) and, for released and expired, offers the
// application to Other under a new assignment, as the journey does.
func (x *Fixture) Reoffer(state string) {
	st, _ := x.Fakes.Temporal.Status(x.AppID)
	a, now := *st.Assessment, x.Now
	asg := postgres.Assignment{ID: x.AssignmentID, ApplicationID: x.AppID, PersonID: Ada.ID, Role: "assessor", State: state,
		OfferedAt: x.OfferedAt, ClosedAt: &now}
	switch state {
	case "accepted":
		asg.AcceptedAt, asg.ClosedAt = &now, nil
		a.Offer, a.AssessorID, st.Stage = nil, Ada.ID, workflows.StageAssessment
	case "declined":
		a.Offer, st.Stage = nil, workflows.StageAwaitingAllocation
	default:
		a.Offers++
		a.Offer = &workflows.Offer{PersonID: Carl.ID, Name: Carl.Name, AssignmentID: x.AppID + "/offer/2", OfferedAt: x.Now,
			ExpiresAt: x.Now.Add(7 * 24 * time.Hour)}
		x.Store.SetAssignment("north", postgres.Assignment{ID: a.Offer.AssignmentID, ApplicationID: x.AppID, PersonID: Carl.ID,
			PersonName: Carl.Name, Role: "assessor", State: "offered", OfferedAt: x.Now})
	}
	st.Assessment = &a
	x.Store.SetAssignment("north", asg)
	x.Fakes.Temporal.SetStatus(st)
}

// Withdraw withdraws the application, releasing the offer as the journey does.
func (x *Fixture) Withdraw() {
	st, _ := x.Fakes.Temporal.Status(x.AppID)
	a, now := *st.Assessment, x.Now
	a.Offer = nil
	st.Assessment, st.Stage = &a, workflows.StageWithdrawn
	x.Store.SetAssignment("north", postgres.Assignment{ID: x.AssignmentID, ApplicationID: x.AppID, PersonID: Ada.ID,
		Role: "assessor", State: "released", OfferedAt: x.OfferedAt, ClosedAt: &now})
	x.Fakes.Temporal.SetStatus(st)
}
