package integration

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"go.temporal.io/api/enums/v1"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/email"
	"awardengine/workflows"
)

// The one-click offer link (issue 13) on the real stack: the offer email's link opens its
// offer's page without signing in, answers it once, and is a credential nowhere else.

var offerLinkPattern = regexp.MustCompile(`http://[^\s<>"]+/offers/([A-Za-z0-9_-]{43})`)

// offerLinkIn waits for the n-th assessor_offer email to addr and returns its link and token.
func offerLinkIn(t *testing.T, addr string, n int) (string, string) {
	t.Helper()
	var m []string
	eventually(t, fmt.Sprintf("offer email %d to %s", n, addr), func() bool {
		var offers []string
		for _, msg := range mailTo(shared, addr) {
			if strings.Contains(msg.CustomArgs["dedupe_key"], "/assessor_offer/") {
				offers = append(offers, msg.Text)
			}
		}
		if len(offers) < n {
			return false
		}
		m = offerLinkPattern.FindStringSubmatch(offers[n-1])
		return m != nil
	})
	return m[0], m[1]
}

func body(r response) string { return string(r.Body) }

// noCookies fails if an answer sets any cookie: the link starts no session.
func noCookies(t *testing.T, what string, r response) {
	t.Helper()
	if c := r.Header.Values("Set-Cookie"); len(c) > 0 {
		t.Errorf("%s set cookies: %v", what, c)
	}
}

