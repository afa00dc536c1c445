package objects_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"awardengine/storage/objects"
	"awardengine/storage/objects/objectstest"
)

func TestParseFormKey(t *testing.T) {
	const app, token = "app_1", "0123456789abcdef0123456789abcdef"
	prefix := "staging/form/app_1/" + token + "/"
	tests := []struct {
		key      string
		ok       bool
		filename string
	}{
		{prefix + "plan.pdf", true, "plan.pdf"},
		{prefix + "Wellbeing plan (v2) – final.docx", true, "Wellbeing plan (v2) – final.docx"},
		{prefix + "${filename}", true, ""},
		{prefix + prefix + "${filename}", true, ""}, // storage's key for a form sent with no file
		{prefix + "staging/form/app_2/" + token + "/${filename}", false, ""},
		{prefix + "a/plan.pdf", false, ""},
		{prefix, false, ""},
		{"staging/form/app_2/" + token + "/plan.pdf", false, ""},
		{"staging/form/app_1/" + strings.ToUpper(token) + "/plan.pdf", false, ""},
		{"staging/form/app_1/" + token[:31] + "/plan.pdf", false, ""},
		{"staging/form/app_1/" + token + "0/plan.pdf", false, ""},
		{"staging/form/app_1/plan.pdf", false, ""},
		{"staging/app_1/" + token + "/plan.pdf", false, ""},
		{"tenant/app_1/ev_1", false, ""},
		{"", false, ""},
	}
	for _, tt := range tests {
		k, ok := objects.ParseFormKey(tt.key, app)
		if ok != tt.ok || k.Filename != tt.filename || (ok && (k.Token != token || k.ApplicationID != app)) {
			t.Errorf("ParseFormKey(%q) = %+v, %v; want ok %v, filename %q", tt.key, k, ok, tt.ok, tt.filename)
		}
	}
	if _, ok := objects.ParseFormKey(prefix+"plan.pdf", ""); ok {
		t.Error("an empty application id was accepted")
	}
	if a, b := objects.NewFormToken(), objects.NewFormToken(); a == b || len(a) != objects.FormTokenLength {
		t.Errorf("tokens %q, %q", a, b)
	}
}

// The no-JavaScript upload against a real MinIO: the signed form stores the file under its
// own name and redirects; a form with no file still redirects (the page says what is wrong);
// a file over the limit is refused by storage; Inspect reads what was stored; CopyChecked
// leaves a copy whose SHA-256 the store reports, as ConfirmUpload needs.
func TestPostFormOnRealStorage(t *testing.T) {
	ctx := t.Context()
	store := objectstest.Store(t, "post-test")
	const redirect = "https://awards.example/applications/app_1/evidence/uploaded"
	form, err := store.PresignPost(ctx, "app_1", 100, redirect, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(form.KeyPrefix, "staging/form/app_1/") || form.Fields["key"] != form.KeyPrefix+"${filename}" {
		t.Fatalf("form %+v", form)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(filename string, content []byte) *http.Response {
		t.Helper()
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		for k, v := range form.Fields {
			_ = w.WriteField(k, v)
		}
		fw, _ := w.CreateFormFile("file", filename)
		_, _ = fw.Write(content)
		_ = w.Close()
		req, _ := http.NewRequest(http.MethodPost, form.URL, &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	redirected := func(resp *http.Response) url.Values {
		t.Helper()
		if resp.StatusCode != http.StatusSeeOther {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("POST: %s %s", resp.Status, b)
		}
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || !strings.HasPrefix(loc.String(), redirect+"?") {
			t.Fatalf("redirect to %q", resp.Header.Get("Location"))
		}
		return loc.Query()
	}

	pdf := []byte("%PDF-1.4\n% the wellbeing plan\n%%EOF\n")
	q := redirected(post("Wellbeing plan – v2.pdf", pdf))
	key := q.Get("key")
	if k, ok := objects.ParseFormKey(key, "app_1"); !ok || k.Filename != "Wellbeing plan – v2.pdf" {
		t.Fatalf("stored under %q (%+v, %v)", key, k, ok)
	}
	etag := strings.Trim(q.Get("etag"), `"`)
	got, err := store.Inspect(ctx, key, etag)
	sum := sha256.Sum256(pdf)
	if err != nil || got.Size != int64(len(pdf)) || got.SHA256 != hex.EncodeToString(sum[:]) || got.Type != "application/pdf" {
		t.Fatalf("Inspect = %+v, %v", got, err)
	}
	if _, err := store.Inspect(ctx, key, "0123"); !errors.Is(err, objects.ErrChanged) {
		t.Errorf("Inspect with another ETag: %v", err)
	}
	if _, err := store.Inspect(ctx, form.KeyPrefix+"missing.pdf", ""); !errors.Is(err, objects.ErrNotFound) {
		t.Errorf("Inspect of a missing object: %v", err)
	}

	// The copy is confirmed like a checked upload: the store knows its SHA-256.
	to := objects.StagingKey("t/app_1/ev_1")
	if err := store.CopyChecked(ctx, key, to, "0123"); !errors.Is(err, objects.ErrChanged) {
		t.Errorf("CopyChecked with another ETag: %v", err)
	}
	if err := store.CopyChecked(ctx, key, to, got.ETag); err != nil {
		t.Fatal(err)
	}
	if err := store.CopyChecked(ctx, key, to, got.ETag); err != nil { // again, after a crash
		t.Fatal(err)
	}
	st, err := store.Stat(ctx, to)
	if err != nil || st.Size != got.Size || st.SHA256 != got.SHA256 {
		t.Fatalf("the copy: %+v, %v; want SHA-256 %s", st, err, got.SHA256)
	}
	if ok, _ := store.Exists(ctx, key); !ok {
		t.Error("CopyChecked removed its source")
	}
	if err := store.CopyChecked(ctx, form.KeyPrefix+"missing.pdf", to, ""); !errors.Is(err, objects.ErrNotFound) {
		t.Errorf("CopyChecked of a missing object: %v", err)
	}

	// No file chosen: the browser sends an empty part with no name.
	q = redirected(post("", nil))
	if k, ok := objects.ParseFormKey(q.Get("key"), "app_1"); !ok || k.Filename != "" {
		t.Errorf("no file: stored under %q (%+v, %v)", q.Get("key"), k, ok)
	}
	// An empty file comes back too.
	q = redirected(post("empty.pdf", nil))
	if k, ok := objects.ParseFormKey(q.Get("key"), "app_1"); !ok || k.Filename != "empty.pdf" {
		t.Errorf("empty file: stored under %q", q.Get("key"))
	}
	// Over the limit: storage refuses.
	if resp := post("big.pdf", bytes.Repeat([]byte("x"), 101)); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a file over the limit: %s", resp.Status)
	}
	// Another key than the form's: refused by the policy.
	form.Fields["key"] = "staging/form/app_2/" + objects.NewFormToken() + "/${filename}"
	if resp := post("plan.pdf", pdf); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a key outside the form's prefix: %s", resp.Status)
	}
}
