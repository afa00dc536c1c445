package activities

import (
	"sort"
	"strings"
	"testing"

	"awardengine/email"
	"awardengine/storage/postgres"
)

// Every email about an application links to its page (the person signs in, then sees their
// side of it), never to the JSON API; the certificate link a workflow names by its API path
// leads to the certificate page.
func TestEmailLinksLeadToPages(t *testing.T) {
	a := &Activities{PublicURL: "https://awards.example"}
	person := postgres.Person{ID: "p-1", Name: "Priya Shah", Email: "priya@example.org"}
	tenant := postgres.Tenant{ID: "north", Name: "Northshire Council"}
	var kinds []string
	for kind := range email.Recipients {
		if kind != "sign_in_link" { // services/signin sends it with its own /signin/continue link
			kinds = append(kinds, kind)
		}
	}
	sort.Strings(kinds)
	const page = "https://awards.example/applications/app_01J"
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			in := EmailInput{ApplicationID: "app_01J", Kind: kind, RecipientID: "p-1",
				Data: email.Data{SettingName: "Hill Primary", ApplicationID: "app_01J", DueDate: "1 June 2027"}}
			want := page
			if kind == "awarded" || kind == "awarded_supporter" {
				// workflows/assessment.go certificateLink, as in running journeys' histories.
				in.Data.Link = "/v1/applications/app_01J/certificate"
				want = page + "/certificate"
			}
			data := a.fill(in, person, tenant)
			if data.Link != want {
				t.Fatalf("link %q, want %q", data.Link, want)
			}
			m, err := a.compose(in, data, tenant)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(m.Text, "/v1/") || strings.Contains(m.HTML, "/v1/") {
				t.Errorf("the email links to the API:\n%s", m.Text)
			}
			if strings.Contains(m.Text, "{{.Link}}") || (strings.Contains(m.Text, "https://") && !strings.Contains(m.Text, want)) {
				t.Errorf("the email does not link to %s:\n%s", want, m.Text)
			}
		})
	}
}

// A digest's reminders each link to their own application's page.
func TestDigestLinksLeadToPages(t *testing.T) {
	a := &Activities{PublicURL: "https://awards.example/"} // a trailing slash is not doubled
	tenant := postgres.Tenant{ID: "north", Name: "Northshire Council"}
	in := EmailInput{Kind: DigestKind, RecipientID: "p-1", Digest: []EmailInput{
		{ApplicationID: "app_A", Kind: "first_year_reminder", Data: email.Data{SettingName: "The Rivers", ApplicationID: "app_A", Months: 6, DueDate: "1 June 2027"}},
		{ApplicationID: "app_B", Kind: "resubmission_reminder", Data: email.Data{SettingName: "The Oaks", ApplicationID: "app_B", DueDate: "1 June 2027"}},
	}}
	data := a.fill(in, postgres.Person{ID: "p-1", Name: "Priya Shah"}, tenant)
	if data.Link != "" {
		t.Errorf("a digest (no application) got a link of its own: %q", data.Link)
	}
	m, err := a.compose(in, data, tenant)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"https://awards.example/applications/app_A", "https://awards.example/applications/app_B"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("digest lacks %s:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "/v1/") || strings.Contains(m.Text, "example//") {
		t.Errorf("digest links:\n%s", m.Text)
	}
}

func TestLink(t *testing.T) {
	a := &Activities{PublicURL: "https://awards.example"}
	for _, c := range []struct{ app, link, want string }{
		{"app_1", "", "https://awards.example/applications/app_1"},
		{"app_1", "/v1/applications/app_1/certificate", "https://awards.example/applications/app_1/certificate"},
		{"app_1", "/applications/app_1/evidence", "https://awards.example/applications/app_1/evidence"},
		{"app_1", "https://elsewhere.example/x", "https://elsewhere.example/x"},
		{"app_1", "//elsewhere.example/x", "//elsewhere.example/x"},
		{"", "", ""},
	} {
		if got := a.link(c.app, c.link); got != c.want {
			t.Errorf("link(%q, %q) = %q, want %q", c.app, c.link, got, c.want)
		}
	}
}
