package integration

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"awardengine/award"
	"awardengine/storage/postgres"
)

// Issue 16, lever 7 "Scale": 50,000 journeys asleep in their stages, the pages people open
// every day answering while they sleep, and 1,000 reminders falling due in the same minute.
//
//	go test ./integration -run '^$' -bench Scale50k -benchtime 1x -count=1 -timeout 90m -v
//
// SCALE_JOURNEYS lowers the number of journeys for a quick try (SCALE_JOURNEYS=2000); the
// reminder burst keeps its 1,000 unless SCALE_REMINDERS says otherwise. SCALE_SEED_MINUTES
// stops registering after that many minutes and goes on with the journeys registered by then
// (the "journeys" metric says how many).
//
// Every journey is a real one, registered through the API as its applicant would (the
// application row, the journey_starts outbox and the journey's start, as services/applications
// does it), 64 registrations at a time. The mix, as a big authority's would be after a while:
// most journeys wait in the toolkit for their applicant; one in 20 had its toolkit opened;
// one in 100 is a first-year foster carer approved 13 months ago, overdue at once (the admins'
// stuck list); one in 252 (a primary school: the assessors have no specialism) is submitted with its 13 files and offered to one of five assessors,
// and half of those offers are accepted (the assessors' inboxes). The pages are then read
// one request at a time by the authority's people: the applicant's home (/applications), the
// assessor's inbox (/assess), the admins' stuck list (/admin/stuck), the report of the
// financial year (/admin/reports and its CSV), and the API's lists beside them.
func BenchmarkScale50k(b *testing.B) {
	n := envInt(b, "SCALE_JOURNEYS", 50000)
	reminders := envInt(b, "SCALE_REMINDERS", 1000)
	sc := seedScale(b, n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sc.measurePages(b)
	}
	b.StopTimer()
	for _, m := range seedMetrics { // reported here: b.ResetTimer forgets metrics reported before it
		b.ReportMetric(m.v, m.unit)
	}
	if reminders > 0 {
		reminderBurst(b, reminders)
	}
	b.ReportMetric(float64(rssKB()/1024), "rss-after-MiB")
}

const scaleTenant = "scaleshire"

// scale is the seeded tenant: its people and what seeding took.
type scale struct {
	admin                  *client
	adminWeb, assessorWeb  *http.Client
	applicantWeb           *http.Client
	applicant, assessor    *client
	applicantApps, inboxOf int
}

var (
	scaleOnce sync.Once
	scaleDone *scale
)

// seedScale seeds the tenant once per process (the benchmark may be called more than once).
func seedScale(b *testing.B, n int) *scale {
	scaleOnce.Do(func() { scaleDone = seedScaleOnce(b, n) })
	if scaleDone == nil {
		b.Fatal("seeding failed in an earlier call")
	}
	return scaleDone
}

