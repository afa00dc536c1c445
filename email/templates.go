// Package email renders the award's emails and hands them to SendGrid (or the local
// SendGrid-compatible endpoint in development).
package email

import (
	"bytes"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"reflect"
	"regexp"
	"sort"
	"strings"
	texttemplate "text/template"
)

// Data is what a template may use. Values supplied by people (names, feedback, reasons) are
// escaped in HTML and appear as written in plain text.
//
// The same Data is sent as SendGrid's dynamic_template_data when a tenant uses its own
// SendGrid templates, hence the snake_case JSON names. It also travels inside activity inputs
// (Temporal histories); UnmarshalJSON still reads the older form keyed by Go field names.
type Data struct {
	TenantName    string       `json:"tenant_name"`    // the sign-off; set by the email activity
	RecipientName string       `json:"recipient_name"` // the greeting; set by the email activity
	SettingName   string       `json:"setting_name"`
	Reference     string       `json:"reference"` // the setting's reference (URN, Ofsted number)
	ApplicationID string       `json:"application_id"`
	TrackTitle    string       `json:"track_title"`
	Level         string       `json:"level"`    // the target level; for moderation_request the recommended one ("" = not yet)
	Link          string       `json:"link"`     // the page to act on; for awarded, the (short-lived) certificate link
	DueDate       string       `json:"due_date"` // formatted for people, e.g. "1 June 2027"
	Months        int          `json:"months"`
	Count         int          `json:"count"`
	Missing       []string     `json:"missing"`
	Reason        string       `json:"reason"`
	AssessorName  string       `json:"assessor_name"`
	Feedback      string       `json:"feedback"`   // may hold several paragraphs (blank-line separated)
	ExpiresOn     string       `json:"expires_on"` // an award's expiry, formatted for people
	Items         []DigestItem `json:"items"`      // the reminders of a digest (RenderDigest)
}

// DigestItem is one reminder inside a daily digest: a kind's subject and its plain-text body
// as returned by RenderBody (no greeting, no sign-off).
type DigestItem struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// legacyKeys maps Data's Go field names to their JSON names: Data values encoded before the
// fields had tags (activity inputs already in Temporal histories at a deploy) used the former.
var legacyKeys = func() map[string]string {
	m := map[string]string{}
	t := reflect.TypeFor[Data]()
	for i := range t.NumField() {
		f := t.Field(i)
		m[f.Name], _, _ = strings.Cut(f.Tag.Get("json"), ",")
	}
	return m
}()

// UnmarshalJSON reads both the snake_case form and the older form keyed by Go field names.
func (d *Data) UnmarshalJSON(b []byte) error {
	type plain Data
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil { // null
		return nil
	}
	for goName, jsonName := range legacyKeys {
		v, ok := raw[goName]
		if !ok || goName == jsonName {
			continue
		}
		delete(raw, goName)
		if _, taken := raw[jsonName]; !taken {
			raw[jsonName] = v
		}
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, (*plain)(d))
}

// Recipients says who receives each kind of message: "applicant", "supporter" (the person
// who supports the setting, e.g. the supervising social worker), "assessor", "moderator",
// "admin" (the tenant's award team) or "anyone" (sign_in_link: whoever asked to sign in). Every kind has exactly one entry; Kinds() lists the same
// names. first_year_overdue is worded for both and is also sent, unchanged, to the supporter.
var Recipients = map[string]string{
	"welcome":                         "applicant",
	"welcome_supporter":               "supporter",
	"toolkit_nudge":                   "applicant",
	"inactivity_nudge":                "applicant",
	"first_year_reminder":             "applicant",
	"first_year_reminder_supporter":   "supporter",
	"first_year_overdue":              "applicant",
	"submission_receipt":              "applicant",
	"withdrawal":                      "applicant",
	"assessor_offer":                  "assessor",
	"assessor_allocated":              "applicant",
	"assessment_reminder":             "assessor",
	"assessment_overdue":              "admin",
	"moderation_request":              "moderator",
	"moderation_reminder":             "moderator",
	"moderation_overdue":              "admin",
	"referred_back":                   "assessor",
	"awarded":                         "applicant",
	"awarded_supporter":               "supporter",
	"not_yet":                         "applicant",
	"resubmission_reminder":           "applicant",
	"resubmission_closed":             "applicant",
	"reassessment_reminder":           "applicant",
	"reassessment_reminder_supporter": "supporter",
	"award_lapsed":                    "applicant",
	"admin_alert":                     "admin",
	"sign_in_link":                    "anyone",
}

