package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"

	"awardengine/payloadcrypt"
	"awardengine/storage/objects"
	"awardengine/storage/postgres"
)

// EraseInput names the application whose retention period has run out.
type EraseInput struct {
	TenantID      string
	ApplicationID string
	Seq           int64 // the workflow's step (recorded in the audit line of a withheld erasure)
}

// EraseResult says what the erasure did.
type EraseResult struct {
	Objects       int  // objects removed from storage (certificate included, whether or not it existed)
	EvidenceRows  int  // evidence rows deleted
	Held          bool // a legal hold is set: nothing was erased
	AlreadyErased bool // erased by an earlier call: nothing changed, the first counts are returned
}

// Audit actions of retention ("erased" is written by postgres.DB.Erase, in its transaction).
const (
	ActionErased          = "erased"
	ActionErasureWithheld = "erasure_withheld_legal_hold"
)

// EraseApplication erases a closed application's evidence and personal data (SPEC §3
// retention). The objects go first and the database rows after, so that a crash in between is
// retried safely: the targets are worked out again from the rows still present, and deleting a
// missing object succeeds. The database side (postgres.DB.Erase) is one transaction that also
// appends the "erased" audit line, once. A legal hold, checked in the database, withholds the
// erasure: nothing is deleted and an "erasure_withheld_legal_hold" line is written (once a day).
//
// Last, the application's payload data key is destroyed (crypto-shredding, payloadcrypt): every
// payload of its Temporal histories becomes unreadable, wherever copies of them are (the
// namespace keeps closed histories for a year). It goes after the database erasure, so a
// crash before it leaves a retry to do it; destroying it again changes nothing. The journey
// needs no change: what it writes from here on (this activity's result, its completion) is
// encrypted under the tenant's key and holds no personal data.
func (a *Activities) EraseApplication(ctx context.Context, in EraseInput) (EraseResult, error) {
	keys, err := a.DB.ErasureTargets(ctx, in.TenantID, in.ApplicationID)
	switch {
	case errors.Is(err, postgres.ErrLegalHold):
		return a.erasureWithheld(ctx, in, 0)
	case errors.Is(err, postgres.ErrNotClosed), errors.Is(err, postgres.ErrNotFound):
		return EraseResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "NotErasable", err)
	case err != nil:
		return EraseResult{}, err
	}
	for _, key := range keys {
		if err := a.Objects.Delete(ctx, key); err != nil && !errors.Is(err, objects.ErrNotFound) {
			return EraseResult{}, err
		}
	}
	res, err := a.DB.Erase(ctx, in.TenantID, in.ApplicationID, time.Now().UTC())
	switch {
	case errors.Is(err, postgres.ErrLegalHold):
		// The hold was set while the objects were being removed.
		return a.erasureWithheld(ctx, in, len(keys))
	case errors.Is(err, postgres.ErrNotClosed), errors.Is(err, postgres.ErrNotFound):
		return EraseResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "NotErasable", err)
	case err != nil:
		return EraseResult{}, err
	}
	if err := a.shredPayloadKey(ctx, in); err != nil {
		return EraseResult{}, err
	}
	return EraseResult{Objects: res.ObjectsToDelete, EvidenceRows: res.EvidenceRows, AlreadyErased: res.AlreadyErased}, nil
}

// shredPayloadKey destroys the application's payload data key (idempotent), through the
// process's keys when it has them so that its own cache forgets the key at once.
func (a *Activities) shredPayloadKey(ctx context.Context, in EraseInput) error {
	if a.PayloadKeys != nil {
		return a.PayloadKeys.Shred(ctx, in.TenantID, in.ApplicationID)
	}
	return postgres.PayloadKeys{DB: a.DB}.ShredPayloadKey(ctx, payloadcrypt.ApplicationScope(in.ApplicationID).KeyID(),
		in.TenantID, in.ApplicationID, time.Now().UTC())
}

// erasureWithheld records that a legal hold stopped the erasure (once per application a day).
func (a *Activities) erasureWithheld(ctx context.Context, in EraseInput, objectsDeleted int) (EraseResult, error) {
	now := time.Now().UTC()
	detail := map[string]any{"step": in.Seq}
	if objectsDeleted > 0 {
		detail["objects_deleted"] = objectsDeleted
	}
	err := a.DB.Record(ctx, postgres.Change{Audit: []postgres.AuditEntry{{
		TenantID: in.TenantID, ApplicationID: in.ApplicationID, Actor: "system", Action: ActionErasureWithheld,
		Detail: detail, DedupeKey: "erase-withheld/" + in.ApplicationID + "/" + now.Format(time.DateOnly), At: now,
	}}})
	if err != nil {
		return EraseResult{}, err
	}
	return EraseResult{Held: true}, nil
}

// LegalHoldInput sets or lifts an admin's legal hold on an application.
type LegalHoldInput struct {
	TenantID      string
	ApplicationID string
	On            bool
	Reason        string
}

// SetLegalHold writes the journey's legal hold to the database, where erasure checks it too
// (idempotent: it sets the same value again).
func (a *Activities) SetLegalHold(ctx context.Context, in LegalHoldInput) error {
	err := a.DB.SetLegalHold(ctx, in.TenantID, in.ApplicationID, in.On, in.Reason)
	if errors.Is(err, postgres.ErrNotFound) {
		return temporal.NewNonRetryableApplicationError(err.Error(), "NotFound", err)
	}
	return err
}
