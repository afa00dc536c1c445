package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"awardengine/structs"
)

func TestRegisterSendsJSONAndPrintsID(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/applications", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, sampleApplication("app-42", "toolkit"))
	})

	code, out, errOut := run(t, "register", "--reference", "URN123456", "--name", "Oakfield Primary",
		"--track", "caring_schools", "--variant", "primary", "--supporter-email", "hub@example.org")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "app-42") || !strings.Contains(out, "Stage: toolkit") {
		t.Errorf("stdout %q: want the id and the stage", out)
	}
	reqs := f.requests("POST", "/v1/applications")
	if len(reqs) != 1 {
		t.Fatalf("want 1 register request, got %d", len(reqs))
	}
	r := reqs[0]
	if got := r.Header.Get("Authorization"); got != "Bearer tok-applicant" {
		t.Errorf("Authorization %q", got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q", got)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"setting_reference": "URN123456", "setting_name": "Oakfield Primary",
		"track": "caring_schools", "variant": "primary", "supporter_email": "hub@example.org",
	}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
}

func TestRegisterMissingFlagsIsUsageError(t *testing.T) {
	f := newFake(t)
	code, _, errOut := run(t, "register", "--reference", "URN1", "--track", "caring_schools")
	if code != exitUsage || !strings.Contains(errOut, "--name") || !strings.Contains(errOut, "--variant") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if f.count() != 0 {
		t.Error("a usage error must not reach the API")
	}
}

func TestUploadDeclaresPutsAndConfirms(t *testing.T) {
	f := newFake(t)
	content := []byte("Designated teacher role description\n" + strings.Repeat("x", 100000))
	sum := sha256.Sum256(content)
	hexSum := hex.EncodeToString(sum[:])
	const docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	file := filepath.Join(t.TempDir(), "role.docx")
	if err := os.WriteFile(file, content, 0o644); err != nil {
		t.Fatal(err)
	}

	f.handle("POST /v1/applications/app-42/evidence", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, map[string]any{
			"evidence": map[string]any{"id": "ev-7", "filename": "role.docx", "state": "pending"},
			"upload": map[string]any{
				"method":     "PUT",
				"url":        f.srv.URL + "/bucket/obj-7?X-Amz-Signature=sig",
				"headers":    map[string]string{"Content-Type": docx, "Content-Length": strconv.Itoa(len(content)), "X-Amz-Checksum-Sha256": "c2ln"},
				"expires_at": "2030-01-01T00:00:00Z",
			},
		})
	})
	f.handle("PUT /bucket/obj-7", func(w http.ResponseWriter, r *http.Request) {})
	f.handle("POST /v1/applications/app-42/evidence/ev-7/confirm", func(w http.ResponseWriter, r *http.Request) {
		if len(f.requests("PUT", "/bucket/obj-7")) != 1 {
			t.Error("confirm before the PUT")
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": "ev-7", "filename": "role.docx", "size": len(content),
			"standards": []string{"LD1", "RB2"}, "state": "confirmed"})
	})

	code, out, errOut := run(t, "upload", "app-42", file, "--standards", "LD1, RB2", "--note", "our policy")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "ev-7") {
		t.Errorf("stdout %q: want the evidence id", out)
	}
	if !strings.Contains(errOut, "uploaded role.docx") {
		t.Errorf("stderr %q: want one plain progress line (not a terminal)", errOut)
	}

	var decl map[string]any
	json.Unmarshal(f.requests("POST", "/v1/applications/app-42/evidence")[0].Body, &decl)
	want := map[string]any{"filename": "role.docx", "size": float64(len(content)), "content_type": docx,
		"sha256": hexSum, "standards": []any{"LD1", "RB2"}, "note": "our policy"}
	if !reflect.DeepEqual(decl, want) {
		t.Errorf("declaration %v\nwant %v", decl, want)
	}

	put := f.requests("PUT", "/bucket/obj-7")[0]
	if string(put.Body) != string(content) {
		t.Error("PUT body differs from the file")
	}
	if put.Length != int64(len(content)) || put.Header.Get("Content-Length") == "" && put.Length <= 0 {
		t.Errorf("PUT Content-Length %d, want %d", put.Length, len(content))
	}
	if put.Header.Get("Content-Type") != docx || put.Header.Get("X-Amz-Checksum-Sha256") != "c2ln" {
		t.Errorf("PUT headers %v: want the signed headers", put.Header)
	}
	if put.Header.Get("Authorization") != "" {
		t.Error("the API token must not be sent to object storage")
	}
	if len(put.Header.Values("Transfer-Encoding")) > 0 {
		t.Error("PUT must not be chunked")
	}
	if len(f.requests("POST", "/v1/applications/app-42/evidence/ev-7/confirm")) != 1 {
		t.Error("want one confirm")
	}
}

