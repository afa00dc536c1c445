package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/structs"
)

// An application's own pages, for its applicant (and read-only for the others who may see
// it): the home page every email links to (a task list before submission, the journey's
// status after), registering (register.go), the toolkit and the certificate (toolkit.go),
// check your answers and submit (submit.go), withdraw and reapply (decision.go). Evidence is
// evidence.go's.

func (s *Server) applicationRoutes(mux *http.ServeMux) {
	mux.Handle("GET /applications/new", s.signedIn(s.registerPage))
	mux.Handle("POST /applications/new", s.signedIn(s.registerForm))
	mux.Handle("GET /applications/{id}", s.signedIn(s.applicationPage))
	mux.Handle("GET /applications/{id}/toolkit", s.signedIn(s.toolkitPage))
	mux.Handle("GET /applications/{id}/certificate", s.signedIn(s.certificate))
	mux.Handle("GET /applications/{id}/check", s.signedIn(s.checkPage))
	mux.Handle("POST /applications/{id}/submit", s.signedIn(s.submitForm))
	mux.Handle("GET /applications/{id}/submitted", s.signedIn(s.submittedPage))
	mux.Handle("GET /applications/{id}/withdraw", s.signedIn(s.withdrawPage))
	mux.Handle("POST /applications/{id}/withdraw", s.signedIn(s.withdrawForm))
	mux.Handle("GET /applications/{id}/withdrawn", s.signedIn(s.withdrawnPage))
	mux.Handle("GET /applications/{id}/reapply", s.signedIn(s.reapplyPage))
	mux.Handle("POST /applications/{id}/reapply", s.signedIn(s.reapplyForm))
}

func init() {
	funcs["variantTitle"] = func(v string) string { return award.Variant(v).Title() }
	funcs["isoDate"] = func(v any) string {
		if t, ok := timeOf(v); ok {
			return t.In(ukTime).Format(time.DateOnly)
		}
		return ""
	}
	funcs["paragraphs"] = paragraphs
	funcs["add"] = func(a, b int) int { return a + b }
	funcs["plural"] = func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.Itoa(n) + " " + many
	}
}

// paragraphs splits multi-line text (feedback) into its non-empty lines, each shown as a
// paragraph.
func paragraphs(s string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// appContext is an application as one person sees it, with what the pages need around it.
type appContext struct {
	App structs.Application
	// Applicant says the person is the application's applicant: only then do the pages show
	// the links that change it (the service refuses anyone else anyway).
	Applicant bool
}

// loadApplication is the application of the request's {id} as the person may see it
// (services/applications.Get: its access check, its redaction). A journey still starting is
// answered here with the "being set up" page (ok false, nothing else to do).
func (s *Server) loadApplication(w http.ResponseWriter, r *http.Request, me award.Person) (appContext, bool) {
	id := r.PathValue("id")
	v, err := s.Apps().Viewed(r.Context(), me, id)
	if err != nil {
		if journeyStarting(err) {
			s.startingPage(w, r, me, id)
			return appContext{}, false
		}
		s.fail(w, r, me, err)
		return appContext{}, false
	}
	return appContext{App: v.Application, Applicant: v.Mine}, true
}

// journeyStarting says err is the service's "registered; the journey is starting".
func journeyStarting(err error) bool {
	var p *structs.Problem
	return errors.As(err, &p) && p.Type == applications.TypeJourneyStarting
}

// startingPage says an application just registered is being set up, with a link to look
// again (no refresh by itself: a page that reloads on its own is hard to read).
func (s *Server) startingPage(w http.ResponseWriter, r *http.Request, me award.Person, id string) {
	w.Header().Set("Retry-After", applications.JourneyRetryAfter)
	s.render(w, r, http.StatusOK, "applicant/starting", &Page{Title: "Your application is being set up", Me: me,
		Back: "/applications", Data: map[string]string{"ID": id}})
}

// applicationPage is the one page every email links to: before submission the task list
// (toolkit, evidence per standard, check and submit), after it the journey's status.
func (s *Server) applicationPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	ac, ok := s.loadApplication(w, r, me)
	if !ok {
		return
	}
	fw, err := s.Apps().Framework(r.Context(), me, ac.App.ID)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	d := homeData(ac, fw, r.URL.Query().Get("level"))
	back := "/applications"
	if !ac.Applicant && me.Has(award.RoleSupporter) && !me.Has(award.RoleApplicant) {
		back = "/supporting"
	}
	s.render(w, r, http.StatusOK, "applicant/application", &Page{Title: ac.App.Setting.Name, Me: me, Back: back,
		Notice: s.Sessions.PopString(r.Context(), noticeKey), Data: d})
}

