package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/structs"
)

// The scoring form (a rating per standard, feedback, an optional visit date), its draft kept
// by the journey — saved on "Save and come back later", on "Continue", and, with JavaScript,
// automatically as the assessor types (static/assess.js PUTs it to the API) — then check your
// answers, submit, and the confirmation.
//
// The recommended level is the journey's rule (award.LevelReached): the page shows it for the
// saved (or just typed) ratings, and renders what each level needs (data-needs-<level>: the
// standards that must be rated at that level or above) so assess.js recomputes it as ratings
// change without a second copy of the framework.

// ratingChoices are the ratings of a standard, lowest first.
var ratingChoices = []award.Level{award.NotMet, award.Bronze, award.Silver, award.Gold}

// scoreData is the scoring form.
type scoreData struct {
	App                  structs.Application
	Target               award.Level
	Areas                []scoreArea
	Feedback             string
	Day, Month, Year     string
	VisitDate            string // as saved (YYYY-MM-DD): what assess.js sends while the date typed is incomplete
	Recommended          award.Level
	Needs                []levelNeeds
	Rated, ToRate, Above int
	Due                  *time.Time
	Overdue              bool
	Referred             string
	AutosaveURL          string
	// Unsaved: the form shows what was typed and refused, not the journey's draft.
	Unsaved bool
}

// levelNeeds is what one level needs: the codes of the standards rated at it or above.
type levelNeeds struct {
	Level award.Level
	Codes string // space-separated
}

// scoreArea is one area's standards on the form.
type scoreArea struct {
	Code, Title string
	Standards   []scoreStandard
}

// scoreStandard is one standard's radios.
type scoreStandard struct {
	Code, Title string
	From        award.Level
	Rating      string // the rating chosen ("" none)
	Options     []ratingOption
	Files       []portfolioFile
	Error       string
}

// ratingOption is one radio: a rating and the standard's descriptor at that level.
type ratingOption struct {
	Value, Label, Hint string
}

// scoreInput is what the assessor typed, shown again when the form is refused.
type scoreInput struct {
	Ratings          map[string]string
	Feedback         string
	Day, Month, Year string
}

func (s *Server) scorePage(w http.ResponseWriter, r *http.Request, me award.Person) {
	s.renderScore(w, r, me, http.StatusOK, nil, nil)
}

// renderScore shows the form prefilled from the journey's draft, or with in (what was typed)
// and errs.
func (s *Server) renderScore(w http.ResponseWriter, r *http.Request, me award.Person, status int, in *scoreInput, errs []structs.FieldError) {
	p, err := s.Apps().Portfolio(r.Context(), me, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	a := p.Application
	if a.Stage != award.StageAssessment && in == nil {
		// Submitted (or not this person's to score): the portfolio says where it is.
		http.Redirect(w, r, "/assess/"+a.ID, http.StatusSeeOther)
		return
	}
	d := scoreDataOf(p, me, in, errs)
	s.render(w, r, status, "assessor/score", &Page{Title: "Score " + a.Setting.Name, Me: me, Back: "/assess/" + a.ID,
		Errors: errs, Notice: s.Sessions.PopString(r.Context(), noticeKey), Data: d})
}

func scoreDataOf(p applications.Portfolio, me award.Person, in *scoreInput, errs []structs.FieldError) scoreData {
	pd := portfolioOf(p, me, now())
	a := p.Application
	d := scoreData{App: a, Target: pd.Target, Above: pd.Above, ToRate: pd.ToRate, Due: pd.Due, Overdue: pd.Overdue, Referred: pd.Referred,
		AutosaveURL: "/v1/applications/" + url.PathEscape(a.ID) + "/assessment"}
	if in == nil {
		in = &scoreInput{Ratings: map[string]string{}}
		if as := a.Assessment; as != nil {
			for code, l := range as.Ratings {
				in.Ratings[code] = l.String()
			}
			in.Feedback = as.Feedback
			d.VisitDate = as.VisitDate
			if t, err := time.Parse(time.DateOnly, as.VisitDate); err == nil {
				in.Day, in.Month, in.Year = strconv.Itoa(t.Day()), strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())
			}
		}
	} else {
		d.Unsaved = true
		if as := a.Assessment; as != nil {
			d.VisitDate = as.VisitDate
		}
	}
	d.Feedback, d.Day, d.Month, d.Year = in.Feedback, in.Day, in.Month, in.Year
	ratings := map[string]award.Level{}
	for _, area := range pd.Areas {
		sa := scoreArea{Code: area.Code, Title: area.Title}
		for _, st := range area.Standards {
			ss := scoreStandard{Code: st.Code, Title: st.Title, From: st.From, Files: st.Files,
				Error: fieldError(errs, "rating-"+st.Code)}
			if l, err := award.ParseLevel(in.Ratings[st.Code]); err == nil {
				ss.Rating = l.String()
				ratings[st.Code] = l
				d.Rated++
			}
			for _, l := range ratingChoices {
				o := ratingOption{Value: l.String(), Label: l.Title()}
				switch desc := st.Descriptors.For(l); {
				case desc != "":
					o.Hint = desc
				case l.IsAward():
					o.Hint = "No " + l.Title() + " descriptor: this standard applies from " + st.From.Title()
				default:
					o.Hint = "The evidence does not meet the " + st.From.Title() + " descriptor"
				}
				ss.Options = append(ss.Options, o)
			}
			sa.Standards = append(sa.Standards, ss)
		}
		d.Areas = append(d.Areas, sa)
	}
	d.Recommended = award.LevelReached(p.Framework, ratings, d.Target)
	for _, l := range award.AwardLevels() {
		if l > d.Target {
			break
		}
		var codes []string
		for _, st := range p.Framework.StandardsFor(l) {
			codes = append(codes, st.Code)
		}
		d.Needs = append(d.Needs, levelNeeds{Level: l, Codes: strings.Join(codes, " ")})
	}
	return d
}

