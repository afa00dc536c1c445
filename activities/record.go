package activities

import (
	"context"
	"strconv"
	"time"

	"awardengine/award"
	"awardengine/storage/postgres"
)

// Evidence is one evidence item as the workflow holds it.
type Evidence struct {
	ID          string     `json:"id"`
	ObjectKey   string     `json:"object_key"`
	Filename    string     `json:"filename"`
	ContentType string     `json:"content_type"`
	Size        int64      `json:"size"`
	SHA256      string     `json:"sha256"`
	Standards   []string   `json:"standards"`
	Note        string     `json:"note,omitempty"`
	State       string     `json:"state"` // pending, confirmed, removed
	Immutable   bool       `json:"immutable"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"uploaded_at"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
	RemovedAt   *time.Time `json:"removed_at,omitempty"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	CarriedFrom string     `json:"carried_from,omitempty"` // the application whose portfolio it came from (same object)
	// Staged: the upload link writes a staging key and confirm moves checked bytes to
	// ObjectKey (see UploadKey). False for items declared before staging existed.
	Staged bool `json:"staged,omitempty"`
	// WriteOnce (staged items only): the upload link writes ObjectKey itself, at most once
	// and tagged unconfirmed until confirm has checked it (objects.PresignPutOnce), so
	// confirm moves no bytes. False for items declared before write-once uploads existed.
	WriteOnce bool `json:"write_once,omitempty"`
}

// Evidence states.
const (
	EvidencePending   = award.EvidencePending
	EvidenceConfirmed = award.EvidenceConfirmed
	EvidenceRemoved   = award.EvidenceRemoved
)

// Audit is one audit-trail line written with a change.
type Audit struct {
	Actor  string         `json:"actor"`
	Action string         `json:"action"`
	Detail map[string]any `json:"detail,omitempty"`
}

// RecordInput is one step of a journey to write: projection, changed evidence, audit lines.
type RecordInput struct {
	TenantID       string
	ApplicationID  string
	Seq            int64 // the step's number: the idempotency key of the write
	Stage          string
	Active         bool
	NextAction     string
	DueAt          *time.Time
	TargetLevel    string
	Flags          []string
	SubmittedAt    *time.Time
	ClosedAt       *time.Time
	AssessorID     string
	ModeratorID    string
	LevelAwarded   string
	DecidedAt      *time.Time
	NextWho        string
	ReassessmentOf string
	PreviousLevel  string
	// For the moderation queue read from the projection: the assessor's name while they hold
	// it, their recommendation once assessed ("" before), and why it is moderated.
	AssessorName      string
	Recommended       string
	ModerationReasons []string
	At                time.Time
	Evidence          []Evidence
	Audit             []Audit
}

// Record writes one step of a journey in one transaction. A retry of a lost connection or a
// timeout is safe (the step's Seq makes it idempotent); a refusal of the data is not retried.
func (a *Activities) Record(ctx context.Context, in RecordInput) error {
	change := postgres.Change{Projection: &postgres.Projection{
		ApplicationID: in.ApplicationID, TenantID: in.TenantID, Seq: in.Seq, Stage: in.Stage, Active: in.Active,
		NextAction: in.NextAction, DueAt: in.DueAt, TargetLevel: in.TargetLevel, Flags: in.Flags,
		SubmittedAt: in.SubmittedAt, ClosedAt: in.ClosedAt, At: in.At, AssessorID: in.AssessorID,
		ModeratorID: in.ModeratorID, LevelAwarded: in.LevelAwarded, DecidedAt: in.DecidedAt, NextWho: in.NextWho,
		ReassessmentOf: in.ReassessmentOf, PreviousLevel: in.PreviousLevel, AssessorName: in.AssessorName,
		Recommended: in.Recommended, ModerationReasons: in.ModerationReasons,
	}}
	for _, e := range in.Evidence {
		change.Evidence = append(change.Evidence, postgres.Evidence{
			ID: e.ID, ApplicationID: in.ApplicationID, TenantID: in.TenantID, ObjectKey: e.ObjectKey, Filename: e.Filename,
			ContentType: e.ContentType, Size: e.Size, SHA256: e.SHA256, Standards: e.Standards, Note: e.Note, State: e.State,
			Immutable: e.Immutable, CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt, ConfirmedAt: e.ConfirmedAt,
			RemovedAt: e.RemovedAt, SubmittedAt: e.SubmittedAt,
		})
	}
	for i, l := range in.Audit {
		change.Audit = append(change.Audit, postgres.AuditEntry{
			TenantID: in.TenantID, ApplicationID: in.ApplicationID, Actor: l.Actor, Action: l.Action, Detail: l.Detail,
			DedupeKey: auditKey(in.ApplicationID, in.Seq, i), At: in.At,
		})
	}
	// Data the database refuses (text holding NUL, a broken constraint) fails for good instead
	// of being retried for ever while the journey's lock is held.
	return AsDataFailure(a.DB.Record(ctx, change))
}

func auditKey(app string, seq int64, i int) string {
	return app + "/" + strconv.FormatInt(seq, 10) + "/" + strconv.Itoa(i)
}
