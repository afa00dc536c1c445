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

// New declarations go through staging, count towards the portfolio limit while pending, and
// a retried confirm answers with the item as it is, writing nothing.
func TestStagedEvidenceCountsWhilePendingAndConfirmsOnce(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	me := workflows.Actor{ID: applicant, Role: workflows.RoleApplicant}
	code := standardsFor(in, award.Bronze)[0]
	at := time.Hour
	next := func() time.Duration { at += time.Minute; return at }
	big := func(i int) func() any {
		return func() any {
			return workflows.AddEvidenceRequest{Actor: me, Filename: fmt.Sprintf("film-%d.mp4", i), ContentType: "video/mp4",
				Size: award.DefaultMaxFileBytes, SHA256: sha(i), Standards: []string{code}}
		}
	}
	// 8 × 250 MB = 2000 of the 2048 MB: a ninth does not fit, though nothing is confirmed.
	var added []*outcome
	for i := range 8 {
		added = append(added, h.updateAt(next(), workflows.UpdateAddEvidence, big(i)))
	}
	ninth := h.updateAt(next(), workflows.UpdateAddEvidence, big(8))
	removed := h.updateAt(next(), workflows.UpdateRemoveEvidence, func() any {
		return workflows.EvidenceRequest{Actor: me, EvidenceID: added[0].evidence().ID}
	})
	afterRemoval := h.updateAt(next(), workflows.UpdateAddEvidence, big(9))
	confirm := func() any {
		it := added[1].evidence()
		h.stored[it.ObjectKey] = activities.VerifyResult{Uploaded: true, Size: it.Size, SHA256: it.SHA256}
		return workflows.EvidenceRequest{Actor: me, EvidenceID: it.ID}
	}
	first := h.updateAt(next(), workflows.UpdateConfirmUpload, confirm)
	var recordsBefore int
	h.at(next(), func() { recordsBefore = len(h.records) })
	again := h.updateAt(next(), workflows.UpdateConfirmUpload, confirm)
	var recordsAfter int
	h.at(next(), func() { recordsAfter = len(h.records) })
	unknown := h.updateAt(next(), workflows.UpdateConfirmUpload, func() any {
		return workflows.EvidenceRequest{Actor: me, EvidenceID: "ev_nosuchitem"}
	})
	h.withdrawAt(next())
	h.run(in)

	for _, o := range added {
		requireDone(t, o)
		require.True(t, o.evidence().Staged, "new declarations go through staging")
	}
	requireRefused(t, ninth, workflows.ErrInvalid)
	require.Contains(t, ninth.err.Error(), "not yet confirmed")
	requireDone(t, removed)
	requireDone(t, afterRemoval)
	requireDone(t, first)
	require.Equal(t, activities.EvidenceConfirmed, first.evidence().State)
	requireDone(t, again)
	require.Equal(t, first.evidence(), again.evidence(), "a retried confirm answers with the item as it is")
	require.Equal(t, recordsBefore, recordsAfter, "a retried confirm writes nothing")
	requireRefused(t, unknown, workflows.ErrNotFound)
}

// Removing an item deletes that item's own bytes: a confirmed item's final object, a pending
// item's staged upload — whichever item follows it in the portfolio.
func TestRemovingEvidenceDeletesItsOwnObject(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	me := workflows.Actor{ID: applicant, Role: workflows.RoleApplicant}
	code := standardsFor(in, award.Bronze)[0]
	at := time.Hour
	next := func() time.Duration { at += time.Minute; return at }
	declare := func(i int) func() any {
		return func() any {
			return workflows.AddEvidenceRequest{Actor: me, Filename: fmt.Sprintf("plan-%d.pdf", i), ContentType: "application/pdf",
				Size: 100, SHA256: sha(i), Standards: []string{code}}
		}
	}
	first := h.updateAt(next(), workflows.UpdateAddEvidence, declare(1))
	second := h.updateAt(next(), workflows.UpdateAddEvidence, declare(2))
	third := h.updateAt(next(), workflows.UpdateAddEvidence, declare(3))
	h.updateAt(next(), workflows.UpdateConfirmUpload, func() any {
		it := first.evidence()
		h.stored[it.ObjectKey] = activities.VerifyResult{Uploaded: true, Size: it.Size, SHA256: it.SHA256}
		return workflows.EvidenceRequest{Actor: me, EvidenceID: it.ID}
	})
	var before int
	h.at(next(), func() { before = len(h.deleted) })
	h.updateAt(next(), workflows.UpdateRemoveEvidence, func() any { // confirmed, followed by a pending item
		return workflows.EvidenceRequest{Actor: me, EvidenceID: first.evidence().ID}
	})
	h.updateAt(next(), workflows.UpdateRemoveEvidence, func() any { // pending, and the last item
		return workflows.EvidenceRequest{Actor: me, EvidenceID: third.evidence().ID}
	})
	var after []string
	h.at(next(), func() { after = append(after, h.deleted[before:]...) })
	h.withdrawAt(next())
	h.run(in)

	requireDone(t, second)
	// A pending write-once upload is under its final key too (objects.PresignPutOnce).
	require.True(t, third.evidence().WriteOnce)
	require.Equal(t, []string{first.evidence().ObjectKey, third.evidence().ObjectKey}, after)
}