// ratingsFromForm reads the form: rating-<code> radios, feedback, the visit date's parts.
func ratingsFromForm(form url.Values) scoreInput {
	in := scoreInput{Ratings: map[string]string{}, Feedback: strings.TrimSpace(form.Get("feedback")),
		Day: strings.TrimSpace(form.Get("visit_date-day")), Month: strings.TrimSpace(form.Get("visit_date-month")),
		Year: strings.TrimSpace(form.Get("visit_date-year"))}
	for k, v := range form {
		if code, ok := strings.CutPrefix(k, "rating-"); ok && code != "" && len(v) > 0 && v[0] != "" {
			in.Ratings[code] = v[0]
		}
	}
	return in
}

// visitDate is the visit date's parts as YYYY-MM-DD ("" when all are blank), or what is wrong.
func visitDate(day, month, year string) (string, string) {
	if day == "" && month == "" && year == "" {
		return "", ""
	}
	const real = "The visit date must be a real date, for example 27 3 2026"
	d, err1 := strconv.Atoi(day)
	m, err2 := strconv.Atoi(month)
	y, err3 := strconv.Atoi(year)
	if err1 != nil || err2 != nil || err3 != nil || y < 2000 || y > 2100 {
		return "", real
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return "", real
	}
	return t.Format(time.DateOnly), ""
}

// scoreForm saves the draft, then goes on to check it ("continue") or back to the inbox
// ("save": come back later).
func (s *Server) scoreForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	id := r.PathValue("id")
	if !readForm(w, r) {
		s.renderScore(w, r, me, http.StatusBadRequest, nil, oneError("", "the form could not be read: try again"))
		return
	}
	in := ratingsFromForm(r.PostForm)
	visit, dateErr := visitDate(in.Day, in.Month, in.Year)
	if dateErr != "" {
		s.renderScore(w, r, me, http.StatusUnprocessableEntity, &in, oneError("visit_date", dateErr))
		return
	}
	req := structs.RatingsRequest{Ratings: in.Ratings, Feedback: in.Feedback, VisitDate: visit}
	if err := structs.CheckStrings(req); err != nil {
		errs, _ := formErrors(err)
		s.renderScore(w, r, me, http.StatusUnprocessableEntity, &in, errs)
		return
	}
	v, err := s.Apps().SaveAssessment(r.Context(), me, id, req)
	if err != nil {
		errs, ok := assessmentErrors(err, nil)
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		p, _ := applications.Problem(err, false)
		s.renderScore(w, r, me, p.Status, &in, errs)
		return
	}
	if r.PostForm.Get("action") == "save" {
		notice := "Your draft assessment of " + v.Setting.Name + " is saved. You can come back to it at any time"
		if a := v.Assessment; a != nil && a.DueAt != nil {
			notice += " before it is due on " + formatDate(a.DueAt)
		}
		s.Sessions.Put(r.Context(), noticeKey, notice+".")
		http.Redirect(w, r, "/assess", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/assess/"+id+"/check", http.StatusSeeOther)
}

// assessmentErrors is a refusal of the ratings in the form's words: each standard left unrated
// links to its radios (or, on the check page, its row), feedback and the visit date to theirs.
// titles name the standards ("A1 Leadership"); nil shows codes. ok is false for an error no
// form can show.
func assessmentErrors(err error, titles map[string]string) ([]structs.FieldError, bool) {
	p, known := applications.Problem(err, false)
	if !known || p.Status >= 500 || p.Status == http.StatusNotFound || p.Status == http.StatusForbidden {
		return nil, false
	}
	detail := p.Detail
	switch {
	case p.Type == "wrong-stage":
		return oneError("", "This assessment can no longer be changed: it has been submitted, or the award team has taken it back"), true
	case strings.Contains(detail, "every standard must be rated; missing: "):
		_, list, _ := strings.Cut(detail, "missing: ")
		var errs []structs.FieldError
		for _, code := range strings.Split(list, ",") {
			code = strings.TrimSpace(code)
			if code == "" {
				continue
			}
			name := code
			if t := titles[code]; t != "" {
				name = code + " " + t
			}
			errs = append(errs, structs.FieldError{Field: "rating-" + code, Message: "Rate " + name})
		}
		if len(errs) > 0 {
			return errs, true
		}
	case strings.HasPrefix(detail, "feedback:"):
		return oneError("feedback", "Enter your feedback for the applicant"), true
	case strings.HasPrefix(detail, "visit_date:"):
		return oneError("visit_date", "The visit date must be a real date, for example 27 3 2026"), true
	}
	return formErrors(err)
}

// --- check your answers, submit ---

// assessmentCheckData is the check page.
type assessmentCheckData struct {
	scoreData
	Visit string // the visit date in words
}

func (s *Server) assessmentCheckPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	s.renderAssessmentCheck(w, r, me, http.StatusOK, nil)
}

