package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/structs"
)

// Registering a setting (stage 1): the form, and the service's refusals beside its fields.

// registerData is the registration form: what was entered, and the choices.
type registerData struct {
	Track, Variant, Name, Reference string
	Day, Month, Year                string
	SupporterEmail                  string
	ApplicantName, ApplicantEmail   string
	Admin                           bool   // an admin registers on someone's behalf
	ExistingID                      string // the setting's application already in progress
	Tracks                          []trackOption
	TrackTitle                      string          // the award chosen
	Variants                        []variantOption // its kinds of setting
}

type trackOption struct {
	Value, Title, Hint string
	Variants           []variantOption
}

type variantOption struct{ Value, Title string }

// trackHints say who each award is for, in the applicants' words.
var trackHints = map[award.Track]string{
	award.CaringSchools: "For schools, early-years settings, colleges and alternative provision",
	award.LearningHomes: "For foster carers, children's homes, childminders, adoptive parents and special guardians",
}

func registerChoices() []trackOption {
	var out []trackOption
	for _, t := range award.Tracks() {
		o := trackOption{Value: string(t), Title: t.Title(), Hint: trackHints[t]}
		for _, v := range award.Variants(t) {
			o.Variants = append(o.Variants, variantOption{Value: string(v), Title: v.Title()})
		}
		out = append(out, o)
	}
	return out
}

// registerPage asks first which award (?track=, a GET form: no JavaScript needed), then the
// rest: the kind of setting within that award, its name and reference.
func (s *Server) registerPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	q := r.URL.Query()
	d := registerData{Track: q.Get("track")}
	var errs []structs.FieldError
	if q.Has("track") || q.Has("step") { // the award question was answered (step: its form, sent with nothing chosen)
		if _, err := award.ParseTrack(d.Track); err != nil {
			d.Track = ""
			errs = oneError("track", "Select the award you are applying for")
		}
	}
	s.renderRegister(w, r, me, http.StatusOK, d, errs)
}

// renderRegister shows the award question while no award is chosen (or the award is what is
// wrong), otherwise the setting's questions.
func (s *Server) renderRegister(w http.ResponseWriter, r *http.Request, me award.Person, status int, d registerData, errs []structs.FieldError) {
	d.Admin, d.Tracks = me.Has(award.RoleAdmin), registerChoices()
	title := "Register a setting"
	if t, err := award.ParseTrack(d.Track); err != nil || hasField(errs, "track") {
		d.Track, title = "", "Which award are you applying for?"
	} else {
		d.Track, d.TrackTitle = string(t), t.Title()
		for _, o := range d.Tracks {
			if o.Value == d.Track {
				d.Variants = o.Variants
			}
		}
	}
	s.render(w, r, status, "applicant/register", &Page{Title: title, Me: me, Back: "/applications", Errors: errs, Data: d})
}

func hasField(errs []structs.FieldError, field string) bool {
	for _, e := range errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

func (s *Server) registerForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	if !readForm(w, r) {
		s.renderRegister(w, r, me, http.StatusBadRequest, registerData{}, oneError("", "the form could not be read: try again"))
		return
	}
	f := r.PostForm
	d := registerData{
		Track: f.Get("track"), Variant: f.Get("variant"), Name: f.Get("setting_name"), Reference: f.Get("setting_reference"),
		Day: strings.TrimSpace(f.Get("approval_date-day")), Month: strings.TrimSpace(f.Get("approval_date-month")),
		Year:           strings.TrimSpace(f.Get("approval_date-year")),
		SupporterEmail: strings.TrimSpace(f.Get("supporter_email")),
		ApplicantName:  f.Get("applicant_name"), ApplicantEmail: strings.TrimSpace(f.Get("applicant_email")),
	}
	req := structs.RegisterRequest{SettingReference: d.Reference, SettingName: d.Name, Track: d.Track, Variant: d.Variant,
		SupporterEmail: d.SupporterEmail, ApplicantName: d.ApplicantName, ApplicantEmail: d.ApplicantEmail}
	// The form asks every question at once, so it says what is left blank all at once (the
	// service names only the first); everything else is the service's to refuse.
	var errs []structs.FieldError
	date, dateErr := formDate(d.Day, d.Month, d.Year)
	req.ApprovalDate = date
	if _, err := award.ParseTrack(d.Track); err != nil {
		// The award is asked first, on its own: back to that question.
		s.renderRegister(w, r, me, http.StatusUnprocessableEntity, d, oneError("track", "Select the award you are applying for"))
		return
	}
	if strings.TrimSpace(d.Variant) == "" {
		errs = append(errs, structs.FieldError{Field: "variant", Message: "Select what kind of setting it is"})
	}
	if strings.TrimSpace(d.Name) == "" {
		errs = append(errs, structs.FieldError{Field: "setting_name", Message: "Enter the name of the setting"})
	}
	if strings.TrimSpace(d.Reference) == "" {
		errs = append(errs, structs.FieldError{Field: "setting_reference", Message: "Enter the setting's reference"})
	}
	if dateErr != "" {
		errs = append(errs, structs.FieldError{Field: "approval_date", Message: dateErr})
	}
	if err := structs.CheckStrings(req); err != nil && errs == nil {
		errs, _ = registerErrors(err, &d)
	}
	if errs != nil {
		s.renderRegister(w, r, me, http.StatusUnprocessableEntity, d, errs)
		return
	}
	reg, err := s.Apps().Register(r.Context(), me, req)
	if err != nil {
		errs, ok := registerErrors(err, &d)
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		p, _ := applications.Problem(err, false)
		s.renderRegister(w, r, me, p.Status, d, errs)
		return
	}
	s.Sessions.Put(r.Context(), noticeKey, "You have registered "+strings.TrimSpace(d.Name)+". Start by reading the toolkit.")
	http.Redirect(w, r, "/applications/"+reg.ID, http.StatusSeeOther)
}

