package workflows_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/workflows"
)

var acts *activities.Activities

const applicant, supporter, admin = "p_applicant", "p_supporter", "p_admin"

// harness runs one journey in the SDK's test environment with time skipping; activities are
// mocked and recorded.
type harness struct {
	t         *testing.T
	env       *testsuite.TestWorkflowEnvironment
	start     time.Time
	mu        sync.Mutex
	emails    []sentEmail
	reminders []activities.ReminderInput
	// reminderTries counts QueueReminder's runs, local and regular; failReminder, when set,
	// fails a run (nil = queued).
	reminderTries map[bool]int
	failReminder  func(local bool) error
	// Allocation: the roster the Allocate mock offers from, in order; an empty roster means
	// nobody is eligible. Excluded people are skipped, as the real rule does.
	roster      []string
	moderators  []string
	assignments []activities.AssignmentInput
	allocations []activities.AllocateInput
	erased      []time.Duration // when erasure ran, since the journey started
	records     []activities.RecordInput
	// failRecord, when set, is the Record activity's error for an input (nil = recorded).
	failRecord func(activities.RecordInput) error
	deleted    []string                           // object keys DeleteObject was asked to remove
	stored     map[string]activities.VerifyResult // object key -> what storage holds
}

type sentEmail struct {
	Kind, To, Key string
	At            time.Duration // since the journey started
}

func newHarness(t *testing.T) *harness {
	var suite testsuite.WorkflowTestSuite
	h := &harness{t: t, env: suite.NewTestWorkflowEnvironment(), stored: map[string]activities.VerifyResult{}, reminderTries: map[bool]int{}}
	h.start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	h.env.SetStartTime(h.start)
	h.env.RegisterActivity(acts)
	h.env.OnActivity(acts.SendEmail, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.EmailInput) (activities.EmailResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.emails = append(h.emails, sentEmail{in.Kind, in.RecipientID, in.DedupeKey, h.env.Now().Sub(h.start)})
			return activities.EmailResult{Status: "sent"}, nil
		})
	// Reminders go to the person's daily digest; the harness counts them as sent.
	h.env.OnActivity(acts.QueueReminder, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.ReminderInput) (activities.DigestInput, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			local := activity.GetInfo(ctx).IsLocalActivity
			h.reminderTries[local]++
			if h.failReminder != nil {
				if err := h.failReminder(local); err != nil {
					return activities.DigestInput{}, err
				}
			}
			h.emails = append(h.emails, sentEmail{in.Kind, in.RecipientID, in.DedupeKey, h.env.Now().Sub(h.start)})
			h.reminders = append(h.reminders, in)
			return activities.DigestInput{}, nil
		})
	h.env.OnActivity(acts.Allocate, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.AllocateInput) (activities.AllocateResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.allocations = append(h.allocations, in)
			for _, p := range append([]string{in.Prefer}, h.roster...) {
				if _, out := in.Excluded[p]; p != "" && !out {
					return activities.AllocateResult{Allocation: award.Allocation{Chosen: p, Reason: "test"},
						AssessorID: p, AssessorName: "Assessor " + p, AssessorPrior: 5}, nil
				}
			}
			return activities.AllocateResult{Allocation: award.Allocation{Reason: "no eligible assessor: the roster is empty"}}, nil
		})
	h.env.OnActivity(acts.SetAssignment, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.AssignmentInput) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.assignments = append(h.assignments, in)
			return nil
		})
	h.env.OnActivity(acts.AssignModerator, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ModeratorInput) (activities.ModeratorResult, error) {
			for _, m := range h.moderators {
				if m != in.AssessorID {
					return activities.ModeratorResult{ModeratorID: m, Name: "Moderator " + m}, nil
				}
			}
			return activities.ModeratorResult{Reason: "no active moderator"}, nil
		})
	h.env.OnActivity(acts.TenantAdmins, mock.Anything, mock.Anything).Return([]string{admin}, nil)
	h.env.OnActivity(acts.EraseApplication, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.EraseInput) (activities.EraseResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.erased = append(h.erased, h.env.Now().Sub(h.start))
			return activities.EraseResult{}, nil
		})
	h.env.OnActivity(acts.SetLegalHold, mock.Anything, mock.Anything).Return(nil)
	h.env.OnActivity(acts.IssueCertificate, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CertificateInput) (string, error) {
			return activities.CertificateKey(in.TenantID, in.ApplicationID), nil
		})
	h.env.OnActivity(acts.Record, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordInput) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.failRecord != nil {
				if err := h.failRecord(in); err != nil {
					return err
				}
			}
			h.records = append(h.records, in)
			return nil
		})
	h.env.OnActivity(acts.VerifyEvidence, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.VerifyInput) (activities.VerifyResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			return h.stored[in.ObjectKey], nil
		})
	h.env.OnActivity(acts.ConfirmUpload, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ConfirmInput) (activities.ConfirmResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			got := h.stored[in.ObjectKey]
			res := activities.ConfirmResult{Size: got.Size, SHA256: got.SHA256, SniffedType: in.ContentType}
			switch {
			case !got.Uploaded:
				res.Outcome = activities.UploadMissing
			case got.Size != in.Size:
				res.Outcome = activities.UploadSizeMismatch
			case got.SHA256 != in.SHA256:
				res.Outcome = activities.UploadChecksumMismatch
			default:
				res.Outcome = activities.UploadConfirmed
			}
			return res, nil
		})
	h.env.OnActivity(acts.DeleteObject, mock.Anything, mock.Anything).Return(
		func(_ context.Context, key string) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.deleted = append(h.deleted, key)
			return nil
		})
	return h
}

