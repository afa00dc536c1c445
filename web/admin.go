package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/structs"
)

// The admins' operational pages (SPEC §4, issue 13): the dashboard (counts per stage, overdue,
// flags, and charts of applications per stage and median working days per stage, each with a
// table of the same numbers), the stuck list with each entry's actions, search, and an
// application's page (timeline, allocation reasons, emails, audit trail, the workflow in the
// Temporal Web UI, the actions its stage allows). Every action (admin_actions.go) is a
// confirmation page with a reason, then a POST that redirects with the result in a banner.
// services/admin decides who may see each page (anyone but an admin gets the 403 page) and
// scopes everything to the admin's tenant (another tenant's application is not found).

func (s *Server) adminRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin", s.signedIn(s.dashboardPage))
	mux.Handle("GET /admin/stuck", s.signedIn(s.stuckPage))
	mux.Handle("GET /admin/search", s.signedIn(s.searchPage))
	mux.Handle("GET /admin/applications/{id}", s.signedIn(s.adminApplicationPage))
	s.adminActionRoutes(mux) // nudge, extend, reassign, allocate, retry, withdraw: admin_actions.go
}

func init() {
	funcs["adminStage"] = adminStageName
	funcs["flagName"] = flagName
	funcs["stuckReason"] = stuckReasonName
	funcs["unstick"] = unstickWords
	funcs["auditAction"] = auditAction
	funcs["days"] = formatDays
	funcs["actorName"] = actorName
	funcs["actionName"] = func(a string) string { return actionSpecs[a].Link }
	funcs["emailStatus"] = emailStatus
	funcs["emailTag"] = emailTag
	funcs["stuckActions"] = stuckActions
	funcs["upperFirst"] = upperFirst
}

// --- words ---

// adminStageName is a stage in the award team's words.
func adminStageName(v any) string {
	switch award.Stage(fmt.Sprint(v)) {
	case award.StageOffered:
		return "Offered to an assessor"
	case award.StagePortfolio:
		return "Gathering evidence"
	}
	return stageName(v)
}

var flagNames = map[string]string{
	"no_eligible_assessor":  "No eligible assessor",
	"no_eligible_moderator": "No eligible moderator",
	"dormant":               "No activity for months",
}

func flagName(f string) string {
	if n, ok := flagNames[f]; ok {
		return n
	}
	return upperFirst(strings.ReplaceAll(f, "_", " "))
}

var stuckReasons = map[string]string{
	"overdue":               "A step is overdue",
	"activity_failing":      "A step keeps failing",
	"data_error":            "A step failed for good",
	"workflow_task_failing": "The journey cannot run",
	"no_eligible_assessor":  "No assessor can be allocated",
	"no_eligible_moderator": "No moderator can be found",
	"dormant":               "No activity for months",
	"email_bounced":         "Emails cannot be delivered",
	"journey_missing":       "The journey has not started",
}

func stuckReasonName(r string) string {
	if n, ok := stuckReasons[r]; ok {
		return n
	}
	return upperFirst(strings.ReplaceAll(r, "_", " "))
}

// unstickWords says what would unstick an entry, in the words of the pages (the API's hint
// names commands and endpoints).
func unstickWords(e structs.StuckEntry) string {
	switch e.Reason {
	case "overdue":
		switch e.Who {
		case award.RoleApplicant:
			return "Send the applicant a reminder, or extend the deadline."
		case award.RoleAdmin:
			return "Allocate an assessor by hand."
		}
		return "Send a reminder, extend the deadline, or reassign it."
	case "no_eligible_assessor":
		return "Allocate an assessor by hand, or qualify an assessor for this award and setting on the roster."
	case "no_eligible_moderator":
		return "Give the moderator role to someone who is not this application's assessor, applicant or supporter, or make a moderator active again on the roster."
	case "dormant":
		return "Send the applicant a reminder, or withdraw the application."
	case "email_bounced":
		return "Correct the person's email address or contact them another way, then send a reminder."
	case "activity_failing":
		return "It tries again by itself once the cause in the last error is fixed; you can also retry it now."
	case "data_error":
		return "Ask an engineer: retrying changes nothing. The journey must be reset in Temporal to before the failed step."
	case "workflow_task_failing":
		return "Ask an engineer: the journey's code needs a fix before anything can happen."
	case "journey_missing":
		return "It starts by itself within seconds; you can also start it now with retry."
	}
	return upperFirst(e.Unstick)
}

