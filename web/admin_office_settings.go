package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/email"
	"awardengine/services/admin"
	"awardengine/services/applications"
	"awardengine/structs"
)

// The council's settings (services/admin settings.go): its name, the journey's deadlines and
// reminder timings, an award's validity, retention and the SendGrid templates of its emails.
// The service checks every value (each refusal names its field and why) and audits each change.

func (s *Server) officeSettingsRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/settings", s.signedIn(s.officeSettingsPage))
	mux.Handle("POST /admin/settings", s.signedIn(s.officeSettingsForm))
}

// officeSettingsData is the settings page.
type officeSettingsData struct {
	Name      inputField
	Sections  []officeSettingsSection
	Templates []officeSettingField
	// TemplatesOpen opens the templates' details (one of them is refused).
	TemplatesOpen  bool
	DefaultTimings bool
}

// officeSettingsSection is a fieldset of numeric settings.
type officeSettingsSection struct {
	Legend, Hint string
	Fields       []officeSettingField
}

// officeSettingField is one input with its suffix (days, months…).
type officeSettingField struct {
	Name, ID, Label, Hint, Value, Suffix, Error, Width string
	Numeric                                            bool
}

// officeSettingSpec says how one setting is shown: its label, unit, standard value and what
// else the hint says.
type officeSettingSpec struct {
	Field, Label, Suffix, Note string
	List, Optional             bool // a list of months; blank means the standard (0)
	Standard                   func(award.Settings) string
	Value                      func(structs.TenantSettings) string
}

func officeInt(n int) string { return strconv.Itoa(n) }

func officeMonths(ms []int) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = strconv.Itoa(m)
	}
	return strings.Join(parts, ", ")
}

