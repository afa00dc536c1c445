package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/structs"
	"awardengine/workflows"
)

// The moderator's pages (stage 7): the queue of assessments waiting for their decision with
// why each is moderated, one assessment side by side with the portfolio, and the decision:
// confirm the recommendation, amend the ratings (with reasons) or refer the assessment back to
// its assessor (once, with reasons), checked before it is sent. The service decides who may
// see and do each (services/applications, moderation.go and Moderate); these pages only show
// its answers.

func (s *Server) moderatorRoutes(mux *http.ServeMux) {
	mux.Handle("GET /moderate", s.signedIn(s.moderationQueue))
	mux.Handle("GET /moderate/{id}", s.signedIn(s.moderationPage))
	mux.Handle("POST /moderate/{id}", s.signedIn(s.moderationForm))
	mux.Handle("GET /moderate/{id}/evidence/{evidence}", s.signedIn(s.moderationEvidence))
	mux.Handle("GET /moderate/{id}/done", s.signedIn(s.moderatedPage))
}

func init() {
	funcs["levelTag"] = levelTagClass
}

// levelTagClass is the GOV.UK tag colour of a level.
func levelTagClass(l award.Level) string {
	switch l {
	case award.Gold:
		return "govuk-tag--yellow"
	case award.Silver:
		return "govuk-tag--grey"
	case award.Bronze:
		return "govuk-tag--orange"
	}
	return "govuk-tag--red"
}

// moderatedKey is the session key of the decision just sent, shown once by the confirmation.
const moderatedKey = "moderated"

// The decisions, as the journey names them.
const (
	decideConfirm   = workflows.ModerationConfirm
	decideAmend     = workflows.ModerationAmend
	decideReferBack = workflows.ModerationReferBack
)

// --- the queue ---

// queueData is the moderation queue.
type queueData struct {
	Items   []queueItem
	Overdue int
}

// queueItem is one assessment waiting for the moderator.
type queueItem struct {
	App          structs.Application
	Target       award.Level
	Recommended  award.Level
	AssessorName string
	Reasons      []string // why it is moderated, in words
	Due          *time.Time
	Overdue      bool
}

func (s *Server) moderationQueue(w http.ResponseWriter, r *http.Request, me award.Person) {
	apps, err := s.Apps().ModerationQueue(r.Context(), me)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	now := time.Now()
	d := queueData{}
	for _, a := range apps {
		it := queueItem{App: a, Target: levelOf(a.TargetLevel)}
		if as := a.Assessment; as != nil {
			it.Recommended, it.AssessorName = as.Recommended, as.AssessorName
			if m := as.Moderation; m != nil {
				it.Reasons, it.Due = moderationReasons(m), m.DueAt
				it.Overdue = m.Overdue || (m.DueAt != nil && now.After(*m.DueAt))
			}
		}
		if it.Overdue {
			d.Overdue++
		}
		d.Items = append(d.Items, it)
	}
	s.render(w, r, http.StatusOK, "moderator/queue", &Page{Title: "Moderation", Me: me, Data: d})
}

// levelOf is a level from its name ("silver"); Not met when it is not one.
func levelOf(name string) award.Level {
	l, err := award.ParseLevel(name)
	if err != nil {
		return award.NotMet
	}
	return l
}

// The moderation rule's reasons as the journey records them (award.ModerationRequired).
var (
	reasonFirst   = regexp.MustCompile(`^assessor's first (\d+) assessments \(this is number (\d+)\)$`)
	reasonDiffers = regexp.MustCompile(`^recommendation \((.+)\) differs from the target \((.+)\)$`)
	reasonSample  = regexp.MustCompile(`^random sample \(draw ([0-9.]+) < ([0-9.]+)\)$`)
)

// moderationReasons says why an assessment is moderated, in words, each reason the journey
// recorded (the rule's text is for engineers and the audit trail).
func moderationReasons(m *award.Moderation) []string {
	var out []string
	for _, r := range m.Reasons {
		out = append(out, reasonInWords(r))
	}
	return out
}