// stuckActions are the actions offered on a stuck list entry: what its reason calls for (the
// journey decides when asked; the application's page offers what its stage allows).
func stuckActions(e structs.StuckEntry) []string {
	st := award.Stage(e.Stage)
	var out []string
	switch e.Reason {
	case "overdue":
		switch st {
		case award.StageAwaitingAllocation:
			return []string{structs.ActionAllocate}
		case award.StageOffered, award.StageAssessment:
			return []string{structs.ActionNudge, structs.ActionExtend, structs.ActionReassign}
		}
		return []string{structs.ActionNudge, structs.ActionExtend, structs.ActionWithdraw}
	case "no_eligible_assessor":
		return []string{structs.ActionAllocate, structs.ActionWithdraw}
	case "dormant":
		return []string{structs.ActionNudge, structs.ActionExtend, structs.ActionWithdraw}
	case "email_bounced":
		return []string{structs.ActionNudge}
	case "activity_failing", "journey_missing":
		return []string{structs.ActionRetry}
	}
	return out
}

// auditAction is an audit line's action in words: "assessor_offered" → "Assessor offered".
func auditAction(a string) string { return upperFirst(strings.ReplaceAll(a, "_", " ")) }

// actorName names who did something: the person's name, or the journey itself.
func actorName(id, name string) string {
	switch {
	case name != "":
		return name
	case id == award.RoleSystem || id == "":
		return "The system"
	}
	return id
}

// formatDays is a number of working days: "3", "2.5".
func formatDays(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// emailStatus is an email's delivery in words.
func emailStatus(e structs.SentEmail) string {
	switch e.Status {
	case "sent":
		return "Sent"
	case "failed":
		return "Not delivered"
	case "bounced":
		return "Bounced"
	case "pending", "":
		return "Being sent"
	}
	return upperFirst(e.Status)
}

func emailTag(e structs.SentEmail) string {
	switch e.Status {
	case "sent":
		return "govuk-tag--green"
	case "failed", "bounced", "dropped":
		return "govuk-tag--red"
	}
	return "govuk-tag--grey"
}

// --- the dashboard ---

// dashboardData is the dashboard page.
type dashboardData struct {
	D            structs.Dashboard
	StageChart   barChart
	MedianChart  barChart
	MedianFrom   time.Time
	MedianTo     time.Time
	FlaggedTotal int
}

// barChart is a horizontal bar chart drawn as SVG on the server: each bar's label above it and
// its value after it, sized in the SVG's own units (the image scales to its column).
type barChart struct {
	ID, Title, Desc string
	Width, Height   int
	Bars            []chartBar
}

type chartBar struct {
	Label, Value string
	LabelY, BarY int
	BarHeight    int
	BarWidth     float64
	ValueX       float64
	ValueY       int
}

const (
	chartWidth    = 360 // the viewBox's width
	chartBarSpace = 290 // the longest bar; the rest is for its value
	chartRow      = 52  // label, bar and gap
	chartBarH     = 18
)

// newBarChart lays out bars (label, value, its text) for the chart's SVG.
func newBarChart(id, title, desc string, labels []string, values []float64, texts []string) barChart {
	c := barChart{ID: id, Title: title, Desc: desc, Width: chartWidth, Height: max(len(labels)*chartRow, chartRow)}
	top := 0.0
	for _, v := range values {
		top = max(top, v)
	}
	for i, l := range labels {
		y := i * chartRow
		w := 0.0
		if top > 0 {
			w = values[i] / top * chartBarSpace
		}
		if values[i] > 0 && w < 2 {
			w = 2 // a value above zero is always visible
		}
		c.Bars = append(c.Bars, chartBar{Label: l, Value: texts[i], LabelY: y + 18, BarY: y + 26, BarHeight: chartBarH, BarWidth: w,
			ValueX: w + 6, ValueY: y + 26 + chartBarH - 4})
	}
	return c
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	d, err := s.Admin().Dashboard(r.Context(), me)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	data := dashboardData{D: d}
	var labels, texts []string
	var values []float64
	for _, st := range d.Stages {
		labels = append(labels, adminStageName(st.Stage))
		values = append(values, float64(st.Applications))
		texts = append(texts, strconv.Itoa(st.Applications))
	}
	data.StageChart = newBarChart("chart-stages", "Applications by stage",
		"A bar for each stage, as long as the number of applications at it now. The table beside it has the same numbers.", labels, values, texts)
	labels, values, texts = nil, nil, nil
	for _, m := range d.MedianWorkingDays {
		labels = append(labels, adminStageName(m.Stage))
		values = append(values, m.Median)
		texts = append(texts, formatDays(m.Median))
	}
	data.MedianChart = newBarChart("chart-medians", "Median working days in each stage",
		"A bar for each stage, as long as the median number of working days applications spent in it. The table beside it has the same numbers.", labels, values, texts)
	data.MedianFrom, _ = time.ParseInLocation(time.DateOnly, d.MedianFrom, ukTime)
	data.MedianTo, _ = time.ParseInLocation(time.DateOnly, d.MedianTo, ukTime)
	for _, f := range d.Flags {
		data.FlaggedTotal += f.Applications
	}
	s.render(w, r, http.StatusOK, "admin/dashboard", &Page{Title: "Dashboard", Me: me, Data: data})
}

// --- the stuck list ---

// stuckData is the stuck list page.
type stuckData struct {
	List structs.StuckList
}

func (s *Server) stuckPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	list, err := s.Admin().Stuck(r.Context(), me)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin/stuck", &Page{Title: "Stuck applications", Me: me,
		Notice: s.Sessions.PopString(r.Context(), noticeKey), Data: stuckData{List: list}})
}

