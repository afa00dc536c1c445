package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/services/people"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// People and the assessor roster: the list with a filter, inviting someone, a person's page
// (roles, API tokens, deactivate and reactivate, their roster entry), changing roles, revoking
// a token, the roster entry's form with conflicts of interest, and the roster's overview.
// Destructive actions (deactivate, revoke a token, remove a conflict) ask first.

func (s *Server) officePeopleRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/people", s.signedIn(s.officePeoplePage))
	mux.Handle("GET /admin/people/new", s.signedIn(s.officeInvitePage))
	mux.Handle("POST /admin/people/new", s.signedIn(s.officeInviteForm))
	mux.Handle("GET /admin/people/{id}", s.signedIn(s.officePersonPage))
	mux.Handle("GET /admin/people/{id}/roles", s.signedIn(s.officeRolesPage))
	mux.Handle("POST /admin/people/{id}/roles", s.signedIn(s.officeRolesForm))
	mux.Handle("GET /admin/people/{id}/deactivate", s.signedIn(s.officeDeactivatePage))
	mux.Handle("POST /admin/people/{id}/deactivate", s.signedIn(s.officeSetActive(false)))
	mux.Handle("POST /admin/people/{id}/reactivate", s.signedIn(s.officeSetActive(true)))
	mux.Handle("GET /admin/people/{id}/tokens/{token}/revoke", s.signedIn(s.officeRevokePage))
	mux.Handle("POST /admin/people/{id}/tokens/{token}/revoke", s.signedIn(s.officeRevokeForm))
	mux.Handle("GET /admin/people/{id}/roster", s.signedIn(s.officeRosterEntryPage))
	mux.Handle("POST /admin/people/{id}/roster", s.signedIn(s.officeRosterEntryForm))
	mux.Handle("POST /admin/people/{id}/conflicts", s.signedIn(s.officeConflictForm))
	mux.Handle("GET /admin/people/{id}/conflicts/{setting}/remove", s.signedIn(s.officeConflictRemovePage))
	mux.Handle("POST /admin/people/{id}/conflicts/{setting}/remove", s.signedIn(s.officeConflictRemoveForm))
	mux.Handle("GET /admin/roster", s.signedIn(s.officeRosterPage))
}

func init() {
	funcs["roleTitle"] = officeRoleTitle
	funcs["rolesText"] = officeRolesText
	funcs["specialismTitle"] = func(s award.Specialism) string { return officeSpecialismTitle(s) }
	funcs["tracksText"] = func(ts []award.Track) string {
		out := make([]string, len(ts))
		for i, t := range ts {
			out[i] = t.Title()
		}
		if len(out) == 0 {
			return "None yet"
		}
		return strings.Join(out, ", ")
	}
	funcs["specialismsText"] = func(ss []award.Specialism) string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = officeSpecialismTitle(s)
		}
		if len(out) == 0 {
			return "None"
		}
		return strings.Join(out, ", ")
	}
	funcs["hasTrack"] = func(ts []award.Track, t award.Track) bool { return slices.Contains(ts, t) }
	funcs["hasSpecialism"] = func(ss []award.Specialism, s award.Specialism) bool { return slices.Contains(ss, s) }
}

// officeRoles are the roles in the order shown, with what each lets a person do.
var officeRoles = []officeRole{
	{postgres.RoleApplicant, "Applicant", "Registers a school, setting or household and builds its portfolio"},
	{postgres.RoleSupporter, "Supporter", "Follows the applications they support, for example an Education Champion or a supervising social worker"},
	{postgres.RoleAssessor, "Assessor", "Scores the portfolios offered to them"},
	{postgres.RoleModerator, "Moderator", "Checks assessments before the award is decided"},
	{postgres.RoleAdmin, "Admin", "Runs the award: people, settings, reports and stuck applications"},
}

type officeRole struct{ Value, Title, Hint string }

// officeRolesField is the roles' checkboxes (the "office-roles" template).
type officeRolesField struct {
	Roles   []officeRole
	Chosen  []string
	Error   string
	Legend  string
	Heading bool // the legend is the page's h1
}

func init() {
	funcs["officeRoles"] = func(chosen []string, errs []structs.FieldError, legend string, heading bool) officeRolesField {
		return officeRolesField{Roles: officeRoles, Chosen: chosen, Error: fieldError(errs, "roles"), Legend: legend, Heading: heading}
	}
}

