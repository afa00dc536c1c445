package structs

// A tenant's settings as its admins manage them (GET and PUT /v1/admin/settings,
// services/admin settings.go): the name shown in the header and the emails, the journey's
// deadlines and reminder timings, how long an award is valid, how long a closed application's
// data is kept, and the SendGrid dynamic templates of its emails.

// TenantSettings is GET /v1/admin/settings, and the answer of PUT.
type TenantSettings struct {
	// Name is the council's name, shown in the pages' header and the emails.
	Name string `json:"name"`
	// ToolkitNudgeDays: one nudge if the toolkit is still unopened this many days after registration.
	ToolkitNudgeDays int `json:"toolkit_nudge_days"`
	// InactivityNudgeAfterDays: the first nudge after a portfolio has had no activity this
	// long; then one every InactivityNudgeEveryDays, at most InactivityMaxNudges.
	InactivityNudgeAfterDays int `json:"inactivity_nudge_after_days"`
	InactivityNudgeEveryDays int `json:"inactivity_nudge_every_days"`
	InactivityMaxNudges      int `json:"inactivity_max_nudges"`
	// DormantAfterDays: a portfolio without activity this long is flagged dormant to admins.
	DormantAfterDays int `json:"dormant_after_days"`
	// FirstYearDueMonths: a first-year foster carer's portfolio is due this many months after
	// their approval, with reminders FirstYearReminderMonths months after it.
	FirstYearDueMonths      int   `json:"first_year_due_months"`
	FirstYearReminderMonths []int `json:"first_year_reminder_months"`
	// ReassessmentReminderMonths: reminders this many months before an award expires.
	ReassessmentReminderMonths []int `json:"reassessment_reminder_months"`
	// DigestDelayMinutes: a person's first reminder of a day waits this long for others, then
	// one digest email goes out.
	DigestDelayMinutes int `json:"digest_delay_minutes"`
	// AwardValidDays is how long an award is valid; 0 means three calendar years.
	AwardValidDays int `json:"award_valid_days"`
	// RetainDays is how long a closed or lapsed application's evidence and personal data are
	// kept after it closed; 0 means six calendar years.
	RetainDays int `json:"retain_days"`
	// The deadlines after submission, in working days (SPEC §3 stages 5–9): an offer is
	// accepted within OfferWorkdays; an assessment is due AssessmentWorkdays after acceptance;
	// a moderation (or an assessment referred back) ModerationWorkdays after it is asked for.
	// Reminders come ReminderWorkdays before each due day and on it; admins are flagged
	// OverdueWorkdays after it.
	OfferWorkdays      int `json:"offer_workdays"`
	AssessmentWorkdays int `json:"assessment_workdays"`
	ModerationWorkdays int `json:"moderation_workdays"`
	ReminderWorkdays   int `json:"reminder_workdays"`
	OverdueWorkdays    int `json:"overdue_workdays"`
	// ResubmitMonths: after "not yet", the applicant may resubmit within this many months,
	// reminded ResubmitReminderDays before the window closes.
	ResubmitMonths       int `json:"resubmit_months"`
	ResubmitReminderDays int `json:"resubmit_reminder_days"`
	// EmailTemplates names a SendGrid dynamic template (d- and 32 hexadecimal digits) per
	// message type; a type not named is rendered by the app.
	EmailTemplates map[string]string `json:"email_templates"`
	// DefaultTimings says the tenant uses the service's default timings (it has changed none).
	DefaultTimings bool `json:"default_timings"`
	// Changes lists what a PUT changed (empty when it changed nothing).
	Changes []SettingChange `json:"changes,omitempty"`
}

// SettingsUpdate is the body of PUT /v1/admin/settings: omitted fields keep their value;
// email_templates, when given, replaces the whole set (a type left out is rendered by the app).
type SettingsUpdate struct {
	Name                       *string            `json:"name"`
	ToolkitNudgeDays           *int               `json:"toolkit_nudge_days"`
	InactivityNudgeAfterDays   *int               `json:"inactivity_nudge_after_days"`
	InactivityNudgeEveryDays   *int               `json:"inactivity_nudge_every_days"`
	InactivityMaxNudges        *int               `json:"inactivity_max_nudges"`
	DormantAfterDays           *int               `json:"dormant_after_days"`
	FirstYearDueMonths         *int               `json:"first_year_due_months"`
	FirstYearReminderMonths    *[]int             `json:"first_year_reminder_months"`
	ReassessmentReminderMonths *[]int             `json:"reassessment_reminder_months"`
	DigestDelayMinutes         *int               `json:"digest_delay_minutes"`
	AwardValidDays             *int               `json:"award_valid_days"`
	RetainDays                 *int               `json:"retain_days"`
	OfferWorkdays              *int               `json:"offer_workdays"`
	AssessmentWorkdays         *int               `json:"assessment_workdays"`
	ModerationWorkdays         *int               `json:"moderation_workdays"`
	ReminderWorkdays           *int               `json:"reminder_workdays"`
	OverdueWorkdays            *int               `json:"overdue_workdays"`
	ResubmitMonths             *int               `json:"resubmit_months"`
	ResubmitReminderDays       *int               `json:"resubmit_reminder_days"`
	EmailTemplates             *map[string]string `json:"email_templates"`
}

// SettingChange is one value a change of settings changed, as the audit trail records it.
type SettingChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}