func seedScaleOnce(b *testing.B, n int) *scale {
	ctx := b.Context()
	db := shared.DB
	if err := db.UpsertTenant(ctx, postgres.Tenant{ID: scaleTenant, Name: "Scaleshire County Council",
		SenderEmail: "awards@scaleshire.example", SenderName: "Scaleshire awards", ReplyTo: "team@scaleshire.example"}); err != nil {
		b.Fatal(err)
	}
	// One applicant for every 10 applications (a school group, a fostering household with
	// several settings): 5,000 applicants for 50,000 journeys.
	applicants := max(n/10, 1)
	people := time.Now()
	apps := make([]*client, applicants)
	parallelN(16, applicants, func(i int) {
		apps[i] = scalePerson(b, fmt.Sprintf("applicant%d", i), postgres.RoleApplicant)
	})
	const assessorCount = 5
	assessors := map[string]*client{}
	var assessorIDs []string
	admin := scalePerson(b, "admin", postgres.RoleAdmin)
	for i := range assessorCount {
		key := fmt.Sprintf("assessor%d", i)
		c := scalePerson(b, key, postgres.RoleAssessor)
		id := scaleIDs[key]
		assessors[id] = c
		assessorIDs = append(assessorIDs, id)
		admin.must(200, "PUT", "/v1/roster/"+id, map[string]any{"tracks": []string{"caring_schools"}, "specialisms": []string{},
			"capacity": 100, "active": true})
	}
	b.Logf("scale: %d applicants and %d assessors made in %s", applicants, assessorCount, time.Since(people).Round(time.Millisecond))

	// Registration, 64 at a time, as each applicant would.
	rssBefore := rssKB()
	ids := make([]string, n)
	var refused, late atomic.Int64
	var mu sync.Mutex
	var regLat []time.Duration
	approval := time.Now().AddDate(-1, -1, 0).Format(time.DateOnly)
	variants := []string{"primary", "secondary", "special", "early_years_setting"}
	start := time.Now()
	var done atomic.Int64
	stopProgress := progress(b, "registered", &done, n, nil)
	limit := time.Duration(envInt(b, "SCALE_SEED_MINUTES", 0)) * time.Minute
	parallelN(64, n, func(i int) {
		if limit > 0 && time.Since(start) > limit {
			return
		}
		body := map[string]any{"setting_reference": fmt.Sprintf("SCALE-%d", i), "setting_name": fmt.Sprintf("Scale Setting %d", i),
			"track": "caring_schools", "variant": variants[i%len(variants)]}
		if i%100 == 50 {
			body = map[string]any{"setting_reference": fmt.Sprintf("SCALE-FY-%d", i), "setting_name": fmt.Sprintf("Scale Household %d", i),
				"track": "learning_homes", "variant": "first_year_foster", "approval_date": approval}
		}
		t0 := time.Now()
		r := apps[i%applicants].do("POST", "/v1/applications", body)
		d := time.Since(t0)
		done.Add(1)
		switch r.Status {
		case 201:
		case 202:
			late.Add(1) // registered; the sweeper starts the journey
		default:
			refused.Add(1)
			b.Logf("register %d: %d %s", i, r.Status, r.Body)
			return
		}
		var a application
		r.json(b, &a)
		ids[i] = a.ID
		mu.Lock()
		regLat = append(regLat, d)
		mu.Unlock()
	})
	stopProgress()
	seeding := time.Since(start)
	registered := len(regLat)
	b.Logf("scale: %d registrations of %d in %s (%.1f/s), %d refused, %d started late; load %s", registered, n, seeding.Round(time.Second),
		float64(registered)/seeding.Seconds(), refused.Load(), late.Load(), loadavg())

	// The API answers a registration before the journey's first workflow task (issue 16): the
	// journey is asleep once that task has run and its first step is recorded (seq 1 in the
	// projection). Wait for all of them: that, not the API's answers, is the seeding rate.
	var asleep int64
	stopProgress = progress(b, "asleep", (*atomic.Int64)(nil), registered, func() int64 { return atomic.LoadInt64(&asleep) })
	for {
		var k int
		if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM applications WHERE tenant_id=$1 AND seq >= 1`, scaleTenant).Scan(&k); err != nil {
			b.Fatal(err)
		}
		atomic.StoreInt64(&asleep, int64(k))
		if k >= registered {
			break
		}
		time.Sleep(2 * time.Second)
	}
	stopProgress()
	settled := time.Since(start)
	b.Logf("scale: %d journeys asleep %s after the first registration (%.1f/s); load %s", registered, settled.Round(time.Second),
		float64(registered)/settled.Seconds(), loadavg())

	// Toolkits opened: one in 20 (an Update each).
	t0 := time.Now()
	var opened, openFailed atomic.Int64
	parallelN(32, n, func(i int) {
		if i%20 != 7 || ids[i] == "" {
			return
		}
		if r := apps[i%applicants].do("GET", "/v1/applications/"+ids[i]+"/toolkit", nil); r.Status == 200 {
			opened.Add(1)
		} else {
			openFailed.Add(1)
		}
	})
	toolkits := time.Since(t0)

	// Submitted and offered: one in 252, batched evidence (13 files) then submit; half accepted.
	// Primary schools only (i%4 == 0): early-years and special settings need an assessor with
	// that specialism, and these five have none.
	t0 = time.Now()
	var submitted, accepted atomic.Int64
	var soft softFailures
	var subIDs []string
	for i := 4; i < n; i += 252 {
		if ids[i] != "" {
			subIDs = append(subIDs, ids[i])
		}
	}
	var codes []string
	if len(subIDs) > 0 {
		var fw award.Framework
		admin.must(200, "GET", "/v1/applications/"+subIDs[0]+"/framework", nil).json(b, &fw)
		for _, s := range fw.StandardsFor(award.Bronze) {
			codes = append(codes, s.Code)
		}
	}
	parallelN(16, len(subIDs), func(k int) {
		tb := soft.tb(b)
		i := 4 + 252*k
		appl := &client{t: tb, base: shared.APIURL, token: apps[i%applicants].token}
		tm := &benchTeam{applicant: appl, admin: &client{t: tb, base: shared.APIURL, token: admin.token}}
		ref := fmt.Sprintf("SCALE-%d", i)
		tm.batchedEvidence(tb, subIDs[k], ref, codes, func(_ string, f func()) { f() })
		appl.must(200, "POST", "/v1/applications/"+subIDs[k]+"/submit", map[string]any{"target_level": "bronze"})
		submitted.Add(1)
		if k%2 == 1 {
			return
		}
		st := tm.waitFor(tb, subIDs[k], func(s benchStatus) bool { return s.Stage == "offered" && s.Assessment.Offer != nil })
		holder := assessors[st.Assessment.Offer.PersonID]
		if holder == nil {
			tb.Fatalf("offered to %q, not to a scale assessor", st.Assessment.Offer.PersonID)
		}
		(&client{t: tb, base: shared.APIURL, token: holder.token}).must(200, "POST", "/v1/applications/"+subIDs[k]+"/offer/accept", nil)
		accepted.Add(1)
	})
	advance := time.Since(t0)
	for _, m := range soft.list() {
		b.Logf("advancing a journey: %s", m)
	}
	total := time.Since(start)
	b.Logf("scale: %d toolkits opened (%d failed) in %s; %d submitted, %d accepted in %s; seeding %s in all; load %s",
		opened.Load(), openFailed.Load(), toolkits.Round(time.Second), submitted.Load(), accepted.Load(), advance.Round(time.Second),
		total.Round(time.Second), loadavg())

	// How the server held: journeys not started, workflow tasks failing (the stuck list's own
	// detection), the process's memory.
	var owed, failingTasks, rows int
	_ = db.Pool().QueryRow(ctx, `SELECT count(*) FROM journey_starts WHERE tenant_id=$1 AND started_at IS NULL`, scaleTenant).Scan(&owed)
	_ = db.Pool().QueryRow(ctx, `SELECT count(*) FROM applications WHERE tenant_id=$1`, scaleTenant).Scan(&rows)
	stuck := map[string]int{}
	var sd stuckDoc
	admin.must(200, "GET", "/v1/admin/stuck", nil).json(b, &sd)
	for _, e := range sd.Stuck {
		stuck[e.Reason]++
	}
	failingTasks = stuck["workflow_task_failing"]
	b.Logf("scale: %d applications in the projection, %d journeys not yet started, stuck list %v", rows, owed, stuck)

	seedMetric(float64(rows), "journeys")
	seedMetric(seeding.Seconds(), "register-s")
	seedMetric(float64(registered)/seeding.Seconds(), "registered/s")
	seedMetric(settled.Seconds(), "asleep-s")
	seedMetric(float64(registered)/settled.Seconds(), "asleep/s")
	seedMetric(total.Seconds(), "seeding-s")
	if len(regLat) > 0 {
		seedMetric(ms(pct(regLat, 50)), "register-p50-ms")
		seedMetric(ms(pct(regLat, 99)), "register-p99-ms")
	}
	seedMetric(float64(refused.Load()+openFailed.Load()+int64(len(soft.list()))), "failed-seeding-steps")
	seedMetric(float64(late.Load()+int64(owed)), "late-starts")
	seedMetric(float64(failingTasks), "workflow-tasks-failing")
	seedMetric(float64(rssBefore/1024), "rss-before-MiB")
	seedMetric(float64(rssKB()/1024), "rss-seeded-MiB")

	// The people who read the pages: the applicant of applications 0, 10, 20, …; the assessor
	// with the most on their inbox; the admin.
	sc := &scale{admin: admin, applicant: apps[0]}
	for _, a := range apps {
		a.t = b
	}
	for i := 0; i < n; i += applicants {
		sc.applicantApps++
	}
	var doc struct {
		Assignments []any `json:"assignments"`
	}
	for _, id := range assessorIDs {
		c := assessors[id]
		c.t = b
		c.must(200, "GET", "/v1/assignments", nil).json(b, &doc)
		if sc.assessor == nil || len(doc.Assignments) > sc.inboxOf {
			sc.assessor, sc.inboxOf = c, len(doc.Assignments)
		}
	}
	sc.applicantWeb = scaleWeb(b, "applicant0")
	sc.adminWeb = scaleWeb(b, "admin")
	for key, id := range scaleIDs {
		if assessors[id] == sc.assessor {
			sc.assessorWeb = scaleWeb(b, key)
		}
	}
	seedMetric(float64(sc.inboxOf), "assessor-inbox-rows")
	seedMetric(float64(len(sd.Stuck)), "stuck-rows")
	return sc
}

// seedMetrics are seeding's figures, reported once the pages are measured.
var seedMetrics []struct {
	v    float64
	unit string
}

func seedMetric(v float64, unit string) {
	seedMetrics = append(seedMetrics, struct {
		v    float64
		unit string
	}{v, unit})
}

// scaleIDs are the seeded people's ids by key (applicant7, assessor2, admin).
var (
	scaleIDsMu sync.Mutex
	scaleIDs   = map[string]string{}
)

// scalePerson makes one of the tenant's people with an API token.
func scalePerson(b *testing.B, key string, roles ...string) *client {
	ctx := context.Background()
	p, err := shared.DB.UpsertPerson(ctx, postgres.Person{TenantID: scaleTenant, Name: "Scale " + key,
		Email: key + "@scaleshire.example", Roles: roles})
	if err != nil {
		b.Fatal(err)
	}
	token := "test-scaleshire-" + key
	if err := shared.DB.StoreToken(ctx, p.ID, "test", token); err != nil {
		b.Fatal(err)
	}
	scaleIDsMu.Lock()
	scaleIDs[key] = p.ID
	scaleIDsMu.Unlock()
	return as(b, shared, token)
}

// scaleWeb signs a person in to the web pages by the emailed link (POST /v1/signin, the link,
// Continue) and returns a browser-like client keeping the session cookie.
func scaleWeb(b *testing.B, key string) *http.Client {
	addr := key + "@scaleshire.example"
	// Every sign-in of the tests comes from 127.0.0.1: forget the per-IP counts.
	if _, err := shared.DB.Pool().Exec(b.Context(), `DELETE FROM sign_in_rate_limits WHERE bucket LIKE 'ip:%'`); err != nil {
		b.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := hc.Post(shared.APIURL+"/v1/signin", "application/json",
		strings.NewReader(`{"tenant":"`+scaleTenant+`","email":"`+addr+`"}`))
	if err != nil || r.StatusCode != 202 {
		b.Fatalf("asking for a sign-in link for %s: %v %v", addr, err, r)
	}
	r.Body.Close()
	var link string
	eventually(b, "the sign-in email to "+addr, func() bool {
		for _, m := range mailTo(shared, addr) {
			if l := linkPattern.FindString(m.Text); l != "" {
				link = l
			}
		}
		return link != ""
	})
	u, _ := url.Parse(link)
	r, err = hc.PostForm(shared.APIURL+"/signin/continue", url.Values{"token": {u.Query().Get("token")}})
	if err != nil || r.StatusCode != http.StatusSeeOther {
		b.Fatalf("signing %s in: %v %v", addr, err, r)
	}
	r.Body.Close()
	return hc
}

// measurePages reads each page and API list one request at a time and reports its p50/p95.
func (sc *scale) measurePages(b *testing.B) {
	web := func(hc *http.Client, path string) func() (int, int) {
		return func() (int, int) {
			r, err := hc.Get(shared.APIURL + path)
			if err != nil {
				b.Fatalf("GET %s: %v", path, err)
			}
			defer r.Body.Close()
			n, _ := io.Copy(io.Discard, r.Body)
			return r.StatusCode, int(n)
		}
	}
	api := func(c *client, path string) func() (int, int) {
		return func() (int, int) {
			r := c.do("GET", path, nil)
			return r.Status, len(r.Body)
		}
	}
	pages := []struct {
		name, target string
		rounds       int
		get          func() (int, int)
	}{
		{"applicant-home", "150ms", 200, web(sc.applicantWeb, "/applications")},
		{"assessor-inbox", "150ms", 200, web(sc.assessorWeb, "/assess")},
		{"admin-stuck", "150ms", 100, web(sc.adminWeb, "/admin/stuck")},
		{"admin-dashboard", "150ms", 100, web(sc.adminWeb, "/admin")},
		{"admin-reports", "1s", 30, web(sc.adminWeb, "/admin/reports")},
		{"admin-reports-csv", "1s", 30, web(sc.adminWeb, "/admin/reports.csv")},
		{"api-applications", "150ms", 200, api(sc.applicant, "/v1/applications")},
		{"api-assignments", "150ms", 200, api(sc.assessor, "/v1/assignments")},
		{"api-stuck", "150ms", 100, api(sc.admin, "/v1/admin/stuck")},
		{"api-reports", "1s", 30, api(sc.admin, "/v1/admin/reports?"+url.Values{"from": {time.Now().AddDate(-1, 0, 1).Format(time.DateOnly)}, "to": {time.Now().Format(time.DateOnly)}}.Encode())},
	}
	for _, p := range pages {
		if status, size := p.get(); status != 200 { // warm: templates, connections, caches
			b.Fatalf("%s: status %d (%d bytes)", p.name, status, size)
		}
		lat := make([]time.Duration, 0, p.rounds)
		var size int
		for range p.rounds {
			t0 := time.Now()
			status, n := p.get()
			lat = append(lat, time.Since(t0))
			if status != 200 {
				b.Fatalf("%s: status %d", p.name, status)
			}
			size = n
		}
		b.Logf("scale: %-18s p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms  (%d reads, %d bytes, target p95 ≤ %s) load %s", p.name,
			ms(pct(lat, 50)), ms(pct(lat, 95)), ms(pct(lat, 100)), p.rounds, size, p.target, loadavg())
		b.ReportMetric(ms(pct(lat, 50)), p.name+"-p50-ms")
		b.ReportMetric(ms(pct(lat, 95)), p.name+"-p95-ms")
	}
}

// remindTenant is the tenant of the reminder burst: its toolkit nudge is due minutes after
// registration instead of 14 days.
const remindTenant = "scaleremind"

// reminderBurst registers count journeys in another tenant, as fast as registration goes,
// whose toolkit nudge is due remindAfter after registration: their reminders fall due within
// the minute the registrations took. The lateness of a reminder is when its digest item was
// queued (email_digest_items.created_at: the reminder recorded, to go out in the person's
// digest) minus when it was due (the projection's due_at, registration + ToolkitNudgeAfter, as
// the journey computed it); the journey's own wake-up is the audit line's time.
func reminderBurst(b *testing.B, count int) {
	ctx := b.Context()
	db := shared.DB
	const remindAfter = 3 * time.Minute
	if err := db.UpsertTenant(ctx, postgres.Tenant{ID: remindTenant, Name: "Remindshire", SenderEmail: "awards@remind.example",
		SenderName: "Remind awards", ReplyTo: "team@remind.example"}); err != nil {
		b.Fatal(err)
	}
	st := award.DefaultSettings()
	st.ToolkitNudgeAfter = remindAfter
	if err := db.SetTenantSettings(ctx, remindTenant, st); err != nil {
		b.Fatal(err)
	}
	applicants := max(count/10, 1)
	cs := make([]*client, applicants)
	for i := range applicants {
		p, err := db.UpsertPerson(ctx, postgres.Person{TenantID: remindTenant, Name: fmt.Sprintf("Remind %d", i),
			Email: fmt.Sprintf("remind%d@remind.example", i), Roles: []string{postgres.RoleApplicant}})
		if err != nil {
			b.Fatal(err)
		}
		token := fmt.Sprintf("test-remind-%d", i)
		if err := db.StoreToken(ctx, p.ID, "test", token); err != nil {
			b.Fatal(err)
		}
		cs[i] = as(b, shared, token)
	}
	run := time.Now().UnixNano()
	start := time.Now()
	var refused atomic.Int64
	parallelN(64, count, func(i int) {
		r := cs[i%applicants].do("POST", "/v1/applications", map[string]any{"setting_reference": fmt.Sprintf("REMIND-%d-%d", run, i),
			"setting_name": fmt.Sprintf("Remind School %d", i), "track": "caring_schools", "variant": "primary"})
		if r.Status != 201 && r.Status != 202 {
			refused.Add(1)
		}
	})
	window := time.Since(start)
	// The due time is the journey's registration (its first workflow task) plus remindAfter:
	// known once that task has run and its first step is recorded.
	for deadline := time.Now().Add(remindAfter); ; time.Sleep(time.Second) {
		var k int
		if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM applications WHERE tenant_id=$1 AND seq = 0`, remindTenant).Scan(&k); err != nil {
			b.Fatal(err)
		}
		if k == 0 || time.Now().After(deadline) {
			break
		}
	}
	asleep := time.Since(start)
	var first, last time.Time
	if err := db.Pool().QueryRow(ctx, `SELECT min(due_at), max(due_at) FROM applications WHERE tenant_id=$1 AND seq >= 1`, remindTenant).Scan(&first, &last); err != nil {
		b.Fatal(err)
	}
	b.Logf("reminders: %d registered in %s, asleep after %s (%d refused); due from %s to %s (%s apart); load %s", count,
		window.Round(time.Millisecond), asleep.Round(time.Millisecond), refused.Load(), first.Format("15:04:05.000"), last.Format("15:04:05.000"), last.Sub(first).Round(time.Millisecond), loadavg())

	// Wait for every reminder (or five minutes past the last due time).
	deadline := last.Add(5 * time.Minute)
	var queued int
	for {
		if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM email_digest_items WHERE tenant_id=$1 AND kind='toolkit_nudge'`,
			remindTenant).Scan(&queued); err != nil {
			b.Fatal(err)
		}
		if queued >= count-int(refused.Load()) || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Second)
	}
	late := func(q string) []time.Duration {
		rows, err := db.Pool().Query(ctx, q, remindTenant)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		var out []time.Duration
		for rows.Next() {
			var micros int64
			if err := rows.Scan(&micros); err != nil {
				b.Fatal(err)
			}
			out = append(out, time.Duration(micros)*time.Microsecond)
		}
		return out
	}
	queuedLate := late(`SELECT (extract(epoch FROM d.created_at - a.due_at) * 1e6)::bigint
		FROM email_digest_items d JOIN applications a ON a.id = d.application_id
		WHERE d.tenant_id=$1 AND d.kind='toolkit_nudge'`)
	wokeLate := late(`SELECT (extract(epoch FROM l.at - a.due_at) * 1e6)::bigint
		FROM audit_log l JOIN applications a ON a.id = l.application_id
		WHERE l.tenant_id=$1 AND l.action='toolkit_nudge_sent'`)
	if len(queuedLate) == 0 || len(wokeLate) == 0 {
		b.Errorf("no reminder queued by %s (%d digest items, %d audit lines)", deadline.Format(time.TimeOnly), len(queuedLate), len(wokeLate))
		return
	}
	b.Logf("reminders: %d of %d queued; queued late p50 %.0f ms p99 %.0f ms max %.0f ms; journey woke late p50 %.0f ms p99 %.0f ms; load %s",
		len(queuedLate), count, ms(pct(queuedLate, 50)), ms(pct(queuedLate, 99)), ms(pct(queuedLate, 100)),
		ms(pct(wokeLate, 50)), ms(pct(wokeLate, 99)), loadavg())
	b.ReportMetric(float64(len(queuedLate)), "reminders")
	b.ReportMetric(float64(count-len(queuedLate)), "reminders-missing")
	b.ReportMetric(last.Sub(first).Seconds(), "reminders-due-spread-s")
	b.ReportMetric(ms(pct(queuedLate, 50)), "reminder-late-p50-ms")
	b.ReportMetric(ms(pct(queuedLate, 99)), "reminder-late-p99-ms")
	b.ReportMetric(ms(pct(wokeLate, 50)), "journey-woke-late-p50-ms")
	b.ReportMetric(ms(pct(wokeLate, 99)), "journey-woke-late-p99-ms")
}

// parallelN runs f(0..n-1) on g goroutines. Each f runs on a goroutine of its own, so an f
// that stops with a soft failure (runtime.Goexit) takes no worker with it.
func parallelN(g, n int, f func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				done := make(chan struct{})
				go func() {
					defer close(done)
					f(i)
				}()
				<-done
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// progress logs how far a long step has gone, every 30 seconds, until stopped.
func progress(b *testing.B, what string, done *atomic.Int64, of int, count func() int64) (stop func()) {
	quit := make(chan struct{})
	start := time.Now()
	go func() {
		for {
			select {
			case <-quit:
				return
			case <-time.After(30 * time.Second):
				var d int64
				if count != nil {
					d = count()
				} else {
					d = done.Load()
				}
				fmt.Fprintf(os.Stderr, "scale: %d/%d %s after %s (%.1f/s), RSS %d MiB, load %s\n", d, of, what,
					time.Since(start).Round(time.Second), float64(d)/time.Since(start).Seconds(), rssKB()/1024, loadavg())
			}
		}
	}()
	return func() { close(quit) }
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		b.Fatalf("%s=%q: want a number", name, v)
	}
	return n
}

// rssKB is this process's resident memory (the API, the worker and the Temporal server; not
// PostgreSQL nor MinIO), from /proc/self/status.
func rssKB() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kb
		}
	}
	return 0
}

func loadavg() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