// noticeKey is the session key of a success message shown once by the next page.
const noticeKey = "notice"

// formDate is a GOV.UK date input's three fields as YYYY-MM-DD ("" when all are blank), or
// what is wrong with them.
func formDate(day, month, year string) (string, string) {
	if day == "" && month == "" && year == "" {
		return "", ""
	}
	d, err1 := strconv.Atoi(day)
	m, err2 := strconv.Atoi(month)
	y, err3 := strconv.Atoi(year)
	if err1 != nil || err2 != nil || err3 != nil || y < 1900 || y > 9999 {
		return "", "The approval date must be a real date, for example 27 3 2026"
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return "", "The approval date must be a real date, for example 27 3 2026"
	}
	return t.Format(time.DateOnly), ""
}

// registerErrors is a registration refusal as the form's errors, in the form's words. ok is
// false for an error no form can show (the service is down, an outcome unknown).
func registerErrors(err error, d *registerData) (errs []structs.FieldError, ok bool) {
	p, known := applications.Problem(err, false)
	if !known || p.Status >= 500 || p.Status == http.StatusNotFound {
		return nil, false
	}
	switch {
	case p.Type == "duplicate-application":
		d.ExistingID = p.ExistingID
		return []structs.FieldError{{Field: "setting_reference",
			Message: "This setting already has an application in progress. Withdraw it or wait for its decision before registering again"}}, true
	case p.Status == http.StatusForbidden && strings.Contains(p.Detail, "registered to another applicant"):
		return []structs.FieldError{{Field: "setting_reference", Message: upperFirst(p.Detail)}}, true
	case p.Type == "wrong-variant" && strings.Contains(p.Detail, "is registered as"):
		return []structs.FieldError{{Field: "variant", Message: "This setting is already registered as a different kind of setting: " +
			"choose the same award and kind as before, or ask your award team"}}, true
	}
	if len(p.Errors) == 0 {
		return []structs.FieldError{{Message: upperFirst(p.Detail)}}, true
	}
	for _, e := range p.Errors {
		errs = append(errs, structs.FieldError{Field: e.Field, Message: registerMessage(e.Field, e.Message, d)})
	}
	return errs, true
}

// registerMessage says a field's refusal in the form's words where the service's are the
// API's (field names, identifiers, YYYY-MM-DD).
func registerMessage(field, msg string, d *registerData) string {
	switch field {
	case "track":
		return "Select the award you are applying for"
	case "variant":
		if t, err := award.ParseTrack(d.Track); err == nil {
			return fmt.Sprintf("Select what kind of setting it is, from the kinds the %s is for", t.Title())
		}
		return "Select what kind of setting it is"
	case "setting_reference":
		if strings.HasPrefix(msg, "required") {
			return "Enter the setting's reference"
		}
	case "setting_name":
		if strings.HasPrefix(msg, "required") {
			return "Enter the name of the setting"
		}
	case "approval_date":
		switch {
		case strings.HasPrefix(msg, "required"):
			return "Enter the date you were approved as a foster carer"
		case strings.Contains(msg, "future"):
			return "The approval date must be today or in the past"
		case strings.HasPrefix(msg, "only first-year"):
			return "Only foster carers in their first year give an approval date: leave it blank"
		}
	case "supporter_email":
		if strings.HasPrefix(msg, "no supporter") {
			return "There is no supporter with this email address in your council: check it, or leave it blank"
		}
	case "applicant_email":
		if strings.HasPrefix(msg, "an admin registering") {
			return "Enter the applicant's name and email address"
		}
	}
	return upperFirst(msg)
}
