package web

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/services/applications/appstest"
	"awardengine/services/signin"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// The supporter pages' people (tenant "north"): Sam supports Hill Primary (applied for by
// Priya); Tess supports nothing.
var (
	supSam   = award.Person{ID: "p-sam", TenantID: "north", Name: "Sam Rivers", Roles: []string{award.RoleSupporter}, Active: true}
	supTess  = award.Person{ID: "p-tess", TenantID: "north", Name: "Tess Other", Roles: []string{award.RoleSupporter}, Active: true}
	supPriya = award.Person{ID: "p-priya", TenantID: "north", Name: "Priya Shah", Roles: []string{award.RoleApplicant}, Active: true}
)

// supporterPages are the pages over the applications service with fakes, as me (the zero
// Person: nobody signed in), with mb as the development mailbox (nil: none).
func supporterPages(t *testing.T, me award.Person, f *appstest.Fakes, mb Mailbox) http.Handler {
	t.Helper()
	svc := f.Service()
	srv := &Server{
		Apps:     func() *applications.Service { return svc },
		SignIn:   signin.New(nil, nil, signin.Config{}),
		Sessions: scs.New(),
		Mailbox:  mb,
		Who: func(*http.Request) (award.Person, error) {
			if me.ID == "" {
				return award.Person{}, signin.ErrNotSignedIn
			}
			return me, nil
		},
	}
	mux := http.NewServeMux()
	srv.Register(mux)
	return mux
}

// get fetches path and returns the status, the body and the response.
func pageGet(t *testing.T, h http.Handler, path string) (int, string, *http.Response) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res
}

func supporterFakes() *appstest.Fakes {
	f := appstest.New()
	due := time.Date(2027, 6, 4, 12, 0, 0, 0, time.UTC)
	f.AddApplication(postgres.Application{ID: "app-hill", TenantID: "north", SettingReference: "URN123456",
		SettingName: "Hill Primary", Track: string(award.CaringSchools), Variant: "primary",
		ApplicantID: "p-priya", SupporterID: "p-sam", NextAction: "Upload evidence and submit the portfolio", DueAt: &due},
		workflows.Status{Stage: workflows.StagePortfolio})
	f.AddApplication(postgres.Application{ID: "app-oak", TenantID: "north", SettingReference: "URN654321",
		SettingName: "Oak Nursery", Track: string(award.CaringSchools), Variant: "primary",
		ApplicantID: "p-priya", SupporterID: "p-tess-not"}, workflows.Status{})
	sent := time.Date(2026, 9, 2, 8, 30, 0, 0, time.UTC)
	f.Store.AddEmail("north", "app-hill", postgres.SentEmail{MessageType: "welcome_supporter", RecipientID: "p-sam",
		Subject: "You support Hill Primary <for the award>", Status: "sent", SentAt: &sent})
	f.Store.AddEmail("north", "app-hill", postgres.SentEmail{MessageType: "first_year_reminder_supporter", RecipientID: "p-sam",
		Subject: "Hill Primary: workbook due", Status: "pending"})
	f.Store.AddEmail("north", "app-hill", postgres.SentEmail{MessageType: "welcome", RecipientID: "p-priya",
		Subject: "Welcome, Priya", Status: "sent", SentAt: &sent})
	return f
}