func TestUploadChecksumMismatchRemovesPending(t *testing.T) {
	f := newFake(t)
	file := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(file, []byte("hello"), 0o644)
	f.handle("POST /v1/applications/app-1/evidence", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, map[string]any{
			"evidence": map[string]any{"id": "ev-9", "state": "pending"},
			"upload":   map[string]any{"method": "PUT", "url": f.srv.URL + "/bucket/ev-9", "headers": map[string]string{"Content-Type": "text/plain"}},
		})
	})
	f.handle("PUT /bucket/ev-9", func(w http.ResponseWriter, r *http.Request) {})
	f.handle("POST /v1/applications/app-1/evidence/ev-9/confirm", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Type: "https://award.example/problems/checksum-mismatch", Title: "Checksum mismatch",
			Status: 422, Detail: "the stored file's SHA-256 differs from the declared one: upload again"})
	})
	f.handle("DELETE /v1/applications/app-1/evidence/ev-9", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})

	code, _, errOut := run(t, "upload", "app-1", file, "--standards", "LD1")
	if code != exitRefused {
		t.Fatalf("exit %d, want 1; stderr %q", code, errOut)
	}
	if !strings.Contains(errOut, "Checksum mismatch: the stored file's SHA-256 differs") || !strings.Contains(errOut, "run the upload again") {
		t.Errorf("stderr %q", errOut)
	}
	if len(f.requests("DELETE", "/v1/applications/app-1/evidence/ev-9")) != 1 {
		t.Error("want the pending item removed")
	}
	var decl structs.AddEvidenceRequest
	json.Unmarshal(f.requests("POST", "/v1/applications/app-1/evidence")[0].Body, &decl)
	if decl.ContentType != "text/plain" || decl.Size != 5 {
		t.Errorf("declaration %+v", decl)
	}
}

func TestSubmitMissingEvidenceListsStandards(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/applications/app-42/submit", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Type: "https://award.example/problems/missing-evidence", Title: "Missing evidence",
			Status: 422, Detail: "3 standards of silver have no confirmed evidence", Missing: []string{"LD3", "RB1", "WB2"}})
	})
	code, out, errOut := run(t, "submit", "app-42", "--level", "silver")
	if code != exitRefused {
		t.Fatalf("exit %d, want 1; stderr %q", code, errOut)
	}
	if out != "" {
		t.Errorf("stdout %q, want nothing", out)
	}
	want := "starter: Missing evidence: 3 standards of silver have no confirmed evidence\n  LD3\n  RB1\n  WB2\n"
	if errOut != want {
		t.Errorf("stderr\n%s\nwant\n%s", errOut, want)
	}
	var body map[string]string
	json.Unmarshal(f.requests("POST", "/v1/applications/app-42/submit")[0].Body, &body)
	if body["target_level"] != "silver" {
		t.Errorf("body %v", body)
	}
}

func TestProblemListsFieldErrorsAndExistingApplication(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/applications", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Title: "Duplicate application", Status: 409,
			Detail: "URN123456 already has an active application", ExistingApplicationID: "app-1",
			Errors: []fieldError{{Field: "setting_reference", Message: "already registered"}}})
	})
	code, _, errOut := run(t, "register", "--reference", "URN123456", "--name", "Oakfield",
		"--track", "caring_schools", "--variant", "primary")
	if code != exitRefused {
		t.Fatalf("exit %d", code)
	}
	for _, s := range []string{"Duplicate application: URN123456", "  setting_reference: already registered", "  existing application: app-1"} {
		if !strings.Contains(errOut, s) {
			t.Errorf("stderr %q lacks %q", errOut, s)
		}
	}
}

func TestNoTokenIsUsageError(t *testing.T) {
	f := newFake(t)
	t.Setenv("AWARD_TOKEN", "")
	code, _, errOut := run(t, "status")
	if code != exitUsage {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(errOut, "no API token") || !strings.Contains(errOut, "AWARD_TOKEN") {
		t.Errorf("stderr %q", errOut)
	}
	if f.count() != 0 {
		t.Error("no request may be sent without a token")
	}
}

func TestUnreachableAPI(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	t.Setenv("AWARD_TOKEN", "tok")
	code, _, errOut := run(t, "status", "--api", url)
	if code != exitUnavailable {
		t.Fatalf("exit %d, want 3", code)
	}
	if !strings.HasPrefix(errOut, "starter: cannot reach the API at "+url) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("stderr %q: want one clear line", errOut)
	}
}

