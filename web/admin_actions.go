package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/structs"
)

// An admin's actions on an application: each is a page that says what it will do, with a
// reason (and the action's own fields: a new deadline, the assessor chosen by hand), and a
// POST that asks the service, then goes back to the stuck list or the application's page with
// the result in a banner. A refusal (a reason missing, a date not after the deadline, a stage
// that no longer allows it) comes back to the same page in the error summary.

func (s *Server) adminActionRoutes(mux *http.ServeMux) {
	for _, a := range []string{structs.ActionNudge, structs.ActionExtend, structs.ActionReassign, structs.ActionAllocate,
		structs.ActionRetry, structs.ActionWithdraw} {
		mux.Handle("GET /admin/applications/{id}/"+a, s.signedIn(s.actionPage(a)))
		mux.Handle("POST /admin/applications/{id}/"+a, s.signedIn(s.actionForm(a)))
	}
}

// actionSpec is what an action's page says.
type actionSpec struct {
	Title  string // the page's title and h1
	Link   string // the link that opens it
	Button string
	// Warning: the button is a warning button (the change cannot be undone).
	Warning bool
	// Reason is the reason field's label ("" = no reason field); ReasonHint its hint.
	Reason, ReasonHint string
}

var actionSpecs = map[string]actionSpec{
	structs.ActionNudge: {Title: "Send a reminder", Link: "Send a reminder", Button: "Send reminder",
		Reason: "Why are you sending a reminder? (optional)", ReasonHint: "This is kept in the audit trail."},
	structs.ActionExtend: {Title: "Extend the deadline", Link: "Extend the deadline", Button: "Extend deadline",
		Reason: "Why does the deadline move?", ReasonHint: "This is kept in the audit trail."},
	structs.ActionReassign: {Title: "Reassign the assessment", Link: "Reassign", Button: "Reassign assessment", Warning: true,
		Reason: "Why are you reassigning it?", ReasonHint: "This is kept in the audit trail."},
	structs.ActionAllocate: {Title: "Allocate an assessor by hand", Link: "Allocate by hand", Button: "Offer it to this assessor",
		Reason: "Why this assessor? (optional)", ReasonHint: "This is kept in the audit trail."},
	structs.ActionRetry: {Title: "Retry the failing steps", Link: "Retry", Button: "Retry now"},
	structs.ActionWithdraw: {Title: "Withdraw the application", Link: "Withdraw", Button: "Withdraw application", Warning: true,
		Reason: "Why is the application withdrawn?", ReasonHint: "This is kept in the audit trail."},
}

// actionData is an action's page.
type actionData struct {
	Action string
	Spec   actionSpec
	A      structs.AdminActions
	// Allowed says the application's stage allows the action now (the service's Actions).
	Allowed bool
	// From is where the page was opened from ("stuck": the stuck list), to go back there.
	From   string
	Reason string
	// extend
	Day, Month, Year, WorkingDays string
	// allocate
	C        *structs.AllocationCandidates
	Assessor string
	Choices  []structs.AllocationCandidate // who may be chosen by hand
	Barred   []structs.AllocationCandidate // who may not
	Chosen   string                        // the name of the rules' choice
}

// back is where the page goes back to: the stuck list or the application's page.
func (d actionData) Back() string {
	if d.From == "stuck" {
		return "/admin/stuck"
	}
	return "/admin/applications/" + d.A.ApplicationID
}

// loadAction reads what an action's page shows; ok is false when a page was written instead.
func (s *Server) loadAction(w http.ResponseWriter, r *http.Request, me award.Person, action string) (actionData, bool) {
	id := r.PathValue("id")
	acts, err := s.Admin().Actions(r.Context(), me, id)
	if err != nil {
		s.fail(w, r, me, err)
		return actionData{}, false
	}
	d := actionData{Action: action, Spec: actionSpecs[action], A: acts, Allowed: slices.Contains(acts.Actions, action)}
	if action == structs.ActionAllocate && d.Allowed {
		c, err := s.Admin().Candidates(r.Context(), me, id)
		if err != nil {
			s.fail(w, r, me, err)
			return actionData{}, false
		}
		d.C = &c
		for _, k := range c.Candidates {
			if k.ByHand {
				d.Choices = append(d.Choices, k)
			} else {
				d.Barred = append(d.Barred, k)
			}
			if k.Choice {
				d.Chosen = k.Name
			}
		}
	}
	return d, true
}

func (s *Server) actionPage(action string) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, me award.Person) {
		d, ok := s.loadAction(w, r, me, action)
		if !ok {
			return
		}
		if r.URL.Query().Get("from") == "stuck" {
			d.From = "stuck"
		}
		if len(d.Choices) > 0 && d.C.Rules.Chosen != "" {
			d.Assessor = d.C.Rules.Chosen // the rules' choice, ready to confirm
		}
		s.render(w, r, http.StatusOK, "admin/action", &Page{Title: d.Spec.Title + " – " + settingTitle(d.A), Me: me, Back: d.Back(), Data: d})
	}
}

func settingTitle(a structs.AdminActions) string {
	if a.Setting.Name != "" {
		return a.Setting.Name
	}
	return "application " + a.ApplicationID
}