func (s *Server) renderAssessmentCheck(w http.ResponseWriter, r *http.Request, me award.Person, status int, errs []structs.FieldError) {
	p, err := s.Apps().Portfolio(r.Context(), me, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	a := p.Application
	if a.Stage != award.StageAssessment {
		http.Redirect(w, r, "/assess/"+a.ID, http.StatusSeeOther)
		return
	}
	d := assessmentCheckData{scoreData: scoreDataOf(p, me, nil, errs)}
	if t, err := time.Parse(time.DateOnly, d.VisitDate); err == nil {
		d.Visit = formatDate(t)
	}
	s.render(w, r, status, "assessor/check", &Page{Title: "Check your assessment before you submit it", Me: me,
		Back: "/assess/" + a.ID + "/score", Errors: errs, Data: d})
}

// submittedKey keeps, for the confirmation page, what the submission answered: the journey
// may decide at once, after which the assessor no longer holds the application to read it.
const submittedKey = "assessment-submitted"

// submittedInfo is the confirmation's content.
type submittedInfo struct {
	ID, SettingName string
	Recommended     award.Level
	Moderated       bool
	Reasons         []string
}

// assessmentSubmitForm submits the saved draft (what the check page showed).
func (s *Server) assessmentSubmitForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	id := r.PathValue("id")
	p, err := s.Apps().Portfolio(r.Context(), me, id)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	req := structs.RatingsRequest{Ratings: map[string]string{}}
	if as := p.Application.Assessment; as != nil {
		for code, l := range as.Ratings {
			req.Ratings[code] = l.String()
		}
		req.Feedback, req.VisitDate = as.Feedback, as.VisitDate
	}
	v, err := s.Apps().SubmitAssessment(r.Context(), me, id, req)
	if err != nil {
		titles := map[string]string{}
		for _, st := range p.Framework.Standards() {
			titles[st.Code] = st.Title
		}
		errs, ok := assessmentErrors(err, titles)
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		pr, _ := applications.Problem(err, false)
		s.renderAssessmentCheck(w, r, me, pr.Status, errs)
		return
	}
	info := submittedInfo{ID: id, SettingName: v.Setting.Name}
	if a := v.Assessment; a != nil {
		info.Recommended = a.Recommended
		if m := a.Moderation; m != nil {
			info.Moderated, info.Reasons = m.Required, m.Reasons
		}
	}
	if b, err := json.Marshal(info); err == nil {
		s.Sessions.Put(r.Context(), submittedKey, string(b))
	}
	http.Redirect(w, r, "/assess/"+id+"/submitted", http.StatusSeeOther)
}

// assessmentSubmittedPage is the confirmation panel, once, from what the submission answered.
func (s *Server) assessmentSubmittedPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	var info submittedInfo
	raw := s.Sessions.GetString(r.Context(), submittedKey)
	if raw == "" || json.Unmarshal([]byte(raw), &info) != nil || info.ID != r.PathValue("id") {
		http.Redirect(w, r, "/assess", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "assessor/submitted", &Page{Title: "Assessment submitted", Me: me, Data: info})
}

// moderationReason is a reason for moderation in the assessor's words.
func moderationReason(reason string) string {
	switch {
	case strings.HasPrefix(reason, "random sample"):
		return "it was chosen in the random sample of assessments"
	case strings.HasPrefix(reason, "assessor's first"):
		return "it is one of your first assessments"
	case strings.HasPrefix(reason, "recommendation (") && strings.Contains(reason, "differs from the target"):
		return "your recommendation differs from the level applied for"
	case reason == "Gold recommendation":
		return "you recommended Gold"
	case strings.Contains(reason, "not yet"):
		return "you recommended \"not yet\""
	case reason == "referred back by the moderator":
		return "the moderator referred it back to you"
	}
	return reason
}

func init() {
	funcs["moderationReason"] = moderationReason
	funcs["ratingTitle"] = func(v string) string {
		if v == "" {
			return "Not rated"
		}
		return levelName(v)
	}
	funcs["levelValue"] = func(l award.Level) string { return fmt.Sprint(int(l)) }
}