func reasonInWords(r string) string {
	switch {
	case r == "Gold recommendation":
		return "Gold recommended: every Gold is moderated"
	case r == `"not yet" recommendation`:
		return "“Not yet” recommended: every “not yet” is moderated"
	case r == "referred back by the moderator":
		return "You referred it back once and the assessor has sent it again"
	case r == "random sample":
		return "Picked in the random sample"
	}
	if m := reasonFirst.FindStringSubmatch(r); m != nil {
		return fmt.Sprintf("One of the assessor’s first %s assessments: this is their %s", numberWord(m[1]), ordinalWord(m[2]))
	}
	if m := reasonDiffers.FindStringSubmatch(r); m != nil {
		return fmt.Sprintf("The recommendation (%s) differs from the level applied for (%s)", m[1], m[2])
	}
	if m := reasonSample.FindStringSubmatch(r); m != nil {
		return fmt.Sprintf("Picked in the random sample: its draw, %s, is under the sampling rate of %s", m[1], m[2])
	}
	return upperFirst(r)
}

func numberWord(n string) string {
	if w, ok := map[string]string{"1": "one", "2": "two", "3": "three", "4": "four", "5": "five"}[n]; ok {
		return w
	}
	return n
}

func ordinalWord(n string) string {
	if w, ok := map[string]string{"1": "first", "2": "second", "3": "third", "4": "fourth", "5": "fifth"}[n]; ok {
		return w
	}
	return n + "th"
}

// --- one assessment, side by side with the portfolio ---

// moderationData is the moderation page, the amend page and the check page.
type moderationData struct {
	App          structs.Application
	Target       award.Level
	Recommended  award.Level
	AssessorName string
	AssessedAt   *time.Time
	VisitDate    *time.Time
	Feedback     string
	Reasons      []string
	Due          *time.Time
	Overdue      bool
	ReferredBack bool // the one refer-back has been used: only confirm or amend remain
	Files        int  // the portfolio's files
	Areas        []moderationArea
	Form         moderationForm
	framework    award.Framework

	// The check page.
	DecisionText string
	Level        award.Level // the decision the ratings give
	Changes      []ratingChange
}

// moderationArea is one area of the framework with its standards.
type moderationArea struct {
	Code, Title string
	Standards   []moderationStandard
}

// moderationStandard is one standard: the assessor's rating beside the evidence mapped to it,
// and (amend page) the moderator's choice.
type moderationStandard struct {
	Code, Title string
	From        award.Level
	Rating      award.Level
	Rated       bool
	Descriptor  string // the descriptor of the level it was rated at
	BelowTarget bool   // it applies at the level applied for and is rated below it
	Evidence    []moderationEvidence
	Choices     []ratingChoice // amend page
	Chosen      string         // amend page: the level chosen ("bronze")
	Error       string
}

// moderationEvidence is one file of the portfolio, with its type in words.
type moderationEvidence struct {
	structs.Evidence
	Kind string
}

// ratingChoice is one radio of a standard on the amend page.
type ratingChoice struct {
	Level      award.Level
	Descriptor string
}

// ratingChange is a rating the moderator changed.
type ratingChange struct {
	Code, Title string
	From, To    award.Level
}

// moderationForm is what the moderator chose, carried from step to step in the forms.
type moderationForm struct {
	Decision  string
	Rationale string
	Ratings   map[string]string // amend: standard code → level name
}

func descriptor(st award.Standard, l award.Level) string {
	switch l {
	case award.Bronze:
		return st.Descriptors.Bronze
	case award.Silver:
		return st.Descriptors.Silver
	case award.Gold:
		return st.Descriptors.Gold
	}
	return ""
}