func (s *Server) actionForm(action string) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, me award.Person) {
		if !readForm(w, r) {
			http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
			return
		}
		id, f := r.PathValue("id"), r.PostForm
		in := actionData{Reason: strings.TrimSpace(f.Get("reason")), Day: strings.TrimSpace(f.Get("until-day")),
			Month: strings.TrimSpace(f.Get("until-month")), Year: strings.TrimSpace(f.Get("until-year")),
			WorkingDays: strings.TrimSpace(f.Get("working_days")), Assessor: f.Get("assessor")}
		if f.Get("from") == "stuck" {
			in.From = "stuck"
		}
		notice, errs, err := s.doAction(r, me, action, id, in)
		if err != nil {
			shown := false
			if errs, shown = formErrors(err); !shown {
				s.fail(w, r, me, err)
				return
			}
		}
		if len(errs) > 0 {
			d, ok := s.loadAction(w, r, me, action)
			if !ok {
				return
			}
			d.From, d.Reason, d.Day, d.Month, d.Year, d.WorkingDays, d.Assessor = in.From, in.Reason, in.Day, in.Month, in.Year, in.WorkingDays, in.Assessor
			status := http.StatusUnprocessableEntity
			if err != nil {
				if p, _ := applications.Problem(err, false); p != nil {
					status = p.Status
				}
			}
			s.render(w, r, status, "admin/action", &Page{Title: d.Spec.Title + " – " + settingTitle(d.A), Me: me, Back: d.Back(),
				Errors: fieldsOf(errs, "reason", "until", "working_days", "assessor"), Data: d})
			return
		}
		s.Sessions.Put(r.Context(), noticeKey, notice)
		back := "/admin/applications/" + id
		if in.From == "stuck" {
			back = "/admin/stuck"
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
	}
}

// doAction asks the service for the action: its notice, or the form's own errors, or the
// service's refusal.
func (s *Server) doAction(r *http.Request, me award.Person, action, id string, in actionData) (string, []fieldErr, error) {
	ctx := r.Context()
	reason := structs.ReasonRequest{Reason: in.Reason}
	name := func(v structs.Application) string {
		if v.Setting.Name != "" {
			return v.Setting.Name
		}
		return "application " + id
	}
	switch action {
	case structs.ActionNudge:
		v, err := s.Apps().Nudge(ctx, me, id, reason)
		if err != nil {
			return "", nil, err
		}
		return "Reminder sent again for " + name(v), nil, nil
	case structs.ActionExtend:
		req := structs.ExtendRequest{Reason: in.Reason}
		var errs []fieldErr
		if in.Day != "" || in.Month != "" || in.Year != "" {
			until, ok := dateOf(in.Day, in.Month, in.Year)
			if !ok {
				errs = append(errs, fieldErr{Field: "until", Message: "The new deadline must be a real date, like 27 3 2027"})
			}
			req.Until = until
		}
		if in.WorkingDays != "" {
			n, err := strconv.Atoi(in.WorkingDays)
			if err != nil || n < 1 || n > 250 {
				errs = append(errs, fieldErr{Field: "working_days", Message: "Enter a whole number of working days from 1 to 250, like 5"})
			}
			req.WorkingDays = n
		}
		if len(errs) > 0 {
			return "", errs, nil
		}
		v, err := s.Apps().Extend(ctx, me, id, req)
		if err != nil {
			return "", nil, err
		}
		notice := "Deadline extended for " + name(v)
		if d := formatDate(v.Next.DueAt); d != "" {
			notice += ": it is now " + d
		}
		return notice, nil, nil
	case structs.ActionReassign:
		v, err := s.Apps().Reassign(ctx, me, id, reason)
		if err != nil {
			return "", nil, err
		}
		return name(v) + " was taken from its assessor and is being allocated again", nil, nil
	case structs.ActionAllocate:
		if in.Assessor == "" {
			return "", []fieldErr{{Field: "assessor", Message: "Choose the assessor to offer it to"}}, nil
		}
		v, err := s.Apps().Allocate(ctx, me, id, structs.AllocateRequest{Assessor: in.Assessor, Reason: in.Reason})
		if err != nil {
			return "", nil, err
		}
		if a := v.Assessment; a != nil && a.Offer != nil && a.Offer.Name != "" {
			return name(v) + " was offered to " + a.Offer.Name, nil, nil
		}
		return "An assessor was allocated to " + name(v), nil, nil
	case structs.ActionRetry:
		ans, err := s.Admin().Retry(ctx, me, id)
		if err != nil {
			return "", nil, err
		}
		if ans.JourneyStarted {
			return "The journey of application " + id + " was started", nil, nil
		}
		var steps []string
		for _, a := range ans.Retried {
			steps = append(steps, a.Activity)
		}
		return fmt.Sprintf("Retried now: %s", strings.Join(steps, ", ")), nil, nil
	case structs.ActionWithdraw:
		// An applicant withdraws their own application from its page; this one is the admins'.
		if _, err := s.Apps().AdminApplication(ctx, me, id); err != nil {
			return "", nil, err
		}
		v, err := s.Apps().Withdraw(ctx, me, id, reason)
		if err != nil {
			return "", nil, err
		}
		return name(v) + " was withdrawn", nil, nil
	}
	return "", nil, structs.NotFound("no action " + action)
}

// dateOf reads a GOV.UK date input (day, month, year) as YYYY-MM-DD.
func dateOf(day, month, year string) (string, bool) {
	d, err1 := strconv.Atoi(day)
	m, err2 := strconv.Atoi(month)
	y, err3 := strconv.Atoi(year)
	if err1 != nil || err2 != nil || err3 != nil || y < 2000 || y > 2200 {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

// fieldsOf gives a refusal that names one of the form's fields in its words ("reason: say
// why …", as a journey says it) to that field, so the summary links to it.
func fieldsOf(errs []fieldErr, fields ...string) []fieldErr {
	out := make([]fieldErr, len(errs))
	for i, e := range errs {
		out[i] = e
		if e.Field != "" {
			continue
		}
		for _, f := range fields {
			if rest, ok := cutPrefixFold(e.Message, f+": "); ok {
				out[i] = fieldErr{Field: f, Message: upperFirst(rest)}
				break
			}
		}
	}
	return out
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
