package integration

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"awardengine/award"
)

// TestReadsWhileTheJourneyIsBusy measures what the assessor's reads cost while their
// application's journey is kept busy by a stream of updates (8 people saving draft ratings at
// once): the status, an evidence link and the inbox (issue 16: reads never wait on a busy
// workflow). A measurement, not a check: it runs only with READS_BUSY=1 and prints p50, p95 and
// max per read, and how many status answers came from the projection.
//
//	READS_BUSY=1 go test ./integration -run TestReadsWhileTheJourneyIsBusy -count=1 -v
func TestReadsWhileTheJourneyIsBusy(t *testing.T) {
	if os.Getenv("READS_BUSY") == "" {
		t.Skip("a measurement: READS_BUSY=1 runs it")
	}
	tm := newAwardTeam(t, "busyshire", 3)
	appID, codes := tm.portfolio(t, "BUSY-1", "Busy Primary", award.Silver)
	tm.applicant.must(200, "POST", "/v1/applications/"+appID+"/submit", map[string]any{"target_level": "silver"})
	var full struct {
		Evidence []struct {
			ID string `json:"id"`
		} `json:"evidence"`
	}
	tm.applicant.must(200, "GET", "/v1/applications/"+appID, nil).json(t, &full)
	a := tm.waitStage(t, appID, "offered")
	holder := tm.holderOf(t, a)
	holder.must(200, "POST", "/v1/applications/"+appID+"/offer/accept", nil)
	tm.waitStage(t, appID, "assessment")

	reads := []struct{ name, path string }{
		{"status", "/v1/applications/" + appID},
		{"evidence link", "/v1/applications/" + appID + "/evidence/" + full.Evidence[0].ID + "/download"},
		{"inbox", "/v1/assignments"},
	}
	measure := func(label string, rounds int) {
		took := make([][]time.Duration, len(reads))
		projected := 0
		for range rounds {
			for i, r := range reads {
				start := time.Now()
				resp := holder.do("GET", r.path, nil)
				took[i] = append(took[i], time.Since(start))
				if resp.Status != 200 {
					t.Errorf("%s: %d %s after %v", r.name, resp.Status, resp.Body, took[i][len(took[i])-1])
				}
				if i == 0 && strings.Contains(string(resp.Body), `"source":"projection"`) {
					projected++
				}
			}
		}
		for i, r := range reads {
			d := took[i]
			slices.Sort(d)
			t.Logf("%-5s %-14s n=%d p50=%v p95=%v max=%v", label, r.name, len(d), d[len(d)/2].Round(time.Millisecond),
				d[len(d)*95/100].Round(time.Millisecond), d[len(d)-1].Round(time.Millisecond))
		}
		t.Logf("%-5s status answered from the projection: %d of %d", label, projected, rounds)
	}
	measure("idle", 40)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var updates atomic.Int64
	// The worker busy with other journeys starting (16 people registering at once), and this
	// journey with drafts saved (8 at once).
	var registered atomic.Int64
	for g := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				tm.adm.do("POST", "/v1/applications", map[string]any{
					"setting_reference": fmt.Sprintf("BUSY-LOAD-%d-%d", g, i), "setting_name": "Load", "track": "caring_schools",
					"variant": "primary", "applicant_name": "Load Applicant", "applicant_email": fmt.Sprintf("load%d-%d@busyshire.example", g, i)})
				registered.Add(1)
			}
		})
	}
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				holder.do("PUT", "/v1/applications/"+appID+"/assessment", map[string]any{
					"ratings": ratingsAll(codes, "silver"), "feedback": "draft"})
				updates.Add(1)
			}
		})
	}
	time.Sleep(3 * time.Second)
	start := time.Now()
	measure("busy", 40)
	close(stop)
	wg.Wait()
	t.Logf("busy: %d draft updates and %d registrations in %v", updates.Load(), registered.Load(), time.Since(start).Round(time.Millisecond))
}