// officeRolesText is a set of roles in words: "Assessor, Moderator".
func officeRolesText(roles []string) string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = officeRoleTitle(r)
	}
	if len(out) == 0 {
		return "None"
	}
	return strings.Join(out, ", ")
}

func officeRoleTitle(role string) string {
	for _, r := range officeRoles {
		if r.Value == role {
			return r.Title
		}
	}
	return role
}

// officeSpecialisms are the specialisms an assessor may hold, with the applications needing each.
var officeSpecialisms = []struct {
	Value       award.Specialism
	Title, Hint string
}{
	{award.EarlyYears, "Early years", "Needed for early years settings and early years foster carers"},
	{award.Residential, "Residential", "Needed for residential children's homes"},
}

func officeSpecialismTitle(s award.Specialism) string {
	for _, x := range officeSpecialisms {
		if x.Value == s {
			return x.Title
		}
	}
	return string(s)
}

// officePersonName is a person's name for a notice, or their id when it is not known.
func officePersonName(v structs.PersonView) string {
	if v.Name != "" {
		return v.Name
	}
	return v.ID
}

// --- the list ---

// officePeopleData is the people page.
type officePeopleData struct {
	Query, Role, Status string
	Roles               []officeRole
	People              []structs.PersonView
	Filtered            bool
}

func (s *Server) officePeoplePage(w http.ResponseWriter, r *http.Request, me award.Person) {
	q := r.URL.Query()
	d := officePeopleData{Query: strings.TrimSpace(q.Get("q")), Role: q.Get("role"), Status: q.Get("status"), Roles: officeRoles}
	pq := structs.PeopleQuery{Query: d.Query, Role: d.Role}
	switch d.Status {
	case "active", "deactivated":
		active := d.Status == "active"
		pq.Active = &active
	default:
		d.Status = ""
	}
	d.Filtered = d.Query != "" || d.Role != "" || d.Status != ""
	list, err := s.People().List(r.Context(), me, pq)
	if err != nil {
		errs, ok := formErrors(err)
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		for i := range errs {
			if errs[i].Field == "q" {
				errs[i].Message = "The search must be one line of text"
			}
		}
		s.render(w, r, http.StatusUnprocessableEntity, "admin/people", &Page{Title: "People", Me: me, Errors: errs, Data: d})
		return
	}
	d.People = list.People
	s.render(w, r, http.StatusOK, "admin/people", &Page{Title: "People", Me: me,
		Notice: s.Sessions.PopString(r.Context(), noticeKey), Data: d})
}

// --- inviting ---

// officeInviteData is the invitation form.
type officeInviteData struct {
	Name, Email string
	Chosen      []string
	Roles       []officeRole
}

func (s *Server) officeInvitePage(w http.ResponseWriter, r *http.Request, me award.Person) {
	if err := people.MayManage(me); err != nil {
		s.fail(w, r, me, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin/person-new", &Page{Title: "Invite someone", Me: me, Back: "/admin/people",
		Data: officeInviteData{Roles: officeRoles}})
}

func (s *Server) officeInviteForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	if !readForm(w, r) {
		s.render(w, r, http.StatusBadRequest, "admin/person-new", &Page{Title: "Invite someone", Me: me, Back: "/admin/people",
			Errors: oneError("", "the form could not be read: try again"), Data: officeInviteData{Roles: officeRoles}})
		return
	}
	req := structs.InviteRequest{Name: strings.TrimSpace(r.PostForm.Get("name")), Email: strings.TrimSpace(r.PostForm.Get("email")),
		Roles: r.PostForm["roles"]}
	d := officeInviteData{Name: req.Name, Email: req.Email, Chosen: req.Roles, Roles: officeRoles}
	v, err := s.People().Invite(r.Context(), me, req)
	if err != nil {
		errs, ok := formErrors(err)
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		for i, e := range errs {
			switch {
			case e.Field == "name" && req.Name == "":
				errs[i].Message = "Enter their full name"
			case e.Field == "email" && req.Email == "":
				errs[i].Message = "Enter their email address"
			case e.Field == "email" && strings.Contains(strings.ToLower(e.Message), "already a member"):
				errs[i].Message = "Someone in your council already has this email address: find them in the list and change their roles instead"
			case e.Field == "email":
				errs[i].Message = "Enter an email address in the correct format, like name@example.org"
			case e.Field == "roles":
				errs[i].Message = "Select what they can do"
			}
		}
		p, _ := applications.Problem(err, false)
		s.render(w, r, p.Status, "admin/person-new", &Page{Title: "Invite someone", Me: me, Back: "/admin/people", Errors: errs, Data: d})
		return
	}
	notice := "We have emailed " + v.Name + " an invitation to sign in."
	if v.Invitation != people.InvitationSent {
		notice = v.Name + " has been added, but no invitation was sent: " + v.InvitationProblem + "."
	}
	s.Sessions.Put(r.Context(), noticeKey, notice)
	http.Redirect(w, r, "/admin/people/"+url.PathEscape(v.ID), http.StatusSeeOther)
}