// officeSettingSections are the page's fieldsets, in order.
var officeSettingSections = []struct {
	Legend, Hint string
	Specs        []officeSettingSpec
}{
	{"Reminders while a portfolio is built", "", []officeSettingSpec{
		{Field: "toolkit_nudge_days", Label: "Days after registration to remind the applicant to open the toolkit", Suffix: "days",
			Note:     "One reminder, if the toolkit is still unopened.",
			Standard: func(s award.Settings) string { return officeInt(int(s.ToolkitNudgeAfter / award.Day)) },
			Value:    func(v structs.TenantSettings) string { return officeInt(v.ToolkitNudgeDays) }},
		{Field: "inactivity_nudge_after_days", Label: "Days without activity before the first reminder", Suffix: "days",
			Standard: func(s award.Settings) string { return officeInt(int(s.InactivityNudgeAfter / award.Day)) },
			Value:    func(v structs.TenantSettings) string { return officeInt(v.InactivityNudgeAfterDays) }},
		{Field: "inactivity_nudge_every_days", Label: "Days between the next reminders", Suffix: "days",
			Standard: func(s award.Settings) string { return officeInt(int(s.InactivityNudgeEvery / award.Day)) },
			Value:    func(v structs.TenantSettings) string { return officeInt(v.InactivityNudgeEveryDays) }},
		{Field: "inactivity_max_nudges", Label: "Number of reminders about no activity, at most", Suffix: "reminders",
			Standard: func(s award.Settings) string { return officeInt(s.InactivityMaxNudges) },
			Value:    func(v structs.TenantSettings) string { return officeInt(v.InactivityMaxNudges) }},
		{Field: "dormant_after_days", Label: "Days without activity before admins see a portfolio as dormant", Suffix: "days",
			Note:     "It must be longer than the time before the first reminder.",
			Standard: func(s award.Settings) string { return officeInt(int(s.DormantAfter / award.Day)) },
			Value:    func(v structs.TenantSettings) string { return officeInt(v.DormantAfterDays) }},
	}},
	{"First-year foster carers", "Their portfolio has a due date, counted from the date they were approved as foster carers. Their supervising social worker gets a copy of each reminder.", []officeSettingSpec{
		{Field: "first_year_due_months", Label: "Months after approval when the portfolio is due", Suffix: "months",
			Standard: func(s award.Settings) string { return officeInt(s.FirstYearDueMonths) },
			Value:    func(v structs.TenantSettings) string { return officeInt(v.FirstYearDueMonths) }},
		{Field: "first_year_reminder_months", Label: "Months after approval to send reminders", Suffix: "months", List: true,
			Note:     "Months after approval, smallest first, separated by commas. Each must come before the due date.",
			Standard: func(s award.Settings) string { return officeMonths(s.FirstYearReminderMonths) },
			Value:    func(v structs.TenantSettings) string { return officeMonths(v.FirstYearReminderMonths) }},
	}},
	{"Assessment and moderation", "Deadlines count working days: weekends and bank holidays in England and Wales are left out.", []officeSettingSpec{
		{Field: "offer_workdays", Label: "Working days an assessor has to accept an offer", Suffix: "days",
			Note:     "If they do not answer by then, it is offered to another assessor.",
			Standard: func(s award.Settings) string { return officeInt(s.Deadlines().OfferWorkdays) },
			Value:    func(v structs.TenantSettings) string { return officeInt(v.OfferWorkdays) }},
		{Field: "assessment_workdays", Label: "Working days after accepting an offer when the assessment is due", Suffix: "days",
			Standard: func(s award.Settings) string { return officeInt(s.Deadlines().AssessmentWorkdays) },
			Value:    func(v structs.TenantSettings) string { return officeInt(v.AssessmentWorkdays) }},
		{Field: "moderation_workdays", Label: "Working days to moderate, or to look again at an assessment referred back", Suffix: "days",
			Standard: func(s award.Settings) string { return officeInt(s.Deadlines().ModerationWorkdays) },
			Value:    func(v structs.TenantSettings) string { return officeInt(v.ModerationWorkdays) }},
		{Field: "reminder_workdays", Label: "Working days before a due date to send the first reminder", Suffix: "days",
			Note:     "A second reminder goes on the due date. It must be fewer than the days to assess and to moderate.",
			Standard: func(s award.Settings) string { return officeInt(s.Deadlines().ReminderWorkdays) },
			Value:    func(v structs.TenantSettings) string { return officeInt(v.ReminderWorkdays) }},
		{Field: "overdue_workdays", Label: "Working days after a due date before the award team is told it is overdue", Suffix: "days",
			Standard: func(s award.Settings) string { return officeInt(s.Deadlines().OverdueWorkdays) },
			Value:    func(v structs.TenantSettings) string { return officeInt(v.OverdueWorkdays) }},
		{Field: "resubmit_months", Label: "Months an applicant has to resubmit after a \"not yet\"", Suffix: "months",
			Standard: func(s award.Settings) string { return officeInt(s.Deadlines().ResubmitMonths) },
			Value:    func(v structs.TenantSettings) string { return officeInt(v.ResubmitMonths) }},
		{Field: "resubmit_reminder_days", Label: "Days before the resubmission window closes to remind the applicant", Suffix: "days",
			Standard: func(s award.Settings) string { return officeInt(s.Deadlines().ResubmitReminderDays) },
			Value:    func(v structs.TenantSettings) string { return officeInt(v.ResubmitReminderDays) }},
	}},
	{"Awards", "", []officeSettingSpec{
		{Field: "award_valid_days", Label: "Days an award is valid for", Suffix: "days", Optional: true,
			Note:     "Leave blank for three years from the decision.",
			Standard: func(award.Settings) string { return "three years" },
			Value: func(v structs.TenantSettings) string {
				if v.AwardValidDays == 0 {
					return ""
				}
				return officeInt(v.AwardValidDays)
			}},
		{Field: "reassessment_reminder_months", Label: "Months before an award expires to remind the applicant to be reassessed", Suffix: "months", List: true,
			Note:     "Separate the months with commas.",
			Standard: func(s award.Settings) string { return officeMonths(s.ReassessmentReminderMonths) },
			Value:    func(v structs.TenantSettings) string { return officeMonths(v.ReassessmentReminderMonths) }},
	}},
	{"Emails", "", []officeSettingSpec{
		{Field: "digest_delay_minutes", Label: "Minutes a person's first reminder of the day waits for others", Suffix: "minutes",
			Note:     "Then all their reminders go in one email.",
			Standard: func(s award.Settings) string { return officeInt(int(s.DigestDelay / time.Minute)) },
			Value:    func(v structs.TenantSettings) string { return officeInt(v.DigestDelayMinutes) }},
	}},
	{"Keeping data", "", []officeSettingSpec{
		{Field: "retain_days", Label: "Days after an application closes to delete its evidence and personal data", Suffix: "days", Optional: true,
			Note:     "Counted from when it closed or lapsed, unless an admin puts it on legal hold. Leave blank for six years.",
			Standard: func(award.Settings) string { return "six years" },
			Value: func(v structs.TenantSettings) string {
				if v.RetainDays == 0 {
					return ""
				}
				return officeInt(v.RetainDays)
			}},
	}},
}

// officeSettingHint is a field's hint: what it does, its standard value and its range.
func officeSettingHint(spec officeSettingSpec) string {
	std := spec.Standard(award.DefaultSettings())
	var b strings.Builder
	if spec.Note != "" {
		b.WriteString(spec.Note + " ")
	}
	if spec.List {
		fmt.Fprintf(&b, "The standard is %s.", std)
		return b.String()
	}
	if spec.Optional {
		lim := admin.SettingLimits[spec.Field]
		fmt.Fprintf(&b, "Or from %d to %d days.", lim[0], lim[1])
		return b.String()
	}
	lim := admin.SettingLimits[spec.Field]
	fmt.Fprintf(&b, "The standard is %s. From %d to %d.", std, lim[0], lim[1])
	return b.String()
}

