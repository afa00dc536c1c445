package integration

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"awardengine/award"
	"awardengine/starter/cli"
	"awardengine/storage/objects"
	"awardengine/structs"
)

// What MinIO really enforces for evidence, through the API and the presigned links a person
// gets: the link binds the declared size and SHA-256, so storage refuses any other bytes; the
// link writes the item's key once (If-None-Match), tagged unconfirmed, and confirm removes the
// tag after checking the store's own checksum and the real type of the bytes, moving nothing;
// no link can write the key again; unconfirmed uploads expire and count towards the
// portfolio limit; a retried confirm is a success.
func TestEvidenceIntegrity(t *testing.T) {
	tm := newAwardTeam(t, "integrity", 3)
	appID := registered(t, tm.applicant, "INTEGRITY-1")
	codes := bronzeStandards(t, tm.applicant, appID)
	evidence := "/v1/applications/" + appID + "/evidence"
	finalKey := func(id string) string { return "tenants/integrity/applications/" + appID + "/evidence/" + id }
	stored := func(t *testing.T, key string) (objects.Stored, bool) {
		t.Helper()
		st, err := shared.Objects.Stat(t.Context(), key)
		if err != nil {
			if strings.Contains(err.Error(), objects.ErrNotFound.Error()) {
				return objects.Stored{}, false
			}
			t.Fatal(err)
		}
		return st, true
	}

	t.Run("the upload link binds the declared size, checksum and type", func(t *testing.T) {
		content := pdf("bound")
		u := tm.applicant.declare(appID, "bound.pdf", "application/pdf", content, codes[0])
		if p := linkPath(t, u.Upload.URL); strings.Contains(p, "staging/") || !strings.HasSuffix(p, finalKey(u.Evidence.ID)) {
			t.Fatalf("the upload link names %s, want the item's own key (written once)", p)
		}
		sum := sha256.Sum256(content)
		if u.Upload.Headers["Content-Length"] != fmt.Sprint(len(content)) || u.Upload.Headers["x-amz-checksum-sha256"] == "" ||
			u.Upload.Headers["Content-Type"] != "application/pdf" || u.Upload.Headers["If-None-Match"] != "*" ||
			u.Upload.Headers["x-amz-tagging"] != "award-upload=unconfirmed" {
			t.Fatalf("upload headers %v: want Content-Type, Content-Length, x-amz-checksum-sha256, If-None-Match and x-amz-tagging", u.Upload.Headers)
		}
		other := bytes.Clone(content)
		other[len(other)-3] ^= 1
		withoutChecksum := u
		withoutChecksum.Upload.Headers = maps.Clone(u.Upload.Headers)
		delete(withoutChecksum.Upload.Headers, "x-amz-checksum-sha256")
		asText := u
		asText.Upload.Headers = maps.Clone(u.Upload.Headers)
		asText.Upload.Headers["Content-Type"] = "text/plain"
		for _, c := range []struct {
			name    string
			u       upload
			content []byte
			says    string
		}{
			{"one byte more than declared", u, append(bytes.Clone(content), 'x'), "SignatureDoesNotMatch"},
			{"a megabyte more than declared", u, append(bytes.Clone(content), make([]byte, 1<<20)...), "SignatureDoesNotMatch"},
			{"one byte less than declared", u, content[:len(content)-1], "SignatureDoesNotMatch"},
			{"different bytes of the declared length", u, other, "XAmzContentChecksumMismatch"},
			{"without the checksum header", withoutChecksum, content, ""},
			{"with another content type", asText, content, "SignatureDoesNotMatch"},
		} {
			status, body := tryPut(t, c.u, c.content)
			if status == 0 && len(c.content) > len(content)+1 {
				continue // storage refused before reading the whole body and closed the connection
			}
			if status < 400 || status > 403 || !strings.Contains(body, c.says) {
				t.Errorf("%s: storage answered %d %s", c.name, status, body)
			}
		}
		for _, key := range []string{finalKey(u.Evidence.ID), objects.StagingKey(finalKey(u.Evidence.ID))} {
			if _, ok := stored(t, key); ok {
				t.Fatalf("a refused PUT left an object under %s", key)
			}
		}
		put(t, u, content)
		if unconfirmed, err := shared.Objects.Unconfirmed(t.Context(), finalKey(u.Evidence.ID)); err != nil || !unconfirmed {
			t.Fatalf("an upload not yet confirmed is not tagged unconfirmed (%v)", err)
		}
		var item structs.Evidence
		tm.applicant.must(200, "POST", evidence+"/"+u.Evidence.ID+"/confirm", nil).json(t, &item)
		if item.State != "confirmed" || item.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("confirmed item %+v", item)
		}
		if st, ok := stored(t, finalKey(u.Evidence.ID)); !ok || st.SHA256 != item.SHA256 || st.Size != int64(len(content)) {
			t.Fatalf("final object %+v (found %v), want the declared bytes", st, ok)
		}
		if _, ok := stored(t, objects.StagingKey(finalKey(u.Evidence.ID))); ok {
			t.Fatal("confirm left a staging object behind")
		}
		if unconfirmed, err := shared.Objects.Unconfirmed(t.Context(), finalKey(u.Evidence.ID)); err != nil || unconfirmed {
			t.Fatalf("a confirmed upload is still tagged unconfirmed (%v): the lifecycle rule would expire it", err)
		}
	})

	t.Run("a retried confirm is a success and changes nothing", func(t *testing.T) {
		content := pdf("retried")
		u := tm.applicant.declare(appID, "retried.pdf", "application/pdf", content, codes[1])
		put(t, u, content)
		first := tm.applicant.must(200, "POST", evidence+"/"+u.Evidence.ID+"/confirm", nil)
		before := snapshot(t, tm.applicant, appID)
		again := tm.applicant.must(200, "POST", evidence+"/"+u.Evidence.ID+"/confirm", nil)
		if string(again.Body) != string(first.Body) {
			t.Fatalf("retried confirm answered\n%s\nthe first answered\n%s", again.Body, first.Body)
		}
		if after := snapshot(t, tm.applicant, appID); after != before {
			t.Fatalf("a retried confirm changed the application:\nbefore %s\nafter  %s", before, after)
		}
		tm.applicant.must(404, "POST", evidence+"/ev_nosuchitem/confirm", nil)
		gone := tm.applicant.declare(appID, "gone.pdf", "application/pdf", pdf("gone"), codes[1])
		tm.applicant.must(204, "DELETE", evidence+"/"+gone.Evidence.ID, nil)
		tm.applicant.must(404, "POST", evidence+"/"+gone.Evidence.ID+"/confirm", nil)
	})

	t.Run("an executable declared as a PDF is refused at confirm, naming both types", func(t *testing.T) {
		u := tm.applicant.declare(appID, "report.pdf", "application/pdf", elfBinary(), codes[0])
		put(t, u, elfBinary()) // its checksum is the declared one: storage takes it, unconfirmed
		r := tm.applicant.do("POST", evidence+"/"+u.Evidence.ID+"/confirm", nil)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("want 422, got %d %s", r.Status, r.Body)
		}
		p := r.problem(t)
		detail, _ := p["detail"].(string)
		if !strings.HasSuffix(p["type"].(string), "/type-mismatch") || !strings.Contains(detail, "application/x-executable") ||
			!strings.Contains(detail, "application/pdf") {
			t.Fatalf("problem %s: want type-mismatch naming application/x-executable and application/pdf", r.Body)
		}
		t.Logf("confirm refused: %s", detail)
		for _, key := range []string{finalKey(u.Evidence.ID), objects.StagingKey(finalKey(u.Evidence.ID))} {
			if _, ok := stored(t, key); ok {
				t.Fatalf("the executable was kept under %s", key)
			}
		}
		assertPending(t, tm.applicant, appID, u.Evidence.ID)
		tm.applicant.must(204, "DELETE", evidence+"/"+u.Evidence.ID, nil)
	})

	t.Run("a real Word document is accepted", func(t *testing.T) {
		const docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		content := wordDocument(t)
		u := tm.applicant.declare(appID, "plan.docx", docxType, content, codes[2])
		put(t, u, content)
		var item structs.Evidence
		tm.applicant.must(200, "POST", evidence+"/"+u.Evidence.ID+"/confirm", nil).json(t, &item)
		if item.State != "confirmed" {
			t.Fatalf("docx item %+v", item)
		}
	})

	t.Run("the command line uploads through the signed link", func(t *testing.T) {
		dir := t.TempDir()
		good, bad := filepath.Join(dir, "minutes.pdf"), filepath.Join(dir, "tool.pdf")
		if err := os.WriteFile(good, pdf("minutes"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bad, elfBinary(), 0o644); err != nil {
			t.Fatal(err)
		}
		starter := func(file string) (int, string) {
			var out, errOut bytes.Buffer
			code := cli.Run(t.Context(), []string{"--api", shared.APIURL, "--token", "test-integrity-applicant",
				"upload", appID, file, "--standards", codes[0]}, &out, &errOut)
			return code, out.String() + errOut.String()
		}
		if code, out := starter(good); code != 0 || !strings.Contains(out, "confirmed") {
			t.Fatalf("starter upload: exit %d\n%s", code, out)
		}
		code, out := starter(bad)
		if code == 0 || !strings.Contains(out, "application/x-executable") || !strings.Contains(out, "removed") {
			t.Fatalf("starter upload of an executable named .pdf: exit %d\n%s", code, out)
		}
	})

	t.Run("unconfirmed uploads expire", func(t *testing.T) {
		days, err := shared.Objects.StagingExpiry(t.Context())
		if err != nil || days != 1 {
			t.Fatalf("bucket lifecycle expires staging after %d days (%v), want 1", days, err)
		}
		days, err = shared.Objects.UnconfirmedExpiry(t.Context())
		if err != nil || days != 1 {
			t.Fatalf("bucket lifecycle expires unconfirmed write-once uploads after %d days (%v), want 1", days, err)
		}
	})

	t.Run("declared files count towards the portfolio limit", func(t *testing.T) {
		// Eight declarations of 250 MB take 2000 of the 2048 MB a portfolio may hold; nothing is
		// uploaded, yet a ninth would take it over the limit.
		full := registered(t, tm.applicant, "INTEGRITY-FULL")
		fullCodes := bronzeStandards(t, tm.applicant, full)
		declareBig := func(i int) response {
			return tm.applicant.do("POST", "/v1/applications/"+full+"/evidence", map[string]any{
				"filename": fmt.Sprintf("film-%d.mp4", i), "size": award.DefaultMaxFileBytes, "content_type": "video/mp4",
				"sha256": strings.Repeat("ab", 32), "standards": fullCodes[:1]})
		}
		var first upload
		for i := range 8 {
			r := declareBig(i)
			if r.Status != 201 {
				t.Fatalf("declaration %d: %d %s", i, r.Status, r.Body)
			}
			if i == 0 {
				r.json(t, &first)
			}
		}
		r := declareBig(8)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "not yet confirmed") {
			t.Fatalf("a ninth 250 MB declaration: want 422 for the portfolio limit, got %d %s", r.Status, r.Body)
		}
		tm.applicant.must(204, "DELETE", "/v1/applications/"+full+"/evidence/"+first.Evidence.ID, nil)
		if r := declareBig(9); r.Status != 201 {
			t.Fatalf("after removing a declaration there is room again: %d %s", r.Status, r.Body)
		}
	})

	t.Run("no link changes what an assessor downloads, after confirm or after submission", func(t *testing.T) {
		content := pdf("original")
		u := tm.applicant.declare(appID, "original.pdf", "application/pdf", content, codes...)
		put(t, u, content)
		tm.applicant.must(200, "POST", evidence+"/"+u.Evidence.ID+"/confirm", nil)
		sum := sha256.Sum256(content)
		want := hex.EncodeToString(sum[:])

		forged := bytes.Clone(content)
		forged[10] ^= 1
		rePut := func(when string) {
			t.Helper()
			if status, body := tryPut(t, u, forged); !(status == 400 && strings.Contains(body, "XAmzContentChecksumMismatch")) && status != http.StatusPreconditionFailed {
				t.Fatalf("%s: re-PUT of other bytes to the old link: %d %s", when, status, body)
			}
			// The same bytes again are refused too: the link wrote its key once.
			if status, body := tryPut(t, u, content); status != http.StatusPreconditionFailed {
				t.Fatalf("%s: re-PUT of the same bytes: %d %s, want 412", when, status, body)
			}
			if _, ok := stored(t, objects.StagingKey(finalKey(u.Evidence.ID))); ok {
				t.Fatalf("%s: the re-PUT landed in staging", when)
			}
			if unconfirmed, err := shared.Objects.Unconfirmed(t.Context(), finalKey(u.Evidence.ID)); err != nil || unconfirmed {
				t.Fatalf("%s: the confirmed object is tagged unconfirmed again (%v)", when, err)
			}
			st, ok := stored(t, finalKey(u.Evidence.ID))
			if !ok || st.SHA256 != want {
				t.Fatalf("%s: the final object is %+v (found %v), want SHA-256 %s", when, st, ok, want)
			}
			var app application
			tm.applicant.must(200, "GET", "/v1/applications/"+appID, nil).json(t, &app)
			for _, e := range app.Evidence {
				if e.ID == u.Evidence.ID && e.SHA256 != want {
					t.Fatalf("%s: the API shows SHA-256 %s, want %s", when, e.SHA256, want)
				}
			}
		}
		rePut("after confirm")

		tm.applicant.must(200, "POST", "/v1/applications/"+appID+"/submit", map[string]any{"target_level": "bronze"})
		rePut("after submission")

		a := tm.waitStage(t, appID, "offered")
		holder := tm.assessor
		if a.Assessment.Offer.PersonID == tm.ids["other"] {
			holder = tm.other
		}
		holder.must(200, "POST", "/v1/applications/"+appID+"/offer/accept", nil)
		var link struct {
			URL string `json:"url"`
		}
		holder.must(200, "GET", evidence+"/"+u.Evidence.ID+"/download", nil).json(t, &link)
		if p := linkPath(t, link.URL); strings.Contains(p, "staging/") || !strings.HasSuffix(p, finalKey(u.Evidence.ID)) {
			t.Fatalf("the download link names %s, want the final key", p)
		}
		body := fetch(t, link.URL)
		got := sha256.Sum256(body)
		if !bytes.Equal(body, content) || hex.EncodeToString(got[:]) != want {
			t.Fatalf("the assessor downloads %q, want the confirmed upload", body[:min(len(body), 40)])
		}
	})
	// Write-once uploads, a retried confirm, a type refused at confirm, submission, an accepted
	// offer (evidence_staged.json is the same path through staging, from before write-once).
	captureHistory(t, appID, "evidence_write_once")
}

// linkPath is the object path a presigned link names.
func linkPath(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// elfBinary is the head of a 64-bit x86 Linux executable (a valid ELF header) and padding.
func elfBinary() []byte {
	b := make([]byte, 4096)
	copy(b, "\x7fELF\x02\x01\x01")
	binary.LittleEndian.PutUint16(b[16:], 2)  // e_type: executable
	binary.LittleEndian.PutUint16(b[18:], 62) // e_machine: x86-64
	binary.LittleEndian.PutUint32(b[20:], 1)  // e_version
	return b
}

// wordDocument builds a minimal Word document (Office Open XML) with archive/zip.
func wordDocument(t *testing.T) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
			`</Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
			`</Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
			`<w:body><w:p><w:r><w:t>Our wellbeing plan</w:t></w:r></w:p></w:body></w:document>`},
	} {
		fw, err := w.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
