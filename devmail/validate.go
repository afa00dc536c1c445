package devmail

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

const helpBase = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html"

// sendRequest is the subset of SendGrid's v3 mail/send body that the sink
// reads. Unknown fields are accepted and kept in Message.Raw.
type sendRequest struct {
	From             *Address          `json:"from"`
	ReplyTo          *Address          `json:"reply_to"`
	Subject          string            `json:"subject"`
	Personalizations []personalization `json:"personalizations"`
	Content          []content         `json:"content"`
	TemplateID       string            `json:"template_id"`
	CustomArgs       map[string]string `json:"custom_args"`
	Categories       []string          `json:"categories"`
}

type personalization struct {
	To         []Address         `json:"to"`
	Cc         []Address         `json:"cc"`
	Bcc        []Address         `json:"bcc"`
	Subject    string            `json:"subject"`
	CustomArgs map[string]string `json:"custom_args"`
}

type content struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

func fieldErr(field, help, format string, args ...any) apiError {
	e := apiError{Message: fmt.Sprintf(format, args...), Field: ptr(field)}
	if help != "" {
		e.Help = ptr(helpBase + help)
	}
	return e
}

// validEmail reports whether s is a bare e-mail address (no display name).
func validEmail(s string) bool {
	if s == "" || strings.TrimSpace(s) != s {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// validate checks the body the way SendGrid does in essence and returns
// SendGrid-shaped errors; nil means the message would be accepted.
func (r *sendRequest) validate() []apiError {
	var errs []apiError

	switch {
	case r.From == nil || r.From.Email == "":
		errs = append(errs, fieldErr("from.email", "#message.from",
			`The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.  e.g. {"email" : "example@example.com"}  or {"email" : "example@example.com", "name" : "Example Recipient"}.`))
	case !validEmail(r.From.Email):
		errs = append(errs, fieldErr("from.email", "#message.from", "The from email does not contain a valid address."))
	}
	if r.ReplyTo != nil && !validEmail(r.ReplyTo.Email) {
		errs = append(errs, fieldErr("reply_to.email", "#message.reply_to", "The reply_to email does not contain a valid address."))
	}

	if len(r.Personalizations) == 0 {
		errs = append(errs, fieldErr("personalizations", "#-Personalizations-Errors",
			"The personalizations field is required and must have at least one personalization."))
	}
	everySubject := len(r.Personalizations) > 0
	for i, p := range r.Personalizations {
		if len(p.To) == 0 {
			errs = append(errs, fieldErr(fmt.Sprintf("personalizations.%d.to", i), "#message.personalizations.to",
				"The to array is required for all personalization objects, and must have at least one email object with a valid email address."))
		}
		seen := map[string]bool{}
		for _, list := range []struct {
			name  string
			addrs []Address
		}{{"to", p.To}, {"cc", p.Cc}, {"bcc", p.Bcc}} {
			for j, a := range list.addrs {
				if !validEmail(a.Email) {
					errs = append(errs, fieldErr(fmt.Sprintf("personalizations.%d.%s.%d.email", i, list.name, j),
						"#message.personalizations."+list.name, "Does not contain a valid address."))
					continue
				}
				k := strings.ToLower(a.Email)
				if seen[k] {
					errs = append(errs, fieldErr(fmt.Sprintf("personalizations.%d", i), "#message.personalizations",
						"Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [%s] in the personalizations.%d.%s field.", a.Email, i, list.name))
				}
				seen[k] = true
			}
		}
		if p.Subject == "" {
			everySubject = false
		}
	}

	if r.TemplateID == "" && r.Subject == "" && !everySubject {
		errs = append(errs, fieldErr("subject", "#message.subject",
			"The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined."))
	}

	if len(r.Content) == 0 && r.TemplateID == "" {
		errs = append(errs, fieldErr("content", "#message.content",
			"Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required."))
	}
	for i, c := range r.Content {
		if c.Type == "" {
			errs = append(errs, fieldErr(fmt.Sprintf("content.%d.type", i), "#message.content.type",
				"The content type must be a string at least one character in length."))
		}
		if c.Value == "" {
			errs = append(errs, fieldErr(fmt.Sprintf("content.%d.value", i), "#message.content.value",
				"The content value must be a string at least one character in length."))
		}
	}
	return errs
}

// mediaType returns the lower-cased media type without parameters.
func mediaType(t string) string {
	t, _, _ = strings.Cut(t, ";")
	return strings.ToLower(strings.TrimSpace(t))
}

// message builds the stored Message from a validated request.
func (r *sendRequest) message(id string, raw []byte) Message {
	m := Message{
		ID:         id,
		ReceivedAt: time.Now().UTC(),
		From:       *r.From,
		ReplyTo:    r.ReplyTo,
		To:         []Address{},
		Subject:    r.Subject,
		TemplateID: r.TemplateID,
		Categories: r.Categories,
		Raw:        json.RawMessage(append([]byte(nil), raw...)),
	}
	for k, v := range r.CustomArgs {
		if m.CustomArgs == nil {
			m.CustomArgs = map[string]string{}
		}
		m.CustomArgs[k] = v
	}
	for i, p := range r.Personalizations {
		m.To = append(m.To, p.To...)
		m.Cc = append(m.Cc, p.Cc...)
		if p.Subject != "" && (i == 0 || m.Subject == "") {
			m.Subject = p.Subject // a personalization's subject overrides the top-level one
		}
		for k, v := range p.CustomArgs {
			if m.CustomArgs == nil {
				m.CustomArgs = map[string]string{}
			}
			m.CustomArgs[k] = v
		}
	}
	for _, c := range r.Content {
		switch mediaType(c.Type) {
		case "text/plain":
			if m.Text == "" {
				m.Text = c.Value
			}
		case "text/html":
			if m.HTML == "" {
				m.HTML = c.Value
			}
		}
	}
	return m
}
