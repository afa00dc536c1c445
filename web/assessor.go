package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/structs"
)

// The assessor's pages (SPEC §3 stages 5–6): the inbox of offers and assessments, accepting or
// declining an offer (here), the portfolio viewer and its evidence links
// (assessor_portfolio.go), and the scoring form with its autosaved draft, check your answers
// and submit (assessor_score.go). Every page calls the applications service, which decides who
// may do what: only the assessor an application was offered to sees the offer, and only once
// they accept does its portfolio open to them.

func (s *Server) assessorRoutes(mux *http.ServeMux) {
	mux.Handle("GET /assess", s.signedIn(s.inboxPage))
	mux.Handle("GET /assess/{id}/offer", s.signedIn(s.offerPage))
	mux.Handle("POST /assess/{id}/offer", s.signedIn(s.acceptForm))
	mux.Handle("GET /assess/{id}/decline", s.signedIn(s.declinePage))
	mux.Handle("POST /assess/{id}/decline", s.signedIn(s.declineForm))
	mux.Handle("GET /assess/{id}", s.signedIn(s.portfolioPage))
	mux.Handle("GET /assess/{id}/evidence/{evidence}", s.signedIn(s.openEvidence))
	mux.Handle("GET /assess/{id}/score", s.signedIn(s.scorePage))
	mux.Handle("POST /assess/{id}/score", s.signedIn(s.scoreForm))
	mux.Handle("GET /assess/{id}/check", s.signedIn(s.assessmentCheckPage))
	mux.Handle("POST /assess/{id}/submit", s.signedIn(s.assessmentSubmitForm))
	mux.Handle("GET /assess/{id}/submitted", s.signedIn(s.assessmentSubmittedPage))
}

func init() {
	funcs["offerSummary"] = offerSummaryOf
	funcs["assignmentOutcome"] = assignmentOutcome
	funcs["recommendedName"] = recommendedName
}

// now is the clock the pages compare due dates with (tests may move it).
var now = time.Now

// offerSummary is the data of the "offer-summary" template (templates/layout/assessor-offer.gohtml):
// one offer of an application to an assessor. Build it in a template with
// (offerSummary .Assignment .Application) from a structs.Assignment and the
// structs.ApplicationSummary of the same application (applications.Offer gives both).
type offerSummary struct {
	Assignment structs.Assignment
	App        structs.ApplicationSummary
	// ExpiresAt is the last moment to accept: the application's DueAt while it is offered;
	// nil once the offer is answered.
	ExpiresAt *time.Time
	Open      bool // the offer can still be answered
}

func offerSummaryOf(a structs.Assignment, app structs.ApplicationSummary) offerSummary {
	o := offerSummary{Assignment: a, App: app, Open: a.State == "offered"}
	if o.Open && app.Stage == string(award.StageOffered) {
		o.ExpiresAt = app.DueAt
	}
	return o
}

// assignmentOutcome says in words what became of an assignment.
func assignmentOutcome(a structs.Assignment) string {
	switch a.State {
	case "offered":
		return "Offered"
	case "accepted":
		return "Accepted"
	case "declined":
		return "You declined the offer"
	case "expired":
		return "The offer expired without an answer"
	case "completed":
		return "Decided"
	case "released":
		return "Taken back by the award team"
	}
	return upperFirst(strings.ReplaceAll(a.State, "_", " "))
}

// recommendedName is a recommendation in words: "Not yet" below Bronze.
func recommendedName(l award.Level) string {
	if l == award.NotMet {
		return "Not yet (below Bronze)"
	}
	return l.Title()
}

// --- the inbox ---

// inboxData is the inbox: what is waiting for the assessor, most urgent first.
type inboxData struct {
	Offers     []inboxItem // offers to accept or decline
	InProgress []inboxItem // accepted, being scored
	Submitted  []inboxItem // submitted, being moderated
	Finished   []inboxItem // closed in the last 90 days
	// Moderations counts the moderations the person holds (their own page: /moderate).
	Moderations int
}

// inboxItem is one assignment, with the application it is of (when the person still holds it).
type inboxItem struct {
	Assignment structs.Assignment
	App        structs.ApplicationSummary
	Due        *time.Time
	Overdue    bool // past its due date
}

func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	as, err := s.Apps().Inbox(r.Context(), me)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	s.render(w, r, http.StatusOK, "assessor/inbox", &Page{Title: "Assessments", Me: me,
		Notice: s.Sessions.PopString(r.Context(), noticeKey), Data: inbox(as, now())})
}