func TestServerErrorIsUnavailable(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/applications", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusBadGateway)
	})
	code, _, errOut := run(t, "status")
	if code != exitUnavailable || !strings.Contains(errOut, "HTTP 502") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestJSONOutputIsValid(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/applications", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"applications": []map[string]any{{"id": "app-1", "stage": "portfolio"}}})
	})
	f.handle("GET /v1/applications/app-1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, sampleApplication("app-1", "portfolio"))
	})
	f.handle("DELETE /v1/applications/app-1/evidence/ev-1", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	f.handle("POST /v1/applications/app-1/withdraw", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Title: "Wrong stage", Status: 409, Detail: "already withdrawn"})
	})
	for _, args := range [][]string{
		{"--json", "status"},
		{"status", "app-1", "--json"},
		{"remove", "app-1", "ev-1", "--json"},
	} {
		code, out, errOut := run(t, args...)
		if code != 0 || !json.Valid([]byte(out)) || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	code, out, _ := run(t, "--json", "withdraw", "app-1", "--reason", "moved away")
	var p problem
	if code != exitRefused || json.Unmarshal([]byte(out), &p) != nil || p.Status != 409 {
		t.Errorf("refusal with --json: exit %d, stdout %q: want the problem document", code, out)
	}
}

func TestGlobalFlagsAfterCommandAndStatusTable(t *testing.T) {
	f := newFake(t)
	t.Setenv("AWARD_API_URL", "")
	t.Setenv("AWARD_TOKEN", "")
	f.handle("GET /v1/applications/app-1", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-admin" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		writeJSON(w, 200, sampleApplication("app-1", "portfolio"))
	})
	code, out, errOut := run(t, "status", "app-1", "--api", f.srv.URL+"/", "--token", "tok-admin")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, s := range []string{"Oakfield Primary (URN123456)", "Open the toolkit (applicant, due 2030-01-15",
		"ev-1", "policy.pdf", "2.0 KB", "LD1,LD2", "confirmed", "silver  RB3", "gold    RB3, WB4", "bronze  none"} {
		if !strings.Contains(out, s) {
			t.Errorf("status output lacks %q:\n%s", s, out)
		}
	}
}

// A status the journey was too busy to give is answered from the projection: the command says
// how fresh it is, instead of passing it off as the journey's full state.
func TestStatusSaysWhenAnsweredFromTheProjection(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/applications/app-1", func(w http.ResponseWriter, r *http.Request) {
		ap := sampleApplication("app-1", "assessment")
		ap["source"], ap["as_of"] = structs.SourceProjection, "2030-01-10T09:30:00Z"
		writeJSON(w, 200, ap)
	})
	code, out, errOut := run(t, "status", "app-1")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "Shown as of") || !strings.Contains(out, "2030-01-10") || !strings.Contains(out, "busy") {
		t.Errorf("status output does not say how fresh it is:\n%s", out)
	}
}

func TestUsageErrorsAndHelp(t *testing.T) {
	newFake(t)
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"status", "--bogus"},
		{"submit", "app-1", "--level", "platinum"},
		{"upload", "app-1", "file.pdf"},
		{"map", "app-1", "--standards", "LD1"},
		{"remove", "app-1", "ev-1", "extra"},
		{"register", "--reference", "R", "--name", "N", "--track", "t", "--variant", "v", "--approval-date", "1/2/2025"},
	} {
		if code, _, errOut := run(t, args...); code != exitUsage || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q: want a usage error", args, code, errOut)
		}
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"help", "upload"}, {"upload", "-h"}} {
		code, out, _ := run(t, args...)
		if code != 0 || !strings.Contains(out, "upload") {
			t.Errorf("%v: exit %d, stdout %q", args, code, out)
		}
	}
	_, out, _ := run(t, "upload", "--help")
	if !strings.Contains(out, "--standards codes") || strings.Contains(out, "--token") && !strings.Contains(out, "Global flags") {
		t.Errorf("upload help:\n%s", out)
	}
}

