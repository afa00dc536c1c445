package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/services/admin"
	"awardengine/services/applications"
	"awardengine/services/signin"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// The admin's back office (SPEC §4, issue 13): reports for a period with their CSV, the audit
// trail's export, people and the assessor roster (admin_office_people.go), the council's
// settings (admin_office_settings.go) and the cohort import (admin_office_cohort.go). Every
// page asks its service first, which refuses anyone but the tenant's admins (the 403 page).

func (s *Server) adminOfficeRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/reports", s.signedIn(s.officeReportsPage))
	mux.Handle("GET /admin/reports.csv", s.signedIn(s.officeReportsCSV))
	mux.Handle("GET /admin/audit", s.signedIn(s.officeAuditPage))
	mux.Handle("GET /admin/audit.csv", s.signedIn(s.officeAuditCSV))
	s.officePeopleRoutes(mux)
	s.officeSettingsRoutes(mux)
	s.officeCohortRoutes(mux)
}

// PersonTokens lists and revokes people's API tokens (*signin.Service).
type PersonTokens interface {
	Tokens(ctx context.Context, me postgres.Person, personID string) ([]postgres.APIToken, error)
	RevokeAnyToken(ctx context.Context, me postgres.Person, id string) (postgres.APIToken, error)
}

// tokens is Server.Tokens, or the sign-in service.
func (s *Server) tokens() PersonTokens {
	if s.Tokens != nil {
		return s.Tokens
	}
	return s.SignIn
}

// signinProblem is a sign-in service refusal as the problem the pages show (s.fail,
// formErrors); other errors pass unchanged.
func signinProblem(err error) error {
	var e *signin.Error
	if errors.As(err, &e) {
		p := &structs.Problem{Status: e.Status, Type: e.Type, Title: e.Title, Detail: e.Detail}
		if e.Field != "" {
			p.Errors = []structs.FieldError{{Field: e.Field, Message: strings.TrimPrefix(e.Detail, e.Field+": ")}}
		}
		return p
	}
	return err
}

// officeExportWindow is how long each part of a long audit export may take to be read (the
// API's write timeout): each flush gives the next one this long again.
const officeExportWindow = 2 * time.Minute

// --- dates of a period ---

// officeDate is a GOV.UK date input of a period's form: its fields are Name-day, Name-month and
// Name-year; links carry the date whole as Name=YYYY-MM-DD.
type officeDate struct {
	Name, Legend, Hint string
	Day, Month, Year   string
	Error              string
}

// officeReadDate reads the date named name from q: the whole date (name=YYYY-MM-DD) or the
// three fields. iso is what to give the service ("" for none given; something the service
// refuses when the fields are not a real date); msg says what is wrong, in the page's words.
func officeReadDate(q url.Values, name, what string) (d officeDate, iso, msg string) {
	d = officeDate{Name: name}
	if v := strings.TrimSpace(q.Get(name)); v != "" {
		iso = v
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			d.Day, d.Month, d.Year = strconv.Itoa(t.Day()), strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())
			return d, iso, ""
		}
		return d, iso, fmt.Sprintf("The %s must be a real date, for example 1 4 2026", what)
	}
	d.Day, d.Month, d.Year = strings.TrimSpace(q.Get(name+"-day")), strings.TrimSpace(q.Get(name+"-month")), strings.TrimSpace(q.Get(name+"-year"))
	if d.Day == "" && d.Month == "" && d.Year == "" {
		return d, "", ""
	}
	day, err1 := strconv.Atoi(d.Day)
	month, err2 := strconv.Atoi(d.Month)
	year, err3 := strconv.Atoi(d.Year)
	iso = d.Year + "-" + d.Month + "-" + d.Day // refused by the service unless it is a date
	switch {
	case d.Day == "" || d.Month == "" || d.Year == "":
		return d, iso, fmt.Sprintf("The %s must include a day, month and year", what)
	case err1 != nil || err2 != nil || err3 != nil || year < 2000 || year > 2999:
		return d, iso, fmt.Sprintf("The %s must be a real date, for example 1 4 2026", what)
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day || int(t.Month()) != month {
		return d, iso, fmt.Sprintf("The %s must be a real date, for example 1 4 2026", what)
	}
	return d, t.Format(time.DateOnly), ""
}

