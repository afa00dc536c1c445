package workflows

import (
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"awardengine/activities"
)

// Several files declared or confirmed in one action (issue 16): one Update, one id draw, one
// step written for the whole batch, instead of one of each per file. A batch is checked as a
// whole: one item that would be refused alone refuses the batch, and nothing changes.
const (
	UpdateAddEvidenceBatch = "add_evidence_batch"
	UpdateConfirmBatch     = "confirm_evidence_batch"
	// MaxBatchItems is the most files one batch may declare or confirm.
	MaxBatchItems = 50
)

// AddEvidenceBatchRequest declares several files about to be uploaded, all by Actor (each
// item's own Actor is ignored).
type AddEvidenceBatchRequest struct {
	Actor Actor
	Items []AddEvidenceRequest
}

// ConfirmBatchRequest confirms the uploads of several pending items.
type ConfirmBatchRequest struct {
	Actor       Actor
	EvidenceIDs []string
}

// ConfirmItemResult is what became of one item of a confirmed batch: Confirmed, or refused
// with the error type and message a confirm of that item alone would have answered (the item
// is then as it was: pending, its wrong bytes deleted).
type ConfirmItemResult struct {
	EvidenceID string
	Confirmed  bool
	Error      string `json:",omitempty"` // ErrNotUploaded, ErrChecksumMismatch, ... or "Unavailable"
	Message    string `json:",omitempty"`
	Evidence   activities.Evidence
}

// ConfirmBatchResult answers a confirmed batch, item by item in the order asked.
type ConfirmBatchResult struct {
	Items []ConfirmItemResult
}

func checkBatchSize(n int) error {
	switch {
	case n == 0:
		return refuse(ErrInvalid, "items: name at least one file")
	case n > MaxBatchItems:
		return refuse(ErrInvalid, "items: %d files in one batch, and at most %d may be sent at once; split them", n, MaxBatchItems)
	}
	return nil
}

// itemRefusal names the batch item a refusal is about; the refusal keeps its type and
// message (the single-item check's own words, nothing more). A message naming its field
// ("standards: …") names it within the item ("items[2].standards: …").
func itemRefusal(i int, err error) error {
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		return err
	}
	field, msg := fmt.Sprintf("items[%d]", i), ae.Message()
	if name, rest, ok := strings.Cut(msg, ": "); ok && name != "" && strings.Trim(name, "abcdefghijklmnopqrstuvwxyz_") == "" {
		field, msg = field+"."+name, rest
	}
	return refuse(ae.Type(), "%s: %s (nothing in this batch was declared or confirmed)", field, msg)
}

// --- declare ---

func (j *journey) validateAddEvidenceBatch(_ workflow.Context, r AddEvidenceBatchRequest) error {
	return j.checkDeclarations(r, j.heldBytes())
}

// checkDeclarations checks a batch as the single declaration is checked, item by item, the
// portfolio limit counting the items before each one.
func (j *journey) checkDeclarations(r AddEvidenceBatchRequest, portfolioBytes int64) error {
	if err := j.mayDeclare(r.Actor); err != nil {
		return err
	}
	if err := checkBatchSize(len(r.Items)); err != nil {
		return err
	}
	for i, it := range r.Items {
		if err := j.checkDeclaration(it, portfolioBytes); err != nil {
			return itemRefusal(i, err)
		}
		portfolioBytes += max(it.Size, 0)
	}
	return nil
}

// addEvidenceBatch declares every item of the batch, or none: one SideEffect draws the ids,
// one step records them all.
func (j *journey) addEvidenceBatch(ctx workflow.Context, r AddEvidenceBatchRequest) ([]activities.Evidence, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	staged := j.uploadsStaged(ctx)
	if err := j.checkDeclarations(r, j.declaredBytes(staged)); err != nil {
		return nil, err
	}
	ids := j.newEvidenceIDs(ctx, len(r.Items))
	writeOnce := j.uploadsWriteOnce(ctx, staged)
	items := make([]activities.Evidence, 0, len(r.Items))
	audit := make([]activities.Audit, 0, len(r.Items))
	for i, req := range r.Items {
		req.Actor = r.Actor
		item := j.declare(ctx, req, ids[i], staged, writeOnce)
		items = append(items, item)
		audit = append(audit, declaredAudit(r.Actor, item))
	}
	j.touch(ctx)
	err = j.record(ctx, items, audit...)
	return items, err
}

