package email

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sample fills every field; the names people type carry HTML special characters.
func sample() Data {
	return Data{
		TenantName: "Northshire County Council", RecipientName: `Zoë O'Brien <script>`,
		SettingName: `Little <Acorns> & "Oaks"`, Reference: "URN 123456", ApplicationID: "app_01HX",
		TrackTitle: "Caring Schools Award", Level: "silver", Link: "https://awards.example.org/applications/app_01HX",
		DueDate: "1 June 2027", Months: 6, Count: 13, Missing: []string{"S1", "S4"},
		Reason: "no eligible assessor <b>is</b> available", AssessorName: `Sam "Sammy" <Lee>`,
		Feedback:  "Strong evidence for standards 1 & 2.\n\nStandard 5 needs:\n- a <dated> policy\n- staff views",
		ExpiresOn: "31 May 2030",
	}
}

func golden(t *testing.T, name, subject, text, html string) {
	t.Helper()
	got := "Subject: " + subject + "\n\n--- text ---\n" + text + "\n--- html ---\n" + html
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./email -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run go test ./email -update after checking the change):\n%s", name, path, got)
	}
}

func TestGolden(t *testing.T) {
	d := sample()
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			d := d
			if kind == "assessor_offer" { // its link is the offer's own (activities/offerlink.go)
				d.Link = "https://awards.example.org/offers/q7Vx2mN9pL4sT8wZ1cF6hJ3kR5yB0dG-uE_aXoPiWnM"
			}
			subject, text, html, err := Render(kind, d)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, kind, subject, text, html)
		})
	}
	t.Run("digest", func(t *testing.T) {
		subject, text, html, err := RenderDigest(digestSample(t))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "digest", subject, text, html)
	})
}

func TestGoldenFilesHaveKinds(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.golden"))
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".golden")
		if _, ok := templates[name]; !ok && name != "digest" {
			t.Errorf("%s has no kind: remove it", f)
		}
	}
}

func digestSample(t *testing.T) Data {
	t.Helper()
	d := sample()
	for _, kind := range []string{"assessment_reminder", "moderation_reminder", "referred_back"} {
		subject, body, err := RenderBody(kind, d)
		if err != nil {
			t.Fatal(err)
		}
		d.Items = append(d.Items, DigestItem{Kind: kind, Subject: subject, Text: body})
	}
	return d
}

// mentions reports whether a kind's subject or body uses a field.
func mentions(kind, field string) bool {
	return strings.Contains(templates[kind].subject+templates[kind].body, "."+field)
}

func TestEveryKindRendersAndEscapes(t *testing.T) {
	d := sample()
	for _, kind := range Kinds() {
		subject, text, html, err := Render(kind, d)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if subject == "" || strings.Contains(subject, "\n") {
			t.Errorf("%s: subject %q", kind, subject)
		}
		if !strings.HasPrefix(text, "Dear "+d.RecipientName+",\n\n") || !strings.HasSuffix(text, "\n\n"+d.TenantName+"\n") {
			t.Errorf("%s: greeting or sign-off missing: %q", kind, text)
		}
		if !strings.Contains(html, "<p>Dear Zoë O&#39;Brien &lt;script&gt;,</p>") || !strings.Contains(html, "<p>Northshire County Council</p>") {
			t.Errorf("%s: HTML greeting or sign-off missing: %s", kind, html)
		}
		for _, raw := range []string{"<script>", "<Acorns>", "<Lee>", "<b>", "<dated>"} {
			if strings.Contains(html, raw) {
				t.Errorf("%s: HTML carries %s unescaped", kind, raw)
			}
		}
		if mentions(kind, "SettingName") {
			if !strings.Contains(text, d.SettingName) {
				t.Errorf("%s: text lacks the setting's name as written", kind)
			}
			if !strings.Contains(html, "Little &lt;Acorns&gt; &amp; &#34;Oaks&#34;") {
				t.Errorf("%s: HTML lacks the escaped setting name", kind)
			}
		}
		for _, s := range []string{subject, text, html} {
			if strings.Contains(s, "<no value>") || strings.Contains(s, "\n\n\n") || strings.Contains(s, "Award award") {
				t.Errorf("%s: missing value or stray blank lines in %q", kind, s)
			}
		}
	}
}

// Optional parts left empty leave no trace: no empty paragraph, brackets or dangling words.
func TestOptionalPartsCanBeLeftOut(t *testing.T) {
	d := sample()
	d.Reference, d.Reason, d.Feedback, d.AssessorName, d.Months = "", "", "", "", 0
	empty := regexp.MustCompile(`\(\)|\( |  |<p></p>| ,| \.|\n\n\n| \n|:\n\n[A-Z][a-z]+ [a-z]`)
	for _, kind := range Kinds() {
		subject, text, html, err := Render(kind, d)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if m := empty.FindString(subject + "\n" + text + html); m != "" {
			t.Errorf("%s: %q left by an empty optional part:\n%s\n%s", kind, m, text, html)
		}
	}
	_, text, _, _ := Render("awarded", d)
	if strings.Contains(text, "Feedback") {
		t.Errorf("awarded without feedback mentions it: %s", text)
	}
	_, text, _, _ = Render("moderation_request", Data{Level: "", AssessorName: "Sam", SettingName: "Hill"})
	if !strings.Contains(text, `recommends "not yet"`) {
		t.Errorf("a not-yet recommendation: %s", text)
	}
}