type template struct {
	subject string
	// body is the message between the greeting and the sign-off (Render adds both). It is
	// rendered once as plain text; the HTML form escapes it and makes its blank-line separated
	// paragraphs <p>.
	body string
}

// Shared phrases. ref is the setting's reference in brackets, when known.
const (
	ref    = `{{if .Reference}} ({{.Reference}}){{end}}`
	months = `{{if .Months}}, in {{.Months}} month{{if ne .Months 1}}s{{end}}{{end}}`
)

var templates = map[string]template{
	"welcome": {
		subject: "Welcome to the {{.TrackTitle}}: {{.SettingName}}",
		body: `{{.SettingName}}` + ref + ` is registered for the {{.TrackTitle}} with {{.TenantName}}. Your application reference is {{.ApplicationID}}.

Your toolkit is ready: {{.Link}}

Work through it, upload your evidence against each standard, and submit when you are ready.`,
	},
	"welcome_supporter": {
		subject: "{{.SettingName}} has registered for the {{.TrackTitle}}",
		body:    `{{.SettingName}}` + ref + `, whom you support, has registered for the {{.TrackTitle}} with {{.TenantName}} (application {{.ApplicationID}}). You can follow their progress: {{.Link}}`,
	},
	"toolkit_nudge": {
		subject: "Your {{.TrackTitle}} toolkit is waiting",
		body:    `You registered {{.SettingName}} for the {{.TrackTitle}} two weeks ago but have not opened the toolkit yet: {{.Link}}`,
	},
	"inactivity_nudge": {
		subject: "Your {{.TrackTitle}} portfolio for {{.SettingName}}",
		body: `We have not seen any activity on the portfolio of {{.SettingName}} (application {{.ApplicationID}}) for a while. Upload your evidence and submit when you are ready: {{.Link}}

If you need help, reply to this email.`,
	},
	"first_year_reminder": {
		subject: "{{.TrackTitle}}: your workbook is due by {{.DueDate}}",
		body:    `{{.Months}} months have passed since approval. The workbook of {{.SettingName}} (application {{.ApplicationID}}), which covers the Training, Support and Development Standards, is due by {{.DueDate}}: {{.Link}}`,
	},
	"first_year_reminder_supporter": {
		subject: "{{.TrackTitle}}: {{.SettingName}}'s workbook is due by {{.DueDate}}",
		body:    `A copy for you as supervising social worker: {{.Months}} months have passed since approval of {{.SettingName}}, whose workbook (application {{.ApplicationID}}) is due by {{.DueDate}}. Their progress: {{.Link}}`,
	},
	"first_year_overdue": {
		subject: "{{.TrackTitle}}: the workbook of {{.SettingName}} is overdue",
		body:    `The workbook of {{.SettingName}} (application {{.ApplicationID}}) was due by {{.DueDate}} and has not been submitted. Your award team has been told.`,
	},
	"submission_receipt": {
		subject: "We have received your {{.TrackTitle}} submission ({{.Level}})",
		body:    `Thank you. We have received the portfolio of {{.SettingName}} (application {{.ApplicationID}}) for {{.Level}}, with {{.Count}} evidence items. Your evidence is now locked. We will tell you who your assessor is.`,
	},
	"withdrawal": {
		subject: "Your {{.TrackTitle}} application has been withdrawn",
		body:    `Application {{.ApplicationID}} for {{.SettingName}} has been withdrawn{{if .Reason}} ({{.Reason}}){{end}}. You may register again at any time.`,
	},

	// Allocation (stage 5).
	"assessor_offer": {
		subject: "Would you assess {{.SettingName}} for the {{.TrackTitle}}?",
		body: `We would like to offer you the assessment of {{.SettingName}}` + ref + ` for the {{.TrackTitle}}{{if .Level}} at {{.Level}}{{end}}.

Please accept or decline by {{.DueDate}}: {{.Link}}

This link is yours alone and works once: it opens this offer without signing in, and nothing else. Please do not forward this email.

If we have not heard from you by then, we will offer it to another assessor. Please decline if you have a conflict of interest with this setting.`,
	},
	"assessor_allocated": {
		subject: "Your {{.TrackTitle}} assessor for {{.SettingName}}",
		body: `{{if .AssessorName}}Your assessor is {{.AssessorName}}.{{else}}Your portfolio now has an assessor.{{end}} They will assess the portfolio of {{.SettingName}} (application {{.ApplicationID}}){{if .Level}} for {{.Level}}{{end}}{{if .DueDate}} by {{.DueDate}}{{end}}.

What happens next: your assessor reads your evidence against each standard and may arrange a visit. Their recommendation may then be checked by a moderator, and we will email you the decision. You do not need to do anything now; you can follow progress here: {{.Link}}`,
	},

	// Assessment (stage 6).
	"assessment_reminder": {
		subject: "Reminder: your assessment of {{.SettingName}} is due by {{.DueDate}}",
		body: `This is a reminder that your assessment of {{.SettingName}}` + ref + ` for the {{.TrackTitle}} is due by {{.DueDate}}: {{.Link}}

If you cannot finish it in time, please reply to this email and let us know.`,
	},
	"assessment_overdue": {
		subject: "Overdue: the assessment of {{.SettingName}} ({{.ApplicationID}})",
		body: `The assessment of {{.SettingName}} (application {{.ApplicationID}}){{if .AssessorName}} by {{.AssessorName}}{{end}} was due by {{.DueDate}} and is now overdue.

You may nudge the assessor, extend the deadline, or reassign the assessment to another assessor: {{.Link}}`,
	},

	// Moderation (stage 7).
	"moderation_request": {
		subject: "Please moderate the assessment of {{.SettingName}}",
		body: `{{if .AssessorName}}{{.AssessorName}} has{{else}}An assessor has{{end}} assessed {{.SettingName}}` + ref + ` for the {{.TrackTitle}} and recommends {{if .Level}}{{.Level}}{{else}}"not yet"{{end}}. Please moderate this recommendation by {{.DueDate}}: {{.Link}}

You may confirm it, amend it (giving your rationale), or refer it back to the assessor once.`,
	},
	"moderation_reminder": {
		subject: "Reminder: your moderation of {{.SettingName}} is due by {{.DueDate}}",
		body: `This is a reminder that your moderation of the assessment of {{.SettingName}}` + ref + ` for the {{.TrackTitle}} is due by {{.DueDate}}: {{.Link}}

If you cannot finish it in time, please reply to this email and let us know.`,
	},
	"moderation_overdue": {
		subject: "Overdue: the moderation of {{.SettingName}} ({{.ApplicationID}})",
		body: `The moderation of the assessment of {{.SettingName}} (application {{.ApplicationID}}) was due by {{.DueDate}} and is now overdue.

You may nudge the moderator, extend the deadline, or give the moderation to another moderator: {{.Link}}`,
	},
	"referred_back": {
		subject: "The assessment of {{.SettingName}} has been referred back to you",
		body: `The moderator has referred your assessment of {{.SettingName}}` + ref + ` for the {{.TrackTitle}} back to you{{if .Reason}}, with this note:

{{.Reason}}{{else}}.{{end}}

Please review it and submit it again by {{.DueDate}}: {{.Link}}`,
	},

	// Decision (stage 8).
	"awarded": {
		subject: "Congratulations: {{.SettingName}} has achieved {{.Level}} in the {{.TrackTitle}}",
		body: `Congratulations! {{.SettingName}} (application {{.ApplicationID}}) has achieved {{.Level}} in the {{.TrackTitle}}.{{if .ExpiresOn}} The award is valid until {{.ExpiresOn}}.{{end}}

Your certificate: {{.Link}}

This link works for a short time only. You can get a fresh one from your application page at any time.{{if .Feedback}}

Feedback from your assessment:

{{.Feedback}}{{end}}

Thank you for all the work behind this award.`,
	},
	"awarded_supporter": {
		subject: "{{.SettingName}} has achieved {{.Level}} in the {{.TrackTitle}}",
		body: `A copy for you: {{.SettingName}}` + ref + `, whom you support, has achieved {{.Level}} in the {{.TrackTitle}} (application {{.ApplicationID}}).{{if .ExpiresOn}} The award is valid until {{.ExpiresOn}}.{{end}}

Thank you for supporting them.`,
	},
	"not_yet": {
		subject: "The outcome of the {{.TrackTitle}} assessment of {{.SettingName}}",
		body: `Thank you for submitting the portfolio of {{.SettingName}} (application {{.ApplicationID}}). The assessment found that it does not yet show every standard at {{.Level}}, so the outcome for now is "not yet".{{if .Feedback}}

Your assessor's feedback:

{{.Feedback}}{{end}}

You may add to your evidence and resubmit it to the same assessor by {{.DueDate}}: {{.Link}}

If you have any questions, reply to this email.`,
	},

	// Resubmission (stage 9).
	"resubmission_reminder": {
		subject: "{{.TrackTitle}}: you can resubmit {{.SettingName}} until {{.DueDate}}",
		body: `The window to resubmit the portfolio of {{.SettingName}} (application {{.ApplicationID}}) to your assessor closes on {{.DueDate}}. You can resubmit here: {{.Link}}

After that date the application will be closed.`,
	},
	"resubmission_closed": {
		subject: "Your {{.TrackTitle}} application for {{.SettingName}} is closed",
		body: `The window to resubmit the portfolio of {{.SettingName}} (application {{.ApplicationID}}) closed{{if .DueDate}} on {{.DueDate}}{{end}}, so the application is now closed.

You are welcome to register again at any time and start a new application.`,
	},

	// Award held (stage 10).
	"reassessment_reminder": {
		subject: "The {{.TrackTitle}} of {{.SettingName}} expires on {{.ExpiresOn}}",
		body: `The {{.Level}} award of {{.SettingName}} in the {{.TrackTitle}} expires on {{.ExpiresOn}}` + months + `.

You can apply for reassessment at any time, at the same or a higher level: {{.Link}}

Your current award stays valid until the new decision.`,
	},
	"reassessment_reminder_supporter": {
		subject: "A copy: the {{.TrackTitle}} of {{.SettingName}} expires on {{.ExpiresOn}}",
		body:    `A copy for you: {{.SettingName}}` + ref + `, whom you support, holds {{.Level}} in the {{.TrackTitle}}, and this award expires on {{.ExpiresOn}}` + months + `. They can apply for reassessment at any time, at the same or a higher level. Their progress: {{.Link}}`,
	},
	"award_lapsed": {
		subject: "The {{.TrackTitle}} of {{.SettingName}} has lapsed",
		body: `The {{.Level}} award of {{.SettingName}} in the {{.TrackTitle}} expired on {{.ExpiresOn}} and has lapsed.

You are welcome to apply again at any time: {{.Link}}`,
	},

	// Sign-in (services/signin): sent at once through the outbox, never merged into a digest.
	// Reason, when set, says why the person is invited (an admin added them).
	"sign_in_link": {
		subject: "Your link to sign in to {{.TenantName}}",
		body: `{{if .Reason}}{{.Reason}}

{{end}}Use this link to sign in to the {{.TenantName}} awards service:

{{.Link}}

The link works once and expires in 15 minutes. If it has expired, ask for a new one on the sign-in page.

If you did not ask to sign in, you can ignore this email: nobody can sign in without the link.`,
	},

	// Flags for the award team: no eligible assessor, a dormant portfolio, and so on.
	"admin_alert": {
		subject: "Needs attention: {{.SettingName}} ({{.ApplicationID}})",
		body: `{{.SettingName}} ({{.ApplicationID}}) needs attention{{if .Reason}}: {{.Reason}}{{else}}.{{end}}

See the application: {{.Link}}`,
	},
}

