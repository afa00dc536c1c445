package applications

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workdays"
	"awardengine/workflows"
)

// Assignments is an assessor's or moderator's inbox: offers, assessments and moderations with
// their due dates, and the applications they hold.
func (s *Service) Assignments(ctx context.Context, me award.Person) (structs.Assignments, error) {
	as, err := s.DB.Assignments(ctx, me.TenantID, me.ID)
	if err != nil {
		return structs.Assignments{}, err
	}
	apps, err := s.DB.Applications(ctx, postgres.ApplicationFilter{TenantID: me.TenantID, HolderID: me.ID})
	if err != nil {
		return structs.Assignments{}, err
	}
	if as == nil {
		as = []postgres.Assignment{}
	}
	if apps == nil {
		apps = []postgres.Application{}
	}
	return structs.Assignments{Assignments: as, Applications: apps}, nil
}

// AcceptOffer and DeclineOffer answer an offer of the assessment (or moderation).
func (s *Service) AcceptOffer(ctx context.Context, me award.Person, id string, req structs.ReasonRequest) (structs.Application, error) {
	return s.holderUpdate(ctx, me, id, workflows.UpdateAcceptOffer, workflows.OfferReply{Actor: HolderActor(me), Reason: req.Reason})
}

// DeclineOffer: see AcceptOffer.
func (s *Service) DeclineOffer(ctx context.Context, me award.Person, id string, req structs.ReasonRequest) (structs.Application, error) {
	return s.holderUpdate(ctx, me, id, workflows.UpdateDeclineOffer, workflows.OfferReply{Actor: HolderActor(me), Reason: req.Reason})
}

// SaveAssessment saves the assessor's ratings as a draft; SubmitAssessment submits them.
func (s *Service) SaveAssessment(ctx context.Context, me award.Person, id string, req structs.RatingsRequest) (structs.Application, error) {
	return s.assess(ctx, me, id, workflows.UpdateSaveRatings, req)
}

// SubmitAssessment: see SaveAssessment.
func (s *Service) SubmitAssessment(ctx context.Context, me award.Person, id string, req structs.RatingsRequest) (structs.Application, error) {
	return s.assess(ctx, me, id, workflows.UpdateSubmitAssess, req)
}

func (s *Service) assess(ctx context.Context, me award.Person, id, update string, req structs.RatingsRequest) (structs.Application, error) {
	app, err := s.Application(ctx, me, id, CanHold)
	if err != nil {
		return structs.Application{}, err
	}
	ratings, err := ParseRatings(req.Ratings)
	if err != nil {
		return structs.Application{}, err
	}
	return s.act(ctx, me, app, update, workflows.RatingsRequest{Actor: HolderActor(me), Ratings: ratings, Feedback: req.Feedback, VisitDate: req.VisitDate})
}

// ParseRatings reads {"LD1": "gold", …}; every value must be not_met, bronze, silver or gold.
func ParseRatings(in map[string]string) (map[string]award.Level, error) {
	out := make(map[string]award.Level, len(in))
	codes := make([]string, 0, len(in))
	for c := range in {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		l, err := award.ParseLevel(in[c])
		if err != nil {
			return nil, structs.Invalid("ratings", "rating of "+c+": choose not_met, bronze, silver or gold")
		}
		out[c] = l
	}
	return out, nil
}

// Moderate is the moderator's decision.
func (s *Service) Moderate(ctx context.Context, me award.Person, id string, req structs.ModerateRequest) (structs.Application, error) {
	app, err := s.Application(ctx, me, id, CanHold)
	if err != nil {
		return structs.Application{}, err
	}
	ratings, err := ParseRatings(req.Ratings)
	if err != nil {
		return structs.Application{}, err
	}
	return s.act(ctx, me, app, workflows.UpdateModerate, workflows.ModerateRequest{Actor: HolderActor(me), Decision: req.Decision,
		Ratings: ratings, Rationale: req.Rationale})
}

// Allocate is an admin allocating an assessor by hand.
func (s *Service) Allocate(ctx context.Context, me award.Person, id string, req structs.AllocateRequest) (structs.Application, error) {
	app, err := s.AdminApplication(ctx, me, id)
	if err != nil {
		return structs.Application{}, err
	}
	if req.Assessor == "" {
		return structs.Application{}, structs.Invalid("assessor", "required: the person id of an assessor on the roster")
	}
	if _, err := s.DB.Person(ctx, me.TenantID, req.Assessor); err != nil {
		return structs.Application{}, structs.Invalid("assessor", "no person "+req.Assessor+" in your authority")
	}
	return s.act(ctx, me, app, workflows.UpdateAllocate, workflows.AllocateRequest{Actor: Actor(me), AssessorID: req.Assessor, Reason: req.Reason})
}

