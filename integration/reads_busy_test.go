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
)

// What the assessor's reads cost while their application's journey is busy (issue 16: reads
// never wait on a busy workflow): the status, an evidence link and the inbox, idle and while the
// worker is kept busy by 16 people registering at once and the journey by 8 draft saves at
// once. BenchmarkReadsWhileBusy prints the figures in `make bench`; the test prints them with
// READS_BUSY=1 (a measurement, not a check):
//
//	READS_BUSY=1 go test ./integration -run TestReadsWhileTheJourneyIsBusy -count=1 -v
//	go test ./integration -run '^$' -bench BenchmarkReadsWhileBusy
func TestReadsWhileTheJourneyIsBusy(t *testing.T) {
	if os.Getenv("READS_BUSY") == "" {
		t.Skip("a measurement: READS_BUSY=1 runs it")
	}
	readsWhileBusy(t, "busyshire")
}

func BenchmarkReadsWhileBusy(b *testing.B) {
	var figures map[string]float64
	for i := 0; i < b.N; i++ {
		figures = readsWhileBusy(b, fmt.Sprintf("busybench%d%d", b.N, i))
	}
	b.ReportMetric(0, "ns/op")
	for k, v := range figures {
		b.ReportMetric(v, k)
	}
}

// readsWhileBusy runs the measurement in a tenant of its own and answers its figures: p95 of
// each read while busy (ms), and the share of busy status reads answered from the projection.
func readsWhileBusy(t testing.TB, tenant string) map[string]float64 {
	tm := newAwardTeam(t, tenant, 3)
	appID, codes, evidenceID := tm.submittedSilver(t, "BUSY-1", "Busy Primary")
	a := tm.waitStage(t, appID, "offered")
	holder := tm.holderOf(t, a)
	holder.must(200, "POST", "/v1/applications/"+appID+"/offer/accept", nil)
	tm.waitStage(t, appID, "assessment")

	reads := []struct{ name, metric, path string }{
		{"status", "status-p95-ms", "/v1/applications/" + appID},
		{"evidence link", "link-p95-ms", "/v1/applications/" + appID + "/evidence/" + evidenceID + "/download"},
		{"inbox", "inbox-p95-ms", "/v1/assignments"},
	}
	figures := map[string]float64{}
	measure := func(label string, rounds int) {
		took := make([][]time.Duration, len(reads))
		projected, refused := 0, 0
		for range rounds {
			for i, r := range reads {
				start := time.Now()
				resp := holder.do("GET", r.path, nil)
				took[i] = append(took[i], time.Since(start))
				if resp.Status != 200 {
					refused++
					t.Logf("%s %s: %d %s after %v", label, r.name, resp.Status, resp.Body, took[i][len(took[i])-1])
				}
				if i == 0 && strings.Contains(string(resp.Body), `"source":"projection"`) {
					projected++
				}
			}
		}
		for i, r := range reads {
			d := took[i]
			slices.Sort(d)
			p95 := d[len(d)*95/100]
			t.Logf("%-5s %-14s n=%d p50=%v p95=%v max=%v", label, r.name, len(d), d[len(d)/2].Round(time.Millisecond),
				p95.Round(time.Millisecond), d[len(d)-1].Round(time.Millisecond))
			figures[label+"-"+r.metric] = float64(p95.Microseconds()) / 1000
		}
		t.Logf("%-5s status answered from the projection: %d of %d; reads refused: %d", label, projected, rounds, refused)
		figures[label+"-projected-%"] = float64(100 * projected / rounds)
		figures[label+"-refused"] = float64(refused)
	}
	measure("idle", 40)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var updates, registered atomic.Int64
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
					"variant": "primary", "applicant_name": "Load Applicant",
					"applicant_email": fmt.Sprintf("load%d-%d@%s.example", g, i, tenant)})
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
	return figures
}
