package web

import (
	"net/http"
	"strings"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/structs"
)

// Withdrawing an application (a reason, then "are you sure"), and reapplying after an award
// (stage 11: a reassessment at the same level or higher, evidence carried forward if asked).

// withdrawData is the withdraw form and its confirmation.
type withdrawData struct {
	ID, SettingName, Reason string
}

func (s *Server) withdrawPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	ac, ok := s.loadApplication(w, r, me)
	if !ok {
		return
	}
	if ac.App.Stage.Closed() {
		http.Redirect(w, r, "/applications/"+ac.App.ID, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "applicant/withdraw", &Page{Title: "Why are you withdrawing this application?", Me: me,
		Back: "/applications/" + ac.App.ID, Data: withdrawData{ID: ac.App.ID, SettingName: ac.App.Setting.Name}})
}

// withdrawForm takes the reason to the confirmation page, and withdraws once confirmed.
func (s *Server) withdrawForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	id := r.PathValue("id")
	if !readForm(w, r) {
		s.render(w, r, http.StatusBadRequest, "applicant/withdraw", &Page{Title: "Why are you withdrawing this application?", Me: me,
			Back: "/applications/" + id, Errors: oneError("", "the form could not be read: try again"), Data: withdrawData{ID: id}})
		return
	}
	d := withdrawData{ID: id, Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
	req := structs.ReasonRequest{Reason: d.Reason}
	reasonPage := func(status int, errs []structs.FieldError) {
		s.render(w, r, status, "applicant/withdraw", &Page{Title: "Why are you withdrawing this application?", Me: me,
			Back: "/applications/" + id, Errors: errs, Data: d})
	}
	if d.Reason == "" {
		reasonPage(http.StatusUnprocessableEntity, oneError("reason", "Enter why you are withdrawing the application"))
		return
	}
	if err := structs.CheckStrings(req); err != nil {
		errs, _ := formErrors(err)
		reasonPage(http.StatusUnprocessableEntity, errs)
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		s.render(w, r, http.StatusOK, "applicant/withdraw-confirm", &Page{Title: "Are you sure you want to withdraw this application?", Me: me,
			Back: "/applications/" + id + "/withdraw", Data: d})
		return
	}
	if _, err := s.Apps().Withdraw(r.Context(), me, id, req); err != nil {
		errs, ok := formErrors(err)
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		p, _ := applications.Problem(err, false)
		reasonPage(p.Status, errs)
		return
	}
	http.Redirect(w, r, "/applications/"+id+"/withdrawn", http.StatusSeeOther)
}

// withdrawnPage confirms a withdrawal.
func (s *Server) withdrawnPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	ac, ok := s.loadApplication(w, r, me)
	if !ok {
		return
	}
	if ac.App.Stage != award.StageWithdrawn {
		http.Redirect(w, r, "/applications/"+ac.App.ID, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "applicant/withdrawn", &Page{Title: "Application withdrawn", Me: me, Data: ac})
}

// reapplyData is the reassessment form.
type reapplyData struct {
	appContext
	Carry      bool
	ExistingID string // the setting's application already in progress
}

func (s *Server) reapplyPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	ac, ok := s.loadApplication(w, r, me)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "applicant/reapply", &Page{Title: "Apply to be reassessed", Me: me,
		Back: "/applications/" + ac.App.ID, Data: reapplyData{appContext: ac}})
}

func (s *Server) reapplyForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	if !readForm(w, r) {
		http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
		return
	}
	carry := r.PostForm.Get("carry_forward") == "yes"
	reg, err := s.Apps().Reapply(r.Context(), me, r.PathValue("id"), structs.ReapplyRequest{CarryForward: carry})
	if err != nil {
		p, known := applications.Problem(err, false)
		if !known || p.Status >= 500 || p.Status == http.StatusNotFound || p.Status == http.StatusForbidden {
			s.fail(w, r, me, err)
			return
		}
		ac, ok := s.loadApplication(w, r, me)
		if !ok {
			return
		}
		d := reapplyData{appContext: ac, Carry: carry}
		msg := upperFirst(p.Detail)
		switch p.Type {
		case "wrong-stage":
			msg = "Only an award held can be reassessed. To apply again, register the setting instead"
		case "duplicate-application":
			msg, d.ExistingID = "This setting already has an application in progress", p.ExistingID
		}
		s.render(w, r, p.Status, "applicant/reapply", &Page{Title: "Apply to be reassessed", Me: me,
			Back: "/applications/" + ac.App.ID, Errors: oneError("", msg), Data: d})
		return
	}
	s.Sessions.Put(r.Context(), noticeKey, "You have applied to be reassessed. Your current award stays valid until the new decision.")
	http.Redirect(w, r, "/applications/"+reg.ID, http.StatusSeeOther)
}
