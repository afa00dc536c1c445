package award

import (
	"fmt"
	"strings"
	"time"
)

// Day and Week are calendar durations used by the journey timers.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
)

// Settings are a tenant's journey timers (SPEC §3, stages 2–3 and the
// storage links). DefaultSettings gives the SPEC defaults.
type Settings struct {
	ToolkitNudgeAfter       time.Duration // one nudge if the toolkit is unopened after this (14 days)
	InactivityNudgeAfter    time.Duration // first nudge after a portfolio has no activity for this (8 weeks)
	InactivityNudgeEvery    time.Duration // then every this long (4 weeks)
	InactivityMaxNudges     int           // at most this many inactivity nudges (3)
	DormantAfter            time.Duration // portfolio flagged dormant to admins (6 months = 183 days)
	FirstYearDueMonths      int           // first-year carers: hard due date, months from approval (12)
	FirstYearReminderMonths []int         // first-year carers: reminders, months from approval (6, 9, 11)
	DownloadLinkTTL         time.Duration // lifetime of a signed download link (15 minutes)
	UploadLinkTTL           time.Duration // lifetime of a signed upload link (15 minutes)
	DigestDelay             time.Duration // a person's first reminder of a day waits this long for others, then one digest goes out (1 hour)
	// An award is valid for AwardValidFor (0: three calendar years from the decision).
	AwardValidFor time.Duration
	// Reassessment reminders, months before the award expires (12, 6, 3, 1).
	ReassessmentReminderMonths []int
	// A closed or lapsed application's evidence and personal data are erased RetainFor after
	// it closed (0: six calendar years), unless an admin sets a legal hold.
	RetainFor time.Duration
	// The deadlines after submission (SPEC §3 stages 5–9), in working days unless named
	// otherwise. Zero means the SPEC default (Deadlines fills it in): journeys registered
	// before these were settings carry zeros and keep the timings they started with.
	OfferWorkdays        int // an offer is accepted within this many working days (5)
	AssessmentWorkdays   int // an assessment is due this many working days after acceptance (20)
	ModerationWorkdays   int // a moderation, or an assessment referred back, is due in this many (10)
	ReminderWorkdays     int // the first reminder comes this many working days before a due day (5)
	OverdueWorkdays      int // admins are flagged this many working days after a due day (3)
	ResubmitMonths       int // "not yet": the window to resubmit, in calendar months (3)
	ResubmitReminderDays int // the window's reminder comes this many days before it closes (14)
}

// Deadlines are the working-day deadlines after submission, with every default filled in.
type Deadlines struct {
	OfferWorkdays        int `json:"offer_workdays"`
	AssessmentWorkdays   int `json:"assessment_workdays"`
	ModerationWorkdays   int `json:"moderation_workdays"`
	ReminderWorkdays     int `json:"reminder_workdays"`
	OverdueWorkdays      int `json:"overdue_workdays"`
	ResubmitMonths       int `json:"resubmit_months"`
	ResubmitReminderDays int `json:"resubmit_reminder_days"`
}

// DefaultDeadlines are SPEC §3's.
var DefaultDeadlines = Deadlines{OfferWorkdays: 5, AssessmentWorkdays: 20, ModerationWorkdays: 10,
	ReminderWorkdays: 5, OverdueWorkdays: 3, ResubmitMonths: 3, ResubmitReminderDays: 14}

// Deadlines are the settings' deadlines, a zero replaced by the default.
func (s Settings) Deadlines() Deadlines {
	d := DefaultDeadlines
	for _, f := range []struct{ set, out *int }{
		{&s.OfferWorkdays, &d.OfferWorkdays}, {&s.AssessmentWorkdays, &d.AssessmentWorkdays},
		{&s.ModerationWorkdays, &d.ModerationWorkdays}, {&s.ReminderWorkdays, &d.ReminderWorkdays},
		{&s.OverdueWorkdays, &d.OverdueWorkdays}, {&s.ResubmitMonths, &d.ResubmitMonths},
		{&s.ResubmitReminderDays, &d.ResubmitReminderDays},
	} {
		if *f.set > 0 {
			*f.out = *f.set
		}
	}
	return d
}

// AwardExpiry is when an award decided at t expires.
func (s Settings) AwardExpiry(t time.Time) time.Time {
	if s.AwardValidFor > 0 {
		return t.Add(s.AwardValidFor)
	}
	return t.AddDate(3, 0, 0)
}

// RetainUntil is when a journey closed at t is erased.
func (s Settings) RetainUntil(t time.Time) time.Time {
	if s.RetainFor > 0 {
		return t.Add(s.RetainFor)
	}
	return t.AddDate(6, 0, 0)
}