// Kinds lists the message types, sorted.
func Kinds() []string {
	out := make([]string, 0, len(templates))
	for k := range templates {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Render produces the subject, plain text and HTML of a message type: the greeting
// ("Dear {{.RecipientName}},"), the kind's body, and the tenant's name as sign-off.
func Render(kind string, d Data) (subject, text, html string, err error) {
	subject, body, err := RenderBody(kind, d)
	if err != nil {
		return "", "", "", err
	}
	text, html = letter(d, body, nil)
	return subject, text, html, nil
}

// RenderBody produces the subject and plain-text body of a message type without the greeting
// and the sign-off: a DigestItem's Subject and Text.
func RenderBody(kind string, d Data) (subject, body string, err error) {
	t, ok := templates[kind]
	if !ok {
		return "", "", fmt.Errorf("no email template %q", kind)
	}
	if subject, err = renderText(kind+" subject", t.subject, d); err != nil {
		return "", "", err
	}
	if body, err = renderText(kind, t.body, d); err != nil {
		return "", "", err
	}
	return subject, body, nil
}

func renderText(name, src string, d Data) (string, error) {
	tmpl, err := texttemplate.New(name).Option("missingkey=error").Parse(src)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}

// section is a headed part of a letter (a digest's reminder).
type section struct {
	Heading string
	Body    string
}

// letter wraps a rendered plain-text body (and any sections after it) in the greeting and the
// sign-off, as plain text and as HTML.
func letter(d Data, body string, sections []section) (text, html string) {
	greeting := "Hello,"
	if d.RecipientName != "" {
		greeting = "Dear " + d.RecipientName + ","
	}
	var t strings.Builder
	t.WriteString(greeting + "\n\n" + body + "\n\n")
	for _, s := range sections {
		t.WriteString(digestRule + "\n" + s.Heading + "\n\n" + s.Body + "\n\n")
	}
	t.WriteString(d.TenantName + "\n")

	page := htmlPage{Greeting: greeting, Paragraphs: paragraphs(body), TenantName: d.TenantName}
	for _, s := range sections {
		page.Sections = append(page.Sections, htmlSection{Heading: s.Heading, Paragraphs: paragraphs(s.Body)})
	}
	var h bytes.Buffer
	if err := htmlLetter.Execute(&h, page); err != nil {
		panic(err) // the page template only ranges over strings: it cannot fail
	}
	return t.String(), h.String()
}

// digestRule separates a digest's reminders in plain text.
const digestRule = "----------------------------------------"

type htmlSection struct {
	Heading    string
	Paragraphs [][]string
}

type htmlPage struct {
	Greeting   string
	Paragraphs [][]string // paragraphs of lines
	Sections   []htmlSection
	TenantName string
}

// htmlLetter escapes every value (html/template): each paragraph becomes <p>, line breaks
// inside a paragraph become <br>.
var htmlLetter = htmltemplate.Must(htmltemplate.New("letter").Parse(
	`{{define "paras"}}{{range .}}<p>{{range $i, $line := .}}{{if $i}}<br>
{{end}}{{$line}}{{end}}</p>
{{end}}{{end}}<!doctype html>
<html><body style="font-family:sans-serif">
<p>{{.Greeting}}</p>
{{template "paras" .Paragraphs}}{{range .Sections}}<hr>
<h2 style="font-size:1.1em">{{.Heading}}</h2>
{{template "paras" .Paragraphs}}{{end}}{{if .Sections}}<hr>
{{end}}<p>{{.TenantName}}</p>
</body></html>
`))

var blankLines = regexp.MustCompile(`\n[ \t]*\n\s*`)

// paragraphs splits plain text at blank lines, then each paragraph into lines; empty
// paragraphs (an optional part left out) are dropped.
func paragraphs(s string) [][]string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out [][]string
	for _, p := range blankLines.Split(s, -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.Split(p, "\n"))
		}
	}
	return out
}
