package api

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"time"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// Routes of stages 5–9: offers, assessment, moderation, admin allocation, the certificate.
func (s *Server) assessmentRoutes(authed func(string, personHandler)) {
	authed("GET /v1/assignments", s.myAssignments)
	authed("POST /v1/applications/{id}/offer/accept", s.acceptOffer)
	authed("POST /v1/applications/{id}/offer/decline", s.declineOffer)
	authed("PUT /v1/applications/{id}/assessment", s.saveAssessment)
	authed("POST /v1/applications/{id}/assessment", s.submitAssessment)
	authed("POST /v1/applications/{id}/moderation", s.moderate)
	authed("POST /v1/applications/{id}/allocate", s.allocate)
	authed("POST /v1/applications/{id}/reassign", s.reassign)
	authed("GET /v1/applications/{id}/allocation", s.allocation)
	authed("GET /v1/applications/{id}/evidence/{evidence}/download", s.downloadEvidence)
	authed("GET /v1/applications/{id}/certificate", s.downloadCertificate)
}

// myAssignments is an assessor's or moderator's inbox: offers, assessments and moderations
// with their due dates.
func (s *Server) myAssignments(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	as, err := s.DB.Assignments(r.Context(), me.TenantID, me.ID)
	if err != nil {
		fail(w, r, err)
		return
	}
	apps, err := s.DB.Applications(r.Context(), postgres.ApplicationFilter{TenantID: me.TenantID, HolderID: me.ID})
	if err != nil {
		fail(w, r, err)
		return
	}
	if as == nil {
		as = []postgres.Assignment{}
	}
	if apps == nil {
		apps = []postgres.Application{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"assignments": as, "applications": apps})
}

type offerReply struct {
	Reason string `json:"reason" text:"multiline"`
}

func (s *Server) acceptOffer(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	s.reply(w, r, me, workflows.UpdateAcceptOffer)
}

func (s *Server) declineOffer(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	s.reply(w, r, me, workflows.UpdateDeclineOffer)
}

func (s *Server) reply(w http.ResponseWriter, r *http.Request, me postgres.Person, update string) {
	app, err := s.application(r, me, canHold)
	if err != nil {
		fail(w, r, err)
		return
	}
	var req offerReply
	if err := decodeOptional(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	s.act(w, r, me, app, update, workflows.OfferReply{Actor: holderActor(me), Reason: req.Reason})
}

type ratingsRequest struct {
	Ratings   map[string]string `json:"ratings"`
	Feedback  string            `json:"feedback" text:"multiline"`
	VisitDate string            `json:"visit_date"`
}

func (s *Server) saveAssessment(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	s.assess(w, r, me, workflows.UpdateSaveRatings)
}

func (s *Server) submitAssessment(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	s.assess(w, r, me, workflows.UpdateSubmitAssess)
}

func (s *Server) assess(w http.ResponseWriter, r *http.Request, me postgres.Person, update string) {
	app, err := s.application(r, me, canHold)
	if err != nil {
		fail(w, r, err)
		return
	}
	var req ratingsRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	ratings, err := parseRatings(req.Ratings)
	if err != nil {
		fail(w, r, err)
		return
	}
	s.act(w, r, me, app, update, workflows.RatingsRequest{Actor: holderActor(me), Ratings: ratings, Feedback: req.Feedback, VisitDate: req.VisitDate})
}

// parseRatings reads {"LD1": "gold", …}; every value must be not_met, bronze, silver or gold.
func parseRatings(in map[string]string) (map[string]award.Level, error) {
	out := make(map[string]award.Level, len(in))
	codes := make([]string, 0, len(in))
	for c := range in {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		l, err := award.ParseLevel(in[c])
		if err != nil {
			return nil, invalid("ratings", "rating of "+c+": choose not_met, bronze, silver or gold")
		}
		out[c] = l
	}
	return out, nil
}

type moderateRequest struct {
	Decision  string            `json:"decision"`
	Ratings   map[string]string `json:"ratings"`
	Rationale string            `json:"rationale" text:"multiline"`
}

func (s *Server) moderate(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.application(r, me, canHold)
	if err != nil {
		fail(w, r, err)
		return
	}
	var req moderateRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	ratings, err := parseRatings(req.Ratings)
	if err != nil {
		fail(w, r, err)
		return
	}
	s.act(w, r, me, app, workflows.UpdateModerate, workflows.ModerateRequest{Actor: holderActor(me), Decision: req.Decision,
		Ratings: ratings, Rationale: req.Rationale})
}

type allocateRequest struct {
	Assessor string `json:"assessor"`
	Reason   string `json:"reason" text:"multiline"`
}

// allocate is an admin allocating an assessor by hand.
func (s *Server) allocate(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.adminApplication(r, me)
	if err != nil {
		fail(w, r, err)
		return
	}
	var req allocateRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	if req.Assessor == "" {
		fail(w, r, invalid("assessor", "required: the person id of an assessor on the roster"))
		return
	}
	if _, err := s.DB.Person(r.Context(), me.TenantID, req.Assessor); err != nil {
		fail(w, r, invalid("assessor", "no person "+req.Assessor+" in your authority"))
		return
	}
	s.act(w, r, me, app, workflows.UpdateAllocate, workflows.AllocateRequest{Actor: actor(me), AssessorID: req.Assessor, Reason: req.Reason})
}

func (s *Server) reassign(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.adminApplication(r, me)
	if err != nil {
		fail(w, r, err)
		return
	}
	var req withdrawRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	s.act(w, r, me, app, workflows.UpdateReassign, workflows.ReassignRequest{Actor: actor(me), Reason: req.Reason})
}

// allocation shows admins the last allocation's choice and every excluded candidate's reason,
// with the history of offers and assignments.
func (s *Server) allocation(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.adminApplication(r, me)
	if err != nil {
		fail(w, r, err)
		return
	}
	st, err := s.status(r.Context(), app.ID)
	if err != nil {
		fail(w, r, err)
		return
	}
	as, err := s.DB.ApplicationAssignments(r.Context(), me.TenantID, app.ID)
	if err != nil {
		fail(w, r, err)
		return
	}
	out := map[string]any{"assignments": as, "allocation": nil, "excluded_from_offers": map[string]string{}}
	if a := st.Assessment; a != nil {
		out["allocation"] = a.Allocation
		if a.Excluded != nil {
			out["excluded_from_offers"] = a.Excluded
		}
	}
	writeJSON(w, http.StatusOK, out)
}

type downloadLink struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// downloadEvidence hands out a short-lived link to one evidence file: to the applicant and
// admins, and to the assessor and moderator only while they hold the assessment.
func (s *Server) downloadEvidence(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.application(r, me, canRead)
	if err != nil {
		fail(w, r, err)
		return
	}
	st, err := s.status(r.Context(), app.ID)
	if err != nil {
		fail(w, r, err)
		return
	}
	if !me.Has(postgres.RoleAdmin) && app.ApplicantID != me.ID && app.SupporterID != me.ID &&
		st.Stage != workflows.StageAssessment && st.Stage != workflows.StageModeration {
		fail(w, r, forbidden("the portfolio opens to the assessor once they accept the offer"))
		return
	}
	id := r.PathValue("evidence")
	i := slices.IndexFunc(st.Evidence, func(e activities.Evidence) bool { return e.ID == id })
	if i < 0 || st.Evidence[i].State != activities.EvidenceConfirmed {
		fail(w, r, notFound("no evidence "+id))
		return
	}
	e := st.Evidence[i]
	url, exp, err := s.Objects.PresignGet(r.Context(), e.ObjectKey, e.Filename, s.Settings.DownloadLinkTTL)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, downloadLink{url, exp})
}

