package applications_test

import (
	"net/http"
	"strings"
	"testing"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/services/applications/appstest"
	"awardengine/structs"
	"awardengine/workflows"
)

// Several files declared in one action: one update for the batch, as the applicant, with a
// presigned PUT per item; the access check is the single declare's (a supporter may not, a
// stranger does not see the application).
func TestAddEvidenceBatch(t *testing.T) {
	f, s := formFixture(t, award.StagePortfolio)
	req := structs.AddEvidenceBatchRequest{Items: []structs.AddEvidenceRequest{
		{Filename: "plan.pdf", Size: 10, ContentType: "application/pdf", SHA256: strings.Repeat("AB", 32), Standards: []string{"A1"}},
		{Filename: "minutes.pdf", Size: 20, ContentType: "application/pdf", SHA256: strings.Repeat("cd", 32), Standards: []string{"B1"}},
	}}
	got, err := s.AddEvidenceBatch(formCtx, applicant, formApp, req)
	if err != nil {
		t.Fatal(err)
	}
	sent := f.Temporal.Sent(workflows.UpdateAddEvidenceBatch)
	if len(sent) != 1 {
		t.Fatalf("%d batch updates sent, want 1", len(sent))
	}
	batch := sent[0].Arg.(workflows.AddEvidenceBatchRequest)
	if batch.Actor.ID != applicant.ID || len(batch.Items) != 2 || batch.Items[0].SHA256 != strings.Repeat("ab", 32) ||
		batch.Items[1].Filename != "minutes.pdf" {
		t.Fatalf("sent %+v", batch)
	}
	if len(got.Items) != 2 || len(f.Objects.Puts) != 2 {
		t.Fatalf("answered %+v with %d upload links", got, len(f.Objects.Puts))
	}
	for i, it := range got.Items {
		if it.Evidence.Filename != req.Items[i].Filename || it.Upload.Method != "PUT" || it.Upload.URL == "" ||
			it.Upload.Headers["x-amz-checksum-sha256"] != it.Evidence.SHA256 {
			t.Fatalf("item %d: %+v", i, it)
		}
	}
	if _, err := s.AddEvidenceBatch(formCtx, supporter, formApp, req); problemOf(t, err).Status != http.StatusForbidden {
		t.Errorf("supporter: %v", err)
	}
	if _, err := s.AddEvidenceBatch(formCtx, stranger, formApp, req); problemOf(t, err).Status != http.StatusNotFound {
		t.Errorf("another applicant: %v", err)
	}
	if n := len(f.Temporal.Sent(workflows.UpdateAddEvidenceBatch)); n != 1 {
		t.Fatalf("a refused access check sent an update (%d sent)", n)
	}
}

// Several uploads confirmed in one action: each item's outcome, a refused one with the problem
// a confirm of it alone would have answered; a refusal of the batch is a problem naming the item.
func TestConfirmEvidenceBatch(t *testing.T) {
	f, s := formFixture(t, award.StagePortfolio)
	f.Temporal.OnUpdate(workflows.UpdateConfirmBatch, func(_ *workflows.Status, arg any) (any, error) {
		r := arg.(workflows.ConfirmBatchRequest)
		return workflows.ConfirmBatchResult{Items: []workflows.ConfirmItemResult{
			{EvidenceID: r.EvidenceIDs[0], Confirmed: true, Evidence: activities.Evidence{ID: r.EvidenceIDs[0], State: award.EvidenceConfirmed}},
			{EvidenceID: r.EvidenceIDs[1], Error: workflows.ErrChecksumMismatch, Message: "the uploaded file's SHA-256 is x but y was declared",
				Evidence: activities.Evidence{ID: r.EvidenceIDs[1], State: award.EvidencePending}},
		}}, nil
	})
	got, err := s.ConfirmEvidenceBatch(formCtx, applicant, formApp, structs.ConfirmEvidenceBatchRequest{EvidenceIDs: []string{"ev-1", "ev-2"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Confirmed != 1 || got.Refused != 1 || !got.Items[0].Confirmed || got.Items[0].Problem != nil ||
		got.Items[1].Confirmed || got.Items[1].Evidence.State != award.EvidencePending {
		t.Fatalf("answered %+v", got)
	}
	if p := got.Items[1].Problem; p == nil || p.Type != "checksum-mismatch" || p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("refused item's problem %+v", p)
	}
	if _, err := s.ConfirmEvidenceBatch(formCtx, supporter, formApp, structs.ConfirmEvidenceBatchRequest{EvidenceIDs: []string{"ev-1"}}); problemOf(t, err).Status != http.StatusForbidden {
		t.Errorf("supporter: %v", err)
	}

	f.Temporal.OnUpdate(workflows.UpdateConfirmBatch, func(*workflows.Status, any) (any, error) {
		return nil, appstest.Refusal(workflows.ErrNotFound, `items[1]: no evidence "ev-9" in this application`)
	})
	_, err = s.ConfirmEvidenceBatch(formCtx, applicant, formApp, structs.ConfirmEvidenceBatchRequest{EvidenceIDs: []string{"ev-1", "ev-9"}})
	if p := problemOf(t, err); p.Status != http.StatusNotFound || !strings.Contains(p.Detail, "items[1]") {
		t.Fatalf("refused batch: %+v", p)
	}
	f.Temporal.OnUpdate(workflows.UpdateConfirmBatch, func(*workflows.Status, any) (any, error) {
		return nil, appstest.Refusal(workflows.ErrInvalid, `items[2].standards: not in framework`)
	})
	_, err = s.ConfirmEvidenceBatch(formCtx, applicant, formApp, structs.ConfirmEvidenceBatchRequest{EvidenceIDs: []string{"ev-1"}})
	if p := problemOf(t, err); len(p.Errors) != 1 || p.Errors[0].Field != "items[2].standards" {
		t.Fatalf("a refusal naming an item's field lists it in errors: %+v", p)
	}
}
