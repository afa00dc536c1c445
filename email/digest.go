package email

import (
	"errors"
	"strconv"
)

// RenderDigest merges the reminders due to one person on one day into one email (SPEC §3:
// "reminders to one person are merged into one daily digest when several fall on the same
// day"). d.Items holds the reminders, each a kind's subject and plain-text body from
// RenderBody; d.RecipientName and d.TenantName give the greeting and the sign-off.
//
// The plain text puts each reminder's subject as a heading line over its body, between rules;
// the HTML escapes every value and makes each body's paragraphs <p>.
func RenderDigest(d Data) (subject, text, html string, err error) {
	n := len(d.Items)
	if n == 0 {
		return "", "", "", errors.New("a digest needs at least one item")
	}
	reminders := strconv.Itoa(n) + " reminders"
	if n == 1 {
		reminders = "1 reminder"
	}
	subject = reminders + " from " + d.TenantName
	intro := "You have " + reminders + " from us today. Each one is below."
	if n == 1 {
		intro = "You have 1 reminder from us today. It is below."
	}
	sections := make([]section, n)
	for i, it := range d.Items {
		if it.Subject == "" && it.Text == "" {
			return "", "", "", errors.New("digest item " + strconv.Itoa(i+1) + " (" + it.Kind + ") is empty")
		}
		sections[i] = section{Heading: it.Subject, Body: it.Text}
	}
	text, html = letter(d, intro, sections)
	return subject, text, html, nil
}
