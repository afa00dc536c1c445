package integration

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"awardengine/activities"
	"awardengine/storage/postgres"
)

// TestRetention erases a withdrawn application as the retention timer will six years after it
// closed: objects leave MinIO, evidence rows go, the setting and the applicant are anonymised,
// the application row stays for reports, and the audit trail says so once. A legal hold
// withholds the erasure; an object carried forward to another application stays.
func TestRetention(t *testing.T) {
	ctx := t.Context()
	db, store := shared.DB, shared.Objects
	pool := db.Pool()
	const tenant = "retention"
	// A tenant of its own with no assessors: submitted work just waits for allocation.
	if err := db.UpsertTenant(ctx, postgres.Tenant{ID: tenant, Name: "Retention Council", SenderEmail: "awards@retention.example",
		SenderName: "Retention awards", ReplyTo: "team@retention.example"}); err != nil {
		t.Fatal(err)
	}
	admin, err := db.UpsertPerson(ctx, postgres.Person{TenantID: tenant, Name: "Ari Admin", Email: "admin@retention.example",
		Roles: []string{postgres.RoleAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.StoreToken(ctx, admin.ID, "test", "test-retention-admin"); err != nil {
		t.Fatal(err)
	}
	adm := as(t, shared, "test-retention-admin")
	acts := &activities.Activities{DB: db, Objects: store}

	register := func(ref, setting, name, email string) string {
		t.Helper()
		var app application
		adm.must(201, "POST", "/v1/applications", map[string]any{
			"setting_reference": ref, "setting_name": setting, "track": "caring_schools", "variant": "primary",
			"applicant_name": name, "applicant_email": email,
		}).json(t, &app)
		return app.ID
	}
	withdraw := func(appID, reason string) {
		t.Helper()
		adm.must(200, "POST", "/v1/applications/"+appID+"/withdraw", map[string]any{"reason": reason})
		eventually(t, "the withdrawal in the projection", func() bool {
			var closed bool
			_ = pool.QueryRow(ctx, `SELECT closed_at IS NOT NULL AND NOT active FROM applications WHERE id=$1`, appID).Scan(&closed)
			return closed
		})
	}
	keysOf := func(appID string) []string {
		t.Helper()
		var keys []string
		rows, err := pool.Query(ctx, `SELECT object_key FROM evidence WHERE application_id=$1 ORDER BY object_key`, appID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k)
		}
		return keys
	}
	exists := func(key string) bool {
		t.Helper()
		ok, err := store.Exists(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	auditCount := func(appID, action string) int {
		return count(`SELECT count(*) FROM audit_log WHERE application_id=$1 AND action=$2`, appID, action)
	}

	// The first application: evidence for every bronze standard, submitted (so immutable), then withdrawn.
	first := register("RET-100", "Willow Court Nursery", "Wanda Willow", "wanda@retention.example")
	for _, code := range bronzeStandards(t, adm, first) {
		adm.uploadEvidence(first, code+".pdf", pdf("retention-"+code), code)
	}
	adm.must(200, "POST", "/v1/applications/"+first+"/submit", map[string]any{"target_level": "bronze"})
	firstKeys := keysOf(first)
	if len(firstKeys) < 2 {
		t.Fatalf("want at least two evidence objects, got %v", firstKeys)
	}

	// The second application (another setting and applicant), still open: it cannot be erased.
	second := register("RET-200", "Oak Lane Primary", "Olly Oak", "olly@retention.example")
	adm.uploadEvidence(second, "policy.pdf", pdf("retention-second"), bronzeStandards(t, adm, second)[0])
	_, err = acts.EraseApplication(ctx, activities.EraseInput{TenantID: tenant, ApplicationID: second, Seq: 1})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || !errors.Is(err, postgres.ErrNotClosed) {
		t.Fatalf("erasing an open application: %v", err)
	}
	// Evidence of the first application carried forward to the second by reference (submitted there).
	carried := firstKeys[0]
	if _, err := pool.Exec(ctx, `
		INSERT INTO evidence (id, application_id, tenant_id, object_key, filename, content_type, size_bytes, sha256, standards,
			state, immutable, created_by, submitted_at)
		SELECT 'ev-carried-' || $1, $1, tenant_id, object_key, filename, content_type, size_bytes, sha256, standards,
			'confirmed', true, created_by, now()
		FROM evidence WHERE application_id=$2 AND object_key=$3`, second, first, carried); err != nil {
		t.Fatal(err)
	}
	secondKeys := keysOf(second)

	withdraw(first, "Wanda Willow is leaving the nursery")
	withdraw(second, "merging with another school")

	// Without erasure's own setting, submitted evidence still cannot be deleted.
	if _, err := pool.Exec(ctx, `DELETE FROM evidence WHERE application_id=$1`, first); err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Fatalf("the database let submitted evidence be deleted: %v", err)
	}

	// A legal hold on the second: nothing is erased, and the trail says why (once a day).
	if err := db.SetLegalHold(ctx, tenant, second, true, "claim 2031/77"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		res, err := acts.EraseApplication(ctx, activities.EraseInput{TenantID: tenant, ApplicationID: second, Seq: 40})
		if err != nil || !res.Held || res.Objects != 0 || res.EvidenceRows != 0 {
			t.Fatalf("erasing under a legal hold: %+v %v", res, err)
		}
	}
	if n := auditCount(second, activities.ActionErasureWithheld); n != 1 {
		t.Fatalf("%d withheld lines, want 1", n)
	}
	if got := keysOf(second); len(got) != len(secondKeys) {
		t.Fatalf("evidence under a legal hold was deleted: %v", got)
	}
	for _, k := range secondKeys {
		if !exists(k) {
			t.Fatalf("object %s under a legal hold was deleted", k)
		}
	}

	// Erase the first application.
	res, err := acts.EraseApplication(ctx, activities.EraseInput{TenantID: tenant, ApplicationID: first, Seq: 41})
	if err != nil {
		t.Fatal(err)
	}
	// Every object but the carried one, plus the (never issued) certificate.
	want := activities.EraseResult{Objects: len(firstKeys) - 1 + 1, EvidenceRows: len(firstKeys)}
	if res != want {
		t.Fatalf("erasure: %+v, want %+v", res, want)
	}
	t.Logf("erased %s: %+v (kept %s, carried forward)", first, res, carried)
	for _, k := range firstKeys {
		if got := exists(k); got != (k == carried) {
			t.Fatalf("object %s: exists=%v after erasure (carried forward: %v)", k, got, k == carried)
		}
	}
	if n := count(`SELECT count(*) FROM evidence WHERE application_id=$1`, first); n != 0 {
		t.Fatalf("%d evidence rows left", n)
	}
	var settingName, reference, personName, email, track, stage, target string
	var erasedAt, submittedAt, closedAt *time.Time
	var personID string
	if err := pool.QueryRow(ctx, `
		SELECT s.name, s.reference, p.id, p.name, p.email, a.track, a.stage, COALESCE(a.target_level,''), a.erased_at, a.submitted_at, a.closed_at
		FROM applications a JOIN settings s ON s.id=a.setting_id JOIN people p ON p.id=a.applicant_id WHERE a.id=$1`, first).
		Scan(&settingName, &reference, &personID, &personName, &email, &track, &stage, &target, &erasedAt, &submittedAt, &closedAt); err != nil {
		t.Fatal(err)
	}
	if settingName != "erased" || reference != "erased-"+first {
		t.Fatalf("setting not anonymised: %q %q", settingName, reference)
	}
	if personName != "erased" || email != "erased-"+personID+"@invalid" {
		t.Fatalf("applicant not anonymised: %q %q", personName, email)
	}
	if _, err := db.PersonByEmail(ctx, tenant, "wanda@retention.example"); !errors.Is(err, postgres.ErrNotFound) {
		t.Fatalf("the applicant's address is still known: %v", err)
	}
	if erasedAt == nil || submittedAt == nil || closedAt == nil || track != "caring_schools" || stage != "withdrawn" || target != "bronze" {
		t.Fatalf("the anonymised record for reports: erased %v submitted %v closed %v %s %s %s", erasedAt, submittedAt, closedAt, track, stage, target)
	}
	if n := count(`SELECT count(*) FROM email_outbox WHERE application_id=$1 AND subject <> 'erased'`, first); n != 0 {
		t.Fatalf("%d outbox subjects left", n)
	}
	if n := auditCount(first, activities.ActionErased); n != 1 {
		t.Fatalf("%d erased lines, want 1", n)
	}
	// The other applicant and setting are untouched.
	if _, err := db.PersonByEmail(ctx, tenant, "olly@retention.example"); err != nil {
		t.Fatalf("the other applicant: %v", err)
	}

	// Again: nothing changes, the same result comes back.
	again, err := acts.EraseApplication(ctx, activities.EraseInput{TenantID: tenant, ApplicationID: first, Seq: 41})
	want.AlreadyErased = true
	if err != nil || again != want {
		t.Fatalf("second erasure: %+v %v, want %+v", again, err, want)
	}
	if n := auditCount(first, activities.ActionErased); n != 1 {
		t.Fatalf("%d erased lines after a retry, want 1", n)
	}
	if !exists(carried) {
		t.Fatal("the carried-forward object went on a retry")
	}
	// Erasure's permission ended with its transaction: the carried (submitted) row is still guarded.
	if _, err := pool.Exec(ctx, `DELETE FROM evidence WHERE application_id=$1`, second); err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Fatalf("the database let submitted evidence be deleted after an erasure: %v", err)
	}

	// Hold released: the second goes too, and with it the carried object (its first owner is erased).
	if err := db.SetLegalHold(ctx, tenant, second, false, ""); err != nil {
		t.Fatal(err)
	}
	res, err = acts.EraseApplication(ctx, activities.EraseInput{TenantID: tenant, ApplicationID: second, Seq: 42})
	if err != nil || res.Held || res.EvidenceRows != len(secondKeys) || res.Objects != len(secondKeys)+1 {
		t.Fatalf("erasing after the hold: %+v %v", res, err)
	}
	for _, k := range secondKeys {
		if exists(k) {
			t.Fatalf("object %s left after erasure", k)
		}
	}
}
