package applications_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/services/applications/appstest"
	"awardengine/storage/objects"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

var (
	formCtx   = context.Background()
	applicant = award.Person{ID: "p-ann", TenantID: "north", Roles: []string{award.RoleApplicant}, Active: true}
	supporter = award.Person{ID: "p-sue", TenantID: "north", Roles: []string{award.RoleSupporter}, Active: true}
	stranger  = award.Person{ID: "p-sam", TenantID: "north", Roles: []string{award.RoleApplicant}, Active: true}
	pdf       = []byte("%PDF-1.4\n% the wellbeing plan\n%%EOF\n")
	elf       = append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 120)...)
)

const formApp = "app-1"

func formFixture(t *testing.T, stage award.Stage) (*appstest.Fakes, *applications.Service) {
	t.Helper()
	f := appstest.New()
	f.AddApplication(postgres.Application{ID: formApp, TenantID: "north", ApplicantID: applicant.ID, SupporterID: supporter.ID,
		SettingName: "Oak Primary"}, workflows.Status{Stage: stage})
	return f, f.Service()
}

func formKey(name string) string {
	return objects.FormKeyPrefix(formApp) + appstest.FormToken + "/" + name
}

func problemOf(t *testing.T, err error) *structs.Problem {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	p, _ := applications.Problem(err, false)
	return p
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestEvidenceFormIsTheApplicants(t *testing.T) {
	f, s := formFixture(t, award.StagePortfolio)
	form, err := s.EvidenceForm(formCtx, applicant, formApp, "https://awards.example/applications/app-1/evidence/uploaded")
	if err != nil || !strings.HasPrefix(form.KeyPrefix, objects.FormKeyPrefix(formApp)) || len(f.Objects.Posts) != 1 {
		t.Fatalf("form %+v, %v", form, err)
	}
	if _, err := s.EvidenceForm(formCtx, supporter, formApp, "x"); problemOf(t, err).Status != http.StatusForbidden {
		t.Errorf("supporter: %v", err)
	}
	if _, err := s.EvidenceForm(formCtx, stranger, formApp, "x"); problemOf(t, err).Status != http.StatusNotFound {
		t.Errorf("another applicant: %v", err)
	}
}

// The whole no-JavaScript upload: check, adopt (declare, copy with its checksum, confirm,
// delete the form object), and a second adopt of the same upload.
func TestAdoptFormUpload(t *testing.T) {
	f, s := formFixture(t, award.StagePortfolio)
	key := formKey("Wellbeing plan.pdf")
	f.Objects.Put(key, pdf)

	up, err := s.CheckFormUpload(formCtx, applicant, formApp, key)
	if err != nil || up.Filename != "Wellbeing plan.pdf" || up.Size != int64(len(pdf)) || up.ContentType != "application/pdf" {
		t.Fatalf("check: %+v, %v", up, err)
	}
	if len(f.Temporal.Updates) != 0 || !f.Objects.Has(key) {
		t.Fatal("checking changed something")
	}

	got, err := s.AdoptFormUpload(formCtx, applicant, formApp, key, []string{"A1", "B2"})
	if err != nil {
		t.Fatal(err)
	}
	ev := got.Evidence
	if got.Existing || ev.State != award.EvidenceConfirmed || ev.Filename != "Wellbeing plan.pdf" || ev.SHA256 != sum(pdf) ||
		!slices.Equal(ev.Standards, []string{"A1", "B2"}) {
		t.Fatalf("adopted %+v", got)
	}
	adds := f.Temporal.Sent(workflows.UpdateAddEvidence)
	if len(adds) != 1 {
		t.Fatalf("declared %d times", len(adds))
	}
	if r := adds[0].Arg.(workflows.AddEvidenceRequest); r.ContentType != "application/pdf" || r.Size != int64(len(pdf)) || r.SHA256 != sum(pdf) {
		t.Errorf("declared %+v", r)
	}
	if len(f.Temporal.Sent(workflows.UpdateConfirmUpload)) != 1 {
		t.Error("not confirmed")
	}
	st, _ := f.Temporal.Status(formApp)
	upload := st.Evidence[0].UploadKey()
	if !slices.Contains(f.Objects.Copied, key+" → "+upload) || f.Objects.Has(key) {
		t.Errorf("copied %v, deleted %v", f.Objects.Copied, f.Objects.Deleted)
	}

	// The same page again (a second press, a reload): the upload is gone, nothing is added.
	_, err = s.AdoptFormUpload(formCtx, applicant, formApp, key, []string{"A1"})
	if p := problemOf(t, err); p.Status != http.StatusGone || p.Type != applications.TypeUploadGone {
		t.Errorf("again: %+v", p)
	}
	if _, err := s.CheckFormUpload(formCtx, applicant, formApp, key); problemOf(t, err).Type != applications.TypeUploadGone {
		t.Errorf("check again: %v", err)
	}
	if len(f.Temporal.Sent(workflows.UpdateAddEvidence)) != 1 {
		t.Error("declared again")
	}
}

// A crash at each step leaves a state the next try finishes without a second item.
func TestAdoptFormUploadResumes(t *testing.T) {
	f, s := formFixture(t, award.StagePortfolio)
	key := formKey("plan.pdf")
	f.Objects.Put(key, pdf)

	// The confirm's outcome is unknown (the journey did not answer): the item stays pending.
	f.Temporal.Refuse(workflows.UpdateConfirmUpload, appstest.Refusal("Unavailable", "could not check the upload in storage just now"))
	_, err := s.AdoptFormUpload(formCtx, applicant, formApp, key, []string{"A1"})
	if p := problemOf(t, err); p.Status != http.StatusServiceUnavailable {
		t.Fatalf("first try: %+v", p)
	}
	if !f.Objects.Has(key) {
		t.Fatal("the form object went after a failure a retry can mend")
	}
	st, _ := f.Temporal.Status(formApp)
	if len(st.Evidence) != 1 || st.Evidence[0].State != award.EvidencePending {
		t.Fatalf("after the first try: %+v", st.Evidence)
	}

	// The retry carries on with the same item, with the standards chosen now.
	f.Temporal.OnUpdate(workflows.UpdateConfirmUpload, nil)
	got, err := s.AdoptFormUpload(formCtx, applicant, formApp, key, []string{"A2"})
	if err != nil || got.Existing || got.Evidence.ID != st.Evidence[0].ID || !slices.Equal(got.Evidence.Standards, []string{"A2"}) {
		t.Fatalf("retry: %+v, %v", got, err)
	}
	if n := len(f.Temporal.Sent(workflows.UpdateAddEvidence)); n != 1 {
		t.Errorf("declared %d times", n)
	}

	// A crash after the confirm, before the form object was deleted: it is recognised.
	f.Objects.Put(key, pdf)
	got, err = s.AdoptFormUpload(formCtx, applicant, formApp, key, []string{"A1"})
	if err != nil || !got.Existing || got.Evidence.ID != st.Evidence[0].ID || f.Objects.Has(key) {
		t.Fatalf("after a crash after confirming: %+v, %v", got, err)
	}
	if n := len(f.Temporal.Sent(workflows.UpdateAddEvidence)); n != 1 {
		t.Errorf("declared %d times", n)
	}
}

// Two requests for one upload at once both declare: each carries on with the earliest item
// and the later one's goes.
func TestAdoptFormUploadRace(t *testing.T) {
	f, s := formFixture(t, award.StagePortfolio)
	key := formKey("plan.pdf")
	f.Objects.Put(key, pdf)
	// The other request's item lands while this one declares.
	f.Temporal.OnUpdate(workflows.UpdateAddEvidence, func(st *workflows.Status, arg any) (any, error) {
		r := arg.(workflows.AddEvidenceRequest)
		other := activities.Evidence{ID: "ev-a", ObjectKey: "north/app-1/ev-a", Filename: r.Filename, ContentType: r.ContentType,
			Size: r.Size, SHA256: r.SHA256, Standards: r.Standards, State: award.EvidencePending, CreatedAt: appstest.Time}
		mine := other
		mine.ID, mine.ObjectKey, mine.CreatedAt = "ev-b", "north/app-1/ev-b", appstest.Time.Add(1)
		st.Evidence = append(st.Evidence, other, mine)
		return mine, nil
	})
	got, err := s.AdoptFormUpload(formCtx, applicant, formApp, key, []string{"A1"})
	if err != nil || got.Evidence.ID != "ev-a" {
		t.Fatalf("adopted %+v, %v", got, err)
	}
	removed := f.Temporal.Sent(workflows.UpdateRemoveEvidence)
	if len(removed) != 1 || removed[0].Arg.(workflows.EvidenceRequest).EvidenceID != "ev-b" {
		t.Errorf("removed %+v", removed)
	}
}

// Every refusal in words, and a file that can never be added is deleted.
func TestFormUploadRefusals(t *testing.T) {
	type want struct {
		status int
		kind   string
		words  string
		kept   bool // the form object stays
	}
	big := make([]byte, 2*award.MB)
	copy(big, pdf)
	tests := []struct {
		name      string
		stage     award.Stage
		file      string
		content   []byte
		standards []string
		limits    *award.UploadLimits
		confirm   error
		want      want
	}{
		{"no file chosen", award.StagePortfolio, objects.FormKeyPrefix(formApp) + appstest.FormToken + "/" + objects.FilenameField, nil, []string{"A1"}, nil, nil,
			want{422, "invalid", "select a file", false}},
		{"empty file", award.StagePortfolio, "plan.pdf", nil, []string{"A1"}, nil, nil,
			want{422, "invalid", "is empty", false}},
		{"a program named .pdf", award.StagePortfolio, "plan.pdf", elf, []string{"A1"}, nil, nil,
			want{422, "type-mismatch", "executable program", false}},
		{"a type not allowed", award.StagePortfolio, "tool.exe", elf, []string{"A1"}, nil, nil,
			want{422, "invalid", "not allowed", false}},
		{"too large", award.StagePortfolio, "plan.pdf", big, []string{"A1"},
			&award.UploadLimits{MaxFileBytes: award.MB, MaxPortfolioBytes: 10 * award.MB, AllowedTypes: []string{"application/pdf"}}, nil,
			want{422, "invalid", "too large", false}},
		{"portfolio full", award.StagePortfolio, "plan.pdf", big, []string{"A1"},
			&award.UploadLimits{MaxFileBytes: 3 * award.MB, MaxPortfolioBytes: award.MB, AllowedTypes: []string{"application/pdf"}}, nil,
			want{422, "invalid", "over its limit", false}},
		{"control characters in the name", award.StagePortfolio, "plan\x01.pdf", pdf, []string{"A1"}, nil, nil,
			want{422, "invalid", "control", false}},
		{"portfolio closed", award.StageAssessment, "plan.pdf", pdf, []string{"A1"}, nil, nil,
			want{409, "wrong-stage", "portfolio is open", false}},
		{"no standards", award.StagePortfolio, "plan.pdf", pdf, nil, nil, nil,
			want{422, "invalid", "standards", true}},
		{"checksum mismatch at confirm", award.StagePortfolio, "plan.pdf", pdf, []string{"A1"}, nil,
			appstest.Refusal(workflows.ErrChecksumMismatch, "the uploaded file's SHA-256 is x but y was declared; it was deleted: upload it again"),
			want{422, "checksum-mismatch", "SHA-256", false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, s := formFixture(t, tt.stage)
			if tt.limits != nil {
				s.Limits = *tt.limits
			}
			if tt.confirm != nil {
				f.Temporal.Refuse(workflows.UpdateConfirmUpload, tt.confirm)
			}
			key := tt.file
			if !strings.HasPrefix(key, "staging/") {
				key = formKey(tt.file)
			}
			f.Objects.Put(key, tt.content)
			_, err := s.AdoptFormUpload(formCtx, applicant, formApp, key, tt.standards)
			p := problemOf(t, err)
			if p.Status != tt.want.status || p.Type != tt.want.kind || !strings.Contains(strings.ToLower(p.Detail), strings.ToLower(tt.want.words)) {
				t.Errorf("refusal %+v; want %+v", p, tt.want)
			}
			if f.Objects.Has(key) != tt.want.kept {
				t.Errorf("form object kept: %v", f.Objects.Has(key))
			}
			st, _ := f.Temporal.Status(formApp)
			for _, e := range st.Evidence {
				if e.State != award.EvidenceRemoved {
					t.Errorf("left an item behind: %+v", e)
				}
			}
			if tt.confirm == nil && len(f.Temporal.Sent(workflows.UpdateAddEvidence)) != 0 {
				t.Error("declared a file that is refused before")
			}
			// The check before standards are chosen says the same (except about standards).
			if tt.standards != nil && tt.confirm == nil {
				f.Objects.Put(key, tt.content)
				_, err := s.CheckFormUpload(formCtx, applicant, formApp, key)
				if cp := problemOf(t, err); cp.Status != p.Status || cp.Detail != p.Detail {
					t.Errorf("check: %+v; adopt: %+v", cp, p)
				}
				if f.Objects.Has(key) {
					t.Error("the check kept a file that can never be added")
				}
			}
		})
	}
}

// Keys that are not this application's form keys are not found; other people are refused
// as everywhere.
func TestFormUploadKeysAndAccess(t *testing.T) {
	f, s := formFixture(t, award.StagePortfolio)
	f.AddApplication(postgres.Application{ID: "app-2", TenantID: "north", ApplicantID: stranger.ID}, workflows.Status{Stage: award.StagePortfolio})
	other := objects.FormKeyPrefix("app-2") + appstest.FormToken + "/plan.pdf"
	f.Objects.Put(other, pdf)
	for _, key := range []string{
		other,
		"north/app-2/ev-1",
		objects.FormKeyPrefix(formApp) + "short/plan.pdf",
		objects.FormKeyPrefix(formApp) + appstest.FormToken + "/a/plan.pdf",
		"",
	} {
		if _, err := s.AdoptFormUpload(formCtx, applicant, formApp, key, []string{"A1"}); problemOf(t, err).Status != http.StatusNotFound {
			t.Errorf("key %q: %v", key, err)
		}
		if _, err := s.CheckFormUpload(formCtx, applicant, formApp, key); problemOf(t, err).Status != http.StatusNotFound {
			t.Errorf("check %q: %v", key, err)
		}
	}
	if !f.Objects.Has(other) {
		t.Error("another application's upload was touched")
	}
	key := formKey("plan.pdf")
	f.Objects.Put(key, pdf)
	if _, err := s.AdoptFormUpload(formCtx, supporter, formApp, key, []string{"A1"}); problemOf(t, err).Status != http.StatusForbidden {
		t.Errorf("supporter: %v", err)
	}
	if _, err := s.AdoptFormUpload(formCtx, stranger, formApp, key, []string{"A1"}); problemOf(t, err).Status != http.StatusNotFound {
		t.Errorf("another applicant: %v", err)
	}
	// Storage down: nothing is deleted, and the answer says nothing changed.
	f.Objects.Err = errors.New("connection refused")
	_, err := s.AdoptFormUpload(formCtx, applicant, formApp, key, []string{"A1"})
	if p := problemOf(t, err); p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Detail, "nothing was changed") {
		t.Errorf("storage down: %+v", p)
	}
	f.Objects.Err = nil
	if !f.Objects.Has(key) || len(f.Temporal.Updates) != 0 {
		t.Error("changed something")
	}
}