func input(variant award.Variant) workflows.ApplicationInput {
	fw, ok := award.SampleFramework(variant)
	if !ok {
		panic("no sample framework for " + variant)
	}
	track, _ := variant.Track()
	ref := workflows.FrameworkRef{ID: fw.ID, Version: fw.Version, Title: fw.Title, Sample: fw.Sample}
	for _, s := range fw.Standards() {
		ref.Standards = append(ref.Standards, workflows.StandardRef{Code: s.Code, From: s.From})
	}
	return workflows.ApplicationInput{
		ApplicationID: "app_test", TenantID: "northshire", SettingReference: "URN100001", SettingName: "Hill Primary",
		Track: track, Variant: variant, Framework: ref, ApplicantID: applicant, SupporterID: supporter,
		RegisteredBy: workflows.Actor{ID: applicant, Role: workflows.RoleApplicant},
		Settings:     award.DefaultSettings(), Limits: award.DefaultUploadLimits(),
	}
}

// at schedules fn at a point of the journey's clock.
func (h *harness) at(d time.Duration, fn func()) { h.env.RegisterDelayedCallback(fn, d) }

// outcome is an update's result, filled in when the workflow has handled it.
type outcome struct {
	done     bool
	rejected bool
	err      error
	value    any
}

func (o *outcome) evidence() activities.Evidence { return o.value.(activities.Evidence) }

// update sends an update now (call it from a scheduled callback); its outcome arrives later.
func (h *harness) update(name string, arg any) *outcome {
	o := &outcome{}
	h.send(o, name, arg)
	return o
}

func (h *harness) send(o *outcome, name string, arg any) {
	h.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
		OnAccept:   func() {},
		OnReject:   func(err error) { o.done, o.rejected, o.err = true, true, err },
		OnComplete: func(v any, err error) { o.done, o.err, o.value = true, err, v },
	}, arg)
}

// updateAt sends an update at a point of the journey's clock; arg is built then, so it may
// use earlier outcomes.
func (h *harness) updateAt(d time.Duration, name string, arg func() any) *outcome {
	o := &outcome{}
	h.at(d, func() { h.send(o, name, arg()) })
	return o
}

// withdrawAt ends the journey at d so that ExecuteWorkflow returns.
func (h *harness) withdrawAt(d time.Duration) {
	h.at(d, func() {
		h.update(workflows.UpdateWithdraw, workflows.WithdrawRequest{Actor: workflows.Actor{ID: admin, Role: workflows.RoleAdmin}, Reason: "test over"})
	})
}

func (h *harness) run(in workflows.ApplicationInput) {
	h.env.ExecuteWorkflow(workflows.ApplicationWorkflow, in)
	require.True(h.t, h.env.IsWorkflowCompleted())
	require.NoError(h.t, h.env.GetWorkflowError())
}

