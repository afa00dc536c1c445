package integration

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"awardengine/award"
	"awardengine/starter/cli"
	"awardengine/storage/objects"
	"awardengine/structs"
)

// Several files declared in one request and confirmed in one, on the real stack (issue 16):
// each item gets its own signed write-once link to its key; a tampered upload is refused at
// confirm for that item alone (its bytes deleted, the item pending) while the others are
// confirmed where they were written; a batch with one invalid item, too many items or an unknown id
// is refused whole and changes nothing; the command line uploads several files the same way.
func TestEvidenceBatch(t *testing.T) {
	tm := newAwardTeam(t, "batchshire", 3)
	appID := registered(t, tm.applicant, "BATCH-1")
	codes := bronzeStandards(t, tm.applicant, appID)
	evidence := "/v1/applications/" + appID + "/evidence"
	finalKey := func(id string) string { return "tenants/batchshire/applications/" + appID + "/evidence/" + id }
	exists := func(t *testing.T, key string) bool {
		t.Helper()
		ok, err := shared.Objects.Exists(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	item := func(name string, content []byte, code string) map[string]any {
		sum := sha256.Sum256(content)
		return map[string]any{"filename": name, "size": len(content), "content_type": "application/pdf",
			"sha256": hex.EncodeToString(sum[:]), "standards": []string{code}}
	}

	t.Run("a batch with one bad item, too many items or an unknown id is refused whole", func(t *testing.T) {
		before := snapshot(t, tm.applicant, appID)
		bad := item("b.pdf", pdf("b"), codes[1])
		bad["sha256"] = "abc"
		r := tm.applicant.do("POST", evidence+"/batch", map[string]any{"items": []any{
			item("a.pdf", pdf("a"), codes[0]), item("c.pdf", pdf("c"), codes[2]), bad}})
		p := r.problem(t)
		errs, _ := p["errors"].([]any)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(p["detail"].(string), "items[2]: ") || len(errs) != 1 ||
			errs[0].(map[string]any)["field"] != "items[2]" {
			t.Fatalf("one bad item: want 422 naming items[2], got %d %s", r.Status, r.Body)
		}
		unknown := item("x.pdf", pdf("x"), codes[0])
		unknown["standards"] = []string{"ZZ9"}
		r = tm.applicant.do("POST", evidence+"/batch", map[string]any{"items": []any{item("a.pdf", pdf("a"), codes[0]), unknown}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"items[1].standards"`) {
			t.Fatalf("an unknown standard: want 422 naming items[1].standards, got %d %s", r.Status, r.Body)
		}
		ctrl := item("d\x1b[31m.pdf", pdf("d"), codes[0])
		r = tm.applicant.do("POST", evidence+"/batch", map[string]any{"items": []any{item("a.pdf", pdf("a"), codes[0]), ctrl}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `items[1].filename`) ||
			strings.Contains(string(r.Body), "\x1b") || strings.Contains(string(r.Body), `\u001b`) {
			t.Fatalf("a control character in an item's filename: want 422 naming items[1].filename without it, got %d %s", r.Status, r.Body)
		}
		var many []any
		for i := range 51 {
			many = append(many, item(fmt.Sprintf("f%d.pdf", i), pdf(fmt.Sprint(i)), codes[0]))
		}
		r = tm.applicant.do("POST", evidence+"/batch", map[string]any{"items": many})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "at most 50") {
			t.Fatalf("51 items: want 422, got %d %s", r.Status, r.Body)
		}
		var big []any // 9 × 250 MB: each fits alone, not all together
		for i := range 9 {
			big = append(big, map[string]any{"filename": fmt.Sprintf("film-%d.mp4", i), "size": award.DefaultMaxFileBytes,
				"content_type": "video/mp4", "sha256": strings.Repeat("ab", 32), "standards": codes[:1]})
		}
		r = tm.applicant.do("POST", evidence+"/batch", map[string]any{"items": big})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "items[8]") ||
			!strings.Contains(string(r.Body), "over its limit") {
			t.Fatalf("a batch over the portfolio limit: want 422 naming items[8], got %d %s", r.Status, r.Body)
		}
		tm.applicant.must(422, "POST", evidence+"/batch", map[string]any{"items": []any{}})
		r = tm.applicant.do("POST", evidence+"/batch/confirm", map[string]any{"evidence_ids": []string{"ev_nosuchitem"}})
		if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "items[0]") {
			t.Fatalf("an unknown id: want 404 naming items[0], got %d %s", r.Status, r.Body)
		}
		as(t, shared, "test-batchshire-assessor").must(404, "POST", evidence+"/batch", map[string]any{"items": []any{item("a.pdf", pdf("a"), codes[0])}})
		if after := snapshot(t, tm.applicant, appID); after != before {
			t.Fatalf("a refused batch changed the application:\nbefore %s\nafter  %s", before, after)
		}
	})

	t.Run("declared in one request, confirmed in one, a tampered upload refused alone", func(t *testing.T) {
		const n = 5
		var contents [][]byte
		var items []any
		for i := range n {
			c := pdf(fmt.Sprintf("batch-%d", i))
			contents = append(contents, c)
			items = append(items, item(fmt.Sprintf("batch-%d.pdf", i), c, codes[i]))
		}
		var created structs.EvidenceBatchCreated
		tm.applicant.must(201, "POST", evidence+"/batch", map[string]any{"items": items}).json(t, &created)
		if len(created.Items) != n {
			t.Fatalf("declared %d items, want %d", len(created.Items), n)
		}
		var ids []string
		for i, u := range created.Items {
			if u.Evidence.State != "pending" || u.Evidence.Filename != fmt.Sprintf("batch-%d.pdf", i) ||
				!strings.HasSuffix(linkPath(t, u.Upload.URL), "/"+finalKey(u.Evidence.ID)) || strings.Contains(linkPath(t, u.Upload.URL), "staging/") {
				t.Fatalf("item %d: %+v", i, u)
			}
			ids = append(ids, u.Evidence.ID)
		}
		const tampered = 2
		for i, u := range created.Items {
			if i != tampered {
				put(t, u, contents[i])
				continue
			}
			// Other bytes of the declared size, written behind the link's back to the staging
			// key (where a web form's upload is copied), which confirm checks first.
			other := bytes.Clone(contents[i])
			other[len(other)-8] ^= 1
			if err := shared.Objects.Put(t.Context(), objects.StagingKey(finalKey(u.Evidence.ID)), "application/pdf",
				bytes.NewReader(other), int64(len(other))); err != nil {
				t.Fatal(err)
			}
		}
		var res structs.EvidenceBatchConfirmed
		tm.applicant.must(200, "POST", evidence+"/batch/confirm", map[string]any{"evidence_ids": ids}).json(t, &res)
		if res.Confirmed != n-1 || res.Refused != 1 || len(res.Items) != n {
			t.Fatalf("confirmed %d, refused %d of %d items: %+v", res.Confirmed, res.Refused, len(res.Items), res)
		}
		for i, c := range res.Items {
			id := ids[i]
			if c.Evidence.ID != id {
				t.Fatalf("item %d is %s, want %s (the order asked)", i, c.Evidence.ID, id)
			}
			if i == tampered {
				if c.Confirmed || c.Problem == nil || !strings.HasSuffix(c.Problem.Type, "/checksum-mismatch") ||
					c.Problem.Status != http.StatusUnprocessableEntity || c.Evidence.State != "pending" {
					t.Fatalf("the tampered item: %+v (problem %+v)", c, c.Problem)
				}
				t.Logf("tampered item refused: %s", c.Problem.Detail)
				if exists(t, objects.StagingKey(finalKey(id))) || exists(t, finalKey(id)) {
					t.Fatal("the tampered bytes were kept")
				}
				assertPending(t, tm.applicant, appID, id)
				continue
			}
			if !c.Confirmed || c.Problem != nil || c.Evidence.State != "confirmed" {
				t.Fatalf("item %d: %+v (problem %+v)", i, c, c.Problem)
			}
			st, err := shared.Objects.Stat(t.Context(), finalKey(id))
			if err != nil || st.Size != int64(len(contents[i])) {
				t.Fatalf("item %d's final object: %+v, %v", i, st, err)
			}
			if exists(t, objects.StagingKey(finalKey(id))) {
				t.Fatalf("item %d: confirm left the staging object behind", i)
			}
		}
		// The right bytes through the link, then the whole batch again: the confirmed items are
		// answered as they are, the other one confirmed now.
		put(t, created.Items[tampered], contents[tampered])
		tm.applicant.must(200, "POST", evidence+"/batch/confirm", map[string]any{"evidence_ids": ids}).json(t, &res)
		if res.Confirmed != n || res.Refused != 0 {
			t.Fatalf("the batch again: %+v", res)
		}
		var app application
		tm.applicant.must(200, "GET", "/v1/applications/"+appID, nil).json(t, &app)
		confirmed := 0
		for _, e := range app.Evidence {
			if e.State == "confirmed" {
				confirmed++
			}
		}
		if confirmed != n {
			t.Fatalf("the application shows %d confirmed items, want %d: %+v", confirmed, n, app.Evidence)
		}
		if got := countRows(t, `SELECT count(*) FROM audit_log WHERE application_id = $1 AND action = 'evidence_confirmed'`, appID); got != n {
			t.Fatalf("%d evidence_confirmed audit lines, want %d", got, n)
		}
	})

	t.Run("the command line uploads several files in one declare and one confirm", func(t *testing.T) {
		dir := t.TempDir()
		var files []string
		for _, name := range []string{"minutes.pdf", "policy.pdf", "tool.pdf"} {
			content := pdf(name)
			if name == "tool.pdf" {
				content = elfBinary()
			}
			file := filepath.Join(dir, name)
			if err := os.WriteFile(file, content, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, file)
		}
		var out, errOut bytes.Buffer
		code := cli.Run(t.Context(), append(append([]string{"--api", shared.APIURL, "--token", "test-batchshire-applicant",
			"upload", appID}, files...), "--standards", codes[len(codes)-1]), &out, &errOut)
		text := out.String() + errOut.String()
		if code == 0 || strings.Count(out.String(), "(confirmed)") != 2 || !strings.Contains(text, "1 of 3 files were not uploaded") ||
			!strings.Contains(text, "application/x-executable") || !strings.Contains(text, "removed") {
			t.Fatalf("starter upload of three files, one an executable named .pdf: exit %d\n%s", code, text)
		}
		t.Logf("starter upload:\n%s", text)
	})
}
