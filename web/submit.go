package web

import (
	"fmt"
	"net/http"
	"strings"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/structs"
)

// Check your answers (the target level and the evidence per standard), submit (stage 4), and
// the confirmation.

// checkData is the check-your-answers page.
type checkData struct {
	applicationData
	Chosen string // the level chosen (radios), "" for none
	Levels []levelChoice
}

// levelChoice is one target level's radio: how many standards it needs and how many of
// those still lack evidence.
type levelChoice struct {
	Level   award.Level
	Needs   int
	Missing int
}

func (s *Server) checkPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	s.renderCheck(w, r, me, http.StatusOK, r.URL.Query().Get("level"), nil)
}

// renderCheck shows the check page with level chosen (and its missing standards marked),
// and errs in the error summary.
func (s *Server) renderCheck(w http.ResponseWriter, r *http.Request, me award.Person, status int, level string, errs []structs.FieldError) {
	ac, ok := s.loadApplication(w, r, me)
	if !ok {
		return
	}
	if !ac.Applicant || !ac.App.Stage.AcceptsEvidence() {
		// Nothing to submit (already submitted, or not theirs to submit): the application's page says why.
		http.Redirect(w, r, "/applications/"+ac.App.ID, http.StatusSeeOther)
		return
	}
	fw, err := s.Apps().Framework(r.Context(), me, ac.App.ID)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	d := checkData{applicationData: homeData(ac, fw, level)}
	if l, err := award.ParseLevel(level); err == nil && l.IsAward() {
		d.Chosen = l.String()
	}
	for _, l := range allowedLevels(ac.App) {
		d.Levels = append(d.Levels, levelChoice{Level: l, Needs: len(fw.StandardsFor(l)), Missing: len(ac.App.Missing[l.String()])})
	}
	s.render(w, r, status, "applicant/check", &Page{Title: "Check your application before you submit it", Me: me,
		Back: "/applications/" + ac.App.ID, Errors: errs, Data: d})
}

func (s *Server) submitForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	id := r.PathValue("id")
	if !readForm(w, r) {
		s.renderCheck(w, r, me, http.StatusBadRequest, "", oneError("", "the form could not be read: try again"))
		return
	}
	level := strings.TrimSpace(r.PostForm.Get("target_level"))
	if level == "" {
		s.renderCheck(w, r, me, http.StatusUnprocessableEntity, "", oneError("target_level", "Select the level you are applying for"))
		return
	}
	req := structs.SubmitRequest{TargetLevel: level}
	if err := structs.CheckStrings(req); err != nil {
		s.renderCheck(w, r, me, http.StatusUnprocessableEntity, "", oneError("target_level", "Select the level you are applying for"))
		return
	}
	if _, err := s.Apps().Submit(r.Context(), me, id, req); err != nil {
		errs, ok := s.submitErrors(r, me, id, level, err)
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		p, _ := applications.Problem(err, false)
		s.renderCheck(w, r, me, p.Status, level, errs)
		return
	}
	http.Redirect(w, r, "/applications/"+id+"/submitted", http.StatusSeeOther)
}

// submitErrors is a submission's refusal as the check page's errors: each standard without
// evidence links to its row; a level refused names the radios.
func (s *Server) submitErrors(r *http.Request, me award.Person, id, level string, err error) ([]structs.FieldError, bool) {
	p, known := applications.Problem(err, false)
	if !known || p.Status >= 500 || p.Status == http.StatusNotFound || p.Status == http.StatusForbidden {
		return nil, false
	}
	l, _ := award.ParseLevel(level)
	switch {
	case p.Type == "missing-evidence" && len(p.Missing) > 0:
		titles := map[string]string{}
		if fw, err := s.Apps().Framework(r.Context(), me, id); err == nil {
			for _, st := range fw.Standards() {
				titles[st.Code] = st.Title
			}
		}
		var errs []structs.FieldError
		for _, code := range p.Missing {
			name := code
			if t := titles[code]; t != "" {
				name = code + " " + t
			}
			errs = append(errs, structs.FieldError{Field: "standard-" + code,
				Message: fmt.Sprintf("Add evidence for %s before you submit for %s", name, l.Title())})
		}
		return errs, true
	case len(p.Errors) == 1 && p.Errors[0].Field == "target_level":
		if strings.Contains(p.Errors[0].Message, "reassessment") {
			return oneError("target_level", "A reassessment is for the level you hold or a higher one"), true
		}
		return oneError("target_level", "Select Bronze, Silver or Gold"), true
	}
	errs, ok := formErrors(err)
	return errs, ok
}

// submittedPage is the confirmation: the reference, and what happens next.
func (s *Server) submittedPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	ac, ok := s.loadApplication(w, r, me)
	if !ok {
		return
	}
	if ac.App.SubmittedAt == nil {
		http.Redirect(w, r, "/applications/"+ac.App.ID, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "applicant/submitted", &Page{Title: "Application submitted", Me: me, Data: ac})
}
