// Package email renders the award's emails and hands them to SendGrid (or the local
// SendGrid-compatible endpoint in development).
package email

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"sort"
	texttemplate "text/template"
)

// Data is what a template may use. Values supplied by people (names) are escaped in HTML.
type Data struct {
	TenantName    string
	RecipientName string
	SettingName   string
	Reference     string
	ApplicationID string
	TrackTitle    string
	Level         string
	Link          string
	DueDate       string
	Months        int
	Count         int
	Missing       []string
	Reason        string
}

type template struct {
	subject string
	body    string // shared by the text and HTML forms; the HTML form is escaped
}

// The body is written once and rendered twice: as plain text and as escaped HTML paragraphs.
var templates = map[string]template{
	"welcome": {
		subject: "Welcome to the {{.TrackTitle}}: {{.SettingName}}",
		body: `Dear {{.RecipientName}},

{{.SettingName}} ({{.Reference}}) is registered for the {{.TrackTitle}} with {{.TenantName}}. Your application reference is {{.ApplicationID}}.

Your toolkit is ready: {{.Link}}

Work through it, upload your evidence against each standard, and submit when you are ready.`,
	},
	"welcome_supporter": {
		subject: "{{.SettingName}} has registered for the {{.TrackTitle}}",
		body: `Dear {{.RecipientName}},

{{.SettingName}} ({{.Reference}}), whom you support, has registered for the {{.TrackTitle}} with {{.TenantName}} (application {{.ApplicationID}}). You can follow their progress.`,
	},
	"toolkit_nudge": {
		subject: "Your {{.TrackTitle}} toolkit is waiting",
		body: `Dear {{.RecipientName}},

You registered {{.SettingName}} for the {{.TrackTitle}} two weeks ago but have not opened the toolkit yet: {{.Link}}`,
	},
	"inactivity_nudge": {
		subject: "Your {{.TrackTitle}} portfolio for {{.SettingName}}",
		body: `Dear {{.RecipientName}},

We have not seen any activity on the portfolio of {{.SettingName}} (application {{.ApplicationID}}) for a while. Upload your evidence and submit when you are ready: {{.Link}}

If you need help, reply to this email.`,
	},
	"first_year_reminder": {
		subject: "{{.TrackTitle}}: your workbook is due by {{.DueDate}}",
		body: `Dear {{.RecipientName}},

{{.Months}} months have passed since approval. The workbook of {{.SettingName}} (application {{.ApplicationID}}), which covers the Training, Support and Development Standards, is due by {{.DueDate}}: {{.Link}}`,
	},
	"first_year_reminder_supporter": {
		subject: "{{.TrackTitle}}: {{.SettingName}}'s workbook is due by {{.DueDate}}",
		body: `Dear {{.RecipientName}},

A copy for you as supervising social worker: {{.Months}} months have passed since approval of {{.SettingName}}, whose workbook (application {{.ApplicationID}}) is due by {{.DueDate}}.`,
	},
	"first_year_overdue": {
		subject: "{{.TrackTitle}}: the workbook of {{.SettingName}} is overdue",
		body: `Dear {{.RecipientName}},

The workbook of {{.SettingName}} (application {{.ApplicationID}}) was due by {{.DueDate}} and has not been submitted. Your award team has been told.`,
	},
	"submission_receipt": {
		subject: "We have received your {{.TrackTitle}} submission ({{.Level}})",
		body: `Dear {{.RecipientName}},

Thank you. We have received the portfolio of {{.SettingName}} (application {{.ApplicationID}}) for {{.Level}}, with {{.Count}} evidence items. Your evidence is now locked. We will tell you who your assessor is.`,
	},
	"withdrawal": {
		subject: "Your {{.TrackTitle}} application has been withdrawn",
		body: `Dear {{.RecipientName}},

Application {{.ApplicationID}} for {{.SettingName}} has been withdrawn{{if .Reason}} ({{.Reason}}){{end}}. You may register again at any time.`,
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

// Render produces the subject, plain text and HTML of a message type.
func Render(kind string, d Data) (subject, text, html string, err error) {
	t, ok := templates[kind]
	if !ok {
		return "", "", "", fmt.Errorf("no email template %q", kind)
	}
	if subject, err = renderText(t.subject, d); err != nil {
		return
	}
	if text, err = renderText(t.body+"\n\n{{.TenantName}}\n", d); err != nil {
		return
	}
	html, err = renderHTML(t.body, d)
	return
}

func renderText(src string, d Data) (string, error) {
	tmpl, err := texttemplate.New("t").Option("missingkey=error").Parse(src)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	err = tmpl.Execute(&b, d)
	return b.String(), err
}

// renderHTML escapes every value (html/template) and turns blank-line paragraphs into <p>.
func renderHTML(src string, d Data) (string, error) {
	page := `<!doctype html><html><body style="font-family:sans-serif">{{range .Paragraphs}}<p>{{.}}</p>{{end}}<p>{{.TenantName}}</p></body></html>`
	// Render each paragraph as text with the values escaped by html/template.
	var rendered []htmltemplate.HTML
	for _, p := range bytes.Split([]byte(src), []byte("\n\n")) {
		t, err := htmltemplate.New("p").Option("missingkey=error").Parse(string(p))
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return "", err
		}
		rendered = append(rendered, htmltemplate.HTML(b.String())) // already escaped by html/template
	}
	t := htmltemplate.Must(htmltemplate.New("page").Parse(page))
	var b bytes.Buffer
	err := t.Execute(&b, struct {
		Paragraphs []htmltemplate.HTML
		TenantName string
	}{rendered, d.TenantName})
	return b.String(), err
}
