package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"awardengine/storage/postgres"
	"awardengine/workdays"
)

// TaskQueue is where the award's workflows and activities run.
const TaskQueue = "award-applications"

// DigestWorkflowName is the registered name of the workflow that sends one person's digest
// for one day (workflows.DigestWorkflow); named here so activities need not import workflows.
const DigestWorkflowName = "DigestWorkflow"

// DigestKind is the message type of an email merging several reminders.
const DigestKind = "digest"

// DigestInput starts the digest of one person for one day.
type DigestInput struct {
	TenantID string
	PersonID string
	Day      time.Time
	SendAt   time.Time
}

// ReminderInput is one reminder for a person's daily digest.
type ReminderInput struct {
	EmailInput
	Delay time.Duration // how long the day's first reminder waits for others (tenant setting)
}

// london is the day boundary of digests: the councils are in England and Wales.
var london = workdays.London

// laterDayHour is when a digest for a later day goes out (a reminder that came after the
// day's digest had gone): the next morning.
const laterDayHour = 8

// QueueReminder adds a reminder to its person's digest for today and makes sure that day's
// digest workflow is running. Retrying it is harmless: the reminder keeps its day, and the
// digest workflow is started at most once per person and day.
func (a *Activities) QueueReminder(ctx context.Context, in ReminderInput) (DigestInput, error) {
	if _, err := a.DB.Person(ctx, in.TenantID, in.RecipientID); errors.Is(err, postgres.ErrNotFound) {
		return DigestInput{}, nil
	} else if err != nil {
		return DigestInput{}, err
	}
	data, err := json.Marshal(in.Data)
	if err != nil {
		return DigestInput{}, err
	}
	now := time.Now()
	y, m, d := now.In(london).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	slot, err := a.DB.QueueDigestItem(ctx, postgres.DigestItem{
		DedupeKey: in.DedupeKey, TenantID: in.TenantID, PersonID: in.RecipientID,
		ApplicationID: in.ApplicationID, Kind: in.Kind, Data: data,
	}, today, now.Add(in.Delay), func(day time.Time) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), laterDayHour, 0, 0, 0, london)
	})
	if err != nil {
		return DigestInput{}, err
	}
	din := DigestInput{TenantID: in.TenantID, PersonID: in.RecipientID, Day: slot.Day, SendAt: slot.SendAt}
	_, err = a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       DigestWorkflowID(din),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, DigestWorkflowName, din)
	return din, err
}

// DigestWorkflowID names the digest of one person for one day.
func DigestWorkflowID(in DigestInput) string {
	return fmt.Sprintf("digest/%s/%s/%s", in.TenantID, in.PersonID, in.Day.Format(time.DateOnly))
}

// SendDigest closes a person's digest for the day and sends it: a single reminder as itself
// (under its own dedupe key), several as one digest email. Retries send nothing twice: the
// closed digest keeps its items, and the outbox keeps one row per key.
func (a *Activities) SendDigest(ctx context.Context, in DigestInput) (EmailResult, error) {
	items, err := a.DB.CloseDigest(ctx, in.PersonID, in.Day)
	if err != nil || len(items) == 0 {
		return EmailResult{Status: "skipped"}, err
	}
	decoded := make([]EmailInput, len(items))
	for i, it := range items {
		decoded[i] = EmailInput{DedupeKey: it.DedupeKey, TenantID: it.TenantID, ApplicationID: it.ApplicationID,
			Kind: it.Kind, RecipientID: it.PersonID}
		if err := json.Unmarshal(it.Data, &decoded[i].Data); err != nil {
			return EmailResult{}, fmt.Errorf("digest item %s: %w", it.DedupeKey, err)
		}
	}
	if len(decoded) == 1 {
		return a.SendEmail(ctx, decoded[0])
	}
	return a.SendEmail(ctx, EmailInput{
		DedupeKey: DigestWorkflowID(in), TenantID: in.TenantID, RecipientID: in.PersonID,
		Kind: DigestKind, Digest: decoded,
	})
}
