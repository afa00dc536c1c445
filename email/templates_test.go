package email

import (
	"strings"
	"testing"
)

func TestEveryTemplateRendersWithoutMissingValues(t *testing.T) {
	d := Data{TenantName: "Northshire County Council", RecipientName: "Asha Patel", SettingName: "Hill Primary",
		Reference: "URN1", ApplicationID: "app_1", TrackTitle: "Caring Schools Award", Level: "bronze",
		Link: "http://x/app_1", DueDate: "1 June 2027", Months: 6, Count: 13, Reason: "moving school"}
	for _, kind := range Kinds() {
		subject, text, html, err := Render(kind, d)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if subject == "" || !strings.Contains(text, "Northshire County Council") || !strings.Contains(html, "<p>") {
			t.Fatalf("%s: subject %q text %q html %q", kind, subject, text, html)
		}
		if strings.Contains(text+html+subject, "<no value>") {
			t.Fatalf("%s: a value is missing", kind)
		}
	}
}

func TestNamesAreEscapedInHTMLButNotInText(t *testing.T) {
	d := Data{TenantName: "Council", RecipientName: `Jo <script>alert("x")</script> & Co`, SettingName: "St Mary's <b>",
		TrackTitle: "Caring Schools Award", ApplicationID: "app_1", Link: "http://x"}
	_, text, html, err := Render("welcome", d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "<b>") {
		t.Fatalf("HTML not escaped: %s", html)
	}
	if !strings.Contains(html, "&lt;script&gt;") {
		t.Fatalf("escaped name missing: %s", html)
	}
	if !strings.Contains(text, `Jo <script>alert("x")</script> & Co`) {
		t.Fatalf("plain text should carry the name as written: %s", text)
	}
}

func TestUnknownTemplateIsAnError(t *testing.T) {
	if _, _, _, err := Render("nope", Data{}); err == nil {
		t.Fatal("want an error")
	}
}