func TestOfferLinkFromTheEmailAnswersOnceAndNothingElse(t *testing.T) {
	tm := newAwardTeam(t, "linkshire", 3)
	appID, codes := tm.portfolio(t, "LINK-1", `Link & "Lane" <Primary>`, award.Bronze)
	// Carl declares a conflict, so the offer goes to Ada.
	tm.adm.must(201, "POST", "/v1/roster/"+tm.ids["other"]+"/conflicts", map[string]any{"setting_reference": "LINK-1", "reason": "governor"})
	tm.applicant.must(200, "POST", "/v1/applications/"+appID+"/submit", map[string]any{"target_level": "bronze"})
	if a := tm.waitStage(t, appID, "offered"); a.Assessment.Offer.PersonID != tm.ids["assessor"] {
		t.Fatalf("offered to %s", a.Assessment.Offer.PersonID)
	}
	link, token := offerLinkIn(t, "assessor@linkshire.example", 1)
	if want := shared.APIURL + "/offers/" + token; link != want {
		t.Fatalf("link %q, want %q", link, want)
	}
	assignment := appID + "/offer/1"

	// Stored as its SHA-256 only, bound to the offer; never in the outbox or the journey's history.
	sum := sha256.Sum256([]byte(token))
	var rows int
	if err := shared.DB.Pool().QueryRow(t.Context(), `SELECT count(*) FROM offer_links WHERE token_hash=$1 AND assignment_id=$2
		AND application_id=$3 AND person_id=$4 AND tenant_id='linkshire' AND used_at IS NULL`,
		sum[:], assignment, appID, tm.ids["assessor"]).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("offer link rows: %d %v", rows, err)
	}
	var outbox string
	_ = shared.DB.Pool().QueryRow(t.Context(), `SELECT string_agg(row_to_json(o)::text, '') FROM email_outbox o WHERE application_id=$1`, appID).Scan(&outbox)
	var dump strings.Builder
	it := shared.Client.GetWorkflowHistory(t.Context(), workflows.WorkflowID(appID), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(ev)
		dump.Write(raw)
	}
	if strings.Contains(outbox, token) || strings.Contains(dump.String(), token) || dump.Len() == 0 {
		t.Fatalf("the token is in the outbox (%v) or the journey's history (%v)", strings.Contains(outbox, token), strings.Contains(dump.String(), token))
	}

	// The email activity again (a retry of the same message, and an admin's nudge): the same
	// link, the same hash, one row.
	acts := &activities.Activities{DB: shared.DB, Mail: email.NewSender("SG.local-development-key", shared.MailURL),
		PublicURL: shared.APIURL, OfferLinkKey: shared.OfferLinkKey}
	res, err := acts.SendEmail(t.Context(), activities.EmailInput{DedupeKey: appID + "/offer-1/assessor_offer/" + tm.ids["assessor"],
		TenantID: "linkshire", ApplicationID: appID, Kind: activities.OfferKind, RecipientID: tm.ids["assessor"],
		Data: email.Data{SettingName: "Link Lane", DueDate: "1 June 2027"}})
	if err != nil || res.Status != "already" {
		t.Fatalf("retried offer email: %+v %v", res, err)
	}
	tm.adm.must(200, "POST", "/v1/applications/"+appID+"/nudge", map[string]any{"reason": "please answer"})
	if again, _ := offerLinkIn(t, "assessor@linkshire.example", 2); again != link {
		t.Fatalf("the nudge's link %q differs from the first %q", again, link)
	}
	if err := shared.DB.Pool().QueryRow(t.Context(), `SELECT count(*) FROM offer_links WHERE assignment_id=$1 AND token_hash=$2`,
		assignment, sum[:]).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("after a retry and a nudge: %d rows with the first hash (%v)", rows, err)
	}

	// Opening the link (a mail scanner, then the person) uses nothing and sets no cookie.
	b := newBrowser(t, shared.APIURL)
	for range 2 {
		r := b.get(link)
		if r.Status != 200 || !strings.Contains(body(r), "Link &amp; &#34;Lane&#34; &lt;Primary&gt;") ||
			!strings.Contains(body(r), `action="/offers/`+token+`/accept"`) || !strings.Contains(body(r), "Ada Assessor") ||
			!strings.Contains(body(r), fmt.Sprintf("%d standards and %d evidence files", len(codes), len(codes))) {
			t.Fatalf("GET the link: %d %s", r.Status, r.Body)
		}
		noCookies(t, "the offer page", r)
		if r.Header.Get("Referrer-Policy") != "no-referrer" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("offer page headers: %v", r.Header)
		}
	}

	// The token is no credential anywhere else: not as a bearer token, not as a session
	// cookie; the assessor's pages still ask them to sign in.
	for _, h := range [][]string{{"Authorization", "Bearer " + token}, {"Cookie", "award_session=" + token}} {
		for _, path := range []string{"/v1/me", "/v1/applications/" + appID, "/v1/assignments", "/v1/applications/" + appID + "/offer/accept"} {
			method := "GET"
			if strings.HasSuffix(path, "/accept") {
				method = "POST"
			}
			req, _ := http.NewRequest(method, shared.APIURL+path, nil)
			req.Header.Set(h[0], h[1])
			if r := b.send(req); r.Status != http.StatusUnauthorized {
				t.Errorf("%s %s with %s: %d %s", method, path, h[0], r.Status, r.Body)
			}
		}
	}
	for _, path := range []string{"/assess", "/assess/" + appID, "/assess/" + appID + "/offer", "/applications/" + appID} {
		if r := b.get(path); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/signin" {
			t.Errorf("GET %s after opening the link: %d %v", path, r.Status, r.Header.Get("Location"))
		}
	}
	// Nothing else is under the link.
	for _, path := range []string{"/offers/" + token + "/" + appID, "/offers/" + token + "/evidence", "/offers/" + token + "/accept"} {
		if r := b.get(path); r.Status != http.StatusNotFound && r.Status != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d", path, r.Status)
		}
	}
	// Another site cannot make the browser answer it.
	if r := b.postForm("/offers/"+token+"/accept", nil, "Sec-Fetch-Site", "cross-site"); r.Status != http.StatusForbidden {
		t.Errorf("cross-site POST: %d", r.Status)
	}

	// Accepting: once, as Ada, without signing in.
	r := b.postForm("/offers/"+token+"/accept", nil)
	if r.Status != 200 || !strings.Contains(body(r), "Offer accepted") || !strings.Contains(body(r), `href="/assess/`+appID+`"`) {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	noCookies(t, "accepting", r)
	a := tm.waitStage(t, appID, "assessment")
	if a.Assessment.AssessorID != tm.ids["assessor"] {
		t.Fatalf("assessor %q", a.Assessment.AssessorID)
	}
	trail, err := shared.DB.AuditTrail(t.Context(), "linkshire", appID)
	if err != nil {
		t.Fatal(err)
	}
	accepted := 0
	for _, l := range trail {
		if l.Action == "offer_accepted" && l.Actor == tm.ids["assessor"] {
			accepted++
		}
	}
	if accepted != 1 {
		t.Errorf("%d offer_accepted lines by the assessor", accepted)
	}

	// A second use is refused, however it is tried, and says how the link was used.
	for _, again := range []response{
		b.postForm("/offers/"+token+"/accept", nil),
		b.postForm("/offers/"+token+"/decline", url.Values{"reason": {"too late"}, "confirm": {"yes"}}),
		b.get(link),
		newBrowser(t, shared.APIURL).get(link),
	} {
		if again.Status != http.StatusGone || !strings.Contains(body(again), "This link has already been used") ||
			!strings.Contains(body(again), "You accepted this offer on") {
			t.Errorf("second use: %d %s", again.Status, again.Body)
		}
	}
	// And still no session: /v1/me with the browser's cookies is 401.
	if r := b.get("/v1/me"); r.Status != http.StatusUnauthorized {
		t.Errorf("/v1/me after using the link: %d", r.Status)
	}
	// An altered token is nobody's.
	if r := b.get("/offers/" + strings.Repeat("A", 43)); r.Status != http.StatusNotFound || !strings.Contains(body(r), "This link is not valid") {
		t.Errorf("unknown link: %d", r.Status)
	}
}