// --- search ---

// searchData is the search page: the form, and the results once something was searched.
type searchData struct {
	Q        string
	Searched bool
	Answer   structs.SearchAnswer
}

var matchNames = map[string]string{
	"id":               "Application ID",
	"reference":        "Reference",
	"reference_prefix": "Start of the reference",
	"setting_name":     "Setting name",
	"applicant":        "Applicant",
	"supporter":        "Supporter",
}

func init() {
	funcs["matchName"] = func(m string) string {
		if n, ok := matchNames[m]; ok {
			return n
		}
		return m
	}
}

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	q, asked := r.URL.Query()["q"]
	d := searchData{}
	if asked {
		d.Q = strings.Join(q, " ")
	}
	// The service decides who may search: it refuses anyone but an admin before it reads the
	// query, so the empty form is asked for too.
	ans, err := s.Admin().Search(r.Context(), me, structs.SearchQuery{Q: d.Q})
	p := &Page{Title: "Search applications", Me: me}
	switch {
	case err == nil:
		d.Searched, d.Answer = true, ans
		p.Title = "Search applications: " + ans.Query
	default:
		errs, shown := formErrors(err)
		if !shown {
			s.fail(w, r, me, err)
			return
		}
		if asked {
			for i := range errs {
				if errs[i].Field == "q" && strings.HasPrefix(errs[i].Message, "Required") {
					errs[i].Message = "Enter part of a setting's name, its reference, an application ID, or a person's name or email"
				}
			}
			p.Errors = errs
		}
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "admin/search", p)
}

// --- the application page ---

// adminAppData is an application's admin page.
type adminAppData struct {
	D       structs.AdminDetail
	Actions structs.AdminActions
	// Names are the people the allocation names, by person id.
	Names map[string]string
	// Audit is the newest lines of the audit trail, newest first (at most auditShown).
	Audit       []structs.AuditLine
	AuditHidden int // lines not shown
	Offers      []structs.Assignment
}

// auditShown bounds the audit lines the page shows; the whole trail downloads as CSV.
const auditShown = 100

func (s *Server) adminApplicationPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	id := r.PathValue("id")
	d, err := s.Admin().Detail(r.Context(), me, id)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	acts, err := s.Admin().Actions(r.Context(), me, id)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	data := adminAppData{D: d, Actions: acts, Names: map[string]string{}, Offers: d.Assignments}
	for _, a := range d.Assignments {
		data.Names[a.PersonID] = a.PersonName
	}
	if al := d.Allocation; al != nil {
		for _, e := range al.Excluded {
			data.Names[e.PersonID] = e.Name
		}
	}
	for i := len(d.Audit) - 1; i >= 0 && len(data.Audit) < auditShown; i-- {
		data.Audit = append(data.Audit, d.Audit[i])
	}
	data.AuditHidden = len(d.Audit) - len(data.Audit)
	title := d.Summary.Setting.Name
	if title == "" {
		title = "Application " + d.Summary.ID
	}
	s.render(w, r, http.StatusOK, "admin/application", &Page{Title: title, Me: me, Back: "/admin/stuck",
		Notice: s.Sessions.PopString(r.Context(), noticeKey), Data: data})
}

// auditCSV is the link to an application's whole audit trail as CSV (the API takes the session).
func auditCSV(id string) string {
	return "/v1/admin/audit?" + url.Values{"application": {id}, "format": {"csv"}}.Encode()
}

func init() {
	funcs["auditCSV"] = auditCSV
	funcs["personName"] = func(names map[string]string, id string) string {
		if n := names[id]; n != "" {
			return n
		}
		return id
	}
}