// --- a person ---

// officePersonData is a person's page.
type officePersonData struct {
	Person structs.PersonView
	// Roster is their roster entry, when they assess or moderate.
	Roster *postgres.AssessorProfile
	Tokens []officeToken
	Self   bool
}

// officeToken is an API token with its state in words.
type officeToken struct {
	postgres.APIToken
	State  string // Active, Revoked or Expired
	Active bool
}

// officeLoadPerson reads the person of the path (the service checks the admin may).
func (s *Server) officeLoadPerson(w http.ResponseWriter, r *http.Request, me award.Person) (structs.PersonView, bool) {
	v, err := s.People().Person(r.Context(), me, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, me, err)
		return v, false
	}
	return v, true
}

func (s *Server) officePersonPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	s.renderOfficePerson(w, r, me, http.StatusOK, nil)
}

// renderOfficePerson shows the person's page, with errs of an action refused.
func (s *Server) renderOfficePerson(w http.ResponseWriter, r *http.Request, me award.Person, status int, errs []structs.FieldError) {
	v, ok := s.officeLoadPerson(w, r, me)
	if !ok {
		return
	}
	d := officePersonData{Person: v, Self: v.ID == me.ID}
	if slices.Contains(v.Roles, postgres.RoleAssessor) || slices.Contains(v.Roles, postgres.RoleModerator) {
		entry, err := s.Admin().RosterEntry(r.Context(), me, v.ID)
		p, known := applications.Problem(err, true)
		switch {
		case err == nil:
			d.Roster = &entry
		case known && p.Status == http.StatusNotFound:
			// Not on the roster (their role changed meanwhile): the page shows the rest.
		default:
			s.fail(w, r, me, err)
			return
		}
	}
	tokens, err := s.tokens().Tokens(r.Context(), me, v.ID)
	if err != nil {
		s.fail(w, r, me, signinProblem(err))
		return
	}
	now := time.Now()
	for _, t := range tokens {
		ot := officeToken{APIToken: t, State: "Active", Active: true}
		switch {
		case t.RevokedAt != nil:
			ot.State, ot.Active = "Revoked", false
		case !t.ExpiresAt.IsZero() && now.After(t.ExpiresAt):
			ot.State, ot.Active = "Expired", false
		}
		d.Tokens = append(d.Tokens, ot)
	}
	s.render(w, r, status, "admin/person", &Page{Title: officePersonName(v), Me: me, Back: "/admin/people", Errors: errs,
		Notice: s.Sessions.PopString(r.Context(), noticeKey), Data: d})
}

// --- roles ---

// officeRolesData is the roles form.
type officeRolesData struct {
	Person structs.PersonView
	Chosen []string
	Roles  []officeRole
}

func (s *Server) officeRolesPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	v, ok := s.officeLoadPerson(w, r, me)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "admin/person-roles", &Page{Title: "What can " + officePersonName(v) + " do?", Me: me,
		Back: "/admin/people/" + url.PathEscape(v.ID), Data: officeRolesData{Person: v, Chosen: v.Roles, Roles: officeRoles}})
}