// DefaultSettings returns the SPEC §3 defaults. The reminder slice is a fresh
// copy each time.
func DefaultSettings() Settings {
	return Settings{
		ToolkitNudgeAfter:          14 * Day,
		InactivityNudgeAfter:       8 * Week,
		InactivityNudgeEvery:       4 * Week,
		InactivityMaxNudges:        3,
		DormantAfter:               183 * Day,
		FirstYearDueMonths:         12,
		FirstYearReminderMonths:    []int{6, 9, 11},
		DownloadLinkTTL:            15 * time.Minute,
		UploadLinkTTL:              15 * time.Minute,
		DigestDelay:                time.Hour,
		ReassessmentReminderMonths: []int{12, 6, 3, 1},
		OfferWorkdays:              DefaultDeadlines.OfferWorkdays,
		AssessmentWorkdays:         DefaultDeadlines.AssessmentWorkdays,
		ModerationWorkdays:         DefaultDeadlines.ModerationWorkdays,
		ReminderWorkdays:           DefaultDeadlines.ReminderWorkdays,
		OverdueWorkdays:            DefaultDeadlines.OverdueWorkdays,
		ResubmitMonths:             DefaultDeadlines.ResubmitMonths,
		ResubmitReminderDays:       DefaultDeadlines.ResubmitReminderDays,
	}
}

// Validate checks that the settings make sense: positive durations, a
// non-negative nudge count, and first-year reminders strictly increasing,
// each after approval and before the due month. It returns an *InputError
// naming the first offending setting.
func (s Settings) Validate() error {
	durations := []struct {
		field string
		d     time.Duration
	}{
		{"toolkit_nudge_after", s.ToolkitNudgeAfter},
		{"inactivity_nudge_after", s.InactivityNudgeAfter},
		{"inactivity_nudge_every", s.InactivityNudgeEvery},
		{"dormant_after", s.DormantAfter},
		{"download_link_ttl", s.DownloadLinkTTL},
		{"upload_link_ttl", s.UploadLinkTTL},
		{"digest_delay", s.DigestDelay},
	}
	for _, d := range durations {
		if d.d <= 0 {
			return inputErr(d.field, "%s must be positive, got %s", d.field, d.d)
		}
	}
	if s.InactivityMaxNudges < 0 {
		return inputErr("inactivity_max_nudges", "inactivity_max_nudges must be 0 or more, got %d", s.InactivityMaxNudges)
	}
	if s.FirstYearDueMonths < 1 {
		return inputErr("first_year_due_months", "first_year_due_months must be 1 or more, got %d", s.FirstYearDueMonths)
	}
	for _, m := range s.ReassessmentReminderMonths {
		if m < 1 {
			return inputErr("reassessment_reminder_months", "reassessment_reminder_months must be 1 or more, got %s", formatInts(s.ReassessmentReminderMonths))
		}
	}
	for _, n := range []struct {
		field string
		v     int
	}{
		{"offer_workdays", s.OfferWorkdays}, {"assessment_workdays", s.AssessmentWorkdays},
		{"moderation_workdays", s.ModerationWorkdays}, {"reminder_workdays", s.ReminderWorkdays},
		{"overdue_workdays", s.OverdueWorkdays}, {"resubmit_months", s.ResubmitMonths},
		{"resubmit_reminder_days", s.ResubmitReminderDays},
	} {
		if n.v < 0 {
			return inputErr(n.field, "%s must not be negative (0 is the standard), got %d", n.field, n.v)
		}
	}
	if d := s.Deadlines(); d.ReminderWorkdays >= min(d.AssessmentWorkdays, d.ModerationWorkdays) {
		return inputErr("reminder_workdays", "reminder_workdays (%d) must be fewer than the assessment and moderation deadlines (%d and %d working days)",
			d.ReminderWorkdays, d.AssessmentWorkdays, d.ModerationWorkdays)
	} else if d.ResubmitReminderDays >= d.ResubmitMonths*28 {
		return inputErr("resubmit_reminder_days", "resubmit_reminder_days (%d) must come within the resubmission window (%d months)",
			d.ResubmitReminderDays, d.ResubmitMonths)
	}
	if s.AwardValidFor < 0 || s.RetainFor < 0 {
		return inputErr("award_valid_for", "award_valid_for and retain_for must not be negative")
	}
	prev := 0
	for _, m := range s.FirstYearReminderMonths {
		if m <= prev || m >= s.FirstYearDueMonths {
			return inputErr("first_year_reminder_months",
				"first_year_reminder_months must be strictly increasing months between 1 and %d (the due month), got %s",
				s.FirstYearDueMonths-1, formatInts(s.FirstYearReminderMonths))
		}
		prev = m
	}
	return nil
}

func formatInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return "[" + strings.Join(s, ", ") + "]"
}
