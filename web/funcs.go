package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// ukTime is the time zone dates are shown in: the councils are in England.
var ukTime = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// funcs are the template functions of every page. A page file may add its own in an init
// function (the templates are parsed on first use, after every init).
var funcs = template.FuncMap{
	"date":       formatDate,
	"dateTime":   formatDateTime,
	"fileSize":   fileSize,
	"stageName":  stageName,
	"stageTag":   stageTagClass,
	"fieldID":    fieldID,
	"fieldError": fieldError,
	"hasError":   func(errs []structs.FieldError, field string) bool { return fieldError(errs, field) != "" },
	"trackTitle": trackTitle,
	"levelName":  levelName,
	"whoActs":    whoActs,
	"input":      input,
	"appCard":    appCard,
	"contains": func(list []string, s string) bool {
		for _, v := range list {
			if v == s {
				return true
			}
		}
		return false
	},
}

// formatDate is the GOV.UK style date: "4 June 2027"; "" for nil or zero.
func formatDate(v any) string {
	t, ok := timeOf(v)
	if !ok {
		return ""
	}
	return t.In(ukTime).Format("2 January 2006")
}

// formatDateTime is "4 June 2027 at 3:04pm".
func formatDateTime(v any) string {
	t, ok := timeOf(v)
	if !ok {
		return ""
	}
	t = t.In(ukTime)
	return t.Format("2 January 2006") + " at " + strings.ToLower(t.Format("3:04PM"))
}

func timeOf(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil {
			return time.Time{}, false
		}
		return *t, !t.IsZero()
	}
	return time.Time{}, false
}

// fileSize is a size in words people read: "2.4 MB".
func fileSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// stageNames are the stages in the applicants' words.
var stageNames = map[award.Stage]string{
	award.StageToolkit:            "Toolkit",
	award.StagePortfolio:          "Gathering evidence",
	award.StageAwaitingAllocation: "Waiting for an assessor",
	award.StageOffered:            "Assessor being found",
	award.StageAssessment:         "Being assessed",
	award.StageModeration:         "Being moderated",
	award.StageAwarded:            "Awarded",
	award.StageNotYet:             "Not yet",
	award.StageClosed:             "Closed",
	award.StageLapsed:             "Lapsed",
	award.StageSuperseded:         "Replaced by a newer award",
	award.StageWithdrawn:          "Withdrawn",
}

func stageName(v any) string {
	st := award.Stage(fmt.Sprint(v))
	if n, ok := stageNames[st]; ok {
		return n
	}
	if st == "" {
		return "Starting"
	}
	return strings.ReplaceAll(string(st), "_", " ")
}

// stageTagClass is the GOV.UK tag colour of a stage.
func stageTagClass(v any) string {
	switch award.Stage(fmt.Sprint(v)) {
	case award.StageAwarded:
		return "govuk-tag--green"
	case award.StageNotYet:
		return "govuk-tag--orange"
	case award.StageWithdrawn, award.StageClosed, award.StageLapsed, award.StageSuperseded:
		return "govuk-tag--grey"
	case award.StageToolkit, award.StagePortfolio:
		return "govuk-tag--blue"
	}
	return "govuk-tag--purple"
}

// whoActs says whose move a stage waits for, in the applicant's words ("You", "Your
// assessor") or, after "supporter", in a supporter's ("The applicant", "The assessor").
func whoActs(v any, viewer ...string) string {
	supporter := len(viewer) > 0 && viewer[0] == "supporter"
	switch award.Stage(fmt.Sprint(v)) {
	case award.StageToolkit, award.StagePortfolio, award.StageNotYet:
		if supporter {
			return "The applicant"
		}
		return "You"
	case award.StageAwaitingAllocation, award.StageOffered:
		return "The award team"
	case award.StageAssessment:
		if supporter {
			return "The assessor"
		}
		return "Your assessor"
	case award.StageModeration:
		return "A moderator"
	}
	return "Nobody"
}

// fieldID is the id of the input a field error names ("setting.name" → "setting-name"):
// the error summary links to it.
func fieldID(field string) string {
	r := strings.NewReplacer(".", "-", "[", "-", "]", "", " ", "-")
	return r.Replace(field)
}

// fieldError is the message of the first error about field, or "".
func fieldError(errs []structs.FieldError, field string) string {
	for _, e := range errs {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

func trackTitle(track string) string { return award.Track(track).Title() }

// levelName is a level's title ("Silver") from a Level or its name ("silver").
func levelName(v any) string {
	switch l := v.(type) {
	case award.Level:
		return l.Title()
	case string:
		if parsed, err := award.ParseLevel(l); err == nil && l != "" {
			return parsed.Title()
		}
		return l
	}
	return fmt.Sprint(v)
}

// inputField is a GOV.UK text input: the "text-input" template renders it with its label,
// hint and error message.
type inputField struct {
	Name, ID, Label, Value, Error              string
	Type, Autocomplete, Hint, Width, InputMode string
	LabelIsHeading                             bool
}

// input builds an inputField; options are "key=value" strings: type, autocomplete, hint,
// width (a govuk-input--width-N class suffix), inputmode, heading (the label is the h1).
func input(name, label, value string, errs []structs.FieldError, options ...string) inputField {
	f := inputField{Name: name, ID: fieldID(name), Label: label, Value: value, Error: fieldError(errs, name), Type: "text"}
	for _, o := range options {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "type":
			f.Type = v
		case "autocomplete":
			f.Autocomplete = v
		case "hint":
			f.Hint = v
		case "width":
			f.Width = v
		case "inputmode":
			f.InputMode = v
		case "heading":
			f.LabelIsHeading = true
		}
	}
	return f
}

// appCardData is one application of a list (the "application-card" template).
type appCardData struct {
	App      postgres.Application
	Href     string
	LinkText string
	Viewer   string // "applicant" or "supporter": whose words whoActs uses
}

// appCard is the card of app linking to href, for viewer.
func appCard(app postgres.Application, href, linkText, viewer string) appCardData {
	return appCardData{App: app, Href: href, LinkText: linkText, Viewer: viewer}
}