func TestToolkitDownload(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/applications/app-1/toolkit", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"documents": []map[string]any{
			{"title": "Workbook", "filename": "workbook.pdf", "content_type": "application/pdf",
				"url": f.srv.URL + "/bucket/workbook?sig=1", "expires_at": "2030-01-01T00:00:00Z"},
			{"title": "Sneaky", "filename": "../../etc/guide.txt", "content_type": "text/plain",
				"url": f.srv.URL + "/bucket/guide?sig=2", "expires_at": "2030-01-01T00:00:00Z"},
		}})
	})
	f.handle("GET /bucket/workbook", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("PDF")) })
	f.handle("GET /bucket/guide", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("guide")) })

	dir := filepath.Join(t.TempDir(), "kit")
	code, out, errOut := run(t, "toolkit", "app-1", "--download", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "Workbook (workbook.pdf, application/pdf)") || !strings.Contains(out, "/bucket/workbook?sig=1") {
		t.Errorf("stdout %q", out)
	}
	for name, want := range map[string]string{"workbook.pdf": "PDF", "guide.txt": "guide"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != want {
			t.Errorf("%s: %q, %v", name, b, err)
		}
	}
	if got := f.requests("GET", "/bucket/workbook")[0].Header.Get("Authorization"); got != "" {
		t.Error("the API token must not be sent to object storage")
	}
}

func TestGuessType(t *testing.T) {
	for name, want := range map[string]string{
		"a.PDF":  "application/pdf",
		"b.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"c.txt":  "text/plain",
		"d.jpeg": "image/jpeg",
		"e.xyz1": "application/octet-stream",
		"noext":  "application/octet-stream",
	} {
		if got := guessType(name); got != want {
			t.Errorf("guessType(%q) = %q, want %q", name, got, want)
		}
	}
}

// uploadFake serves a declaration whose upload goes to putStatus, and a
// confirm that answers confirmStatus.
func uploadFake(t *testing.T, putStatus, confirmStatus int) (*fakeAPI, string) {
	f := newFake(t)
	file := filepath.Join(t.TempDir(), "minutes.pdf")
	os.WriteFile(file, []byte("%PDF-1.7 minutes"), 0o644)
	f.handle("POST /v1/applications/app-1/evidence", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, map[string]any{
			"evidence": map[string]any{"id": "ev-5", "state": "pending"},
			"upload":   map[string]any{"method": "PUT", "url": f.srv.URL + "/bucket/ev-5", "headers": map[string]string{"Content-Type": "application/pdf"}},
		})
	})
	f.handle("PUT /bucket/ev-5", func(w http.ResponseWriter, r *http.Request) {
		if putStatus != http.StatusOK {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(putStatus)
			w.Write([]byte(`<?xml version="1.0"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match.</Message></Error>`))
		}
	})
	f.handle("POST /v1/applications/app-1/evidence/ev-5/confirm", func(w http.ResponseWriter, r *http.Request) {
		if confirmStatus != http.StatusOK {
			writeProblem(w, problem{Type: "https://award.example/problems/unavailable", Title: "Service unavailable", Status: confirmStatus})
			return
		}
		writeJSON(w, 200, map[string]any{"id": "ev-5", "state": "confirmed", "standards": []string{"LD1"}})
	})
	f.handle("DELETE /v1/applications/app-1/evidence/ev-5", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	return f, file
}

func TestUploadStorageRefusalRemovesPending(t *testing.T) {
	f, file := uploadFake(t, http.StatusForbidden, http.StatusOK)
	code, _, errOut := run(t, "upload", "app-1", file, "--standards", "LD1")
	if code != exitRefused || !strings.Contains(errOut, "SignatureDoesNotMatch") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if len(f.requests("DELETE", "/v1/applications/app-1/evidence/ev-5")) != 1 {
		t.Error("want the pending item removed")
	}
	if len(f.requests("POST", "/v1/applications/app-1/evidence/ev-5/confirm")) != 0 {
		t.Error("must not confirm after a failed upload")
	}
}

func TestUploadConfirmUnavailableKeepsItem(t *testing.T) {
	f, file := uploadFake(t, http.StatusOK, http.StatusServiceUnavailable)
	code, _, errOut := run(t, "upload", "app-1", file, "--standards", "LD1")
	if code != exitUnavailable || !strings.Contains(errOut, "may not be confirmed") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if len(f.requests("DELETE", "/v1/applications/app-1/evidence/ev-5")) != 0 {
		t.Error("an item whose confirmation is unknown must not be removed")
	}
}

func TestUploadJSONIsQuiet(t *testing.T) {
	f, file := uploadFake(t, http.StatusOK, http.StatusOK)
	code, out, errOut := run(t, "--json", "upload", "app-1", file, "--standards", "LD1")
	if code != 0 || !json.Valid([]byte(out)) || errOut != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	var decl structs.AddEvidenceRequest
	json.Unmarshal(f.requests("POST", "/v1/applications/app-1/evidence")[0].Body, &decl)
	if decl.ContentType != "application/pdf" || decl.Filename != "minutes.pdf" {
		t.Errorf("declaration %+v", decl)
	}
}

