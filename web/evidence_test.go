package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/services/applications/appstest"
	"awardengine/storage/objects"
	"awardengine/workflows"
)

// The evidence pages (evidence.go): the list, the upload form (straight to storage), the
// no-JavaScript upload's standards step, changing standards, removing.

// pdf is a small file whose bytes say PDF.
var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// formKey is where the fake storage's upload form puts a file of this name for app-oak.
func formKey(name string) string {
	return objects.FormKeyPrefix("app-oak") + appstest.FormToken + "/" + name
}

// TestEvidencePage: the applicant's files with their state and standards, links to change
// and remove them, and the upload form that posts straight to storage.
func TestEvidencePage(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio,
		Evidence: []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1", "B1"), evidence("ev-2", award.EvidencePending, "C1"),
			evidence("ev-3", award.EvidenceRemoved, "D1")}})
	e := newTestServer(t, ann, f)
	r := e.get("/applications/app-oak/evidence")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Evidence" {
		t.Fatalf("h1 %q", heading(r))
	}
	one := first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "evidence-ev-1" })
	two := first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "evidence-ev-2" })
	if one == nil || two == nil {
		t.Fatal("the files are not listed")
	}
	if first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "evidence-ev-3" }) != nil {
		t.Error("a removed file is listed")
	}
	for _, want := range []string{"ev-1.pdf", "Uploaded", "A1 Standard A1", "B1 Standard B1"} {
		if !strings.Contains(text(one), want) {
			t.Errorf("ev-1 does not say %q: %s", want, text(one))
		}
	}
	if !strings.Contains(text(two), "Upload not finished") {
		t.Errorf("ev-2: %s", text(two))
	}
	mustSay(t, r, "Your files (2)", "1 upload is not finished")
	for _, href := range []string{"/applications/app-oak/evidence/ev-1/standards", "/applications/app-oak/evidence/ev-1/remove",
		"/applications/app-oak/evidence/ev-2/remove"} {
		if !hasLink(r, href) {
			t.Errorf("no link to %s", href)
		}
	}
	form := first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "upload-form" })
	if form == nil || attr(form, "action") != appstest.URL+"/form" || attr(form, "enctype") != "multipart/form-data" {
		t.Fatalf("upload form: %v", form)
	}
	key := first(form, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == "key" })
	if key == nil || !strings.HasPrefix(attr(key, "value"), objects.FormKeyPrefix("app-oak")) {
		t.Errorf("the form's key field: %v", key)
	}
	redirect := first(form, func(n *htmlNode) bool { return attr(n, "name") == "success_action_redirect" })
	if !strings.HasSuffix(attr(redirect, "value"), "/applications/app-oak/evidence/uploaded") {
		t.Errorf("storage sends the browser back to %q", attr(redirect, "value"))
	}
	if file := first(form, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "type") == "file" }); attr(file, "name") != "file" {
		t.Error("no file input named file")
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+appstest.URL) ||
		!strings.Contains(csp, "connect-src 'self' "+appstest.URL) {
		t.Errorf("the CSP does not allow uploads to storage: %q", csp)
	}
}

// TestEvidenceReadOnly: the supporter sees the files but no form or change; after submission
// the applicant sees them without changes either.
func TestEvidenceReadOnly(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio, Evidence: []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1")}})
	e := newTestServer(t, sue, f)
	r := e.get("/applications/app-oak/evidence")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "ev-1.pdf", "Only its applicant can change it")
	if first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "upload-form" }) != nil || hasLink(r, "/applications/app-oak/evidence/ev-1/remove") {
		t.Error("the supporter is offered changes")
	}

	g := appstest.New()
	oakAt(g, workflows.Status{Stage: workflows.StageAwaitingAllocation, SubmittedAt: appstest.Ptr(day1),
		Evidence: []activities.Evidence{func() activities.Evidence {
			ev := evidence("ev-1", award.EvidenceConfirmed, "A1")
			ev.Immutable = true
			return ev
		}()}})
	e = newTestServer(t, ann, g)
	r = e.get("/applications/app-oak/evidence")
	checkPage(t, r, http.StatusOK)
	mustSay(t, r, "You cannot add, change or remove evidence now", "Submitted")
	if first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "upload-form" }) != nil || hasLink(r, "/applications/app-oak/evidence/ev-1/remove") {
		t.Error("a submitted portfolio is offered changes")
	}
}

