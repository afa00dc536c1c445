package integration

import (
	"fmt"
	"testing"
	"time"

	"awardengine/storage/postgres"
)

// BenchmarkRecord13 times one journey step of a 13-file batch as the projection writes it
// (postgres.DB.Record: 13 evidence rows, the application's row, 13 audit lines, in one
// transaction) on the stack's PostgreSQL: every Update-backed action waits for its step's
// Record (issue 16). Each step declares 13 new files, as declare13 does.
//
//	go test ./integration -run '^$' -bench Record13 -benchtime 200x -count=3
func BenchmarkRecord13(b *testing.B) {
	applicant := as(b, shared, "demo-northshire-applicant2")
	var app application
	applicant.must(201, "POST", "/v1/applications", map[string]any{"setting_reference": fmt.Sprintf("BENCH-RECORD-%d", time.Now().UnixNano()),
		"setting_name": "Bench record", "track": "caring_schools", "variant": "special"}).json(b, &app)
	tenant := app.TenantID
	const files = 13
	run := time.Now().UnixNano()
	change := func(i int) postgres.Change {
		now := time.Now().UTC()
		c := postgres.Change{Projection: &postgres.Projection{ApplicationID: app.ID, TenantID: tenant,
			Seq: 1_000_000 + int64(i), Stage: "portfolio", Active: true, NextAction: "add evidence", NextWho: "applicant", At: now}}
		for f := range files {
			id := fmt.Sprintf("ev_bench%d_%d_%d", run, i, f)
			c.Evidence = append(c.Evidence, postgres.Evidence{ID: id, ApplicationID: app.ID, TenantID: tenant,
				ObjectKey: "bench/" + id, Filename: fmt.Sprintf("plan-%d.pdf", f), ContentType: "application/pdf", Size: 1000,
				SHA256: fmt.Sprintf("%064d", f), Standards: []string{"LD1"}, State: "pending", CreatedBy: "bench", CreatedAt: now})
			c.Audit = append(c.Audit, postgres.AuditEntry{TenantID: tenant, ApplicationID: app.ID, Actor: "bench",
				Action: "evidence_declared", Detail: map[string]any{"evidence": id}, DedupeKey: fmt.Sprintf("bench/%d/%d/%d", run, i, f), At: now})
		}
		return c
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := change(i)
		start := time.Now()
		if err := shared.DB.Record(b.Context(), c); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(ms(pct(lat, 50)), "record13-p50-ms")
	b.ReportMetric(ms(pct(lat, 99)), "record13-p99-ms")
}