// downloadCertificate hands out a short-lived link to the award certificate.
func (s *Server) downloadCertificate(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.application(r, me, canRead)
	if err != nil {
		fail(w, r, err)
		return
	}
	st, err := s.status(r.Context(), app.ID)
	if err != nil {
		fail(w, r, err)
		return
	}
	if st.Assessment == nil || st.Assessment.Certificate == "" {
		fail(w, r, notFound("no certificate: the application has not been awarded"))
		return
	}
	url, exp, err := s.Objects.PresignGet(r.Context(), st.Assessment.Certificate, "certificate-"+app.ID+".pdf", s.Settings.DownloadLinkTTL)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, downloadLink{url, exp})
}

// act runs an update and answers with the application as this person may see it.
func (s *Server) act(w http.ResponseWriter, r *http.Request, me postgres.Person, app postgres.Application, update string, arg any) {
	var st workflows.Status
	if err := s.update(r.Context(), app.ID, update, arg, &st); err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewFor(st, me))
}

func (s *Server) adminApplication(r *http.Request, me postgres.Person) (postgres.Application, error) {
	if !me.Has(postgres.RoleAdmin) {
		return postgres.Application{}, forbidden("only admins may do this")
	}
	return s.application(r, me, canAct)
}

// holds says whether the person is the assessor or moderator holding the application now.
// Only assessors and moderators named by the projection, or of an application past its
// portfolio, cost a query to the journey.
func (s *Server) holds(ctx context.Context, app postgres.Application, me postgres.Person) bool {
	if me.ID == "" || (!me.Has(postgres.RoleAssessor) && !me.Has(postgres.RoleModerator)) {
		return false
	}
	named := app.AssessorID == me.ID || app.ModeratorID == me.ID
	if !named && (app.Stage == string(workflows.StageToolkit) || app.Stage == string(workflows.StagePortfolio)) {
		return false
	}
	// The projection can trail the journey by a moment either way (an offer just made, an
	// assessment just decided): the journey's own state decides.
	st, err := s.status(ctx, app.ID)
	if err != nil || st.Assessment == nil {
		return false
	}
	a := st.Assessment
	return (a.Offer != nil && a.Offer.PersonID == me.ID) ||
		(a.AssessorID == me.ID && (st.Stage == workflows.StageAssessment || st.Stage == workflows.StageModeration)) ||
		(a.Moderation != nil && a.Moderation.ModeratorID == me.ID && st.Stage == workflows.StageModeration)
}

// holderActor is an assessor or moderator as the workflow sees them; the workflow checks the
// person against the one it allocated.
func holderActor(me postgres.Person) workflows.Actor {
	if me.Has(postgres.RoleModerator) && !me.Has(postgres.RoleAssessor) {
		return workflows.Actor{ID: me.ID, Role: workflows.RoleModerator}
	}
	return workflows.Actor{ID: me.ID, Role: workflows.RoleAssessor}
}