func (s *Server) officeRolesForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	v, ok := s.officeLoadPerson(w, r, me)
	if !ok {
		return
	}
	d := officeRolesData{Person: v, Chosen: v.Roles, Roles: officeRoles}
	page := func(status int, errs []structs.FieldError) {
		s.render(w, r, status, "admin/person-roles", &Page{Title: "What can " + officePersonName(v) + " do?", Me: me,
			Back: "/admin/people/" + url.PathEscape(v.ID), Errors: errs, Data: d})
	}
	if !readForm(w, r) {
		page(http.StatusBadRequest, oneError("", "the form could not be read: try again"))
		return
	}
	roles := r.PostForm["roles"]
	if roles == nil {
		roles = []string{}
	}
	d.Chosen = roles
	if len(roles) == 0 {
		// Refused by the service too; the page says it in its words (and the service checks access).
		if _, err := s.People().SetRoles(r.Context(), me, v.ID, structs.RolesRequest{Roles: roles}); err != nil {
			if _, ok := formErrors(err); !ok {
				s.fail(w, r, me, err)
				return
			}
		}
		page(http.StatusUnprocessableEntity, oneError("roles", "Select at least one role. To stop someone signing in, deactivate them instead"))
		return
	}
	after, err := s.People().SetRoles(r.Context(), me, v.ID, structs.RolesRequest{Roles: roles})
	if err != nil {
		errs, ok := formErrors(err)
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		for i := range errs {
			if errs[i].Field == "" {
				errs[i].Field = "roles"
			}
		}
		p, _ := applications.Problem(err, false)
		page(p.Status, errs)
		return
	}
	notice := officePersonName(after) + "'s roles have not changed."
	if after.Changed {
		notice = officePersonName(after) + " can now act as: " + strings.ToLower(officeRolesText(after.Roles)) + "."
	}
	s.Sessions.Put(r.Context(), noticeKey, notice)
	http.Redirect(w, r, "/admin/people/"+url.PathEscape(v.ID), http.StatusSeeOther)
}

// --- deactivate and reactivate ---

func (s *Server) officeDeactivatePage(w http.ResponseWriter, r *http.Request, me award.Person) {
	v, ok := s.officeLoadPerson(w, r, me)
	if !ok {
		return
	}
	if !v.Active {
		http.Redirect(w, r, "/admin/people/"+url.PathEscape(v.ID), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "admin/person-deactivate", &Page{Title: "Are you sure you want to deactivate " + officePersonName(v) + "?",
		Me: me, Back: "/admin/people/" + url.PathEscape(v.ID), Data: officePersonData{Person: v, Self: v.ID == me.ID}})
}

// officeSetActive deactivates (active false) or reactivates a person, then shows their page
// with what changed.
func (s *Server) officeSetActive(active bool) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, me award.Person) {
		id := r.PathValue("id")
		v, err := s.People().SetActive(r.Context(), me, id, active)
		if err != nil {
			errs, ok := formErrors(err)
			if !ok {
				s.fail(w, r, me, err)
				return
			}
			p, _ := applications.Problem(err, false)
			s.renderOfficePerson(w, r, me, p.Status, errs)
			return
		}
		name := officePersonName(v)
		notice := name + " is deactivated. They cannot sign in, and their sessions and API tokens are refused until they are reactivated."
		switch {
		case active && v.Changed:
			notice = name + " is reactivated and can sign in again."
		case active:
			notice = name + " was already active."
		case !v.Changed:
			notice = name + " was already deactivated."
		}
		s.Sessions.Put(r.Context(), noticeKey, notice)
		http.Redirect(w, r, "/admin/people/"+url.PathEscape(id), http.StatusSeeOther)
	}
}

// --- revoking a token ---

// officeRevokeData is the confirmation of revoking a token.
type officeRevokeData struct {
	Person structs.PersonView
	Token  postgres.APIToken
}

// officeLoadToken reads the person and their token of the path: a token of anyone else is not found.
func (s *Server) officeLoadToken(w http.ResponseWriter, r *http.Request, me award.Person) (officeRevokeData, bool) {
	v, ok := s.officeLoadPerson(w, r, me)
	if !ok {
		return officeRevokeData{}, false
	}
	tokens, err := s.tokens().Tokens(r.Context(), me, v.ID)
	if err != nil {
		s.fail(w, r, me, signinProblem(err))
		return officeRevokeData{}, false
	}
	for _, t := range tokens {
		if t.ID == r.PathValue("token") {
			return officeRevokeData{Person: v, Token: t}, true
		}
	}
	s.notFound(w, r, me)
	return officeRevokeData{}, false
}