func TestSupportingPage(t *testing.T) {
	h := supporterPages(t, supSam, supporterFakes(), nil)
	status, body, res := pageGet(t, h, "/supporting")
	if status != 200 {
		t.Fatalf("status %d:\n%s", status, body)
	}
	for _, want := range []string{"<h1 class=\"govuk-heading-l\">Settings you support</h1>", `href="/supporting/app-hill"`, `View<span class="govuk-visually-hidden"> Hill Primary</span>`,
		"Hill Primary", "Gathering evidence", "Upload evidence and submit the portfolio", "4 June 2027", "The applicant",
		`aria-current="page"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, "Oak Nursery") {
		t.Error("the page lists a setting Sam does not support")
	}
	if strings.Contains(body, "<form method=\"post\" action=\"/applications") || strings.Contains(body, "Register a setting") {
		t.Error("the supporter's page offers a change")
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP %q", csp)
	}

	// Someone who supports nothing is told so.
	_, body, _ = pageGet(t, supporterPages(t, supTess, supporterFakes(), nil), "/supporting")
	if !strings.Contains(body, "You do not support any settings yet.") {
		t.Errorf("empty page:\n%s", body)
	}
}

func TestSupportedApplicationPage(t *testing.T) {
	h := supporterPages(t, supSam, supporterFakes(), nil)
	status, body, _ := pageGet(t, h, "/supporting/app-hill")
	if status != 200 {
		t.Fatalf("status %d:\n%s", status, body)
	}
	for _, want := range []string{"Hill Primary", "URN123456", "Gathering evidence", "4 June 2027", "The applicant",
		`href="/applications/app-hill"`, `href="/supporting" class="govuk-back-link"`, "Emails you were sent",
		"You support Hill Primary &lt;for the award&gt;", "2 September 2026 at 9:30am", "Hill Primary: workbook due", "Being sent"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, "Welcome, Priya") {
		t.Error("the page shows an email sent to the applicant")
	}
	if strings.Contains(body, "<form") && strings.Contains(body, `method="post" action="/applications`) {
		t.Error("the page offers a change")
	}
}

// Another setting's application, the applicant's own, another tenant's: "Page not found".
func TestSupportedApplicationRefused(t *testing.T) {
	eastSam := supSam
	eastSam.TenantID = "east"
	for _, c := range []struct {
		who  string
		me   award.Person
		path string
	}{
		{"another supporter's setting", supSam, "/supporting/app-oak"},
		{"no such application", supSam, "/supporting/app-nope"},
		{"another tenant", eastSam, "/supporting/app-hill"},
	} {
		t.Run(c.who, func(t *testing.T) {
			status, body, _ := pageGet(t, supporterPages(t, c.me, supporterFakes(), nil), c.path)
			if status != http.StatusNotFound || !strings.Contains(body, "Page not found") || strings.Contains(body, "Hill Primary") {
				t.Fatalf("status %d:\n%s", status, body)
			}
		})
	}
}

// The applicant knows the application but is not its supporter: refused as such.
func TestSupportedApplicationRefusedToItsApplicant(t *testing.T) {
	status, body, _ := pageGet(t, supporterPages(t, supPriya, supporterFakes(), nil), "/supporting/app-hill")
	if status != http.StatusForbidden || !strings.Contains(body, "You cannot do this") || !strings.Contains(body, "Only the supporter") {
		t.Fatalf("status %d:\n%s", status, body)
	}
}

// Nobody signed in is sent to sign in, and comes back here afterwards.
func TestSupportingNeedsSignIn(t *testing.T) {
	for _, path := range []string{"/supporting", "/supporting/app-hill"} {
		status, _, res := pageGet(t, supporterPages(t, award.Person{}, supporterFakes(), nil), path)
		if status != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
			t.Errorf("%s: %d → %q", path, status, res.Header.Get("Location"))
		}
		var next string
		for _, c := range res.Cookies() {
			if c.Name == nextCookie {
				next = c.Value
			}
		}
		if next != path {
			t.Errorf("%s: sign-in comes back to %q", path, next)
		}
	}
}

// The outbox being down is a page saying so (nothing was changed), not a crash.
func TestSupportedApplicationStoreDown(t *testing.T) {
	f := supporterFakes()
	f.Store.Fail("EmailsTo", errors.New("connection refused"))
	status, body, _ := pageGet(t, supporterPages(t, supSam, f, nil), "/supporting/app-hill")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "Sorry, there is a problem with the service") {
		t.Fatalf("status %d:\n%s", status, body)
	}
}