// applicationData is the application home page.
type applicationData struct {
	appContext
	Framework award.Framework
	// Portfolio says the evidence may still change (toolkit, portfolio, not yet): the task list
	// is shown.
	Portfolio bool
	// Target is the level the task list shows the missing standards for: the one asked for
	// (?level=), the level submitted for, the award held when reassessing, or Bronze.
	Target        award.Level
	OtherLevels   []award.Level // the levels the task list could be shown for instead
	Areas         []areaTasks
	ToolkitOpened bool
	MissingCount  int  // standards without evidence for Target
	CanSubmit     bool // nothing is missing for Target
	Pending       int  // uploads not yet finished
	Events        []timelineEvent
	Ratings       []ratingRow
	Decided       bool
}

// areaTasks is one area of the framework in the task list.
type areaTasks struct {
	Code, Title string
	Tasks       []standardTask
}

// standardTask is one standard's row: its evidence count and whether it is needed for the
// target level and still lacks evidence.
type standardTask struct {
	Code, Title string
	From        award.Level
	Evidence    int  // confirmed items mapped to it
	Pending     int  // items mapped to it whose upload is not finished
	Needed      bool // it applies at the target level
	Missing     bool // needed and without evidence
	Files       []string
}

// ratingRow is one standard's rating in a decision's feedback.
type ratingRow struct {
	Code, Title string
	Rating      award.Level
}

// timelineEvent is one entry of the status timeline: something that happened (At) or is due
// (Due, with At nil).
type timelineEvent struct {
	Title string
	At    *time.Time
	Due   *time.Time
	Lines []string
}

func homeData(ac appContext, fw award.Framework, asked string) applicationData {
	a := ac.App
	d := applicationData{appContext: ac, Framework: fw, Portfolio: a.Stage.AcceptsEvidence(),
		ToolkitOpened: a.ToolkitOpenedAt != nil, Target: targetLevel(a, asked)}
	for _, l := range allowedLevels(a) {
		if l != d.Target {
			d.OtherLevels = append(d.OtherLevels, l)
		}
	}
	d.Areas = tasksFor(a, fw, d.Target)
	for _, area := range d.Areas {
		for _, t := range area.Tasks {
			if t.Missing {
				d.MissingCount++
			}
		}
	}
	for _, e := range a.Evidence {
		if e.State == award.EvidencePending {
			d.Pending++
		}
	}
	d.CanSubmit = d.Portfolio && d.MissingCount == 0
	d.Events = timeline(a, ac.Applicant)
	if as := a.Assessment; as != nil && as.DecidedAt != nil {
		d.Decided = true
		for _, st := range fw.Standards() {
			if l, ok := as.Ratings[st.Code]; ok {
				d.Ratings = append(d.Ratings, ratingRow{Code: st.Code, Title: st.Title, Rating: l})
			}
		}
	}
	return d
}

// allowedLevels are the levels the application may be submitted for: a reassessment is for
// the level held or higher.
func allowedLevels(a structs.Application) []award.Level {
	var out []award.Level
	for _, l := range award.AwardLevels() {
		if a.PreviousAward == nil || l >= a.PreviousAward.Level {
			out = append(out, l)
		}
	}
	return out
}

// targetLevel is the level the pages show the missing standards for: the one asked for when
// it is allowed, else the level already submitted for, else the lowest allowed.
func targetLevel(a structs.Application, asked string) award.Level {
	allowed := allowedLevels(a)
	for _, s := range []string{asked, a.TargetLevel} {
		if s == "" {
			continue
		}
		if l, err := award.ParseLevel(s); err == nil {
			for _, ok := range allowed {
				if ok == l {
					return l
				}
			}
		}
	}
	if len(allowed) == 0 {
		return award.Bronze
	}
	return allowed[0]
}