func (s *Server) officeRevokePage(w http.ResponseWriter, r *http.Request, me award.Person) {
	d, ok := s.officeLoadToken(w, r, me)
	if !ok {
		return
	}
	if d.Token.RevokedAt != nil {
		http.Redirect(w, r, "/admin/people/"+url.PathEscape(d.Person.ID), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "admin/person-token-revoke", &Page{Title: "Are you sure you want to revoke this API token?", Me: me,
		Back: "/admin/people/" + url.PathEscape(d.Person.ID), Data: d})
}

func (s *Server) officeRevokeForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	d, ok := s.officeLoadToken(w, r, me)
	if !ok {
		return
	}
	t, err := s.tokens().RevokeAnyToken(r.Context(), me, d.Token.ID)
	if err != nil {
		s.fail(w, r, me, signinProblem(err))
		return
	}
	s.Sessions.Put(r.Context(), noticeKey, "The API token “"+t.Label+"” is revoked: it no longer works.")
	http.Redirect(w, r, "/admin/people/"+url.PathEscape(d.Person.ID), http.StatusSeeOther)
}

// --- the roster entry and conflicts ---

// officeRosterEntryData is a person's roster form and conflicts.
type officeRosterEntryData struct {
	Person      structs.PersonView
	Entry       postgres.AssessorProfile
	Capacity    string
	Tracks      []award.Track
	Specialisms []struct {
		Value       award.Specialism
		Title, Hint string
	}
	// The conflict form's values.
	SettingReference, Reason string
}

func (s *Server) officeRosterEntryPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	s.renderOfficeRosterEntry(w, r, me, http.StatusOK, nil, nil)
}

// renderOfficeRosterEntry shows the roster form; edit, when set, changes what it shows (the
// values a refused form sent).
func (s *Server) renderOfficeRosterEntry(w http.ResponseWriter, r *http.Request, me award.Person, status int,
	errs []structs.FieldError, edit func(*officeRosterEntryData)) {
	v, ok := s.officeLoadPerson(w, r, me)
	if !ok {
		return
	}
	entry, err := s.Admin().RosterEntry(r.Context(), me, v.ID)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	d := officeRosterEntryData{Person: v, Entry: entry, Capacity: strconv.Itoa(entry.Capacity), Tracks: award.Tracks(),
		Specialisms: officeSpecialisms}
	if edit != nil {
		edit(&d)
	}
	s.render(w, r, status, "admin/roster-person", &Page{Title: "Assessing and moderating: " + officePersonName(v), Me: me,
		Back: "/admin/people/" + url.PathEscape(v.ID), Errors: errs, Notice: s.Sessions.PopString(r.Context(), noticeKey), Data: d})
}

func (s *Server) officeRosterEntryForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	id := r.PathValue("id")
	if !readForm(w, r) {
		s.renderOfficeRosterEntry(w, r, me, http.StatusBadRequest, oneError("", "the form could not be read: try again"), nil)
		return
	}
	tracks := []award.Track{}
	for _, t := range r.PostForm["tracks"] {
		tracks = append(tracks, award.Track(t))
	}
	specialisms := []award.Specialism{}
	for _, sp := range r.PostForm["specialisms"] {
		specialisms = append(specialisms, award.Specialism(sp))
	}
	capText := strings.TrimSpace(r.PostForm.Get("capacity"))
	active := r.PostForm.Get("active") != "no"
	keep := func(d *officeRosterEntryData) {
		d.Entry.Tracks, d.Entry.Specialisms, d.Capacity, d.Entry.Active = tracks, specialisms, capText, active
	}
	capacity, err := strconv.Atoi(capText)
	if err != nil {
		// The service refuses what it is given; a number that is not one never reaches it. It
		// still checks access first.
		if _, err := s.Admin().RosterEntry(r.Context(), me, id); err != nil {
			s.fail(w, r, me, err)
			return
		}
		msg := "Enter how many assessments they can hold at once, as a number from 0 to 100"
		if capText == "" {
			msg = "Enter how many assessments they can hold at once"
		}
		s.renderOfficeRosterEntry(w, r, me, http.StatusUnprocessableEntity, oneError("capacity", msg), keep)
		return
	}
	req := structs.RosterUpdate{Tracks: &tracks, Specialisms: &specialisms, Capacity: &capacity, Active: &active}
	if err := structs.CheckStrings(req); err != nil {
		s.renderOfficeRosterEntry(w, r, me, http.StatusUnprocessableEntity, oneError("tracks", "Choose from the awards listed"), keep)
		return
	}
	p, err := s.Admin().PutRoster(r.Context(), me, id, req)
	if err != nil {
		errs, ok := formErrors(err)
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		for i := range errs {
			if errs[i].Field == "capacity" {
				errs[i].Message = "Enter how many assessments they can hold at once, as a number from 0 to 100"
			}
		}
		pr, _ := applications.Problem(err, false)
		s.renderOfficeRosterEntry(w, r, me, pr.Status, errs, keep)
		return
	}
	notice := p.Name + "'s roster entry is saved."
	if !p.Active {
		notice += " They will not be offered new work until you change this."
	}
	s.Sessions.Put(r.Context(), noticeKey, notice)
	http.Redirect(w, r, "/admin/people/"+url.PathEscape(id), http.StatusSeeOther)
}

