package integration

import (
	"fmt"
	"testing"
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