// officeTemplateLabel is a message type in words: "toolkit_nudge" → "Toolkit nudge".
func officeTemplateLabel(kind string) string {
	return upperFirst(strings.ReplaceAll(kind, "_", " "))
}

func officeTemplateHint(kind string) string {
	switch to := email.Recipients[kind]; to {
	case "admin":
		return "Sent to the award team"
	case "":
		return "The one email that gathers a person's reminders of the day"
	default:
		return "Sent to the " + to
	}
}

// officeSettingsView is the page for the settings v, with the form's values (when a form was
// refused) and errs beside their fields.
func officeSettingsView(v structs.TenantSettings, form map[string]string, errs []structs.FieldError) officeSettingsData {
	value := func(field, current string) string {
		if form != nil {
			return form[field]
		}
		return current
	}
	d := officeSettingsData{DefaultTimings: v.DefaultTimings,
		Name: input("name", "Council name", value("name", v.Name), errs,
			"hint=Shown at the top of every page and at the end of every email. Changes show at once.", "autocomplete=organization")}
	for _, sec := range officeSettingSections {
		out := officeSettingsSection{Legend: sec.Legend, Hint: sec.Hint}
		for _, spec := range sec.Specs {
			f := officeSettingField{Name: spec.Field, ID: fieldID(spec.Field), Label: spec.Label, Hint: officeSettingHint(spec),
				Value: value(spec.Field, spec.Value(v)), Suffix: spec.Suffix, Error: fieldError(errs, spec.Field),
				Width: "4", Numeric: !spec.List}
			if spec.List {
				f.Width = "10"
			}
			out.Fields = append(out.Fields, f)
		}
		d.Sections = append(d.Sections, out)
	}
	for _, kind := range admin.TemplateKinds() {
		field := "email_templates." + kind
		f := officeSettingField{Name: field, ID: fieldID(field), Label: officeTemplateLabel(kind), Hint: officeTemplateHint(kind),
			Value: value(field, v.EmailTemplates[kind]), Error: fieldError(errs, field), Width: "20"}
		if f.Error != "" {
			d.TemplatesOpen = true
		}
		d.Templates = append(d.Templates, f)
	}
	return d
}

func (s *Server) officeSettingsPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	v, err := s.Admin().Settings(r.Context(), me)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin/settings", &Page{Title: "Settings", Me: me,
		Notice: s.Sessions.PopString(r.Context(), noticeKey), Data: officeSettingsView(v, nil, nil)})
}

// officeSettingLabels name the settings in a notice of what changed.
var officeSettingLabels = map[string]string{
	"name":                         "the council name",
	"toolkit_nudge_days":           "the toolkit reminder",
	"inactivity_nudge_after_days":  "the first reminder about no activity",
	"inactivity_nudge_every_days":  "the time between reminders about no activity",
	"inactivity_max_nudges":        "the most reminders about no activity",
	"dormant_after_days":           "the time before a portfolio is dormant",
	"first_year_due_months":        "the first-year due date",
	"first_year_reminder_months":   "the first-year reminders",
	"reassessment_reminder_months": "the reassessment reminders",
	"digest_delay_minutes":         "the digest's wait",
	"award_valid_days":             "how long an award is valid",
	"retain_days":                  "how long data is kept",
	"offer_workdays":               "the time to accept an offer",
	"assessment_workdays":          "the time to assess",
	"moderation_workdays":          "the time to moderate",
	"reminder_workdays":            "the first reminder before a due date",
	"overdue_workdays":             "the time before an overdue step is flagged",
	"resubmit_months":              "the resubmission window",
	"resubmit_reminder_days":       "the resubmission reminder",
}

func officeChangeText(c structs.SettingChange) string {
	label := officeSettingLabels[c.Field]
	if kind, ok := strings.CutPrefix(c.Field, "email_templates."); ok {
		label = "the " + strings.ToLower(officeTemplateLabel(kind)) + " template"
	}
	before, after := c.Before, c.After
	if before == "" {
		before = "none"
	}
	if after == "" {
		after = "none"
	}
	return label + " (" + before + " to " + after + ")"
}

