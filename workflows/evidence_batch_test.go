package workflows_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/workflows"
)

func (o *outcome) batch() []activities.Evidence { return o.value.([]activities.Evidence) }
func (o *outcome) confirmed() workflows.ConfirmBatchResult {
	return o.value.(workflows.ConfirmBatchResult)
}

// Thirteen files declared in one action and confirmed in another: one step recorded for each
// action; a wrong upload and a missing one are refused item by item while the others are
// confirmed; the batch confirmed again answers as it is and writes nothing; the portfolio is
// then complete for bronze.
func TestEvidenceBatchDeclaredAndConfirmedInOneActionEach(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	me := workflows.Actor{ID: applicant, Role: workflows.RoleApplicant}
	bronze := standardsFor(in, award.Bronze)
	at := time.Hour
	next := func() time.Duration { at += time.Minute; return at }
	var items []workflows.AddEvidenceRequest
	for i, code := range bronze {
		items = append(items, workflows.AddEvidenceRequest{Filename: code + ".pdf", ContentType: "application/pdf",
			Size: int64(100 + i), SHA256: sha(i), Standards: []string{code}})
	}
	var recordsBefore int
	h.at(next(), func() { recordsBefore = len(h.records) })
	declared := h.updateAt(next(), workflows.UpdateAddEvidenceBatch, func() any {
		return workflows.AddEvidenceBatchRequest{Actor: me, Items: items}
	})
	var afterDeclare int
	h.at(next(), func() { afterDeclare = len(h.records) })
	ids := func() []string {
		var out []string
		for _, e := range declared.batch() {
			out = append(out, e.ID)
		}
		return out
	}
	first := h.updateAt(next(), workflows.UpdateConfirmBatch, func() any {
		for i, e := range declared.batch() {
			switch i {
			case 1: // tampered: other bytes of the declared size
				h.stored[e.ObjectKey] = activities.VerifyResult{Uploaded: true, Size: e.Size, SHA256: sha(99)}
			case 2: // never uploaded
			default:
				h.stored[e.ObjectKey] = activities.VerifyResult{Uploaded: true, Size: e.Size, SHA256: e.SHA256}
			}
		}
		return workflows.ConfirmBatchRequest{Actor: me, EvidenceIDs: ids()}
	})
	var afterFirst int
	h.at(next(), func() { afterFirst = len(h.records) })
	early := h.updateAt(next(), workflows.UpdateSubmit, func() any {
		return workflows.SubmitRequest{Actor: me, TargetLevel: award.Bronze}
	})
	second := h.updateAt(next(), workflows.UpdateConfirmBatch, func() any {
		e1, e2 := declared.batch()[1], declared.batch()[2]
		h.stored[e1.ObjectKey] = activities.VerifyResult{Uploaded: true, Size: e1.Size, SHA256: e1.SHA256}
		h.stored[e2.ObjectKey] = activities.VerifyResult{Uploaded: true, Size: e2.Size, SHA256: e2.SHA256}
		return workflows.ConfirmBatchRequest{Actor: me, EvidenceIDs: ids()}
	})
	var afterSecond int
	h.at(next(), func() { afterSecond = len(h.records) })
	again := h.updateAt(next(), workflows.UpdateConfirmBatch, func() any {
		return workflows.ConfirmBatchRequest{Actor: me, EvidenceIDs: ids()}
	})
	var afterAgain int
	h.at(next(), func() { afterAgain = len(h.records) })
	submitted := h.updateAt(next(), workflows.UpdateSubmit, func() any {
		return workflows.SubmitRequest{Actor: me, TargetLevel: award.Bronze}
	})
	h.withdrawAt(next())
	h.run(in)

	requireDone(t, declared)
	require.Len(t, declared.batch(), len(bronze))
	seen := map[string]bool{}
	for i, e := range declared.batch() {
		require.Equal(t, activities.EvidencePending, e.State)
		require.True(t, e.Staged)
		require.Equal(t, items[i].Filename, e.Filename, "items keep their order")
		require.False(t, seen[e.ID], "ids are distinct")
		seen[e.ID] = true
		require.Equal(t, applicant, e.CreatedBy)
	}
	require.Equal(t, recordsBefore+1, afterDeclare, "one step for the whole batch")
	rec := h.records[recordsBefore]
	require.Len(t, rec.Evidence, len(bronze))
	require.Len(t, rec.Audit, len(bronze))
	require.Equal(t, "evidence_declared", rec.Audit[0].Action)

	requireDone(t, first)
	res := first.confirmed().Items
	require.Len(t, res, len(bronze))
	for i, r := range res {
		require.Equal(t, declared.batch()[i].ID, r.EvidenceID)
		switch i {
		case 1:
			require.False(t, r.Confirmed)
			require.Equal(t, workflows.ErrChecksumMismatch, r.Error)
			require.Contains(t, r.Message, "was declared")
			require.Equal(t, activities.EvidencePending, r.Evidence.State)
		case 2:
			require.False(t, r.Confirmed)
			require.Equal(t, workflows.ErrNotUploaded, r.Error)
		default:
			require.True(t, r.Confirmed, "item %d: %s", i, r.Message)
			require.Empty(t, r.Error)
			require.Equal(t, activities.EvidenceConfirmed, r.Evidence.State)
		}
	}
	require.Equal(t, afterDeclare+1, afterFirst, "one step for the confirmed items")
	rec = h.records[afterDeclare]
	require.Len(t, rec.Evidence, len(bronze)-2)
	require.Len(t, rec.Audit, len(bronze)-2)
	require.Equal(t, "evidence_confirmed", rec.Audit[0].Action)
	requireRefused(t, early, workflows.ErrMissingEvidence)

	requireDone(t, second)
	for _, r := range second.confirmed().Items {
		require.True(t, r.Confirmed)
	}
	require.Equal(t, afterFirst+1, afterSecond)
	require.Len(t, h.records[afterFirst].Evidence, 2, "only the two items that were pending")
	requireDone(t, again)
	require.Equal(t, second.confirmed(), again.confirmed(), "a retried batch answers with the items as they are")
	require.Equal(t, afterSecond, afterAgain, "a retried batch writes nothing")
	requireDone(t, submitted)
}