// TestEvidenceOfAnotherApplicant: every evidence page of someone else's application is "Page
// not found", and nothing is changed.
func TestEvidenceOfAnotherApplicant(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio, Evidence: []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1")}})
	f.Objects.Put(formKey("plan.pdf"), pdf)
	e := newTestServer(t, bob, f)
	for _, p := range []string{"/evidence", "/evidence/ev-1/standards", "/evidence/ev-1/remove", "/evidence/uploaded?key=" + url.QueryEscape(formKey("plan.pdf"))} {
		checkNotFound(t, e.get("/applications/app-oak"+p), "ev-1.pdf", "Oak Primary")
	}
	checkNotFound(t, e.postForm("/applications/app-oak/evidence/ev-1/remove", nil))
	checkNotFound(t, e.postForm("/applications/app-oak/evidence/ev-1/standards", url.Values{"standards": {"B1"}}))
	checkNotFound(t, e.postForm("/applications/app-oak/evidence/uploaded", url.Values{"key": {formKey("plan.pdf")}, "standards": {"A1"}}))
	if len(f.Temporal.Updates) != 0 || !f.Objects.Has(formKey("plan.pdf")) {
		t.Fatalf("changed: updates %+v, deleted %v", f.Temporal.Updates, f.Objects.Deleted)
	}
	// An item that is not there is not found either.
	e.me = ann
	checkNotFound(t, e.get("/applications/app-oak/evidence/ev-9/standards"))
}

// TestUploadWithoutJavaScript: storage sends the browser back with the stored file's key; the
// page asks which standards it is evidence for (refusing none), then adds it and says so.
func TestUploadWithoutJavaScript(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio})
	f.Objects.Put(formKey("plan.pdf"), pdf)
	e := newTestServer(t, ann, f)
	r := e.get("/applications/app-oak/evidence/uploaded?key=" + url.QueryEscape(formKey("plan.pdf")) + "&etag=x")
	checkPage(t, r, http.StatusOK)
	if heading(r) != "Which standards is plan.pdf evidence for?" {
		t.Fatalf("h1 %q", heading(r))
	}
	mustSay(t, r, "plan.pdf (PDF, 77 bytes) has been uploaded")
	if n := len(findAll(r.doc, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == "standards" })); n != 12 {
		t.Errorf("want a box per standard (12), got %d", n)
	}

	r = e.postForm("/applications/app-oak/evidence/uploaded", url.Values{"key": {formKey("plan.pdf")}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "standards", "Select the standards plan.pdf is evidence for")

	r = e.postForm("/applications/app-oak/evidence/uploaded", url.Values{"key": {formKey("plan.pdf")}, "standards": {"A1", "B1"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/applications/app-oak/evidence" {
		t.Fatalf("adopt: %d %q %s", r.status, r.header.Get("Location"), firstLines(text(r.doc), 40))
	}
	add := f.Temporal.Sent(workflows.UpdateAddEvidence)
	if len(add) != 1 || add[0].Arg.(workflows.AddEvidenceRequest).ContentType != "application/pdf" ||
		!slices.Equal(add[0].Arg.(workflows.AddEvidenceRequest).Standards, []string{"A1", "B1"}) {
		t.Fatalf("declared %+v", add)
	}
	if len(f.Temporal.Sent(workflows.UpdateConfirmUpload)) != 1 || f.Objects.Has(formKey("plan.pdf")) {
		t.Fatal("not confirmed, or the form's object kept")
	}
	r = e.follow(r)
	checkPage(t, r, http.StatusOK)
	if !strings.Contains(text(first(r.doc, hasClass("govuk-notification-banner"))), "plan.pdf has been added to your evidence") {
		t.Error("no notice")
	}
	mustSay(t, r, "plan.pdf", "Uploaded")
}

// TestUploadRefusedInWords: a file the rules refuse (wrong type, bytes not of the type its
// name says, nothing chosen) comes back to the evidence page with the refusal in words beside
// the file input, and the stored file is deleted.
func TestUploadRefusedInWords(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	for _, c := range []struct {
		name, file string
		data       []byte
		says       string
	}{
		{"a type not allowed", "run.exe", []byte("MZ\x90\x00"), "type"},
		{"bytes of another type", "photo.pdf", png, "PDF"},
		{"no file chosen", objects.FilenameField, nil, "Select a file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := appstest.New()
			oakAt(f, workflows.Status{Stage: workflows.StagePortfolio})
			key := formKey(c.file)
			f.Objects.Put(key, c.data)
			e := newTestServer(t, ann, f)
			r := e.get("/applications/app-oak/evidence/uploaded?key=" + url.QueryEscape(key))
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/applications/app-oak/evidence" {
				t.Fatalf("want back to the evidence page, got %d %q %s", r.status, r.header.Get("Location"), firstLines(text(r.doc), 40))
			}
			r = e.follow(r)
			checkPage(t, r, http.StatusOK)
			checkErrorSummary(t, r, "file", c.says)
			if msg := text(first(r.doc, func(n *htmlNode) bool { return attr(n, "id") == "file-error" })); !strings.Contains(msg, c.says) {
				t.Errorf("no message beside the file input: %q", msg)
			}
			if len(f.Temporal.Updates) != 0 {
				t.Errorf("declared: %+v", f.Temporal.Updates)
			}
			// Once shown, the refusal is gone.
			if again := e.get("/applications/app-oak/evidence"); len(errorSummary(again)) != 0 {
				t.Error("the refusal shows twice")
			}
		})
	}
}