// Several files: declared in one action, each PUT to its own link, confirmed in one action;
// the file refused at confirm is removed again and named, the others are uploaded.
func TestUploadSeveralFilesInOneDeclareAndOneConfirm(t *testing.T) {
	f := newFake(t)
	dir := t.TempDir()
	var files []string
	for _, name := range []string{"plan.pdf", "minutes.txt", "photo.png"} {
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, []byte("content of "+name), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	f.handle("POST /v1/applications/app-3/evidence/batch", func(w http.ResponseWriter, r *http.Request) {
		var req structs.AddEvidenceBatchRequest
		json.Unmarshal(f.requests("POST", "/v1/applications/app-3/evidence/batch")[0].Body, &req)
		var out structs.EvidenceBatchCreated
		for i, d := range req.Items {
			id := fmt.Sprintf("ev-%d", i+1)
			out.Items = append(out.Items, structs.EvidenceCreated{
				Evidence: structs.Evidence{ID: id, Filename: d.Filename, Size: d.Size, Standards: d.Standards, State: "pending"},
				Upload:   structs.Upload{Method: "PUT", URL: f.srv.URL + "/bucket/" + id, Headers: map[string]string{"Content-Type": d.ContentType}}})
		}
		writeJSON(w, http.StatusCreated, out)
	})
	f.handle("PUT /bucket/", func(w http.ResponseWriter, r *http.Request) {})
	f.handle("POST /v1/applications/app-3/evidence/batch/confirm", func(w http.ResponseWriter, r *http.Request) {
		var req structs.ConfirmEvidenceBatchRequest
		json.NewDecoder(r.Body).Decode(&req)
		out := structs.EvidenceBatchConfirmed{}
		for _, id := range req.EvidenceIDs {
			c := structs.EvidenceConfirmation{Evidence: structs.Evidence{ID: id, Filename: "file " + id, State: "confirmed", Standards: []string{"LD1"}}, Confirmed: true}
			if id == "ev-2" {
				c.Confirmed, c.Evidence.State = false, "pending"
				c.Problem = &structs.Problem{Type: "https://award.example/problems/checksum-mismatch", Title: "Checksum mismatch", Status: 422,
					Detail: "the uploaded file's SHA-256 differs; it was deleted: upload it again"}
			}
			out.Items = append(out.Items, c)
		}
		writeJSON(w, http.StatusOK, out)
	})
	f.handle("DELETE /v1/applications/app-3/evidence/ev-2", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})

	args := append([]string{"upload", "app-3"}, files...)
	code, out, errOut := run(t, append(args, "--standards", "LD1")...)
	t.Logf("stdout:\n%s\nstderr:\n%s", out, errOut)
	if code != exitRefused {
		t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, exitRefused, out, errOut)
	}
	if !strings.Contains(out, "ev-1") || !strings.Contains(out, "ev-3") || strings.Contains(out, "ev-2 ") {
		t.Errorf("stdout %q: want the two uploaded items", out)
	}
	if !strings.Contains(errOut, "1 of 3 files were not uploaded") || !strings.Contains(errOut, "Checksum mismatch") ||
		!strings.Contains(errOut, "removed") {
		t.Errorf("stderr %q", errOut)
	}
	if n := len(f.requests("POST", "/v1/applications/app-3/evidence/batch")); n != 1 {
		t.Errorf("%d declarations, want 1", n)
	}
	if n := len(f.requests("POST", "/v1/applications/app-3/evidence/batch/confirm")); n != 1 {
		t.Errorf("%d confirms, want 1", n)
	}
	if n := len(f.requests("POST", "/v1/applications/app-3/evidence")); n != 0 {
		t.Errorf("%d single declarations", n)
	}
	var req structs.AddEvidenceBatchRequest
	json.Unmarshal(f.requests("POST", "/v1/applications/app-3/evidence/batch")[0].Body, &req)
	if len(req.Items) != 3 || req.Items[1].ContentType != "text/plain" || req.Items[2].ContentType != "image/png" ||
		req.Items[0].Standards[0] != "LD1" || len(req.Items[0].SHA256) != 64 {
		t.Errorf("declared %+v", req)
	}
	for _, id := range []string{"ev-1", "ev-2", "ev-3"} {
		if len(f.requests("PUT", "/bucket/"+id)) != 1 {
			t.Errorf("%s: want one PUT", id)
		}
	}
	if len(f.requests("DELETE", "/v1/applications/app-3/evidence/ev-2")) != 1 {
		t.Error("want the refused item removed")
	}
	if code, _, errOut := run(t, append(args, "--standards", "LD1", "--type", "application/pdf")...); code != exitUsage || !strings.Contains(errOut, "one FILE only") {
		t.Errorf("--type with several files: exit %d, stderr %q", code, errOut)
	}
}