// moderationView builds the page's data from the service's answer and the form so far.
func moderationView(c applications.ModerationCase, f moderationForm) moderationData {
	a := c.Application
	d := moderationData{App: a, Target: levelOf(a.TargetLevel), Form: f, framework: c.Framework}
	as := a.Assessment
	if as == nil {
		as = &award.Assessment{}
	}
	d.Recommended, d.AssessorName, d.AssessedAt, d.Feedback = as.Recommended, as.AssessorName, as.AssessedAt, as.Feedback
	if as.VisitDate != "" {
		if t, err := time.ParseInLocation(time.DateOnly, as.VisitDate, ukTime); err == nil {
			d.VisitDate = &t
		}
	}
	if m := as.Moderation; m != nil {
		d.Reasons, d.Due, d.ReferredBack = moderationReasons(m), m.DueAt, m.ReferredBack
		d.Overdue = m.Overdue || (m.DueAt != nil && time.Now().After(*m.DueAt))
	}
	for _, e := range a.Evidence {
		if e.State == award.EvidenceConfirmed {
			d.Files++
		}
	}
	for _, area := range c.Framework.Areas {
		ma := moderationArea{Code: area.Code, Title: area.Title}
		for _, st := range area.Standards {
			rating, rated := as.Ratings[st.Code]
			ms := moderationStandard{Code: st.Code, Title: st.Title, From: st.From, Rating: rating, Rated: rated,
				Descriptor: descriptor(st, rating), BelowTarget: st.AppliesAt(d.Target) && rating < d.Target}
			for _, e := range a.Evidence {
				if e.State == award.EvidenceConfirmed && slices.Contains(e.Standards, st.Code) {
					ms.Evidence = append(ms.Evidence, moderationEvidence{Evidence: e, Kind: fileKind(e.ContentType, e.Filename)})
				}
			}
			for _, l := range []award.Level{award.NotMet, award.Bronze, award.Silver, award.Gold} {
				ms.Choices = append(ms.Choices, ratingChoice{Level: l, Descriptor: descriptor(st, l)})
			}
			ms.Chosen = f.Ratings[st.Code]
			if ms.Chosen == "" && rated {
				ms.Chosen = rating.String()
			}
			ma.Standards = append(ma.Standards, ms)
		}
		d.Areas = append(d.Areas, ma)
	}
	return d
}

// loadModeration is the request's assessment for its moderator; ok false when a page was
// already written (not found, not theirs, a service down).
func (s *Server) loadModeration(w http.ResponseWriter, r *http.Request, me award.Person) (applications.ModerationCase, bool) {
	c, err := s.Apps().Moderation(r.Context(), me, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, me, err)
		return c, false
	}
	return c, true
}

func (s *Server) moderationPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	c, ok := s.loadModeration(w, r, me)
	if !ok {
		return
	}
	s.renderModeration(w, r, me, http.StatusOK, moderationView(c, moderationForm{}), nil)
}

func (s *Server) renderModeration(w http.ResponseWriter, r *http.Request, me award.Person, status int, d moderationData, errs []structs.FieldError) {
	s.render(w, r, status, "moderator/moderate", &Page{Title: "Moderate the assessment of " + d.App.Setting.Name, Me: me,
		Back: "/moderate", Errors: errs, Data: d})
}

func (s *Server) renderAmend(w http.ResponseWriter, r *http.Request, me award.Person, status int, d moderationData, errs []structs.FieldError) {
	for i := range d.Areas {
		for j := range d.Areas[i].Standards {
			st := &d.Areas[i].Standards[j]
			st.Error = fieldError(errs, "rating-"+st.Code)
		}
	}
	s.render(w, r, status, "moderator/amend", &Page{Title: "Amend the ratings", Me: me,
		Back: "/moderate/" + d.App.ID, Errors: errs, Data: d})
}

// moderationFormOf reads the decision so far from a posted form.
func moderationFormOf(r *http.Request, fw award.Framework) moderationForm {
	f := moderationForm{Decision: strings.TrimSpace(r.PostForm.Get("decision")), Rationale: strings.TrimSpace(r.PostForm.Get("rationale")),
		Ratings: map[string]string{}}
	for _, st := range fw.Standards() {
		if v := strings.TrimSpace(r.PostForm.Get("rating-" + st.Code)); v != "" {
			f.Ratings[st.Code] = v
		}
	}
	return f
}

// moderationForm takes the decision through its steps: the decision and reasons (step
// "decide"), the ratings when amending ("ratings"), the check page, and sending ("send");
// "change" and "change-ratings" go back to a step with what was chosen.
func (s *Server) moderationForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	c, ok := s.loadModeration(w, r, me)
	if !ok {
		return
	}
	if !readForm(w, r) {
		s.renderModeration(w, r, me, http.StatusBadRequest, moderationView(c, moderationForm{}),
			oneError("", "the form could not be read: try again"))
		return
	}
	f := moderationFormOf(r, c.Framework)
	d := moderationView(c, f)
	switch r.PostForm.Get("step") {
	case "change":
		s.renderModeration(w, r, me, http.StatusOK, d, nil)
		return
	case "change-ratings":
		s.renderAmend(w, r, me, http.StatusOK, d, nil)
		return
	case "ratings":
		if errs := decisionErrors(d); len(errs) > 0 {
			s.renderModeration(w, r, me, http.StatusUnprocessableEntity, d, errs)
			return
		}
		if errs := ratingErrors(&d); len(errs) > 0 {
			s.renderAmend(w, r, me, http.StatusUnprocessableEntity, d, errs)
			return
		}
		s.renderCheckModeration(w, r, me, d)
		return
	case "send":
		s.sendModeration(w, r, me, c, d)
		return
	}
	if errs := decisionErrors(d); len(errs) > 0 {
		s.renderModeration(w, r, me, http.StatusUnprocessableEntity, d, errs)
		return
	}
	if d.Form.Decision == decideAmend {
		s.renderAmend(w, r, me, http.StatusOK, d, nil)
		return
	}
	s.renderCheckModeration(w, r, me, d)
}