// Reassign takes the assessment from its assessor (admins).
func (s *Service) Reassign(ctx context.Context, me award.Person, id string, req structs.ReasonRequest) (structs.Application, error) {
	app, err := s.AdminApplication(ctx, me, id)
	if err != nil {
		return structs.Application{}, err
	}
	return s.act(ctx, me, app, workflows.UpdateReassign, workflows.ReassignRequest{Actor: Actor(me), Reason: req.Reason})
}

// Allocation shows admins the last allocation's choice and every excluded candidate's reason,
// with the history of offers and assignments.
func (s *Service) Allocation(ctx context.Context, me award.Person, id string) (structs.AllocationAnswer, error) {
	app, err := s.AdminApplication(ctx, me, id)
	if err != nil {
		return structs.AllocationAnswer{}, err
	}
	st, err := s.Status(ctx, app.ID)
	if err != nil {
		return structs.AllocationAnswer{}, err
	}
	as, err := s.DB.ApplicationAssignments(ctx, me.TenantID, app.ID)
	if err != nil {
		return structs.AllocationAnswer{}, err
	}
	out := structs.AllocationAnswer{Assignments: as, ExcludedFromOffers: map[string]string{}}
	if a := st.Assessment; a != nil {
		out.Allocation = a.Allocation
		if a.Excluded != nil {
			out.ExcludedFromOffers = a.Excluded
		}
	}
	return out, nil
}

// DownloadEvidence hands out a short-lived link to one evidence file: to the applicant,
// supporter and admins, and to the assessor and moderator only while they hold the assessment.
func (s *Service) DownloadEvidence(ctx context.Context, me award.Person, id, evidenceID string) (structs.DownloadLink, error) {
	app, err := s.Application(ctx, me, id, CanRead)
	if err != nil {
		return structs.DownloadLink{}, err
	}
	// The projection's stage and evidence, written by the journey in the step that changed them.
	if !me.Has(award.RoleAdmin) && app.ApplicantID != me.ID && app.SupporterID != me.ID &&
		app.Stage != string(workflows.StageAssessment) && app.Stage != string(workflows.StageModeration) {
		return structs.DownloadLink{}, structs.Forbidden("the portfolio opens to the assessor once they accept the offer")
	}
	e, found, err := s.evidenceItem(ctx, app.TenantID, app.ID, evidenceID)
	if err != nil {
		return structs.DownloadLink{}, err
	}
	if !found {
		return structs.DownloadLink{}, structs.NotFound("no evidence " + evidenceID)
	}
	url, exp, err := s.Objects.PresignGet(ctx, e.ObjectKey, e.Filename, s.Settings.DownloadLinkTTL)
	return structs.DownloadLink{URL: url, ExpiresAt: exp}, err
}

// evidenceItem is a confirmed evidence item of an application as the projection has it (its
// evidence rows). An item the projection does not have confirmed is looked up in the journey:
// it may be a moment ahead (an item confirmed in the step being written).
func (s *Service) evidenceItem(ctx context.Context, tenantID, applicationID, evidenceID string) (postgres.Evidence, bool, error) {
	rows, err := s.DB.EvidenceOf(ctx, tenantID, applicationID)
	if err != nil {
		return postgres.Evidence{}, false, Unchanged(err)
	}
	if i := slices.IndexFunc(rows, func(e postgres.Evidence) bool { return e.ID == evidenceID }); i >= 0 &&
		rows[i].State == award.EvidenceConfirmed {
		return rows[i], true, nil
	}
	st, err := s.Status(ctx, applicationID)
	if err != nil {
		return postgres.Evidence{}, false, err
	}
	i := slices.IndexFunc(st.Evidence, func(e activities.Evidence) bool { return e.ID == evidenceID })
	if i < 0 || st.Evidence[i].State != award.EvidenceConfirmed {
		return postgres.Evidence{}, false, nil
	}
	e := st.Evidence[i]
	return postgres.Evidence{ID: e.ID, ObjectKey: e.ObjectKey, Filename: e.Filename, ContentType: e.ContentType,
		Size: e.Size, State: e.State}, true, nil
}