// TestChangeStandards: an item's standards, ticked; none chosen is refused; a change is sent
// to the journey and said.
func TestChangeStandards(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio, Evidence: []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1", "B1")}})
	e := newTestServer(t, ann, f)
	r := e.get("/applications/app-oak/evidence/ev-1/standards")
	checkPage(t, r, http.StatusOK)
	var ticked []string
	for _, n := range findAll(r.doc, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == "standards" }) {
		for _, a := range n.Attr {
			if a.Key == "checked" {
				ticked = append(ticked, attr(n, "value"))
			}
		}
	}
	if !slices.Equal(ticked, []string{"A1", "B1"}) {
		t.Errorf("ticked %v", ticked)
	}

	r = e.postForm("/applications/app-oak/evidence/ev-1/standards", url.Values{})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "standards", "Select the standards ev-1.pdf is evidence for")

	f.Temporal.Refuse(workflows.UpdateMapEvidence, appstest.Refusal(workflows.ErrInvalid, "standards: Z9 is not a standard of this framework"))
	r = e.postForm("/applications/app-oak/evidence/ev-1/standards", url.Values{"standards": {"Z9"}})
	checkPage(t, r, http.StatusUnprocessableEntity)
	checkErrorSummary(t, r, "", "Z9 is not a standard of this framework")

	f.Temporal.OnUpdate(workflows.UpdateMapEvidence, nil)
	r = e.postForm("/applications/app-oak/evidence/ev-1/standards", url.Values{"standards": {"C1", "D1"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/applications/app-oak/evidence" {
		t.Fatalf("map: %d %q", r.status, r.header.Get("Location"))
	}
	sent := f.Temporal.Sent(workflows.UpdateMapEvidence)
	if got := sent[len(sent)-1].Arg.(workflows.MapEvidenceRequest); got.EvidenceID != "ev-1" || !slices.Equal(got.Standards, []string{"C1", "D1"}) {
		t.Fatalf("sent %+v", got)
	}
	r = e.follow(r)
	if !strings.Contains(text(first(r.doc, hasClass("govuk-notification-banner"))), "The standards for ev-1.pdf have been saved") {
		t.Error("no notice")
	}
	mustSay(t, r, "C1 Standard C1")
}

// TestRemoveEvidence: "are you sure", then removal sent to the journey and said; a refusal is
// shown in words.
func TestRemoveEvidence(t *testing.T) {
	f := appstest.New()
	oakAt(f, workflows.Status{Stage: workflows.StagePortfolio, Evidence: []activities.Evidence{evidence("ev-1", award.EvidenceConfirmed, "A1")}})
	e := newTestServer(t, ann, f)
	r := e.get("/applications/app-oak/evidence/ev-1/remove")
	checkPage(t, r, http.StatusOK)
	if !strings.Contains(heading(r), "remove ev-1.pdf") {
		t.Fatalf("h1 %q", heading(r))
	}
	if len(f.Temporal.Updates) != 0 {
		t.Fatal("removed on GET")
	}

	f.Temporal.Refuse(workflows.UpdateRemoveEvidence, appstest.Refusal(workflows.ErrWrongStage, "evidence cannot be removed after submission"))
	r = e.postForm("/applications/app-oak/evidence/ev-1/remove", nil)
	checkPage(t, r, http.StatusConflict)
	checkErrorSummary(t, r, "", "Evidence cannot be removed after submission")

	f.Temporal.OnUpdate(workflows.UpdateRemoveEvidence, nil)
	r = e.postForm("/applications/app-oak/evidence/ev-1/remove", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/applications/app-oak/evidence" {
		t.Fatalf("remove: %d %q", r.status, r.header.Get("Location"))
	}
	r = e.follow(r)
	if !strings.Contains(text(first(r.doc, hasClass("govuk-notification-banner"))), "ev-1.pdf has been removed from your evidence") {
		t.Error("no notice")
	}
	mustSay(t, r, "No files yet.")
}