func TestOfferLinkDeclineThenTheNextAssessorsLinkClosesWhenReassigned(t *testing.T) {
	tm := newAwardTeam(t, "declineshire", 3)
	appID, _ := tm.portfolio(t, "DECL-1", "Decline Primary", award.Bronze)
	tm.applicant.must(200, "POST", "/v1/applications/"+appID+"/submit", map[string]any{"target_level": "bronze"})
	first := tm.waitStage(t, appID, "offered").Assessment.Offer.PersonID
	key := map[string]string{tm.ids["assessor"]: "assessor", tm.ids["other"]: "other"}
	next := tm.ids["other"]
	if first == next {
		next = tm.ids["assessor"]
	}
	_, token := offerLinkIn(t, key[first]+"@declineshire.example", 1)
	b := newBrowser(t, shared.APIURL)

	// Declining needs a reason, then "are you sure"; neither step uses the link.
	if r := b.get("/offers/" + token + "/decline"); r.Status != 200 || !strings.Contains(body(r), "Why are you declining this offer?") {
		t.Fatalf("decline page: %d %s", r.Status, r.Body)
	}
	if r := b.postForm("/offers/"+token+"/decline", url.Values{"reason": {""}}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(body(r), "Enter why you are declining the offer") {
		t.Fatalf("decline without a reason: %d %s", r.Status, r.Body)
	}
	if r := b.postForm("/offers/"+token+"/decline", url.Values{"reason": {"Away all term"}}); r.Status != 200 ||
		!strings.Contains(body(r), "Are you sure you want to decline this offer?") {
		t.Fatalf("decline, are you sure: %d %s", r.Status, r.Body)
	}
	if a := tm.get(t, appID); a.Stage != "offered" || a.Assessment.Offer.PersonID != first {
		t.Fatalf("before confirming: %+v", a)
	}
	r := b.postForm("/offers/"+token+"/decline", url.Values{"reason": {"Away all term"}, "confirm": {"yes"}})
	if r.Status != 200 || !strings.Contains(body(r), "Offer declined") {
		t.Fatalf("decline: %d %s", r.Status, r.Body)
	}
	noCookies(t, "declining", r)
	var reason string
	if err := shared.DB.Pool().QueryRow(t.Context(), `SELECT reason FROM assignments WHERE id=$1`, appID+"/offer/1").Scan(&reason); err != nil || reason != "Away all term" {
		t.Errorf("declined assignment's reason %q %v", reason, err)
	}

	// The next assessor is offered it at once, with a link of their own.
	eventually(t, "the offer to the next assessor", func() bool {
		a := tm.get(t, appID)
		return a.Stage == "offered" && a.Assessment.Offer != nil && a.Assessment.Offer.PersonID == next
	})
	_, second := offerLinkIn(t, key[next]+"@declineshire.example", 1)
	if second == token {
		t.Fatal("two offers share a token")
	}
	if r := b.get("/offers/" + token); r.Status != http.StatusGone || !strings.Contains(body(r), "You declined this offer on") {
		t.Errorf("the first assessor's used link: %d %s", r.Status, r.Body)
	}

	// Deactivated, the next assessor's link is refused; reactivated, it works again.
	if _, err := shared.DB.Pool().Exec(t.Context(), `UPDATE people SET active=false WHERE id=$1`, next); err != nil {
		t.Fatal(err)
	}
	if r := b.postForm("/offers/"+second+"/accept", nil); r.Status != http.StatusForbidden || !strings.Contains(body(r), "Your account is deactivated") {
		t.Errorf("deactivated: %d %s", r.Status, r.Body)
	}
	if _, err := shared.DB.Pool().Exec(t.Context(), `UPDATE people SET active=true WHERE id=$1`, next); err != nil {
		t.Fatal(err)
	}
	if r := b.get("/offers/" + second); r.Status != 200 || !strings.Contains(body(r), "Accept the offer") {
		t.Fatalf("reactivated: %d %s", r.Status, r.Body)
	}

	// The award team takes the offer back: the link says so, and answers nothing.
	tm.adm.must(200, "POST", "/v1/applications/"+appID+"/reassign", map[string]any{"reason": "rebalancing work"})
	for _, r := range []response{b.get("/offers/" + second), b.postForm("/offers/"+second+"/accept", nil)} {
		if r.Status != http.StatusGone || !strings.Contains(body(r), "This offer is no longer open") ||
			!strings.Contains(body(r), "taken this offer back") {
			t.Errorf("reassigned: %d %s", r.Status, r.Body)
		}
	}
	if a := tm.get(t, appID); a.Stage == "assessment" {
		t.Errorf("the reassigned offer was accepted")
	}
}