// tasksFor is the framework's standards, area by area, with the application's evidence for
// each and whether it is missing for level (services' Missing decides, as submit will).
func tasksFor(a structs.Application, fw award.Framework, level award.Level) []areaTasks {
	missing := map[string]bool{}
	for _, code := range a.Missing[level.String()] {
		missing[code] = true
	}
	var out []areaTasks
	for _, area := range fw.Areas {
		at := areaTasks{Code: area.Code, Title: area.Title}
		for _, st := range area.Standards {
			t := standardTask{Code: st.Code, Title: st.Title, From: st.From, Needed: st.AppliesAt(level), Missing: missing[st.Code]}
			for _, e := range a.Evidence {
				if !slices.Contains(e.Standards, st.Code) {
					continue
				}
				switch e.State {
				case award.EvidenceConfirmed:
					t.Evidence++
					t.Files = append(t.Files, e.Filename)
				case award.EvidencePending:
					t.Pending++
				}
			}
			at.Tasks = append(at.Tasks, t)
		}
		out = append(out, at)
	}
	return out
}

// timeline is what has happened to the application, and what is due next, in order, in the
// words of its applicant (you, your) or of anyone else following it.
func timeline(a structs.Application, applicant bool) []timelineEvent {
	your, locked := "the", "The evidence was locked when it was submitted."
	if applicant {
		your, locked = "your", "Your evidence was locked when you submitted it."
	}
	var ev []timelineEvent
	add := func(title string, at, due *time.Time, lines ...string) {
		ev = append(ev, timelineEvent{Title: title, At: at, Due: due, Lines: lines})
	}
	reg := a.RegisteredAt
	add("Registered", &reg, nil)
	if a.ToolkitOpenedAt != nil {
		add("Toolkit opened", a.ToolkitOpenedAt, nil)
	}
	if a.SubmittedAt == nil {
		return ev
	}
	target := levelName(a.TargetLevel)
	add("Submitted for "+target, a.SubmittedAt, nil, locked)
	as := a.Assessment
	if as == nil {
		return ev
	}
	if as.Resubmitted > 0 {
		ev[len(ev)-1].Lines = append(ev[len(ev)-1].Lines, "Resubmitted after a “not yet” decision.")
	}
	switch {
	case as.AcceptedAt != nil:
		lines := []string{upperFirst(your) + " assessor is " + as.AssessorName + "."}
		if as.VisitDate != "" {
			if d, err := time.Parse(time.DateOnly, as.VisitDate); err == nil {
				lines = append(lines, "Visit date: "+formatDate(d)+".")
			}
		}
		add("Assessor allocated", as.AcceptedAt, nil, lines...)
	case a.Stage == award.StageOffered && as.Offer != nil:
		add("Assessor being found", &as.Offer.OfferedAt, nil, "An assessor has been asked to assess "+your+" evidence.")
	case a.Stage == award.StageAwaitingAllocation:
		lines := []string{"The award team is finding an assessor for you."}
		add("Waiting for an assessor", nil, a.Next.DueAt, lines...)
	}
	if a.Stage == award.StageAssessment && as.AssessedAt == nil {
		add("Assessment", nil, as.DueAt, upperFirst(your)+" assessor reads "+your+" evidence, rates each standard and recommends a level.")
	}
	if as.AssessedAt != nil {
		add("Assessed", as.AssessedAt, nil, upperFirst(your)+" assessor rated each standard and recommended a level.")
	}
	if m := as.Moderation; m != nil && m.RequestedAt != nil {
		add("Moderation", m.RequestedAt, nil, "A moderator checked the assessment.")
	} else if a.Stage == award.StageModeration {
		add("Moderation", nil, a.Next.DueAt, "A senior assessor checks the assessment before the decision.")
	}
	if as.DecidedAt != nil {
		if as.Decision.IsAward() {
			add("Awarded "+as.Decision.Title(), as.DecidedAt, nil)
		} else {
			add("Not yet", as.DecidedAt, nil, "The feedback is above.")
		}
	}
	switch {
	case a.Stage == award.StageClosed && as.ResubmitBy != nil:
		add("Closed", as.ResubmitBy, nil, "The time to resubmit ended.")
	case a.Stage == award.StageLapsed && as.ExpiresAt != nil:
		add("Award expired", as.ExpiresAt, nil)
	}
	return ev
}
