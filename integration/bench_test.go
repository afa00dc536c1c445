package integration

import (
	"fmt"
	"testing"
	"time"
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
