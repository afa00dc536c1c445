package integration

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"awardengine/award"
)

// BenchmarkRegister measures registering an application through the API on the real stack
// (PostgreSQL transaction, workflow start, first workflow task, status query).
func BenchmarkRegister(b *testing.B) {
	admin := as(b, shared, "demo-northshire-admin")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := admin.do("POST", "/v1/applications", map[string]any{
			"setting_reference": fmt.Sprintf("BENCH-%d-%d", b.N, i), "setting_name": "Bench school",
			"track": "caring_schools", "variant": "primary",
			"applicant_name": "Bench Applicant", "applicant_email": fmt.Sprintf("bench%d-%d@northshire.example", b.N, i),
		})
		if r.Status != 201 {
			b.Fatalf("register: %d %s", r.Status, r.Body)
		}
	}
}

// BenchmarkStatus measures "where is my application" (access check in PostgreSQL plus a
// workflow query).
func BenchmarkStatus(b *testing.B) {
	applicant := as(b, shared, "demo-northshire-applicant2")
	var app application
	r := applicant.do("POST", "/v1/applications", map[string]any{
		"setting_reference": fmt.Sprintf("BENCH-STATUS-%d", b.N), "setting_name": "Bench", "track": "caring_schools", "variant": "special"})
	if r.Status != 201 {
		b.Fatalf("register: %d %s", r.Status, r.Body)
	}
	r.json(b, &app)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := applicant.do("GET", "/v1/applications/"+app.ID, nil); r.Status != 200 {
			b.Fatalf("status: %d %s", r.Status, r.Body)
		}
	}
}

// BenchmarkStuckList50k measures the PostgreSQL part of the admins' stuck list
// (StuckFromProjection: one query) for a tenant of 50,000 applications with a realistic mix of
// overdue, flagged, bounced and failing ones (loadStuckBench in stuck_test.go).
func BenchmarkStuckList50k(b *testing.B) {
	now := time.Now()
	rows := loadStuckBench(b, now)
	var entries int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		list, err := shared.DB.StuckFromProjection(b.Context(), stuckBenchTenant, now)
		if err != nil {
			b.Fatal(err)
		}
		entries = len(list)
	}
	b.StopTimer()
	if entries == 0 {
		b.Fatal("nothing stuck among the bench's applications")
	}
	b.ReportMetric(float64(rows), "applications")
	b.ReportMetric(float64(entries), "entries")
}

// BenchmarkEvidenceUpload64MB compares the product's upload path for a 64 MiB file (declare,
// PUT to the presigned write-once link, confirm: the store's checksum from a HEAD, a 64 KiB
// sniff and the removal of the unconfirmed tag; no copy) with a raw PutObject of the same
// bytes, and reports the product's speed relative to the raw one (1.0 = as fast). The
// client's SHA-256 of its file is computed once, outside.
//
//	go test ./integration -run '^$' -bench EvidenceUpload64MB -benchtime 5x -count=3
func BenchmarkEvidenceUpload64MB(b *testing.B) {
	const size = 64 << 20
	content := make([]byte, size)
	if _, err := rand.Read(content); err != nil {
		b.Fatal(err)
	}
	copy(content, "%PDF-1.7\n")
	sum := sha256.Sum256(content)
	applicant := as(b, shared, "demo-northshire-applicant2")
	var app application
	applicant.must(201, "POST", "/v1/applications", map[string]any{"setting_reference": fmt.Sprintf("BENCH-UPLOAD-%d-%d", b.N, time.Now().UnixNano()),
		"setting_name": "Bench upload", "track": "caring_schools", "variant": "special"}).json(b, &app)
	var fw award.Framework
	applicant.must(200, "GET", "/v1/applications/"+app.ID+"/framework", nil).json(b, &fw)
	evidence := "/v1/applications/" + app.ID + "/evidence"

	var product, raw time.Duration
	b.SetBytes(2 * size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		var u upload
		applicant.must(201, "POST", evidence, map[string]any{"filename": "film.pdf", "size": size, "content_type": "application/pdf",
			"sha256": hex.EncodeToString(sum[:]), "standards": []string{fw.Standards()[0].Code}}).json(b, &u)
		put(b, u, content)
		applicant.must(200, "POST", evidence+"/"+u.Evidence.ID+"/confirm", nil)
		product += time.Since(start)

		start = time.Now()
		if err := shared.Objects.Put(b.Context(), fmt.Sprintf("bench/raw-%d", i), "application/pdf", bytes.NewReader(content), size); err != nil {
			b.Fatal(err)
		}
		raw += time.Since(start)

		b.StopTimer() // room in the portfolio for the next round
		applicant.must(204, "DELETE", evidence+"/"+u.Evidence.ID, nil)
		_ = shared.Objects.Delete(b.Context(), fmt.Sprintf("bench/raw-%d", i))
		b.StartTimer()
	}
	b.StopTimer()
	mbps := func(d time.Duration) float64 { return float64(size) * float64(b.N) / d.Seconds() / (1 << 20) }
	b.ReportMetric(mbps(product), "product-MiB/s")
	b.ReportMetric(mbps(raw), "raw-MiB/s")
	b.ReportMetric(raw.Seconds()/product.Seconds(), "product/raw")
}