// decisionErrors checks the decision and its reasons before the next step (the journey checks
// them again when the decision is sent).
func decisionErrors(d moderationData) []structs.FieldError {
	f := d.Form
	var errs []structs.FieldError
	switch f.Decision {
	case decideConfirm, decideAmend:
	case decideReferBack:
		if d.ReferredBack {
			errs = append(errs, fieldErr{Field: "decision", Message: "You have already referred this assessment back once: confirm or amend it"})
		}
	default:
		return []structs.FieldError{{Field: "decision", Message: "Select whether you confirm the recommendation, amend the ratings or refer it back to the assessor"}}
	}
	if f.Rationale == "" {
		switch f.Decision {
		case decideAmend:
			errs = append(errs, fieldErr{Field: "rationale", Message: "Enter why you are amending the ratings"})
		case decideReferBack:
			errs = append(errs, fieldErr{Field: "rationale", Message: "Enter what the assessor should look at again"})
		}
	}
	if err := structs.CheckStrings(structs.ModerateRequest{Decision: f.Decision, Rationale: f.Rationale}); err != nil {
		if more, ok := formErrors(err); ok {
			for _, e := range more {
				if e.Field == "" || e.Field == "rationale" {
					e.Field = "rationale"
				}
				errs = append(errs, e)
			}
		}
	}
	return errs
}

// ratingErrors checks the amended ratings: every standard rated, and at least one changed.
// It fills the check page's level and changes.
func ratingErrors(d *moderationData) []structs.FieldError {
	var errs []structs.FieldError
	ratings := map[string]award.Level{}
	d.Changes = nil
	for _, area := range d.Areas {
		for _, st := range area.Standards {
			l, err := award.ParseLevel(d.Form.Ratings[st.Code])
			if d.Form.Ratings[st.Code] == "" || err != nil {
				errs = append(errs, fieldErr{Field: "rating-" + st.Code, Message: "Select a rating for " + st.Code + " " + st.Title})
				continue
			}
			ratings[st.Code] = l
			if !st.Rated || l != st.Rating {
				d.Changes = append(d.Changes, ratingChange{Code: st.Code, Title: st.Title, From: st.Rating, To: l})
			}
		}
	}
	if len(errs) == 0 && len(d.Changes) == 0 {
		errs = append(errs, fieldErr{Field: "rating-" + firstStandard(*d),
			Message: "Change at least one rating, or go back and confirm the recommendation"})
	}
	return errs
}

func firstStandard(d moderationData) string {
	for _, a := range d.Areas {
		for _, st := range a.Standards {
			return st.Code
		}
	}
	return ""
}

// amendedRatings are the moderator's ratings as the service takes them, and the level they
// give.
func amendedRatings(d moderationData, fw award.Framework) (map[string]string, award.Level) {
	out := map[string]string{}
	levels := map[string]award.Level{}
	for code, v := range d.Form.Ratings {
		if l, err := award.ParseLevel(v); err == nil {
			out[code], levels[code] = l.String(), l
		}
	}
	return out, award.LevelReached(fw, levels, d.Target)
}

func (s *Server) renderCheckModeration(w http.ResponseWriter, r *http.Request, me award.Person, d moderationData) {
	switch d.Form.Decision {
	case decideConfirm:
		d.DecisionText, d.Level = "Confirm the recommendation", d.Recommended
	case decideAmend:
		d.DecisionText = "Amend the ratings"
		_, d.Level = amendedRatings(d, d.framework)
	case decideReferBack:
		d.DecisionText = "Refer it back to the assessor"
	}
	s.render(w, r, http.StatusOK, "moderator/check", &Page{Title: "Check your decision before you send it", Me: me,
		Back: "/moderate/" + d.App.ID, Data: d})
}

// moderated is the decision just sent, for its confirmation page.
type moderated struct {
	ID, SettingName, Decision, AssessorName string
	Level                                   award.Level
	Due                                     *time.Time // refer back: when the assessor must send it again
	Workdays                                int        // refer back: how long they have (when Due is not known)
}