func (h *harness) sent(kind string) []sentEmail {
	var out []sentEmail
	for _, e := range h.emails {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

const day = 24 * time.Hour

func TestRegistrationSendsWelcomeToApplicantAndSupporter(t *testing.T) {
	h := newHarness(t)
	h.withdrawAt(time.Hour)
	h.run(input(award.VariantPrimary))

	require.Len(t, h.sent("welcome"), 1)
	require.Equal(t, applicant, h.sent("welcome")[0].To)
	require.Len(t, h.sent("welcome_supporter"), 1)
	require.Equal(t, supporter, h.sent("welcome_supporter")[0].To)
	require.Equal(t, "toolkit", h.records[0].Stage)
	require.Equal(t, "registered", h.records[0].Audit[0].Action)
	require.Len(t, h.sent("withdrawal"), 1)
	require.Equal(t, "withdrawn", h.records[len(h.records)-1].Stage)
}

func TestToolkitNudgeOnceAfter14DaysWhenUnopened(t *testing.T) {
	h := newHarness(t)
	h.withdrawAt(40 * day)
	h.run(input(award.VariantPrimary))
	nudges := h.sent("toolkit_nudge")
	require.Len(t, nudges, 1)
	require.Equal(t, 14*day, nudges[0].At)
}

func TestNoToolkitNudgeWhenOpened(t *testing.T) {
	h := newHarness(t)
	opened := h.updateAt(3*day, workflows.UpdateOpenToolkit, func() any {
		return workflows.OpenToolkitRequest{Actor: workflows.Actor{ID: applicant, Role: workflows.RoleApplicant}}
	})
	h.withdrawAt(40 * day)
	h.run(input(award.VariantPrimary))
	requireDone(t, opened)
	require.Empty(t, h.sent("toolkit_nudge"))
	require.Contains(t, stages(h.records), "portfolio")
}

func TestInactivityNudgesThenDormant(t *testing.T) {
	h := newHarness(t)
	h.withdrawAt(300 * day)
	h.run(input(award.VariantPrimary))
	nudges := h.sent("inactivity_nudge")
	require.Len(t, nudges, 3, "at most three nudges")
	require.Equal(t, []time.Duration{8 * 7 * day, 12 * 7 * day, 16 * 7 * day}, []time.Duration{nudges[0].At, nudges[1].At, nudges[2].At})
	dormant := recordWith(h.records, "flagged_dormant")
	require.NotNil(t, dormant)
	require.Contains(t, dormant.Flags, workflows.FlagDormant)
	require.Equal(t, h.start.Add(award.DefaultSettings().DormantAfter), dormant.At)
}

func TestActivityRestartsTheInactivityClock(t *testing.T) {
	h := newHarness(t)
	// Just before the first nudge at 56 days.
	opened := h.updateAt(50*day, workflows.UpdateOpenToolkit, func() any {
		return workflows.OpenToolkitRequest{Actor: workflows.Actor{ID: applicant, Role: workflows.RoleApplicant}}
	})
	h.withdrawAt(120 * day)
	h.run(input(award.VariantPrimary))
	requireDone(t, opened)
	nudges := h.sent("inactivity_nudge")
	require.NotEmpty(t, nudges)
	require.Equal(t, 50*day+8*7*day, nudges[0].At)
}

func TestFirstYearCarerRemindersAndDueDate(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantFirstYearFoster)
	approval := h.start.AddDate(0, -1, 0) // approved a month before registering
	in.ApprovalDate = &approval
	h.withdrawAt(400 * day)
	h.run(in)

	reminders := h.sent("first_year_reminder")
	require.Len(t, reminders, 3)
	for i, months := range []int{6, 9, 11} {
		require.Equal(t, approval.AddDate(0, months, 0).Sub(h.start), reminders[i].At)
	}
	copies := h.sent("first_year_reminder_supporter")
	require.Len(t, copies, 3)
	require.Equal(t, supporter, copies[0].To)
	overdue := recordWith(h.records, "flagged_first_year_overdue")
	require.NotNil(t, overdue)
	require.Equal(t, approval.AddDate(0, 12, 0), overdue.At)
	require.Len(t, h.sent("first_year_overdue"), 2, "applicant and supervising social worker")
}

func TestPortfolioToSubmission(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	me := workflows.Actor{ID: applicant, Role: workflows.RoleApplicant}
	bronze := standardsFor(in, award.Bronze)
	minute := time.Minute
	step := time.Hour
	next := func() time.Duration { step += minute; return step }

	var added []*outcome
	for i, code := range bronze {
		added = append(added, h.updateAt(next(), workflows.UpdateAddEvidence, func() any {
			return workflows.AddEvidenceRequest{Actor: me, Filename: code + ".pdf", ContentType: "application/pdf",
				Size: int64(100 + i), SHA256: sha(i), Standards: []string{code}}
		}))
	}
	evidenceID := func(i int) string { return added[i].evidence().ID }
	earlySubmit := h.updateAt(next(), workflows.UpdateSubmit, func() any {
		return workflows.SubmitRequest{Actor: me, TargetLevel: award.Bronze}
	})
	notUploaded := h.updateAt(next(), workflows.UpdateConfirmUpload, func() any {
		return workflows.EvidenceRequest{Actor: me, EvidenceID: evidenceID(0)}
	})
	mismatch := h.updateAt(next(), workflows.UpdateConfirmUpload, func() any {
		it := added[0].evidence()
		h.stored[it.ObjectKey] = activities.VerifyResult{Uploaded: true, Size: it.Size, SHA256: sha(99)}
		return workflows.EvidenceRequest{Actor: me, EvidenceID: it.ID}
	})
	var confirmed []*outcome
	for i := range bronze {
		confirmed = append(confirmed, h.updateAt(next(), workflows.UpdateConfirmUpload, func() any {
			it := added[i].evidence()
			h.stored[it.ObjectKey] = activities.VerifyResult{Uploaded: true, Size: it.Size, SHA256: sha(i)}
			return workflows.EvidenceRequest{Actor: me, EvidenceID: it.ID}
		}))
	}
	stranger := h.updateAt(next(), workflows.UpdateSubmit, func() any {
		return workflows.SubmitRequest{Actor: workflows.Actor{ID: "p_other", Role: workflows.RoleApplicant}, TargetLevel: award.Bronze}
	})
	silver := h.updateAt(next(), workflows.UpdateSubmit, func() any {
		return workflows.SubmitRequest{Actor: me, TargetLevel: award.Silver}
	})
	submitted := h.updateAt(next(), workflows.UpdateSubmit, func() any {
		return workflows.SubmitRequest{Actor: me, TargetLevel: award.Bronze}
	})
	lateRemove := h.updateAt(next(), workflows.UpdateRemoveEvidence, func() any {
		return workflows.EvidenceRequest{Actor: me, EvidenceID: evidenceID(0)}
	})
	h.withdrawAt(next())
	h.run(in)

	for _, o := range added {
		requireDone(t, o)
	}
	// Submitting before anything is confirmed is refused, naming every missing standard.
	requireRefused(t, earlySubmit, workflows.ErrMissingEvidence)
	var missing []string
	require.NoError(t, appErr(earlySubmit.err).Details(&missing))
	require.Equal(t, bronze, missing)
	requireRefused(t, notUploaded, workflows.ErrNotUploaded)
	requireRefused(t, mismatch, workflows.ErrChecksumMismatch)
	for _, o := range confirmed {
		requireDone(t, o)
		require.Equal(t, activities.EvidenceConfirmed, o.evidence().State)
	}
	requireRefused(t, stranger, workflows.ErrForbidden)
	require.True(t, stranger.rejected, "a stranger is refused by the validator, before history")
	requireRefused(t, silver, workflows.ErrMissingEvidence)
	requireDone(t, submitted)
	requireRefused(t, lateRemove, workflows.ErrWrongStage)

	final := submitted.value.(workflows.Status)
	require.Equal(t, workflows.StageAwaitingAllocation, final.Stage)
	require.Equal(t, "bronze", final.TargetLevel)
	require.Len(t, final.Evidence, len(bronze))
	for _, e := range final.Evidence {
		require.True(t, e.Immutable)
	}
	require.Len(t, h.sent("submission_receipt"), 1)
	rec := recordWith(h.records, "submitted")
	require.NotNil(t, rec)
	require.Len(t, rec.Audit[0].Detail["checksums"], len(bronze))
}

func TestAwaitingAllocationIsFlaggedAfterAWeek(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	me := workflows.Actor{ID: applicant, Role: workflows.RoleApplicant}
	at := time.Hour
	for i, code := range standardsFor(in, award.Bronze) {
		at += time.Minute
		added := h.updateAt(at, workflows.UpdateAddEvidence, func() any {
			return workflows.AddEvidenceRequest{Actor: me, Filename: code + ".pdf", ContentType: "application/pdf",
				Size: 10, SHA256: sha(i), Standards: []string{code}}
		})
		at += time.Minute
		h.updateAt(at, workflows.UpdateConfirmUpload, func() any {
			it := added.evidence()
			h.stored[it.ObjectKey] = activities.VerifyResult{Uploaded: true, Size: 10, SHA256: sha(i)}
			return workflows.EvidenceRequest{Actor: me, EvidenceID: it.ID}
		})
	}
	at += time.Minute
	submitted := h.updateAt(at, workflows.UpdateSubmit, func() any {
		return workflows.SubmitRequest{Actor: me, TargetLevel: award.Bronze}
	})
	h.withdrawAt(30 * day)
	h.run(in)
	requireDone(t, submitted)
	flagged := recordWith(h.records, "flagged_awaiting_allocation")
	require.NotNil(t, flagged)
	require.Equal(t, h.start.Add(at+7*day), flagged.At)
	require.Empty(t, h.sent("inactivity_nudge"), "no portfolio nudges after submission")
}

func TestBadEvidenceIsRefusedBeforeHistory(t *testing.T) {
	h := newHarness(t)
	me := workflows.Actor{ID: applicant, Role: workflows.RoleApplicant}
	cases := []struct {
		name string
		req  workflows.AddEvidenceRequest
	}{
		{"empty file", workflows.AddEvidenceRequest{Filename: "a.pdf", ContentType: "application/pdf", Size: 0, SHA256: sha(1), Standards: []string{"LD1"}}},
		{"too large", workflows.AddEvidenceRequest{Filename: "a.pdf", ContentType: "application/pdf", Size: award.DefaultMaxFileBytes + 1, SHA256: sha(1), Standards: []string{"LD1"}}},
		{"type not allowed", workflows.AddEvidenceRequest{Filename: "a.exe", ContentType: "application/x-msdownload", Size: 10, SHA256: sha(1), Standards: []string{"LD1"}}},
		{"bad checksum", workflows.AddEvidenceRequest{Filename: "a.pdf", ContentType: "application/pdf", Size: 10, SHA256: "xyz", Standards: []string{"LD1"}}},
		{"unknown standard", workflows.AddEvidenceRequest{Filename: "a.pdf", ContentType: "application/pdf", Size: 10, SHA256: sha(1), Standards: []string{"ZZ9"}}},
		{"no standard", workflows.AddEvidenceRequest{Filename: "a.pdf", ContentType: "application/pdf", Size: 10, SHA256: sha(1)}},
	}
	var outcomes []*outcome
	for i, c := range cases {
		req := c.req
		req.Actor = me
		outcomes = append(outcomes, h.updateAt(time.Hour+time.Duration(i)*time.Minute, workflows.UpdateAddEvidence, func() any { return req }))
	}
	h.withdrawAt(2 * time.Hour)
	h.run(input(award.VariantPrimary))
	for i, o := range outcomes {
		t.Run(cases[i].name, func(t *testing.T) {
			requireRefused(t, o, workflows.ErrInvalid)
			require.True(t, o.rejected)
		})
	}
	for _, r := range h.records {
		require.Empty(t, r.Evidence, "a refused declaration writes nothing")
	}
}

func standardsFor(in workflows.ApplicationInput, l award.Level) []string {
	var out []string
	for _, s := range in.Framework.Standards {
		if s.From <= l {
			out = append(out, s.Code)
		}
	}
	return out
}

func sha(i int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 64)
	for k := range b {
		b[k] = hex[(i+k)%16]
	}
	return string(b)
}

func appErr(err error) *temporal.ApplicationError {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

func requireRefused(t *testing.T, o *outcome, kind string) {
	t.Helper()
	require.True(t, o.done, "the update was never answered")
	require.Error(t, o.err)
	ae := appErr(o.err)
	require.NotNil(t, ae, "want an application error, got %v", o.err)
	require.Equal(t, kind, ae.Type(), ae.Error())
}

func requireDone(t *testing.T, o *outcome) {
	t.Helper()
	require.True(t, o.done, "the update was never answered")
	require.NoError(t, o.err)
}

func recordWith(rs []activities.RecordInput, action string) *activities.RecordInput {
	for i := range rs {
		for _, a := range rs[i].Audit {
			if a.Action == action {
				return &rs[i]
			}
		}
	}
	return nil
}

func stages(rs []activities.RecordInput) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Stage)
	}
	return out
}