// A batch is refused as a whole, before history, when one item would be refused alone: the
// refusal names the item; a batch that fits item by item but not as a whole is refused for
// the portfolio limit; too many items, nothing, an unknown or repeated id, a stranger.
func TestEvidenceBatchRefusedAsAWhole(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	me := workflows.Actor{ID: applicant, Role: workflows.RoleApplicant}
	code := standardsFor(in, award.Bronze)[0]
	good := func(i int) workflows.AddEvidenceRequest {
		return workflows.AddEvidenceRequest{Filename: fmt.Sprintf("plan-%d.pdf", i), ContentType: "application/pdf",
			Size: 100, SHA256: sha(i), Standards: []string{code}}
	}
	big := func(i int) workflows.AddEvidenceRequest {
		return workflows.AddEvidenceRequest{Filename: fmt.Sprintf("film-%d.mp4", i), ContentType: "video/mp4",
			Size: award.DefaultMaxFileBytes, SHA256: sha(i), Standards: []string{code}}
	}
	batch := func(items ...workflows.AddEvidenceRequest) func() any {
		return func() any { return workflows.AddEvidenceBatchRequest{Actor: me, Items: items} }
	}
	badSum := good(2)
	badSum.SHA256 = "xyz"
	unknownStd := good(1)
	unknownStd.Standards = []string{"ZZ9"}
	var tooMany []workflows.AddEvidenceRequest
	for i := range workflows.MaxBatchItems + 1 {
		tooMany = append(tooMany, good(i))
	}
	var bigs []workflows.AddEvidenceRequest // 9 × 250 MB: each fits alone, not all together
	for i := range 9 {
		bigs = append(bigs, big(i))
	}
	at := time.Hour
	next := func() time.Duration { at += time.Minute; return at }
	cases := []struct {
		name, kind, says string
		update           string
		arg              func() any
	}{
		{"one bad checksum", workflows.ErrInvalid, "items[2]: ", workflows.UpdateAddEvidenceBatch, batch(good(0), good(1), badSum, good(3))},
		{"one unknown standard", workflows.ErrInvalid, "items[1].standards: not in framework", workflows.UpdateAddEvidenceBatch, batch(good(0), unknownStd)},
		{"too many", workflows.ErrInvalid, "at most 50", workflows.UpdateAddEvidenceBatch, batch(tooMany...)},
		{"empty", workflows.ErrInvalid, "at least one", workflows.UpdateAddEvidenceBatch, batch()},
		{"over the portfolio limit together", workflows.ErrInvalid, "items[8]: ", workflows.UpdateAddEvidenceBatch, batch(bigs...)},
		{"a stranger", workflows.ErrForbidden, "only the applicant", workflows.UpdateAddEvidenceBatch, func() any {
			return workflows.AddEvidenceBatchRequest{Actor: workflows.Actor{ID: "p_other", Role: workflows.RoleApplicant}, Items: []workflows.AddEvidenceRequest{good(0)}}
		}},
		{"confirm an unknown id", workflows.ErrNotFound, `items[1]: no evidence "ev_nosuchitem"`, workflows.UpdateConfirmBatch, nil},
		{"confirm an id twice", workflows.ErrInvalid, "items[1]: ", workflows.UpdateConfirmBatch, nil},
		{"confirm nothing", workflows.ErrInvalid, "at least one", workflows.UpdateConfirmBatch, func() any {
			return workflows.ConfirmBatchRequest{Actor: me}
		}},
	}
	declared := h.updateAt(next(), workflows.UpdateAddEvidence, func() any {
		r := good(7)
		r.Actor = me
		return r
	})
	cases[6].arg = func() any {
		return workflows.ConfirmBatchRequest{Actor: me, EvidenceIDs: []string{declared.evidence().ID, "ev_nosuchitem"}}
	}
	cases[7].arg = func() any {
		id := declared.evidence().ID
		return workflows.ConfirmBatchRequest{Actor: me, EvidenceIDs: []string{id, id}}
	}
	var before int
	h.at(next(), func() { before = len(h.records) })
	var outcomes []*outcome
	for _, c := range cases {
		outcomes = append(outcomes, h.updateAt(next(), c.update, c.arg))
	}
	var after int
	h.at(next(), func() { after = len(h.records) })
	h.withdrawAt(next())
	h.run(in)

	requireDone(t, declared)
	for i, o := range outcomes {
		t.Run(cases[i].name, func(t *testing.T) {
			requireRefused(t, o, cases[i].kind)
			require.True(t, o.rejected, "refused by the validator, before history")
			require.Contains(t, o.err.Error(), cases[i].says)
		})
	}
	require.Equal(t, before, after, "a refused batch writes nothing")
}