// DownloadCertificate hands out a short-lived link to the award certificate.
func (s *Service) DownloadCertificate(ctx context.Context, me award.Person, id string) (structs.DownloadLink, error) {
	app, err := s.Application(ctx, me, id, CanRead)
	if err != nil {
		return structs.DownloadLink{}, err
	}
	st, err := s.Status(ctx, app.ID)
	if err != nil {
		return structs.DownloadLink{}, err
	}
	if st.Assessment == nil || st.Assessment.Certificate == "" {
		return structs.DownloadLink{}, structs.NotFound("no certificate: the application has not been awarded")
	}
	url, exp, err := s.Objects.PresignGet(ctx, st.Assessment.Certificate, "certificate-"+app.ID+".pdf", s.Settings.DownloadLinkTTL)
	return structs.DownloadLink{URL: url, ExpiresAt: exp}, err
}

// LegalHold sets or lifts a legal hold: while it is on, the application's data is not erased.
func (s *Service) LegalHold(ctx context.Context, me award.Person, id string, req structs.LegalHoldRequest) (structs.Application, error) {
	app, err := s.AdminApplication(ctx, me, id)
	if err != nil {
		return structs.Application{}, err
	}
	if req.On == nil {
		return structs.Application{}, structs.Invalid("on", "required: true to hold the data, false to lift the hold")
	}
	return s.act(ctx, me, app, workflows.UpdateLegalHold, workflows.LegalHoldRequest{Actor: Actor(me), On: *req.On, Reason: strings.TrimSpace(req.Reason)})
}

// Nudge resends the current step's reminder to whoever holds it (admins).
func (s *Service) Nudge(ctx context.Context, me award.Person, id string, req structs.ReasonRequest) (structs.Application, error) {
	app, err := s.AdminApplication(ctx, me, id)
	if err != nil {
		return structs.Application{}, err
	}
	return s.act(ctx, me, app, workflows.UpdateNudge, workflows.NudgeRequest{Actor: Actor(me), Reason: strings.TrimSpace(req.Reason)})
}

// Extend moves the current step's deadline; reminders and escalations move with it (admins).
func (s *Service) Extend(ctx context.Context, me award.Person, id string, req structs.ExtendRequest) (structs.Application, error) {
	app, err := s.AdminApplication(ctx, me, id)
	if err != nil {
		return structs.Application{}, err
	}
	var until time.Time
	switch {
	case req.Until != "" && req.WorkingDays != 0:
		return structs.Application{}, structs.Invalid("until", "give until or working_days, not both")
	case req.Until != "":
		d, err := time.ParseInLocation(time.DateOnly, req.Until, workdays.London)
		if err != nil {
			return structs.Application{}, structs.Invalid("until", "a date as YYYY-MM-DD")
		}
		until = d.Add(17 * time.Hour) // a deadline given as a date falls at 17:00 in England
	case req.WorkingDays > 0:
		st, err := s.Status(ctx, app.ID)
		if err != nil {
			return structs.Application{}, err
		}
		if st.Next.DueAt == nil {
			return structs.Application{}, structs.WrongStage("there is no deadline to extend at stage " + string(st.Stage))
		}
		until = workdays.EnglandAndWales().Add(*st.Next.DueAt, req.WorkingDays)
	default:
		return structs.Application{}, structs.Invalid("until", "required: the new deadline (YYYY-MM-DD), or working_days > 0")
	}
	return s.act(ctx, me, app, workflows.UpdateExtend, workflows.ExtendRequest{Actor: Actor(me), Until: until, Reason: strings.TrimSpace(req.Reason)})
}

func (s *Service) holderUpdate(ctx context.Context, me award.Person, id, update string, arg any) (structs.Application, error) {
	app, err := s.Application(ctx, me, id, CanHold)
	if err != nil {
		return structs.Application{}, err
	}
	return s.act(ctx, me, app, update, arg)
}

// act runs an update and answers with the application as this person may see it.
func (s *Service) act(ctx context.Context, me award.Person, app postgres.Application, update string, arg any) (structs.Application, error) {
	var st workflows.Status
	if err := s.Update(ctx, app.ID, update, arg, &st); err != nil {
		return structs.Application{}, err
	}
	return ViewFor(st, me), nil
}