func (s *Server) officeSettingsForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	current, err := s.Admin().Settings(r.Context(), me)
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	refused := func(status int, form map[string]string, errs []structs.FieldError) {
		s.render(w, r, status, "admin/settings", &Page{Title: "Settings", Me: me, Errors: errs,
			Data: officeSettingsView(current, form, errs)})
	}
	if !readForm(w, r) {
		refused(http.StatusBadRequest, nil, oneError("", "the form could not be read: try again"))
		return
	}
	form := map[string]string{"name": strings.TrimSpace(r.PostForm.Get("name"))}
	name := form["name"]
	req := structs.SettingsUpdate{Name: &name}
	var errs []structs.FieldError
	for _, sec := range officeSettingSections {
		for _, spec := range sec.Specs {
			raw := strings.TrimSpace(r.PostForm.Get(spec.Field))
			form[spec.Field] = raw
			what := "Enter " + officeSettingLabels[spec.Field] + " as a whole number"
			if spec.Suffix == "days" || spec.Suffix == "months" || spec.Suffix == "minutes" {
				what += " of " + spec.Suffix
			}
			switch {
			case spec.List:
				var months []int
				ok := true
				for _, part := range strings.FieldsFunc(raw, func(c rune) bool { return c == ',' || c == ' ' || c == ';' }) {
					n, err := strconv.Atoi(part)
					if err != nil {
						ok = false
						break
					}
					months = append(months, n)
				}
				if !ok {
					errs = append(errs, fieldErr{Field: spec.Field, Message: "Enter whole numbers of months separated by commas, for example " + spec.Standard(award.DefaultSettings())})
					continue
				}
				if months == nil {
					months = []int{}
				}
				switch spec.Field {
				case "first_year_reminder_months":
					req.FirstYearReminderMonths = &months
				case "reassessment_reminder_months":
					req.ReassessmentReminderMonths = &months
				}
			default:
				n := 0
				if raw == "" && !spec.Optional {
					errs = append(errs, fieldErr{Field: spec.Field, Message: what})
					continue
				}
				if raw != "" {
					var err error
					if n, err = strconv.Atoi(raw); err != nil {
						errs = append(errs, fieldErr{Field: spec.Field, Message: what})
						continue
					}
				}
				officeSetInt(&req, spec.Field, n)
			}
		}
	}
	templates := map[string]string{}
	for _, kind := range admin.TemplateKinds() {
		field := "email_templates." + kind
		form[field] = strings.TrimSpace(r.PostForm.Get(field))
		if form[field] != "" {
			templates[kind] = form[field]
		}
	}
	req.EmailTemplates = &templates
	if len(errs) > 0 {
		refused(http.StatusUnprocessableEntity, form, errs)
		return
	}
	v, err := s.Admin().PutSettings(r.Context(), me, req)
	if err != nil {
		errs, ok := formErrors(err)
		if !ok {
			s.fail(w, r, me, err)
			return
		}
		for i := range errs {
			if errs[i].Field == "" {
				continue
			}
			if errs[i].Field == "name" && name == "" {
				errs[i].Message = "Enter the council name"
			}
		}
		p, _ := applications.Problem(err, false)
		refused(p.Status, form, errs)
		return
	}
	notice := "Nothing was changed."
	if len(v.Changes) > 0 {
		parts := make([]string, len(v.Changes))
		for i, c := range v.Changes {
			parts[i] = officeChangeText(c)
			if c.Field == "name" {
				tenantNames.Delete(me.TenantID) // the header shows the new name at once
			}
		}
		notice = "Settings saved. You changed " + strings.Join(parts, "; ") + "."
	}
	s.Sessions.Put(r.Context(), noticeKey, notice)
	http.Redirect(w, r, "/admin/settings", http.StatusSeeOther)
}

// officeSetInt sets the numeric field of req named field.
func officeSetInt(req *structs.SettingsUpdate, field string, n int) {
	p := &n
	switch field {
	case "toolkit_nudge_days":
		req.ToolkitNudgeDays = p
	case "inactivity_nudge_after_days":
		req.InactivityNudgeAfterDays = p
	case "inactivity_nudge_every_days":
		req.InactivityNudgeEveryDays = p
	case "inactivity_max_nudges":
		req.InactivityMaxNudges = p
	case "dormant_after_days":
		req.DormantAfterDays = p
	case "first_year_due_months":
		req.FirstYearDueMonths = p
	case "digest_delay_minutes":
		req.DigestDelayMinutes = p
	case "award_valid_days":
		req.AwardValidDays = p
	case "retain_days":
		req.RetainDays = p
	case "offer_workdays":
		req.OfferWorkdays = p
	case "assessment_workdays":
		req.AssessmentWorkdays = p
	case "moderation_workdays":
		req.ModerationWorkdays = p
	case "reminder_workdays":
		req.ReminderWorkdays = p
	case "overdue_workdays":
		req.OverdueWorkdays = p
	case "resubmit_months":
		req.ResubmitMonths = p
	case "resubmit_reminder_days":
		req.ResubmitReminderDays = p
	}
}