// inbox sorts a person's assignments into the inbox's lists.
func inbox(as structs.Assignments, at time.Time) inboxData {
	apps := map[string]structs.ApplicationSummary{}
	for _, a := range as.Applications {
		apps[a.ID] = a
	}
	var d inboxData
	for _, a := range as.Assignments {
		app := apps[a.ApplicationID]
		it := inboxItem{Assignment: a, App: app}
		if app.ID != "" {
			it.Due = app.DueAt
			it.Overdue = app.DueAt != nil && at.After(*app.DueAt)
		}
		open := a.State == "offered" || a.State == "accepted"
		switch {
		case a.Role == award.RoleModerator:
			if open {
				d.Moderations++
			}
		case a.State == "offered":
			if app.Stage != string(award.StageOffered) {
				it.Due, it.Overdue = nil, false
			}
			d.Offers = append(d.Offers, it)
		case a.State == "accepted" && app.Stage == string(award.StageModeration):
			it.Due, it.Overdue = nil, false
			d.Submitted = append(d.Submitted, it)
		case a.State == "accepted":
			d.InProgress = append(d.InProgress, it)
		default:
			it.Due, it.Overdue = nil, false
			d.Finished = append(d.Finished, it)
		}
	}
	byDue := func(a, b inboxItem) int {
		switch {
		case a.Due == nil && b.Due == nil:
			return 0
		case a.Due == nil:
			return 1
		case b.Due == nil:
			return -1
		}
		return a.Due.Compare(*b.Due)
	}
	slices.SortStableFunc(d.Offers, byDue)
	slices.SortStableFunc(d.InProgress, byDue)
	return d
}

// --- one offer: accept, or decline with a reason ---

// offerData is the offer page: the offer, and whether it may still be answered.
type offerData struct {
	ID    string
	Offer applications.Offer
}

func (s *Server) offerPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	s.renderOffer(w, r, me, http.StatusOK, nil, nil)
}

// renderOffer shows the offer with errs; failed is the refusal to show instead when the offer
// cannot be read any more.
func (s *Server) renderOffer(w http.ResponseWriter, r *http.Request, me award.Person, status int, errs []structs.FieldError, failed error) {
	id := r.PathValue("id")
	o, err := s.Apps().Offer(r.Context(), me, id)
	if err != nil {
		if failed != nil {
			err = failed
		}
		s.fail(w, r, me, err)
		return
	}
	title := "Offer to assess " + o.Application.SettingName
	s.render(w, r, status, "assessor/offer", &Page{Title: title, Me: me, Back: "/assess", Errors: errs,
		Data: offerData{ID: id, Offer: o}})
}

// acceptForm accepts the offer: the portfolio opens, and the assessment's due date is set.
func (s *Server) acceptForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	id := r.PathValue("id")
	v, err := s.Apps().AcceptOffer(r.Context(), me, id, structs.ReasonRequest{})
	if err != nil {
		errs, ok := formErrors(err)
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		p, _ := applications.Problem(err, false)
		s.renderOffer(w, r, me, p.Status, errs, err)
		return
	}
	notice := "You accepted the offer to assess " + v.Setting.Name + "."
	if a := v.Assessment; a != nil && a.DueAt != nil {
		notice += " The assessment is due by " + formatDate(a.DueAt) + "."
	}
	s.Sessions.Put(r.Context(), noticeKey, notice)
	http.Redirect(w, r, "/assess/"+id, http.StatusSeeOther)
}

// declineData is the decline form and its confirmation.
type declineData struct {
	ID, SettingName, Reason string
}

func (s *Server) declinePage(w http.ResponseWriter, r *http.Request, me award.Person) {
	id := r.PathValue("id")
	o, err := s.Apps().Offer(r.Context(), me, id)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	if o.Assignment.State != "offered" {
		http.Redirect(w, r, "/assess/"+id+"/offer", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "assessor/decline", &Page{Title: "Why are you declining this offer?", Me: me,
		Back: "/assess/" + id + "/offer", Data: declineData{ID: id, SettingName: o.Application.SettingName}})
}

// declineForm takes the reason (required) to the confirmation, and declines once confirmed.
func (s *Server) declineForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	id := r.PathValue("id")
	d := declineData{ID: id}
	reasonPage := func(status int, errs []structs.FieldError) {
		s.render(w, r, status, "assessor/decline", &Page{Title: "Why are you declining this offer?", Me: me,
			Back: "/assess/" + id + "/offer", Errors: errs, Data: d})
	}
	if !readForm(w, r) {
		reasonPage(http.StatusBadRequest, oneError("", "the form could not be read: try again"))
		return
	}
	d.Reason = strings.TrimSpace(r.PostForm.Get("reason"))
	d.SettingName = strings.TrimSpace(r.PostForm.Get("setting_name"))
	if award.CheckText("setting_name", d.SettingName, award.SingleLine) != nil {
		d.SettingName = ""
	}
	req := structs.ReasonRequest{Reason: d.Reason}
	if d.Reason == "" {
		reasonPage(http.StatusUnprocessableEntity, oneError("reason", "Enter why you are declining the offer"))
		return
	}
	if err := structs.CheckStrings(req); err != nil {
		errs, _ := formErrors(err)
		reasonPage(http.StatusUnprocessableEntity, errs)
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		s.render(w, r, http.StatusOK, "assessor/decline-confirm", &Page{Title: "Are you sure you want to decline this offer?", Me: me,
			Back: "/assess/" + id + "/decline", Data: d})
		return
	}
	v, err := s.Apps().DeclineOffer(r.Context(), me, id, req)
	if err != nil {
		errs, ok := formErrors(err)
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		p, _ := applications.Problem(err, false)
		reasonPage(p.Status, errs)
		return
	}
	name := v.Setting.Name
	if name == "" {
		name = "the application"
	}
	s.Sessions.Put(r.Context(), noticeKey, "You declined the offer to assess "+name+". The award team will offer it to another assessor.")
	http.Redirect(w, r, "/assess", http.StatusSeeOther)
}