// officePeriod reads a period's from and to dates, with the page's messages.
func officePeriod(q url.Values) (from, to officeDate, fromISO, toISO string, errs []structs.FieldError) {
	var msg string
	if from, fromISO, msg = officeReadDate(q, "from", "start date"); msg != "" {
		errs = append(errs, fieldErr{Field: "from", Message: msg})
	}
	if to, toISO, msg = officeReadDate(q, "to", "end date"); msg != "" {
		errs = append(errs, fieldErr{Field: "to", Message: msg})
	}
	if len(errs) == 0 && fromISO != "" && toISO != "" && fromISO > toISO {
		errs = append(errs, fieldErr{Field: "to", Message: "The end date must be the same as or after the start date"})
	}
	from.Legend, from.Hint = "From", "For example, 1 4 2026"
	to.Legend, to.Hint = "To (included)", "For example, 31 3 2027"
	return from, to, fromISO, toISO, errs
}

// officeFinancialYear is the council's financial year so far: from 1 April to today.
func officeFinancialYear(now time.Time) (string, string) {
	now = now.In(ukTime)
	year := now.Year()
	if now.Month() < time.April {
		year--
	}
	return time.Date(year, time.April, 1, 0, 0, 0, 0, ukTime).Format(time.DateOnly), now.Format(time.DateOnly)
}

// officePageErrors are the errors a form shows for a service's refusal: the page's own
// messages when it has them (they say the same in the page's words), else the service's.
func officePageErrors(err error, own []structs.FieldError) ([]structs.FieldError, bool) {
	errs, ok := formErrors(err)
	if !ok {
		return nil, false
	}
	if len(own) > 0 {
		return own, true
	}
	return errs, true
}

// --- reports ---

// officeReportsData is the reports page.
type officeReportsData struct {
	From, To   officeDate
	Report     *postgres.Report
	Awarded    []officeAwardedRow
	Period     string // "1 April 2026 to 30 November 2026"
	CSV        string // the CSV download's link
	Workload   []postgres.Workload
	HasMedians bool
}

// officeAwardedRow is one track's settings awarded per level.
type officeAwardedRow struct {
	Track                string
	Bronze, Silver, Gold int
}

func (s *Server) officeReportsPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	s.officeReports(w, r, me, false)
}

func (s *Server) officeReportsCSV(w http.ResponseWriter, r *http.Request, me award.Person) {
	s.officeReports(w, r, me, true)
}

// officeReports shows the report of the period asked (the financial year so far when none
// is), or downloads it as CSV; a period refused shows the page with its errors.
func (s *Server) officeReports(w http.ResponseWriter, r *http.Request, me award.Person, asCSV bool) {
	q := r.URL.Query()
	from, to, fromISO, toISO, own := officePeriod(q)
	if fromISO == "" && toISO == "" && len(own) == 0 {
		fromISO, toISO = officeFinancialYear(time.Now())
		d, _, _ := officeReadDate(url.Values{"from": {fromISO}}, "from", "")
		from.Day, from.Month, from.Year = d.Day, d.Month, d.Year
		d, _, _ = officeReadDate(url.Values{"to": {toISO}}, "to", "")
		to.Day, to.Month, to.Year = d.Day, d.Month, d.Year
	} else if len(own) == 0 {
		if fromISO == "" {
			own = append(own, fieldErr{Field: "from", Message: "Enter the start date"})
		}
		if toISO == "" {
			own = append(own, fieldErr{Field: "to", Message: "Enter the end date"})
		}
	}
	if len(own) > 0 {
		// A period the page refuses: the service refuses it too, once it has checked access.
		fromISO, toISO = "-", "-"
	}
	rep, _, err := s.Admin().Report(r.Context(), me, structs.ReportQuery{From: fromISO, To: toISO})
	d := officeReportsData{From: from, To: to}
	if err != nil {
		errs, ok := officePageErrors(err, own)
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		for _, e := range errs {
			if e.Field == "from" {
				d.From.Error = e.Message
			}
			if e.Field == "to" {
				d.To.Error = e.Message
			}
		}
		s.render(w, r, http.StatusUnprocessableEntity, "admin/reports", &Page{Title: "Reports", Me: me, Errors: errs, Data: d})
		return
	}
	if asCSV {
		admin.CSVHeaders(w, admin.ReportFilename(rep))
		w.WriteHeader(http.StatusOK)
		if err := admin.WriteReportCSV(w, rep); err != nil {
			slog.Warn("report download cut off", "tenant", me.TenantID, "error", err)
		}
		return
	}
	d.Report = &rep
	d.Period = officeDay(rep.From) + " to " + officeDay(rep.To)
	d.CSV = "/admin/reports.csv?" + url.Values{"from": {rep.From}, "to": {rep.To}}.Encode()
	for _, t := range award.Tracks() {
		row := officeAwardedRow{Track: t.Title()}
		for _, a := range rep.Awarded {
			if a.Track != string(t) {
				continue
			}
			switch a.Level {
			case "bronze":
				row.Bronze = a.Settings
			case "silver":
				row.Silver = a.Settings
			case "gold":
				row.Gold = a.Settings
			}
		}
		d.Awarded = append(d.Awarded, row)
	}
	d.Workload = rep.AssessorWorkload
	for _, m := range rep.MedianWorkingDays {
		if m.Spans > 0 {
			d.HasMedians = true
		}
	}
	s.render(w, r, http.StatusOK, "admin/reports", &Page{Title: "Reports", Me: me, Data: d})
}