func (s *Server) officeConflictForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	id := r.PathValue("id")
	if !readForm(w, r) {
		s.renderOfficeRosterEntry(w, r, me, http.StatusBadRequest, oneError("", "the form could not be read: try again"), nil)
		return
	}
	req := structs.ConflictRequest{SettingReference: strings.TrimSpace(r.PostForm.Get("setting_reference")),
		Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
	keep := func(d *officeRosterEntryData) { d.SettingReference, d.Reason = req.SettingReference, req.Reason }
	var err error
	if err = structs.CheckStrings(req); err == nil {
		_, err = s.Admin().AddConflict(r.Context(), me, id, req)
	}
	if err != nil {
		errs, ok := formErrors(err)
		p, known := applications.Problem(err, false)
		if known && p.Status == http.StatusNotFound && strings.Contains(p.Detail, "setting") {
			// The person is theirs to see (the page loads): the setting is what was not found.
			errs, ok = oneError("setting_reference", "There is no setting with the reference "+req.SettingReference+" in your council"), true
		}
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		for i, e := range errs {
			switch {
			case e.Field == "setting_reference" && req.SettingReference == "":
				errs[i].Message = "Enter the setting's reference, for example its URN"
			case e.Field == "reason" && req.Reason == "":
				errs[i].Message = "Enter why they may not assess this setting"
			}
		}
		s.renderOfficeRosterEntry(w, r, me, http.StatusUnprocessableEntity, errs, keep)
		return
	}
	s.Sessions.Put(r.Context(), noticeKey, "The conflict of interest with "+req.SettingReference+" is recorded: they will not be offered it.")
	http.Redirect(w, r, "/admin/people/"+url.PathEscape(id)+"/roster", http.StatusSeeOther)
}

// officeConflictData is the confirmation of removing a conflict.
type officeConflictData struct {
	Person   structs.PersonView
	Conflict postgres.Conflict
}

// officeLoadConflict reads the person's conflict of the path.
func (s *Server) officeLoadConflict(w http.ResponseWriter, r *http.Request, me award.Person) (officeConflictData, bool) {
	v, ok := s.officeLoadPerson(w, r, me)
	if !ok {
		return officeConflictData{}, false
	}
	entry, err := s.Admin().RosterEntry(r.Context(), me, v.ID)
	if err != nil {
		s.fail(w, r, me, err)
		return officeConflictData{}, false
	}
	for _, c := range entry.Conflicts {
		if c.SettingID == r.PathValue("setting") {
			return officeConflictData{Person: v, Conflict: c}, true
		}
	}
	s.notFound(w, r, me)
	return officeConflictData{}, false
}

func (s *Server) officeConflictRemovePage(w http.ResponseWriter, r *http.Request, me award.Person) {
	d, ok := s.officeLoadConflict(w, r, me)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "admin/roster-conflict-remove", &Page{Title: "Are you sure you want to remove this conflict of interest?",
		Me: me, Back: "/admin/people/" + url.PathEscape(d.Person.ID) + "/roster", Data: d})
}

func (s *Server) officeConflictRemoveForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	d, ok := s.officeLoadConflict(w, r, me)
	if !ok {
		return
	}
	if err := s.Admin().RemoveConflict(r.Context(), me, d.Person.ID, d.Conflict.SettingID); err != nil {
		s.fail(w, r, me, err)
		return
	}
	s.Sessions.Put(r.Context(), noticeKey, "The conflict of interest with "+d.Conflict.SettingName+" is removed: "+
		officePersonName(d.Person)+" may be offered it again.")
	http.Redirect(w, r, "/admin/people/"+url.PathEscape(d.Person.ID)+"/roster", http.StatusSeeOther)
}

// --- the roster's overview ---

func (s *Server) officeRosterPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	roster, err := s.Admin().Roster(r.Context(), me)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin/roster", &Page{Title: "Assessor roster", Me: me, Back: "/admin/people", Data: roster})
}