// newEvidenceIDs draws n random ids in one SideEffect (one history event for the batch).
func (j *journey) newEvidenceIDs(ctx workflow.Context, n int) []string {
	var ids []string
	_ = workflow.SideEffect(ctx, func(workflow.Context) any {
		out := make([]string, n)
		for i := range out {
			out[i] = randomEvidenceID()
		}
		return out
	}).Get(&ids)
	return ids
}

// --- confirm ---

func (j *journey) validateConfirmBatch(_ workflow.Context, r ConfirmBatchRequest) error {
	if err := j.mayActOnPortfolio(r.Actor); err != nil {
		return err
	}
	if err := checkBatchSize(len(r.EvidenceIDs)); err != nil {
		return err
	}
	seen := make(map[string]bool, len(r.EvidenceIDs))
	pending := false
	for i, id := range r.EvidenceIDs {
		if seen[id] {
			return itemRefusal(i, refuse(ErrInvalid, "evidence %q is named twice", id))
		}
		seen[id] = true
		_, it := j.item(id)
		if it == nil {
			return itemRefusal(i, refuse(ErrNotFound, "no evidence %q in this application", id))
		}
		pending = pending || it.State != activities.EvidenceConfirmed
	}
	if !pending {
		return nil // a retried batch: the handler answers with the items as they are
	}
	return j.needStage("confirm evidence", j.st.Stage.AcceptsEvidence())
}

// confirmEvidenceBatch checks every pending item's upload as a confirm of that item alone
// would, and records the items storage vouched for in one step. Items are independent: one
// wrong upload is refused (and its bytes deleted) while the others are confirmed; an item
// already confirmed is answered as it is.
//
// Each item's check is its own (local) activity, all started before any is awaited, rather
// than one activity for the whole batch: the single confirm's ConfirmUpload is reused as it
// is, the checks run side by side, a storage hiccup retries (and, after its attempts, fails)
// only the item it hit, and a retry never repeats the copies of items already moved. On lean
// journeys that costs one marker event per item, against one per batch for a combined
// activity: about 2 events per file in all, within the budget of 6.
func (j *journey) confirmEvidenceBatch(ctx workflow.Context, r ConfirmBatchRequest) (ConfirmBatchResult, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return ConfirmBatchResult{}, err
	}
	defer unlock()
	if err := j.validateConfirmBatch(ctx, r); err != nil {
		return ConfirmBatchResult{}, err
	}
	out := ConfirmBatchResult{Items: make([]ConfirmItemResult, len(r.EvidenceIDs))}
	checks := make([]workflow.Future, len(r.EvidenceIDs))
	for i, id := range r.EvidenceIDs {
		_, it := j.item(id)
		out.Items[i] = ConfirmItemResult{EvidenceID: id, Confirmed: it.State == activities.EvidenceConfirmed, Evidence: *it}
		if it.State != activities.EvidenceConfirmed {
			checks[i] = j.startUploadCheck(ctx, it)
		}
	}
	var changed []activities.Evidence
	var audit []activities.Audit
	for i, id := range r.EvidenceIDs {
		if checks[i] == nil {
			continue
		}
		// The lock is held: no other handler adds or removes items while the checks run.
		_, it := j.item(id)
		sniffed, err := j.settleUploadCheck(ctx, it, checks[i])
		if err != nil {
			kind, msg := refusalOf(err)
			out.Items[i].Error, out.Items[i].Message = kind, msg
			continue
		}
		audit = append(audit, j.confirmItem(ctx, r.Actor, it, sniffed))
		changed = append(changed, *it)
		out.Items[i].Confirmed, out.Items[i].Evidence = true, *it
	}
	if len(changed) == 0 {
		return out, nil
	}
	j.touch(ctx)
	return out, j.record(ctx, changed, audit...)
}

// refusalOf is a refusal's type and message.
func refusalOf(err error) (string, string) {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Type(), ae.Message()
	}
	return "Unavailable", fmt.Sprint(err)
}