// officeDay is a YYYY-MM-DD date as people read it ("1 April 2026").
func officeDay(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return t.Format("2 January 2006")
}

// --- audit export ---

// officeAuditData is the audit export page.
type officeAuditData struct {
	From, To    officeDate
	Application string
}

// officeAuditPage shows the export's filter form; it submits to /admin/audit.csv.
func (s *Server) officeAuditPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	s.officeAudit(w, r, me, false)
}

// officeAuditCSV streams the audit lines the form selected; a selection refused shows the
// form with its errors.
func (s *Server) officeAuditCSV(w http.ResponseWriter, r *http.Request, me award.Person) {
	s.officeAudit(w, r, me, true)
}

func (s *Server) officeAudit(w http.ResponseWriter, r *http.Request, me award.Person, asCSV bool) {
	q := r.URL.Query()
	from, to, fromISO, toISO, own := officePeriod(q)
	from.Hint, to.Hint = "Leave blank to start with the first line of the audit trail", "Leave blank to end with the latest line"
	appID := strings.TrimSpace(q.Get("application"))
	if len(own) > 0 {
		fromISO = "-" // a period the page refuses: the service refuses it too, once it has checked access
	}
	if !asCSV && len(own) == 0 {
		fromISO, toISO, appID = "", "", "" // the page itself selects nothing: only ask whether the person may
	}
	sel, err := s.Admin().Audit(r.Context(), me, structs.AuditQuery{Application: appID, From: fromISO, To: toISO, Format: "csv"})
	d := officeAuditData{From: from, To: to, Application: strings.TrimSpace(q.Get("application"))}
	if err != nil {
		errs, ok := officePageErrors(err, own)
		if p, known := applications.Problem(err, true); known && p.Status == http.StatusNotFound && appID != "" {
			errs, ok = []structs.FieldError{{Field: "application", Message: "There is no application " + appID + " in your council"}}, true
		}
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		for _, e := range errs {
			switch e.Field {
			case "from":
				d.From.Error = e.Message
			case "to":
				d.To.Error = e.Message
			}
		}
		s.render(w, r, http.StatusUnprocessableEntity, "admin/audit", &Page{Title: "Export the audit trail", Me: me, Errors: errs,
			Back: "/admin/reports", Data: d})
		return
	}
	if !asCSV {
		s.render(w, r, http.StatusOK, "admin/audit", &Page{Title: "Export the audit trail", Me: me, Back: "/admin/reports", Data: d})
		return
	}
	started, err := s.Admin().StreamAuditCSV(r.Context(), w, sel, officeExportWindow)
	if err == nil {
		return
	}
	if !started {
		s.fail(w, r, me, err)
		return
	}
	slog.Error("audit export cut off", "tenant", me.TenantID, "error", err)
	panic(http.ErrAbortHandler)
}