func (s *Server) sendModeration(w http.ResponseWriter, r *http.Request, me award.Person, c applications.ModerationCase, d moderationData) {
	if errs := decisionErrors(d); len(errs) > 0 {
		s.renderModeration(w, r, me, http.StatusUnprocessableEntity, d, errs)
		return
	}
	req := structs.ModerateRequest{Decision: d.Form.Decision, Rationale: d.Form.Rationale}
	level := d.Recommended
	if d.Form.Decision == decideAmend {
		if errs := ratingErrors(&d); len(errs) > 0 {
			s.renderAmend(w, r, me, http.StatusUnprocessableEntity, d, errs)
			return
		}
		req.Ratings, level = amendedRatings(d, c.Framework)
	}
	got, err := s.Apps().Moderate(r.Context(), me, d.App.ID, req)
	if err != nil {
		errs, ok := moderateErrors(err)
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		p, _ := applications.Problem(err, false)
		if d.Form.Decision == decideAmend && slices.ContainsFunc(errs, func(e structs.FieldError) bool { return strings.HasPrefix(e.Field, "rating") }) {
			s.renderAmend(w, r, me, p.Status, d, errs)
			return
		}
		// The page is shown again as the journey has it now (a refer-back just used, say).
		if fresh, err := s.Apps().Moderation(r.Context(), me, d.App.ID); err == nil {
			d = moderationView(fresh, d.Form)
		}
		s.renderModeration(w, r, me, p.Status, d, errs)
		return
	}
	done := moderated{ID: d.App.ID, SettingName: d.App.Setting.Name, Decision: d.Form.Decision, AssessorName: d.AssessorName, Level: level,
		Workdays: d.App.Deadlines.ModerationWorkdays}
	if got.Assessment != nil && d.Form.Decision == decideReferBack {
		done.Due = got.Assessment.DueAt
	}
	if b, err := json.Marshal(done); err == nil {
		s.Sessions.Put(r.Context(), moderatedKey, string(b))
	}
	http.Redirect(w, r, "/moderate/"+d.App.ID+"/done", http.StatusSeeOther)
}

// moderateErrors is the journey's refusal of a decision as the page's errors, each beside the
// field it is about; ok false for one no form can show (not found, not theirs, a service down).
func moderateErrors(err error) ([]structs.FieldError, bool) {
	p, known := applications.Problem(err, false)
	if !known || p.Status == http.StatusNotFound || p.Status == http.StatusForbidden || p.Status >= 500 {
		return nil, false
	}
	var field, msg string
	found := len(p.Errors) == 1
	if found {
		field, msg = p.Errors[0].Field, p.Errors[0].Message
	}
	switch {
	case found && field == "rationale":
		return oneError("rationale", "Enter your reasons: "+msg), true
	case found && field == "ratings":
		return oneError("ratings", "The ratings were refused: "+msg), true
	case found && field == "decision":
		return oneError("decision", "Select whether you confirm the recommendation, amend the ratings or refer it back to the assessor"), true
	case strings.Contains(p.Detail, "referred back once"):
		return oneError("decision", "You have already referred this assessment back once: confirm or amend it"), true
	}
	return formErrors(err)
}

// moderatedPage confirms the decision just sent (once: the session holds it).
func (s *Server) moderatedPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	var done moderated
	raw := s.Sessions.PopString(r.Context(), moderatedKey)
	if raw == "" || json.Unmarshal([]byte(raw), &done) != nil || done.ID != r.PathValue("id") {
		http.Redirect(w, r, "/moderate", http.StatusSeeOther)
		return
	}
	title := "Assessment confirmed"
	switch done.Decision {
	case decideAmend:
		title = "Ratings amended"
	case decideReferBack:
		title = "Referred back to the assessor"
	}
	s.render(w, r, http.StatusOK, "moderator/done", &Page{Title: title, Me: me, Data: done})
}

// moderationEvidence sends the browser to a short-lived link to one file of the portfolio:
// a PDF or an image opens in place, anything else downloads.
func (s *Server) moderationEvidence(w http.ResponseWriter, r *http.Request, me award.Person) {
	link, err := s.Apps().OpenEvidence(r.Context(), me, r.PathValue("id"), r.PathValue("evidence"))
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	http.Redirect(w, r, link.URL, http.StatusSeeOther)
}