func TestFeedbackParagraphsBecomeParagraphs(t *testing.T) {
	_, text, html, err := Render("not_yet", sample())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, sample().Feedback) {
		t.Errorf("text should carry the feedback as written: %s", text)
	}
	for _, want := range []string{"<p>Strong evidence for standards 1 &amp; 2.</p>", "<p>Standard 5 needs:<br>\n- a &lt;dated&gt; policy<br>\n- staff views</p>"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q: %s", want, html)
		}
	}
}

func TestRenderBodyHasNoGreetingOrSignOff(t *testing.T) {
	d := sample()
	for _, kind := range Kinds() {
		subject, body, err := RenderBody(kind, d)
		if err != nil {
			t.Fatal(err)
		}
		s, text, _, _ := Render(kind, d)
		if subject != s || text != "Dear "+d.RecipientName+",\n\n"+body+"\n\n"+d.TenantName+"\n" {
			t.Errorf("%s: Render is not greeting + RenderBody + sign-off", kind)
		}
		if strings.Contains(body, "Dear") || strings.HasSuffix(strings.TrimSpace(body), d.TenantName) {
			t.Errorf("%s: body has a greeting or sign-off: %q", kind, body)
		}
	}
	if _, _, err := RenderBody("nope", d); err == nil {
		t.Error("RenderBody of an unknown kind: want an error")
	}
}

func TestDigest(t *testing.T) {
	d := digestSample(t)
	subject, text, html, err := RenderDigest(d)
	if err != nil {
		t.Fatal(err)
	}
	if subject != "3 reminders from Northshire County Council" {
		t.Errorf("subject %q", subject)
	}
	if !strings.HasPrefix(text, "Dear "+d.RecipientName+",") || strings.Count(text, "Dear") != 1 || strings.Count(text, d.TenantName+"\n") != 1 {
		t.Errorf("one greeting and one sign-off: %s", text)
	}
	for _, it := range d.Items {
		if !strings.Contains(text, digestRule+"\n"+it.Subject+"\n\n"+it.Text+"\n\n") {
			t.Errorf("text lacks item %s", it.Kind)
		}
	}
	if strings.Count(html, "<h2") != 3 || strings.Contains(html, "<script>") || strings.Contains(html, "<Acorns>") || strings.Contains(html, "<Lee>") {
		t.Errorf("HTML: %s", html)
	}
	if !strings.Contains(html, "<h2 style=\"font-size:1.1em\">Reminder: your assessment of Little &lt;Acorns&gt; &amp; &#34;Oaks&#34; is due by 1 June 2027</h2>") {
		t.Errorf("HTML heading: %s", html)
	}
	one := Data{TenantName: "Council", RecipientName: "Jo", Items: d.Items[:1]}
	if subject, _, _, _ := RenderDigest(one); subject != "1 reminder from Council" {
		t.Errorf("subject %q", subject)
	}
	if _, _, _, err := RenderDigest(Data{TenantName: "Council"}); err == nil {
		t.Error("an empty digest: want an error")
	}
}

func TestRecipients(t *testing.T) {
	roles := []string{"applicant", "supporter", "assessor", "moderator", "admin", "anyone"}
	for kind, who := range Recipients {
		if _, ok := templates[kind]; !ok {
			t.Errorf("Recipients lists %q, which has no template", kind)
		}
		if !slices.Contains(roles, who) {
			t.Errorf("%s goes to %q", kind, who)
		}
		if strings.HasSuffix(kind, "_supporter") && who != "supporter" {
			t.Errorf("%s should go to the supporter", kind)
		}
	}
	keys := make([]string, 0, len(Recipients))
	for k := range Recipients {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(Kinds(), keys) {
		t.Errorf("Kinds() %v\nRecipients %v", Kinds(), keys)
	}
}

func TestDataJSON(t *testing.T) {
	snake := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	for _, typ := range []reflect.Type{reflect.TypeFor[Data](), reflect.TypeFor[DigestItem]()} {
		for i := range typ.NumField() {
			if tag := typ.Field(i).Tag.Get("json"); !snake.MatchString(tag) {
				t.Errorf("%s.%s: json tag %q", typ.Name(), typ.Field(i).Name, tag)
			}
		}
	}
	d := digestSample(t)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"setting_name":"Little \u003cAcorns\u003e`) || !strings.Contains(string(b), `"items":[{"kind":"assessment_reminder"`) {
		t.Errorf("JSON: %s", b)
	}
	var back Data
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, d) {
		t.Errorf("round trip: %v\n%+v", err, back)
	}
	// Activity inputs written before the tags existed carry Go field names.
	var old Data
	legacy := `{"TenantName":"Council","SettingName":"Hill","ApplicationID":"app_1","DueDate":"1 June 2027","Months":6,"Missing":["S1"],"Reason":"r"}`
	if err := json.Unmarshal([]byte(legacy), &old); err != nil {
		t.Fatal(err)
	}
	want := Data{TenantName: "Council", SettingName: "Hill", ApplicationID: "app_1", DueDate: "1 June 2027", Months: 6, Missing: []string{"S1"}, Reason: "r"}
	if !reflect.DeepEqual(old, want) {
		t.Errorf("legacy form: %+v", old)
	}
	var null Data
	if err := json.Unmarshal([]byte(`null`), &null); err != nil || !reflect.DeepEqual(null, Data{}) {
		t.Errorf("null: %v %+v", err, null)
	}
}

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
